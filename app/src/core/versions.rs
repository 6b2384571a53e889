//! A file's versions and a folder's deleted files: reading them, restoring
//! an older version as the latest, and bringing deleted files back by
//! removing their delete markers. Everything goes through `Guard`.

use super::CoreError;
use super::actions::AuditAction;
use super::browse::FolderQuery;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::selection::{self, Selection};
use super::storage::storage_error;
use crate::ids::UsecaseId;
use crate::model::{DeletedFile, DeletedListing, FileVersion};
use crate::names::{BucketName, ObjectKey};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::list_object_versions::{ListObjectVersionsError, ListObjectVersionsOutput};
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::collections::BTreeMap;

/// Most bytes one CopyObject may copy; a larger version is restored in parts.
pub const COPY_LIMIT: i64 = 5 * 1024 * 1024 * 1024;
/// Size of each part when a version is restored in parts.
pub const COPY_PART: i64 = 512 * 1024 * 1024;
/// Pages of 1,000 versions read for one folder's deleted files.
const DELETED_PAGES: usize = 20;

fn when(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

/// Where a listing of versions goes on: the key and version markers S3 gave.
type Markers = (Option<String>, Option<String>);

/// One page of ListObjectVersions; `None` where the storage keeps no versions.
async fn page_of(
    client: &Client,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    (key_marker, version_marker): Markers,
) -> Result<Option<ListObjectVersionsOutput>, SdkError<ListObjectVersionsError>> {
    let asked = client
        .list_object_versions()
        .bucket(bucket)
        .prefix(prefix)
        .set_delimiter(delimiter.map(str::to_owned))
        .set_key_marker(key_marker)
        .set_version_id_marker(version_marker)
        .send()
        .await;
    match asked {
        Ok(page) => Ok(Some(page)),
        Err(e) if e.code() == Some("NotImplemented") => Ok(None),
        Err(e) => Err(e),
    }
}

/// A version id as a request may name it.
pub(crate) fn checked_version(version: &str) -> Result<(), CoreError> {
    if version.is_empty() || version.len() > 1024 || version.chars().any(char::is_control) {
        return Err(CoreError::Invalid("That is not a version id of this file; open the file's details again.".into()));
    }
    Ok(())
}

/// Every version of `key`, newest first; none where the storage keeps no versions.
pub async fn of_key(client: &Client, bucket: &str, key: &str) -> Result<Vec<FileVersion>, CoreError> {
    let mut found: Vec<(i64, FileVersion)> = Vec::new();
    let (mut key_marker, mut version_marker) = (None, None);
    loop {
        let asked = page_of(client, bucket, key, None, (key_marker.take(), version_marker.take()));
        let Some(page) = asked.await.map_err(|e| storage_error("Listing the file's versions", e))? else {
            return Ok(Vec::new());
        };
        let at = |t: Option<&DateTime>| t.and_then(|t| t.to_millis().ok()).unwrap_or(0);
        for v in page.versions().iter().filter(|v| v.key() == Some(key)) {
            found.push((
                at(v.last_modified()),
                FileVersion {
                    id: v.version_id().unwrap_or("null").to_owned(),
                    last_modified: when(v.last_modified()),
                    size: v.size().unwrap_or(0),
                    latest: v.is_latest().unwrap_or(false),
                    deleted: false,
                },
            ));
        }
        for m in page.delete_markers().iter().filter(|m| m.key() == Some(key)) {
            found.push((
                at(m.last_modified()),
                FileVersion {
                    id: m.version_id().unwrap_or("null").to_owned(),
                    last_modified: when(m.last_modified()),
                    size: 0,
                    latest: m.is_latest().unwrap_or(false),
                    deleted: true,
                },
            ));
        }
        // Versions of one key come together; a later key ends them.
        match (page.is_truncated(), page.next_key_marker()) {
            (Some(true), Some(next)) if next == key => {
                key_marker = Some(next.to_owned());
                version_marker = page.next_version_id_marker().map(str::to_owned);
            }
            _ => break,
        }
    }
    found.sort_by_key(|(at, v)| (!v.latest, std::cmp::Reverse(*at)));
    Ok(found.into_iter().map(|(_, v)| v).collect())
}

/// Copies version `version` of `key` over it as the new latest version:
/// one CopyObject up to `single_limit` bytes, above it a multipart copy in
/// parts of `part_size`. Returns the new version's id.
pub async fn copy_version(
    client: &Client,
    bucket: &str,
    key: &str,
    version: &str,
    single_limit: i64,
    part_size: i64,
) -> Result<String, CoreError> {
    let head = match client.head_object().bucket(bucket).key(key).version_id(version).send().await {
        Ok(head) => head,
        Err(e)
            if e.code() == Some("MethodNotAllowed") || e.raw_response().is_some_and(|r| r.status().as_u16() == 405) =>
        {
            return Err(CoreError::Invalid("That version is a delete marker; choose a version with content.".into()));
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) || e.code() == Some("NoSuchVersion") => {
            return Err(CoreError::NotFound(format!("That version of “{key}” no longer exists.")));
        }
        Err(e) => return Err(storage_error("Reading the version", e)),
    };
    let keep = b"-._~/";
    let source = format!(
        "{}/{}?versionId={}",
        bucket,
        crate::url::percent_encode(key, keep),
        crate::url::percent_encode(version, b"-._~")
    );
    let size = head.content_length().unwrap_or(0);
    if size <= single_limit {
        let out = client
            .copy_object()
            .bucket(bucket)
            .key(key)
            .copy_source(&source)
            .send()
            .await
            .map_err(|e| storage_error("Restoring the version", e))?;
        return Ok(out.version_id().unwrap_or("null").to_owned());
    }
    let started = client
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .set_content_type(head.content_type().map(str::to_owned))
        .set_metadata(head.metadata().cloned())
        .send()
        .await
        .map_err(|e| storage_error("Starting the restore", e))?;
    let upload_id = started.upload_id().unwrap_or_default().to_owned();
    let copied = copy_parts(client, bucket, key, &source, &upload_id, size, part_size).await;
    match copied {
        Ok(version) => Ok(version),
        Err(e) => {
            // Nothing half-copied stays behind to be billed.
            let _ = client.abort_multipart_upload().bucket(bucket).key(key).upload_id(&upload_id).send().await;
            Err(e)
        }
    }
}

async fn copy_parts(
    client: &Client,
    bucket: &str,
    key: &str,
    source: &str,
    upload_id: &str,
    size: i64,
    part_size: i64,
) -> Result<String, CoreError> {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < size {
        let end = (start + part_size).min(size) - 1;
        let number = i32::try_from(parts.len() + 1).map_err(|e| CoreError::Internal(e.to_string()))?;
        let out = client
            .upload_part_copy()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .copy_source(source)
            .copy_source_range(format!("bytes={start}-{end}"))
            .send()
            .await
            .map_err(|e| storage_error("Copying a part of the version", e))?;
        let etag = out.copy_part_result().and_then(|r| r.e_tag()).unwrap_or_default().to_owned();
        parts.push(CompletedPart::builder().part_number(number).e_tag(etag).build());
        start = end + 1;
    }
    let done = CompletedMultipartUpload::builder().set_parts(Some(parts)).build();
    let out = client
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .multipart_upload(done)
        .send()
        .await
        .map_err(|e| storage_error("Finishing the restore", e))?;
    Ok(out.version_id().unwrap_or("null").to_owned())
}

/// Restores version `version` of a file as its latest version; audited.
pub async fn restore(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    key: &ObjectKey,
    version: &str,
) -> Result<String, CoreError> {
    let g = Guard::new(s, p, AuditAction::RestoreVersion);
    g.screened(checked_version(version)).await?;
    let (usecase, target, _) = g.object(usecase_id, bucket, key).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = copy_version(&client, bucket, key, version, COPY_LIMIT, COPY_PART).await;
    g.finish(&target, result, |new| format!("version {version} restored as the latest version {new}")).await
}

/// Brings deleted files back: removes each one's delete markers down to
/// its newest version with content. Every key needs the write right
/// before anything changes; audited once with the keys.
pub async fn undelete(s: &Services, p: &Principal, sel: Selection) -> Result<Vec<String>, CoreError> {
    let g = Guard::new(s, p, AuditAction::Undelete);
    if !sel.folders.is_empty() {
        let refused =
            Err(CoreError::Invalid("Restore deleted files one by one; folders are not restored as a whole.".into()));
        return g.screened(refused).await;
    }
    let (usecase, target) = selection::authorize_all(&g, &sel, "Choose at least one deleted file to restore.").await?;
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        let mut restored = Vec::new();
        for key in &sel.keys {
            let versions = of_key(&client, sel.bucket.as_str(), key.as_str()).await?;
            if !versions.iter().any(|v| !v.deleted) {
                return Err(CoreError::NotFound(format!("“{key}” has no earlier version to bring back.")));
            }
            for marker in versions.iter().take_while(|v| v.deleted) {
                client
                    .delete_object()
                    .bucket(sel.bucket.as_str())
                    .key(key.as_str())
                    .version_id(&marker.id)
                    .send()
                    .await
                    .map_err(|e| storage_error("Removing the delete marker", e))?;
            }
            restored.push(key.to_string());
        }
        Ok(restored)
    }
    .await;
    g.finish(&target, result, |keys| format!("{} deleted files restored: {}", keys.len(), keys.join(", "))).await
}

