//! The database: a connection pool, embedded migrations, and blocking work
//! moved off the async runtime.

pub mod models;
pub mod schema;
pub mod text_enums;

use super::CoreError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Migrations compiled into the binary and applied at start.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A pooled connection.
pub type Conn = SqliteConnection;

/// Shared handle to the connection pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<Conn>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        // WAL lets readers run while one writer commits; the busy timeout makes
        // concurrent writers wait instead of failing at once.
        // The busy timeout comes first, so that the other pragmas wait too.
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl Db {
    /// Opens (creating if needed) the database at `url` and applies migrations.
    ///
    /// `url` is a SQLite file path, optionally prefixed with `sqlite://`.
    pub fn open(url: &str) -> Result<Self, CoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Err(CoreError::Config(
                "this build of Dataport stores its data in SQLite; PostgreSQL support is not available yet".into(),
            ));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let manager = ConnectionManager::<Conn>::new(path);
        let pool = Pool::builder()
            .max_size(8)
            .min_idle(Some(1))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| CoreError::Config(format!("cannot open the database at {path}: {e}")))?;
        let db = Self { pool };
        let mut conn = db.conn()?;
        // WAL is a property of the database file: set once, it stays.
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| CoreError::Config(format!("cannot use the database at {path}: {e}")))?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| CoreError::Config(format!("cannot migrate the database: {e}")))?;
        Ok(db)
    }

    /// Takes a connection from the pool (blocking).
    pub fn conn(&self) -> Result<diesel::r2d2::PooledConnection<ConnectionManager<Conn>>, CoreError> {
        self.pool.get().map_err(|e| CoreError::Internal(format!("database pool: {e}")))
    }

    /// Runs `f` with a connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, CoreError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("database task: {e}")))?
    }
}
