//! Thumbnails for the folder grid, made by the server from the image in S3:
//! at most `EDGE` pixels on the longer side, from sources of at most
//! `THUMBNAIL_SOURCE_LIMIT` bytes, with the pixels decoded and the time
//! taken bounded, two at a time. They are kept on disk keyed by bucket,
//! key and ETag (a changed file gets a new one) within a size cap, the
//! least recently made going first.

use super::actions::AuditAction;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::storage::storage_error;
use super::{CoreError, preview};
use crate::ids::UsecaseId;
use crate::model::THUMBNAIL_SOURCE_LIMIT;
use crate::names::{BucketName, ObjectKey};
use sha2::Digest;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore};

/// Longest side of a thumbnail, in pixels.
pub const EDGE: u32 = 256;
/// Longest a thumbnail may take to make.
pub const MAKE_LIMIT: Duration = Duration::from_secs(5);
/// Widest or tallest image decoded.
const MAX_SIDE: u32 = 12_000;
/// Most memory one decode may take.
const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;

/// A thumbnail: its bytes and their content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// `image/jpeg`, or `image/png` where the image has transparency.
    pub content_type: &'static str,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

/// Makes the thumbnail of an encoded image, refusing what is too large to decode.
pub fn make(source: &[u8]) -> Result<Thumbnail, String> {
    let mut reader = image::ImageReader::new(Cursor::new(source))
        .with_guessed_format()
        .map_err(|e| format!("the file could not be read ({e})"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => "the image is too large to make a thumbnail of".to_owned(),
        e => format!("the file cannot be read as an image ({e})"),
    })?;
    // A picture already small enough is re-encoded as it is, never enlarged.
    let small =
        if decoded.width() <= EDGE && decoded.height() <= EDGE { decoded } else { decoded.thumbnail(EDGE, EDGE) };
    let mut bytes = Vec::new();
    let content_type = if small.color().has_alpha() {
        small.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).map_err(|e| e.to_string())?;
        "image/png"
    } else {
        let rgb = small.to_rgb8();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 82);
        rgb.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        "image/jpeg"
    };
    Ok(Thumbnail { content_type, bytes })
}

/// Thumbnails made, on disk, within a cap on their total size.
#[derive(Debug)]
pub struct ThumbnailCache {
    dir: PathBuf,
    cap: u64,
    /// Bytes in the cache, counted at the first write.
    used: Mutex<Option<u64>>,
    /// Decodes running at once.
    making: Arc<Semaphore>,
}

impl ThumbnailCache {
    /// A cache in `dir` holding at most `cap` bytes.
    pub fn new(dir: PathBuf, cap: u64) -> Self {
        Self { dir, cap, used: Mutex::new(None), making: Arc::new(Semaphore::new(2)) }
    }

    fn path(&self, bucket: &str, key: &str, etag: &str, content_type: &str) -> PathBuf {
        let digest = sha2::Sha256::digest(format!("{bucket}\0{key}\0{etag}").as_bytes());
        let extension = if content_type == "image/png" { "png" } else { "jpg" };
        self.dir.join(format!("{}.{extension}", hex::encode(digest)))
    }

    /// The thumbnail of this version of `key`, if made before.
    pub async fn get(&self, bucket: &str, key: &str, etag: &str) -> Option<Thumbnail> {
        for content_type in ["image/jpeg", "image/png"] {
            if let Ok(bytes) = tokio::fs::read(self.path(bucket, key, etag, content_type)).await {
                return Some(Thumbnail { content_type, bytes });
            }
        }
        None
    }

    /// Keeps a thumbnail, then makes room if the cache went over its cap.
    pub async fn put(&self, bucket: &str, key: &str, etag: &str, thumb: &Thumbnail) {
        let path = self.path(bucket, key, etag, thumb.content_type);
        let tmp = path.with_extension(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
        let written = async {
            tokio::fs::create_dir_all(&self.dir).await?;
            tokio::fs::write(&tmp, &thumb.bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            tracing::warn!(error = %e, "a thumbnail could not be cached");
            return;
        }
        let mut used = self.used.lock().await;
        let total = match *used {
            Some(n) => n + thumb.bytes.len() as u64,
            None => size_of(&self.dir).await,
        };
        *used = Some(if total > self.cap { evict(&self.dir, self.cap * 4 / 5).await } else { total });
    }

    /// Bytes the cache holds now.
    pub async fn size(&self) -> u64 {
        size_of(&self.dir).await
    }
}

async fn entries(dir: &Path) -> Vec<(std::time::SystemTime, u64, PathBuf)> {
    let mut found = Vec::new();
    let Ok(mut read) = tokio::fs::read_dir(dir).await else { return found };
    while let Ok(Some(entry)) = read.next_entry().await {
        if let Ok(meta) = entry.metadata().await
            && meta.is_file()
        {
            found.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), meta.len(), entry.path()));
        }
    }
    found
}

async fn size_of(dir: &Path) -> u64 {
    entries(dir).await.iter().map(|(_, len, _)| len).sum()
}

