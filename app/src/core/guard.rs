//! The one path every use case takes: authorize → work → audit. A `Guard`
//! is one action by one principal; each of its steps audits a refusal or a
//! failure itself, and `finish` audits how the action ended. Whichever door
//! a request came through, it is checked and recorded here.

use super::actions::AuditAction;
use super::audit::{self, NewEvent, Outcome};
use super::authz::{self, Actor, Resource, Scope};
use super::aws::S3Gateway;
use super::db::Db;
use super::db::models::Usecase;
use super::db::schema::usecases;
use super::principal::Principal;
use super::{CoreError, PortalConfig};
use crate::ids::UsecaseId;
use diesel::prelude::*;
use std::sync::Arc;

/// Why a usecase id that names nothing is refused.
pub const NO_SUCH_USECASE: &str = "no such usecase";

/// What the services work with: the database, S3, and the settings.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub db: Db,
    /// The one place that builds S3 clients.
    pub s3: S3Gateway,
    /// Portal settings.
    pub config: Arc<PortalConfig>,
    /// Limits and keys of signing in, shared by every request.
    pub sign_in: Arc<super::sign_in_gate::SignInGate>,
    /// The key and checkpoint of the audit chain.
    pub audit: Arc<super::audit_seal::AuditSeal>,
    /// The per-address budget of refusals that no tenant owns.
    pub refusals: Arc<super::refusals::RefusalLog>,
    /// Thumbnails of the folder grid made so far.
    pub thumbnails: Arc<super::thumbnails::ThumbnailCache>,
}

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

    /// Names the target in an audit event.
    pub fn describe(&self, event: &mut NewEvent) {
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

/// One action of one principal, on its way through authorize → work → audit.
pub struct Guard<'a> {
    services: &'a Services,
    principal: &'a Principal,
    action: AuditAction,
}

impl<'a> Guard<'a> {
    /// A guard for `action` by `principal`.
    pub fn new(services: &'a Services, principal: &'a Principal, action: AuditAction) -> Self {
        Self { services, principal, action }
    }

