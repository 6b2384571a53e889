//! Folders, files and transfers of a usecase's buckets: the same services
//! the folder browser and the upload engine call.

use super::caller::{Caller, Input, Params, checked, cursor, uncursor};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::actions::AuditAction;
use app::core::browse::{self, FolderQuery};
use app::core::deletion::{self, DeleteRequest};
use app::core::storage::{DOWNLOAD_URL_TTL, UPLOAD_URL_TTL};
use app::core::{buckets, uploads};
use app::ids::UsecaseId;
use app::model::{Conflict, FileOffer, FilePlan, ObjectEntry, UploadPlan};
use app::names::{BucketName, ObjectKey, Prefix};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Which folder to list.
#[derive(Deserialize, IntoParams)]
pub struct FolderParams {
    /// Bucket name.
    pub bucket: String,
    /// The folder, ending in `/` (empty: the top of the bucket).
    #[serde(default)]
    pub prefix: String,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// A sub-folder.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FolderOut {
    /// Its name, ending in `/`.
    pub name: String,
    /// Its full path in the bucket.
    pub path: String,
}

impl FolderOut {
    fn at(path: String) -> Self {
        let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
        FolderOut { name: format!("{name}/"), path }
    }
}

/// A file.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FileOut {
    /// Its name.
    pub name: String,
    /// Its full key in the bucket.
    pub key: String,
    /// Bytes.
    pub size: i64,
    /// Last change, RFC 3339.
    pub last_modified: Option<String>,
}

impl From<ObjectEntry> for FileOut {
    fn from(e: ObjectEntry) -> Self {
        FileOut { name: e.name, key: e.key, size: e.size, last_modified: e.last_modified }
    }
}

/// A page of a folder.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FolderListing {
    /// Bucket name.
    pub bucket: String,
    /// The listed folder.
    pub prefix: String,
    /// Sub-folders the caller may see.
    pub folders: Vec<FolderOut>,
    /// Files at this level.
    pub files: Vec<FileOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Lists a folder: its sub-folders and files, as far as the caller's grants reach.
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}/data/folders", tag = "data",
    params(("usecase_id" = String, Path, description = "Usecase id"), FolderParams),
    responses((status = 200, description = "A page of the folder", body = FolderListing),
        (status = 400, description = "A bad bucket name or prefix", body = Problem),
        (status = 403, description = "No list grant here", body = Problem)))]
pub async fn list_folder(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Params(q): Params<FolderParams>,
) -> Result<Json<FolderListing>, Problem> {
    let action = AuditAction::ListObjects;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(q.bucket)).await?;
    let prefix = checked(&state, &p, action, "prefix", Prefix::new(q.prefix)).await?;
    let token = uncursor(q.next.as_deref())?;
    let query = FolderQuery { usecase_id, bucket: bucket.clone(), prefix, token, filter: None };
    let listing = browse::list_objects(&state, &p, query).await?;
    Ok(Json(FolderListing {
        bucket: bucket.to_string(),
        prefix: listing.prefix,
        folders: listing.folders.into_iter().map(FolderOut::at).collect(),
        files: listing.files.into_iter().map(FileOut::from).collect(),
        next: listing.next_token.as_deref().map(cursor),
    }))
}

/// A folder to create.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewFolder {
    /// Bucket name.
    pub bucket: String,
    /// The new folder's full path, such as `datasets/new-project/`.
    pub folder_path: String,
}

/// Creates a folder.
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/folders", tag = "data",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = NewFolder,
    responses((status = 201, description = "Created", body = FolderOut),
        (status = 400, description = "A bad name", body = Problem),
        (status = 403, description = "No write grant here", body = Problem),
        (status = 409, description = "It exists", body = Problem)))]
pub async fn create_folder(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<NewFolder>,
) -> Result<(StatusCode, Json<FolderOut>), Problem> {
    let action = AuditAction::CreateFolder;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let path = body.folder_path.trim_end_matches('/');
    let (parent, name) = match path.rsplit_once('/') {
        Some((parent, name)) => (format!("{parent}/"), name),
        None => (String::new(), path),
    };
    let parent = checked(&state, &p, action, "folder_path", Prefix::new(parent)).await?;
    let made = buckets::create_folder(&state, &p, &usecase_id, &bucket, &parent, name).await?;
    Ok((StatusCode::CREATED, Json(FolderOut::at(made))))
}

/// A file to upload.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UploadRequest {
    /// Bucket name.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// Bytes the file has; signed into the URL, so S3 takes exactly this many.
    pub size: u64,
    /// MIME type (`application/octet-stream` when not given).
    #[serde(default)]
    pub content_type: String,
    /// Base64 CRC32C of the file; when given, S3 refuses bytes that do not match.
    pub crc32c: Option<String>,
    /// What to do when the key exists: `Overwrite` (the default), `Skip` or `KeepBoth`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub conflict: Conflict,
}

