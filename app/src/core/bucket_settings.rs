//! Creating buckets with the recommended settings, and checking each
//! setting by reading it back from S3.

use super::CoreError;
use crate::model::{BucketReport, SettingCheck};
use crate::rules::bucket_name_problem;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CreateBucketConfiguration, ExpirationStatus, LifecycleRule, LifecycleRuleFilter, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use serde_json::{Value, json};

/// Sid of the statement that lets the SageMaker execution role read the bucket.
pub const SAGEMAKER_SID: &str = "DataportSageMakerRead";
/// Sid of the statement that refuses plain-HTTP access on AWS.
pub const TLS_SID: &str = "DataportDenyInsecureTransport";
/// Days after which an unfinished multipart upload is aborted.
pub const ABORT_UPLOADS_AFTER_DAYS: i32 = 7;

/// The settings a new bucket gets.
#[derive(Debug, Clone)]
pub struct BucketSetup {
    /// Bucket name.
    pub name: String,
    /// Region to create it in.
    pub region: String,
    /// Origins that may upload from the browser.
    pub origins: Vec<String>,
    /// SageMaker execution role given read and list access, if any.
    pub sagemaker_role_arn: Option<String>,
    /// KMS key for SSE-KMS; `None` means SSE-S3 (AES256).
    pub kms_key_arn: Option<String>,
    /// True on real AWS, where the non-TLS deny statement belongs.
    pub on_aws: bool,
}

/// The bucket policy statements the portal manages for `bucket`.
pub fn managed_statements(bucket: &str, sagemaker_role_arn: Option<&str>, on_aws: bool) -> Vec<Value> {
    let resources = json!([format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]);
    let mut statements = Vec::new();
    if let Some(role) = sagemaker_role_arn.filter(|r| !r.is_empty()) {
        statements.push(json!({
            "Sid": SAGEMAKER_SID,
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": resources,
        }));
    }
    if on_aws {
        statements.push(json!({
            "Sid": TLS_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }));
    }
    statements
}

/// Merges `statements` into an existing policy document: a statement with
/// the same `Sid` is replaced, every other statement is kept.
pub fn merge_policy(existing: Option<&str>, statements: &[Value]) -> Result<String, CoreError> {
    let mut doc: Value = match existing {
        Some(text) => serde_json::from_str(text)
            .map_err(|_| CoreError::Invalid("The bucket's current policy is not valid JSON; fix it first.".into()))?,
        None => json!({"Version": "2012-10-17", "Statement": []}),
    };
    let list = match doc.get_mut("Statement") {
        Some(Value::Array(list)) => list,
        Some(single) => {
            *single = Value::Array(vec![single.take()]);
            single.as_array_mut().expect("just made an array")
        }
        None => {
            doc["Statement"] = json!([]);
            doc["Statement"].as_array_mut().expect("just made an array")
        }
    };
    for statement in statements {
        let sid = statement.get("Sid");
        match list.iter_mut().find(|s| sid.is_some() && s.get("Sid") == sid) {
            Some(slot) => *slot = statement.clone(),
            None => list.push(statement.clone()),
        }
    }
    Ok(doc.to_string())
}

fn error_text<E: ProvideErrorMetadata + std::error::Error>(e: &E) -> String {
    match e.code() {
        Some(code) => code.to_owned(),
        None => format!("an unreadable answer ({})", aws_sdk_s3::error::DisplayErrorContext(e)),
    }
}

fn check(setting: &str, result: Result<String, String>) -> SettingCheck {
    match result {
        Ok(message) => SettingCheck { setting: setting.into(), ok: true, message },
        Err(message) => SettingCheck { setting: setting.into(), ok: false, message },
    }
}

/// Creates the bucket (or, with `adopt`, takes one the account already owns)
/// and applies the recommended settings.
pub async fn create_bucket(client: &Client, setup: &BucketSetup, adopt: bool) -> Result<BucketReport, CoreError> {
    if let Some(problem) = bucket_name_problem(&setup.name) {
        return Err(CoreError::Invalid(problem));
    }
    if !crate::model::REGIONS.contains(&setup.region.as_str()) {
        return Err(CoreError::Invalid(format!("“{}” is not a region Dataport can create buckets in.", setup.region)));
    }
    // Whether the name already answers decides what a successful
    // CreateBucket means: us-east-1 answers 200 to an owner re-creating.
    let existed = client.head_bucket().bucket(&setup.name).send().await.is_ok();
    let mut request = client.create_bucket().bucket(&setup.name);
    // us-east-1 is the one region that takes no location constraint.
    if setup.region != "us-east-1" {
        let constraint = BucketLocationConstraint::from(setup.region.as_str());
        request = request
            .create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(constraint).build());
    }
    let owned_already = match request.send().await {
        Ok(_) => existed,
        Err(e) => match e.code() {
            Some("BucketAlreadyOwnedByYou") => true,
            Some("BucketAlreadyExists") => {
                return Err(CoreError::Conflict(format!(
                    "The name “{}” is taken by another AWS account; bucket names are global. Choose another name.",
                    setup.name
                )));
            }
            Some("AccessDenied") => {
                return Err(CoreError::Storage(
                    "S3 refused CreateBucket (AccessDenied): the portal's role needs s3:CreateBucket on this bucket name."
                        .into(),
                ));
            }
            Some("InvalidBucketName") => {
                return Err(CoreError::Invalid(format!("S3 refused the name “{}” as invalid.", setup.name)));
            }
            Some("InvalidLocationConstraint" | "IllegalLocationConstraintException") => {
                return Err(CoreError::Invalid(format!("S3 refused the region “{}” for this bucket.", setup.region)));
            }
            _ => return Err(CoreError::Storage(format!("CreateBucket failed with {}", error_text(&e)))),
        },
    };
    if owned_already && !adopt {
        return Err(CoreError::Conflict(format!(
            "Your account already owns a bucket named “{}”. Adopt it to apply the recommended settings, or choose another name.",
            setup.name
        )));
    }
    let created = !owned_already;
    let checks = apply_settings(client, setup).await;
    Ok(BucketReport { bucket: setup.name.clone(), created, checks })
}

