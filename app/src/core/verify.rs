//! Checking that the portal can reach a usecase's data through its role:
//! assume it with the external ID, confirm the account, reach the bucket,
//! write and remove a probe object. Each step says what to fix.

use super::aws::{RoleRef, S3Gateway};
use crate::model::SettingCheck;
use aws_sdk_s3::error::ProvideErrorMetadata;

/// Start of the key of the object written and removed to prove the bucket
/// is writable; a random suffix and `If-None-Match: *` make sure that no
/// object of the bucket is ever overwritten or removed by the probe.
pub const PROBE_PREFIX: &str = ".dataport-verify-";

fn step(setting: &str, ok: bool, message: String) -> SettingCheck {
    SettingCheck { setting: setting.into(), ok, message }
}

/// Runs every check in order; a step that fails ends the run, since the
/// ones after it could only fail for the same reason.
pub async fn verify_data_access(
    gateway: &S3Gateway,
    role: &RoleRef,
    account_id: &str,
    bucket: &str,
) -> Vec<SettingCheck> {
    let mut checks = Vec::new();
    let credentials = match gateway.assume(role).await {
        Ok(c) => {
            checks.push(step("Assume role", true, format!("Assumed {} with the external ID", role.role_arn)));
            c
        }
        Err(e) => {
            checks.push(step(
                "Assume role",
                false,
                format!(
                    "{e}. The role's trust policy must allow the portal's AWS principal to call sts:AssumeRole with the condition sts:ExternalId = {}.",
                    role.external_id
                ),
            ));
            return checks;
        }
    };
    match gateway.caller_account(credentials.clone()).await {
        Ok(account) if account == account_id => {
            checks.push(step("Account", true, format!("The role belongs to account {account}")));
        }
        Ok(account) => {
            checks.push(step(
                "Account",
                false,
                format!(
                    "The role belongs to account {account}, not {account_id}. Correct the account id or the role ARN."
                ),
            ));
            return checks;
        }
        Err(code) => {
            checks.push(step("Account", false, format!("GetCallerIdentity failed with {code}.")));
            return checks;
        }
    }
    let client = gateway.client_with(credentials);
    checks.extend(verify_bucket_access(&client, bucket).await);
    checks
}

/// Lists the bucket, then writes and removes a probe object.
pub async fn verify_bucket_access(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<SettingCheck> {
    let mut checks = Vec::new();
    match client.list_objects_v2().bucket(bucket).max_keys(1).send().await {
        Ok(_) => checks.push(step("Bucket reachable", true, format!("Listed {bucket}"))),
        Err(e) => {
            let code = e.code().unwrap_or("no error code").to_owned();
            let advice = match code.as_str() {
                "NoSuchBucket" => format!("There is no bucket {bucket}: create it or correct the name."),
                "AccessDenied" => format!("The role needs s3:ListBucket on arn:aws:s3:::{bucket}."),
                _ => "Check the bucket name and its region.".into(),
            };
            checks.push(step("Bucket reachable", false, format!("ListObjectsV2 failed with {code}. {advice}")));
            return checks;
        }
    }
    let probe = format!("{PROBE_PREFIX}{}", uuid::Uuid::new_v4());
    let put = client
        .put_object()
        .bucket(bucket)
        .key(&probe)
        .if_none_match("*")
        .body(Vec::from(&b"ok"[..]).into())
        .send()
        .await;
    let written = match put {
        Ok(_) => client
            .delete_object()
            .bucket(bucket)
            .key(&probe)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().map(str::to_owned)),
        Err(e) => Err(e.code().map(str::to_owned)),
    };
    checks.push(match written {
        Ok(()) => step("Bucket writable", true, format!("Wrote and removed {probe}")),
        Err(code) => step(
            "Bucket writable",
            false,
            format!(
                "Writing a probe object failed with {}. The role needs s3:PutObject and s3:DeleteObject on arn:aws:s3:::{bucket}/*.",
                code.unwrap_or_else(|| "no error code".into())
            ),
        ),
    });
    checks
}
