//! Starting uploads: the session's checks before any file is read, and the
//! plan of each file of a batch.

use super::{MAX_BATCH, MAX_OPEN_UPLOADS, records, rules, s3};
use crate::core::actions::AuditAction;
use crate::core::db::models::{UploadRecord, Usecase};
use crate::core::db::text_enums::UploadStatus;
use crate::core::guard::{Guard, Services, Target};
use crate::core::principal::Principal;
use crate::core::{CoreError, now_ms};
use crate::ids::{UploadId, UsecaseId};
use crate::model::{Conflict, FileOffer, FilePlan, UploadBatch, UploadLimits};
use crate::names::{BucketName, Prefix};
use std::collections::HashSet;

fn clean_content_type(raw: &str) -> String {
    Some(raw.trim())
        .filter(|t| !t.is_empty() && t.len() <= 255 && t.is_ascii() && !t.chars().any(|c| c.is_control()))
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// Starts an upload session into `prefix`: checks that the principal may
/// write there before any file is read, and says how to cut and pace it.
pub async fn begin(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    prefix: &Prefix,
    files: u32,
    bytes: u64,
) -> Result<UploadLimits, CoreError> {
    let g = Guard::new(s, p, AuditAction::BeginUpload);
    let (_, target, _) = g.object(usecase_id, bucket, prefix).await?;
    let limits = UploadLimits {
        multipart_threshold: s.config.multipart_threshold,
        concurrency: s.config.upload_concurrency,
        max_batch: MAX_BATCH as u32,
    };
    g.finish(&target, Ok(limits), |_| format!("{files} files, {bytes} bytes")).await
}

/// What a batch of files is to be uploaded into.
#[derive(Debug, Clone)]
pub struct BatchPlace {
    /// The usecase whose storage holds the bucket.
    pub usecase_id: UsecaseId,
    /// Bucket name.
    pub bucket: BucketName,
    /// Destination folder.
    pub prefix: Prefix,
    /// What to do when a name is taken.
    pub conflict: Conflict,
}

/// Plans the upload of up to 100 files: one presigned PUT for each small
/// file (its CRC32C signed in), a multipart upload for each large one —
/// resumed when the same file was started before and not finished. Every
/// file is checked and authorized before anything happens on S3, so one
/// bad name refuses the batch and changes nothing.
pub async fn plan_batch(
    s: &Services,
    p: &Principal,
    place: BatchPlace,
    files: Vec<FileOffer>,
) -> Result<UploadBatch, CoreError> {
    let g = Guard::new(s, p, AuditAction::StartUpload);
    // Someone dropping files sees nothing of the folder, so replaces nothing in it.
    let mut place = place;
    if p.actor.as_ref().is_some_and(|a| a.drop_into.is_some()) {
        place.conflict = Conflict::KeepBoth;
    }
    let usecase = g.usecase(&place.usecase_id).await?;
    let threshold = s.config.multipart_threshold;
    let keys = g.screened(checked_keys(&place.prefix, &files)).await?;
    let mut targets = Vec::with_capacity(files.len());
    for key in keys {
        let target = Target::Object { usecase: usecase.clone(), bucket: place.bucket.to_string(), key: key.clone() };
        g.authorize(&target).await?;
        targets.push((key, target));
    }
    let large = files.iter().filter(|f| f.size >= threshold).count() as i64;
    if large > 0 {
        let owner = g.actor().await?.user_id.clone();
        let open = s.db.run(move |c| records::count_open(c, &owner)).await?;
        if open + large > MAX_OPEN_UPLOADS {
            let refused = Err(CoreError::Conflict(format!(
                "You have {open} unfinished uploads and may have at most {MAX_OPEN_UPLOADS} at a time. Finish or \
                 cancel some first; idle ones are cleared within a day."
            )));
            return g.finish(&targets[0].1, refused, |_: &UploadBatch| String::new()).await;
        }
    }
    let client = g.s3(&targets[0].1, &usecase).await?;
    let planner = Planner { s, p, client: &client, usecase: &usecase, place: &place, threshold };
    let mut claimed = HashSet::new();
    let mut plans = Vec::with_capacity(files.len());
    for (file, (key, target)) in files.iter().zip(targets) {
        let result = planner.plan_file(&key, file, &mut claimed).await;
        let plan = g.finish(&target, result, |plan| describe(plan, file.size)).await?;
        plans.push(plan);
    }
    Ok(UploadBatch { concurrency: s.config.upload_concurrency, plans })
}

/// The keys of a batch of offered files, after every check that needs no S3:
/// a batch of 1 to `MAX_BATCH` files, each named once.
fn checked_keys(prefix: &Prefix, files: &[FileOffer]) -> Result<Vec<String>, CoreError> {
    if files.is_empty() || files.len() > MAX_BATCH {
        return Err(CoreError::Invalid(format!("Send between 1 and {MAX_BATCH} files at a time.")));
    }
    let mut named = HashSet::new();
    let mut keys = Vec::with_capacity(files.len());
    for f in files {
        let key = checked_key(prefix, f)?;
        if !named.insert(key.clone()) {
            return Err(CoreError::Invalid(format!(
                "“{}” is named twice in this batch; each file needs a path of its own.",
                f.path
            )));
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The key of an offered file, after every check that needs no S3.
fn checked_key(prefix: &Prefix, f: &FileOffer) -> Result<String, CoreError> {
    if f.path.ends_with('/') {
        return Err(CoreError::Invalid(format!("“{}” is a folder, not a file.", f.path)));
    }
    let key = prefix.join(&f.path).map_err(CoreError::Invalid)?.to_string();
    if f.size > rules::MAX_OBJECT {
        return Err(CoreError::Invalid(format!("“{}” is larger than 5 TiB, the most S3 stores.", f.path)));
    }
    // Optional for scripts: S3 then checks the length alone, which is signed in any case.
    if let Some(crc) = f.crc32c.as_deref() {
        rules::validate_crc32c(crc)?;
    }
    Ok(key)
}

fn describe(plan: &FilePlan, size: u64) -> String {
    match plan {
        FilePlan::Skip { .. } => "skipped: the key exists".to_owned(),
        FilePlan::Single(p) => format!("{size} bytes in one piece to {}", p.key),
        FilePlan::Multipart { key, part_count, stored, .. } if !stored.is_empty() => {
            format!("{size} bytes to {key}, resumed: {} of {part_count} parts stored", stored.len())
        }
        FilePlan::Multipart { key, part_count, .. } => format!("{size} bytes to {key} in {part_count} parts"),
    }
}

/// Plans the files of one batch.
struct Planner<'a> {
    s: &'a Services,
    p: &'a Principal,
    client: &'a aws_sdk_s3::Client,
    usecase: &'a Usecase,
    place: &'a BatchPlace,
    threshold: u64,
}

impl Planner<'_> {
    async fn plan_file(
        &self,
        key: &str,
        file: &FileOffer,
        claimed: &mut HashSet<String>,
    ) -> Result<FilePlan, CoreError> {
        let (client, bucket, conflict) = (self.client, self.place.bucket.as_str(), self.place.conflict);
        let content_type = clean_content_type(&file.content_type);
        if file.size < self.threshold {
            let Some(key) = s3::resolve_key(client, bucket, key, conflict, claimed).await? else {
                return Ok(FilePlan::Skip { key: key.to_owned() });
            };
            claimed.insert(key.clone());
            let crc = file.crc32c.as_deref();
            return Ok(FilePlan::Single(
                s3::presign_single(client, bucket, &key, &content_type, file.size, crc).await?,
            ));
        }
        if let Some(plan) = self.resume(key, file, claimed).await? {
            return Ok(plan);
        }
        let Some(object_key) = s3::resolve_key(client, bucket, key, conflict, claimed).await? else {
            return Ok(FilePlan::Skip { key: key.to_owned() });
        };
        claimed.insert(object_key.clone());
        let owner = self.p.actor.as_ref().map(|a| a.user_id.clone()).ok_or(CoreError::NotSignedIn)?;
        let s3_upload_id = s3::create(client, bucket, &object_key, &content_type).await?;
        let part_size = rules::part_size_for(file.size);
        let now = now_ms();
        let record = UploadRecord {
            id: UploadId::random(),
            tenant_id: self.usecase.tenant_id.clone(),
            usecase_id: self.usecase.id.clone(),
            owner_id: owner,
            bucket: bucket.to_owned(),
            requested_key: key.to_owned(),
            object_key: object_key.clone(),
            s3_upload_id,
            size: file.size as i64,
            part_size: part_size as i64,
            content_type,
            file_modified: file.modified,
            status: UploadStatus::Open,
            created_at: now,
            updated_at: now,
        };
        let upload_id = record.id.clone();
        self.s.db.run(move |c| records::open(c, &record)).await?;
        Ok(FilePlan::Multipart {
            key: object_key,
            upload_id,
            part_size,
            part_count: rules::part_count(file.size, part_size),
            stored: Vec::new(),
        })
    }

    /// The plan that continues this owner's unfinished upload of the same
    /// file, with the parts S3 already has; `None` when there is none.
    async fn resume(
        &self,
        key: &str,
        file: &FileOffer,
        claimed: &mut HashSet<String>,
    ) -> Result<Option<FilePlan>, CoreError> {
        let owner = self.p.actor.as_ref().map(|a| a.user_id.clone()).ok_or(CoreError::NotSignedIn)?;
        let (u, b, k) = (self.usecase.id.clone(), self.place.bucket.to_string(), key.to_owned());
        let (size, modified) = (file.size as i64, file.modified);
        let earlier = self.s.db.run(move |c| records::find_resumable(c, &owner, &u, &b, &k, size, modified)).await?;
        let Some(record) = earlier else { return Ok(None) };
        match s3::stored_parts(self.client, &record).await {
            Ok(stored) => {
                let count = rules::part_count(record.size as u64, record.part_size as u64);
                let id = record.id.clone();
                self.s.db.run(move |c| records::touch(c, &id)).await?;
                claimed.insert(record.object_key.clone());
                Ok(Some(FilePlan::Multipart {
                    key: record.object_key,
                    upload_id: record.id,
                    part_size: record.part_size as u64,
                    part_count: count,
                    stored: stored.into_iter().filter(|p| p.number <= count).collect(),
                }))
            }
            Err(CoreError::NotFound(_)) => {
                let id = record.id.clone();
                self.s.db.run(move |c| records::set_status(c, &id, UploadStatus::Aborted)).await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}