/// Applies every recommended setting and reads each back. Idempotent: run
/// it again to repair a bucket whose settings drifted or half failed.
pub async fn apply_settings(client: &Client, setup: &BucketSetup) -> Vec<SettingCheck> {
    vec![
        check("Versioning", versioning(client, &setup.name).await),
        check("Default encryption", encryption(client, &setup.name, setup.kms_key_arn.as_deref()).await),
        check("Public access block", public_access_block(client, &setup.name).await),
        check("Bucket policy", policy(client, setup).await),
        check("CORS for browser uploads", cors(client, &setup.name, &setup.origins).await),
        check("Abort incomplete uploads", lifecycle(client, &setup.name).await),
    ]
}

async fn versioning(client: &Client, bucket: &str) -> Result<String, String> {
    let config = VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build();
    client.put_bucket_versioning().bucket(bucket).versioning_configuration(config).send().await.map_err(|e| {
        format!("PutBucketVersioning failed with {}; the role needs s3:PutBucketVersioning.", error_text(&e))
    })?;
    let back = client.get_bucket_versioning().bucket(bucket).send().await.map_err(|e| error_text(&e))?;
    match back.status() {
        Some(BucketVersioningStatus::Enabled) => Ok("Enabled".into()),
        other => Err(format!("S3 reports versioning as {other:?} after enabling it.")),
    }
}

async fn encryption(client: &Client, bucket: &str, kms_key_arn: Option<&str>) -> Result<String, String> {
    let default = match kms_key_arn.filter(|k| !k.is_empty()) {
        Some(key) => {
            ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::AwsKms).kms_master_key_id(key)
        }
        None => ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256),
    }
    .build()
    .map_err(|e| e.to_string())?;
    let config = ServerSideEncryptionConfiguration::builder()
        .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build())
        .build()
        .map_err(|e| e.to_string())?;
    client.put_bucket_encryption().bucket(bucket).server_side_encryption_configuration(config).send().await.map_err(
        |e| {
            format!("PutBucketEncryption failed with {}; the role needs s3:PutEncryptionConfiguration.", error_text(&e))
        },
    )?;
    let back = client.get_bucket_encryption().bucket(bucket).send().await.map_err(|e| error_text(&e))?;
    let algorithm = back
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .map(|d| d.sse_algorithm().as_str().to_owned());
    match algorithm {
        Some(a) => Ok(a),
        None => Err("S3 reports no default encryption after setting it.".into()),
    }
}

async fn public_access_block(client: &Client, bucket: &str) -> Result<String, String> {
    let config = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    client.put_public_access_block().bucket(bucket).public_access_block_configuration(config).send().await.map_err(
        |e| {
            format!(
                "PutPublicAccessBlock failed with {}; the role needs s3:PutBucketPublicAccessBlock.",
                error_text(&e)
            )
        },
    )?;
    let back = client.get_public_access_block().bucket(bucket).send().await.map_err(|e| error_text(&e))?;
    let c = back.public_access_block_configuration();
    let all = c.is_some_and(|c| {
        c.block_public_acls() == Some(true)
            && c.ignore_public_acls() == Some(true)
            && c.block_public_policy() == Some(true)
            && c.restrict_public_buckets() == Some(true)
    });
    if all { Ok("All public access blocked".into()) } else { Err("S3 reports public access not fully blocked.".into()) }
}

/// Merges the portal's statements (the SageMaker role's read access, and on
/// AWS the plain-HTTP deny) into the bucket's current policy, keeping every
/// other statement, and reads the result back.
pub async fn apply_training_access(client: &Client, setup: &BucketSetup) -> SettingCheck {
    check("Bucket policy", policy(client, setup).await)
}

