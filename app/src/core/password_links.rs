//! One-time links with which a person chooses a password: an invitation
//! for a new user, a reset for an existing one. The token is shown once to
//! the administrator and kept only as its SHA-256; a link works once, for
//! 72 hours, and a newer link for the same person replaces it.

use super::actions::AuditAction;
use super::audit::Outcome;
use super::db::Conn;
use super::db::models::User;
use super::db::schema::{password_links, users};
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, identity, now_ms};
use crate::ids::UserId;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// How long a link works.
pub const LINK_HOURS: i64 = 72;

/// Why a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new user's first password.
    Invite,
    /// A new password for an existing user.
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a link's token for `user` (256 random bits), replacing any unused
/// one; returns the token and when it stops working.
pub fn issue(conn: &mut Conn, user: &UserId, purpose: Purpose, by: &UserId) -> Result<(String, i64), CoreError> {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let token = hex::encode(bytes);
    let now = now_ms();
    let expires_at = now + LINK_HOURS * 3600 * 1000;
    diesel::delete(password_links::table.filter(password_links::user_id.eq(user))).execute(conn)?;
    diesel::insert_into(password_links::table)
        .values((
            password_links::token_hash.eq(digest(&token)),
            password_links::user_id.eq(user),
            password_links::purpose.eq(purpose.as_str()),
            password_links::created_by.eq(Some(by)),
            password_links::created_at.eq(now),
            password_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok((token, expires_at))
}

/// The user a token opens, if it is unused, unexpired and its user may still sign in.
pub fn holder(conn: &mut Conn, token: &str) -> Result<Option<User>, CoreError> {
    let found: Option<(UserId, i64, Option<i64>)> = password_links::table
        .find(digest(token))
        .select((password_links::user_id, password_links::expires_at, password_links::used_at))
        .first(conn)
        .optional()?;
    let Some((user_id, expires_at, None)) = found else { return Ok(None) };
    if expires_at <= now_ms() {
        return Ok(None);
    }
    let user: Option<User> = users::table.find(&user_id).select(User::as_select()).first(conn).optional()?;
    Ok(user.filter(|u| !u.disabled && u.deleted_at.is_none()))
}

/// Spends the token and sets the password in one transaction, so that a
/// link used twice at once sets one password; ends the user's other sessions.
fn redeem(conn: &mut Conn, token: &str, password_hash: &str) -> Result<Option<User>, CoreError> {
    super::db::write_transaction(conn, |conn| {
        let Some(user) = holder(conn, token)? else { return Ok(None) };
        let now = now_ms();
        diesel::update(password_links::table.find(digest(token)))
            .set(password_links::used_at.eq(Some(now)))
            .execute(conn)?;
        diesel::update(users::table.find(&user.id))
            .set((
                users::password_hash.eq(password_hash),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<i64>),
                users::sessions_after.eq(now),
            ))
            .execute(conn)?;
        Ok(Some(user))
    })
}

/// The sentence for a link that does not open anything.
const DEAD_LINK: &str = "This link has been used, has expired or was replaced by a newer one. Ask your \
                         administrator for a new link.";

/// Whom a link is for, for the page that asks for the new password; a dead link says so.
pub async fn whose(s: &Services, token: String) -> Result<String, CoreError> {
    match s.db.run(move |c| holder(c, &token)).await? {
        Some(user) => Ok(user.email),
        None => Err(CoreError::Invalid(DEAD_LINK.into())),
    }
}

/// Sets the password of the person a link was made for; the person is then
/// signed in by the caller. Audited as `user.password_set`.
pub async fn set_password(
    s: &Services,
    p: &Principal,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<User, CoreError> {
    let g = Guard::new(s, p, AuditAction::SetPassword);
    let mut event = g.event();
    if password != confirm {
        return Err(CoreError::Invalid("The two passwords differ. Type the same password twice.".into()));
    }
    identity::check_new_password(password)?;
    let hash = s.sign_in.hash(password.to_owned()).await?;
    let token = token.to_owned();
    match s.db.run(move |c| redeem(c, &token, &hash)).await? {
        Some(user) => {
            event.tenant_id = Some(user.tenant_id.clone());
            event.user_id = Some(user.id.clone());
            event.user_email = Some(user.email.clone());
            event.detail = "password chosen through a one-time link".into();
            g.record(event, Outcome::Success).await?;
            Ok(user)
        }
        None => {
            event.detail = "dead or unknown password link".into();
            g.audit(event, Outcome::Denied).await;
            Err(CoreError::Invalid(DEAD_LINK.into()))
        }
    }
}
