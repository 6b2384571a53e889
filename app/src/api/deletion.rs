//! Deleting objects and folders for the pages: adapters of the core's
//! `deletion` services.

use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::DeleteSummary;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::actions::AuditAction;
#[cfg(feature = "ssr")]
use crate::core::deletion::{self, DeleteRequest};
#[cfg(feature = "ssr")]
use crate::names::{BucketName, ObjectKey, Prefix};

/// Checks the names of a deletion, refusing (and auditing) any that is not a key or folder.
#[cfg(feature = "ssr")]
async fn request(
    cx: &Ctx,
    action: AuditAction,
    usecase_id: UsecaseId,
    bucket: String,
    keys: Vec<String>,
    folders: Vec<String>,
) -> Result<DeleteRequest, AppError> {
    let bucket = cx.checked(BucketName::new(bucket), action).await?;
    let mut checked_keys = Vec::with_capacity(keys.len());
    for key in keys {
        checked_keys.push(cx.checked(ObjectKey::new(key), action).await?);
    }
    let mut checked_folders = Vec::with_capacity(folders.len());
    for folder in folders {
        checked_folders.push(cx.checked(Prefix::new(folder), action).await?);
    }
    Ok(DeleteRequest { usecase_id, bucket, keys: checked_keys, folders: checked_folders })
}

/// How many objects and bytes deleting these keys and folders would remove.
#[server(endpoint = "preview_delete")]
pub async fn preview_delete(
    usecase_id: UsecaseId,
    bucket: String,
    #[server(default)] keys: Vec<String>,
    #[server(default)] folders: Vec<String>,
) -> Result<DeleteSummary, AppError> {
    let cx = Ctx::load().await?;
    let req = request(&cx, AuditAction::PreviewDelete, usecase_id, bucket, keys, folders).await?;
    Ok(deletion::preview(&cx.state, &cx.principal, req).await?)
}

/// Deletes the keys and folders (with everything under them), then shows
/// the folder `back_to` again.
#[server(endpoint = "delete_objects")]
pub async fn delete_objects(
    usecase_id: UsecaseId,
    bucket: String,
    #[server(default)] keys: Vec<String>,
    #[server(default)] folders: Vec<String>,
    #[server(default)] back_to: String,
) -> Result<DeleteSummary, AppError> {
    let cx = Ctx::load().await?;
    let back = crate::url::folder_href(&usecase_id, &bucket, &back_to);
    let req = request(&cx, AuditAction::DeleteObjects, usecase_id, bucket, keys, folders).await?;
    let done = deletion::delete(&cx.state, &cx.principal, req).await?;
    leptos_axum::redirect(&back);
    Ok(done)
}
