//! Multipart uploads: choosing part sizes and keys, signing parts, asking S3
//! what it holds, completing, aborting, and sweeping uploads left idle.

use super::audit::{self, Outcome};
use super::db::Conn;
use super::db::models::{FileRecord, UploadRecord, Usecase};
use super::db::schema::{files, uploads, usecases};
use super::guard::{Guard, Target};
use super::principal::Principal;
use super::storage::{UPLOAD_URL_TTL, head_object, storage_error};
use super::{CoreError, Services, now_ms};
use crate::model::{Conflict, StoredPart, UploadPlan};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use diesel::prelude::*;
use std::collections::HashSet;
use std::time::Duration;

/// Smallest part S3 accepts (except the last).
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// Largest part S3 accepts.
pub const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;
/// Most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Largest object S3 stores.
pub const MAX_OBJECT: u64 = 5 * 1024 * 1024 * 1024 * 1024;
/// Part size used unless the file needs bigger parts to fit in 10,000.
pub const PREFERRED_PART: u64 = 8 * 1024 * 1024;

/// Bytes per part for a file of `size` bytes: at least 8 MiB, and large
/// enough that the file fits in 10,000 parts (rounded up to whole MiB).
pub fn part_size_for(size: u64) -> u64 {
    const MIB: u64 = 1024 * 1024;
    let needed = size.div_ceil(MAX_PARTS).div_ceil(MIB) * MIB;
    needed.max(PREFERRED_PART).clamp(MIN_PART, MAX_PART)
}

/// Number of parts of a file of `size` bytes cut into `part_size` pieces.
pub fn part_count(size: u64, part_size: u64) -> u32 {
    size.div_ceil(part_size).max(1) as u32
}

/// `dir/name (n).ext` for `dir/name.ext`: the n-th "keep both" name.
pub fn numbered_key(key: &str, n: u32) -> String {
    let (dir, name) = match key.rfind('/') {
        Some(i) => key.split_at(i + 1),
        None => ("", key),
    };
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{dir}{} ({n}){}", &name[..dot], &name[dot..]),
        _ => format!("{dir}{name} ({n})"),
    }
}

