//! Signing in and out, audited. Starting or ending the session itself is
//! the door's business (a web session, later a token); these services check
//! the credentials, keep the record, and withstand guessing: failures are
//! limited per client address, counted per account in one statement, and
//! lock the account for a growing time, except against a browser that
//! signed in as its owner before. Every attempt costs one password hash.

use super::actions::AuditAction;
use super::audit::Outcome;
use super::db::models::User;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, identity, now_ms};

/// Longest email address there is (RFC 5321).
pub const MAX_EMAIL_LEN: usize = 254;

/// Who signed in, and a fresh device token for their browser.
#[derive(Debug)]
pub struct SignedIn {
    /// The user.
    pub user: User,
    /// Proof that this browser signed in as the user, for the next time.
    pub device_token: String,
}

/// Checks email and password, audits the attempt, and returns the user.
/// Every refusal is the same `SignInFailed` (or `TooManyAttempts` for a
/// client address that failed too often); the trail keeps the reason.
/// `device` is the token a browser kept from an earlier sign-in.
pub async fn sign_in(
    s: &Services,
    p: &Principal,
    email: &str,
    password: &str,
    device: Option<&str>,
) -> Result<SignedIn, CoreError> {
    let g = Guard::new(s, p, AuditAction::SignIn);
    let mut event = g.event();
    let email = email.trim().to_lowercase();
    if email.len() > MAX_EMAIL_LEN {
        event.detail = format!("email of {} bytes refused", email.len());
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Invalid(format!("An email address has at most {MAX_EMAIL_LEN} characters.")));
    }
    event.user_email = Some(email.clone());
    if let Err(invalid) = identity::normalize_email(&email) {
        event.detail = "not an email address".into();
        g.audit(event, Outcome::Denied).await;
        return Err(invalid);
    }
    let client = p.client.ip.clone().unwrap_or_default();
    if let Some(wait) = s.sign_in.retry_after(&client) {
        event.detail = format!("too many failed sign-ins from this address; {wait} s to wait");
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::TooManyAttempts(wait));
    }
    let lookup = email.clone();
    let found =
        s.db.run(move |c| {
            let user = identity::find_by_email(c, &lookup)?;
            let closed = match &user {
                Some(u) => identity::tenant_disabled(c, &u.tenant_id)?,
                None => false,
            };
            Ok((user, closed))
        })
        .await?;
    let (user, closed) = found;
    let now = now_ms();
    let trusted = device.is_some_and(|t| s.sign_in.trusts_device(t, &email, now));
    let barred = match &user {
        None => Some("unknown email"),
        Some(u) if u.disabled => Some("account disabled"),
        Some(_) if closed => Some("organization disabled"),
        Some(u) if u.password_hash.is_empty() => Some("invited; no password chosen yet"),
        Some(u) if u.locked_until.is_some_and(|t| t > now) && !trusted => Some("account locked"),
        Some(_) => None,
    };
    // One hash on every path, outside any database connection, so that
    // neither time nor load tells which accounts exist.
    let hash = user.as_ref().filter(|_| barred.is_none()).map(|u| u.password_hash.clone());
    let matched = s.sign_in.verify(hash, password.to_owned()).await?;
    if let Some(u) = &user {
        event.tenant_id = Some(u.tenant_id.clone());
        event.user_id = Some(u.id.clone());
    }
    match user {
        Some(user) if matched => {
            let id = user.id.clone();
            s.db.run(move |c| identity::record_success(c, &id)).await?;
            g.record(event, Outcome::Success).await?;
            Ok(SignedIn { device_token: s.sign_in.device_token(&email, now), user })
        }
        user => {
            s.sign_in.failed(&client);
            event.detail = match (barred, user) {
                (Some(reason), _) => reason.to_owned(),
                (None, Some(u)) if trusted => {
                    format!("wrong password from a browser {} signed in from before", u.email)
                }
                (None, Some(u)) => {
                    let id = u.id.clone();
                    match s.db.run(move |c| identity::record_failure(c, &id, now)).await? {
                        (n, Some(until)) => {
                            format!("wrong password ({n} in a row); locked for {} s", (until - now) / 1000)
                        }
                        (n, None) => format!("wrong password ({n} in a row)"),
                    }
                }
                (None, None) => "unknown email".to_owned(),
            };
            g.audit(event, Outcome::Denied).await;
            Err(CoreError::SignInFailed)
        }
    }
}

/// Records that the principal signs out; refused when nobody is signed in.
pub async fn sign_out(s: &Services, p: &Principal) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::SignOut);
    g.actor().await?;
    g.record(g.event(), Outcome::Success).await
}
