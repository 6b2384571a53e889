//! One connection type over SQLite and PostgreSQL, how each is opened, and
//! the few statements whose SQL the two dialects spell differently.

use super::super::CoreError;
use diesel::connection::{AnsiTransactionManager, Connection, SimpleConnection, TransactionManager};
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{PgConnection, RunQueryDsl, SqliteConnection};
use std::time::Duration;

/// A database connection: every query of the portal runs on either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL: several replicas on one database.
    Postgres(PgConnection),
    /// SQLite: one process with a database file.
    Sqlite(SqliteConnection),
}

/// Runs the same expression on the backend's own connection type, for the
/// statements `MultiConnection` does not translate (ON CONFLICT): written
/// once, compiled for each backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::core::db::AnyConnection::Postgres($c) => $body,
            $crate::core::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// A file path, optionally `sqlite://path`.
    Sqlite,
}

impl Backend {
    /// The backend of `url`.
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// How connections are pooled and how long the database may take.
#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    /// Connections one process keeps at most.
    pub pool_size: u32,
    /// How long opening a connection (or waiting for a free one) may take.
    pub connect_timeout: Duration,
    /// How long one statement may run on PostgreSQL before it is cancelled.
    pub statement_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self { pool_size: 10, connect_timeout: Duration::from_secs(5), statement_timeout: Duration::from_secs(30) }
    }
}

/// Opens connections of one backend, set up as the portal needs them.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
    statement_timeout: Duration,
}

impl Manager {
    /// A manager for `url`; PostgreSQL URLs get `connect_timeout` unless they name one.
    pub(super) fn new(url: &str, options: &DbOptions) -> Self {
        let backend = Backend::of(url);
        let url = match backend {
            Backend::Sqlite => url.strip_prefix("sqlite://").unwrap_or(url).to_owned(),
            Backend::Postgres if url.contains("connect_timeout=") => url.to_owned(),
            Backend::Postgres => {
                let joiner = if url.contains('?') { '&' } else { '?' };
                format!("{url}{joiner}connect_timeout={}", options.connect_timeout.as_secs().max(1))
            }
        };
        Self { url, backend, statement_timeout: options.statement_timeout }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        use diesel::r2d2::Error;
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url).map_err(Error::ConnectionError)?;
                let ms = self.statement_timeout.as_millis();
                conn.batch_execute(&format!("SET statement_timeout = {ms}; SET TIME ZONE 'UTC';"))
                    .map_err(Error::QueryError)?;
                Ok(AnyConnection::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url).map_err(Error::ConnectionError)?;
                // WAL lets readers run while one writer commits; the busy
                // timeout (first, so that the other pragmas wait too) makes
                // concurrent writers wait instead of failing at once.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map(|_| ()).map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

/// The PostgreSQL advisory lock that serializes write transactions across
/// replicas, as SQLite's single writer lock does within one file.
const WRITE_LOCK: i64 = 0x6461_7461_706f_7274; // "dataport"
/// The PostgreSQL advisory lock held while migrations run.
pub(super) const MIGRATION_LOCK: i64 = WRITE_LOCK + 1;

/// Runs `f` in a transaction that holds the database's write lock from its
/// first statement, so that a read followed by a write (the audit chain's
/// tail, a name checked before it is taken) cannot interleave with another
/// writer's, in this process or another replica. Commits when `f` succeeds,
/// rolls back when it fails.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        AnyConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            let locked = diesel::sql_query(format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})")).execute(c);
            if let Err(e) = locked {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e.into());
            }
        }
    }
    match f(conn) {
        Ok(value) => match <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Whether a database error means the database is out of reach (rather
/// than a query it refused): such requests answer 503 and are retried later.
pub fn is_unreachable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)
            | Error::BrokenTransactionManager
    )
}

/// Whether PostgreSQL refused a text with a NUL character, which it cannot
/// hold (SQLite can): such input can match nothing stored and is refused as
/// bad input.
pub fn is_nul_in_text(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info) if info.message().contains("0x00"))
}

/// Maps an error of the pool (no connection in time) to the 503 it is.
pub(super) fn pool_error(e: impl std::fmt::Display) -> CoreError {
    CoreError::Unavailable(format!("database pool: {e}"))
}