/// Whether `key` names an object in `bucket`.
pub async fn exists(client: &Client, bucket: &str, key: &str) -> Result<bool, CoreError> {
    match head_object(client, bucket, key).await {
        Ok(_) => Ok(true),
        Err(CoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Applies the conflict rule to `key`: `None` when the file is to be
/// skipped. `claimed` holds keys already chosen in this batch, which count
/// as taken even though S3 does not have them yet.
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
    for n in 1..=999 {
        let candidate = numbered_key(key, n);
        if !claimed.contains(&candidate) && !exists(client, bucket, &candidate).await? {
            return Ok(Some(candidate));
        }
    }
    Err(CoreError::Conflict(format!("Too many copies of “{key}” exist already; rename the file and try again.")))
}

/// Checks a base64 CRC32C as the browser sends it: 4 bytes, 8 characters.
pub fn validate_crc32c(value: &str) -> Result<(), CoreError> {
    let ok = value.len() == 8
        && value.ends_with("==")
        && value[..6].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if ok { Ok(()) } else { Err(CoreError::Invalid(format!("“{value}” is not a CRC32C checksum."))) }
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

/// A presigned PUT of a whole file; S3 refuses the bytes unless their
/// CRC32C is `crc32c`, which is part of the signature.
pub async fn presign_single(
    client: &Client,
    bucket: &str,
    key: &str,
    content_type: &str,
    crc32c: &str,
) -> Result<UploadPlan, CoreError> {
    let req = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .checksum_crc32_c(crc32c)
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

/// A presigned UploadPart; the checksum is signed, so S3 refuses other bytes.
pub async fn presign_part(
    client: &Client,
    record: &UploadRecord,
    number: u32,
    crc32c: &str,
) -> Result<UploadPlan, CoreError> {
    let req = client
        .upload_part()
        .bucket(&record.bucket)
        .key(&record.object_key)
        .upload_id(&record.s3_upload_id)
        .part_number(number as i32)
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

/// What S3 answered when the upload was completed.
#[derive(Debug, Clone)]
pub struct Completed {
    /// ETag of the object.
    pub etag: String,
    /// The object's checksum as S3 reports it, `crc32c:<base64>`.
    pub checksum: Option<String>,
}

/// Rounds of completing an upload that S3 still holds before the portal gives up.
const COMPLETE_ROUNDS: u32 = 3;

/// Completes the upload from `parts` (numbers with ETags and checksums) and
/// makes sure of the outcome. When an attempt fails or runs out of time,
/// S3 is asked what happened before anything is reported: the object with
/// the ETag the parts imply means it succeeded; the upload still there
/// means completing it again; only when neither holds is it a failure,
/// named for its real cause.
pub async fn complete(
    client: &Client,
    record: &UploadRecord,
    parts: &[StoredPart],
    timeout: Duration,
) -> Result<Completed, CoreError> {
    let expected = multipart_etag(parts);
    let mut round = 1;
    loop {
        let error = match send_complete(client, record, parts, timeout).await {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        tracing::warn!(key = record.object_key, round, error = %DisplayErrorContext(&error), "completing an upload did not answer; asking S3 what happened");
        if let Some(done) = assembled(client, record, expected.as_deref()).await? {
            return Ok(done);
        }
        let still_there = match stored_parts(client, record).await {
            Ok(_) => true,
            Err(CoreError::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !still_there || round == COMPLETE_ROUNDS {
            return Err(completion_failure(record, &error, timeout, still_there));
        }
        tokio::time::sleep(Duration::from_secs(round as u64)).await;
        round += 1;
    }
}

type CompleteError =
    aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadError>;

async fn send_complete(
    client: &Client,
    record: &UploadRecord,
    parts: &[StoredPart],
    timeout: Duration,
) -> Result<Completed, CompleteError> {
    let completed = parts
        .iter()
        .map(|p| {
            CompletedPart::builder()
                .part_number(p.number as i32)
                .e_tag(format!("\"{}\"", p.etag))
                .set_checksum_crc32_c(p.crc32c.clone())
                .build()
        })
        .collect::<Vec<_>>();
    // S3 keeps the connection alive while it assembles, for longer the larger the file.
    let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(timeout)
        .operation_timeout(timeout * 3)
        .build();
    let out = client
        .complete_multipart_upload()
        .bucket(&record.bucket)
        .key(&record.object_key)
        .upload_id(&record.s3_upload_id)
        .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(completed)).build())
        .customize()
        .config_override(aws_sdk_s3::Config::builder().timeout_config(timeouts))
        .send()
        .await?;
    Ok(Completed {
        etag: out.e_tag().unwrap_or_default().trim_matches('"').to_owned(),
        checksum: out.checksum_crc32_c().map(|c| format!("crc32c:{c}")),
    })
}

/// The ETag S3 gives an object assembled from `parts`: the MD5 of the
/// parts' MD5s, then their count. `None` when a part's ETag is no MD5
/// (as with KMS encryption), so the object cannot be recognized by it.
pub fn multipart_etag(parts: &[StoredPart]) -> Option<String> {
    use md5::Digest;
    let mut md5 = md5::Md5::new();
    for p in parts {
        let bytes = hex::decode(&p.etag).ok().filter(|b| b.len() == 16)?;
        md5.update(bytes);
    }
    Some(format!("{}-{}", hex::encode(md5.finalize()), parts.len()))
}

/// The object the upload was to become, if S3 now holds it whole: the
/// file's size and the ETag its parts imply.
async fn assembled(
    client: &Client,
    record: &UploadRecord,
    expected: Option<&str>,
) -> Result<Option<Completed>, CoreError> {
    let Some(expected) = expected else { return Ok(None) };
    match head_object(client, &record.bucket, &record.object_key).await {
        Ok(head) if head.etag == expected && head.size == record.size => {
            Ok(Some(Completed { etag: head.etag, checksum: head.checksum }))
        }
        Ok(_) | Err(CoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What a person reads when completing failed: the real cause, and what to do.
fn completion_failure(record: &UploadRecord, error: &CompleteError, timeout: Duration, still_there: bool) -> CoreError {
    let key = &record.object_key;
    if let aws_sdk_s3::error::SdkError::TimeoutError(_) = error {
        return CoreError::Storage(if still_there {
            format!(
                "S3 took longer than {} s to assemble “{key}” and has not finished; its parts are kept. Press Retry to complete it.",
                timeout.as_secs()
            )
        } else {
            format!(
                "S3 took longer than {} s to assemble “{key}” and dropped the upload; upload the file again.",
                timeout.as_secs()
            )
        });
    }
    match error.code() {
        Some("InvalidPart" | "InvalidPartOrder" | "EntityTooSmall") => CoreError::Conflict(format!(
            "S3 is missing a part of “{key}”, or a part is not the one sent ({}); upload the file again.",
            error.code().unwrap_or_default()
        )),
        Some("NoSuchUpload") => CoreError::NotFound(format!(
            "S3 no longer has the upload of “{key}” and did not make the file; upload it again."
        )),
        code => {
            let why = code.unwrap_or("no answer from the storage endpoint");
            CoreError::Storage(if still_there {
                format!("Completing “{key}” failed with {why}; its parts are kept. Press Retry to complete it.")
            } else {
                format!("Completing “{key}” failed with {why} and S3 no longer has the upload; upload the file again.")
            })
        }
    }
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

/// The open upload of this owner that a newly picked file continues: same
/// place, same requested key, same size and modification time.
pub fn find_resumable(
    conn: &mut Conn,
    owner_id: &str,
    usecase_id: &str,
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
        .filter(uploads::status.eq("open"))
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
pub fn load(conn: &mut Conn, id: &str) -> Result<Option<UploadRecord>, CoreError> {
    Ok(uploads::table.find(id).select(UploadRecord::as_select()).first(conn).optional()?)
}

/// Marks the upload as used now, so that the sweeper leaves it alone.
pub fn touch(conn: &mut Conn, id: &str) -> Result<(), CoreError> {
    diesel::update(uploads::table.find(id)).set(uploads::updated_at.eq(now_ms())).execute(conn)?;
    Ok(())
}

/// Sets the upload's status (`completed` or `aborted`).
pub fn set_status(conn: &mut Conn, id: &str, status: &str) -> Result<(), CoreError> {
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
                .filter(uploads::status.eq("open"))
                .filter(uploads::updated_at.lt(cutoff))
                .inner_join(usecases::table)
                .select((UploadRecord::as_select(), Usecase::as_select()))
                .load::<(UploadRecord, Usecase)>(c)?)
        })
        .await?;
    let principal = Principal::system("upload sweeper");
    let guard = Guard::new(state, &principal, "object.upload.abort");
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
        if result.is_ok() {
            let id = record.id.clone();
            state.db.run(move |c| set_status(c, &id, "aborted")).await?;
            aborted += 1;
        }
        guard.audit(event, outcome).await;
    }
    Ok(aborted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_at_least_8_mib_and_never_more_than_10000() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(part_size_for(17 * MIB), 8 * MIB);
        assert_eq!(part_count(64 * MIB, part_size_for(64 * MIB)), 8);
        assert_eq!(part_count(64 * MIB + 1, part_size_for(64 * MIB + 1)), 9);
        // 100 GiB needs 11 MiB parts to fit in 10,000.
        let big = 100 * 1024 * MIB;
        assert_eq!(part_size_for(big), 11 * MIB);
        assert!(part_count(big, part_size_for(big)) as u64 <= MAX_PARTS);
        assert!(part_count(MAX_OBJECT, part_size_for(MAX_OBJECT)) as u64 <= MAX_PARTS);
        assert!(part_size_for(MAX_OBJECT) <= MAX_PART);
    }

    #[test]
    fn keep_both_names_number_before_the_extension() {
        assert_eq!(numbered_key("a/b/report.csv", 1), "a/b/report (1).csv");
        assert_eq!(numbered_key("data.tar.gz", 2), "data.tar (2).gz");
        assert_eq!(numbered_key("dir/.env", 1), "dir/.env (1)");
        assert_eq!(numbered_key("README", 3), "README (3)");
    }

    #[test]
    fn checksums_must_look_like_crc32c() {
        assert!(validate_crc32c("yZRlqg==").is_ok());
        for bad in ["", "yZRlqg", "yZRlqg=x", "a&b=c===", "AAAAAAAAAAAA"] {
            assert!(validate_crc32c(bad).is_err(), "{bad:?}");
        }
    }
}
