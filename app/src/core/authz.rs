//! The one place that decides every access. Roles cap what grants give;
//! tenant admins have everything inside their tenant; nothing crosses
//! tenants; every user has a private home `users/{user_id}/` in each
//! usecase's data bucket.

use super::db::models::{Grant, Usecase, User};
use super::db::{Conn, schema::grants};
use super::{CoreError, usecase_buckets};
use crate::ids::UserId;
use crate::model::Role;
use diesel::prelude::*;

/// The signed-in user on whose behalf a request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user_id: UserId,
    /// Tenant of the user.
    pub tenant_id: String,
    /// Email, for the audit trail.
    pub email: String,
    /// Role inside the tenant.
    pub role: Role,
    /// Acting through a read-only access token: nothing is written or deleted.
    pub read_only: bool,
    /// Acting through a drop link: only uploads, only into this folder.
    pub drop_into: Option<DropBox>,
}

/// The one folder a drop link lets visitors upload into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropBox {
    /// The usecase.
    pub usecase_id: String,
    /// Bucket.
    pub bucket: String,
    /// The folder.
    pub prefix: String,
}

impl Actor {
    /// The actor for a user row, if the user may act at all.
    pub fn from_user(user: &User) -> Option<Actor> {
        if user.disabled {
            return None;
        }
        Some(Actor {
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            email: user.email.clone(),
            role: user.role,
            read_only: false,
            drop_into: None,
        })
    }
}

/// Why a resource of another tenant is refused; the REST API answers it as
/// "not found", so that ids reveal nothing.
pub const OTHER_TENANT: &str = "resource belongs to another tenant";

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a usecase and see its summary.
    ViewUsecase,
    /// See the buckets of a usecase.
    ListBuckets,
    /// List a folder.
    ListObjects,
    /// Download an object.
    ReadObject,
    /// Upload or create an object.
    WriteObject,
    /// Delete an object.
    DeleteObject,
    /// Read the tenant's audit trail.
    ViewAudit,
    /// Change the settings of a usecase's buckets (administrators only).
    ManageBuckets,
    /// Create a bucket for a usecase or adopt an existing one (administrators
    /// only, and only buckets the usecase may attach).
    AttachBucket,
    /// Change a usecase's configuration, such as its data source (administrators only).
    ManageUsecase,
    /// Add, change and remove people and their grants (administrators only).
    ManagePeople,
    /// See the organization's people and grants (administrators only).
    ViewPeople,
    /// Read one's own events (everyone).
    ViewOwnActivity,
    /// Create, disable and enable organizations (the platform's administrators only).
    ManageTenants,
    /// Create and revoke one's own access tokens, credentials and share links (everyone).
    ManageOwnAccess,
}

impl Action {
    /// Whether the action changes anything; a read-only token does none of these.
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Action::ViewUsecase
                | Action::ListBuckets
                | Action::ListObjects
                | Action::ReadObject
                | Action::ViewAudit
                | Action::ViewOwnActivity
                | Action::ViewPeople
        )
    }
}

/// What it is done to.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// The tenant as a whole (audit, administration).
    Tenant(&'a str),
    /// A usecase.
    Usecase(&'a Usecase),
    /// A key or prefix in a bucket of a usecase.
    Object {
        /// The usecase whose storage holds it.
        usecase: &'a Usecase,
        /// Bucket name.
        bucket: &'a str,
        /// Key, or prefix for listings.
        key: &'a str,
    },
}

impl Resource<'_> {
    fn tenant_id(&self) -> &str {
        match self {
            Resource::Tenant(t) => t,
            Resource::Usecase(u) | Resource::Object { usecase: u, .. } => &u.tenant_id,
        }
    }
}

/// How much of the resource an allowed actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// All of it.
    All,
    /// Only what lies on the way to (or inside) these bucket prefixes, as
    /// `(bucket, prefix)` pairs: a user granted `acme/uploads/` sees the path
    /// down to it and nothing beside it.
    Within(Vec<(String, String)>),
}

