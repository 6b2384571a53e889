//! The administrators' side of grants: list, add, edit and revoke the
//! rights people hold on bucket folders of the organization's usecases.
//! A grant names a bucket of its usecase and a checked folder; the rights
//! take effect at the holder's next request, since `authorize` reads
//! grants on every request.

use super::actions::AuditAction;
use super::db::Conn;
use super::db::models::{Grant, Usecase, User};
use super::db::schema::{grants, usecases, users};
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, now_ms, usecase_buckets};
use crate::ids::{GrantId, UsecaseId, UserId};
use crate::model::{GrantForm, GrantRow, GrantState, Rights};
use crate::names::Prefix;
use diesel::prelude::*;

/// A grant ending within this many days is shown as expiring soon.
pub const SOON_DAYS: i64 = 7;

/// Which grants a list shows.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    /// Only this person's.
    pub user_id: Option<UserId>,
    /// Only on this usecase.
    pub usecase_id: Option<UsecaseId>,
}

/// Whether a grant ending at `expires_at` gives anything at `now`.
pub fn state_at(expires_at: Option<i64>, now: i64) -> GrantState {
    match expires_at {
        Some(t) if t <= now => GrantState::Expired,
        Some(t) if t - now <= SOON_DAYS * 24 * 3600 * 1000 => GrantState::ExpiresSoon,
        _ => GrantState::Active,
    }
}

fn row(g: Grant, user: User, usecase: Usecase, now: i64) -> GrantRow {
    GrantRow {
        state: state_at(g.expires_at, now),
        rights: Rights { list: g.can_list, read: g.can_read, write: g.can_write, delete: g.can_delete },
        id: g.id,
        user_id: user.id,
        user_email: user.email,
        user_role: user.role,
        usecase_id: usecase.id,
        usecase_name: usecase.name,
        bucket: g.bucket,
        prefix: g.prefix,
        expires_at: g.expires_at,
    }
}

/// The organization's grants, as `filter` narrows them.
fn load(conn: &mut Conn, tenant: &str, filter: &GrantFilter) -> Result<Vec<GrantRow>, CoreError> {
    let mut query = grants::table
        .inner_join(users::table)
        .inner_join(usecases::table)
        .filter(users::tenant_id.eq(tenant))
        .filter(usecases::tenant_id.eq(tenant))
        .into_boxed();
    if let Some(user) = &filter.user_id {
        query = query.filter(grants::user_id.eq(user.clone()));
    }
    if let Some(usecase) = &filter.usecase_id {
        query = query.filter(grants::usecase_id.eq(usecase.clone()));
    }
    let rows: Vec<(Grant, User, Usecase)> = query
        .order((users::email.asc(), usecases::name.asc(), grants::bucket.asc(), grants::prefix.asc()))
        .select((Grant::as_select(), User::as_select(), Usecase::as_select()))
        .load(conn)?;
    let now = now_ms();
    Ok(rows.into_iter().map(|(g, u, uc)| row(g, u, uc, now)).collect())
}

/// The organization's grants.
pub async fn list(s: &Services, p: &Principal, filter: GrantFilter) -> Result<Vec<GrantRow>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListGrants);
    let (actor, _) = g.own_tenant().await?;
    let tenant = actor.tenant_id.clone();
    s.db.run(move |c| load(c, &tenant, &filter)).await
}

/// The usecases of the organization with the buckets a grant may name.
pub async fn locations(s: &Services, p: &Principal) -> Result<Vec<(UsecaseId, String, Vec<String>)>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListGrants);
    let (actor, _) = g.own_tenant().await?;
    let tenant = actor.tenant_id.clone();
    s.db.run(move |c| {
        let all: Vec<Usecase> = usecases::table
            .filter(usecases::tenant_id.eq(&tenant))
            .order(usecases::name.asc())
            .select(Usecase::as_select())
            .load(c)?;
        all.into_iter().map(|u| Ok((u.id.clone(), u.name.clone(), usecase_buckets::list(c, &u)?))).collect()
    })
    .await
}

/// A typed folder as a grant keeps it: `a/b` and `a/b/` are the folder `a/b/`.
pub fn grant_prefix(typed: &str) -> Result<Prefix, CoreError> {
    let typed = typed.trim().trim_start_matches('/');
    let folder = if typed.is_empty() || typed.ends_with('/') { typed.to_owned() } else { format!("{typed}/") };
    Prefix::new(folder).map_err(CoreError::Invalid)
}

/// `2026-12-31T18:00` (UTC, as a date-time field sends it) in ms; it must lie ahead.
pub fn parse_expiry(text: &str, now: i64) -> Result<Option<i64>, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let at = time::PrimitiveDateTime::parse(text.get(..16).unwrap_or(text), &format)
        .map_err(|_| CoreError::Invalid(format!("“{text}” is not a date and time; use the form 2026-12-31T18:00.")))?
        .assume_utc();
    let ms = (at.unix_timestamp_nanos() / 1_000_000) as i64;
    if ms <= now {
        return Err(CoreError::Invalid("The expiry lies in the past; choose a later date or none.".into()));
    }
    Ok(Some(ms))
}

/// The form's input, checked: the folder, the rights and the expiry.
fn checked(form: &GrantForm) -> Result<(Prefix, Rights, Option<i64>), CoreError> {
    let prefix = grant_prefix(&form.prefix)?;
    let rights = Rights { list: form.list, read: form.read, write: form.write, delete: form.delete };
    if rights == Rights::default() {
        return Err(CoreError::Invalid("Tick at least one of List, Read, Write and Delete.".into()));
    }
    Ok((prefix, rights, parse_expiry(&form.expires, now_ms())?))
}

