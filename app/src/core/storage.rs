//! Storage services: key rules, listings, presigned transfers and bucket
//! preparation. They take an S3 client and plain values.

use super::CoreError;
use crate::model::{Listing, ObjectEntry};
use crate::names::Prefix;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{BucketVersioningStatus, CorsConfiguration, CorsRule, VersioningConfiguration};
use std::time::Duration;

/// Objects per listing page.
pub const PAGE_SIZE: i32 = 200;
/// Lifetime of a presigned upload URL.
pub const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);
/// Lifetime of a presigned download URL.
pub const DOWNLOAD_URL_TTL: Duration = Duration::from_secs(5 * 60);

pub(crate) fn storage_error<E>(what: &str, e: aws_sdk_s3::error::SdkError<E>) -> CoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = e.code().map(str::to_owned);
    tracing::warn!(error = %DisplayErrorContext(&e), "{what} failed");
    match code {
        Some(code) => CoreError::Storage(format!("{what} failed with {code}")),
        None => CoreError::Storage(format!("{what} failed: the storage endpoint could not be reached")),
    }
}

/// One page of the folder `prefix` of `bucket`.
pub async fn list_folder(
    client: &Client,
    bucket: &str,
    prefix: &str,
    token: Option<String>,
) -> Result<Listing, CoreError> {
    let out = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .delimiter("/")
        .max_keys(PAGE_SIZE)
        .set_continuation_token(token.filter(|t| !t.is_empty()))
        .send()
        .await
        .map_err(|e| storage_error("Listing the folder", e))?;
    let folders = out.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_owned)).collect();
    let files = out
        .contents()
        .iter()
        .filter_map(|o| {
            // The folder's own marker object is the folder, not a file in it.
            if o.key()? == prefix {
                return None;
            }
            entry(o)
        })
        .collect();
    Ok(Listing {
        prefix: prefix.to_owned(),
        folders,
        files,
        next_token: out.next_continuation_token().map(str::to_owned),
        rights: Default::default(),
    })
}

/// Asks S3 whether it answers, with the cheapest call the portal's
/// credentials may make (a listing of buckets).
pub async fn probe(client: &Client) -> Result<(), CoreError> {
    client.list_buckets().max_buckets(1).send().await.map(|_| ()).map_err(|e| storage_error("Reaching S3", e))
}

/// A file of a listing (with or without a delimiter) as pages show it.
pub fn entry(o: &aws_sdk_s3::types::Object) -> Option<ObjectEntry> {
    let key = o.key()?.to_owned();
    Some(ObjectEntry {
        name: key.rsplit('/').next().unwrap_or(&key).to_owned(),
        size: o.size().unwrap_or(0),
        last_modified: o.last_modified().and_then(|t| t.fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime).ok()),
        storage_class: Some(o.storage_class().map_or("STANDARD", |c| c.as_str()).to_owned()),
        key,
    })
}

/// A presigned GET that makes the browser save the file (the latest
/// version, or `version`) under its name.
pub async fn presign_download(
    client: &Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<String, CoreError> {
    let file_name = key.rsplit('/').next().unwrap_or(key);
    presign_get(client, bucket, key, version, &crate::url::attachment(file_name), None).await
}

/// A short presigned GET of the latest version (or `version`) whose answer
/// carries `disposition` and, when given, `content_type` in place of what
/// S3 stored.
pub async fn presign_get(
    client: &Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    disposition: &str,
    content_type: Option<&str>,
) -> Result<String, CoreError> {
    let config = PresigningConfig::expires_in(DOWNLOAD_URL_TTL).map_err(|e| CoreError::Internal(e.to_string()))?;
    let req = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_owned))
        .response_content_disposition(disposition)
        .set_response_content_type(content_type.map(str::to_owned))
        .presigned(config)
        .await
        .map_err(|e| storage_error("Preparing the download", e))?;
    Ok(req.uri().to_owned())
}

/// Creates an empty folder: a zero-byte object whose key ends in `/`.
pub async fn create_folder(client: &Client, bucket: &str, key: &Prefix) -> Result<(), CoreError> {
    if key.is_empty() {
        return Err(CoreError::Invalid("Type a name for the folder.".into()));
    }
    client
        .put_object()
        .bucket(bucket)
        .key(key.as_str())
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b""))
        .send()
        .await
        .map_err(|e| storage_error("Creating the folder", e))?;
    Ok(())
}

/// Size, ETag and content type of an object, after an upload.
#[derive(Debug, Clone)]
pub struct ObjectHead {
    /// Bytes.
    pub size: i64,
    /// ETag without quotes.
    pub etag: String,
    /// Content type.
    pub content_type: String,
    /// The checksum S3 stored with the object, `crc32c:<base64>`.
    pub checksum: Option<String>,
}

/// Reads an object's metadata; `NotFound` when it is not there.
pub async fn head_object(client: &Client, bucket: &str, key: &str) -> Result<ObjectHead, CoreError> {
    let asked = client.head_object().bucket(bucket).key(key).checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled);
    match asked.send().await {
        Ok(out) => Ok(ObjectHead {
            checksum: out.checksum_crc32_c().map(|c| format!("crc32c:{c}")),
            size: out.content_length().unwrap_or(0),
            etag: out.e_tag().unwrap_or_default().trim_matches('"').to_owned(),
            content_type: out.content_type().unwrap_or("application/octet-stream").to_owned(),
        }),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
            Err(CoreError::NotFound(format!("“{key}” was not found in {bucket}; the upload did not arrive.")))
        }
        Err(e) => Err(storage_error("Reading the object", e)),
    }
}

