//! Bucket and folder management for the pages: adapters of the core's
//! `buckets` services.

use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{BucketReport, SettingCheck, TrainingAccess, UsecaseSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::actions::AuditAction;
#[cfg(feature = "ssr")]
use crate::core::buckets;
#[cfg(feature = "ssr")]
use crate::names::{BucketName, Prefix};

/// Creates a bucket for a usecase (or, with `adopt`, takes over one the
/// account already owns) and applies the recommended settings.
#[server(endpoint = "create_bucket")]
pub async fn create_bucket(
    usecase_id: UsecaseId,
    name: String,
    region: String,
    adopt: bool,
) -> Result<BucketReport, AppError> {
    let cx = Ctx::load().await?;
    Ok(buckets::create_bucket(&cx.state, &cx.principal, &usecase_id, &name, &region, adopt).await?)
}

/// Applies the recommended settings to an existing bucket again (idempotent).
#[server(endpoint = "apply_bucket_settings")]
pub async fn apply_bucket_settings(usecase_id: UsecaseId, bucket: String) -> Result<BucketReport, AppError> {
    let cx = Ctx::load().await?;
    Ok(buckets::apply_settings(&cx.state, &cx.principal, &usecase_id, &bucket).await?)
}

/// Creates an empty folder `name/` inside `prefix`.
#[server(endpoint = "create_folder")]
pub async fn create_folder(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    name: String,
) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::CreateFolder).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::CreateFolder).await?;
    Ok(buckets::create_folder(&cx.state, &cx.principal, &usecase_id, &bucket, &prefix, &name).await?)
}

/// Makes a folder of a bucket the usecase's data source.
#[server(endpoint = "set_data_source")]
pub async fn set_data_source(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
) -> Result<UsecaseSummary, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::SetDataSource).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::SetDataSource).await?;
    Ok(buckets::set_data_source(&cx.state, &cx.principal, &usecase_id, &bucket, &prefix).await?)
}

/// Sets (or, with an empty ARN, clears) the usecase's SageMaker execution role.
#[server(endpoint = "set_training_role")]
pub async fn set_training_role(usecase_id: UsecaseId, role_arn: String) -> Result<UsecaseSummary, AppError> {
    let cx = Ctx::load().await?;
    Ok(buckets::set_training_role(&cx.state, &cx.principal, &usecase_id, &role_arn).await?)
}

/// The statements that would give the usecase's SageMaker role access to `bucket`.
#[server(endpoint = "show_training_access")]
pub async fn show_training_access(usecase_id: UsecaseId, bucket: String) -> Result<TrainingAccess, AppError> {
    let cx = Ctx::load().await?;
    Ok(buckets::show_training_access(&cx.state, &cx.principal, &usecase_id, &bucket).await?)
}

/// Merges the training-access statements into the bucket's policy, keeping the others.
#[server(endpoint = "apply_training_access")]
pub async fn apply_training_access(usecase_id: UsecaseId, bucket: String) -> Result<SettingCheck, AppError> {
    let cx = Ctx::load().await?;
    Ok(buckets::apply_training_access(&cx.state, &cx.principal, &usecase_id, &bucket).await?)
}
