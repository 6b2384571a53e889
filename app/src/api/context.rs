//! What every server function starts with: the state, the session, and the
//! principal the session stands for. The steps every function takes —
//! authorize, work, audit — are the core's `Guard`; the methods here are
//! that guard seen from a server function, with errors ready for a page.

use super::state::AppState;
use crate::core::audit::{NewEvent, Outcome};
use crate::core::authz::{Action, Actor, Scope};
use crate::core::db::models::Usecase;
use crate::core::guard::Guard;
use crate::core::{ClientInfo, CoreError, Credential, Principal, identity};
use crate::error::AppError;
use crate::model::SessionUser;
use leptos::prelude::*;
use tower_sessions::Session;

pub use crate::core::guard::Target;

/// Session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

/// The request as a server function sees it.
pub struct Ctx {
    /// Shared portal state.
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
        let user_id: Option<String> = session.get(USER_ID_KEY).await.map_err(internal)?;
        let (actor, user) = match user_id {
            Some(id) => state.db.run(move |c| identity::load_session_user(c, &id)).await?.unzip(),
            None => (None, None),
        };
        let principal = Principal { actor, client, credential: Credential::WebSession };
        Ok(Self { state, session, principal, user })
    }

    /// The guard of `action` for this request's principal.
    pub fn guard<'a>(&'a self, action: &'a str) -> Guard<'a> {
        Guard::new(&self.state.services, &self.principal, action)
    }

    /// The signed-in actor, if any.
    pub fn actor(&self) -> Option<&Actor> {
        self.principal.actor.as_ref()
    }

    /// A new audit event for `action`, filled with the principal.
    pub fn event(&self, action: &str) -> NewEvent {
        self.guard(action).event()
    }

    /// Writes an event; a failure to write is logged loudly.
    pub async fn audit(&self, event: NewEvent, outcome: Outcome) {
        let action = event.action.clone();
        self.guard(&action).audit(event, outcome).await;
    }

    /// The signed-in actor, or an audited refusal.
    pub async fn require_actor(&self, action: &str) -> Result<Actor, AppError> {
        Ok(self.guard(action).actor().await?.clone())
    }

    /// Loads a usecase; one that does not exist is refused like one of another tenant.
    pub async fn usecase(&self, action: &str, id: &str) -> Result<Usecase, AppError> {
        Ok(self.guard(action).usecase(id).await?)
    }

    /// Runs `authorize` for this actor; a refusal is audited and returned.
    pub async fn authorize(&self, action_name: &str, action: Action, target: &Target) -> Result<Scope, AppError> {
        Ok(self.guard(action_name).authorize(action, target).await?)
    }

    /// The S3 client for a usecase's data; a failure is audited as the action's error.
    pub async fn s3(
        &self,
        action_name: &str,
        target: &Target,
        usecase: &Usecase,
    ) -> Result<aws_sdk_s3::Client, AppError> {
        Ok(self.guard(action_name).s3(target, usecase).await?)
    }

    /// Audits an authorized action that failed and maps the error for the page.
    pub async fn fail(&self, action_name: &str, target: &Target, error: CoreError) -> AppError {
        self.guard(action_name).fail(target, error).await.into()
    }

    /// Audits how an authorized action ended and maps its error for the page.
    pub async fn finish<T>(
        &self,
        action_name: &str,
        target: &Target,
        result: Result<T, CoreError>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, AppError> {
        Ok(self.guard(action_name).finish(target, result, detail).await?)
    }
}
