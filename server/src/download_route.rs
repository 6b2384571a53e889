//! `GET /usecases/{id}/buckets/{bucket}/download?key=[&version=]`: one
//! file (or one version of it), sent straight from S3. A link works before
//! the page's script has loaded; the portal authorizes and audits, then
//! redirects to a short presigned GET.

use crate::plain::{object_request, refusal};
use app::api::state::AppState;
use app::core::{ClientInfo, browse};
use app::ids::UsecaseId;
use axum::Extension;
use axum::extract::{Path, Query, State};
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
    let (cx, bucket, key) = match object_request(state, session, client, bucket, wanted.key).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let usecase_id = UsecaseId::from(usecase_id);
    let version = wanted.version.filter(|v| !v.is_empty());
    match browse::download_url(&cx.state, &cx.principal, &usecase_id, &bucket, &key, version.as_deref()).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => refusal(
            e,
            "You may not download this file. Ask an administrator for read access.",
            "The download could not be prepared; try again in a moment.",
            "preparing a download",
        ),
    }
}
