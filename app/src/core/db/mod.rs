//! The database: SQLite or PostgreSQL behind one connection type, a
//! connection pool, embedded migrations, and blocking work moved off the
//! async runtime.

mod connection;
pub mod models;
pub mod rows;
pub mod schema;
pub mod text_enums;

pub use connection::{AnyConnection, Backend, DbOptions, Manager, is_nul_in_text, is_unreachable, write_transaction};

use super::CoreError;
use connection::{MIGRATION_LOCK, pool_error};
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationVersion;
use diesel::r2d2::{Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Migrations compiled into the binary; the same SQL runs on both backends.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A pooled connection.
pub type Conn = AnyConnection;

/// Shared handle to the connection pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// Whether the last attempt to take a connection succeeded.
    reachable: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.backend)
    }
}

/// Why a database could not be opened, without the password of its URL.
fn cannot(what: &str, url: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Config(format!("cannot {what} the database at {}: {e}", redacted(url)))
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Opens the database at `url` with the default pool and applies migrations.
    pub fn open(url: &str) -> Result<Self, CoreError> {
        let db = Self::connect(url, &DbOptions::default())?;
        db.migrate()?;
        Ok(db)
    }

    /// Opens a pool on `url` (a SQLite path, `sqlite://path`, or
    /// `postgres://…`) without migrating.
    pub fn connect(url: &str, options: &DbOptions) -> Result<Self, CoreError> {
        let backend = Backend::of(url);
        let pool = Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connect_timeout)
            .build(Manager::new(url, options))
            .map_err(|e| cannot("open", url, e))?;
        let db = Self { pool, backend, reachable: Default::default() };
        if backend == Backend::Sqlite {
            // WAL is a property of the database file: set once, it stays.
            db.conn()?.batch_execute("PRAGMA journal_mode = WAL;").map_err(|e| cannot("use", url, e))?;
        }
        Ok(db)
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the migrations not yet applied and returns their versions.
    /// Processes that start together take turns (an advisory lock on
    /// PostgreSQL, the write lock on SQLite): the first migrates, the others
    /// find nothing left to do.
    pub fn migrate(&self) -> Result<Vec<String>, CoreError> {
        let mut conn = self.conn()?;
        let failed = |e| CoreError::Config(format!("cannot migrate the database: {e}"));
        let versions = |v: Vec<MigrationVersion<'_>>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        match &mut *conn {
            // One write transaction around them all: a second process waits,
            // then finds nothing left to do.
            AnyConnection::Sqlite(c) => {
                c.immediate_transaction(|c| c.run_pending_migrations(MIGRATIONS).map(versions).map_err(failed))
            }
            AnyConnection::Postgres(c) => {
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(c)?;
                let applied = c.run_pending_migrations(MIGRATIONS).map(versions).map_err(failed);
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(c)?;
                applied
            }
        }
    }

    /// Takes a connection from the pool (blocking); 503 when none comes in time.
    pub fn conn(&self) -> Result<PooledConnection<Manager>, CoreError> {
        let conn = self.pool.get();
        self.reachable.store(conn.is_ok(), std::sync::atomic::Ordering::Relaxed);
        conn.map_err(pool_error)
    }

    /// Whether the database answered the last time a connection was asked for:
    /// a failure that follows a lost database is reported as such (503).
    pub fn reachable(&self) -> bool {
        self.reachable.load(std::sync::atomic::Ordering::Relaxed)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(redacted("postgres://app:s3cret@db:5432/dp"), "postgres://app:***@db:5432/dp");
        assert_eq!(redacted("postgres://app@db/dp"), "postgres://app@db/dp");
        assert_eq!(redacted("/var/lib/dataport.db"), "/var/lib/dataport.db");
    }

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::of("postgres://h/db"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://h/db"), Backend::Postgres);
        assert_eq!(Backend::of("sqlite://data/x.db"), Backend::Sqlite);
        assert_eq!(Backend::of("data/x.db"), Backend::Sqlite);
    }
}
