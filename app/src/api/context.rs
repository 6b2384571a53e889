//! What every server function starts with: the state, the web session,
//! and the principal the session stands for. What a function then does —
//! authorize, work, audit — is a core service's business.

use super::state::AppState;
use crate::core::actions::AuditAction;
use crate::core::{ClientInfo, Credential, Principal, identity};
use crate::error::AppError;
use crate::ids::UserId;
use crate::model::SessionUser;
use leptos::prelude::*;
use tower_sessions::Session;

/// Session key of the time of sign-in (ms), for the absolute lifetime.
pub const STARTED_AT_KEY: &str = "started_at";

/// Session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

/// The request as a server function sees it.
pub struct Ctx {
    /// Shared portal state; it derefs to the services.
    pub state: AppState,
    /// The web session.
    pub session: Session,
    /// Who acts: the session's user, from where, through a web session.
    pub principal: Principal,
    /// The signed-in user as pages see it.
    pub user: Option<SessionUser>,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "request context");
    AppError::Internal
}

impl Ctx {
    /// A name checked on arrival, as `action` takes it; a bad one is refused
    /// with its problem and audited (within the client's refusal budget).
    pub async fn checked<T>(&self, name: Result<T, String>, action: AuditAction) -> Result<T, AppError> {
        match name {
            Ok(value) => Ok(value),
            Err(problem) => {
                let detail = format!("refused input: {problem}");
                crate::core::refusals::record(&self.state, &self.principal, action, detail).await;
                Err(AppError::Invalid(problem))
            }
        }
    }

    /// Builds the context from the current server function request.
    pub async fn load() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| internal("no AppState in context"))?;
        let session: Session = leptos_axum::extract().await.map_err(internal)?;
        let client = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<ClientInfo>().cloned())
            .unwrap_or_default();
        Self::from_parts(state, session, client).await
    }

    /// Builds the context from parts an axum handler already has.
    pub async fn from_parts(state: AppState, session: Session, client: ClientInfo) -> Result<Self, AppError> {
        let mut user_id: Option<UserId> = session.get(USER_ID_KEY).await.map_err(internal)?;
        // However active, a session ends a fixed time after its sign-in.
        let started: Option<i64> = session.get(STARTED_AT_KEY).await.map_err(internal)?;
        if user_id.is_some() && started.is_none_or(|t| crate::core::now_ms() - t > state.config.session_max_ms) {
            session.flush().await.map_err(internal)?;
            user_id = None;
        }
        let (actor, user) = match (user_id, started) {
            (Some(id), Some(started)) => {
                match state.db.run(move |c| identity::load_session_user(c, &id, started)).await? {
                    Some(found) => (Some(found.0), Some(found.1)),
                    // Ended by an administrator (or the user is gone): sign out for good.
                    None => {
                        session.flush().await.map_err(internal)?;
                        (None, None)
                    }
                }
            }
            _ => (None, None),
        };
        // A visitor of a drop box (nobody signed in) uploads as the link, into its folder only.
        let drop: Option<String> =
            if actor.is_none() { session.get(super::shares::DROP_KEY).await.map_err(internal)? } else { None };
        if let Some(link) = drop {
            let id = link.clone();
            let actor = state.db.run(move |c| crate::core::share_links::drop_actor(c, &id)).await?;
            let principal = Principal { actor, client, credential: Credential::ShareLink(link) };
            return Ok(Self { state, session, principal, user: None });
        }
        let principal = Principal { actor, client, credential: Credential::WebSession };
        Ok(Self { state, session, principal, user })
    }
}

/// True when the current server function was called by a plain HTML form
/// (the browser asks for a page back) rather than by the page's script.
pub fn plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// How long something shown once stays readable after its page first
/// showed it: a page rendered on the server may ask more than once.
const SHOWN_FOR_MS: i64 = 30_000;

/// Keeps `value` (a secret made by a plain form post) in the session under
/// `key` for the page the browser is sent back to, which shows it once.
pub async fn keep_fresh<T: serde::Serialize>(cx: &Ctx, key: &str, value: &T) -> Result<(), AppError> {
    cx.session.insert(key, (value, None::<i64>)).await.map_err(internal)
}

/// The value `keep_fresh` kept under `key`, if the page has not shown it
/// already (give or take the moments of one render).
pub async fn take_fresh<T: serde::Serialize + serde::de::DeserializeOwned>(
    cx: &Ctx,
    key: &str,
) -> Result<Option<T>, AppError> {
    let fresh: Option<(T, Option<i64>)> = cx.session.get(key).await.map_err(internal)?;
    let now = crate::core::now_ms();
    match fresh {
        Some((value, None)) if cx.principal.actor.is_some() => {
            cx.session.insert(key, (&value, Some(now))).await.map_err(internal)?;
            Ok(Some(value))
        }
        Some((value, Some(at))) if now - at < SHOWN_FOR_MS => Ok(Some(value)),
        Some(_) => {
            cx.session.remove::<serde_json::Value>(key).await.map_err(internal)?;
            Ok(None)
        }
        None => Ok(None),
    }
}
