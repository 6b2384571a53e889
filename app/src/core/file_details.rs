//! One file's details page: what S3 knows of it and a preview of its
//! content, for a principal who may read it.

use super::guard::{Guard, Services};
use super::principal::Principal;
use super::storage::storage_error;
use super::{CoreError, preview};
use crate::core::actions::AuditAction;
use crate::ids::UsecaseId;
use crate::model::ObjectDetails;
use crate::names::{BucketName, ObjectKey};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::DateTimeFormat;

/// The details and preview of `key`, audited as the file viewed.
pub async fn details(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    key: &ObjectKey,
) -> Result<ObjectDetails, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewObject);
    let (usecase, target, _) = g.object(usecase_id, bucket, key).await?;
    let client = g.s3(&target, &usecase).await?;
    let rights = g.rights_at(&usecase, bucket, key).await?;
    let result = async {
        let mut d = read(&client, bucket, key).await?;
        d.rights = rights;
        let kind = preview::kind(&d.key, d.content_type.as_deref());
        d.preview = preview::preview(&client, bucket, key, d.size, kind).await?;
        d.versions = super::versions::of_key(&client, bucket, key).await?;
        Ok(d)
    }
    .await;
    g.finish(&target, result, |d| format!("{} bytes", d.size)).await
}

async fn read(client: &Client, bucket: &str, key: &str) -> Result<ObjectDetails, CoreError> {
    let asked = client.head_object().bucket(bucket).key(key).checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled);
    let head = match asked.send().await {
        Ok(head) => head,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
            return Err(CoreError::NotFound(format!(
                "There is no file “{key}” in {bucket}; it may have been deleted."
            )));
        }
        Err(e) => return Err(storage_error("Reading the file's details", e)),
    };
    let checksum = [
        ("CRC32C", head.checksum_crc32_c()),
        ("CRC32", head.checksum_crc32()),
        ("SHA-256", head.checksum_sha256()),
        ("SHA-1", head.checksum_sha1()),
    ]
    .into_iter()
    .find_map(|(name, value)| value.map(|v| format!("{name} {v}")));
    let mut metadata: Vec<(String, String)> =
        head.metadata().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    metadata.sort();
    Ok(ObjectDetails {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        size: head.content_length().unwrap_or(0),
        content_type: head.content_type().map(str::to_owned),
        last_modified: head.last_modified().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
        etag: head.e_tag().map(|e| e.trim_matches('"').to_owned()),
        checksum,
        storage_class: head.storage_class().map_or("STANDARD", |c| c.as_str()).to_owned(),
        metadata,
        tags: tags(client, bucket, key).await?,
        rights: Default::default(),
        preview: crate::model::Preview::None { reason: String::new() },
        versions: Vec::new(),
    })
}

/// The object's tags; `None` where the storage keeps no tags at all.
async fn tags(client: &Client, bucket: &str, key: &str) -> Result<Option<Vec<(String, String)>>, CoreError> {
    match client.get_object_tagging().bucket(bucket).key(key).send().await {
        Ok(out) => Ok(Some(out.tag_set().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect())),
        Err(e) if e.code() == Some("NotImplemented") => Ok(None),
        Err(e) => Err(storage_error("Reading the file's tags", e)),
    }
}
