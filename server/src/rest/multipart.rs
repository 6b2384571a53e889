//! Large files in parts: part URLs signed on request, then completion or
//! cancellation, as the browser's upload engine does it.

use super::caller::{Caller, Input};
use super::data::FileOut;
use super::problem::Problem;
use app::api::state::AppState;
use app::core::storage::UPLOAD_URL_TTL;
use app::core::uploads;
use app::ids::UploadId;
use app::model::{PartOffer, SentPart};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A part about to be sent.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartRequest {
    /// Part number, 1 to the upload's `part_count`.
    pub number: u32,
    /// Base64 CRC32C of the part's bytes; S3 refuses bytes that do not match.
    pub crc32c: String,
}

/// Parts to sign.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartsRequest {
    /// Up to 32 parts.
    pub parts: Vec<PartRequest>,
}

/// A presigned UploadPart.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartUrl {
    /// Part number.
    pub number: u32,
    /// Where to PUT the part's bytes.
    pub upload_url: String,
    /// Headers to send exactly as given.
    pub headers: BTreeMap<String, String>,
}

/// Signed parts.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartUrls {
    /// One URL per part asked for.
    pub parts: Vec<PartUrl>,
    /// Seconds the URLs work.
    pub expires_in: u64,
}

/// Signs the URLs of some parts of a multipart upload.
#[utoipa::path(post, path = "/api/v1/uploads/{upload_id}/parts", tag = "transfers",
    params(("upload_id" = String, Path, description = "The upload's id from its plan")), request_body = PartsRequest,
    responses((status = 200, description = "The part URLs", body = PartUrls),
        (status = 404, description = "No such upload of yours", body = Problem)))]
pub async fn sign_parts(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(upload_id): Path<UploadId>,
    Input(body): Input<PartsRequest>,
) -> Result<Json<PartUrls>, Problem> {
    let offers = body.parts.into_iter().map(|x| PartOffer { number: x.number, crc32c: x.crc32c }).collect();
    let signed = uploads::sign_parts(&state, &p, &upload_id, offers).await?;
    let parts = signed
        .into_iter()
        .map(|s| PartUrl {
            number: s.number,
            upload_url: s.request.url,
            headers: s.request.headers.into_iter().collect(),
        })
        .collect();
    Ok(Json(PartUrls { parts, expires_in: UPLOAD_URL_TTL.as_secs() }))
}

/// A part that was sent.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SentPartIn {
    /// Part number.
    pub number: u32,
    /// The ETag S3 answered the part's PUT with.
    pub etag: String,
    /// The Base64 CRC32C the part was signed with.
    pub crc32c: String,
}

/// Every part of the upload.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CompleteRequest {
    /// All parts, in any order.
    pub parts: Vec<SentPartIn>,
}

/// Completes a multipart upload and records the file.
#[utoipa::path(post, path = "/api/v1/uploads/{upload_id}/complete", tag = "transfers",
    params(("upload_id" = String, Path, description = "The upload's id from its plan")), request_body = CompleteRequest,
    responses((status = 200, description = "The stored file", body = FileOut),
        (status = 400, description = "Parts missing or not matching", body = Problem),
        (status = 404, description = "No such upload of yours", body = Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(upload_id): Path<UploadId>,
    Input(body): Input<CompleteRequest>,
) -> Result<Json<FileOut>, Problem> {
    let parts = body.parts.into_iter().map(|x| SentPart { number: x.number, etag: x.etag, crc32c: x.crc32c }).collect();
    Ok(Json(uploads::complete_multipart(&state, &p, &upload_id, parts).await?.into()))
}

/// Cancels a multipart upload; S3 drops its parts at once.
#[utoipa::path(delete, path = "/api/v1/uploads/{upload_id}", tag = "transfers",
    params(("upload_id" = String, Path, description = "The upload's id from its plan")),
    responses((status = 204, description = "Cancelled"),
        (status = 404, description = "No such upload of yours", body = Problem),
        (status = 409, description = "It has finished already", body = Problem)))]
pub async fn abort(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(upload_id): Path<UploadId>,
) -> Result<StatusCode, Problem> {
    uploads::abort_upload(&state, &p, &upload_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
