//! Access tokens of the REST API: made by their owner on the "API tokens"
//! page, shown once, kept only as a SHA-256, and checked on every call
//! together with the owner's account, so that a revoked token, a disabled
//! user or a lowered role takes effect at the next request.

use super::actions::AuditAction;
use super::audit::{Outcome, format_ms};
use super::authz::Actor;
use super::db::models::User;
use super::db::schema::{access_tokens, tenants, users};
use super::guard::{Guard, Services};
use super::principal::{Credential, Principal};
use super::{ClientInfo, CoreError, new_id, now_ms};
use crate::model::{MAX_TOKEN_DAYS, NewToken, TOKEN_PREFIX, TokenRow, TokenState};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// Most tokens in force one person may hold.
pub const MAX_ACTIVE_TOKENS: i64 = 50;

/// How stale "last used" may get before a call writes it again: one write
/// a minute, not one per call.
const LAST_USED_EVERY_MS: i64 = 60_000;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// What the owner asks for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// A name that says what the token is for.
    pub name: String,
    /// Days it lasts, 1 to 365.
    pub days: u32,
    /// Reads only.
    pub read_only: bool,
}

/// A token's row, as the database keeps it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = access_tokens)]
struct TokenRecord {
    id: String,
    tenant_id: String,
    user_id: String,
    name: String,
    read_only: bool,
    created_at: i64,
    expires_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRecord {
    fn state(&self, now: i64) -> TokenState {
        match (self.revoked_at, self.expires_at <= now) {
            (Some(_), _) => TokenState::Revoked,
            (None, true) => TokenState::Expired,
            (None, false) => TokenState::Active,
        }
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn checked(req: &TokenRequest) -> Result<String, CoreError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(CoreError::Invalid("Give the token a name of 1 to 80 characters that says what it is for.".into()));
    }
    if req.days == 0 || req.days > MAX_TOKEN_DAYS {
        return Err(CoreError::Invalid(format!("A token lasts from 1 to {MAX_TOKEN_DAYS} days.")));
    }
    Ok(name.to_owned())
}

/// Makes a token for the signed-in user; its secret is in the answer and nowhere else.
pub async fn create(s: &Services, p: &Principal, req: TokenRequest) -> Result<NewToken, CoreError> {
    let g = Guard::new(s, p, AuditAction::CreateToken);
    let name = g.screened(checked(&req)).await?;
    let (actor, target) = g.own_tenant().await?;
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let now = now_ms();
    let record = TokenRecord {
        id: new_id(),
        tenant_id: actor.tenant_id.clone(),
        user_id: actor.user_id.to_string(),
        name,
        read_only: req.read_only,
        created_at: now,
        expires_at: now + i64::from(req.days) * DAY_MS,
        last_used_at: None,
        revoked_at: None,
    };
    let (row, hash) = (record.clone(), digest(&secret));
    let stored =
        s.db.run(move |c| {
            let active: i64 = access_tokens::table
                .filter(access_tokens::user_id.eq(&row.user_id))
                .filter(access_tokens::revoked_at.is_null())
                .filter(access_tokens::expires_at.gt(now))
                .count()
                .get_result(c)?;
            if active >= MAX_ACTIVE_TOKENS {
                return Err(CoreError::Conflict(format!(
                    "You have {active} tokens in force, the most one person may hold. Revoke one you no longer use."
                )));
            }
            diesel::insert_into(access_tokens::table)
                .values((
                    access_tokens::id.eq(&row.id),
                    access_tokens::tenant_id.eq(&row.tenant_id),
                    access_tokens::user_id.eq(&row.user_id),
                    access_tokens::name.eq(&row.name),
                    access_tokens::token_hash.eq(&hash),
                    access_tokens::read_only.eq(row.read_only),
                    access_tokens::created_at.eq(row.created_at),
                    access_tokens::expires_at.eq(row.expires_at),
                ))
                .execute(c)?;
            Ok(())
        })
        .await;
    let made = stored.map(|()| NewToken {
        id: record.id.clone(),
        name: record.name.clone(),
        secret,
        expires: format_ms(record.expires_at),
        read_only: record.read_only,
    });
    g.finish(&target, made, |t| {
        let access = if t.read_only { "read-only" } else { "read and write" };
        format!("token “{}” ({}), {access}, until {}", t.name, t.id, t.expires)
    })
    .await
}

/// The viewer's tokens; an administrator sees every token of the organization.
pub async fn list(s: &Services, p: &Principal) -> Result<Vec<TokenRow>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListTokens);
    let (actor, _) = g.own_tenant().await?;
    let viewer = actor.clone();
    s.db.run(move |c| {
        let mut query = access_tokens::table
            .inner_join(users::table)
            .filter(access_tokens::tenant_id.eq(&viewer.tenant_id))
            .select((TokenRecord::as_select(), users::email))
            .order(access_tokens::created_at.desc())
            .into_boxed();
        if viewer.role != crate::model::Role::Admin {
            query = query.filter(access_tokens::user_id.eq(viewer.user_id.to_string()));
        }
        let rows: Vec<(TokenRecord, String)> = query.load(c)?;
        let now = now_ms();
        Ok(rows
            .into_iter()
            .map(|(t, owner)| TokenRow {
                state: t.state(now),
                mine: t.user_id == viewer.user_id.as_str(),
                created: format_ms(t.created_at),
                last_used: t.last_used_at.map(format_ms),
                expires: format_ms(t.expires_at),
                id: t.id,
                name: t.name,
                owner,
                read_only: t.read_only,
            })
            .collect())
    })
    .await
}

