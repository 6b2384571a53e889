//! Deleting objects, a selection, or folders with everything under them.
//! Every key needs the delete right: each named key and each named folder
//! is authorized before anything goes, so a request with one forbidden key
//! deletes nothing. Keys go in DeleteObjects batches of 1,000; on a
//! versioned bucket S3 keeps the old versions behind a delete marker. One
//! audit event per request, with the count and the keys.

use super::CoreError;
use super::actions::AuditAction;
use super::db::schema::files;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::selection::{self, Selection};
use super::storage::storage_error;
use crate::model::DeleteSummary;
use crate::names::Prefix;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use diesel::prelude::*;

/// Keys in one DeleteObjects request, the most S3 takes.
const BATCH: usize = 1000;
/// Most keys one request deletes: a folder larger than this is deleted in several goes.
pub const MAX_KEYS: usize = 100_000;

/// What a deletion names: single keys and whole folders of one bucket.
pub type DeleteRequest = Selection;

/// Every key the deletion reaches, within its limit.
async fn expand(client: &Client, req: &DeleteRequest) -> Result<Vec<(String, i64)>, CoreError> {
    let too_many = format!("This deletes more than {MAX_KEYS} objects at once; delete its folders one by one.");
    selection::expand(client, req, MAX_KEYS, &too_many).await
}

/// Deletes `keys` in batches of `BATCH`; the first key S3 refuses stops it.
async fn delete_keys(client: &Client, bucket: &str, keys: &[String]) -> Result<(), CoreError> {
    for (done, batch) in keys.chunks(BATCH).enumerate() {
        let objects: Result<Vec<ObjectIdentifier>, _> =
            batch.iter().map(|k| ObjectIdentifier::builder().key(k).build()).collect();
        let delete = Delete::builder()
            .set_objects(Some(objects.map_err(|e| CoreError::Internal(e.to_string()))?))
            .quiet(true)
            .build()
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let out = client
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| storage_error("Deleting the objects", e))?;
        if let Some(failed) = out.errors().first() {
            return Err(CoreError::Conflict(format!(
                "S3 did not delete “{}” ({}); {} objects were deleted before it. Try again for the rest.",
                failed.key().unwrap_or_default(),
                failed.message().unwrap_or("no reason given"),
                done * BATCH + batch.len() - out.errors().len()
            )));
        }
    }
    Ok(())
}

/// Removes the empty folder markers (`name/`) left under a deleted folder,
/// and the folder's own, deepest first: a deleted folder leaves nothing to
/// list, on S3 and on a store that keeps folders as directories.
async fn sweep_folder_markers(client: &Client, bucket: &str, folder: &Prefix) -> Result<(), CoreError> {
    for _ in 0..32 {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(folder.as_str())
            .send()
            .await
            .map_err(|e| storage_error("Listing the folder", e))?;
        let mut markers: Vec<String> = page
            .contents()
            .iter()
            .filter(|o| o.size().unwrap_or(0) == 0)
            .filter_map(|o| o.key().filter(|k| k.ends_with('/')).map(str::to_owned))
            .collect();
        if markers.is_empty() {
            break;
        }
        markers.sort_by_key(|k| std::cmp::Reverse(k.len()));
        delete_keys(client, bucket, &markers).await?;
    }
    if !folder.is_empty() {
        delete_keys(client, bucket, &[folder.to_string()]).await?;
    }
    Ok(())
}

async fn versioned(client: &Client, bucket: &str) -> bool {
    let status = client.get_bucket_versioning().bucket(bucket).send().await.ok().and_then(|v| v.status().cloned());
    status.is_some_and(|s| s.as_str() == "Enabled")
}

/// Authorizes the delete right on every named key and folder.
async fn authorize_all(g: &Guard<'_>, req: &DeleteRequest) -> Result<(super::db::models::Usecase, Target), CoreError> {
    selection::authorize_all(g, req, "Choose at least one file or folder to delete.").await
}

/// How many objects and bytes a deletion would remove, for its confirmation.
pub async fn preview(s: &Services, p: &Principal, req: DeleteRequest) -> Result<DeleteSummary, CoreError> {
    let g = Guard::new(s, p, AuditAction::PreviewDelete);
    let (usecase, target) = authorize_all(&g, &req).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = match expand(&client, &req).await {
        Ok(keys) => Ok(summary(&keys, versioned(&client, req.bucket.as_str()).await)),
        Err(e) => Err(e),
    };
    g.finish(&target, result, |sum| format!("{} objects, {} bytes would be deleted", sum.objects, sum.bytes)).await
}

fn summary(keys: &[(String, i64)], versioned: bool) -> DeleteSummary {
    DeleteSummary { objects: keys.len() as u64, bytes: keys.iter().map(|(_, n)| *n as u64).sum(), versioned }
}

/// Deletes what the request names; returns what went.
pub async fn delete(s: &Services, p: &Principal, req: DeleteRequest) -> Result<DeleteSummary, CoreError> {
    let g = Guard::new(s, p, AuditAction::DeleteObjects);
    let (usecase, target) = authorize_all(&g, &req).await?;
    let client = g.s3(&target, &usecase).await?;
    let bucket = req.bucket.to_string();
    let result = async {
        let keys = expand(&client, &req).await?;
        let versioned = versioned(&client, &bucket).await;
        let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        delete_keys(&client, &bucket, &names).await?;
        for folder in &req.folders {
            sweep_folder_markers(&client, &bucket, folder).await?;
        }
        let (b, gone): (String, Vec<String>) = (bucket.clone(), keys.iter().map(|(k, _)| k.clone()).collect());
        let tenant = usecase.tenant_id.clone();
        s.db.run(move |c| {
            for chunk in gone.chunks(500) {
                diesel::update(
                    files::table
                        .filter(files::tenant_id.eq(&tenant))
                        .filter(files::bucket.eq(&b))
                        .filter(files::object_key.eq_any(chunk)),
                )
                .set(files::status.eq("deleted"))
                .execute(c)?;
            }
            Ok(())
        })
        .await?;
        Ok((summary(&keys, versioned), keys))
    }
    .await;
    let described = g
        .finish(&target, result, |(sum, keys)| {
            let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            let marker = if sum.versioned { " (delete markers; old versions kept)" } else { "" };
            format!("{} objects, {} bytes deleted{marker}: {}", sum.objects, sum.bytes, names.join(", "))
        })
        .await?;
    Ok(described.0)
}
