//! Uploads straight from the browser to S3, for the upload panel: adapters
//! of the core's `uploads` services. The bytes never pass through the portal.

use crate::error::AppError;
use crate::ids::{UploadId, UsecaseId};
use crate::model::{Conflict, FileOffer, ObjectEntry, PartOffer, SentPart, SignedPart, UploadBatch, UploadLimits};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::actions::AuditAction;
#[cfg(feature = "ssr")]
use crate::core::uploads;
#[cfg(feature = "ssr")]
use crate::names::{BucketName, ObjectKey, Prefix};

/// Starts an upload session into `prefix`: checks that the user may write
/// there before any file is read, and tells the browser how to cut and pace it.
#[server(endpoint = "begin_upload")]
pub async fn begin_upload(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    files: u32,
    bytes: u64,
) -> Result<UploadLimits, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::BeginUpload).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::BeginUpload).await?;
    Ok(uploads::begin(&cx.state, &cx.principal, &usecase_id, &bucket, &prefix, files, bytes).await?)
}

/// Plans the upload of up to 100 files into `prefix`: one presigned PUT for
/// each small file, a multipart upload (new or resumed) for each large one.
#[server(endpoint = "batch_upload_urls", input = Json)]
pub async fn batch_upload_urls(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    conflict: Conflict,
    files: Vec<FileOffer>,
) -> Result<UploadBatch, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::StartUpload).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::StartUpload).await?;
    let place = uploads::BatchPlace { usecase_id, bucket, prefix, conflict };
    Ok(uploads::plan_batch(&cx.state, &cx.principal, place, files).await?)
}

/// Presigned UploadPart requests for a few parts of one of the user's uploads.
#[server(endpoint = "sign_parts", input = Json)]
pub async fn sign_parts(upload_id: UploadId, parts: Vec<PartOffer>) -> Result<Vec<SignedPart>, AppError> {
    let cx = Ctx::load().await?;
    Ok(uploads::sign_parts(&cx.state, &cx.principal, &upload_id, parts).await?)
}

/// Completes a multipart upload once every part is on S3 and records the file.
#[server(endpoint = "complete_multipart", input = Json)]
pub async fn complete_multipart(upload_id: UploadId, parts: Vec<SentPart>) -> Result<ObjectEntry, AppError> {
    let cx = Ctx::load().await?;
    Ok(uploads::complete_multipart(&cx.state, &cx.principal, &upload_id, parts).await?)
}

/// Records a file sent in one piece after checking that it arrived.
#[server(endpoint = "complete_upload")]
pub async fn complete_upload(usecase_id: UsecaseId, bucket: String, key: String) -> Result<ObjectEntry, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::Upload).await?;
    let key = cx.checked(ObjectKey::new(key), AuditAction::Upload).await?;
    Ok(uploads::complete_single(&cx.state, &cx.principal, &usecase_id, &bucket, &key).await?)
}

/// Cancels a multipart upload: S3 drops the parts it holds at once.
#[server(endpoint = "abort_upload")]
pub async fn abort_upload(upload_id: UploadId) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(uploads::abort_upload(&cx.state, &cx.principal, &upload_id).await?)
}

/// Whether the bucket's CORS rules let this portal's pages upload into `prefix`
/// (`fresh` reads them again instead of trusting the last half minute's answer).
#[server(endpoint = "check_upload_cors")]
pub async fn check_upload_cors(
    usecase_id: UsecaseId,
    bucket: String,
    prefix: String,
    #[server(default)] fresh: bool,
) -> Result<crate::model::CorsCheck, AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::CheckUploadCors).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::CheckUploadCors).await?;
    Ok(crate::core::bucket_cors::check(&cx.state, &cx.principal, &usecase_id, &bucket, &prefix, fresh).await?)
}

/// Adds the portal's CORS rule to the bucket, keeping its other rules (administrators).
#[server(endpoint = "allow_browser_uploads")]
pub async fn allow_browser_uploads(usecase_id: UsecaseId, bucket: String) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::AllowUploadCors).await?;
    Ok(crate::core::bucket_cors::allow_uploads(&cx.state, &cx.principal, &usecase_id, &bucket).await?)
}
