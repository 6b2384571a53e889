//! CompleteMultipartUpload as S3 does it, which s3s-fs does not: the
//! answer starts at once and keeps the connection alive while the object is
//! assembled; assembling goes on when the client goes away; the object
//! appears whole or not at all (written beside, then renamed); the parts
//! are removed only once the object is in place; and a completion already
//! running is joined, never started twice.

use super::parts;
use super::paths::{internal_name, metadata_name, object_path};
use super::versions::{Keep, Versions};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use md5::Digest;
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Smallest part S3 accepts, except the last one.
const MIN_PART: u64 = 5 * 1024 * 1024;

/// What a completion ends with: the object's ETag, or the error to answer.
type Outcome = Result<String, (S3ErrorCode, String)>;
/// A completion under way, and the version id its object will have
/// (chosen at the start: the answer's headers go out before the object is whole).
type Running = (Shared<BoxFuture<'static, Outcome>>, Option<String>);

/// The completions running now, by upload id.
pub struct Completions {
    root: PathBuf,
    parts_dir: PathBuf,
    delay: Duration,
    versions: Arc<Versions>,
    running: Mutex<HashMap<Uuid, Running>>,
}

impl std::fmt::Debug for Completions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completions").field("root", &self.root).finish_non_exhaustive()
    }
}

/// One upload to assemble, checked and ready.
struct Job {
    upload_id: Uuid,
    bucket: String,
    key: String,
    object: PathBuf,
    parts: Vec<PathBuf>,
    etag: String,
    /// The new object's version id, in a bucket that keeps versions.
    version_id: Option<String>,
}

