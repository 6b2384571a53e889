//! Managing a usecase's buckets and folders: create a bucket with the
//! recommended settings (or adopt one), repair its settings, make folders,
//! choose the usecase's data source, and give its SageMaker role access.

use super::browse::summary;
use super::bucket_settings::{self, BucketSetup};
use super::db::Conn;
use super::db::models::Usecase;
use super::db::schema::usecases;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::usecase_buckets::{self, Origin};
use super::{CoreError, storage};
use crate::core::actions::AuditAction;
use crate::ids::UsecaseId;
use crate::model::{BucketReport, SettingCheck, TrainingAccess, UsecaseSummary};
use crate::names::{BucketName, Prefix};
use diesel::prelude::*;

fn setup_for(s: &Services, usecase: &Usecase, name: &str, region: &str) -> BucketSetup {
    BucketSetup {
        name: name.to_owned(),
        region: region.to_owned(),
        origins: s.config.browser_origins.clone(),
        sagemaker_role_arn: usecase.sagemaker_execution_role_arn.clone(),
        kms_key_arn: None,
        on_aws: s.s3.settings().endpoint.is_none(),
    }
}

fn describe(report: &BucketReport) -> String {
    let failed: Vec<&str> = report.checks.iter().filter(|c| !c.ok).map(|c| c.setting.as_str()).collect();
    let verb = if report.created { "created" } else { "adopted" };
    if failed.is_empty() {
        format!("{verb}; all settings applied")
    } else {
        format!("{verb}; failed: {}", failed.join(", "))
    }
}

/// Creates a bucket for a usecase (or, with `adopt`, takes over one the
/// account already owns) and applies the recommended settings.
pub async fn create_bucket(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    name: &str,
    region: &str,
    adopt: bool,
) -> Result<BucketReport, CoreError> {
    let g = Guard::new(s, p, AuditAction::CreateBucket);
    let name = name.trim();
    let (usecase, target, _) = g.object(usecase_id, name, "").await?;
    let client = g.s3(&target, &usecase).await?;
    let result = match bucket_settings::create_bucket(&client, &setup_for(s, &usecase, name, region), adopt).await {
        Ok(report) => {
            let origin = if report.created { Origin::Created } else { Origin::Adopted };
            let (u, b) = (usecase.clone(), name.to_owned());
            s.db.run(move |c| usecase_buckets::record(c, &u, &b, origin)).await.map(|()| report)
        }
        Err(e) => Err(e),
    };
    g.finish(&target, result, describe).await
}

/// Applies the recommended settings to an existing bucket again (idempotent).
pub async fn apply_settings(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &str,
) -> Result<BucketReport, CoreError> {
    let g = Guard::new(s, p, AuditAction::ConfigureBucket);
    let (usecase, target, _) = g.object(usecase_id, bucket, "").await?;
    let client = g.s3(&target, &usecase).await?;
    let checks = bucket_settings::apply_settings(&client, &setup_for(s, &usecase, bucket, &usecase.region)).await;
    g.finish(&target, Ok(BucketReport { bucket: bucket.to_owned(), created: false, checks }), describe).await
}

/// Creates an empty folder `name/` inside `prefix`; returns its key.
pub async fn create_folder(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    prefix: &Prefix,
    name: &str,
) -> Result<String, CoreError> {
    let g = Guard::new(s, p, AuditAction::CreateFolder);
    let key = g.screened(folder_key(prefix, name)).await?;
    let (usecase, target, _) = g.object(usecase_id, bucket, &key).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = storage::create_folder(&client, bucket, &key).await.map(|()| key.to_string());
    g.finish(&target, result, |_| String::new()).await
}

