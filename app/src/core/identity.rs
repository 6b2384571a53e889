//! Users and passwords: the first admin, sign-in with lock-out, and the
//! actor behind a session.

use super::authz::Actor;
use super::db::Conn;
use super::db::models::{Tenant, Usecase, User};
use super::db::schema::{tenants, usecases, users};
use super::{CoreError, PortalConfig, new_id, now_ms};
use crate::ids::UserId;
use crate::model::{Role, SessionUser};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use diesel::prelude::*;

/// Failed sign-ins in a row that lock an account.
pub const MAX_FAILED_SIGN_INS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Hashes a password with argon2id (19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, CoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hash: {e}")))
}

/// Checks a password against a stored hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Normalises and checks an email address.
pub fn normalize_email(email: &str) -> Result<String, CoreError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || crate::rules::is_forbidden_in_names(c));
    if valid { Ok(email) } else { Err(CoreError::Invalid("Enter an email address such as name@example.com.".into())) }
}

/// Checks that a new password is strong enough.
pub fn check_new_password(password: &str) -> Result<(), CoreError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(CoreError::Invalid(format!("Choose a password of at least {MIN_PASSWORD_LEN} characters.")));
    }
    if password.len() > 1024 {
        return Err(CoreError::Invalid("Choose a password of at most 1024 bytes.".into()));
    }
    Ok(())
}

fn new_user(tenant_id: &str, email: String, password_hash: String, role: Role) -> User {
    User {
        id: UserId::random(),
        tenant_id: tenant_id.into(),
        email,
        password_hash,
        role,
        disabled: false,
        failed_logins: 0,
        locked_until: None,
        created_at: now_ms(),
        display_name: String::new(),
        last_sign_in_at: None,
        sessions_after: 0,
        deleted_at: None,
    }
}

/// True while the portal has no user at all.
pub fn needs_setup(conn: &mut Conn) -> Result<bool, CoreError> {
    let count: i64 = users::table.count().get_result(conn)?;
    Ok(count == 0)
}

/// Creates the first tenant, its admin and a default usecase on the
/// configured storage. Refused once any user exists.
pub fn create_first_admin(
    conn: &mut Conn,
    config: &PortalConfig,
    email: &str,
    password: &str,
) -> Result<(User, Usecase), CoreError> {
    let email = normalize_email(email)?;
    check_new_password(password)?;
    let password_hash = hash_password(password)?;
    super::db::write_transaction(conn, |conn| {
        if !needs_setup(conn)? {
            return Err(CoreError::Conflict("The portal already has an administrator. Sign in instead.".into()));
        }
        let now = now_ms();
        let tenant = Tenant { id: new_id(), name: "Default organization".into(), created_at: now, disabled: false };
        diesel::insert_into(tenants::table).values(&tenant).execute(conn)?;
        // The first organization is the platform's own: it may attach any bucket of the account.
        super::usecase_buckets::assign(conn, &tenant.id, "*")?;
        let user = new_user(&tenant.id, email, password_hash, Role::Admin);
        diesel::insert_into(users::table).values(&user).execute(conn)?;
        let usecase = Usecase::same_account(
            &tenant.id,
            "Default",
            &config.default_account_id,
            &config.default_bucket,
            &config.region,
        );
        diesel::insert_into(usecases::table).values(&usecase).execute(conn)?;
        Ok((user, usecase))
    })
}

/// True for the platform's own organization: the first one, made with
/// the first administrator, whose administrators run the installation.
pub fn is_platform_tenant(conn: &mut Conn, tenant_id: &str) -> Result<bool, CoreError> {
    let first: Option<String> = tenants::table
        .order((tenants::created_at.asc(), tenants::id.asc()))
        .select(tenants::id)
        .first(conn)
        .optional()?;
    Ok(first.as_deref() == Some(tenant_id))
}

/// True when the platform administrator disabled the organization.
pub fn tenant_disabled(conn: &mut Conn, tenant_id: &str) -> Result<bool, CoreError> {
    Ok(tenants::table.find(tenant_id).select(tenants::disabled).first::<bool>(conn).optional()?.unwrap_or(true))
}

