//! Plain answers of the routes a browser reaches without the page's script
//! (archives, download links, share-link downloads): a sentence for a
//! person, with the status that says what happened.

use app::core::CoreError;
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
