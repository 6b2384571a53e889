//! `GET /usecases/{id}/buckets/{bucket}/download?key=[&version=]`: one
//! file (or one version of it), sent straight from S3. A link works before
//! the page's script has loaded; the portal authorizes and audits, then
//! redirects to a short presigned GET.

use crate::plain::{page, refusal};
use app::api::context::Ctx;
use app::api::state::AppState;
use app::core::{ClientInfo, browse, versions};
use app::ids::UsecaseId;
use app::names::{BucketName, ObjectKey};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// The link's query: the file's full key, and a version of it if not the latest.
#[derive(Deserialize)]
pub struct Wanted {
    key: String,
    version: Option<String>,
}

/// Redirects to the file, or says in a sentence why not.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Extension(client): Extension<ClientInfo>,
    Path((usecase_id, bucket)): Path<(String, String)>,
    Query(wanted): Query<Wanted>,
) -> Response {
    let parsed = BucketName::new(bucket).and_then(|b| Ok((b, ObjectKey::new(wanted.key)?)));
    let (bucket, key) = match parsed {
        Ok(parsed) => parsed,
        Err(why) => return page(StatusCode::BAD_REQUEST, &why),
    };
    let cx = match Ctx::from_parts(state, session, client).await {
        Ok(cx) => cx,
        Err(e) => return page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    };
    let usecase_id = UsecaseId::from(usecase_id);
    let url = match wanted.version.filter(|v| !v.is_empty()) {
        Some(version) => versions::download_url(&cx.state, &cx.principal, &usecase_id, &bucket, &key, &version).await,
        None => browse::download_url(&cx.state, &cx.principal, &usecase_id, &bucket, &key).await,
    };
    match url {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => refusal(
            e,
            "You may not download this file. Ask an administrator for read access.",
            "The download could not be prepared; try again in a moment.",
            "preparing a download",
        ),
    }
}
