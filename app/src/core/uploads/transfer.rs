//! Uploads under way: signing parts, completing (multipart or a single
//! PUT), and cancelling. Only the owner of an upload may touch it; anyone
//! else is refused as if it did not exist.

use super::{MAX_SIGN, completion, records, rules, s3};
use crate::core::actions::AuditAction;
use crate::core::audit::{Outcome, format_ms};
use crate::core::db::models::{FileRecord, UploadRecord, Usecase};
use crate::core::db::text_enums::UploadStatus;
use crate::core::guard::{Guard, Services, Target};
use crate::core::principal::Principal;
use crate::core::{CoreError, new_id, now_ms, storage};
use crate::ids::{UploadId, UsecaseId};
use crate::model::{ObjectEntry, PartOffer, SentPart, SignedPart, StoredPart};
use crate::names::{BucketName, ObjectKey};

/// Loads one of the principal's own uploads and authorizes writing its key.
async fn own_upload(g: &Guard<'_>, upload_id: &UploadId) -> Result<(UploadRecord, Usecase, Target), CoreError> {
    let actor = g.actor().await?;
    let id = upload_id.to_owned();
    let record = g.services().db.run(move |c| records::load(c, &id)).await?;
    let Some(record) = record.filter(|r| r.owner_id == actor.user_id) else {
        let mut event = g.event();
        event.detail = format!("no upload {upload_id} of this user");
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Denied(format!("no upload {upload_id} of this user")));
    };
    let usecase = g.usecase(&record.usecase_id).await?;
    let target =
        Target::Object { usecase: usecase.clone(), bucket: record.bucket.clone(), key: record.object_key.clone() };
    g.authorize(&target).await?;
    Ok((record, usecase, target))
}

fn still_open(record: &UploadRecord) -> Result<(), CoreError> {
    match record.status {
        UploadStatus::Open => Ok(()),
        UploadStatus::Completed => Err(CoreError::Conflict("This upload has already finished.".into())),
        UploadStatus::Aborted => {
            Err(CoreError::Conflict("This upload was cancelled; pick the file again to start over.".into()))
        }
    }
}

/// Refuses a signing request for an upload that is not open, or for parts
/// it does not have, or with checksums that are not CRC32C.
fn check_part_offers(record: &UploadRecord, count: u32, parts: &[PartOffer]) -> Result<(), CoreError> {
    still_open(record)?;
    if parts.is_empty() || parts.len() > MAX_SIGN {
        return Err(CoreError::Invalid(format!("Ask for between 1 and {MAX_SIGN} parts at a time.")));
    }
    for p in parts {
        if p.number == 0 || p.number > count {
            return Err(CoreError::Invalid(format!("This upload has parts 1 to {count}, not {}.", p.number)));
        }
        rules::validate_crc32c(&p.crc32c)?;
    }
    Ok(())
}

/// Presigned UploadPart requests for a few parts, signed now so that none
/// expires during a long upload; each part's CRC32C is part of its signature.
pub async fn sign_parts(
    s: &Services,
    p: &Principal,
    upload_id: &UploadId,
    parts: Vec<PartOffer>,
) -> Result<Vec<SignedPart>, CoreError> {
    let g = Guard::new(s, p, AuditAction::SignParts);
    let (record, usecase, target) = own_upload(&g, upload_id).await?;
    let count = rules::part_count(record.size as u64, record.part_size as u64);
    if let Err(e) = check_part_offers(&record, count, &parts) {
        return Err(g.fail(&target, e).await);
    }
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        let mut signed = Vec::with_capacity(parts.len());
        for p in &parts {
            let request = s3::presign_part(&client, &record, p.number, &p.crc32c).await?;
            signed.push(SignedPart { number: p.number, request });
        }
        let id = record.id.clone();
        s.db.run(move |c| records::touch(c, &id)).await?;
        Ok(signed)
    }
    .await;
    g.finish(&target, result, |signed| {
        let numbers: Vec<String> = signed.iter().map(|p| p.number.to_string()).collect();
        format!("signed parts {} of {count}", numbers.join(", "))
    })
    .await
}

/// Completes a multipart upload once every part is on S3, checks that the
/// object has the file's size, and records the file.
pub async fn complete_multipart(
    s: &Services,
    p: &Principal,
    upload_id: &UploadId,
    parts: Vec<SentPart>,
) -> Result<ObjectEntry, CoreError> {
    let g = Guard::new(s, p, AuditAction::Upload);
    let (record, usecase, target) = own_upload(&g, upload_id).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        still_open(&record)?;
        let stored = check_parts(&record, s3::stored_parts(&client, &record).await?, &parts)?;
        let timeout = s.s3.settings().timeouts.completing(record.size as u64);
        let done = completion::complete(&client, &record, &stored, timeout).await?;
        let head = storage::head_object(&client, &record.bucket, &record.object_key).await?;
        if head.size != record.size {
            return Err(CoreError::Storage(format!(
                "S3 holds {} bytes for “{}” but the file has {}; upload it again.",
                head.size, record.object_key, record.size
            )));
        }
        let checksum = done.checksum.or(head.checksum);
        let arrived =
            Arrived { size: head.size, content_type: head.content_type, etag: done.etag, checksum: checksum.clone() };
        let entry = record_file(s, p, &usecase, &record.bucket, &record.object_key, arrived).await?;
        let id = record.id.clone();
        s.db.run(move |c| records::set_status(c, &id, UploadStatus::Completed)).await?;
        Ok((entry, stored.len(), checksum))
    }
    .await;
    let (entry, _, _) = g
        .finish(&target, result, |(e, n, sum)| {
            format!("{} bytes in {n} parts, {}", e.size, sum.as_deref().unwrap_or("no checksum reported"))
        })
        .await?;
    Ok(entry)
}

