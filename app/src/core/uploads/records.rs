//! What the portal keeps of uploads: open multipart uploads (to resume and
//! to sweep), and the records of files that arrived.

use super::s3::abort;
use crate::core::actions::AuditAction;
use crate::core::audit::{self, Outcome};
use crate::core::db::Conn;
use crate::core::db::models::{FileRecord, UploadRecord, Usecase};
use crate::core::db::schema::{files, uploads, usecases};
use crate::core::db::text_enums::UploadStatus;
use crate::core::guard::{Guard, Target};
use crate::core::principal::Principal;
use crate::core::{CoreError, Services, now_ms};
use crate::ids::{UploadId, UsecaseId, UserId};
use diesel::prelude::*;
use std::time::Duration;

/// The open upload of this owner that a newly picked file continues: same
/// place, same requested key, same size and modification time.
pub fn find_resumable(
    conn: &mut Conn,
    owner_id: &UserId,
    usecase_id: &UsecaseId,
    bucket: &str,
    requested_key: &str,
    size: i64,
    modified: i64,
) -> Result<Option<UploadRecord>, CoreError> {
    Ok(uploads::table
        .filter(uploads::owner_id.eq(owner_id))
        .filter(uploads::usecase_id.eq(usecase_id))
        .filter(uploads::bucket.eq(bucket))
        .filter(uploads::requested_key.eq(requested_key))
        .filter(uploads::size.eq(size))
        .filter(uploads::file_modified.eq(modified))
        .filter(uploads::status.eq(UploadStatus::Open))
        .order(uploads::updated_at.desc())
        .select(UploadRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Records a multipart upload just started on S3.
pub fn open(conn: &mut Conn, record: &UploadRecord) -> Result<(), CoreError> {
    diesel::insert_into(uploads::table).values(record).execute(conn)?;
    Ok(())
}

/// Records a file that arrived on S3.
pub fn record_file(conn: &mut Conn, record: &FileRecord) -> Result<(), CoreError> {
    diesel::insert_into(files::table).values(record).execute(conn)?;
    Ok(())
}

/// Loads an upload by the portal's id.
/// How many multipart uploads `owner_id` has open.
pub fn count_open(conn: &mut Conn, owner_id: &UserId) -> Result<i64, CoreError> {
    Ok(uploads::table
        .filter(uploads::owner_id.eq(owner_id))
        .filter(uploads::status.eq(UploadStatus::Open))
        .count()
        .get_result(conn)?)
}

/// Loads an upload record.
pub fn load(conn: &mut Conn, id: &UploadId) -> Result<Option<UploadRecord>, CoreError> {
    Ok(uploads::table.find(id).select(UploadRecord::as_select()).first(conn).optional()?)
}

/// Marks the upload as used now, so that the sweeper leaves it alone.
pub fn touch(conn: &mut Conn, id: &UploadId) -> Result<(), CoreError> {
    diesel::update(uploads::table.find(id)).set(uploads::updated_at.eq(now_ms())).execute(conn)?;
    Ok(())
}

/// Sets the upload's status (`completed` or `aborted`).
pub fn set_status(conn: &mut Conn, id: &UploadId, status: UploadStatus) -> Result<(), CoreError> {
    diesel::update(uploads::table.find(id))
        .set((uploads::status.eq(status), uploads::updated_at.eq(now_ms())))
        .execute(conn)?;
    Ok(())
}

/// Aborts every open upload not used for `idle`, on S3 and in the
/// database, and audits each; returns how many were aborted.
pub async fn sweep_idle(state: &Services, idle: Duration) -> Result<usize, CoreError> {
    let cutoff = now_ms() - idle.as_millis() as i64;
    let stale = state
        .db
        .run(move |c| {
            Ok(uploads::table
                .filter(uploads::status.eq(UploadStatus::Open))
                .filter(uploads::updated_at.lt(cutoff))
                .inner_join(usecases::table)
                .select((UploadRecord::as_select(), Usecase::as_select()))
                .load::<(UploadRecord, Usecase)>(c)?)
        })
        .await?;
    let principal = Principal::system("upload sweeper");
    let guard = Guard::new(state, &principal, AuditAction::AbortUpload);
    let mut aborted = 0;
    for (record, usecase) in stale {
        let result = match state.s3.client_for(&usecase).await {
            Ok(client) => abort(&client, &record).await,
            Err(e) => Err(e),
        };
        let mut event = guard.event();
        event.tenant_id = Some(record.tenant_id.clone());
        Target::Object { usecase, bucket: record.bucket.clone(), key: record.object_key.clone() }.describe(&mut event);
        event.detail = match &result {
            Ok(()) => format!("idle since {}; aborted by the sweeper", audit::format_ms(record.updated_at)),
            Err(e) => format!("the sweeper could not abort it: {e}"),
        };
        let outcome = if result.is_ok() { Outcome::Success } else { Outcome::Error };
        // Recorded before the status changes, so that an aborted upload always has its event.
        guard.audit(event, outcome).await;
        if result.is_ok() {
            let id = record.id.clone();
            state.db.run(move |c| set_status(c, &id, UploadStatus::Aborted)).await?;
            aborted += 1;
        }
    }
    Ok(aborted)
}
