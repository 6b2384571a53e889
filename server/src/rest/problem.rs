//! Errors of the REST API as RFC 9457 problem details: a stable `type`
//! per kind of error, and a sentence for a person.

use app::core::CoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem, as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// What kind of error: `/api/v1/problems/{kind}`, stable across versions.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in a few words.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened and what to do.
    pub detail: String,
    /// The input field at fault, for `invalid-input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait, for `rate-limited`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem of `kind` with HTTP `status`.
    pub fn new(status: StatusCode, kind: &str, title: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Bad input in `field`.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid-input", "Invalid input", detail);
        p.field = Some(field.to_owned());
        p
    }

    /// No valid token.
    pub fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "No valid access token",
            "Send a valid access token as `Authorization: Bearer dpt_…`; make one on the portal's API tokens page. \
             Tokens that are expired or revoked, and tokens of people who may no longer sign in, are refused.",
        )
    }

    /// A token over its rate.
    pub fn rate_limited(wait: u64, per_minute: u32) -> Self {
        let mut p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("This token made more than {per_minute} calls a minute; wait {wait} s and try again."),
        );
        p.retry_after = Some(wait);
        p
    }
}

impl From<CoreError> for Problem {
    fn from(e: CoreError) -> Self {
        let not_found = |detail: String| Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail);
        if e.is_elsewhere() {
            return not_found("There is nothing with this id that you may see.".into());
        }
        match e {
            CoreError::NotSignedIn | CoreError::SignInFailed => Problem::unauthorized(),
            CoreError::TooManyAttempts(wait) => {
                let mut p =
                    Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests", e.to_string());
                p.retry_after = Some(wait);
                p
            }
            CoreError::Denied(_) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "Your rights (or this token's) do not allow this. Ask an administrator for a grant, or use a token \
                 that is not read-only.",
            ),
            CoreError::Invalid(m) => Problem::new(StatusCode::BAD_REQUEST, "invalid-input", "Invalid input", m),
            CoreError::NotFound(m) => not_found(m),
            CoreError::Conflict(m) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", m),
            CoreError::Storage(m) => Problem::new(StatusCode::BAD_GATEWAY, "storage", "Storage failed", m),
            CoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable in the REST API");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Database unavailable",
                    "The portal cannot reach its database right now; try again in a minute.",
                );
                p.retry_after = Some(30);
                p
            }
            CoreError::Config(_) | CoreError::Internal(_) => {
                tracing::error!(error = %e, "internal error in the REST API");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "Something went wrong on the portal; try again, and tell an administrator if it keeps happening.",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(wait) = self.retry_after {
            h.insert(header::RETRY_AFTER, wait.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"dataport\""));
        }
        resp
    }
}
