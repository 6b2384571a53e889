//! Where s3s-fs keeps an object's bytes and its two sidecar files (the
//! attributes and the ETag with checksums), so that the endpoint's own code
//! moves all three together.

use s3s::{S3Result, s3_error};
use std::path::{Component, Path, PathBuf};
use uuid::Uuid;

/// Where s3s-fs keeps `key` of `bucket`; a key that climbs out is refused.
pub fn object_path(root: &Path, bucket: &str, key: &str) -> S3Result<PathBuf> {
    let relative = Path::new(bucket).join(key);
    if relative.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(s3_error!(InvalidArgument, "The key is not a valid object name."));
    }
    Ok(root.join(relative))
}

fn encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// s3s-fs's file of an object's (or an upload's) attributes.
pub fn metadata_name(bucket: &str, key: &str, upload_id: Option<Uuid>) -> String {
    let upload = upload_id.map(|u| format!(".upload-{u}")).unwrap_or_default();
    format!(".bucket-{}.object-{}{upload}.metadata.json", encode(bucket), encode(key))
}

/// s3s-fs's file of an object's ETag and checksums.
pub fn internal_name(bucket: &str, key: &str) -> String {
    format!(".bucket-{}.object-{}.internal.json", encode(bucket), encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_climb_out_of_the_bucket_are_refused() {
        let root = Path::new("/data/s3");
        assert_eq!(object_path(root, "b", "a/c.txt").unwrap(), Path::new("/data/s3/b/a/c.txt"));
        for bad in ["../x", "a/../../x", "/etc/passwd"] {
            assert!(object_path(root, "b", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names_match_those_of_s3s_fs() {
        assert_eq!(metadata_name("b", "k", None), ".bucket-Yg.object-aw.metadata.json");
        let id = Uuid::nil();
        assert_eq!(
            metadata_name("b", "k", Some(id)),
            ".bucket-Yg.object-aw.upload-00000000-0000-0000-0000-000000000000.metadata.json"
        );
        assert_eq!(internal_name("b", "k"), ".bucket-Yg.object-aw.internal.json");
    }
}
