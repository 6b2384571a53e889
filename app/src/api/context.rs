//! What every server function starts with: the state, the session, the
//! actor, and the two steps every function takes — authorize and audit.

use crate::core::audit::{self, NewEvent, Outcome};
use crate::core::authz::{self, Action, Actor, Resource, Scope};
use crate::core::db::models::Usecase;
use crate::core::db::schema::usecases;
use crate::core::identity;
use crate::core::{AppState, ClientInfo, CoreError};
use crate::error::AppError;
use crate::model::SessionUser;
use diesel::prelude::*;
use leptos::prelude::*;
use tower_sessions::Session;

/// Session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

/// What an action is done to, owned so that it can move to the database thread.
#[derive(Debug, Clone)]
pub enum Target {
    /// The actor's tenant as a whole.
    Tenant(String),
    /// A usecase.
    Usecase(Usecase),
    /// A key or prefix in a bucket of a usecase.
    Object {
        /// The usecase.
        usecase: Usecase,
        /// Bucket name.
        bucket: String,
        /// Key or prefix.
        key: String,
    },
}

impl Target {
    fn resource(&self) -> Resource<'_> {
        match self {
            Target::Tenant(t) => Resource::Tenant(t),
            Target::Usecase(u) => Resource::Usecase(u),
            Target::Object { usecase, bucket, key } => Resource::Object { usecase, bucket, key },
        }
    }

    fn describe(&self, event: &mut NewEvent) {
        match self {
            Target::Tenant(_) => {}
            Target::Usecase(u) => event.usecase_id = Some(u.id.clone()),
            Target::Object { usecase, bucket, key } => {
                event.usecase_id = Some(usecase.id.clone());
                event.bucket = Some(bucket.clone());
                event.object_key = Some(key.clone());
            }
        }
    }
}

/// The request as a server function sees it.
pub struct Ctx {
    /// Shared portal state.
    pub state: AppState,
    /// The web session.
    pub session: Session,
    /// Where the request came from.
    pub client: ClientInfo,
    /// The signed-in actor, if any.
    pub actor: Option<Actor>,
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
        Ok(Self { state, session, client, actor, user })
    }

    /// A new audit event for `action`, filled with the actor and client.
    pub fn event(&self, action: &str) -> NewEvent {
        NewEvent {
            tenant_id: self.actor.as_ref().map(|a| a.tenant_id.clone()),
            user_id: self.actor.as_ref().map(|a| a.user_id.clone()),
            user_email: self.actor.as_ref().map(|a| a.email.clone()),
            action: action.to_owned(),
            client: self.client.clone(),
            ..NewEvent::default()
        }
    }

    /// Writes an event; a failure to write is logged loudly.
    pub async fn audit(&self, event: NewEvent, outcome: Outcome) {
        if let Err(e) = self.state.db.run(move |c| audit::record(c, event, outcome)).await {
            tracing::error!(error = %e, "could not write the audit event");
        }
    }

    /// The signed-in actor, or an audited refusal.
    pub async fn require_actor(&self, action: &str) -> Result<Actor, AppError> {
        match &self.actor {
            Some(a) => Ok(a.clone()),
            None => {
                let mut event = self.event(action);
                event.detail = "not signed in".into();
                self.audit(event, Outcome::Denied).await;
                Err(AppError::NotSignedIn)
            }
        }
    }

    /// Loads a usecase; one that does not exist is refused like one of
    /// another tenant, so that ids reveal nothing.
    pub async fn usecase(&self, action: &str, id: &str) -> Result<Usecase, AppError> {
        self.require_actor(action).await?;
        let key = id.to_owned();
        let found = self
            .state
            .db
            .run(move |c| Ok(usecases::table.find(key).select(Usecase::as_select()).first(c).optional()?))
            .await?;
        match found {
            Some(u) => Ok(u),
            None => {
                let mut event = self.event(action);
                event.usecase_id = Some(id.to_owned());
                event.detail = "no such usecase".into();
                self.audit(event, Outcome::Denied).await;
                Err(AppError::Denied)
            }
        }
    }

    /// Runs `authorize` for this actor; a refusal is audited and returned.
    pub async fn authorize(&self, action_name: &str, action: Action, target: &Target) -> Result<Scope, AppError> {
        let actor = self.actor.clone();
        let owned = target.clone();
        let decision = self.state.db.run(move |c| authz::authorize(c, actor.as_ref(), action, owned.resource())).await;
        match decision {
            Ok(scope) => Ok(scope),
            Err(e @ (CoreError::Denied(_) | CoreError::NotSignedIn)) => {
                let mut event = self.event(action_name);
                target.describe(&mut event);
                event.detail = e.to_string();
                self.audit(event, Outcome::Denied).await;
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The S3 client for a usecase's data; a failure (a role that cannot be
    /// assumed, say) is audited as the action's error.
    pub async fn s3(
        &self,
        action_name: &str,
        target: &Target,
        usecase: &Usecase,
    ) -> Result<aws_sdk_s3::Client, AppError> {
        match self.state.s3.client_for(usecase).await {
            Ok(client) => Ok(client),
            Err(e) => Err(self.fail(action_name, target, e).await),
        }
    }

    /// Audits an authorized action that failed and maps the error for the page.
    pub async fn fail(&self, action_name: &str, target: &Target, error: CoreError) -> AppError {
        let mut event = self.event(action_name);
        target.describe(&mut event);
        event.detail = error.to_string();
        self.audit(event, Outcome::Error).await;
        error.into()
    }

    /// Audits how an authorized action ended and maps its error for the page.
    pub async fn finish<T>(
        &self,
        action_name: &str,
        target: &Target,
        result: Result<T, CoreError>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, AppError> {
        match result {
            Ok(value) => {
                let mut event = self.event(action_name);
                target.describe(&mut event);
                event.detail = detail(&value);
                self.audit(event, Outcome::Success).await;
                Ok(value)
            }
            Err(e) => Err(self.fail(action_name, target, e).await),
        }
    }
}
