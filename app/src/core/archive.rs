//! A folder, or a selection of a folder, as one zip archive, streamed while
//! it is read from S3: the server holds a few buffers whatever the size, and
//! writes no temporary file. Every name is authorized for reading and the
//! limits are checked before the first byte; one audit event says what went.

use super::CoreError;
use super::actions::AuditAction;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::selection::{self, Selection};
use super::storage::storage_error;
use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use aws_sdk_s3::Client;
use tokio::io::AsyncWrite;
use tokio_util::compat::FuturesAsyncWriteCompatExt;

/// Most objects one archive holds.
pub const MAX_OBJECTS: usize = 10_000;
/// Most bytes (before compression) one archive holds: 20 GiB.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024 * 1024;

/// An archive ready to stream: what goes in, from where, under which names.
pub struct Archive {
    /// The file name people get, such as `images.zip`.
    pub file_name: String,
    client: Client,
    bucket: String,
    base: String,
    entries: Vec<(String, i64)>,
}

impl Archive {
    /// How many objects and bytes it holds.
    pub fn size(&self) -> (usize, u64) {
        (self.entries.len(), self.entries.iter().map(|(_, n)| *n as u64).sum())
    }
}

/// The name of `key` in an archive of the folder `base`: relative to it,
/// with `.` and `..` segments escaped so that unpacking never leaves the
/// folder it is unpacked into.
pub fn entry_name(base: &str, key: &str) -> String {
    let relative = key.strip_prefix(base).unwrap_or(key);
    relative
        .split('/')
        .enumerate()
        .map(|(i, segment)| match segment {
            "." => "%2E".to_owned(),
            ".." => "%2E%2E".to_owned(),
            "" if i == 0 => "%2F".to_owned(),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the bytes of `key` are compressed already (images, video,
/// archives, columnar data): stored as they are rather than deflated again.
pub fn compressed_already(key: &str) -> bool {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(
        ext.as_str(),
        "zip"
            | "gz"
            | "tgz"
            | "bz2"
            | "xz"
            | "zst"
            | "7z"
            | "rar"
            | "jpg"
            | "jpeg"
            | "png"
            | "gif"
            | "webp"
            | "avif"
            | "heic"
            | "mp4"
            | "mov"
            | "mkv"
            | "webm"
            | "mp3"
            | "aac"
            | "ogg"
            | "flac"
            | "parquet"
            | "orc"
            | "avro"
            | "pdf"
            | "docx"
            | "xlsx"
            | "pptx"
            | "npz"
    )
}

/// Authorizes reading every name of `sel`, all under `base` (the folder
/// shown), expands its folders, checks the limits and audits the download
/// with its count and bytes. Nothing is streamed yet.
pub async fn prepare(s: &Services, p: &Principal, base: &str, sel: Selection) -> Result<Archive, CoreError> {
    let g = Guard::new(s, p, AuditAction::DownloadArchive);
    let (usecase, target) =
        selection::authorize_all(&g, &sel, "Choose at least one file or folder to download.").await?;
    if let Some(outside) = sel.names().find(|n| !n.starts_with(base)) {
        let why = format!("“{outside}” is not in the folder shown; download it from its own folder.");
        return Err(g.fail(&target, CoreError::Invalid(why)).await);
    }
    let client = g.s3(&target, &usecase).await?;
    let too_many = format!("An archive holds at most {MAX_OBJECTS} files; choose fewer files or a smaller folder.");
    let result = async {
        let mut entries = selection::expand(&client, &sel, MAX_OBJECTS, &too_many).await?;
        // The folder's own marker is the archive itself, not an entry in it.
        entries.retain(|(key, _)| key != base);
        let bytes: u64 = entries.iter().map(|(_, n)| *n as u64).sum();
        if bytes > MAX_BYTES {
            return Err(CoreError::Invalid(format!(
                "These files hold {} GiB; an archive holds at most {} GiB. Choose fewer files, or download them one by one.",
                bytes.div_ceil(1024 * 1024 * 1024),
                MAX_BYTES / (1024 * 1024 * 1024)
            )));
        }
        if entries.is_empty() {
            return Err(CoreError::NotFound("There is nothing to download here.".into()));
        }
        Ok(entries)
    }
    .await;
    let folder = base.trim_end_matches('/').rsplit('/').next().filter(|n| !n.is_empty());
    let file_name = format!("{}.zip", folder.unwrap_or(sel.bucket.as_str()));
    let entries = g
        .finish(&target, result, |entries| {
            let bytes: u64 = entries.iter().map(|(_, n)| *n as u64).sum();
            format!("{} objects, {bytes} bytes as {file_name}", entries.len())
        })
        .await?;
    Ok(Archive { file_name, client, bucket: sel.bucket.to_string(), base: base.to_owned(), entries })
}

/// Writes the archive to `out`, object after object as S3 sends it.
/// ZIP64 records are written when the archive needs them.
pub async fn write<W: AsyncWrite + Unpin>(archive: Archive, out: W) -> Result<(), CoreError> {
    let (count, bytes) = archive.size();
    let mut zip = ZipFileWriter::with_tokio(out);
    if bytes >= u64::from(u32::MAX) || count >= usize::from(u16::MAX) {
        zip = zip.force_zip64();
    }
    let broken = |e: async_zip::error::ZipError| CoreError::Storage(format!("writing the archive: {e}"));
    for (key, _) in &archive.entries {
        let name = entry_name(&archive.base, key);
        if key.ends_with('/') {
            // A folder marker: an empty folder in the archive.
            zip.write_entry_whole(ZipEntryBuilder::new(name.into(), Compression::Stored), &[]).await.map_err(broken)?;
            continue;
        }
        let object = archive
            .client
            .get_object()
            .bucket(&archive.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| storage_error("Reading the object", e))?;
        let method = if compressed_already(key) { Compression::Stored } else { Compression::Deflate };
        let entry = zip.write_entry_stream(ZipEntryBuilder::new(name.into(), method)).await.map_err(broken)?;
        let mut sink = entry.compat_write();
        let mut body = object.body.into_async_read();
        tokio::io::copy(&mut body, &mut sink)
            .await
            .map_err(|e| CoreError::Storage(format!("reading {key} from S3: {e}")))?;
        sink.into_inner().close().await.map_err(broken)?;
    }
    zip.close().await.map_err(broken)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_and_never_climb_out() {
        assert_eq!(entry_name("data/", "data/a b/c+d.csv"), "a b/c+d.csv");
        assert_eq!(entry_name("data/", "data/../x"), "%2E%2E/x");
        assert_eq!(entry_name("data/", "data/./x"), "%2E/x");
        assert_eq!(entry_name("data/", "data//x"), "%2F/x");
        assert_eq!(entry_name("", "top.txt"), "top.txt");
    }

    #[test]
    fn compressed_types_are_stored() {
        assert!(compressed_already("photos/cat.JPG"));
        assert!(compressed_already("x.parquet"));
        assert!(!compressed_already("labels.csv"));
        assert!(!compressed_already("README"));
    }
}