    /// The services the action works with.
    pub fn services(&self) -> &'a Services {
        self.services
    }

    /// A new audit event of this action, filled with the principal.
    pub fn event(&self) -> NewEvent {
        let actor = self.principal.actor.as_ref();
        NewEvent {
            tenant_id: actor.map(|a| a.tenant_id.clone()),
            user_id: actor.map(|a| a.user_id.clone()),
            user_email: actor.map(|a| a.email.clone()),
            action: self.action.as_str().to_owned(),
            client: self.principal.client.clone(),
            credential: Some(self.principal.credential.label()),
            ..NewEvent::default()
        }
    }

    /// Writes the event of a refusal or failure; the action is refused
    /// anyway, so a failure to write is logged loudly.
    pub async fn audit(&self, event: NewEvent, outcome: Outcome) {
        if let Err(e) = self.record(event, outcome).await {
            tracing::error!(error = %e, "could not write the audit event of a refusal");
        }
    }

    /// Writes the event of something done; when the trail cannot take it,
    /// the action is refused, so that nothing happens unrecorded.
    pub async fn record(&self, mut event: NewEvent, outcome: Outcome) -> Result<(), CoreError> {
        // A call through the API reads like the same action on a page, with
        // the token that made it named where people look.
        if let super::Credential::AccessToken { name, .. } = &self.principal.credential {
            event.detail = if event.detail.is_empty() {
                format!("via API token “{name}”")
            } else {
                format!("{} (via API token “{name}”)", event.detail)
            };
        }
        let action = event.action.clone();
        let seal = self.services.audit.clone();
        self.services.db.run(move |c| audit::record(c, &seal, event, outcome).map(|_| ())).await.map_err(|e| {
            CoreError::Internal(format!("the audit trail could not record {action} ({e}); it was refused"))
        })
    }

    /// Passes `result` on; input refused by its checks (an `Invalid` error,
    /// before anything is authorized) is audited first, within the client's
    /// refusal budget, so that probing with bad input leaves a trace.
    pub async fn screened<T>(&self, result: Result<T, CoreError>) -> Result<T, CoreError> {
        if let Err(CoreError::Invalid(problem)) = &result {
            let detail = format!("refused input: {problem}");
            super::refusals::record(self.services, self.principal, self.action, detail).await;
        }
        result
    }

    /// Authorizes the action on the actor's own organization as a whole:
    /// the actor, and the target its events name.
    pub async fn own_tenant(&self) -> Result<(&'a Actor, Target), CoreError> {
        let actor = self.actor().await?;
        let target = Target::Tenant(actor.tenant_id.clone());
        self.authorize(&target).await?;
        Ok((actor, target))
    }

    /// The signed-in actor, or an audited refusal.
    pub async fn actor(&self) -> Result<&'a Actor, CoreError> {
        match &self.principal.actor {
            Some(a) => Ok(a),
            None => {
                let mut event = self.event();
                event.detail = "not signed in".into();
                self.audit(event, Outcome::Denied).await;
                Err(CoreError::NotSignedIn)
            }
        }
    }

    /// Loads a usecase; one that does not exist is refused like one of
    /// another tenant, so that ids reveal nothing.
    pub async fn usecase(&self, id: &UsecaseId) -> Result<Usecase, CoreError> {
        self.actor().await?;
        let key = id.to_owned();
        let found = self
            .services
            .db
            .run(move |c| Ok(usecases::table.find(key).select(Usecase::as_select()).first(c).optional()?))
            .await?;
        match found {
            Some(u) => Ok(u),
            None => {
                let mut event = self.event();
                event.usecase_id = Some(id.to_owned());
                event.detail = NO_SUCH_USECASE.into();
                self.audit(event, Outcome::Denied).await;
                Err(CoreError::Denied(NO_SUCH_USECASE.into()))
            }
        }
    }

    /// Loads the usecase and authorizes the action on `key` (or prefix) of
    /// `bucket` in it: the usecase, the target the trail names, and how much
    /// of it the principal may see.
    pub async fn object(
        &self,
        usecase_id: &UsecaseId,
        bucket: &str,
        key: &str,
    ) -> Result<(Usecase, Target, Scope), CoreError> {
        let usecase = self.usecase(usecase_id).await?;
        let target = Target::Object { usecase: usecase.clone(), bucket: bucket.to_owned(), key: key.to_owned() };
        let scope = self.authorize(&target).await?;
        Ok((usecase, target, scope))
    }

    /// What the principal may do at `key` of `bucket`: which buttons a page shows.
    pub async fn rights_at(
        &self,
        usecase: &Usecase,
        bucket: &str,
        key: &str,
    ) -> Result<crate::model::Rights, CoreError> {
        let actor = self.actor().await?.clone();
        let (u, b, k) = (usecase.clone(), bucket.to_owned(), key.to_owned());
        self.services.db.run(move |c| authz::rights_at(c, &actor, &u, &b, &k)).await
    }

    /// Runs `authorize` for the principal, asking for the access the
    /// action pairs with; a refusal is audited and returned.
    pub async fn authorize(&self, target: &Target) -> Result<Scope, CoreError> {
        let Some(action) = self.action.access() else {
            return Err(CoreError::Internal(format!("{} has no access to authorize", self.action)));
        };
        let actor = self.principal.actor.clone();
        let owned = target.clone();
        let decision =
            self.services.db.run(move |c| authz::authorize(c, actor.as_ref(), action, owned.resource())).await;
        match decision {
            Err(e @ (CoreError::Denied(_) | CoreError::NotSignedIn)) => {
                let mut event = self.event();
                target.describe(&mut event);
                event.detail = e.to_string();
                self.audit(event, Outcome::Denied).await;
                Err(e)
            }
            other => other,
        }
    }

    /// The S3 client for a usecase's data; a failure (a role that cannot be
    /// assumed, say) is audited as the action's error.
    pub async fn s3(&self, target: &Target, usecase: &Usecase) -> Result<aws_sdk_s3::Client, CoreError> {
        match self.services.s3.client_for(usecase).await {
            Ok(client) => Ok(client),
            Err(e) => Err(self.fail(target, e).await),
        }
    }

    /// Audits an authorized action that failed and hands the error back.
    pub async fn fail(&self, target: &Target, error: CoreError) -> CoreError {
        let mut event = self.event();
        target.describe(&mut event);
        event.detail = error.to_string();
        self.audit(event, Outcome::Error).await;
        error
    }

    /// Audits how an authorized action ended.
    pub async fn finish<T>(
        &self,
        target: &Target,
        result: Result<T, CoreError>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, CoreError> {
        match result {
            Ok(value) => {
                let mut event = self.event();
                target.describe(&mut event);
                event.detail = detail(&value);
                self.record(event, Outcome::Success).await?;
                Ok(value)
            }
            Err(e) => Err(self.fail(target, e).await),
        }
    }
}