/// Revokes a token of one's own, or (administrators) any of the organization's.
pub async fn revoke(s: &Services, p: &Principal, token_id: &str) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::RevokeToken);
    let (actor, target) = g.own_tenant().await?;
    let (id, tenant) = (token_id.to_owned(), actor.tenant_id.clone());
    let found =
        s.db.run(move |c| {
            Ok(access_tokens::table
                .find(&id)
                .filter(access_tokens::tenant_id.eq(&tenant))
                .select(TokenRecord::as_select())
                .first(c)
                .optional()?)
        })
        .await?;
    let Some(token) = found else {
        let mut event = g.event();
        event.detail = format!("no token {token_id} in this organization");
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Denied("no such token in this organization".into()));
    };
    if token.user_id != actor.user_id.as_str() && actor.role != crate::model::Role::Admin {
        let mut event = g.event();
        event.detail = format!("token {} belongs to someone else", token.id);
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Denied("only its owner or an administrator revokes a token".into()));
    }
    let id = token.id.clone();
    let done =
        s.db.run(move |c| {
            diesel::update(access_tokens::table.find(&id).filter(access_tokens::revoked_at.is_null()))
                .set(access_tokens::revoked_at.eq(now_ms()))
                .execute(c)?;
            Ok(())
        })
        .await;
    g.finish(&target, done, |()| format!("token “{}” ({})", token.name, token.id)).await
}

/// The principal a bearer token stands for, checked as it is now: the token
/// unrevoked and unexpired, its owner able to act, with the owner's current
/// role. Every refusal is audited; the answer never says which check failed.
pub async fn authenticate(s: &Services, client: ClientInfo, bearer: Option<&str>) -> Result<Principal, CoreError> {
    let anonymous = Principal::anonymous(client.clone());
    let Some(secret) = bearer.filter(|b| b.starts_with(TOKEN_PREFIX) && b.len() <= 200) else {
        let detail = if bearer.is_some() { "not a Dataport token" } else { "no token" };
        super::refusals::record(s, &anonymous, AuditAction::TokenRefused, detail.into()).await;
        return Err(CoreError::NotSignedIn);
    };
    let hash = digest(secret);
    let found =
        s.db.run(move |c| {
            Ok(access_tokens::table
                .filter(access_tokens::token_hash.eq(&hash))
                .inner_join(users::table.inner_join(tenants::table))
                .select((TokenRecord::as_select(), User::as_select(), tenants::disabled))
                .first::<(TokenRecord, User, bool)>(c)
                .optional()?)
        })
        .await?;
    let Some((token, user, tenant_disabled)) = found else {
        super::refusals::record(s, &anonymous, AuditAction::TokenRefused, "unknown token".into()).await;
        return Err(CoreError::NotSignedIn);
    };
    let now = now_ms();
    let credential = Credential::AccessToken { id: token.id.clone(), name: token.name.clone() };
    let actor = Actor::from_user(&user).filter(|_| !tenant_disabled && user.deleted_at.is_none());
    let refusal = match (token.state(now), &actor) {
        (TokenState::Revoked, _) => Some("the token was revoked"),
        (TokenState::Expired, _) => Some("the token has expired"),
        (TokenState::Active, None) => Some("the token's user may no longer act"),
        (TokenState::Active, Some(_)) => None,
    };
    if let Some(why) = refusal {
        // Named after its owner, so that the organization's trail shows the attempt.
        let owner = Actor {
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            email: user.email.clone(),
            role: user.role,
            read_only: token.read_only,
            drop_into: None,
        };
        let who = Principal { actor: Some(owner), client, credential };
        let g = Guard::new(s, &who, AuditAction::TokenRefused);
        let mut event = g.event();
        event.detail = format!("{why}: “{}” ({})", token.name, token.id);
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::NotSignedIn);
    }
    if token.last_used_at.is_none_or(|t| now - t > LAST_USED_EVERY_MS) {
        let id = token.id.clone();
        s.db.run(move |c| {
            diesel::update(access_tokens::table.find(&id)).set(access_tokens::last_used_at.eq(now)).execute(c)?;
            Ok(())
        })
        .await?;
    }
    let actor = actor.map(|a| Actor { read_only: token.read_only, ..a });
    Ok(Principal { actor, client, credential })
}
