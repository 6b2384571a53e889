//! Usecase configuration: checking a form, the policies and template that
//! create the portal's role, and verifying data access before saving.

use super::CoreError;
use super::aws::{RoleRef, S3Gateway};
use super::db::models::Usecase;
use super::verify::{verify_bucket_access, verify_data_access};
use crate::model::{REGIONS, SettingCheck, UsecaseForm};
use crate::rules::{bucket_name_problem, role_arn_problem};
use serde_json::json;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

fn account_ok(id: &str) -> bool {
    id.len() == 12 && id.chars().all(|c| c.is_ascii_digit())
}

/// Checks every field of the form; the first problem is returned in words.
pub fn validate(form: &UsecaseForm) -> Result<(), CoreError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("Give the usecase a name of 1 to 100 characters."));
    }
    if name.chars().any(crate::rules::is_forbidden_in_names) {
        return Err(invalid(
            "A usecase name cannot contain control characters, invisible formatting characters or a backslash.",
        ));
    }
    if !account_ok(&form.account_id) {
        return Err(invalid("The UseCase account id has exactly 12 digits."));
    }
    if let Some(p) = bucket_name_problem(&form.s3_bucket) {
        return Err(invalid(format!("UseCase bucket: {p}")));
    }
    for (what, arn) in
        [("Cross-account role", &form.cross_account_role_arn), ("SageMaker role", &form.sagemaker_role_arn)]
    {
        if !arn.is_empty()
            && let Some(p) = role_arn_problem(arn)
        {
            return Err(invalid(format!("{what}: {p}")));
        }
    }
    if form.separate_data_account {
        if !account_ok(&form.data_account_id) {
            return Err(invalid("The data account id has exactly 12 digits."));
        }
        if let Some(p) = role_arn_problem(&form.data_account_role_arn) {
            return Err(invalid(format!("Data account role: {p}")));
        }
    }
    if !form.data_s3_bucket.is_empty()
        && let Some(p) = bucket_name_problem(&form.data_s3_bucket)
    {
        return Err(invalid(format!("Data bucket: {p}")));
    }
    if let Some(p) = crate::rules::prefix_problem(&form.data_s3_prefix) {
        return Err(invalid(p));
    }
    if !REGIONS.contains(&form.region.as_str()) {
        return Err(invalid("Choose a region from the list."));
    }
    Ok(())
}

fn some(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Writes the form into `usecase`, keeping its id and external IDs.
pub fn apply_form(usecase: &mut Usecase, form: &UsecaseForm) {
    usecase.name = form.name.trim().to_owned();
    usecase.account_id = form.account_id.clone();
    usecase.s3_bucket = form.s3_bucket.clone();
    usecase.cross_account_role_arn = some(&form.cross_account_role_arn);
    usecase.data_account_id = some(&form.data_account_id).filter(|_| form.separate_data_account);
    usecase.data_account_role_arn = some(&form.data_account_role_arn).filter(|_| form.separate_data_account);
    usecase.data_s3_bucket = some(&form.data_s3_bucket);
    usecase.data_s3_prefix = some(&form.data_s3_prefix);
    usecase.sagemaker_execution_role_arn = some(&form.sagemaker_role_arn);
    usecase.region = form.region.clone();
}

/// The form showing a stored usecase.
pub fn form_of(u: &Usecase) -> UsecaseForm {
    UsecaseForm {
        id: Some(u.id.clone()),
        name: u.name.clone(),
        account_id: u.account_id.clone(),
        s3_bucket: u.s3_bucket.clone(),
        cross_account_role_arn: u.cross_account_role_arn.clone().unwrap_or_default(),
        separate_data_account: u.data_account_role_arn.is_some(),
        data_account_id: u.data_account_id.clone().unwrap_or_default(),
        data_account_role_arn: u.data_account_role_arn.clone().unwrap_or_default(),
        data_s3_bucket: u.data_s3_bucket.clone().unwrap_or_default(),
        data_s3_prefix: u.data_s3_prefix.clone().unwrap_or_default(),
        sagemaker_role_arn: u.sagemaker_execution_role_arn.clone().unwrap_or_default(),
        region: u.region.clone(),
    }
}

/// The role's trust policy: the portal's principal may assume it only with the external ID.
pub fn trust_policy(portal_principal: &str, external_id: &str) -> String {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": portal_principal},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": external_id}}
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The role's permissions (the "Data Account Role" of the design).
pub fn permissions_policy() -> String {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": [
                "s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation", "s3:ListAllMyBuckets",
                "s3:PutBucketVersioning", "s3:GetBucketVersioning", "s3:PutEncryptionConfiguration",
                "s3:GetEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock",
                "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketCORS", "s3:GetBucketCORS",
                "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration",
                "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"
            ],
            "Resource": "*"
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A CloudFormation template that creates the role with both policies.
pub fn cloudformation(portal_principal: &str, external_id: &str) -> String {
    let doc = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Role that Dataport assumes to reach this account's data",
        "Resources": {
            "DataportDataAccessRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "DataportDataAccess",
                    "AssumeRolePolicyDocument": serde_json::from_str::<serde_json::Value>(&trust_policy(portal_principal, external_id)).unwrap_or_default(),
                    "Policies": [{
                        "PolicyName": "DataportDataAccess",
                        "PolicyDocument": serde_json::from_str::<serde_json::Value>(&permissions_policy()).unwrap_or_default()
                    }]
                }
            }
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["DataportDataAccessRole", "Arn"]}}}
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Verifies that the portal reaches the usecase's data bucket the way it
/// will for real: through its role (with the account checked), or with the
/// portal's own credentials when no role is configured.
pub async fn verify(gateway: &S3Gateway, usecase: &Usecase) -> Vec<SettingCheck> {
    let bucket = usecase.data_bucket().to_owned();
    match RoleRef::of(usecase) {
        Some(role) => {
            let account = usecase.data_account_id.clone().unwrap_or_else(|| usecase.account_id.clone());
            verify_data_access(gateway, &role, &account, &bucket).await
        }
        None => verify_bucket_access(gateway.portal_client(), &bucket).await,
    }
}