/// Changes the usecase row `id` with `change` and reads it back.
async fn update_usecase(
    s: &Services,
    id: &UsecaseId,
    change: impl FnOnce(&mut Conn, &UsecaseId) -> QueryResult<usize> + Send + 'static,
) -> Result<UsecaseSummary, CoreError> {
    let id = id.to_owned();
    s.db.run(move |c| {
        change(c, &id)?;
        Ok(usecases::table.find(&id).select(Usecase::as_select()).first(c)?)
    })
    .await
    .map(|u| summary(&u))
}

/// Makes a folder of a bucket the usecase's data source.
pub async fn set_data_source(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    prefix: &Prefix,
) -> Result<UsecaseSummary, CoreError> {
    let g = Guard::new(s, p, AuditAction::SetDataSource);
    let (usecase, target, _) = g.object(usecase_id, bucket, prefix).await?;
    let (b, pre) = (bucket.to_string(), prefix.to_string());
    let result = update_usecase(s, &usecase.id, move |c, id| {
        let values = (usecases::data_s3_bucket.eq(Some(b)), usecases::data_s3_prefix.eq(Some(pre)));
        diesel::update(usecases::table.find(id)).set(values).execute(c)
    })
    .await;
    g.finish(&target, result, |u| format!("s3://{}/{}", u.data_bucket, u.data_prefix)).await
}

/// Sets (or, with an empty ARN, clears) the usecase's SageMaker execution role.
pub async fn set_training_role(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    role_arn: &str,
) -> Result<UsecaseSummary, CoreError> {
    let g = Guard::new(s, p, AuditAction::SetTrainingRole);
    let usecase = g.usecase(usecase_id).await?;
    let role_arn = role_arn.trim();
    if let Some(problem) = Some(role_arn).filter(|a| !a.is_empty()).and_then(crate::rules::role_arn_problem) {
        return g.screened(Err(CoreError::Invalid(problem))).await;
    }
    let target = Target::Usecase(usecase.clone());
    g.authorize(&target).await?;
    let value = Some(role_arn.to_owned()).filter(|a| !a.is_empty());
    let result = update_usecase(s, &usecase.id, move |c, id| {
        diesel::update(usecases::table.find(id)).set(usecases::sagemaker_execution_role_arn.eq(value)).execute(c)
    })
    .await;
    g.finish(&target, result, |u| u.sagemaker_role_arn.clone()).await
}

/// The statements that would give the usecase's SageMaker role access to `bucket`.
pub async fn show_training_access(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &str,
) -> Result<TrainingAccess, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewTrainingAccess);
    let (usecase, target, _) = g.object(usecase_id, bucket, "").await?;
    let role = usecase.sagemaker_execution_role_arn.clone();
    let on_aws = s.s3.settings().endpoint.is_none();
    let statements = bucket_settings::managed_statements(bucket, role.as_deref(), on_aws);
    let access =
        TrainingAccess { role_arn: role, statements: serde_json::to_string_pretty(&statements).unwrap_or_default() };
    g.finish(&target, Ok(access), |_| String::new()).await
}

/// Merges the training-access statements into the bucket's policy, keeping the others.
pub async fn apply_training_access(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &str,
) -> Result<SettingCheck, CoreError> {
    let g = Guard::new(s, p, AuditAction::ApplyTrainingAccess);
    let (usecase, target, _) = g.object(usecase_id, bucket, "").await?;
    let client = g.s3(&target, &usecase).await?;
    let check = bucket_settings::apply_training_access(&client, &setup_for(s, &usecase, bucket, &usecase.region)).await;
    let result = if check.ok { Ok(check) } else { Err(CoreError::Storage(check.message)) };
    g.finish(&target, result, |c| c.message.clone()).await
}

/// The key of folder `name` inside `prefix`, once the name passes its checks.
fn folder_key(prefix: &Prefix, name: &str) -> Result<Prefix, CoreError> {
    if let Some(problem) = crate::rules::folder_name_problem(name) {
        return Err(CoreError::Invalid(problem));
    }
    Prefix::new(format!("{prefix}{}/", name.trim_end_matches('/'))).map_err(CoreError::Invalid)
}