async fn policy(client: &Client, setup: &BucketSetup) -> Result<String, String> {
    let statements = managed_statements(&setup.name, setup.sagemaker_role_arn.as_deref(), setup.on_aws);
    if statements.is_empty() {
        return Ok("Nothing to grant: the usecase has no SageMaker execution role".into());
    }
    let current = match client.get_bucket_policy().bucket(&setup.name).send().await {
        Ok(out) => out.policy().map(str::to_owned),
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => None,
        Err(e) => return Err(format!("GetBucketPolicy failed with {}", error_text(&e))),
    };
    let merged = merge_policy(current.as_deref(), &statements).map_err(|e| e.to_string())?;
    client
        .put_bucket_policy()
        .bucket(&setup.name)
        .policy(merged)
        .send()
        .await
        .map_err(|e| format!("PutBucketPolicy failed with {}; the role needs s3:PutBucketPolicy.", error_text(&e)))?;
    let back = client.get_bucket_policy().bucket(&setup.name).send().await.map_err(|e| error_text(&e))?;
    let text = back.policy().unwrap_or_default();
    let sids: Vec<&str> = statements.iter().filter_map(|s| s["Sid"].as_str()).collect();
    if sids.iter().all(|sid| text.contains(sid)) {
        Ok(format!("Statements {} in place", sids.join(", ")))
    } else {
        Err("S3 returned a policy without the portal's statements.".into())
    }
}

async fn cors(client: &Client, bucket: &str, origins: &[String]) -> Result<String, String> {
    super::storage::put_browser_cors(client, bucket, origins).await?;
    let back = client.get_bucket_cors().bucket(bucket).send().await.map_err(|e| error_text(&e))?;
    let ok = back.cors_rules().iter().any(|r| {
        origins.iter().all(|o| r.allowed_origins().contains(o)) && r.expose_headers().iter().any(|h| h == "ETag")
    });
    if ok {
        Ok(format!("Uploads allowed from {}", origins.join(", ")))
    } else {
        Err("S3 returned other CORS rules.".into())
    }
}

async fn lifecycle(client: &Client, bucket: &str) -> Result<String, String> {
    let rule = LifecycleRule::builder()
        .id("dataport-abort-incomplete-uploads")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder().days_after_initiation(ABORT_UPLOADS_AFTER_DAYS).build(),
        )
        .build()
        .map_err(|e| e.to_string())?;
    // The bucket's other rules stay; only the portal's own is replaced.
    let existing = match client.get_bucket_lifecycle_configuration().bucket(bucket).send().await {
        Ok(out) => out.rules().to_vec(),
        Err(e) if e.code() == Some("NoSuchLifecycleConfiguration") => Vec::new(),
        Err(e) => return Err(format!("GetBucketLifecycleConfiguration failed with {}", error_text(&e))),
    };
    let mut rules: Vec<LifecycleRule> = existing.into_iter().filter(|r| r.id() != rule.id()).collect();
    rules.push(rule);
    let config = BucketLifecycleConfiguration::builder().set_rules(Some(rules)).build().map_err(|e| e.to_string())?;
    client.put_bucket_lifecycle_configuration().bucket(bucket).lifecycle_configuration(config).send().await.map_err(
        |e| {
            format!(
                "PutBucketLifecycleConfiguration failed with {}; the role needs s3:PutLifecycleConfiguration.",
                error_text(&e)
            )
        },
    )?;
    let back = client.get_bucket_lifecycle_configuration().bucket(bucket).send().await.map_err(|e| error_text(&e))?;
    let days =
        back.rules().iter().find_map(|r| r.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()));
    match days {
        Some(d) => Ok(format!("After {d} days")),
        None => Err("S3 returned no rule that aborts incomplete uploads.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_other_statements_and_replaces_our_own() {
        let existing = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"TheirOwn","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"DataportSageMakerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/old"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}
        ]}"#;
        let ours = managed_statements("b", Some("arn:aws:iam::1:role/new"), true);
        let merged: Value = serde_json::from_str(&merge_policy(Some(existing), &ours).unwrap()).unwrap();
        let list = merged["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["Sid"], "TheirOwn");
        assert_eq!(list[1]["Principal"]["AWS"], "arn:aws:iam::1:role/new");
        assert_eq!(list[2]["Sid"], TLS_SID);
    }

    #[test]
    fn a_single_statement_object_is_kept() {
        let existing = r#"{"Version":"2012-10-17","Statement":{"Sid":"Only","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}}"#;
        let merged: Value =
            serde_json::from_str(&merge_policy(Some(existing), &managed_statements("b", Some("r"), false)).unwrap())
                .unwrap();
        let sids: Vec<_> = merged["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].clone()).collect();
        assert_eq!(sids, [json!("Only"), json!(SAGEMAKER_SID)]);
    }

    #[test]
    fn no_tls_statement_off_aws() {
        assert!(managed_statements("b", None, false).is_empty());
        assert_eq!(managed_statements("b", None, true).len(), 1);
    }
}