impl Completions {
    /// Completions of the uploads s3s-fs keeps under `root`; `delay` holds
    /// each assembly back that long (tests use it to make completion slow).
    /// `versions` keeps the object a completion replaces.
    pub fn new(root: PathBuf, parts_dir: PathBuf, delay: Duration, versions: Arc<Versions>) -> Self {
        Self { root, parts_dir, delay, versions, running: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Running>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers a CompleteMultipartUpload: errors found in the request come
    /// back at once; the assembly itself runs on its own task, joined by
    /// any later request for the same upload while it runs.
    pub async fn start(
        self: &Arc<Self>,
        input: CompleteMultipartUploadInput,
        access_key: Option<String>,
    ) -> S3Result<CompleteMultipartUploadOutput> {
        let upload_id = Uuid::parse_str(&input.upload_id).map_err(|_| s3_error!(NoSuchUpload))?;
        let (bucket, key) = (input.bucket.clone(), input.key.clone());
        let running = self.lock().get(&upload_id).cloned();
        let (outcome, version_id) = match running {
            Some(running) => running,
            None => {
                let mut job = self.check(&input, upload_id, access_key).await?;
                if !job.key.ends_with('/') && self.versions.enabled(&job.bucket).await {
                    job.version_id = Some(super::versions::new_id());
                }
                self.spawn(job)
            }
        };
        let future = async move {
            match outcome.await {
                Ok(etag) => Ok(CompleteMultipartUploadOutput {
                    bucket: Some(bucket),
                    key: Some(key),
                    e_tag: Some(ETag::Strong(etag)),
                    ..Default::default()
                }),
                Err((code, message)) => Err(S3Error::with_message(code, message)),
            }
        };
        Ok(CompleteMultipartUploadOutput { future: Some(Box::pin(future)), version_id, ..Default::default() })
    }

    fn spawn(self: &Arc<Self>, job: Job) -> Running {
        let mut running = self.lock();
        // Checked again under the lock: two requests may have passed the checks together.
        if let Some(outcome) = running.get(&job.upload_id) {
            return outcome.clone();
        }
        let (upload_id, version_id) = (job.upload_id, job.version_id.clone());
        let this = self.clone();
        // A task of its own, so that assembling goes on when the client goes away.
        let task = tokio::spawn(async move {
            let outcome = this.assemble(job).await;
            this.lock().remove(&upload_id);
            outcome
        });
        let outcome = async move {
            task.await.unwrap_or_else(|e| Err((S3ErrorCode::InternalError, format!("assembling stopped: {e}"))))
        }
        .boxed()
        .shared();
        running.insert(upload_id, (outcome.clone(), version_id.clone()));
        (outcome, version_id)
    }

    /// What S3 checks before it starts: the upload exists and is the
    /// caller's, parts come in order, each is stored with the ETag given,
    /// and all but the last are at least 5 MiB.
    async fn check(
        &self,
        input: &CompleteMultipartUploadInput,
        upload_id: Uuid,
        access_key: Option<String>,
    ) -> S3Result<Job> {
        let info = tokio::fs::read(self.root.join(format!(".upload-{upload_id}.json")))
            .await
            .map_err(|_| s3_error!(NoSuchUpload, "The specified upload does not exist."))?;
        let owner: Option<String> = serde_json::from_slice(&info).map_err(|e| s3_error!(e, InternalError))?;
        if owner != access_key {
            return Err(s3_error!(AccessDenied));
        }
        let object = object_path(&self.root, &input.bucket, &input.key)?;
        let requested = input.multipart_upload.as_ref().and_then(|m| m.parts.as_ref()).filter(|p| !p.is_empty());
        let requested = requested.ok_or_else(|| s3_error!(InvalidRequest, "You must specify at least one part"))?;
        let mut previous = 0;
        let mut paths = Vec::with_capacity(requested.len());
        let mut md5s = md5::Md5::new();
        for (i, part) in requested.iter().enumerate() {
            let number = part.part_number.unwrap_or(0);
            if number <= previous {
                return Err(s3_error!(InvalidPartOrder, "The list of parts was not in ascending order."));
            }
            previous = number;
            let path = self.root.join(format!(".upload_id-{upload_id}.part-{number}"));
            let size = tokio::fs::metadata(&path).await.map(|m| m.len()).map_err(|_| invalid_part(number))?;
            let (etag, _) =
                parts::sums(&path, &self.parts_dir, &upload_id, number).await.map_err(|_| invalid_part(number))?;
            let given = part.e_tag.as_ref().map(|e| e.value().trim_matches('"').to_owned());
            if given.is_some_and(|g| g != etag) {
                return Err(invalid_part(number));
            }
            if i + 1 < requested.len() && size < MIN_PART {
                return Err(s3_error!(EntityTooSmall, "Part {number} is smaller than 5 MiB."));
            }
            md5s.update(hex::decode(&etag).map_err(|_| invalid_part(number))?);
            paths.push(path);
        }
        let etag = format!("{}-{}", hex::encode(md5s.finalize()), paths.len());
        let (bucket, key) = (input.bucket.clone(), input.key.clone());
        Ok(Job { upload_id, bucket, key, object, parts: paths, etag, version_id: None })
    }

    async fn assemble(&self, job: Job) -> Outcome {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        // s3s-fs removes files of this pattern left by a crash when it starts.
        let tmp = self.root.join(format!(".tmp.complete-{}.internal.part", job.upload_id));
        let write = self.versions.begin_write(&job.bucket, &job.key, Keep::Link).await;
        let write =
            write.map_err(|e| (S3ErrorCode::InternalError, format!("The replaced object could not be kept: {e}")))?;
        let written = self.put_in_place(&job, &tmp).await;
        if let Some(w) = write
            && let Err(e) = w.finish(written.is_ok(), job.version_id.clone()).await
        {
            tracing::warn!(error = %e, key = job.key, "the versions of a completed upload could not be recorded");
        }
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            tracing::warn!(error = %e, key = job.key, "completing a multipart upload failed; the upload is kept");
            return Err((S3ErrorCode::InternalError, format!("The object could not be assembled: {e}")));
        }
        // Only now is the upload over: forget it, then drop its parts.
        let id = job.upload_id;
        let _ = tokio::fs::remove_file(self.root.join(format!(".upload-{id}.json"))).await;
        for part in &job.parts {
            let _ = tokio::fs::remove_file(part).await;
        }
        parts::forget(&self.parts_dir, &id.to_string()).await;
        Ok(job.etag)
    }

    /// Writes the object beside its place, then renames it there with its
    /// metadata, so that it appears whole or not at all.
    async fn put_in_place(&self, job: &Job, tmp: &Path) -> std::io::Result<()> {
        let (sources, dest) = (job.parts.clone(), tmp.to_owned());
        tokio::task::spawn_blocking(move || concatenate(&dest, &sources)).await.map_err(std::io::Error::other)??;
        let attributes = self.root.join(metadata_name(&job.bucket, &job.key, Some(job.upload_id)));
        let object_attributes = self.root.join(metadata_name(&job.bucket, &job.key, None));
        match tokio::fs::rename(&attributes, &object_attributes).await {
            Ok(()) => {}
            // No attributes were given at the start: the old object's must not stay.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let _ = tokio::fs::remove_file(&object_attributes).await;
            }
            Err(e) => return Err(e),
        }
        let info = serde_json::json!({ "e_tag": job.etag }).to_string();
        let info_path = self.root.join(internal_name(&job.bucket, &job.key));
        let info_tmp = self.root.join(format!(".tmp.info-{}.internal.part", job.upload_id));
        tokio::fs::write(&info_tmp, info).await?;
        tokio::fs::rename(&info_tmp, &info_path).await?;
        if let Some(dir) = job.object.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(tmp, &job.object).await
    }
}

fn invalid_part(number: i32) -> S3Error {
    s3_error!(InvalidPart, "Part {number} could not be found, or its ETag does not match.")
}

/// Copies the parts one after the other into `dest` (the kernel copies
/// file to file) and waits until the bytes are on disk.
fn concatenate(dest: &Path, sources: &[PathBuf]) -> std::io::Result<()> {
    let mut out = std::fs::File::create(dest)?;
    for source in sources {
        std::io::copy(&mut std::fs::File::open(source)?, &mut out)?;
    }
    out.sync_all()
}
