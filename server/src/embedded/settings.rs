//! Bucket settings that s3s-fs does not keep (CORS, versioning, encryption,
//! policy, lifecycle, public access block), stored as the XML S3 speaks,
//! one file per setting under `s3-settings/{bucket}/`.

use s3s::dto::CORSConfiguration;
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};
use std::path::PathBuf;

/// The settings store.
#[derive(Debug)]
pub struct BucketSettings {
    dir: PathBuf,
}

fn io_error(e: std::io::Error) -> S3Error {
    s3_error!(e, InternalError)
}

impl BucketSettings {
    /// A store under `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Where a setting of `bucket` lives; none for a name that is no
    /// valid bucket name, since it comes from a request path (`..`, say)
    /// and is joined into a file path.
    fn path(&self, bucket: &str, name: &str) -> Option<PathBuf> {
        app::rules::bucket_name_problem(bucket).is_none().then(|| self.dir.join(bucket).join(name))
    }

    /// Stores raw bytes of one setting.
    pub async fn put_raw(&self, bucket: &str, name: &str, bytes: &[u8]) -> S3Result<()> {
        let path = self.path(bucket, name).ok_or_else(|| s3_error!(InvalidBucketName))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        // Write then rename, so that a crash never leaves half a setting.
        let tmp = path.with_extension("tmp");
        tokio::fs::write(&tmp, bytes).await.map_err(io_error)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io_error)
    }

    /// Reads raw bytes of one setting, if set.
    pub async fn get_raw(&self, bucket: &str, name: &str) -> S3Result<Option<Vec<u8>>> {
        let Some(path) = self.path(bucket, name) else { return Ok(None) };
        match tokio::fs::read(path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(e)),
        }
    }

    /// Removes one setting.
    pub async fn delete(&self, bucket: &str, name: &str) -> S3Result<()> {
        let Some(path) = self.path(bucket, name) else { return Ok(()) };
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(e)),
            _ => Ok(()),
        }
    }

    /// Removes every setting of a deleted bucket.
    pub async fn forget_bucket(&self, bucket: &str) {
        if let Some(settings) = self.path(bucket, "").as_deref().and_then(|p| p.parent()) {
            let _ = tokio::fs::remove_dir_all(settings).await;
        }
    }

    /// Stores a setting as S3 XML.
    pub async fn put_xml<T: s3s::xml::Serialize>(&self, bucket: &str, name: &str, value: &T) -> S3Result<()> {
        let mut buf = Vec::new();
        value
            .serialize(&mut s3s::xml::Serializer::new(&mut buf))
            .map_err(|e| s3_error!(InternalError, "cannot store setting: {e:?}"))?;
        self.put_raw(bucket, name, &buf).await
    }

    /// Reads a setting stored as S3 XML.
    pub async fn get_xml<T: for<'x> s3s::xml::Deserialize<'x>>(&self, bucket: &str, name: &str) -> S3Result<Option<T>> {
        let Some(bytes) = self.get_raw(bucket, name).await? else { return Ok(None) };
        let value = T::deserialize(&mut s3s::xml::Deserializer::new(&bytes))
            .map_err(|e| s3_error!(InternalError, "stored setting is unreadable: {e:?}"))?;
        Ok(Some(value))
    }

    /// The CORS rules of a bucket, if any.
    pub async fn cors(&self, bucket: &str) -> Option<CORSConfiguration> {
        self.get_xml(bucket, CORS).await.ok().flatten()
    }
}

/// File names of the settings.
pub const CORS: &str = "cors.xml";
/// Versioning configuration.
pub const VERSIONING: &str = "versioning.xml";
/// Default encryption.
pub const ENCRYPTION: &str = "encryption.xml";
/// Bucket policy (JSON, as given).
pub const POLICY: &str = "policy.json";
/// Lifecycle rules.
pub const LIFECYCLE: &str = "lifecycle.xml";
/// Public access block.
pub const PUBLIC_ACCESS_BLOCK: &str = "public-access-block.xml";

/// The error S3 gives when a setting was never made.
pub fn not_configured(code: &str, what: &str) -> S3Error {
    let code: S3ErrorCode = code.parse().unwrap_or(S3ErrorCode::NoSuchKey);
    let mut err = S3Error::with_message(code, format!("The bucket has no {what}"));
    err.set_status_code(http::StatusCode::NOT_FOUND);
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_path_that_is_no_bucket_name_reads_and_writes_nothing() {
        let data = tempfile::tempdir().unwrap();
        let settings = BucketSettings::new(data.path().join("s3-settings"));
        // A file beside the settings folder, where `..` as a bucket name would lead.
        std::fs::write(data.path().join(CORS), b"<CORSConfiguration/>").unwrap();
        assert_eq!(settings.get_raw("..", CORS).await.unwrap(), None);
        assert!(settings.cors("..").await.is_none());
        assert!(settings.put_raw("..", CORS, b"x").await.is_err());
        assert!(settings.put_raw("a/b", CORS, b"x").await.is_err());
        assert_eq!(std::fs::read(data.path().join(CORS)).unwrap(), b"<CORSConfiguration/>");
        settings.put_raw("good-bucket", CORS, b"<CORSConfiguration/>").await.unwrap();
        assert!(settings.get_raw("good-bucket", CORS).await.unwrap().is_some());
    }
}
