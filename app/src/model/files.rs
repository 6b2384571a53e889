//! What the folder browser shows of one file, and what a search found.

use super::{ObjectEntry, Rights};
use serde::{Deserialize, Serialize};

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
}
