//! The administrators' side of people: list, invite, change role, disable
//! and enable, reset a password, unlock, delete. Every function works
//! inside the administrator's own organization, authorizes through the one
//! `authorize` and writes its audit event through the guard. Changes take
//! effect at the subject's next request: rights are read on every request,
//! and disabling, resetting or deleting ends their sessions.

use super::actions::AuditAction;
use super::audit::Outcome;
use super::authz::Actor;
use super::db::Conn;
use super::db::models::User;
use super::db::schema::{grants, password_links, users};
use super::guard::{Guard, Services, Target};
use super::password_links::{self as links, Purpose};
use super::principal::Principal;
use super::{CoreError, identity, now_ms};
use crate::ids::UserId;
use crate::model::{PasswordLink, Person, PersonStatus, Role};
use diesel::prelude::*;

/// Longest display name kept.
pub const MAX_DISPLAY_NAME: usize = 100;

/// A user of `tenant` who was not deleted.
fn member(conn: &mut Conn, tenant: &str, id: &UserId) -> Result<Option<User>, CoreError> {
    Ok(users::table
        .filter(users::id.eq(id))
        .filter(users::tenant_id.eq(tenant))
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Loads the subject of an administration; an id of no member of the
/// organization is refused like a forbidden one, so that ids reveal nothing.
async fn subject(g: &Guard<'_>, actor: &Actor, id: &UserId) -> Result<User, CoreError> {
    let (tenant, key) = (actor.tenant_id.clone(), id.clone());
    match g.services().db.run(move |c| member(c, &tenant, &key)).await? {
        Some(user) => Ok(user),
        None => {
            let mut event = g.event();
            event.detail = format!("no such user {id} in this organization");
            g.audit(event, Outcome::Denied).await;
            Err(CoreError::Denied("no such user".into()))
        }
    }
}

/// Where an account stands now.
pub fn status_of(user: &User, now: i64) -> PersonStatus {
    if user.disabled {
        PersonStatus::Disabled
    } else if user.password_hash.is_empty() {
        PersonStatus::Invited
    } else if user.locked_until.is_some_and(|t| t > now) {
        PersonStatus::Locked
    } else {
        PersonStatus::Active
    }
}

fn person(user: User, grants: i64, now: i64) -> Person {
    Person {
        status: status_of(&user, now),
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        last_sign_in_at: user.last_sign_in_at,
        grants,
    }
}

/// The organization's people, matching `search` in email or name.
pub async fn list(s: &Services, p: &Principal, search: &str) -> Result<Vec<Person>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListUsers);
    let (actor, _) = g.own_tenant().await?;
    let (tenant, needle) = (actor.tenant_id.clone(), search.trim().to_lowercase());
    s.db.run(move |c| {
        let rows: Vec<(User, i64)> = users::table
            .left_join(grants::table)
            .filter(users::tenant_id.eq(&tenant))
            .filter(users::deleted_at.is_null())
            .group_by(users::id)
            .select((User::as_select(), diesel::dsl::count(grants::id.nullable())))
            .order(users::email.asc())
            .load(c)?;
        let now = now_ms();
        Ok(rows
            .into_iter()
            .filter(|(u, _)| {
                needle.is_empty() || u.email.contains(&needle) || u.display_name.to_lowercase().contains(&needle)
            })
            .map(|(u, n)| person(u, n, now))
            .collect())
    })
    .await
}

/// One person of the organization.
pub async fn get(s: &Services, p: &Principal, id: &UserId) -> Result<Person, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListUsers);
    let (actor, _) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    let key = id.clone();
    let count: i64 =
        s.db.run(move |c| Ok(grants::table.filter(grants::user_id.eq(&key)).count().get_result(c)?)).await?;
    Ok(person(user, count, now_ms()))
}

