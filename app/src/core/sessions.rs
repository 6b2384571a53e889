//! Web sessions kept in the database, so that they survive a restart and
//! are shared by every replica. Rows only: the web layer's session store
//! (`api::session_store`) turns them into tower-sessions records.

use super::db::Conn;
use super::db::models::SessionRow;
use super::db::schema::sessions;
use super::{CoreError, now_ms};
use diesel::prelude::*;

/// Sweeps expired sessions, then inserts `row` unless its id is taken;
/// returns whether it was inserted.
pub fn create(conn: &mut Conn, row: &SessionRow) -> Result<bool, CoreError> {
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(now_ms()))).execute(conn)?;
    let inserted = crate::on_backend!(conn, |c| {
        diesel::insert_into(sessions::table).values(row).on_conflict_do_nothing().execute(c)
    })?;
    Ok(inserted == 1)
}

/// Writes a session, new or not.
pub fn save(conn: &mut Conn, row: &SessionRow) -> Result<(), CoreError> {
    crate::on_backend!(conn, |c| {
        diesel::insert_into(sessions::table)
            .values(row)
            .on_conflict(sessions::id)
            .do_update()
            .set((sessions::data.eq(&row.data), sessions::expires_at.eq(row.expires_at)))
            .execute(c)
    })?;
    Ok(())
}

/// The session `id`, unless it has expired.
pub fn load(conn: &mut Conn, id: &str) -> Result<Option<SessionRow>, CoreError> {
    Ok(sessions::table
        .find(id)
        .filter(sessions::expires_at.gt(now_ms()))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Removes the session `id`.
pub fn delete(conn: &mut Conn, id: &str) -> Result<(), CoreError> {
    diesel::delete(sessions::table.find(id)).execute(conn)?;
    Ok(())
}
