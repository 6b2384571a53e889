//! What every REST handler starts with: the caller a bearer token stands
//! for (cookies count for nothing here), within the token's rate, and its
//! input parsed into problems a script can act on.

use super::problem::Problem;
use app::api::state::AppState;
use app::core::CoreError;
use app::core::actions::AuditAction;
use app::core::{ClientInfo, Credential, Principal, access_tokens};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde::de::DeserializeOwned;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Calls a token may make, shared by every request of the portal.
#[derive(Clone)]
pub struct TokenRate {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    per_minute: u32,
}

impl TokenRate {
    /// A budget of `per_minute` calls per token, a sixth of it at once.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(6);
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(per_minute / 6).unwrap_or(NonZeroU32::MIN));
        TokenRate { limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)), per_minute }
    }
}

/// The principal behind the request's bearer token.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let client = parts.extensions.get::<ClientInfo>().cloned().unwrap_or_default();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim());
        let principal = access_tokens::authenticate(state, client, bearer).await.map_err(|e| match e {
            // A lost database is no bad token: say so, and that it passes.
            CoreError::Unavailable(_) => Problem::from(e),
            _ => Problem::unauthorized(),
        })?;
        if let (Some(rate), Credential::AccessToken { id, .. }) =
            (parts.extensions.get::<TokenRate>(), &principal.credential)
            && let Err(not_until) = rate.limiter.check_key(id)
        {
            let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs() + 1;
            return Err(Problem::rate_limited(wait, rate.per_minute));
        }
        Ok(Caller(principal))
    }
}

/// A JSON request body; one that cannot be read is a 400 that says why.
pub struct Input<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Input<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Input(value)),
            Err(e) => Err(Problem::invalid(
                "body",
                format!("The request body is not what this call takes: {}", e.body_text()),
            )),
        }
    }
}

/// Query parameters; ones that cannot be read are a 400 that says why.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(e) => Err(Problem::invalid("query", format!("The query parameters are wrong: {}", e.body_text()))),
        }
    }
}

/// A name checked on arrival: a bad one is refused as a problem naming
/// `field`, and audited like the same refusal on a page.
pub async fn checked<T>(
    state: &AppState,
    caller: &Principal,
    action: AuditAction,
    field: &str,
    value: Result<T, String>,
) -> Result<T, Problem> {
    match value {
        Ok(v) => Ok(v),
        Err(problem) => {
            let detail = format!("refused input in {field}: {problem}");
            app::core::refusals::record(state, caller, action, detail).await;
            Err(Problem::invalid(field, problem))
        }
    }
}

/// An opaque cursor for the next page of a list.
pub fn cursor(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(value)
}

/// Reads a cursor this API handed out.
pub fn uncursor(next: Option<&str>) -> Result<Option<String>, Problem> {
    next.map(|n| {
        URL_SAFE_NO_PAD
            .decode(n)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| Problem::invalid("next", "This is not a cursor of this list; pass `next` as it came."))
    })
    .transpose()
}

/// One page of a list held whole: up to `limit` items after the cursor.
pub fn page<T>(items: Vec<T>, limit: Option<u32>, next: Option<&str>) -> Result<(Vec<T>, Option<String>), Problem> {
    let start = match uncursor(next)? {
        Some(at) => at.parse::<usize>().map_err(|_| Problem::invalid("next", "This is not a cursor of this list."))?,
        None => 0,
    };
    let limit = limit.unwrap_or(100).clamp(1, 1000) as usize;
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let more = start + items.len() < total;
    Ok((items, more.then(|| cursor(&(start + limit).to_string()))))
}
