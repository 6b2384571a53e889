//! Usecases, their data account and their buckets.

use super::caller::{Caller, Input, Params, page};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::{browse, buckets, usecases};
use app::ids::UsecaseId;
use app::model::{SettingCheck, UsecaseSummary};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A usecase: a project and where its data lives.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UsecaseOut {
    /// Usecase id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The bucket holding its data.
    pub data_bucket: String,
    /// The region of its data.
    pub region: String,
    /// The folder chosen as its data source (empty: the whole bucket).
    pub data_prefix: String,
}

impl From<UsecaseSummary> for UsecaseOut {
    fn from(u: UsecaseSummary) -> Self {
        UsecaseOut {
            id: u.id.to_string(),
            name: u.name,
            data_bucket: u.data_bucket,
            region: u.region,
            data_prefix: u.data_prefix,
        }
    }
}

/// A page of usecases.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UsecaseList {
    /// The usecases.
    pub usecases: Vec<UsecaseOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Where a list starts and how long it is.
#[derive(Deserialize, IntoParams)]
pub struct Paging {
    /// Most items to return (1 to 1000, 100 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// Lists the usecases of the caller's organization.
#[utoipa::path(get, path = "/api/v1/usecases", tag = "usecases", params(Paging),
    responses((status = 200, description = "The usecases", body = UsecaseList),
        (status = 401, description = "No valid token", body = Problem)))]
pub async fn list_usecases(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<UsecaseList>, Problem> {
    let all = browse::list_usecases(&state, &p).await?;
    let (items, next) = page(all, paging.limit, paging.next.as_deref())?;
    Ok(Json(UsecaseList { usecases: items.into_iter().map(UsecaseOut::from).collect(), next }))
}

/// One usecase.
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}", tag = "usecases",
    params(("usecase_id" = String, Path, description = "Usecase id")),
    responses((status = 200, description = "The usecase", body = UsecaseOut),
        (status = 404, description = "No such usecase in your organization", body = Problem)))]
pub async fn get_usecase(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
) -> Result<Json<UsecaseOut>, Problem> {
    Ok(Json(browse::get_usecase(&state, &p, &usecase_id).await?.into()))
}

/// One check of a usecase's data access.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CheckOut {
    /// What was checked.
    pub setting: String,
    /// Whether it works.
    pub ok: bool,
    /// What was found, or what to do.
    pub message: String,
}

impl From<SettingCheck> for CheckOut {
    fn from(c: SettingCheck) -> Self {
        CheckOut { setting: c.setting, ok: c.ok, message: c.message }
    }
}

/// What verifying a data account found.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Verification {
    /// True when every check passed.
    pub ok: bool,
    /// Each check.
    pub checks: Vec<CheckOut>,
}

/// Verifies the usecase's data account again: role assumption with its external id, and its bucket.
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}/data-account/verify", tag = "usecases",
    params(("usecase_id" = String, Path, description = "Usecase id")),
    responses((status = 200, description = "What the checks found", body = Verification),
        (status = 403, description = "Administrators only", body = Problem)))]
pub async fn verify_data_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
) -> Result<Json<Verification>, Problem> {
    let checks: Vec<CheckOut> =
        usecases::reverify(&state, &p, &usecase_id).await?.into_iter().map(CheckOut::from).collect();
    Ok(Json(Verification { ok: checks.iter().all(|c| c.ok), checks }))
}

/// A bucket the caller may see.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BucketOut {
    /// Bucket name.
    pub name: String,
}

/// A page of buckets.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BucketList {
    /// The buckets.
    pub buckets: Vec<BucketOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Lists the usecase's buckets the caller may see.
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}/data/buckets", tag = "data",
    params(("usecase_id" = String, Path, description = "Usecase id"), Paging),
    responses((status = 200, description = "The buckets", body = BucketList),
        (status = 404, description = "No such usecase in your organization", body = Problem)))]
pub async fn list_buckets(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Params(paging): Params<Paging>,
) -> Result<Json<BucketList>, Problem> {
    let all = browse::list_buckets(&state, &p, &usecase_id).await?;
    let (items, next) = page(all, paging.limit, paging.next.as_deref())?;
    Ok(Json(BucketList { buckets: items.into_iter().map(|name| BucketOut { name }).collect(), next }))
}

/// A bucket to create (or adopt, when it exists and may be attached).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewBucket {
    /// S3 bucket name.
    pub bucket_name: String,
    /// Region to create it in.
    pub region: String,
    /// Attach the bucket when it exists already, instead of refusing.
    #[serde(default)]
    pub adopt: bool,
}