fn checked_display_name(name: &str) -> Result<String, CoreError> {
    let name = name.trim();
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err(CoreError::Invalid(format!("A display name has at most {MAX_DISPLAY_NAME} characters.")));
    }
    if name.chars().any(|c| c.is_control() || crate::rules::is_forbidden_in_names(c)) {
        return Err(CoreError::Invalid(
            "A display name cannot contain control or invisible formatting characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

fn link_for(s: &Services, user: &User, token: &str, expires_at: i64) -> PasswordLink {
    let url = format!("{}/set-password?token={token}", s.config.public_origin.trim_end_matches('/'));
    PasswordLink { user_id: user.id.clone(), email: user.email.clone(), url, expires_at }
}

/// Adds a person with no password yet and makes their one-time invitation link.
pub async fn invite(
    s: &Services,
    p: &Principal,
    email: &str,
    display_name: &str,
    role: Role,
) -> Result<PasswordLink, CoreError> {
    let g = Guard::new(s, p, AuditAction::InviteUser);
    let (actor, target) = g.own_tenant().await?;
    let email = g.screened(identity::normalize_email(email)).await?;
    let display_name = g.screened(checked_display_name(display_name)).await?;
    let (tenant, by) = (actor.tenant_id.clone(), actor.user_id.clone());
    let made =
        s.db.run(move |c| {
            super::db::write_transaction(c, |c| {
                let user = identity::insert_user(c, &tenant, &email, &display_name, "", role)?;
                let (token, expires_at) = links::issue(c, &user.id, Purpose::Invite, &by)?;
                Ok((user, token, expires_at))
            })
        })
        .await
        .map(|(user, token, expires_at)| link_for(s, &user, &token, expires_at));
    g.finish(&target, made, |l| format!("invited {} ({}) as {}", l.email, l.user_id, role.as_str())).await
}

/// True when `subject` is the last active administrator of their organization.
fn is_last_admin(conn: &mut Conn, subject: &User) -> Result<bool, CoreError> {
    if subject.role != Role::Admin || subject.disabled {
        return Ok(false);
    }
    let others: i64 = users::table
        .filter(users::tenant_id.eq(&subject.tenant_id))
        .filter(users::id.ne(&subject.id))
        .filter(users::role.eq(Role::Admin))
        .filter(users::disabled.eq(false))
        .filter(users::deleted_at.is_null())
        .filter(users::password_hash.ne(""))
        .count()
        .get_result(conn)?;
    Ok(others == 0)
}

/// Changes a person inside one transaction that first makes sure the
/// organization keeps an active administrator when `removes_admin`.
async fn change(
    g: &Guard<'_>,
    target: &Target,
    user: User,
    removes_admin: bool,
    apply: impl FnOnce(&mut Conn, &User) -> Result<String, CoreError> + Send + 'static,
) -> Result<(), CoreError> {
    let who = format!("{} ({})", user.email, user.id);
    let done = g
        .services()
        .db
        .run(move |c| {
            super::db::write_transaction(c, |c| {
                if removes_admin && is_last_admin(c, &user)? {
                    return Err(CoreError::Conflict(format!(
                        "{} is the last active administrator of this organization. Make someone else an \
                         administrator first.",
                        user.email
                    )));
                }
                apply(c, &user)
            })
        })
        .await;
    g.finish(target, done, |what| format!("{who}: {what}")).await.map(|_| ())
}

/// Gives a person another role.
pub async fn set_role(s: &Services, p: &Principal, id: &UserId, role: Role) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::ChangeRole);
    let (actor, target) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    let was = user.role;
    change(&g, &target, user, role != Role::Admin, move |c, u| {
        diesel::update(users::table.find(&u.id)).set(users::role.eq(role)).execute(c)?;
        Ok(format!("role {} → {}", was.as_str(), role.as_str()))
    })
    .await
}

/// Disables a person (their sessions end at once) or enables them again.
pub async fn set_disabled(s: &Services, p: &Principal, id: &UserId, disabled: bool) -> Result<(), CoreError> {
    let action = if disabled { AuditAction::DisableUser } else { AuditAction::EnableUser };
    let g = Guard::new(s, p, action);
    let (actor, target) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    change(&g, &target, user, disabled, move |c, u| {
        let ended = if disabled { now_ms() } else { u.sessions_after };
        diesel::update(users::table.find(&u.id))
            .set((users::disabled.eq(disabled), users::sessions_after.eq(ended)))
            .execute(c)?;
        Ok(if disabled { "disabled; sessions ended".into() } else { "enabled".into() })
    })
    .await
}

/// Ends a person's sessions and makes a one-time link to choose a new password.
pub async fn reset_password(s: &Services, p: &Principal, id: &UserId) -> Result<PasswordLink, CoreError> {
    let g = Guard::new(s, p, AuditAction::ResetPassword);
    let (actor, target) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    let (key, by) = (user.id.clone(), actor.user_id.clone());
    let purpose = if user.password_hash.is_empty() { Purpose::Invite } else { Purpose::Reset };
    let made =
        s.db.run(move |c| {
            super::db::write_transaction(c, |c| {
                diesel::update(users::table.find(&key)).set(users::sessions_after.eq(now_ms())).execute(c)?;
                links::issue(c, &key, purpose, &by)
            })
        })
        .await
        .map(|(token, expires_at)| link_for(s, &user, &token, expires_at));
    g.finish(&target, made, |l| format!("new password link for {} ({}); sessions ended", l.email, l.user_id)).await
}

/// Lifts a lock-out left by wrong passwords.
pub async fn unlock(s: &Services, p: &Principal, id: &UserId) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::UnlockUser);
    let (actor, target) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    change(&g, &target, user, false, |c, u| {
        identity::clear_failures(c, &u.id)?;
        Ok("unlocked".into())
    })
    .await
}

/// Deletes a person: their grants and links go, their sessions end, their
/// audit events stay with their email; files they uploaded stay.
pub async fn delete(s: &Services, p: &Principal, id: &UserId) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::DeleteUser);
    let (actor, target) = g.own_tenant().await?;
    let user = subject(&g, actor, id).await?;
    change(&g, &target, user, true, |c, u| {
        diesel::delete(grants::table.filter(grants::user_id.eq(&u.id))).execute(c)?;
        diesel::delete(password_links::table.filter(password_links::user_id.eq(&u.id))).execute(c)?;
        // The row stays for the files that name it, but frees the email and opens nothing.
        let now = now_ms();
        diesel::update(users::table.find(&u.id))
            .set((
                users::email.eq(format!("deleted-{}", u.id)),
                users::password_hash.eq(""),
                users::disabled.eq(true),
                users::deleted_at.eq(Some(now)),
                users::sessions_after.eq(now),
            ))
            .execute(c)?;
        Ok("deleted with their grants; audit events kept".into())
    })
    .await
}
