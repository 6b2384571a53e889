//! What the folder browser shows of one file, and what a search found.

use super::{ObjectEntry, Rights};
use serde::{Deserialize, Serialize};

/// Largest image, in bytes, the folder grid makes a thumbnail of.
pub const THUMBNAIL_SOURCE_LIMIT: i64 = 32 * 1024 * 1024;

/// Whether the folder grid shows `name` (of `size` bytes) by a thumbnail:
/// PNG, JPEG, GIF and WebP images up to `THUMBNAIL_SOURCE_LIMIT`.
pub fn has_thumbnail(name: &str, size: i64) -> bool {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(extension.as_str(), "png" | "jpg" | "jpeg" | "gif" | "webp") && size > 0 && size <= THUMBNAIL_SOURCE_LIMIT
}

/// Everything the details page says about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectDetails {
    /// Bucket the file is in.
    pub bucket: String,
    /// Full key, exactly as S3 stores it.
    pub key: String,
    /// Size in bytes.
    pub size: i64,
    /// Content type S3 answers with, if any.
    pub content_type: Option<String>,
    /// Last modification, RFC 3339.
    pub last_modified: Option<String>,
    /// S3's entity tag, quotes removed.
    pub etag: Option<String>,
    /// The checksum S3 keeps, as "CRC32C abc=" and the like.
    pub checksum: Option<String>,
    /// S3's storage class.
    pub storage_class: String,
    /// User metadata (`x-amz-meta-*`), by name.
    pub metadata: Vec<(String, String)>,
    /// Object tags, by key; `None` when the storage keeps no tags.
    pub tags: Option<Vec<(String, String)>>,
    /// What the viewer may do with the file.
    pub rights: Rights,
    /// How the page shows the file's content.
    pub preview: Preview,
    /// Every version S3 keeps of the file, newest first (one, with the id
    /// `null`, where the bucket keeps no versions).
    pub versions: Vec<FileVersion>,
}

/// One version of a file, or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    /// S3's version id.
    pub id: String,
    /// When it was written (or deleted), RFC 3339.
    pub last_modified: Option<String>,
    /// Size in bytes; 0 for a delete marker.
    pub size: i64,
    /// The version a plain GET reads (or, for a marker, the file is deleted).
    pub latest: bool,
    /// A delete marker, not content.
    pub deleted: bool,
}

/// A file whose latest version is a delete marker: deleted, and restorable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedFile {
    /// Full key.
    pub key: String,
    /// The last segment of the key.
    pub name: String,
    /// When it was deleted, RFC 3339.
    pub deleted_at: Option<String>,
    /// Size of the version a restore brings back.
    pub size: i64,
}

/// The deleted files of one folder, and its sub-folders to look in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedListing {
    /// The folder.
    pub prefix: String,
    /// Sub-folders (which may hold deleted files).
    pub folders: Vec<String>,
    /// Deleted files directly in the folder.
    pub files: Vec<DeletedFile>,
    /// What the viewer may do here.
    pub rights: Rights,
    /// Whether the bucket keeps versions at all (if not, nothing deleted can come back).
    pub versioned: bool,
}

impl ObjectDetails {
    /// The `s3://bucket/key` address training jobs and command-line tools take.
    pub fn s3_uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// A file's content as the details page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preview {
    /// An image, shown only through `<img>` from a short presigned GET.
    Image {
        /// Presigned URL.
        url: String,
    },
    /// A PDF, opened in the browser's own viewer.
    Pdf {
        /// Presigned URL that opens inline.
        url: String,
    },
    /// Text (also JSON, pretty-printed when whole, and Markdown as text).
    Text {
        /// The text read.
        text: String,
        /// Whether the file goes on past what was read.
        cut: bool,
    },
    /// A CSV file as rows of cells.
    Table {
        /// Rows, the first usually the header.
        rows: Vec<Vec<String>>,
        /// Whether the file goes on past what was read.
        cut: bool,
    },
    /// No preview, and why.
    None {
        /// A sentence for the person.
        reason: String,
    },
}

/// One stretch of a search through a folder and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    /// Files whose names contain the words, in key order.
    pub files: Vec<ObjectEntry>,
    /// Keys looked at in this stretch.
    pub scanned: u64,
    /// Where the search goes on, when keys remain.
    pub next_token: Option<String>,
    /// What the viewer may do in the folder searched (which selection buttons show).
    pub rights: Rights,
}
