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
        })
    }
}

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
        return Err(CoreError::Denied("resource belongs to another tenant".into()));
    }
    if actor.role == Role::Admin {
        return Ok(Scope::All);
    }
    match (action, resource) {
        (Action::ViewAudit, _) => Err(CoreError::Denied("only administrators read the audit trail".into())),
        // Every member of the tenant has a home in each usecase.
        (Action::ViewUsecase, Resource::Usecase(_)) => Ok(Scope::All),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn usecase(tenant: &str) -> Usecase {
        Usecase { id: "uc".into(), ..Usecase::same_account(tenant, "Demo", "111111111111", "data", "us-east-1") }
    }

    fn actor(role: Role) -> Actor {
        Actor { user_id: "u1".into(), tenant_id: "t1".into(), email: "a@example.com".into(), role }
    }

    fn grant(prefix: &str, write: bool, expires_at: Option<i64>) -> Grant {
        Grant {
            id: "g".into(),
            user_id: "u1".into(),
            usecase_id: "uc".into(),
            bucket: "data".into(),
            prefix: prefix.into(),
            can_list: true,
            can_read: true,
            can_write: write,
            can_delete: false,
            expires_at,
            created_at: 0,
            created_by: None,
            updated_at: None,
        }
    }

    fn object<'a>(uc: &'a Usecase, key: &'a str) -> Resource<'a> {
        Resource::Object { usecase: uc, bucket: "data", key }
    }

    #[test]
    fn a_grant_reaches_its_folder_and_never_a_sibling_with_a_longer_name() {
        let uc = usecase("t1");
        let editor = actor(Role::Editor);
        for stored in ["acme/team/", "acme/team"] {
            let g = [grant(stored, true, None)];
            let read = |key| decide(Some(&editor), &g, Action::ReadObject, object(&uc, key), 0);
            assert!(read("acme/team/a.csv").is_ok(), "{stored}");
            assert!(read("acme/team-finance/salaries.csv").is_err(), "{stored}");
            assert!(read("acme/teams.csv").is_err(), "{stored}");
            let list = decide(Some(&editor), &g, Action::ListObjects, object(&uc, "acme/team-finance/"), 0);
            assert!(list.is_err(), "{stored}");
        }
    }

    #[test]
    fn anonymous_is_asked_to_sign_in() {
        let uc = usecase("t1");
        let r = decide(None, &[], Action::ViewUsecase, Resource::Usecase(&uc), 0);
        assert!(matches!(r, Err(CoreError::NotSignedIn)));
    }

    #[test]
    fn other_tenant_sees_nothing_even_as_admin() {
        let uc = usecase("t2");
        let r = decide(Some(&actor(Role::Admin)), &[], Action::ListObjects, object(&uc, ""), 0);
        assert!(matches!(r, Err(CoreError::Denied(_))));
    }

    #[test]
    fn viewer_cannot_write_even_with_a_write_grant() {
        let uc = usecase("t1");
        let g = [grant("acme/", true, None)];
        let r = decide(Some(&actor(Role::Viewer)), &g, Action::WriteObject, object(&uc, "acme/a.csv"), 0);
        assert!(matches!(r, Err(CoreError::Denied(_))));
        let e = decide(Some(&actor(Role::Editor)), &g, Action::WriteObject, object(&uc, "acme/a.csv"), 0);
        assert_eq!(e.unwrap(), Scope::All);
    }

    #[test]
    fn grant_covers_only_its_prefix() {
        let uc = usecase("t1");
        let g = [grant("acme/uploads/", true, None)];
        let a = actor(Role::Editor);
        assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/uploads/x"), 0).is_ok());
        assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/other/x"), 0).is_err());
        assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/uploads"), 0).is_err());
    }

    #[test]
    fn listing_above_a_grant_shows_only_the_path_down_to_it() {
        let uc = usecase("t1");
        let g = [grant("acme/uploads/", false, None)];
        let scope = decide(Some(&actor(Role::Viewer)), &g, Action::ListObjects, object(&uc, "acme/"), 0).unwrap();
        assert!(scope.shows_folder("data", "acme/uploads/"));
        assert!(!scope.shows_folder("data", "acme/secret/"));
        assert!(!scope.shows_key("data", "acme/readme.txt"));
    }

    #[test]
    fn expired_grant_gives_nothing() {
        let uc = usecase("t1");
        let g = [grant("acme/", true, Some(100))];
        let r = decide(Some(&actor(Role::Editor)), &g, Action::ReadObject, object(&uc, "acme/a"), 200);
        assert!(matches!(r, Err(CoreError::Denied(_))));
    }

    #[test]
    fn everyone_owns_a_home_in_the_data_bucket() {
        let uc = usecase("t1");
        let a = actor(Role::Editor);
        let key = format!("{}notes.txt", home_prefix(&"u1".into()));
        assert!(decide(Some(&a), &[], Action::WriteObject, object(&uc, &key), 0).is_ok());
        assert!(decide(Some(&a), &[], Action::ReadObject, object(&uc, "users/u2/notes.txt"), 0).is_err());
    }

    #[test]
    fn only_admins_manage_buckets_and_usecases() {
        let uc = usecase("t1");
        for action in [Action::ManageBuckets, Action::ManageUsecase] {
            let r = decide(Some(&actor(Role::Editor)), &[], action, Resource::Usecase(&uc), 0);
            assert!(matches!(r, Err(CoreError::Denied(_))), "{action:?}");
            assert!(decide(Some(&actor(Role::Admin)), &[], action, Resource::Usecase(&uc), 0).is_ok());
        }
    }

    #[test]
    fn only_admins_read_the_audit_trail() {
        let r = decide(Some(&actor(Role::Editor)), &[], Action::ViewAudit, Resource::Tenant("t1"), 0);
        assert!(matches!(r, Err(CoreError::Denied(_))));
        assert!(decide(Some(&actor(Role::Admin)), &[], Action::ViewAudit, Resource::Tenant("t1"), 0).is_ok());
    }
}
