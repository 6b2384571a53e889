//! Uploads straight from the browser to S3: plans for batches of files,
//! part URLs signed just before use, completion, and cancellation.
//! The bytes never pass through the portal.

use crate::error::AppError;
use crate::model::{Conflict, FileOffer, ObjectEntry, PartOffer, SentPart, SignedPart, UploadBatch, UploadLimits};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context::{Ctx, Target};
#[cfg(feature = "ssr")]
use crate::core::authz::Action;
#[cfg(feature = "ssr")]
use crate::core::db::models::{FileRecord, UploadRecord, Usecase};
#[cfg(feature = "ssr")]
use crate::core::{CoreError, new_id, now_ms, storage, uploads};
#[cfg(feature = "ssr")]
use crate::model::{FilePlan, StoredPart};

/// Most files planned in one call.
pub const MAX_BATCH: usize = 100;
/// Most parts signed in one call.
pub const MAX_SIGN: usize = 32;

#[cfg(feature = "ssr")]
fn clean_content_type(raw: &str) -> String {
    Some(raw.trim())
        .filter(|t| !t.is_empty() && t.len() <= 255 && t.is_ascii() && !t.chars().any(|c| c.is_control()))
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// Starts an upload session into `prefix`: checks that the user may write
/// there before any file is read, records what is about to be sent, and
/// tells the browser how to cut and pace it.
#[server(endpoint = "begin_upload")]
pub async fn begin_upload(
    usecase_id: String,
    bucket: String,
    prefix: String,
    files: u32,
    bytes: u64,
) -> Result<UploadLimits, AppError> {
    const ACTION: &str = "object.upload.begin";
    let cx = Ctx::load().await?;
    let usecase = cx.usecase(ACTION, &usecase_id).await?;
    storage::validate_prefix(&prefix)?;
    let target = Target::Object { usecase, bucket, key: prefix };
    cx.authorize(ACTION, Action::WriteObject, &target).await?;
    let limits = UploadLimits {
        multipart_threshold: cx.state.config.multipart_threshold,
        concurrency: cx.state.config.upload_concurrency,
        max_batch: MAX_BATCH as u32,
    };
    cx.finish(ACTION, &target, Ok(limits), |_| format!("{files} files, {bytes} bytes")).await
}

/// Plans the upload of up to 100 files into `prefix`: one presigned PUT for
/// each small file (its CRC32C signed in), a multipart upload for each large
/// one — resumed when the same file was started before and not finished.
#[server(endpoint = "batch_upload_urls", input = Json)]
pub async fn batch_upload_urls(
    usecase_id: String,
    bucket: String,
    prefix: String,
    conflict: Conflict,
    files: Vec<FileOffer>,
) -> Result<UploadBatch, AppError> {
    const ACTION: &str = "object.upload.start";
    let cx = Ctx::load().await?;
    let usecase = cx.usecase(ACTION, &usecase_id).await?;
    storage::validate_prefix(&prefix)?;
    if files.is_empty() || files.len() > MAX_BATCH {
        return Err(AppError::Invalid(format!("Send between 1 and {MAX_BATCH} files at a time.")));
    }
    let threshold = cx.state.config.multipart_threshold;
    // Every file is checked and authorized before anything happens on S3,
    // so one bad name refuses the batch and changes nothing.
    let mut targets = Vec::with_capacity(files.len());
    for f in &files {
        if f.path.ends_with('/') {
            return Err(AppError::Invalid(format!("“{}” is a folder, not a file.", f.path)));
        }
        let key = format!("{prefix}{}", f.path);
        storage::validate_key(&key)?;
        if f.size > uploads::MAX_OBJECT {
            return Err(AppError::Invalid(format!("“{}” is larger than 5 TiB, the most S3 stores.", f.path)));
        }
        if f.size < threshold {
            let crc = f.crc32c.as_deref().ok_or_else(|| {
                AppError::Invalid(format!("“{}” needs its CRC32C checksum to be uploaded in one piece.", f.path))
            })?;
            uploads::validate_crc32c(crc)?;
        }
        let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: key.clone() };
        cx.authorize(ACTION, Action::WriteObject, &target).await?;
        targets.push((key, target));
    }
    let client = cx.s3(ACTION, &targets[0].1, &usecase).await?;
    let mut claimed = std::collections::HashSet::new();
    let mut plans = Vec::with_capacity(files.len());
    for (file, (key, target)) in files.iter().zip(targets) {
        let result = plan_file(&cx, &client, &usecase, &bucket, &key, file, conflict, threshold, &mut claimed).await;
        let plan = cx
            .finish(ACTION, &target, result, |plan| match plan {
                FilePlan::Skip { .. } => "skipped: the key exists".to_owned(),
                FilePlan::Single(p) => format!("{} bytes in one piece to {}", file.size, p.key),
                FilePlan::Multipart { key, part_count, stored, .. } if !stored.is_empty() => {
                    format!("{} bytes to {key}, resumed: {} of {part_count} parts stored", file.size, stored.len())
                }
                FilePlan::Multipart { key, part_count, .. } => {
                    format!("{} bytes to {key} in {part_count} parts", file.size)
                }
            })
            .await?;
        plans.push(plan);
    }
    Ok(UploadBatch { concurrency: cx.state.config.upload_concurrency, plans })
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
async fn plan_file(
    cx: &Ctx,
    client: &aws_sdk_s3::Client,
    usecase: &Usecase,
    bucket: &str,
    key: &str,
    file: &FileOffer,
    conflict: Conflict,
    threshold: u64,
    claimed: &mut std::collections::HashSet<String>,
) -> Result<FilePlan, CoreError> {
    let content_type = clean_content_type(&file.content_type);
    if file.size < threshold {
        let Some(key) = uploads::resolve_key(client, bucket, key, conflict, claimed).await? else {
            return Ok(FilePlan::Skip { key: key.to_owned() });
        };
        claimed.insert(key.clone());
        let crc = file.crc32c.as_deref().unwrap_or_default();
        return Ok(FilePlan::Single(uploads::presign_single(client, bucket, &key, &content_type, crc).await?));
    }
    let owner = cx.actor().map(|a| a.user_id.clone()).ok_or(CoreError::NotSignedIn)?;
    let (o, u, b, k, size, modified) =
        (owner.clone(), usecase.id.clone(), bucket.to_owned(), key.to_owned(), file.size as i64, file.modified);
    let earlier = cx.state.db.run(move |c| uploads::find_resumable(c, &o, &u, &b, &k, size, modified)).await?;
    if let Some(record) = earlier {
        match uploads::stored_parts(client, &record).await {
            Ok(stored) => {
                let count = uploads::part_count(record.size as u64, record.part_size as u64);
                let id = record.id.clone();
                cx.state.db.run(move |c| uploads::touch(c, &id)).await?;
                claimed.insert(record.object_key.clone());
                return Ok(FilePlan::Multipart {
                    key: record.object_key,
                    upload_id: record.id,
                    part_size: record.part_size as u64,
                    part_count: count,
                    stored: stored.into_iter().filter(|p| p.number <= count).collect(),
                });
            }
            Err(CoreError::NotFound(_)) => {
                let id = record.id.clone();
                cx.state.db.run(move |c| uploads::set_status(c, &id, "aborted")).await?;
            }
            Err(e) => return Err(e),
        }
    }
    let Some(object_key) = uploads::resolve_key(client, bucket, key, conflict, claimed).await? else {
        return Ok(FilePlan::Skip { key: key.to_owned() });
    };
    claimed.insert(object_key.clone());
    let s3_upload_id = uploads::create(client, bucket, &object_key, &content_type).await?;
    let part_size = uploads::part_size_for(file.size);
    let now = now_ms();
    let record = UploadRecord {
        id: new_id(),
        tenant_id: usecase.tenant_id.clone(),
        usecase_id: usecase.id.clone(),
        owner_id: owner,
        bucket: bucket.to_owned(),
        requested_key: key.to_owned(),
        object_key: object_key.clone(),
        s3_upload_id,
        size: file.size as i64,
        part_size: part_size as i64,
        content_type,
        file_modified: file.modified,
        status: "open".into(),
        created_at: now,
        updated_at: now,
    };
    let upload_id = record.id.clone();
    cx.state.db.run(move |c| uploads::open(c, &record)).await?;
    Ok(FilePlan::Multipart {
        key: object_key,
        upload_id,
        part_size,
        part_count: uploads::part_count(file.size, part_size),
        stored: Vec::new(),
    })
}

/// Loads one of the actor's own open uploads and authorizes `action` on its
/// key. Someone else's upload is refused like one that does not exist.
#[cfg(feature = "ssr")]
async fn own_upload(cx: &Ctx, name: &str, upload_id: &str) -> Result<(UploadRecord, Usecase, Target), AppError> {
    let actor = cx.require_actor(name).await?;
    let id = upload_id.to_owned();
    let record = cx.state.db.run(move |c| uploads::load(c, &id)).await?;
    let Some(record) = record.filter(|r| r.owner_id == actor.user_id) else {
        let mut event = cx.event(name);
        event.detail = format!("no upload {upload_id} of this user");
        cx.audit(event, crate::core::audit::Outcome::Denied).await;
        return Err(AppError::Denied);
    };
    let usecase = cx.usecase(name, &record.usecase_id).await?;
    let target =
        Target::Object { usecase: usecase.clone(), bucket: record.bucket.clone(), key: record.object_key.clone() };
    cx.authorize(name, Action::WriteObject, &target).await?;
    Ok((record, usecase, target))
}

#[cfg(feature = "ssr")]
fn still_open(record: &UploadRecord) -> Result<(), CoreError> {
    match record.status.as_str() {
        "open" => Ok(()),
        "completed" => Err(CoreError::Conflict("This upload has already finished.".into())),
        _ => Err(CoreError::Conflict("This upload was cancelled; pick the file again to start over.".into())),
    }
}

/// Refuses a signing request for an upload that is not open, or for parts
/// it does not have, or with checksums that are not CRC32C.
#[cfg(feature = "ssr")]
fn check_part_offers(record: &UploadRecord, count: u32, parts: &[PartOffer]) -> Result<(), CoreError> {
    still_open(record)?;
    if parts.is_empty() || parts.len() > MAX_SIGN {
        return Err(CoreError::Invalid(format!("Ask for between 1 and {MAX_SIGN} parts at a time.")));
    }
    for p in parts {
        if p.number == 0 || p.number > count {
            return Err(CoreError::Invalid(format!("This upload has parts 1 to {count}, not {}.", p.number)));
        }
        uploads::validate_crc32c(&p.crc32c)?;
    }
    Ok(())
}

/// Presigned UploadPart requests for a few parts, signed now so that none
/// expires during a long upload; each part's CRC32C is part of its signature.
#[server(endpoint = "sign_parts", input = Json)]
pub async fn sign_parts(upload_id: String, parts: Vec<PartOffer>) -> Result<Vec<SignedPart>, AppError> {
    const ACTION: &str = "object.upload.parts";
    let cx = Ctx::load().await?;
    let (record, usecase, target) = own_upload(&cx, ACTION, &upload_id).await?;
    let count = uploads::part_count(record.size as u64, record.part_size as u64);
    if let Err(e) = check_part_offers(&record, count, &parts) {
        return Err(cx.fail(ACTION, &target, e).await);
    }
    let client = cx.s3(ACTION, &target, &usecase).await?;
    let result = async {
        let mut signed = Vec::with_capacity(parts.len());
        for p in &parts {
            let request = uploads::presign_part(&client, &record, p.number, &p.crc32c).await?;
            signed.push(SignedPart { number: p.number, request });
        }
        let id = record.id.clone();
        cx.state.db.run(move |c| uploads::touch(c, &id)).await?;
        Ok(signed)
    }
    .await;
    cx.finish(ACTION, &target, result, |s| {
        let numbers: Vec<String> = s.iter().map(|p| p.number.to_string()).collect();
        format!("signed parts {} of {count}", numbers.join(", "))
    })
    .await
}

/// Completes a multipart upload once every part is on S3, checks that the
/// object has the file's size, and records the file.
#[server(endpoint = "complete_multipart", input = Json)]
pub async fn complete_multipart(upload_id: String, parts: Vec<SentPart>) -> Result<ObjectEntry, AppError> {
    const ACTION: &str = "object.upload";
    let cx = Ctx::load().await?;
    let (record, usecase, target) = own_upload(&cx, ACTION, &upload_id).await?;
    let client = cx.s3(ACTION, &target, &usecase).await?;
    let result = async {
        still_open(&record)?;
        let stored = uploads::stored_parts(&client, &record).await?;
        let stored = check_parts(&record, stored, &parts)?;
        let timeout = cx.state.s3.settings().timeouts.completing(record.size as u64);
        let done = uploads::complete(&client, &record, &stored, timeout).await?;
        let head = storage::head_object(&client, &record.bucket, &record.object_key).await?;
        if head.size != record.size {
            return Err(CoreError::Storage(format!(
                "S3 holds {} bytes for “{}” but the file has {}; upload it again.",
                head.size, record.object_key, record.size
            )));
        }
        let checksum = done.checksum.or(head.checksum);
        let entry = record_file(
            &cx,
            &usecase,
            &record.bucket,
            &record.object_key,
            head.size,
            head.content_type,
            done.etag,
            checksum.clone(),
        )
        .await?;
        let id = record.id.clone();
        cx.state.db.run(move |c| uploads::set_status(c, &id, "completed")).await?;
        Ok((entry, stored.len(), checksum))
    }
    .await;
    let (entry, _, _) = cx
        .finish(ACTION, &target, result, |(e, n, sum)| {
            format!("{} bytes in {n} parts, {}", e.size, sum.as_deref().unwrap_or("no checksum reported"))
        })
        .await?;
    Ok(entry)
}

/// Matches what the browser says it sent against what S3 holds: every part
/// present, of the right size, with the ETag the browser saw.
#[cfg(feature = "ssr")]
fn check_parts(
    record: &UploadRecord,
    stored: Vec<StoredPart>,
    sent: &[SentPart],
) -> Result<Vec<StoredPart>, CoreError> {
    let (size, part_size) = (record.size as u64, record.part_size as u64);
    let count = uploads::part_count(size, part_size);
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
    for s in sent {
        match stored.iter().find(|p| p.number == s.number) {
            Some(p) if p.etag == s.etag.trim_matches('"') => {}
            _ => {
                return Err(CoreError::Conflict(format!(
                    "Part {} on S3 is not the one the browser sent; upload the file again.",
                    s.number
                )));
            }
        }
    }
    Ok(stored)
}

/// Writes the record of an uploaded file.
#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
async fn record_file(
    cx: &Ctx,
    usecase: &Usecase,
    bucket: &str,
    key: &str,
    size: i64,
    content_type: String,
    etag: String,
    checksum: Option<String>,
) -> Result<ObjectEntry, CoreError> {
    let record = FileRecord {
        id: new_id(),
        tenant_id: usecase.tenant_id.clone(),
        usecase_id: usecase.id.clone(),
        owner_id: cx.actor().map(|a| a.user_id.clone()).ok_or(CoreError::NotSignedIn)?,
        bucket: bucket.to_owned(),
        object_key: key.to_owned(),
        size,
        content_type,
        etag,
        status: "uploaded".into(),
        created_at: now_ms(),
        checksum,
    };
    let entry = ObjectEntry {
        name: key.rsplit('/').next().unwrap_or(key).to_owned(),
        key: key.to_owned(),
        size,
        last_modified: Some(crate::core::audit::format_ms(record.created_at)),
    };
    cx.state.db.run(move |c| uploads::record_file(c, &record)).await?;
    Ok(entry)
}

/// Records a file sent in one piece after checking that it arrived.
#[server(endpoint = "complete_upload")]
pub async fn complete_upload(usecase_id: String, bucket: String, key: String) -> Result<ObjectEntry, AppError> {
    const ACTION: &str = "object.upload";
    let cx = Ctx::load().await?;
    let usecase = cx.usecase(ACTION, &usecase_id).await?;
    storage::validate_key(&key)?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: key.clone() };
    cx.authorize(ACTION, Action::WriteObject, &target).await?;
    let client = cx.s3(ACTION, &target, &usecase).await?;
    let result = async {
        let head = storage::head_object(&client, &bucket, &key).await?;
        let sum = head.checksum.clone();
        let entry =
            record_file(&cx, &usecase, &bucket, &key, head.size, head.content_type, head.etag, head.checksum).await?;
        Ok((entry, sum))
    }
    .await;
    let (entry, _) = cx
        .finish(ACTION, &target, result, |(e, sum)| {
            format!("{} bytes in one piece, {}", e.size, sum.as_deref().unwrap_or("no checksum reported"))
        })
        .await?;
    Ok(entry)
}

/// Cancels a multipart upload: S3 drops the parts it holds at once.
#[server(endpoint = "abort_upload")]
pub async fn abort_upload(upload_id: String) -> Result<(), AppError> {
    const ACTION: &str = "object.upload.abort";
    let cx = Ctx::load().await?;
    let (record, usecase, target) = own_upload(&cx, ACTION, &upload_id).await?;
    let client = cx.s3(ACTION, &target, &usecase).await?;
    let result = async {
        if record.status == "completed" {
            return Err(CoreError::Conflict("This upload has already finished; delete the file instead.".into()));
        }
        uploads::abort(&client, &record).await?;
        let id = record.id.clone();
        cx.state.db.run(move |c| uploads::set_status(c, &id, "aborted")).await
    }
    .await;
    cx.finish(ACTION, &target, result, |()| "cancelled; S3 dropped the parts".into()).await
}
