//! Usecases, buckets, folders and downloads: adapters of the core's
//! `browse` services for the pages.

use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{Listing, UsecaseSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::actions::AuditAction;
#[cfg(feature = "ssr")]
use crate::core::browse;
#[cfg(feature = "ssr")]
use crate::names::{BucketName, ObjectKey, Prefix};

/// The usecases of the signed-in user's organization.
#[server(endpoint = "list_usecases")]
pub async fn list_usecases() -> Result<Vec<UsecaseSummary>, AppError> {
    let cx = Ctx::load().await?;
    Ok(browse::list_usecases(&cx.state, &cx.principal).await?)
}

/// Every place the signed-in user may use: their grants in force and their home folders.
#[server(endpoint = "my_locations")]
pub async fn my_locations() -> Result<Vec<crate::model::Location>, AppError> {
    let cx = Ctx::load().await?;
    Ok(crate::core::locations::mine(&cx.state, &cx.principal).await?)
}

/// One usecase.
#[server(endpoint = "get_usecase")]
pub async fn get_usecase(usecase_id: UsecaseId) -> Result<UsecaseSummary, AppError> {
    let cx = Ctx::load().await?;
    Ok(browse::get_usecase(&cx.state, &cx.principal, &usecase_id).await?)
}

/// Buckets of a usecase that the user may see.
#[server(endpoint = "list_buckets")]
pub async fn list_buckets(usecase_id: UsecaseId) -> Result<Vec<String>, AppError> {
    let cx = Ctx::load().await?;
    Ok(browse::list_buckets(&cx.state, &cx.principal, &usecase_id).await?)
}

/// One page of a folder: sub-folders and files the user may see.
#[server(endpoint = "list_objects")]
pub async fn list_objects(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    token: Option<String>,
    filter: Option<String>,
) -> Result<Listing, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::ListObjects).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::ListObjects).await?;
    let query = browse::FolderQuery { usecase_id, bucket, prefix, token, filter };
    Ok(browse::list_objects(&cx.state, &cx.principal, query).await?)
}

/// A short-lived URL that downloads one object straight from S3.
#[server(endpoint = "download_url")]
pub async fn download_url(usecase_id: UsecaseId, bucket: String, key: String) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::Download).await?;
    let key = cx.checked(ObjectKey::new(key), AuditAction::Download).await?;
    Ok(browse::download_url(&cx.state, &cx.principal, &usecase_id, &bucket, &key, None).await?)
}

/// One file's details and a preview of its content.
#[server(endpoint = "file_details")]
pub async fn file_details(
    usecase_id: UsecaseId,
    bucket: String,
    key: String,
) -> Result<crate::model::ObjectDetails, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::ViewObject).await?;
    let key = cx.checked(ObjectKey::new(key), AuditAction::ViewObject).await?;
    Ok(crate::core::file_details::details(&cx.state, &cx.principal, &usecase_id, &bucket, &key).await?)
}

/// One stretch of a search by name through a folder and everything below it.
#[server(endpoint = "search_files")]
pub async fn search_files(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    words: String,
    token: Option<String>,
) -> Result<crate::model::SearchPage, AppError> {
    use crate::core::search;
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::SearchObjects).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::SearchObjects).await?;
    let query = search::SearchQuery { usecase_id, bucket, prefix, words, token };
    Ok(search::search(&cx.state, &cx.principal, query).await?)
}