/// Adds a grant, or changes the one `form.id` names.
pub async fn save(s: &Services, p: &Principal, form: GrantForm) -> Result<GrantRow, CoreError> {
    let action = if form.id.is_some() { AuditAction::UpdateGrant } else { AuditAction::CreateGrant };
    let g = Guard::new(s, p, action);
    let actor = g.actor().await?;
    let (prefix, rights, expires_at) = g.screened(checked(&form)).await?;
    // Authorizing on the location checks the usecase's organization and that the bucket is the usecase's.
    let (usecase, target, _) = g.object(&form.usecase_id, &form.bucket, prefix.as_str()).await?;
    let (tenant, by) = (actor.tenant_id.clone(), actor.user_id.clone());
    let saved =
        s.db.run(move |c| {
            super::db::write_transaction(c, |c| {
                let holder: Option<User> = users::table
                    .filter(users::id.eq(&form.user_id))
                    .filter(users::tenant_id.eq(&tenant))
                    .filter(users::deleted_at.is_null())
                    .select(User::as_select())
                    .first(c)
                    .optional()?;
                let holder =
                    holder.ok_or_else(|| CoreError::Invalid("Choose a person of this organization.".into()))?;
                let now = now_ms();
                let id =
                    match &form.id {
                        Some(id) => {
                            let changed =
                                diesel::update(grants::table.find(id).filter(grants::usecase_id.eq_any(
                                    usecases::table.filter(usecases::tenant_id.eq(&tenant)).select(usecases::id),
                                )))
                                .set(values(&form, &usecase, &prefix, rights, expires_at, Some(now)))
                                .execute(c)?;
                            if changed == 0 {
                                return Err(CoreError::NotFound("This grant no longer exists.".into()));
                            }
                            id.clone()
                        }
                        None => {
                            let id = GrantId::random();
                            diesel::insert_into(grants::table)
                                .values((
                                    grants::id.eq(&id),
                                    grants::created_at.eq(now),
                                    grants::created_by.eq(Some(&by)),
                                    values(&form, &usecase, &prefix, rights, expires_at, None),
                                ))
                                .execute(c)?;
                            id
                        }
                    };
                let grant = grants::table.find(&id).select(Grant::as_select()).first(c)?;
                Ok(row(grant, holder, usecase.clone(), now))
            })
        })
        .await;
    g.finish(&target, saved, describe).await
}

type GrantValues<'a> = (
    diesel::dsl::Eq<grants::user_id, &'a UserId>,
    diesel::dsl::Eq<grants::usecase_id, &'a UsecaseId>,
    diesel::dsl::Eq<grants::bucket, &'a str>,
    diesel::dsl::Eq<grants::prefix, &'a str>,
    diesel::dsl::Eq<grants::can_list, bool>,
    diesel::dsl::Eq<grants::can_read, bool>,
    diesel::dsl::Eq<grants::can_write, bool>,
    diesel::dsl::Eq<grants::can_delete, bool>,
    diesel::dsl::Eq<grants::expires_at, Option<i64>>,
    diesel::dsl::Eq<grants::updated_at, Option<i64>>,
);

/// The columns a saved grant gets from its form.
fn values<'a>(
    form: &'a GrantForm,
    usecase: &'a Usecase,
    prefix: &'a Prefix,
    r: Rights,
    expires_at: Option<i64>,
    updated_at: Option<i64>,
) -> GrantValues<'a> {
    (
        grants::user_id.eq(&form.user_id),
        grants::usecase_id.eq(&usecase.id),
        grants::bucket.eq(form.bucket.as_str()),
        grants::prefix.eq(prefix.as_str()),
        grants::can_list.eq(r.list),
        grants::can_read.eq(r.read),
        grants::can_write.eq(r.write),
        grants::can_delete.eq(r.delete),
        grants::expires_at.eq(expires_at),
        grants::updated_at.eq(updated_at),
    )
}

fn describe(r: &GrantRow) -> String {
    let until = r.expires_at.map(|t| format!(" until {}", super::audit::format_ms(t))).unwrap_or_default();
    format!("grant {} for {}: {} on s3://{}/{}{until}", r.id, r.user_email, r.rights.describe(), r.bucket, r.prefix)
}

/// Revokes a grant: its holder's next request no longer has its rights.
pub async fn revoke(s: &Services, p: &Principal, id: &GrantId) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::RevokeGrant);
    let (actor, target) = g.own_tenant().await?;
    let (tenant, key) = (actor.tenant_id.clone(), id.clone());
    let found = s.db.run(move |c| load(c, &tenant, &GrantFilter::default())).await?.into_iter().find(|r| r.id == key);
    let Some(grant) = found else {
        // Like a grant of another organization: refused, so that ids reveal nothing.
        let mut event = g.event();
        event.detail = format!("no grant {id} in this organization");
        g.audit(event, super::audit::Outcome::Denied).await;
        return Err(CoreError::Denied("no such grant".into()));
    };
    let key = id.clone();
    let removed = s.db.run(move |c| Ok(diesel::delete(grants::table.find(&key)).execute(c)?)).await.map(|_| grant);
    g.finish(&target, removed, |r| format!("revoked {}", describe(r))).await.map(|_| ())
}
