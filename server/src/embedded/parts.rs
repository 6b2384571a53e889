//! What s3s-fs leaves out of multipart uploads and the portal relies on:
//! parts are checked against the checksum they were sent with, and
//! ListParts answers with ETags and checksums, page by page, and knows
//! when an upload does not exist. Each stored part's sums are kept beside
//! it (`s3-parts/`), so that ListParts need not read the parts again.

use futures::StreamExt;
use md5::Digest;
use s3s::checksum::ChecksumHasher;
use s3s::dto::*;
use s3s::{S3Result, s3_error};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Parts per ListParts page unless the request asks for fewer.
const PAGE: i32 = 1000;

/// Set when a part's bytes did not match its checksum.
#[derive(Debug, Clone, Default)]
pub struct Mismatch(Arc<AtomicBool>);

impl Mismatch {
    /// Whether the bytes did not match.
    pub fn happened(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Wraps the part's body so that its end fails when the bytes do not match
/// the CRC32C or SHA-256 the request carried; s3s-fs then drops the part.
pub fn verify_body(input: &mut UploadPartInput) -> Mismatch {
    let mismatch = Mismatch::default();
    let (crc32c, sha256) = (input.checksum_crc32c.clone(), input.checksum_sha256.clone());
    if crc32c.is_none() && sha256.is_none() {
        return mismatch;
    }
    let Some(body) = input.body.take() else { return mismatch };
    let mut hasher = ChecksumHasher::default();
    if crc32c.is_some() {
        hasher.crc32c = Some(Default::default());
    }
    if sha256.is_some() {
        hasher.sha256 = Some(Default::default());
    }
    let hasher = Arc::new(Mutex::new(Some(hasher)));
    let feed = hasher.clone();
    let hashed = body.map(move |chunk| match chunk {
        Ok(bytes) => {
            if let Some(h) = feed.lock().expect("hasher").as_mut() {
                h.update(&bytes);
            }
            Ok(bytes)
        }
        Err(e) => Err(std::io::Error::other(e)),
    });
    let flag = mismatch.clone();
    let end = futures::stream::once(async move {
        let sums = hasher.lock().expect("hasher").take().map(ChecksumHasher::finalize).unwrap_or_default();
        let crc_ok = crc32c.is_none() || sums.checksum_crc32c == crc32c;
        let sha_ok = sha256.is_none() || sums.checksum_sha256 == sha256;
        if crc_ok && sha_ok {
            Ok(bytes::Bytes::new())
        } else {
            flag.0.store(true, Ordering::SeqCst);
            Err(std::io::Error::other("checksum mismatch"))
        }
    });
    input.body = Some(StreamingBlob::wrap(hashed.chain(end)));
    mismatch
}

/// The error S3 gives for bytes that do not match their checksum.
pub fn bad_digest() -> s3s::S3Error {
    s3_error!(BadDigest, "The checksum you specified did not match the bytes received.")
}

/// What is known of a stored part without reading it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Sums {
    etag: String,
    crc32c: Option<String>,
}

fn sums_path(parts_dir: &Path, upload_id: &str, number: i32) -> std::path::PathBuf {
    parts_dir.join(format!("{upload_id}.{number}.json"))
}

/// Keeps the sums of a part S3 just stored.
pub async fn remember(parts_dir: &Path, upload_id: &str, number: i32, etag: &ETag, crc32c: Option<String>) {
    let Ok(id) = uuid::Uuid::parse_str(upload_id) else { return };
    let sums = Sums { etag: etag.value().to_owned(), crc32c };
    let bytes = serde_json::to_vec(&sums).unwrap_or_default();
    if let Err(e) = tokio::fs::write(sums_path(parts_dir, &id.to_string(), number), bytes).await {
        tracing::warn!(error = %e, "could not keep a part's sums; ListParts will read the part");
    }
}

/// Drops the kept sums of an upload that was completed or aborted.
pub async fn forget(parts_dir: &Path, upload_id: &str) {
    let Ok(id) = uuid::Uuid::parse_str(upload_id) else { return };
    let prefix = format!("{id}.");
    let Ok(mut dir) = tokio::fs::read_dir(parts_dir).await else { return };
    while let Ok(Some(entry)) = dir.next_entry().await {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

async fn kept_sums(parts_dir: &Path, upload_id: &str, number: i32) -> Option<(String, Option<String>)> {
    let bytes = tokio::fs::read(sums_path(parts_dir, upload_id, number)).await.ok()?;
    let sums: Sums = serde_json::from_slice(&bytes).ok()?;
    Some((sums.etag, sums.crc32c))
}

/// The ETag (MD5, hex) and CRC32C of the stored part at `path`: the kept
/// ones, or read from the part when none were kept.
pub async fn sums(
    path: &Path,
    parts_dir: &Path,
    upload_id: &uuid::Uuid,
    number: i32,
) -> std::io::Result<(String, Option<String>)> {
    match kept_sums(parts_dir, &upload_id.to_string(), number).await {
        Some((md5, Some(crc))) => Ok((md5, Some(crc))),
        _ => sums_of(path).await,
    }
}

async fn sums_of(path: &Path) -> std::io::Result<(String, Option<String>)> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut md5 = md5::Md5::new();
    let mut hasher = ChecksumHasher { crc32c: Some(Default::default()), ..Default::default() };
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(md5.finalize()), hasher.finalize().checksum_crc32c))
}

