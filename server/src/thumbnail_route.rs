//! `GET /usecases/{id}/buckets/{bucket}/thumbnail?key=`: the folder grid's
//! small picture of an image, made by the server (see
//! `app::core::thumbnails`), so that no grid cell pulls a full-size image.

use crate::plain::{object_request, refusal};
use app::api::state::AppState;
use app::core::{ClientInfo, thumbnails};
use app::ids::UsecaseId;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// The request's query: the image's full key.
#[derive(Deserialize)]
pub struct Wanted {
    key: String,
}

/// The thumbnail, or a sentence saying why there is none.
pub async fn thumbnail(
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
    match thumbnails::thumbnail(&cx.state, &cx.principal, &usecase_id, &bucket, &key).await {
        // Private: it shows what only some people may see. Keyed by the
        // file's ETag on the server, so a day in the browser is enough.
        Ok(thumb) => (
            [
                (header::CONTENT_TYPE, thumb.content_type),
                (header::CACHE_CONTROL, "private, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            thumb.bytes,
        )
            .into_response(),
        Err(e) => refusal(
            e,
            "You may not see this image. Ask an administrator for read access.",
            "The thumbnail could not be made; open the file to see it.",
            "making a thumbnail",
        ),
    }
}
