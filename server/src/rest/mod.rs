//! The REST API v1: a second door into the same services the pages use.
//! A bearer token names the caller; handlers parse, call a core service
//! (which authorizes and audits), and answer JSON or a problem. The OpenAPI
//! document is derived from the handlers, so that it says what they do.

mod audit;
mod caller;
mod credentials;
mod data;
mod files;
mod multipart;
mod people;
pub mod problem;
mod usecases;

pub use caller::TokenRate;

use app::api::state::AppState;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The calls a token may make per minute unless the portal is told otherwise.
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 600;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dataport API",
        version = "1",
        description = "Scoped, audited access to a usecase's S3 data. Send an access token from the portal's \
                       API tokens page as `Authorization: Bearer dpt_…`; it acts with its owner's rights as they \
                       are at each call. Errors are RFC 9457 problem details."
    ),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "usecases", description = "Usecases and their data account"),
        (name = "data", description = "Buckets, folders and files"),
        (name = "transfers", description = "Uploads and downloads through presigned URLs"),
        (name = "files", description = "Uploaded files by their record"),
        (name = "audit", description = "The audit trail and one's own activity"),
        (name = "people", description = "People and their permissions (administrators)"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(usecases::list_usecases))
        .routes(routes!(usecases::get_usecase))
        .routes(routes!(usecases::verify_data_account))
        .routes(routes!(usecases::configure_data_account))
        .routes(routes!(usecases::data_account_buckets))
        .routes(routes!(data::data_account_folders))
        .routes(routes!(usecases::list_buckets, usecases::create_bucket))
        .routes(routes!(data::list_folder, data::create_folder))
        .routes(routes!(data::upload_url))
        .routes(routes!(data::batch_upload_urls))
        .routes(routes!(data::complete_upload))
        .routes(routes!(data::download_url))
        .routes(routes!(data::delete_objects))
        .routes(routes!(multipart::sign_parts))
        .routes(routes!(multipart::complete))
        .routes(routes!(multipart::abort))
        .routes(routes!(credentials::issue_credentials))
        .routes(routes!(files::list_files, files::create_file))
        .routes(routes!(files::download_file))
        .routes(routes!(files::delete_file))
        .routes(routes!(audit::audit_trail))
        .routes(routes!(audit::my_activity))
        .routes(routes!(people::list_permissions, people::create_permission))
        .routes(routes!(people::revoke_permission))
        .routes(routes!(people::list_users, people::create_user))
        .split_for_parts()
}

/// The OpenAPI 3.1 document of every route.
pub fn document() -> serde_json::Value {
    serde_json::to_value(documented().1).unwrap_or_default()
}

/// The API's routes, each call within a token's budget of `calls_per_minute`.
pub fn router(calls_per_minute: u32) -> Router<AppState> {
    let (api, doc) = documented();
    let doc = serde_json::to_value(doc).unwrap_or_default();
    let no_such_call = || async {
        problem::Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "There is no such call; /api/v1/openapi.json lists them.",
        )
    };
    api.route("/api/v1/openapi.json", get(move || async move { Json(doc).into_response() }))
        .route("/api/v1/{*rest}", axum::routing::any(no_such_call))
        .layer(Extension(TokenRate::new(calls_per_minute)))
}
