//! Files by their record (seed 002): what the caller may read, downloads
//! by redirect, uploads and deletes, each through the object's own service.

use super::caller::{Caller, Input, Params, cursor, uncursor};
use super::data::{UploadOut, UploadRequest, plan_one};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::browse;
use app::core::deletion::{self, DeleteRequest};
use app::core::file_records::{self, FileFilter, FileView};
use app::ids::UsecaseId;
use app::names::{BucketName, ObjectKey};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An uploaded file.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FileRecordOut {
    /// File id.
    pub id: String,
    /// The usecase.
    pub usecase_id: String,
    /// Bucket.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Bytes.
    pub size: i64,
    /// MIME type.
    pub content_type: String,
    /// Who uploaded it (email).
    pub uploaded_by: String,
    /// When, RFC 3339 UTC.
    pub uploaded_at: String,
    /// S3's checksum, `crc32c:<base64>`, when it gave one.
    pub checksum: Option<String>,
}

impl From<FileView> for FileRecordOut {
    fn from(f: FileView) -> Self {
        FileRecordOut {
            id: f.id,
            usecase_id: f.usecase_id,
            bucket: f.bucket,
            key: f.key,
            size: f.size,
            content_type: f.content_type,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
            checksum: f.checksum,
        }
    }
}

/// A page of files, newest first.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FileList {
    /// The files.
    pub files: Vec<FileRecordOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Which files to list.
#[derive(Deserialize, IntoParams)]
pub struct FileParams {
    /// Only of this usecase.
    pub usecase_id: Option<String>,
    /// Only in this bucket.
    pub bucket: Option<String>,
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Most items (1 to 1000, 100 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// Uploaded files the caller may read now, newest first.
#[utoipa::path(get, path = "/api/v1/files", tag = "files", params(FileParams),
    responses((status = 200, description = "A page of files", body = FileList),
        (status = 401, description = "No valid token", body = Problem)))]
pub async fn list_files(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<FileParams>,
) -> Result<Json<FileList>, Problem> {
    let after = uncursor(q.next.as_deref())?
        .map(|c| {
            c.split_once(' ')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_owned())))
                .ok_or_else(|| Problem::invalid("next", "This is not a cursor of this list."))
        })
        .transpose()?;
    let limit = i64::from(q.limit.unwrap_or(100).clamp(1, 1000));
    let filter =
        FileFilter { usecase_id: q.usecase_id.map(UsecaseId::from), bucket: q.bucket, prefix: q.prefix, limit, after };
    let found = file_records::list(&state, &p, filter).await?;
    let next = (found.len() as i64 == limit)
        .then(|| found.last().map(|f| cursor(&format!("{} {}", f.cursor.0, f.cursor.1))))
        .flatten();
    Ok(Json(FileList { files: found.into_iter().map(FileRecordOut::from).collect(), next }))
}

async fn located(
    state: &AppState,
    p: &app::core::Principal,
    id: &str,
) -> Result<(UsecaseId, BucketName, ObjectKey), Problem> {
    let (usecase, bucket, key) = file_records::locate(state, p, id).await?;
    let bucket = BucketName::new(bucket).map_err(|e| Problem::from(app::core::CoreError::Internal(e)))?;
    let key = ObjectKey::new(key).map_err(|e| Problem::from(app::core::CoreError::Internal(e)))?;
    Ok((usecase, bucket, key))
}

/// Downloads a file: a redirect to a presigned GET that works for a few minutes.
#[utoipa::path(get, path = "/api/v1/files/{file_id}/download", tag = "files",
    params(("file_id" = String, Path, description = "File id")),
    responses((status = 303, description = "See the presigned URL in `Location`"),
        (status = 403, description = "No read grant on it now", body = Problem),
        (status = 404, description = "No such file in your organization", body = Problem)))]
pub async fn download_file(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(file_id): Path<String>,
) -> Result<Response, Problem> {
    let (usecase, bucket, key) = located(&state, &p, &file_id).await?;
    let url = browse::download_url(&state, &p, &usecase, &bucket, &key, None).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response())
}

/// A file to upload, recorded once `upload-complete` (or `complete`) says it arrived.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewFile {
    /// The usecase.
    pub usecase_id: String,
    /// What to upload, as for `upload-url`.
    #[serde(flatten)]
    pub file: UploadRequest,
}

/// Prepares the upload of one file, as `upload-url` does.
#[utoipa::path(post, path = "/api/v1/files", tag = "files", request_body = NewFile,
    responses((status = 200, description = "How to send the file", body = UploadOut),
        (status = 400, description = "A bad key, size or checksum", body = Problem),
        (status = 403, description = "No write grant there", body = Problem)))]
pub async fn create_file(
    State(state): State<AppState>,
    Caller(p): Caller,
    Input(body): Input<NewFile>,
) -> Result<Json<UploadOut>, Problem> {
    Ok(Json(plan_one(&state, &p, body.usecase_id.into(), body.file).await?))
}

/// Deletes a file, by the browser's delete rules.
#[utoipa::path(delete, path = "/api/v1/files/{file_id}", tag = "files",
    params(("file_id" = String, Path, description = "File id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "No delete grant on it", body = Problem),
        (status = 404, description = "No such file in your organization", body = Problem)))]
pub async fn delete_file(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(file_id): Path<String>,
) -> Result<StatusCode, Problem> {
    let (usecase_id, bucket, key) = located(&state, &p, &file_id).await?;
    let req = DeleteRequest { usecase_id, bucket, keys: vec![key], folders: Vec::new() };
    deletion::delete(&state, &p, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
