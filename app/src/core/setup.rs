//! A new portal's first steps: the first administrator, the default
//! organization and usecase, and the usecase's bucket, audited as one
//! event whichever door asked (the setup page or `dataport create-admin`).

use super::audit::Outcome;
use super::db::Conn;
use super::db::models::{Usecase, User};
use super::db::schema::{portal_keys, usecases};
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, identity, storage};
use crate::core::actions::AuditAction;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// What setting up the portal made.
#[derive(Debug)]
pub struct FirstAdmin {
    /// The new administrator.
    pub user: User,
    /// The default usecase.
    pub usecase: Usecase,
    /// Whether its bucket was created and prepared for browser uploads.
    pub bucket: Result<(), CoreError>,
}

/// Name of the setup token's hash among the portal's keys.
const SETUP_TOKEN: &str = "setup-token";

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// While no user exists, makes the one-time token of the setup link (the
/// operator's own, or a random one) and keeps only its hash; returns it,
/// or nothing once the portal has an administrator.
pub fn issue_setup_token(conn: &mut Conn, given: Option<&str>) -> Result<Option<String>, CoreError> {
    if !identity::needs_setup(conn)? {
        diesel::delete(portal_keys::table.find(SETUP_TOKEN)).execute(conn)?;
        return Ok(None);
    }
    let token = match given.filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => {
            let mut bytes = [0u8; 24];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            hex::encode(bytes)
        }
    };
    let row = (
        portal_keys::name.eq(SETUP_TOKEN),
        portal_keys::value.eq(digest(&token)),
        portal_keys::created_at.eq(super::now_ms()),
    );
    crate::on_backend!(conn, |c| {
        diesel::insert_into(portal_keys::table)
            .values(row)
            .on_conflict(portal_keys::name)
            .do_update()
            .set(portal_keys::value.eq(digest(&token)))
            .execute(c)
    })?;
    Ok(Some(token))
}

/// Whether `token` opens setup: `None` once an administrator exists (the
/// creation then answers that), otherwise whether it is the issued one.
fn setup_token_opens(conn: &mut Conn, token: &str) -> Result<Option<bool>, CoreError> {
    if !identity::needs_setup(conn)? {
        return Ok(None);
    }
    let stored: Option<String> =
        portal_keys::table.find(SETUP_TOKEN).select(portal_keys::value).first(conn).optional()?;
    Ok(Some(stored.is_some_and(|hash| hash == digest(token))))
}

/// Creates the first administrator with the default organization and
/// usecase, creates the usecase's bucket at once, and audits it all.
/// Refused once any user exists, when `confirm` is not the password, or,
/// through a web page (`token` given), without the setup link's token.
pub async fn first_admin(
    services: &Services,
    principal: &Principal,
    email: &str,
    password: &str,
    confirm: &str,
    token: Option<&str>,
) -> Result<FirstAdmin, CoreError> {
    let guard = Guard::new(services, principal, AuditAction::FirstAdmin);
    let mut event = guard.event();
    event.user_email = Some(email.trim().to_lowercase());
    if let Some(token) = token {
        let token = token.to_owned();
        if services.db.run(move |c| setup_token_opens(c, &token)).await? == Some(false) {
            event.detail = "no valid setup token".into();
            guard.audit(event, Outcome::Denied).await;
            return Err(CoreError::Invalid(
                "This setup link is not valid. Open the link that `dataport serve` printed when it started \
                 (`make run` shows it), or create the administrator with `dataport create-admin`."
                    .into(),
            ));
        }
    }
    if password != confirm {
        event.detail = "passwords differ".into();
        guard.audit(event, Outcome::Error).await;
        return Err(CoreError::Invalid("The two passwords differ. Type the same password twice.".into()));
    }
    let (email, password, config) = (email.to_owned(), password.to_owned(), services.config.clone());
    let created = services.db.run(move |c| identity::create_first_admin(c, &config, &email, &password)).await;
    let (user, usecase) = match created {
        Ok(made) => made,
        Err(e) => {
            event.detail = e.to_string();
            let outcome = if matches!(e, CoreError::Conflict(_)) { Outcome::Denied } else { Outcome::Error };
            guard.audit(event, outcome).await;
            return Err(e);
        }
    };
    let _ = services.db.run(|c| Ok(diesel::delete(portal_keys::table.find(SETUP_TOKEN)).execute(c)?)).await;
    // The first usecase uses the portal's own credentials.
    let origins = &services.config.browser_origins;
    let bucket = storage::prepare_bucket(services.s3.portal_client(), usecase.data_bucket(), origins).await;
    event.tenant_id = Some(user.tenant_id.clone());
    event.user_id = Some(user.id.clone());
    event.usecase_id = Some(usecase.id.clone());
    event.bucket = Some(usecase.data_bucket().to_owned());
    event.detail = match &bucket {
        Ok(()) => "administrator, organization, default usecase and bucket created".into(),
        Err(e) => format!("administrator created; bucket not prepared: {e}"),
    };
    guard.audit(event, Outcome::Success).await;
    Ok(FirstAdmin { user, usecase, bucket })
}

/// Makes sure the data bucket of every usecase exists and accepts uploads
/// from the portal's current origins (they may have changed since). Run at
/// start on the embedded endpoint; a bucket that cannot be prepared is
/// logged and left for "Apply settings again".
pub async fn prepare_usecase_buckets(services: &Services) {
    let all = services.db.run(|c| Ok(usecases::table.select(Usecase::as_select()).load(c)?)).await.unwrap_or_default();
    for usecase in all {
        let origins = &services.config.browser_origins;
        let prepared = match services.s3.client_for(&usecase).await {
            Ok(client) => storage::prepare_bucket(&client, usecase.data_bucket(), origins).await,
            Err(e) => Err(e),
        };
        if let Err(e) = prepared {
            tracing::warn!(bucket = usecase.data_bucket(), error = %e, "bucket not prepared");
        }
    }
}