/// What creating a bucket did.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BucketCreated {
    /// Bucket name.
    pub bucket_name: String,
    /// Region.
    pub region: String,
    /// Its ARN.
    pub arn: String,
    /// True if it was made now; false if an existing bucket was adopted.
    pub created: bool,
    /// The recommended settings (versioning, encryption, public access block, …) and how each went.
    pub checks: Vec<CheckOut>,
}

/// Creates a bucket for the usecase with the recommended settings (administrators).
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data/buckets", tag = "data",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = NewBucket,
    responses((status = 201, description = "Created or adopted", body = BucketCreated),
        (status = 400, description = "Bad name or region", body = Problem),
        (status = 403, description = "Administrators only", body = Problem),
        (status = 409, description = "The bucket exists", body = Problem)))]
pub async fn create_bucket(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<NewBucket>,
) -> Result<(StatusCode, Json<BucketCreated>), Problem> {
    let report = buckets::create_bucket(&state, &p, &usecase_id, &body.bucket_name, &body.region, body.adopt).await?;
    Ok((
        StatusCode::CREATED,
        Json(BucketCreated {
            arn: format!("arn:aws:s3:::{}", report.bucket),
            bucket_name: report.bucket,
            region: body.region,
            created: report.created,
            checks: report.checks.into_iter().map(CheckOut::from).collect(),
        }),
    ))
}

/// Where a usecase's data lives: its own account, or a separate data account reached by a role.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DataAccount {
    /// The data lives in a separate account, reached through `data_account_role_arn`.
    pub separate_data_account: bool,
    /// The data account's id (12 digits), when separate.
    #[serde(default)]
    pub data_account_id: String,
    /// The role in the data account, when separate; it must trust the portal with the
    /// usecase's data-account external id (shown on the usecase's settings page).
    #[serde(default)]
    pub data_account_role_arn: String,
    /// The bucket of the data, when separate.
    #[serde(default)]
    pub data_s3_bucket: String,
    /// The default folder in it.
    #[serde(default)]
    pub data_s3_prefix: String,
}

/// What configuring the data account found; nothing is saved unless every check passed.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DataAccountOutcome {
    /// True when the configuration was verified and saved.
    pub saved: bool,
    /// Each check, with what to fix.
    pub checks: Vec<CheckOut>,
}

/// Configures where the usecase's data lives; verified (role assumption with the
/// external id, account, bucket) before it is saved (administrators).
#[utoipa::path(post, path = "/api/v1/usecases/{usecase_id}/data-account", tag = "usecases",
    params(("usecase_id" = String, Path, description = "Usecase id")), request_body = DataAccount,
    responses((status = 200, description = "Verified and saved", body = DataAccountOutcome),
        (status = 400, description = "A field is malformed", body = Problem),
        (status = 403, description = "Administrators only", body = Problem),
        (status = 422, description = "A check failed; nothing was saved", body = DataAccountOutcome)))]
pub async fn configure_data_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(usecase_id): Path<UsecaseId>,
    Input(body): Input<DataAccount>,
) -> Result<(StatusCode, Json<DataAccountOutcome>), Problem> {
    let setup = usecases::load_setup(&state, &p, Some(&usecase_id), Default::default()).await?;
    let mut form = setup.form;
    form.separate_data_account = body.separate_data_account;
    form.data_account_id = body.data_account_id;
    form.data_account_role_arn = body.data_account_role_arn;
    form.data_s3_bucket = body.data_s3_bucket;
    form.data_s3_prefix = body.data_s3_prefix;
    let outcome = usecases::save(&state, &p, form, Default::default()).await?;
    let status = if outcome.saved { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let checks = outcome.checks.into_iter().map(CheckOut::from).collect();
    Ok((status, Json(DataAccountOutcome { saved: outcome.saved, checks })))
}

/// The usecase's buckets in its data account (the same list as `data/buckets`).
#[utoipa::path(get, path = "/api/v1/usecases/{usecase_id}/data-account/buckets", tag = "usecases",
    params(("usecase_id" = String, Path, description = "Usecase id"), Paging),
    responses((status = 200, description = "The buckets", body = BucketList),
        (status = 404, description = "No such usecase in your organization", body = Problem)))]
pub async fn data_account_buckets(
    state: State<AppState>,
    caller: Caller,
    usecase_id: Path<UsecaseId>,
    paging: Params<Paging>,
) -> Result<Json<BucketList>, Problem> {
    list_buckets(state, caller, usecase_id, paging).await
}
