//! Organizations, for the platform administrator (an administrator of the
//! first organization): list them, create one with its first
//! administrator (who gets a one-time password link), disable and enable
//! one. A disabled organization's people cannot sign in, and their sessions
//! end at their next request.

use super::actions::AuditAction;
use super::db::models::Tenant;
use super::db::schema::{tenants, users};
use super::guard::{Guard, Services};
use super::password_links::{self as links, Purpose};
use super::principal::Principal;
use super::{CoreError, identity, new_id, now_ms};
use crate::model::{PasswordLink, Role, TenantRow};
use diesel::prelude::*;

/// Longest organization name kept.
pub const MAX_NAME: usize = 100;

/// Every organization, the platform's own first.
pub async fn list(s: &Services, p: &Principal) -> Result<Vec<TenantRow>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListTenants);
    g.own_tenant().await?;
    s.db.run(|c| {
        let all: Vec<Tenant> =
            tenants::table.order((tenants::created_at.asc(), tenants::id.asc())).select(Tenant::as_select()).load(c)?;
        all.into_iter()
            .map(|t| {
                let people: i64 = users::table
                    .filter(users::tenant_id.eq(&t.id))
                    .filter(users::deleted_at.is_null())
                    .count()
                    .get_result(c)?;
                Ok(TenantRow { id: t.id, name: t.name, disabled: t.disabled, people, created_at: t.created_at })
            })
            .collect()
    })
    .await
}

fn checked_name(name: &str) -> Result<String, CoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(CoreError::Invalid(format!("Name the organization in 1 to {MAX_NAME} characters.")));
    }
    if name.chars().any(|c| c.is_control() || crate::rules::is_forbidden_in_names(c)) {
        return Err(CoreError::Invalid(
            "An organization's name cannot contain control or formatting characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Creates an organization and invites its first administrator.
pub async fn create(s: &Services, p: &Principal, name: &str, admin_email: &str) -> Result<PasswordLink, CoreError> {
    let g = Guard::new(s, p, AuditAction::CreateTenant);
    let (actor, target) = g.own_tenant().await?;
    let name = g.screened(checked_name(name)).await?;
    let email = g.screened(identity::normalize_email(admin_email)).await?;
    let by = actor.user_id.clone();
    let made =
        s.db.run(move |c| {
            super::db::write_transaction(c, |c| {
                let taken: i64 = tenants::table.filter(tenants::name.eq(&name)).count().get_result(c)?;
                if taken > 0 {
                    return Err(CoreError::Conflict(format!("An organization named “{name}” already exists.")));
                }
                let tenant = Tenant { id: new_id(), name: name.clone(), created_at: now_ms(), disabled: false };
                diesel::insert_into(tenants::table).values(&tenant).execute(c)?;
                let user = identity::insert_user(c, &tenant.id, &email, "", "", Role::Admin)?;
                let (token, expires_at) = links::issue(c, &user.id, Purpose::Invite, &by)?;
                Ok((tenant, user, token, expires_at))
            })
        })
        .await
        .map(|(tenant, user, token, expires_at)| {
            let url = format!("{}/set-password?token={token}", s.config.public_origin.trim_end_matches('/'));
            (tenant, PasswordLink { user_id: user.id, email: user.email, url, expires_at })
        });
    let done = g
        .finish(&target, made, |(t, l)| format!("organization “{}” ({}) with administrator {}", t.name, t.id, l.email));
    done.await.map(|(_, link)| link)
}

/// Disables an organization (its people's sessions end) or enables it again;
/// the platform's own organization stays enabled.
pub async fn set_disabled(s: &Services, p: &Principal, tenant_id: &str, disabled: bool) -> Result<(), CoreError> {
    let action = if disabled { AuditAction::DisableTenant } else { AuditAction::EnableTenant };
    let g = Guard::new(s, p, action);
    let (actor, target) = g.own_tenant().await?;
    if disabled && tenant_id == actor.tenant_id {
        let refused = Err(CoreError::Conflict("The platform's own organization cannot be disabled.".into()));
        return g.finish(&target, refused, |_: &()| String::new()).await;
    }
    let id = tenant_id.to_owned();
    let changed = s
        .db
        .run(move |c| Ok(diesel::update(tenants::table.find(&id)).set(tenants::disabled.eq(disabled)).execute(c)?))
        .await
        .and_then(
            |n| if n == 1 { Ok(()) } else { Err(CoreError::NotFound("This organization does not exist.".into())) },
        );
    let word = if disabled { "disabled" } else { "enabled" };
    g.finish(&target, changed, |_| format!("organization {tenant_id} {word}")).await
}
