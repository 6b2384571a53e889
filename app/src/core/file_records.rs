//! The portal's records of uploaded files (seed 002's "files"): who
//! uploaded what where, for the REST API's `/files`. Each record shown is
//! one the principal may read now; a record names its object, and every
//! action on it goes through the object's own service.

use super::CoreError;
use super::actions::AuditAction;
use super::audit::format_ms;
use super::authz::{self, Action, Resource};
use super::db::models::{FileRecord, Usecase};
use super::db::schema::{files, usecases, users};
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use crate::ids::UsecaseId;
use diesel::prelude::*;
use std::collections::HashSet;

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct FileFilter {
    /// Only of this usecase.
    pub usecase_id: Option<UsecaseId>,
    /// Only in this bucket.
    pub bucket: Option<String>,
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Most records (1 to 1000).
    pub limit: i64,
    /// Only records older than this one (by creation, then id): the cursor.
    pub after: Option<(i64, String)>,
}

/// One file as the API shows it.
#[derive(Debug, Clone)]
pub struct FileView {
    /// Record id.
    pub id: String,
    /// The usecase.
    pub usecase_id: String,
    /// Bucket.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Bytes.
    pub size: i64,
    /// MIME type.
    pub content_type: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When, RFC 3339 UTC.
    pub uploaded_at: String,
    /// S3's checksum, `crc32c:<base64>`, when it gave one.
    pub checksum: Option<String>,
    /// The cursor that lists what comes after it.
    pub cursor: (i64, String),
}

/// The newest records of files the principal may read now, newest first.
pub async fn list(s: &Services, p: &Principal, filter: FileFilter) -> Result<Vec<FileView>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListFiles);
    let (actor, target) = g.own_tenant().await?;
    let actor = actor.clone();
    let found =
        s.db.run(move |c| {
            let mut q = files::table
                .inner_join(users::table)
                .inner_join(usecases::table)
                .filter(files::tenant_id.eq(&actor.tenant_id))
                .filter(files::status.eq("uploaded"))
                .select((FileRecord::as_select(), users::email, Usecase::as_select()))
                .order((files::created_at.desc(), files::id.desc()))
                .into_boxed();
            if let Some(u) = &filter.usecase_id {
                q = q.filter(files::usecase_id.eq(u.to_string()));
            }
            if let Some(b) = &filter.bucket {
                q = q.filter(files::bucket.eq(b.clone()));
            }
            if let Some((at, id)) = &filter.after {
                q = q.filter(files::created_at.lt(*at).or(files::created_at.eq(*at).and(files::id.lt(id.clone()))));
            }
            let rows: Vec<(FileRecord, String, Usecase)> = q.load(c)?;
            let prefix = filter.prefix.unwrap_or_default();
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (f, email, usecase) in rows {
                // An overwritten key keeps its older records; the newest speaks for it.
                if !f.object_key.starts_with(&prefix) || !seen.insert((f.bucket.clone(), f.object_key.clone())) {
                    continue;
                }
                let resource = Resource::Object { usecase: &usecase, bucket: &f.bucket, key: &f.object_key };
                if authz::authorize(c, Some(&actor), Action::ReadObject, resource).is_err() {
                    continue;
                }
                out.push(FileView {
                    cursor: (f.created_at, f.id.clone()),
                    id: f.id,
                    usecase_id: f.usecase_id.to_string(),
                    bucket: f.bucket,
                    key: f.object_key,
                    size: f.size,
                    content_type: f.content_type,
                    uploaded_by: email,
                    uploaded_at: format_ms(f.created_at),
                    checksum: f.checksum,
                });
                if out.len() as i64 >= filter.limit {
                    break;
                }
            }
            Ok(out)
        })
        .await;
    g.finish(&target, found, |list| format!("{} files", list.len())).await
}

/// Where a record's object is: usecase, bucket and key, if the record is
/// of the principal's organization and its file is still there.
pub async fn locate(s: &Services, p: &Principal, id: &str) -> Result<(UsecaseId, String, String), CoreError> {
    let g = Guard::new(s, p, AuditAction::ListFiles);
    let actor = g.actor().await?;
    let (tenant, key) = (actor.tenant_id.clone(), id.to_owned());
    let found: Option<(UsecaseId, String, String)> =
        s.db.run(move |c| {
            Ok(files::table
                .find(&key)
                .filter(files::tenant_id.eq(&tenant))
                .filter(files::status.eq("uploaded"))
                .select((files::usecase_id, files::bucket, files::object_key))
                .first(c)
                .optional()?)
        })
        .await?;
    match found {
        Some(place) => Ok(place),
        None => {
            let target = Target::Tenant(actor.tenant_id.clone());
            let mut event = g.event();
            target.describe(&mut event);
            event.detail = format!("no file {id} in this organization");
            g.audit(event, super::audit::Outcome::Denied).await;
            Err(CoreError::NotFound("There is no such file.".into()))
        }
    }
}
