//! The tower-sessions store of the portal's web sessions, on the core's
//! session rows.

use crate::core::db::Db;
use crate::core::db::models::SessionRow;
use crate::core::{CoreError, sessions};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// A `tower_sessions` store on the portal's database.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(e: CoreError) -> Error {
    Error::Backend(e.to_string())
}

/// The key a session is stored under: a hash of its id, so that whoever
/// reads the table (a backup, a replica's log) cannot take over a session.
fn stored_id(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn row_of(record: &Record) -> Result<SessionRow> {
    Ok(SessionRow {
        id: stored_id(&record.id),
        data: serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?,
        expires_at: (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64,
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A new id until one is free: ids are random, so this rarely loops.
        loop {
            let row = row_of(record)?;
            if self.db.run(move |c| sessions::create(c, &row)).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let row = row_of(record)?;
        self.db.run(move |c| sessions::save(c, &row)).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let key = stored_id(id);
        let Some(row) = self.db.run(move |c| sessions::load(c, &key)).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expires_at) * 1_000_000)
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let key = stored_id(id);
        self.db.run(move |c| sessions::delete(c, &key)).await.map_err(backend)
    }
}