/// Id of the CORS rule the portal owns on a bucket.
pub const CORS_RULE_ID: &str = "dataport-browser-uploads";

/// The CORS rule that lets the portal's origins upload from the browser and read `ETag`.
pub fn browser_upload_cors(origins: &[String]) -> Result<CorsRule, String> {
    CorsRule::builder()
        .id(CORS_RULE_ID)
        .set_allowed_origins(Some(origins.to_vec()))
        .set_allowed_methods(Some(vec!["PUT".into(), "POST".into(), "GET".into(), "HEAD".into()]))
        .allowed_headers("*")
        .expose_headers("ETag")
        .max_age_seconds(3000)
        .build()
        .map_err(|e| e.to_string())
}

/// The bucket's CORS rules with the portal's rule in place of an older one
/// of the portal (same id, or the same exposed `ETag` for the same origins
/// from before rules had ids); everyone else's rules are kept.
pub fn merge_cors(existing: &[CorsRule], ours: CorsRule) -> Vec<CorsRule> {
    let older_ours = |r: &CorsRule| {
        r.id() == Some(CORS_RULE_ID)
            || (r.id().is_none() && r.allowed_origins() == ours.allowed_origins() && r.expose_headers() == ["ETag"])
    };
    let mut rules: Vec<CorsRule> = existing.iter().filter(|r| !older_ours(r)).cloned().collect();
    rules.push(ours);
    rules
}

/// Puts the portal's CORS rule on `bucket`, keeping the bucket's other rules.
pub async fn put_browser_cors(client: &Client, bucket: &str, origins: &[String]) -> Result<(), String> {
    let existing = match client.get_bucket_cors().bucket(bucket).send().await {
        Ok(out) => out.cors_rules().to_vec(),
        Err(e) if e.code() == Some("NoSuchCORSConfiguration") => Vec::new(),
        Err(e) => return Err(format!("GetBucketCors failed with {}", e.code().unwrap_or("no error code"))),
    };
    let ours = browser_upload_cors(origins)?;
    let config = CorsConfiguration::builder()
        .set_cors_rules(Some(merge_cors(&existing, ours)))
        .build()
        .map_err(|e| e.to_string())?;
    client.put_bucket_cors().bucket(bucket).cors_configuration(config).send().await.map(|_| ()).map_err(|e| {
        format!("PutBucketCors failed with {}; the role needs s3:PutBucketCORS.", e.code().unwrap_or("no error code"))
    })
}

/// Creates `bucket` if it is missing (versioned, so that overwritten and
/// deleted files can be brought back) and lets the portal's origins upload
/// to it from the browser (CORS, exposing `ETag`), keeping other CORS rules.
/// A bucket that already exists keeps its own versioning setting.
pub async fn prepare_bucket(client: &Client, bucket: &str, origins: &[String]) -> Result<(), CoreError> {
    if client.head_bucket().bucket(bucket).send().await.is_err() {
        match client.create_bucket().bucket(bucket).send().await {
            Ok(_) => {
                let on = VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build();
                if let Err(e) = client.put_bucket_versioning().bucket(bucket).versioning_configuration(on).send().await
                {
                    tracing::warn!(bucket, error = %DisplayErrorContext(&e), "the new bucket could not be versioned");
                }
            }
            Err(e) if e.code() == Some("BucketAlreadyOwnedByYou") || e.code() == Some("BucketAlreadyExists") => {}
            Err(e) => return Err(storage_error("Creating the bucket", e)),
        }
    }
    put_browser_cors(client, bucket, origins).await.map_err(CoreError::Storage)
}

#[cfg(test)]
mod tests {
    use super::{CorsRule, browser_upload_cors, merge_cors};
    use crate::names::{ObjectKey, Prefix};

    #[test]
    fn the_portals_cors_rule_joins_the_buckets_own_rules() {
        let theirs = CorsRule::builder().allowed_origins("https://app.example").allowed_methods("GET").build().unwrap();
        let old_ours = browser_upload_cors(&["http://old:3000".into()]).unwrap();
        let ours = browser_upload_cors(&["http://new:3000".into()]).unwrap();
        let merged = merge_cors(&[theirs.clone(), old_ours], ours.clone());
        assert_eq!(merged, vec![theirs, ours]);
    }

    #[test]
    fn hostile_keys_are_refused() {
        for key in ["", "/etc/passwd", "a/../b", "a//b", "./a", "a\\b", "a\u{0}b", "..", "a/./b"] {
            assert!(ObjectKey::new(key).is_err(), "{key:?} should be refused");
        }
        assert!(ObjectKey::new("x".repeat(1025)).is_err());
    }

    #[test]
    fn ordinary_keys_pass() {
        for key in ["a.csv", "folder/", "data/2026/train set (1).parquet", "ümlaut/ok.txt"] {
            assert!(ObjectKey::new(key).is_ok(), "{key:?} should pass");
        }
    }

    #[test]
    fn prefixes_end_with_a_slash() {
        assert!(Prefix::new("").is_ok());
        assert!(Prefix::new("a/b/").is_ok());
        assert!(Prefix::new("a/b").is_err());
    }
}