/// ListParts for an upload s3s-fs keeps under `root`.
pub async fn list(root: &Path, parts_dir: &Path, input: ListPartsInput) -> S3Result<ListPartsOutput> {
    let upload_id = uuid::Uuid::parse_str(&input.upload_id).map_err(|_| s3_error!(NoSuchUpload))?;
    if !root.join(format!(".upload-{upload_id}.json")).is_file() {
        return Err(s3_error!(NoSuchUpload));
    }
    let prefix = format!(".upload_id-{upload_id}.part-");
    let mut found = Vec::new();
    let mut dir = tokio::fs::read_dir(root).await.map_err(|e| s3_error!(e, InternalError))?;
    while let Some(entry) = dir.next_entry().await.map_err(|e| s3_error!(e, InternalError))? {
        let name = entry.file_name();
        let Some(number) = name.to_str().and_then(|n| n.strip_prefix(&prefix)).and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        found.push((number, entry.path()));
    }
    found.sort_by_key(|(n, _)| *n);
    let marker = input.part_number_marker.unwrap_or(0);
    let max = input.max_parts.unwrap_or(PAGE).clamp(1, PAGE) as usize;
    let after: Vec<_> = found.into_iter().filter(|(n, _)| *n > marker).collect();
    let truncated = after.len() > max;
    let mut parts = Vec::new();
    for (number, path) in after.into_iter().take(max) {
        let meta = tokio::fs::metadata(&path).await.map_err(|e| s3_error!(e, InternalError))?;
        let (md5, crc32c) =
            sums(&path, parts_dir, &upload_id, number).await.map_err(|e| s3_error!(e, InternalError))?;
        parts.push(Part {
            part_number: Some(number),
            size: Some(meta.len() as i64),
            e_tag: Some(ETag::Strong(md5)),
            checksum_crc32c: crc32c,
            last_modified: meta.modified().ok().map(Timestamp::from),
            ..Default::default()
        });
    }
    Ok(ListPartsOutput {
        bucket: Some(input.bucket),
        key: Some(input.key),
        upload_id: Some(input.upload_id),
        part_number_marker: Some(marker),
        next_part_number_marker: parts.last().and_then(|p| p.part_number),
        max_parts: Some(max as i32),
        is_truncated: Some(truncated),
        parts: Some(parts),
        ..Default::default()
    })
}