/// Matches what the browser says it sent against what S3 holds: every part
/// present, of the right size, with the ETag the browser saw.
fn check_parts(
    record: &UploadRecord,
    stored: Vec<StoredPart>,
    sent: &[SentPart],
) -> Result<Vec<StoredPart>, CoreError> {
    let (size, part_size) = (record.size as u64, record.part_size as u64);
    let count = rules::part_count(size, part_size);
    let stored: Vec<StoredPart> = stored.into_iter().filter(|p| p.number <= count).collect();
    let missing: Vec<String> =
        (1..=count).filter(|n| !stored.iter().any(|p| p.number == *n)).map(|n| n.to_string()).collect();
    if !missing.is_empty() {
        return Err(CoreError::Conflict(format!(
            "S3 does not have part(s) {} yet; resume the upload.",
            missing.join(", ")
        )));
    }
    for p in &stored {
        let expected = if p.number == count { size - part_size * (count as u64 - 1) } else { part_size };
        if p.size != expected {
            return Err(CoreError::Conflict(format!(
                "Part {} on S3 has {} bytes instead of {expected}; upload the file again.",
                p.number, p.size
            )));
        }
    }
    for sent in sent {
        if !stored.iter().any(|p| p.number == sent.number && p.etag == sent.etag.trim_matches('"')) {
            return Err(CoreError::Conflict(format!(
                "Part {} on S3 is not the one the browser sent; upload the file again.",
                sent.number
            )));
        }
    }
    Ok(stored)
}

/// What S3 says of an object that arrived.
struct Arrived {
    size: i64,
    content_type: String,
    etag: String,
    checksum: Option<String>,
}

/// Writes the record of an uploaded file, owned by the principal.
async fn record_file(
    s: &Services,
    p: &Principal,
    usecase: &Usecase,
    bucket: &str,
    key: &str,
    arrived: Arrived,
) -> Result<ObjectEntry, CoreError> {
    let record = FileRecord {
        id: new_id(),
        tenant_id: usecase.tenant_id.clone(),
        usecase_id: usecase.id.clone(),
        owner_id: p.actor.as_ref().map(|a| a.user_id.clone()).ok_or(CoreError::NotSignedIn)?,
        bucket: bucket.to_owned(),
        object_key: key.to_owned(),
        size: arrived.size,
        content_type: arrived.content_type,
        etag: arrived.etag,
        status: "uploaded".into(),
        created_at: now_ms(),
        checksum: arrived.checksum,
    };
    let entry = ObjectEntry {
        name: key.rsplit('/').next().unwrap_or(key).to_owned(),
        key: key.to_owned(),
        size: arrived.size,
        last_modified: Some(format_ms(record.created_at)),
        storage_class: None,
    };
    s.db.run(move |c| records::record_file(c, &record)).await?;
    Ok(entry)
}

/// Records a file sent in one piece after checking that it arrived.
pub async fn complete_single(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    key: &ObjectKey,
) -> Result<ObjectEntry, CoreError> {
    let g = Guard::new(s, p, AuditAction::Upload);
    let (usecase, target, _) = g.object(usecase_id, bucket, key).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        let head = storage::head_object(&client, bucket, key).await?;
        let sum = head.checksum.clone();
        let arrived =
            Arrived { size: head.size, content_type: head.content_type, etag: head.etag, checksum: head.checksum };
        Ok((record_file(s, p, &usecase, bucket, key, arrived).await?, sum))
    }
    .await;
    let (entry, _) = g
        .finish(&target, result, |(e, sum)| {
            format!("{} bytes in one piece, {}", e.size, sum.as_deref().unwrap_or("no checksum reported"))
        })
        .await?;
    Ok(entry)
}

/// Cancels a multipart upload: S3 drops the parts it holds at once.
pub async fn abort_upload(s: &Services, p: &Principal, upload_id: &UploadId) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::AbortUpload);
    let (record, usecase, target) = own_upload(&g, upload_id).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        if record.status == UploadStatus::Completed {
            return Err(CoreError::Conflict("This upload has already finished; delete the file instead.".into()));
        }
        s3::abort(&client, &record).await?;
        let id = record.id.clone();
        s.db.run(move |c| records::set_status(c, &id, UploadStatus::Aborted)).await
    }
    .await;
    g.finish(&target, result, |()| "cancelled; S3 dropped the parts".into()).await
}
