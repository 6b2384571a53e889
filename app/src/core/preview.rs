//! How a file's content is shown in the browser: images and PDFs through a
//! short presigned GET, text, CSV and JSON read by the server from the first
//! 256 KiB (a ranged GET), so that no file is pulled whole to be previewed.

use super::CoreError;
use super::storage::{presign_get, storage_error};
use crate::model::Preview;
use aws_sdk_s3::Client;

/// Bytes of a text file read for its preview.
pub const TEXT_PREVIEW_BYTES: i64 = 256 * 1024;

/// What kind of preview a file gets, from its name and content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Shown by `<img>`, with this content type.
    Image(&'static str),
    /// Opened in the browser's PDF viewer.
    Pdf,
    /// Read as a table.
    Csv,
    /// Pretty-printed when whole.
    Json,
    /// Read as text.
    Text,
    /// Nothing to show.
    Other,
}

/// The kind of preview for `key`, whose stored content type is `content_type`.
pub fn kind(key: &str, content_type: Option<&str>) -> Kind {
    let name = key.rsplit('/').next().unwrap_or(key);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let by_name = match extension.as_str() {
        "png" => Kind::Image("image/png"),
        "jpg" | "jpeg" => Kind::Image("image/jpeg"),
        "gif" => Kind::Image("image/gif"),
        "webp" => Kind::Image("image/webp"),
        // Only ever as an <img>: markup never reaches the page.
        "svg" => Kind::Image("image/svg+xml"),
        "pdf" => Kind::Pdf,
        "csv" => Kind::Csv,
        "json" => Kind::Json,
        "txt" | "md" | "markdown" | "log" | "jsonl" | "ndjson" | "tsv" | "yaml" | "yml" | "toml" | "ini" | "xml"
        | "py" | "sh" | "sql" | "rs" | "ts" | "js" => Kind::Text,
        _ => Kind::Other,
    };
    match (by_name, content_type.unwrap_or_default()) {
        (Kind::Other, t) if t.starts_with("text/csv") => Kind::Csv,
        (Kind::Other, t) if t.starts_with("application/json") => Kind::Json,
        (Kind::Other, t) if t.starts_with("text/") => Kind::Text,
        (Kind::Other, "application/pdf") => Kind::Pdf,
        (kind, _) => kind,
    }
}

/// The preview of `key` in `bucket`, `size` bytes long.
pub async fn preview(client: &Client, bucket: &str, key: &str, size: i64, kind: Kind) -> Result<Preview, CoreError> {
    match kind {
        // Shown in place, as the type the name says.
        Kind::Image(content_type) => {
            Ok(Preview::Image { url: presign_get(client, bucket, key, None, "inline", Some(content_type)).await? })
        }
        Kind::Pdf => {
            Ok(Preview::Pdf { url: presign_get(client, bucket, key, None, "inline", Some("application/pdf")).await? })
        }
        Kind::Csv | Kind::Json | Kind::Text => {
            let cut = size > TEXT_PREVIEW_BYTES;
            let bytes = if size == 0 { Vec::new() } else { first_bytes(client, bucket, key).await? };
            let Some(text) = text_of(&bytes) else {
                return Ok(Preview::None { reason: "This file holds binary data, so it has no text preview.".into() });
            };
            Ok(match kind {
                Kind::Csv => Preview::Table { rows: csv_rows(&text, cut), cut },
                Kind::Json if !cut => Preview::Text { text: pretty_json(&text).unwrap_or(text), cut },
                _ => Preview::Text { text, cut },
            })
        }
        Kind::Other => {
            Ok(Preview::None { reason: "There is no preview for this kind of file; download it to open it.".into() })
        }
    }
}

async fn first_bytes(client: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, CoreError> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(format!("bytes=0-{}", TEXT_PREVIEW_BYTES - 1))
        .send()
        .await
        .map_err(|e| storage_error("Reading the file", e))?;
    let body = out.body.collect().await.map_err(|e| CoreError::Storage(format!("Reading the file failed: {e}")))?;
    let mut bytes = body.into_bytes().to_vec();
    // A store that ignores the range still sends no more than the preview shows.
    bytes.truncate(TEXT_PREVIEW_BYTES as usize);
    Ok(bytes)
}

/// The bytes as text, a character cut in half at the end dropped; `None`
/// for binary data (NUL bytes or invalid UTF-8 before the end).
pub fn text_of(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_owned()),
        // Only an incomplete character at the very end is forgiven.
        Err(e) if e.error_len().is_none() => Some(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()),
        Err(_) => None,
    }
}

/// CSV rows; when the text was cut, its last (perhaps partial) row is dropped.
pub fn csv_rows(text: &str, cut: bool) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> =
        reader.records().map_while(Result::ok).map(|r| r.iter().map(str::to_owned).collect()).collect();
    if cut {
        rows.pop();
    }
    rows
}

fn pretty_json(text: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| serde_json::to_string_pretty(&v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_name_then_the_content_type() {
        assert_eq!(kind("a/cat.JPG", None), Kind::Image("image/jpeg"));
        assert_eq!(kind("logo.svg", Some("text/html")), Kind::Image("image/svg+xml"));
        assert_eq!(kind("data", Some("text/csv; charset=utf-8")), Kind::Csv);
        assert_eq!(kind("model.bin", Some("application/octet-stream")), Kind::Other);
        assert_eq!(kind("README.md", None), Kind::Text);
    }

    #[test]
    fn text_forgives_only_a_character_cut_at_the_end() {
        let cut = &"grüße".as_bytes()[..3];
        assert_eq!(text_of(cut).as_deref(), Some("gr"));
        assert_eq!(text_of(b"a\0b"), None);
        assert_eq!(text_of(&[0xff, b'a']), None);
    }

    #[test]
    fn csv_quotes_are_read_and_a_cut_row_is_dropped() {
        let rows = csv_rows("name,note\n\"a, b\",\"say \"\"hi\"\"\"\nlast,par", true);
        assert_eq!(rows, vec![vec!["name", "note"], vec!["a, b", "say \"hi\""]]);
    }
}
