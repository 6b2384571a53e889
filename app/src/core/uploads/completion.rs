//! Completing a multipart upload so that it is never cut short and never
//! lost: a time limit that grows with the file, and when an attempt fails
//! or its answer is lost, asking S3 what happened before reporting anything.

use super::s3::stored_parts;
use crate::core::CoreError;
use crate::core::db::models::UploadRecord;
use crate::core::storage::head_object;
use crate::model::StoredPart;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::time::Duration;

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