impl Scope {
    /// True if a bucket is visible in this scope.
    pub fn shows_bucket(&self, bucket: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(v) => v.iter().any(|(b, _)| b == bucket),
        }
    }

    /// True if a folder (prefix ending in `/`) of `bucket` is visible.
    pub fn shows_folder(&self, bucket: &str, folder: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(v) => {
                v.iter().any(|(b, p)| b == bucket && (p.starts_with(folder) || folder.starts_with(p.as_str())))
            }
        }
    }

    /// True if an object key of `bucket` is visible.
    pub fn shows_key(&self, bucket: &str, key: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Within(v) => v.iter().any(|(b, p)| b == bucket && key.starts_with(p.as_str())),
        }
    }
}

/// The rights one grant gives, after the role cap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Right {
    bucket: String,
    prefix: String,
    list: bool,
    read: bool,
    write: bool,
    delete: bool,
}

fn effective_rights(actor: &Actor, usecase: &Usecase, grants: &[Grant], now_ms: i64) -> Vec<Right> {
    let may_change = actor.role != Role::Viewer;
    let mut rights: Vec<Right> = grants
        .iter()
        .filter(|g| g.user_id == actor.user_id && g.usecase_id == usecase.id)
        .filter(|g| g.expires_at.is_none_or(|t| t > now_ms))
        .map(|g| Right {
            bucket: g.bucket.clone(),
            prefix: as_folder(&g.prefix),
            list: g.can_list,
            read: g.can_read,
            write: g.can_write && may_change,
            delete: g.can_delete && may_change,
        })
        .collect();
    rights.push(Right {
        bucket: usecase.data_bucket().to_owned(),
        prefix: home_prefix(&actor.user_id),
        list: true,
        read: true,
        write: may_change,
        delete: may_change,
    });
    rights
}

/// A grant's prefix as a folder: `acme/team` reaches `acme/team/` and never
/// `acme/team-finance/`, even for a row stored before prefixes were checked.
fn as_folder(prefix: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') { prefix.to_owned() } else { format!("{prefix}/") }
}

/// The private home folder of a user in every data bucket.
pub fn home_prefix(user_id: &UserId) -> String {
    format!("users/{user_id}/")
}

/// Decides an access from already loaded grants. `authorize` is the entry
/// point; this half is pure so that it can be tested on its own.
pub fn decide(
    actor: Option<&Actor>,
    grants: &[Grant],
    action: Action,
    resource: Resource<'_>,
    now_ms: i64,
) -> Result<Scope, CoreError> {
    let actor = actor.ok_or(CoreError::NotSignedIn)?;
    if actor.tenant_id != resource.tenant_id() {
        return Err(CoreError::Denied(OTHER_TENANT.into()));
    }
    if let Some(drop) = &actor.drop_into {
        let inside = matches!(resource, Resource::Object { usecase, bucket, key }
            if usecase.id.as_str() == drop.usecase_id && *bucket == drop.bucket && key.starts_with(&drop.prefix));
        if action != Action::WriteObject || !inside {
            return Err(CoreError::Denied(format!("{action:?}: a drop link only uploads into its folder")));
        }
    }
    if actor.read_only && action.writes() {
        return Err(CoreError::Denied(format!("{action:?} needs a token that may write; this one is read-only")));
    }
    if actor.role == Role::Admin {
        return Ok(Scope::All);
    }
    match (action, resource) {
        (Action::ViewAudit, _) => Err(CoreError::Denied("only administrators read the audit trail".into())),
        (Action::ViewOwnActivity | Action::ManageOwnAccess, Resource::Tenant(_)) => Ok(Scope::All),
        // Every member of the tenant has a home in each usecase.
        (Action::ViewUsecase, Resource::Usecase(_)) => Ok(Scope::All),
        // What the organization holds, each item then checked on its own.
        (Action::ViewUsecase, Resource::Tenant(_)) => Ok(Scope::All),
        (Action::ListBuckets, Resource::Usecase(usecase)) => {
            let rights = effective_rights(actor, usecase, grants, now_ms);
            let visible = rights.into_iter().filter(|r| r.list).map(|r| (r.bucket, r.prefix)).collect();
            Ok(Scope::Within(visible))
        }
        (Action::ListObjects, Resource::Object { usecase, bucket, key: prefix }) => {
            let rights = effective_rights(actor, usecase, grants, now_ms);
            let listable = rights.iter().filter(|r| r.list && r.bucket == bucket);
            if listable.clone().any(|r| prefix.starts_with(&r.prefix)) {
                return Ok(Scope::All);
            }
            let below: Vec<_> = listable
                .filter(|r| r.prefix.starts_with(prefix))
                .map(|r| (r.bucket.clone(), r.prefix.clone()))
                .collect();
            if below.is_empty() {
                Err(CoreError::Denied(format!("no list grant on s3://{bucket}/{prefix}")))
            } else {
                Ok(Scope::Within(below))
            }
        }
        (
            Action::ReadObject | Action::WriteObject | Action::DeleteObject,
            Resource::Object { usecase, bucket, key },
        ) => {
            let rights = effective_rights(actor, usecase, grants, now_ms);
            let allowed = rights.iter().any(|r| {
                r.bucket == bucket
                    && key.starts_with(&r.prefix)
                    && match action {
                        Action::ReadObject => r.read,
                        Action::WriteObject => r.write,
                        _ => r.delete,
                    }
            });
            if allowed {
                Ok(Scope::All)
            } else {
                Err(CoreError::Denied(format!("{action:?} not granted on s3://{bucket}/{key}")))
            }
        }
        (action, _) => Err(CoreError::Denied(format!("{action:?} does not apply to this resource"))),
    }
}

