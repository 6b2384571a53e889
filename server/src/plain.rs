//! Plain answers of the routes a browser reaches without the page's script
//! (archives, download links, share-link downloads): a sentence for a
//! person, with the status that says what happened.

use app::api::context::Ctx;
use app::api::state::AppState;
use app::core::{ClientInfo, CoreError};
use app::names::{BucketName, ObjectKey};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// A plain-text answer with its status.
pub fn page(status: StatusCode, text: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.to_owned()).into_response()
}

/// How a refused or failed use case answers: to the sign-in page when no
/// one is signed in, `denied` for a refusal, its own message for bad input
/// or something missing, and `failed` (logged as `what`) for the rest.
pub fn refusal(error: CoreError, denied: &str, failed: &str, what: &str) -> Response {
    match error {
        CoreError::NotSignedIn => Redirect::to("/sign-in").into_response(),
        CoreError::Denied(_) => page(StatusCode::FORBIDDEN, denied),
        CoreError::Invalid(m) => page(StatusCode::BAD_REQUEST, &m),
        CoreError::NotFound(m) => page(StatusCode::NOT_FOUND, &m),
        e @ CoreError::Unavailable(_) => {
            page(StatusCode::SERVICE_UNAVAILABLE, &app::error::AppError::from(e).to_string())
        }
        e => {
            tracing::warn!(error = %e, "{what} failed");
            page(StatusCode::BAD_GATEWAY, failed)
        }
    }
}

/// The caller and the bucket and key a route names, or the plain answer
/// that says what is wrong with them (400) or that the portal cannot tell
/// who is asking (503).
pub async fn object_request(
    state: AppState,
    session: tower_sessions::Session,
    client: ClientInfo,
    bucket: String,
    key: String,
) -> Result<(Ctx, BucketName, ObjectKey), Response> {
    let parsed = BucketName::new(bucket).and_then(|b| Ok((b, ObjectKey::new(key)?)));
    let (bucket, key) = parsed.map_err(|why| page(StatusCode::BAD_REQUEST, &why))?;
    let cx = Ctx::from_parts(state, session, client)
        .await
        .map_err(|e| page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))?;
    Ok((cx, bucket, key))
}
