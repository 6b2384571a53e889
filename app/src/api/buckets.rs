//! Bucket and folder management: create buckets with the recommended
//! settings, repair them, make folders, choose a usecase's data source.

use crate::error::AppError;
use crate::model::{BucketReport, SettingCheck, TrainingAccess, UsecaseSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::{Ctx, Target};
#[cfg(feature = "ssr")]
use crate::core::authz::Action;
#[cfg(feature = "ssr")]
use crate::core::buckets::{self, BucketSetup};
#[cfg(feature = "ssr")]
use crate::core::db::models::Usecase;

#[cfg(feature = "ssr")]
fn setup_for(cx: &Ctx, usecase: &Usecase, name: &str, region: &str) -> BucketSetup {
    BucketSetup {
        name: name.to_owned(),
        region: region.to_owned(),
        origins: cx.state.config.browser_origins.clone(),
        sagemaker_role_arn: usecase.sagemaker_execution_role_arn.clone(),
        kms_key_arn: None,
        on_aws: cx.state.s3.settings().endpoint.is_none(),
    }
}

#[cfg(feature = "ssr")]
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
#[server(endpoint = "create_bucket")]
pub async fn create_bucket(
    usecase_id: String,
    name: String,
    region: String,
    adopt: bool,
) -> Result<BucketReport, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("bucket.create", &usecase_id).await?;
    let name = name.trim().to_owned();
    let target = Target::Object { usecase: usecase.clone(), bucket: name.clone(), key: String::new() };
    cx.authorize("bucket.create", Action::ManageBuckets, &target).await?;
    let setup = setup_for(&cx, &usecase, &name, &region);
    let client = cx.s3("bucket.create", &target, &usecase).await?;
    let result = buckets::create_bucket(&client, &setup, adopt).await;
    cx.finish("bucket.create", &target, result, describe).await
}

/// Applies the recommended settings to an existing bucket again (idempotent).
#[server(endpoint = "apply_bucket_settings")]
pub async fn apply_bucket_settings(usecase_id: String, bucket: String) -> Result<BucketReport, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("bucket.configure", &usecase_id).await?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: String::new() };
    cx.authorize("bucket.configure", Action::ManageBuckets, &target).await?;
    let setup = setup_for(&cx, &usecase, &bucket, &usecase.region);
    let client = cx.s3("bucket.configure", &target, &usecase).await?;
    let checks = buckets::apply_settings(&client, &setup).await;
    let report = BucketReport { bucket, created: false, checks };
    cx.finish("bucket.configure", &target, Ok(report), describe).await
}

/// Creates an empty folder `name/` inside `prefix`.
#[server(endpoint = "create_folder")]
pub async fn create_folder(
    usecase_id: String,
    bucket: String,
    prefix: String,
    name: String,
) -> Result<String, AppError> {
    use crate::core::storage;
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("folder.create", &usecase_id).await?;
    storage::validate_prefix(&prefix)?;
    if let Some(problem) = crate::rules::folder_name_problem(&name) {
        return Err(AppError::Invalid(problem));
    }
    let key = format!("{prefix}{}/", name.trim_end_matches('/'));
    storage::validate_key(&key)?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: key.clone() };
    cx.authorize("folder.create", Action::WriteObject, &target).await?;
    let client = cx.s3("folder.create", &target, &usecase).await?;
    let result = storage::create_folder(&client, &bucket, &key).await.map(|()| key);
    cx.finish("folder.create", &target, result, |_| String::new()).await
}

/// Makes a folder of a bucket the usecase's data source.
#[server(endpoint = "set_data_source")]
pub async fn set_data_source(usecase_id: String, bucket: String, prefix: String) -> Result<UsecaseSummary, AppError> {
    use crate::core::db::schema::usecases;
    use crate::core::storage;
    use diesel::prelude::*;
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("usecase.data_source", &usecase_id).await?;
    storage::validate_prefix(&prefix)?;
    if let Some(problem) = crate::rules::bucket_name_problem(&bucket) {
        return Err(AppError::Invalid(problem));
    }
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: prefix.clone() };
    cx.authorize("usecase.data_source", Action::ManageUsecase, &target).await?;
    let id = usecase.id.clone();
    let result = cx
        .state
        .db
        .run(move |c| {
            diesel::update(usecases::table.find(&id))
                .set((usecases::data_s3_bucket.eq(Some(bucket)), usecases::data_s3_prefix.eq(Some(prefix))))
                .execute(c)?;
            Ok(usecases::table.find(&id).select(Usecase::as_select()).first(c)?)
        })
        .await
        .map(|u| super::data::summary(&u));
    cx.finish("usecase.data_source", &target, result, |s| format!("s3://{}/{}", s.data_bucket, s.data_prefix)).await
}

/// Sets (or, with an empty ARN, clears) the usecase's SageMaker execution role.
#[server(endpoint = "set_training_role")]
pub async fn set_training_role(usecase_id: String, role_arn: String) -> Result<UsecaseSummary, AppError> {
    use crate::core::db::schema::usecases;
    use diesel::prelude::*;
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("usecase.training_role", &usecase_id).await?;
    let role_arn = role_arn.trim().to_owned();
    if let Some(problem) = Some(&role_arn).filter(|a| !a.is_empty()).and_then(|a| crate::rules::role_arn_problem(a)) {
        return Err(AppError::Invalid(problem));
    }
    let target = Target::Usecase(usecase.clone());
    cx.authorize("usecase.training_role", Action::ManageUsecase, &target).await?;
    let id = usecase.id.clone();
    let value = Some(role_arn).filter(|a| !a.is_empty());
    let result = cx
        .state
        .db
        .run(move |c| {
            diesel::update(usecases::table.find(&id))
                .set(usecases::sagemaker_execution_role_arn.eq(value))
                .execute(c)?;
            Ok(usecases::table.find(&id).select(Usecase::as_select()).first(c)?)
        })
        .await
        .map(|u| super::data::summary(&u));
    cx.finish("usecase.training_role", &target, result, |s| s.sagemaker_role_arn.clone()).await
}

/// The statements that would give the usecase's SageMaker role access to `bucket`.
#[server(endpoint = "show_training_access")]
pub async fn show_training_access(usecase_id: String, bucket: String) -> Result<TrainingAccess, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("bucket.training_access.view", &usecase_id).await?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: String::new() };
    cx.authorize("bucket.training_access.view", Action::ManageBuckets, &target).await?;
    let on_aws = cx.state.s3.settings().endpoint.is_none();
    let role = usecase.sagemaker_execution_role_arn.clone();
    let statements = buckets::managed_statements(&bucket, role.as_deref(), on_aws);
    let text = serde_json::to_string_pretty(&statements).unwrap_or_default();
    let access = TrainingAccess { role_arn: role, statements: text };
    cx.finish("bucket.training_access.view", &target, Ok(access), |_| String::new()).await
}

/// Merges the training-access statements into the bucket's policy, keeping the others.
#[server(endpoint = "apply_training_access")]
pub async fn apply_training_access(usecase_id: String, bucket: String) -> Result<SettingCheck, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("bucket.training_access", &usecase_id).await?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: String::new() };
    cx.authorize("bucket.training_access", Action::ManageBuckets, &target).await?;
    let setup = setup_for(&cx, &usecase, &bucket, &usecase.region);
    let client = cx.s3("bucket.training_access", &target, &usecase).await?;
    let check = buckets::apply_training_access(&client, &setup).await;
    let result = if check.ok { Ok(check) } else { Err(crate::core::CoreError::Storage(check.message)) };
    cx.finish("bucket.training_access", &target, result, |c| c.message.clone()).await
}
