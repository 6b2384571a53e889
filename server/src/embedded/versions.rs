//! Object versions, which s3s-fs does not keep. In a bucket whose
//! versioning is Enabled, the current object stays where s3s-fs keeps it;
//! each key has a history (newest first) of its versions and delete
//! markers, and the bytes of older versions are kept as objects of the
//! hidden store `.versions`, which is no valid bucket name and so is never
//! listed nor reachable by a request. Changes to one key are serialized.

use super::paths::{internal_name, metadata_name, object_path};
use super::settings::{BucketSettings, VERSIONING};
use s3s::dto::VersioningConfiguration;
use s3s::{S3Result, s3_error};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::OwnedMutexGuard;

/// The hidden store of older versions, beside the buckets.
pub const ARCHIVE: &str = ".versions";
/// The id S3 gives an object written before versioning was enabled.
pub const NULL_ID: &str = "null";

/// One version of a key, or a delete marker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    /// The version id.
    pub id: String,
    /// A delete marker rather than content.
    pub marker: bool,
    /// When it was written, in milliseconds since the epoch.
    pub at_ms: i64,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, without quotes.
    pub etag: String,
}

/// Every version of one key, newest first.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct History {
    /// The key, exactly as S3 names it.
    pub key: String,
    /// Newest first; the first is the latest.
    pub versions: Vec<Version>,
}

impl History {
    /// The id of the current object's version: the latest, unless it is a delete marker.
    pub fn current(&self) -> Option<&Version> {
        self.versions.first().filter(|v| !v.marker)
    }
}

/// How a write keeps the object it replaces: linked (the writer replaces
/// the files by renaming new ones over them) or moved away (the writer
/// writes into the files themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Hard links to the same bytes.
    Link,
    /// The files themselves, moved.
    Move,
}

/// Where a version's bytes are to be read.
#[derive(Debug)]
pub enum Located {
    /// The current object, with its version id if it has one.
    Current(Option<String>),
    /// An older version: the key in the hidden store, and its id.
    Archived(String, String),
}

/// The lock of one key, alive while someone holds or waits for it.
type KeyLock = Weak<tokio::sync::Mutex<()>>;

/// The versions of every key of the endpoint.
#[derive(Debug)]
pub struct Versions {
    root: PathBuf,
    settings: Arc<BucketSettings>,
    locks: Mutex<HashMap<(String, String), KeyLock>>,
    /// Whether each bucket asked about keeps versions.
    enabled: Mutex<HashMap<String, bool>>,
}