/// Removes the oldest thumbnails until at most `keep` bytes are left; returns what is left.
async fn evict(dir: &Path, keep: u64) -> u64 {
    let mut all = entries(dir).await;
    all.sort();
    let mut total: u64 = all.iter().map(|(_, len, _)| len).sum();
    for (_, len, path) in all {
        if total <= keep {
            break;
        }
        if tokio::fs::remove_file(&path).await.is_ok() {
            total -= len;
        }
    }
    total
}

/// The thumbnail of `key` for a principal who may read it, from the cache
/// or made now; audited with where it came from.
pub async fn thumbnail(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    key: &ObjectKey,
) -> Result<Thumbnail, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewThumbnail);
    let (usecase, target, _) = g.object(usecase_id, bucket, key).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = async {
        let no_image = || CoreError::Invalid(format!("“{key}” is no image with a thumbnail."));
        let head = client.head_object().bucket(bucket.as_str()).key(key.as_str()).send().await;
        let head = match head {
            Ok(head) => head,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
                return Err(CoreError::NotFound(format!("There is no file “{key}”; it may have been deleted.")));
            }
            Err(e) => return Err(storage_error("Reading the image", e)),
        };
        // Browsers draw SVG themselves, and other kinds have no pixels to shrink.
        match preview::kind(key.as_str(), head.content_type()) {
            preview::Kind::Image(t) if t != "image/svg+xml" => {}
            _ => return Err(no_image()),
        }
        let size = head.content_length().unwrap_or(0);
        if size > THUMBNAIL_SOURCE_LIMIT {
            return Err(CoreError::Invalid(format!(
                "“{key}” is larger than {} MiB, so it gets no thumbnail; open it to see it.",
                THUMBNAIL_SOURCE_LIMIT / 1024 / 1024
            )));
        }
        let etag = head.e_tag().unwrap_or_default().trim_matches('"').to_owned();
        let cache = &s.thumbnails;
        if let Some(thumb) = cache.get(bucket.as_str(), key.as_str(), &etag).await {
            return Ok((thumb, "from the cache".to_owned()));
        }
        let permit = cache.making.clone().acquire_owned().await.map_err(|e| CoreError::Internal(e.to_string()))?;
        let got = client.get_object().bucket(bucket.as_str()).key(key.as_str()).if_match(format!("\"{etag}\"")).send();
        let got = got.await.map_err(|e| storage_error("Reading the image", e))?;
        let source =
            got.body.collect().await.map_err(|e| CoreError::Storage(format!("Reading the image failed: {e}")))?;
        let source = source.into_bytes();
        let made = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            make(&source)
        });
        let thumb = match tokio::time::timeout(MAKE_LIMIT, made).await {
            Err(_) => return Err(CoreError::Invalid(format!("“{key}” took too long to make a thumbnail of."))),
            Ok(Err(e)) => return Err(CoreError::Internal(format!("making a thumbnail stopped: {e}"))),
            Ok(Ok(Err(why))) => return Err(CoreError::Invalid(format!("No thumbnail of “{key}”: {why}."))),
            Ok(Ok(Ok(thumb))) => thumb,
        };
        cache.put(bucket.as_str(), key.as_str(), &etag, &thumb).await;
        Ok((thumb, format!("made from {size} bytes")))
    }
    .await;
    g.finish(&target, result, |(_, how)| format!("thumbnail {how}")).await.map(|(thumb, _)| thumb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn a_thumbnail_keeps_the_shape_within_its_edge() {
        let thumb = make(&png(1200, 600)).unwrap();
        assert_eq!(thumb.content_type, "image/jpeg");
        let back = image::load_from_memory(&thumb.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (EDGE, EDGE / 2));
        let icon = image::load_from_memory(&make(&png(40, 30)).unwrap().bytes).unwrap();
        assert_eq!((icon.width(), icon.height()), (40, 30), "never enlarged");
    }

    #[test]
    fn an_image_too_large_to_decode_or_not_an_image_is_refused() {
        // Wider than any image decoded: refused from its header, before its pixels.
        let why = make(&png(MAX_SIDE + 1, 1)).unwrap_err();
        assert!(why.contains("too large"), "{why}");
        assert!(make(b"plain text, no pixels").unwrap_err().contains("cannot be read"));
    }

    #[tokio::test]
    async fn the_cache_keeps_under_its_cap_by_dropping_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ThumbnailCache::new(dir.path().join("thumbnails"), 10_000);
        let thumb = |n: u8| Thumbnail { content_type: "image/jpeg", bytes: vec![n; 3_000] };
        for n in 0..6u8 {
            cache.put("b", &format!("k{n}"), "e", &thumb(n)).await;
            // Distinct times, so that the oldest is known.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(cache.size().await <= 10_000, "{}", cache.size().await);
        assert_eq!(cache.get("b", "k5", "e").await, Some(thumb(5)), "the newest stays");
        assert_eq!(cache.get("b", "k0", "e").await, None, "the oldest went");
        assert_eq!(cache.get("b", "k5", "other etag").await, None, "a changed file is another thumbnail");
    }
}