/// Decides whether `actor` may do `action` on `resource`, and how much of it
/// they may see. Every server function and route calls this first.
pub fn authorize(
    conn: &mut Conn,
    actor: Option<&Actor>,
    action: Action,
    resource: Resource<'_>,
) -> Result<Scope, CoreError> {
    let grants = match (actor, resource) {
        (Some(a), Resource::Usecase(u) | Resource::Object { usecase: u, .. }) if a.role != Role::Admin => grants::table
            .filter(grants::user_id.eq(&a.user_id))
            .filter(grants::usecase_id.eq(&u.id))
            .select(Grant::as_select())
            .load(conn)?,
        _ => Vec::new(),
    };
    let scope = decide(actor, &grants, action, resource, super::now_ms())?;
    if action == Action::ManageTenants
        && !actor.is_some_and(|a| super::identity::is_platform_tenant(conn, &a.tenant_id).unwrap_or(false))
    {
        return Err(CoreError::Denied("only the platform's administrators manage organizations".into()));
    }
    // Whoever asks, a usecase reaches only its own buckets.
    if let Resource::Object { usecase, bucket, .. } = resource {
        if action == Action::AttachBucket {
            if !usecase_buckets::may_attach(conn, usecase, bucket)? {
                return Err(CoreError::Denied(format!(
                    "bucket {bucket} is not assigned to this organization; the platform administrator assigns \
                     buckets with `dataport assign-buckets`"
                )));
            }
        } else if !usecase_buckets::belongs(conn, usecase, bucket)? {
            return Err(usecase_buckets::not_its_bucket(usecase, bucket));
        }
    }
    Ok(scope)
}

/// What `actor` may do at `key` (or prefix) of `bucket` in `usecase`,
/// decided by the same rules as `authorize` but without a refusal: pages
/// ask it to show only the buttons that will work.
pub fn rights_at(
    conn: &mut Conn,
    actor: &Actor,
    usecase: &Usecase,
    bucket: &str,
    key: &str,
) -> Result<crate::model::Rights, CoreError> {
    let grants = grants::table
        .filter(grants::user_id.eq(&actor.user_id))
        .filter(grants::usecase_id.eq(&usecase.id))
        .select(Grant::as_select())
        .load(conn)?;
    let now = super::now_ms();
    let may = |action| decide(Some(actor), &grants, action, Resource::Object { usecase, bucket, key }, now).is_ok();
    Ok(crate::model::Rights {
        list: may(Action::ListObjects),
        read: may(Action::ReadObject),
        write: may(Action::WriteObject),
        delete: may(Action::DeleteObject),
    })
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;
