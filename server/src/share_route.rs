//! `POST /s/{token}/download`: a visitor's download through a share link,
//! answered with a redirect to a short presigned GET. A plain form posts
//! it, so that it works without any script.

use crate::plain::refusal;
use app::api::shares::UNLOCKED_KEY;
use app::api::state::AppState;
use app::core::{ClientInfo, CoreError, share_links};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// The file asked for (empty for a file link).
#[derive(Deserialize)]
pub struct Asked {
    #[serde(default)]
    key: String,
}

/// Downloads one file of a share link.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Extension(client): Extension<ClientInfo>,
    Path(token): Path<String>,
    Form(asked): Form<Asked>,
) -> Response {
    let unlocked: Vec<String> = session.get(UNLOCKED_KEY).await.ok().flatten().unwrap_or_default();
    let result = async {
        let opened = share_links::open(&state, client, &token, None, &unlocked).await?;
        share_links::download(&state, &opened, &asked.key).await
    }
    .await;
    match result {
        Ok(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        Err(CoreError::Denied(why)) if why == share_links::PASSWORD => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/s/{token}"))]).into_response()
        }
        Err(e) => refusal(
            e,
            "This link no longer opens this file: the person who shared it may not read it any more.",
            "The file could not be fetched; try again in a moment.",
            "a share link download",
        ),
    }
}