/// How to send one file: a presigned PUT, or a multipart upload whose part URLs are signed on request.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UploadOut {
    /// `single` (one PUT to `upload_url`), `multipart` (parts through `/uploads/{upload_id}/parts`)
    /// or `skipped` (the key exists and `conflict` said skip).
    pub kind: String,
    /// The key the object will have.
    pub key: String,
    /// The file's name as it was offered, in a batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// For `single`: where to PUT the bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// For `single`: headers to send exactly as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Seconds the URL works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// For `multipart`: the portal's id of the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// For `multipart`: bytes per part (the last may be shorter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_size: Option<u64>,
    /// For `multipart`: the number of parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_count: Option<u32>,
}

fn single(plan: UploadPlan) -> UploadOut {
    UploadOut {
        kind: "single".into(),
        key: plan.key,
        filename: None,
        upload_url: Some(plan.url),
        headers: Some(plan.headers.into_iter().collect()),
        expires_in: Some(UPLOAD_URL_TTL.as_secs()),
        upload_id: None,
        part_size: None,
        part_count: None,
    }
}

impl From<FilePlan> for UploadOut {
    fn from(plan: FilePlan) -> Self {
        let bare = |kind: &str, key: String| UploadOut {
            kind: kind.into(),
            key,
            filename: None,
            upload_url: None,
            headers: None,
            expires_in: None,
            upload_id: None,
            part_size: None,
            part_count: None,
        };
        match plan {
            FilePlan::Skip { key } => bare("skipped", key),
            FilePlan::Single(p) => single(p),
            FilePlan::Multipart { key, upload_id, part_size, part_count, .. } => UploadOut {
                upload_id: Some(upload_id.to_string()),
                part_size: Some(part_size),
                part_count: Some(part_count),
                ..bare("multipart", key)
            },
        }
    }
}

fn offer(path: String, size: u64, content_type: String, crc32c: Option<String>) -> FileOffer {
    FileOffer { path, size, content_type, modified: 0, crc32c }
}

/// Prepares the upload of one file: a presigned PUT, or for a large file a multipart plan.
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/upload-url", tag = "transfers",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = UploadRequest,
    responses((status = 200, description = "How to send the file", body = UploadOut),
        (status = 400, description = "A bad key, size or checksum", body = Problem),
        (status = 403, description = "No write grant here", body = Problem)))]
pub async fn upload_url(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<UploadRequest>,
) -> Result<Json<UploadOut>, Problem> {
    Ok(Json(plan_one(&state, &p, usecase_id, body).await?))
}

/// Plans the upload of one file, as `upload-url` and `POST /files` answer it.
pub async fn plan_one(
    state: &AppState,
    p: &app::core::Principal,
    usecase_id: UsecaseId,
    body: UploadRequest,
) -> Result<UploadOut, Problem> {
    let action = AuditAction::StartUpload;
    let bucket = checked(state, p, action, "bucket", BucketName::new(body.bucket)).await?;
    let key = checked(state, p, action, "key", ObjectKey::new(body.key)).await?;
    let place = uploads::BatchPlace { usecase_id, bucket, prefix: Prefix::top(), conflict: body.conflict };
    let file = offer(key.to_string(), body.size, body.content_type, body.crc32c);
    let mut batch = uploads::plan_batch(state, p, place, vec![file]).await?;
    let plan = batch.plans.pop().ok_or_else(|| Problem::from(app::core::CoreError::Internal("no plan".into())))?;
    Ok(plan.into())
}

/// One file of a batch.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BatchFile {
    /// Its path below the batch's prefix.
    pub filename: String,
    /// Bytes.
    pub size: u64,
    /// MIME type.
    #[serde(default)]
    pub content_type: String,
    /// Base64 CRC32C, optional.
    pub crc32c: Option<String>,
}

/// Files to upload into one folder.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BatchRequest {
    /// Bucket name.
    pub bucket: String,
    /// The folder they go into, ending in `/`.
    #[serde(default)]
    pub prefix: String,
    /// Up to 100 files.
    pub files: Vec<BatchFile>,
    /// What to do when a key exists: `Overwrite`, `Skip` or `KeepBoth`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub conflict: Conflict,
}

/// How to send each file of a batch.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BatchOut {
    /// One plan per file, in order.
    pub uploads: Vec<UploadOut>,
    /// Seconds the URLs work.
    pub expires_in: u64,
}

/// Prepares the upload of up to 100 files into one folder; one bad name refuses the batch.
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/batch-upload-urls", tag = "transfers",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = BatchRequest,
    responses((status = 200, description = "How to send each file", body = BatchOut),
        (status = 400, description = "A bad name, size or checksum", body = Problem),
        (status = 403, description = "No write grant here", body = Problem)))]
