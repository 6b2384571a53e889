//! Web sessions kept in the database, so that they survive a restart and
//! are shared by every replica.

use super::db::Db;
use super::db::models::SessionRow;
use super::db::schema::sessions;
use super::now_ms;
use async_trait::async_trait;
use diesel::prelude::*;
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

fn backend(e: super::CoreError) -> Error {
    Error::Backend(e.to_string())
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let mut attempt = record.clone();
        let created = self
            .db
            .run(move |conn| {
                // Expired sessions are swept whenever a new one starts.
                diesel::delete(sessions::table.filter(sessions::expires_at.lt(now_ms()))).execute(conn)?;
                loop {
                    let row = SessionRow {
                        id: attempt.id.to_string(),
                        data: serde_json::to_string(&attempt.data)
                            .map_err(|e| super::CoreError::Internal(e.to_string()))?,
                        expires_at: expiry_ms(&attempt),
                    };
                    let inserted =
                        diesel::insert_into(sessions::table).values(&row).on_conflict_do_nothing().execute(conn)?;
                    if inserted == 1 {
                        return Ok(attempt);
                    }
                    attempt.id = Id::default();
                }
            })
            .await
            .map_err(backend)?;
        record.id = created.id;
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let row = SessionRow {
            id: record.id.to_string(),
            data: serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?,
            expires_at: expiry_ms(record),
        };
        self.db
            .run(move |conn| {
                diesel::insert_into(sessions::table)
                    .values(&row)
                    .on_conflict(sessions::id)
                    .do_update()
                    .set((sessions::data.eq(&row.data), sessions::expires_at.eq(row.expires_at)))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let key = id.to_string();
        let row = self
            .db
            .run(move |conn| {
                Ok(sessions::table
                    .find(key)
                    .filter(sessions::expires_at.gt(now_ms()))
                    .select(SessionRow::as_select())
                    .first(conn)
                    .optional()?)
            })
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expires_at) * 1_000_000)
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let key = id.to_string();
        self.db
            .run(move |conn| {
                diesel::delete(sessions::table.find(key)).execute(conn)?;
                Ok(())
            })
            .await
            .map_err(backend)
    }
}