/// The deleted files of a folder (their latest version is a delete marker)
/// and its sub-folders, as far as the principal may see.
pub async fn deleted_files(s: &Services, p: &Principal, q: FolderQuery) -> Result<DeletedListing, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListDeleted);
    let (bucket, prefix) = (q.bucket.to_string(), q.prefix.to_string());
    let (usecase, target, scope) = g.object(&q.usecase_id, &bucket, &prefix).await?;
    let client = g.s3(&target, &usecase).await?;
    let rights = g.rights_at(&usecase, &bucket, &prefix).await?;
    let result = read_deleted(&client, &bucket, &prefix).await.map(|mut l| {
        l.rights = rights;
        l.folders.retain(|f| scope.shows_folder(&bucket, f));
        l.files.retain(|f| scope.shows_key(&bucket, &f.key));
        l
    });
    g.finish(&target, result, |l| format!("{} deleted files, {} folders", l.files.len(), l.folders.len())).await
}

async fn read_deleted(client: &Client, bucket: &str, prefix: &str) -> Result<DeletedListing, CoreError> {
    let status = client.get_bucket_versioning().bucket(bucket).send().await.ok().and_then(|v| v.status().cloned());
    let mut listing = DeletedListing {
        prefix: prefix.to_owned(),
        versioned: status.is_some_and(|s| s.as_str() == "Enabled"),
        ..Default::default()
    };
    // Per key: when the latest marker was made, and the newest content's size and time.
    let mut markers: BTreeMap<String, Option<DateTime>> = BTreeMap::new();
    let mut content: BTreeMap<String, (DateTime, i64)> = BTreeMap::new();
    let (mut key_marker, mut version_marker) = (None, None);
    for _ in 0..DELETED_PAGES {
        let asked = page_of(client, bucket, prefix, Some("/"), (key_marker.take(), version_marker.take()));
        let Some(page) = asked.await.map_err(|e| storage_error("Listing the deleted files", e))? else {
            return Ok(listing);
        };
        listing.folders.extend(page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_owned)));
        for m in page.delete_markers().iter().filter(|m| m.is_latest() == Some(true)) {
            markers.insert(m.key().unwrap_or_default().to_owned(), m.last_modified().copied());
        }
        for v in page.versions() {
            let (key, at) =
                (v.key().unwrap_or_default().to_owned(), v.last_modified().copied().unwrap_or(DateTime::from_secs(0)));
            if content.get(&key).is_none_or(|(newest, _)| at > *newest) {
                content.insert(key, (at, v.size().unwrap_or(0)));
            }
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        version_marker = page.next_version_id_marker().map(str::to_owned);
    }
    listing.folders.dedup();
    listing.files = markers
        .into_iter()
        .filter_map(|(key, at)| {
            // Only markers over content: a marker alone has nothing to bring back.
            let size = content.get(&key)?.1;
            Some(DeletedFile {
                name: key.rsplit('/').next().unwrap_or(&key).to_owned(),
                deleted_at: when(at.as_ref()),
                size,
                key,
            })
        })
        .collect();
    Ok(listing)
}