pub async fn batch_upload_urls(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<BatchRequest>,
) -> Result<Json<BatchOut>, Problem> {
    let action = AuditAction::StartUpload;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let prefix = checked(&state, &p, action, "prefix", Prefix::new(body.prefix)).await?;
    let names: Vec<String> = body.files.iter().map(|f| f.filename.clone()).collect();
    let offers = body.files.into_iter().map(|f| offer(f.filename, f.size, f.content_type, f.crc32c)).collect();
    let place = uploads::BatchPlace { usecase_id, bucket, prefix, conflict: body.conflict };
    let batch = uploads::plan_batch(&state, &p, place, offers).await?;
    let uploads = batch
        .plans
        .into_iter()
        .zip(names)
        .map(|(plan, name)| UploadOut { filename: Some(name), ..plan.into() })
        .collect();
    Ok(Json(BatchOut { uploads, expires_in: UPLOAD_URL_TTL.as_secs() }))
}

/// A file sent with a single PUT, to be recorded.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SentFile {
    /// Bucket name.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// Records a file sent with a single PUT after checking that it arrived.
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/upload-complete", tag = "transfers",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = SentFile,
    responses((status = 200, description = "The stored file", body = FileOut),
        (status = 404, description = "Nothing arrived under this key", body = Problem)))]
pub async fn complete_upload(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<SentFile>,
) -> Result<Json<FileOut>, Problem> {
    let action = AuditAction::Upload;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let key = checked(&state, &p, action, "key", ObjectKey::new(body.key)).await?;
    Ok(Json(uploads::complete_single(&state, &p, &usecase_id, &bucket, &key).await?.into()))
}

/// A file to download.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DownloadRequest {
    /// Bucket name.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// A presigned GET.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DownloadOut {
    /// Where to GET the file.
    pub download_url: String,
    /// Seconds the URL works.
    pub expires_in: u64,
}

/// A short-lived URL that downloads one file straight from S3.
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/download-url", tag = "transfers",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = DownloadRequest,
    responses((status = 200, description = "The URL", body = DownloadOut),
        (status = 403, description = "No read grant here", body = Problem)))]
pub async fn download_url(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<DownloadRequest>,
) -> Result<Json<DownloadOut>, Problem> {
    let action = AuditAction::Download;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let key = checked(&state, &p, action, "key", ObjectKey::new(body.key)).await?;
    let url = browse::download_url(&state, &p, &usecase_id, &bucket, &key, None).await?;
    Ok(Json(DownloadOut { download_url: url, expires_in: DOWNLOAD_URL_TTL.as_secs() }))
}

/// What to delete: keys, a folder with everything under it, or both.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DeleteObjects {
    /// Bucket name.
    pub bucket: String,
    /// Object keys.
    #[serde(default)]
    pub keys: Vec<String>,
    /// A folder (ending in `/`) to delete with everything under it.
    pub prefix: Option<String>,
}

/// What a deletion removed.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Deleted {
    /// Objects removed.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The bucket keeps versions: old versions stay behind delete markers.
    pub versioned: bool,
}

/// Deletes objects, or a folder with everything under it, by the browser's delete rules.
#[utoipa::path(delete, path = "/api/v1/usecases/{usecase_id}/data/objects", tag = "data",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = DeleteObjects,
    responses((status = 200, description = "What was removed", body = Deleted),
        (status = 400, description = "A bad key or prefix, or nothing named", body = Problem),
        (status = 403, description = "No delete grant on all of it", body = Problem)))]
pub async fn delete_objects(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<DeleteObjects>,
) -> Result<Json<Deleted>, Problem> {
    let action = AuditAction::DeleteObjects;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let mut keys = Vec::with_capacity(body.keys.len());
    for key in body.keys {
        keys.push(checked(&state, &p, action, "keys", ObjectKey::new(key)).await?);
    }
    let mut folders = Vec::new();
    if let Some(prefix) = body.prefix {
        folders.push(checked(&state, &p, action, "prefix", Prefix::new(prefix)).await?);
    }
    let req = DeleteRequest { usecase_id, bucket, keys, folders };
    let done = deletion::delete(&state, &p, req).await?;
    Ok(Json(Deleted { objects: done.objects, bytes: done.bytes, versioned: done.versioned }))
}

/// Which folder of the bucket in the path to list.
#[derive(Deserialize, IntoParams)]
pub struct PrefixParams {
    /// The folder, ending in `/` (empty: the top of the bucket).
    #[serde(default)]
    pub prefix: String,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// Lists a folder of a bucket in the usecase's data account (the same as `data/folders`).
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}/data-account/buckets/{bucket}/folders", tag = "usecases",
    params(("usecase_id" = String, Path, description = "Usecase id"),
        ("bucket" = String, Path, description = "Bucket name"), PrefixParams),
    responses((status = 200, description = "A page of the folder", body = FolderListing),
        (status = 400, description = "A bad bucket name or prefix", body = Problem),
        (status = 403, description = "No list grant here", body = Problem)))]
pub async fn data_account_folders(
    state: State<AppState>,
    caller: Caller,
    Path((usecase_id, bucket)): Path<(UsecaseId, String)>,
    Params(q): Params<PrefixParams>,
) -> Result<Json<FolderListing>, Problem> {
    let q = FolderParams { bucket, prefix: q.prefix, next: q.next };
    list_folder(state, caller, Path(usecase_id), Params(q)).await
}
