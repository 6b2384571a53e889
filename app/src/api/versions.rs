//! Versions and deleted files for the pages: adapters of the core's
//! `versions` services.

use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::DeletedListing;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::actions::AuditAction;
#[cfg(feature = "ssr")]
use crate::core::versions;
#[cfg(feature = "ssr")]
use crate::names::{BucketName, ObjectKey, Prefix};

/// Copies an older version of a file over it as its latest version; returns the new version's id.
#[server(endpoint = "restore_version")]
pub async fn restore_version(
    usecase_id: UsecaseId,
    bucket: String,
    key: String,
    version: String,
) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::RestoreVersion).await?;
    let key = cx.checked(ObjectKey::new(key), AuditAction::RestoreVersion).await?;
    Ok(versions::restore(&cx.state, &cx.principal, &usecase_id, &bucket, &key, &version).await?)
}

/// Brings a deleted file back as it was before its deletion.
#[server(endpoint = "undelete_file")]
pub async fn undelete_file(usecase_id: UsecaseId, bucket: String, key: String) -> Result<Vec<String>, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::Undelete).await?;
    let key = cx.checked(ObjectKey::new(key), AuditAction::Undelete).await?;
    let sel = crate::core::selection::Selection { usecase_id, bucket, keys: vec![key], folders: vec![] };
    Ok(versions::undelete(&cx.state, &cx.principal, sel).await?)
}

/// The deleted files of a folder, and its sub-folders.
#[server(endpoint = "deleted_files")]
pub async fn deleted_files(usecase_id: UsecaseId, bucket: String, prefix: String) -> Result<DeletedListing, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::ListDeleted).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::ListDeleted).await?;
    let query = crate::core::browse::FolderQuery { usecase_id, bucket, prefix, token: None, filter: None };
    Ok(versions::deleted_files(&cx.state, &cx.principal, query).await?)
}