/// The account an email names, for a sign-in (the email already normalised).
pub fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<User>, CoreError> {
    Ok(users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).optional()?)
}

/// How long an account stays locked after `failures` failed sign-ins in a
/// row: nothing before the fifth, then 30 s, doubling to at most 15 minutes.
pub fn lock_ms(failures: i32) -> Option<i64> {
    let over = failures - MAX_FAILED_SIGN_INS;
    (over >= 0).then(|| (30_000_i64 << over.min(5)).min(LOCK_MS))
}

/// Counts a failed sign-in in one statement, so that parallel guesses all
/// count, and locks the account as `lock_ms` says; returns the count and
/// the end of the lock.
pub fn record_failure(conn: &mut Conn, id: &UserId, now: i64) -> Result<(i32, Option<i64>), CoreError> {
    super::db::write_transaction(conn, |conn| {
        diesel::update(users::table.find(id)).set(users::failed_logins.eq(users::failed_logins + 1)).execute(conn)?;
        let failures: i32 = users::table.find(id).select(users::failed_logins).first(conn)?;
        let until = lock_ms(failures).map(|ms| now + ms);
        if until.is_some() {
            diesel::update(users::table.find(id)).set(users::locked_until.eq(until)).execute(conn)?;
        }
        Ok((failures, until))
    })
}

/// Clears the failure count after a successful sign-in, and notes when it was.
pub fn record_success(conn: &mut Conn, id: &UserId) -> Result<(), CoreError> {
    clear_failures(conn, id)?;
    diesel::update(users::table.find(id)).set(users::last_sign_in_at.eq(Some(now_ms()))).execute(conn)?;
    Ok(())
}

/// Clears the failure count and any lock (an administrator's unlock).
pub fn clear_failures(conn: &mut Conn, id: &UserId) -> Result<(), CoreError> {
    diesel::update(users::table.find(id))
        .set((users::failed_logins.eq(0), users::locked_until.eq(None::<i64>)))
        .execute(conn)?;
    Ok(())
}

/// The actor and the page-facing user for a session's user id, read on
/// every request: nothing for a session started before the user's sessions
/// were ended (a disable, a password reset, a deletion) or for a user of a
/// disabled organization.
pub fn load_session_user(
    conn: &mut Conn,
    user_id: &UserId,
    started_at: i64,
) -> Result<Option<(Actor, SessionUser)>, CoreError> {
    let row: Option<(User, String, bool)> = users::table
        .inner_join(tenants::table)
        .filter(users::id.eq(user_id))
        .select((User::as_select(), tenants::name, tenants::disabled))
        .first(conn)
        .optional()?;
    Ok(row
        .and_then(|(user, tenant_name, tenant_disabled)| {
            if tenant_disabled || user.deleted_at.is_some() || started_at < user.sessions_after {
                return None;
            }
            let actor = Actor::from_user(&user)?;
            let view = SessionUser { id: user.id, email: user.email, role: actor.role, tenant_name, platform: false };
            Some((actor, view))
        })
        .map(|(actor, mut view)| {
            view.platform = actor.role == Role::Admin && is_platform_tenant(conn, &actor.tenant_id).unwrap_or(false);
            (actor, view)
        }))
}

/// Creates a user in a tenant (used by tests and the command line).
pub fn create_user(
    conn: &mut Conn,
    tenant_id: &str,
    email: &str,
    password: &str,
    role: Role,
) -> Result<User, CoreError> {
    let email = normalize_email(email)?;
    check_new_password(password)?;
    insert_user(conn, tenant_id, &email, "", &hash_password(password)?, role)
}

/// Stores a new user (email already normalised); an empty `password_hash`
/// is an invited user who has not chosen a password yet.
pub fn insert_user(
    conn: &mut Conn,
    tenant_id: &str,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> Result<User, CoreError> {
    let user = User {
        display_name: display_name.to_owned(),
        ..new_user(tenant_id, email.to_owned(), password_hash.to_owned(), role)
    };
    diesel::insert_into(users::table).values(&user).execute(conn).map_err(|e| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            CoreError::Conflict("A user with this email already exists.".into())
        }
        e => e.into(),
    })?;
    Ok(user)
}
