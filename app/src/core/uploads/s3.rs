//! The S3 calls of an upload: does a key exist, which key to use, presigned
//! PUTs and parts, starting, listing the parts of and aborting a multipart upload.

use super::rules::numbered_key;
use crate::core::CoreError;
use crate::core::db::models::UploadRecord;
use crate::core::storage::{UPLOAD_URL_TTL, head_object, storage_error};
use crate::model::{Conflict, StoredPart, UploadPlan};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::ChecksumAlgorithm;
use std::collections::HashSet;

/// Whether `key` names an object in `bucket`.
pub async fn exists(client: &Client, bucket: &str, key: &str) -> Result<bool, CoreError> {
    match head_object(client, bucket, key).await {
        Ok(_) => Ok(true),
        Err(CoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Numbered copies "keep both" tries before it asks for another name.
pub const MAX_COPIES: u32 = 100;

/// Applies the conflict rule to `key`: `None` when the file is to be
/// skipped. `claimed` holds keys already chosen in this batch, which count
/// as taken even though S3 does not have them yet. "Keep both" finds a free
/// numbered name with one listing, not a HEAD per candidate.
pub async fn resolve_key(
    client: &Client,
    bucket: &str,
    key: &str,
    rule: Conflict,
    claimed: &HashSet<String>,
) -> Result<Option<String>, CoreError> {
    if rule == Conflict::Overwrite {
        return Ok(Some(key.to_owned()));
    }
    if !claimed.contains(key) && !exists(client, bucket, key).await? {
        return Ok(Some(key.to_owned()));
    }
    if rule == Conflict::Skip {
        return Ok(None);
    }
    // Every numbered copy of `dir/name.ext` starts with `dir/name`.
    let stem = numbered_key(key, 1);
    let stem = &stem[..stem.rfind(" (1)").unwrap_or(stem.len())];
    let page = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(stem)
        .send()
        .await
        .map_err(|e| storage_error("Looking for a free name", e))?;
    let listed: HashSet<&str> = page.contents().iter().filter_map(|o| o.key()).collect();
    let complete = !page.is_truncated().unwrap_or(false);
    for n in 1..=MAX_COPIES {
        let candidate = numbered_key(key, n);
        if claimed.contains(&candidate) || listed.contains(candidate.as_str()) {
            continue;
        }
        // Past one page of names, a candidate the page did not show is asked for.
        if complete || !exists(client, bucket, &candidate).await? {
            return Ok(Some(candidate));
        }
    }
    Err(CoreError::Conflict(format!("{MAX_COPIES} copies of “{key}” exist already; rename the file and try again.")))
}

fn plan_of(req: aws_sdk_s3::presigning::PresignedRequest, key: &str) -> UploadPlan {
    UploadPlan {
        url: req.uri().to_owned(),
        method: req.method().to_owned(),
        headers: req.headers().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        key: key.to_owned(),
    }
}

fn presigning() -> Result<PresigningConfig, CoreError> {
    PresigningConfig::expires_in(UPLOAD_URL_TTL).map_err(|e| CoreError::Internal(e.to_string()))
}

/// A presigned PUT of a whole file; S3 refuses the bytes unless there are
/// `size` of them and (when given) their CRC32C is `crc32c`: both are signed.
pub async fn presign_single(
    client: &Client,
    bucket: &str,
    key: &str,
    content_type: &str,
    size: u64,
    crc32c: Option<&str>,
) -> Result<UploadPlan, CoreError> {
    let req = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .content_length(size as i64)
        .set_checksum_crc32_c(crc32c.map(str::to_owned))
        .presigned(presigning()?)
        .await
        .map_err(|e| storage_error("Preparing the upload", e))?;
    Ok(plan_of(req, key))
}

/// Starts a multipart upload whose parts carry CRC32C checksums; returns S3's upload id.
pub async fn create(client: &Client, bucket: &str, key: &str, content_type: &str) -> Result<String, CoreError> {
    let out = client
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(ChecksumAlgorithm::Crc32C)
        .send()
        .await
        .map_err(|e| storage_error("Starting the upload", e))?;
    out.upload_id().map(str::to_owned).ok_or_else(|| CoreError::Storage("S3 returned no upload id".into()))
}

/// A presigned UploadPart; its length and checksum are signed, so S3
/// refuses other bytes.
pub async fn presign_part(
    client: &Client,
    record: &UploadRecord,
    number: u32,
    crc32c: &str,
) -> Result<UploadPlan, CoreError> {
    let (size, part_size) = (record.size as u64, record.part_size as u64);
    let start = u64::from(number.saturating_sub(1)) * part_size;
    let length = part_size.min(size.saturating_sub(start));
    let req = client
        .upload_part()
        .bucket(&record.bucket)
        .key(&record.object_key)
        .upload_id(&record.s3_upload_id)
        .part_number(number as i32)
        .content_length(length as i64)
        .checksum_crc32_c(crc32c)
        .presigned(presigning()?)
        .await
        .map_err(|e| storage_error("Preparing a part", e))?;
    Ok(plan_of(req, &record.object_key))
}

/// Every part S3 holds for the upload, following ListParts' pages.
/// `NotFound` when S3 no longer knows the upload.
pub async fn stored_parts(client: &Client, record: &UploadRecord) -> Result<Vec<StoredPart>, CoreError> {
    let mut parts = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = client
            .list_parts()
            .bucket(&record.bucket)
            .key(&record.object_key)
            .upload_id(&record.s3_upload_id)
            .set_part_number_marker(marker.take())
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if e.code() == Some("NoSuchUpload") => {
                return Err(CoreError::NotFound("S3 no longer has this upload; start it again.".into()));
            }
            Err(e) => return Err(storage_error("Asking S3 which parts it has", e)),
        };
        for p in out.parts() {
            if let (Some(n), Some(etag)) = (p.part_number(), p.e_tag()) {
                parts.push(StoredPart {
                    number: n as u32,
                    etag: etag.trim_matches('"').to_owned(),
                    size: p.size().unwrap_or(0) as u64,
                    crc32c: p.checksum_crc32_c().map(str::to_owned),
                });
            }
        }
        match (out.is_truncated(), out.next_part_number_marker()) {
            (Some(true), Some(next)) if !out.parts().is_empty() => marker = Some(next.to_owned()),
            _ => break,
        }
    }
    parts.sort_by_key(|p| p.number);
    Ok(parts)
}

/// Aborts the upload on S3; one S3 no longer knows counts as aborted.
pub async fn abort(client: &Client, record: &UploadRecord) -> Result<(), CoreError> {
    match client
        .abort_multipart_upload()
        .bucket(&record.bucket)
        .key(&record.object_key)
        .upload_id(&record.s3_upload_id)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("NoSuchUpload") => Ok(()),
        Err(e) => Err(storage_error("Aborting the upload", e)),
    }
}