fn io(e: std::io::Error) -> s3s::S3Error {
    s3_error!(e, InternalError)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// A new version id.
pub fn new_id() -> String {
    // Time first, so that ids of one key sort as they were made.
    format!("{:013x}{}", now_ms(), uuid::Uuid::new_v4().simple())
}

/// The object's bytes and its two sidecar files.
fn files(root: &Path, bucket: &str, key: &str) -> S3Result<[PathBuf; 3]> {
    Ok([
        object_path(root, bucket, key)?,
        root.join(metadata_name(bucket, key, None)),
        root.join(internal_name(bucket, key)),
    ])
}

/// Links or moves the three files of one object onto another's; a sidecar
/// missing at the source is removed at the destination.
async fn transfer(from: &[PathBuf; 3], to: &[PathBuf; 3], keep: Keep) -> S3Result<()> {
    for (source, dest) in from.iter().zip(to) {
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let _ = tokio::fs::remove_file(dest).await;
        let done = match keep {
            Keep::Link => tokio::fs::hard_link(source, dest).await,
            Keep::Move => tokio::fs::rename(source, dest).await,
        };
        match done {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    Ok(())
}

async fn remove(files: &[PathBuf; 3]) {
    for f in files {
        let _ = tokio::fs::remove_file(f).await;
    }
}

impl Versions {
    /// Versions of the objects under `root`, following each bucket's setting.
    pub fn new(root: PathBuf, settings: Arc<BucketSettings>) -> Self {
        Self { root, settings, locks: Mutex::default(), enabled: Mutex::default() }
    }

    /// Whether `bucket` keeps versions. Every read and write asks, so the
    /// answer is kept in memory until the setting changes (`forget_setting`).
    pub async fn enabled(&self, bucket: &str) -> bool {
        let known = self.enabled.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(bucket).copied();
        if let Some(on) = known {
            return on;
        }
        let stored: Option<VersioningConfiguration> = self.settings.get_xml(bucket, VERSIONING).await.ok().flatten();
        let on = stored.and_then(|v| v.status).is_some_and(|s| s.as_str() == "Enabled");
        self.enabled.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(bucket.to_owned(), on);
        on
    }

    /// Forgets what `bucket`'s versioning setting was, after it changed or the bucket went.
    pub fn forget_setting(&self, bucket: &str) {
        self.enabled.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(bucket);
    }

    async fn lock(&self, bucket: &str, key: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let id = (bucket.to_owned(), key.to_owned());
            match locks.get(&id).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    if locks.len() > 1024 {
                        locks.retain(|_, l| l.strong_count() > 0);
                    }
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(id, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }

    fn key_dir(&self, bucket: &str, key: &str) -> String {
        format!("{bucket}/{}", hex::encode(sha2::Sha256::digest(key.as_bytes())))
    }

    /// The key in the hidden store of one older version.
    pub fn archive_key(&self, bucket: &str, key: &str, id: &str) -> String {
        format!("{}/{id}", self.key_dir(bucket, key))
    }

    fn archived(&self, bucket: &str, key: &str, id: &str) -> S3Result<[PathBuf; 3]> {
        files(&self.root, ARCHIVE, &self.archive_key(bucket, key, id))
    }

    fn history_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.root.join(ARCHIVE).join(self.key_dir(bucket, key)).join("history.json")
    }

    /// The history of `key`; empty when it has none.
    pub async fn load(&self, bucket: &str, key: &str) -> S3Result<History> {
        match tokio::fs::read(self.history_path(bucket, key)).await {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| s3_error!(InternalError, "unreadable history: {e}"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History { key: key.to_owned(), versions: vec![] }),
            Err(e) => Err(io(e)),
        }
    }

    async fn save(&self, bucket: &str, key: &str, history: &History) -> S3Result<()> {
        let path = self.history_path(bucket, key);
        if history.versions.is_empty() {
            let _ = tokio::fs::remove_file(&path).await;
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        // Written beside, then renamed, so that a crash never leaves half a history.
        let tmp = path.with_extension(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&tmp, serde_json::to_vec(history).map_err(|e| s3_error!(e, InternalError))?)
            .await
            .map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)
    }

    /// What the files of the current object say of it, as version `id`.
    async fn stat(&self, bucket: &str, key: &str, id: String) -> S3Result<Version> {
        let [body, _, internal] = files(&self.root, bucket, key)?;
        let meta = tokio::fs::metadata(&body).await.map_err(io)?;
        let at_ms =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_millis() as i64);
        let etag = match tokio::fs::read(&internal).await {
            Ok(bytes) => serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("e_tag").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(Version { id, marker: false, at_ms, size: meta.len(), etag })
    }

    /// The current object's version in `history`: the latest, or one
    /// written before versioning began, which is recorded now as `null`.
    async fn current_id(&self, bucket: &str, key: &str, history: &mut History) -> S3Result<Option<String>> {
        if !tokio::fs::try_exists(object_path(&self.root, bucket, key)?).await.unwrap_or(false) {
            return Ok(None);
        }
        if let Some(v) = history.current() {
            return Ok(Some(v.id.clone()));
        }
        // A later null version replaces an earlier one, as in S3.
        if history.versions.iter().any(|v| v.id == NULL_ID) {
            remove(&self.archived(bucket, key, NULL_ID)?).await;
            history.versions.retain(|v| v.id != NULL_ID);
        }
        let v = self.stat(bucket, key, NULL_ID.to_owned()).await?;
        history.versions.insert(0, v);
        Ok(Some(NULL_ID.to_owned()))
    }

    /// Begins replacing `key`: keeps the current object as an older
    /// version and holds the key until the write is finished. `None` where
    /// the bucket keeps no versions (or the key is a folder marker).
    pub async fn begin_write(self: &Arc<Self>, bucket: &str, key: &str, keep: Keep) -> S3Result<Option<Write>> {
        if key.ends_with('/') || !self.enabled(bucket).await {
            return Ok(None);
        }
        let lock = self.lock(bucket, key).await;
        let mut history = self.load(bucket, key).await?;
        let kept = match self.current_id(bucket, key, &mut history).await? {
            Some(id) => {
                transfer(&files(&self.root, bucket, key)?, &self.archived(bucket, key, &id)?, keep).await?;
                Some(id)
            }
            None => None,
        };
        let versions = self.clone();
        Ok(Some(Write { _lock: lock, versions, bucket: bucket.to_owned(), key: key.to_owned(), history, kept, keep }))
    }

    /// Deletes `key` (a delete marker) or one version of it. `None` where
    /// the bucket keeps no versions: the plain store deletes. Otherwise the
    /// version id the delete concerned, and whether it was a delete marker.
    pub async fn delete(&self, bucket: &str, key: &str, version: Option<&str>) -> S3Result<Option<(String, bool)>> {
        if version.is_none() && (key.ends_with('/') || !self.enabled(bucket).await) {
            return Ok(None);
        }
        let _lock = self.lock(bucket, key).await;
        let mut history = self.load(bucket, key).await?;
        let current = files(&self.root, bucket, key)?;
        let Some(version) = version else {
            match self.current_id(bucket, key, &mut history).await? {
                Some(id) => transfer(&current, &self.archived(bucket, key, &id)?, Keep::Move).await?,
                None if history.versions.is_empty() => return Ok(None),
                None => {}
            }
            let marker = Version { id: new_id(), marker: true, at_ms: now_ms(), size: 0, etag: String::new() };
            let id = marker.id.clone();
            history.versions.insert(0, marker);
            self.save(bucket, key, &history).await?;
            return Ok(Some((id, true)));
        };
        let Some(pos) = history.versions.iter().position(|v| v.id == version) else {
            // The null version of an object written before versioning began.
            if version == NULL_ID && history.current().is_none() {
                remove(&current).await;
            }
            return Ok(Some((version.to_owned(), false)));
        };
        let gone = history.versions.remove(pos);
        if pos == 0 {
            if !gone.marker {
                remove(&current).await;
            }
            // The version below becomes the current object again.
            if let Some(next) = history.current() {
                transfer(&self.archived(bucket, key, &next.id)?, &current, Keep::Move).await?;
            }
        } else if !gone.marker {
            remove(&self.archived(bucket, key, &gone.id)?).await;
        }
        self.save(bucket, key, &history).await?;
        Ok(Some((gone.id, gone.marker)))
    }

    /// Where version `version` of `key` is read from; the latest without one.
    pub async fn locate(&self, bucket: &str, key: &str, version: Option<&str>) -> S3Result<Located> {
        let history = self.load(bucket, key).await?;
        let Some(version) = version else {
            return Ok(Located::Current(history.current().map(|v| v.id.clone())));
        };
        match history.versions.iter().position(|v| v.id == version) {
            Some(0) if !history.versions[0].marker => Ok(Located::Current(Some(version.to_owned()))),
            Some(pos) if history.versions[pos].marker => {
                Err(s3_error!(MethodNotAllowed, "The specified version is a delete marker."))
            }
            Some(_) => Ok(Located::Archived(self.archive_key(bucket, key, version), version.to_owned())),
            None if version == NULL_ID && history.current().is_none() => Ok(Located::Current(Some(NULL_ID.to_owned()))),
            None => Err(s3_error!(NoSuchVersion, "The specified version does not exist.")),
        }
    }

    /// Every history of `bucket` whose key starts with `prefix`.
    pub async fn histories(&self, bucket: &str, prefix: &str) -> S3Result<Vec<History>> {
        let mut found = Vec::new();
        let dir = self.root.join(ARCHIVE).join(bucket);
        let mut keys = match tokio::fs::read_dir(&dir).await {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(io(e)),
        };
        while let Some(entry) = keys.next_entry().await.map_err(io)? {
            let Ok(bytes) = tokio::fs::read(entry.path().join("history.json")).await else { continue };
            let Ok(history) = serde_json::from_slice::<History>(&bytes) else { continue };
            if history.key.starts_with(prefix) && !history.versions.is_empty() {
                found.push(history);
            }
        }
        Ok(found)
    }

    /// Forgets every version of a deleted bucket.
    pub async fn forget_bucket(&self, bucket: &str) {
        self.forget_setting(bucket);
        for history in self.histories(bucket, "").await.unwrap_or_default() {
            for v in history.versions.iter().filter(|v| !v.marker) {
                if let Ok(files) = self.archived(bucket, &history.key, &v.id) {
                    remove(&files).await;
                }
            }
        }
        let _ = tokio::fs::remove_dir_all(self.root.join(ARCHIVE).join(bucket)).await;
    }
}

/// A write of one key under way: the key is held until it ends.
pub struct Write {
    _lock: OwnedMutexGuard<()>,
    versions: Arc<Versions>,
    bucket: String,
    key: String,
    history: History,
    kept: Option<String>,
    keep: Keep,
}

impl Write {
    /// The version id the replaced object was kept under.
    pub fn kept(&self) -> Option<&str> {
        self.kept.as_deref()
    }

    /// The key in the hidden store of the replaced object.
    pub fn kept_key(&self) -> Option<String> {
        self.kept.as_deref().map(|id| self.versions.archive_key(&self.bucket, &self.key, id))
    }

    /// Ends the write: records the new object as the latest version and
    /// returns its id (`id`, or a new one); after a failed write, puts the
    /// old object back.
    pub async fn finish(mut self, written: bool, id: Option<String>) -> S3Result<Option<String>> {
        let v = &self.versions;
        if !written {
            if let Some(id) = &self.kept {
                let archived = v.archived(&self.bucket, &self.key, id)?;
                match self.keep {
                    Keep::Link => remove(&archived).await,
                    Keep::Move => transfer(&archived, &files(&v.root, &self.bucket, &self.key)?, Keep::Move).await?,
                }
            }
            return Ok(None);
        }
        let new = v.stat(&self.bucket, &self.key, id.unwrap_or_else(new_id)).await?;
        let id = new.id.clone();
        self.history.versions.insert(0, new);
        v.save(&self.bucket, &self.key, &self.history).await?;
        Ok(Some(id))
    }
}
