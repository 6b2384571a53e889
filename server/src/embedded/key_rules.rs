//! Keys the embedded endpoint refuses. It keeps objects as files, and a
//! file path reads `.`, `..` and empty segments differently from S3
//! (`inside/../finance/x` would be the file `finance/x`, outside a grant on
//! `inside/`), so such keys are answered 400 before anything is read or
//! written, whoever signed the request. S3 itself stores them as named.

use super::temp_keys::percent_decode;
use s3s::access::S3AccessContext;
use s3s::path::S3Path;
use s3s::{S3Result, s3_error};

/// Whether a file store keeps `key` under exactly that name: no `.` or
/// `..` segment, and no empty one but the last (a folder marker's).
pub fn stored_as_named(key: &str) -> bool {
    let segments: Vec<&str> = key.split('/').collect();
    let last = segments.len() - 1;
    !key.is_empty() && segments.iter().enumerate().all(|(i, s)| *s != "." && *s != ".." && (i == last || !s.is_empty()))
}

fn refused(key: &str) -> s3s::S3Error {
    s3_error!(InvalidArgument, "The key “{key}” has a “.”, “..” or empty segment, which this endpoint does not store.")
}

/// Refuses a request whose key, or copy source, a file store would read as another name.
pub fn check(cx: &S3AccessContext<'_>) -> S3Result<()> {
    if let S3Path::Object { key, .. } = cx.s3_path()
        && !stored_as_named(key)
    {
        return Err(refused(key));
    }
    if let Some(source) = cx.headers().get("x-amz-copy-source").and_then(|v| v.to_str().ok()) {
        let source = source.split_once('?').map_or(source, |(path, _)| path);
        let decoded = percent_decode(source.trim_start_matches('/'));
        let key = decoded.split_once('/').map_or("", |(_, key)| key);
        if !stored_as_named(key) {
            return Err(refused(key));
        }
    }
    Ok(())
}

/// Refuses a multi-delete naming such a key.
pub fn check_all<'k>(keys: impl IntoIterator<Item = &'k str>) -> S3Result<()> {
    for key in keys {
        if !stored_as_named(key) {
            return Err(refused(key));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::stored_as_named;

    #[test]
    fn dot_and_empty_segments_are_not_stored_as_named() {
        for good in ["a.txt", "a/b.txt", "folder/", "a/.hidden", "a/..b", "trailing.", "%2F/x"] {
            assert!(stored_as_named(good), "{good}");
        }
        for bad in ["", "/a", "a//b", "./a", "a/./b", "a/../b", "..", "a/..", "a/../", "."] {
            assert!(!stored_as_named(bad), "{bad}");
        }
    }
}
