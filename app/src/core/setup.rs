//! A new portal's first steps: the first administrator, the default
//! organization and usecase, and the usecase's bucket, audited as one
//! event whichever door asked (the setup page or `dataport create-admin`).

use super::audit::{self, NewEvent, Outcome};
use super::db::Db;
use super::db::models::{Usecase, User};
use super::{ClientInfo, CoreError, PortalConfig, identity, storage};
use crate::core::aws::S3Gateway;

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

/// Creates the first administrator with the default organization and
/// usecase, creates the usecase's bucket at once, and audits it all; `door`
/// names where the request came from ("the setup page", "the command line").
/// Refused once any user exists.
pub async fn first_admin(
    db: &Db,
    s3: &S3Gateway,
    config: &PortalConfig,
    client: ClientInfo,
    door: &str,
    email: &str,
    password: &str,
) -> Result<FirstAdmin, CoreError> {
    let mut event = NewEvent {
        user_email: Some(email.trim().to_lowercase()),
        action: "setup.first_admin".into(),
        client,
        ..NewEvent::default()
    };
    let (email, password, owned) = (email.to_owned(), password.to_owned(), config.clone());
    let created = db.run(move |c| identity::create_first_admin(c, &owned, &email, &password)).await;
    let (user, usecase) = match created {
        Ok(made) => made,
        Err(e) => {
            event.detail = format!("{e} (through {door})");
            let outcome = if matches!(e, CoreError::Conflict(_)) { Outcome::Denied } else { Outcome::Error };
            db.run(move |c| audit::record(c, event, outcome)).await?;
            return Err(e);
        }
    };
    // The first usecase uses the portal's own credentials.
    let bucket = storage::prepare_bucket(s3.portal_client(), usecase.data_bucket(), &config.browser_origins).await;
    event.tenant_id = Some(user.tenant_id.clone());
    event.user_id = Some(user.id.clone());
    event.usecase_id = Some(usecase.id.clone());
    event.bucket = Some(usecase.data_bucket().to_owned());
    event.detail = match &bucket {
        Ok(()) => format!("administrator, organization, default usecase and bucket created through {door}"),
        Err(e) => format!("administrator created through {door}; bucket not prepared: {e}"),
    };
    db.run(move |c| audit::record(c, event, Outcome::Success)).await?;
    Ok(FirstAdmin { user, usecase, bucket })
}
