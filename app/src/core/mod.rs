//! The server-only domain: database, authorization, audit, identity and
//! storage services. Nothing here knows about HTTP or Leptos; services take
//! plain arguments and return `Result<_, CoreError>`.

pub mod access_tokens;
pub mod actions;
pub mod activity;
pub mod archive;
pub mod audit;
pub mod audit_export;
pub mod audit_seal;
pub mod authz;
pub mod aws;
pub mod browse;
pub mod bucket_cors;
pub mod bucket_settings;
pub mod buckets;
pub mod copy_db;
pub mod dashboard;
pub mod db;
pub mod deletion;
pub mod file_details;
pub mod file_records;
pub mod grant_admin;
pub mod guard;
pub mod identity;
pub mod leases;
pub mod locations;
pub mod password_links;
pub mod people;
pub mod preview;
pub mod principal;
pub mod refusals;
pub mod s3_credentials;
pub mod search;
pub mod selection;
pub mod sessions;
pub mod setup;
pub mod share_links;
pub mod sign_in;
pub mod sign_in_gate;
pub mod state;
pub mod storage;
pub mod tenants;
pub mod thumbnails;
pub mod uploads;
pub mod usecase_buckets;
pub mod usecase_config;
pub mod usecases;
pub mod verify;
pub mod versions;

pub use guard::Services;
pub use principal::{Credential, Principal};
pub use state::{ClientInfo, PortalConfig};

use crate::error::AppError;

/// What can go wrong in a service, before it is turned into words for a person.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No signed-in user.
    #[error("not signed in")]
    NotSignedIn,
    /// Email and password did not sign anyone in; why is for the audit trail only.
    #[error("sign-in refused")]
    SignInFailed,
    /// The client failed too often; it may try again after so many seconds.
    #[error("too many failed attempts; {0} s to wait")]
    TooManyAttempts(u64),
    /// The actor may not do this; the reason goes to the audit trail only.
    #[error("denied: {0}")]
    Denied(String),
    /// The input is wrong; the message is shown to the user as is.
    #[error("{0}")]
    Invalid(String),
    /// The thing asked for does not exist (or is not visible).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state; shown as is.
    #[error("{0}")]
    Conflict(String),
    /// S3 refused or failed; the message says what happened.
    #[error("storage: {0}")]
    Storage(String),
    /// Configuration that cannot work; reported at start.
    #[error("{0}")]
    Config(String),
    /// The database is out of reach for now; logged, answered with 503.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else; logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl CoreError {
    /// A refusal of something that does not exist or belongs to another
    /// tenant: doors that can say "not found" without revealing anything do.
    pub fn is_elsewhere(&self) -> bool {
        matches!(self, CoreError::Denied(why) if why == authz::OTHER_TENANT || why == guard::NO_SUCH_USECASE)
    }
}

impl From<diesel::result::Error> for CoreError {
    fn from(e: diesel::result::Error) -> Self {
        if db::is_unreachable(&e) {
            return CoreError::Unavailable(format!("database: {e}"));
        }
        if db::is_nul_in_text(&e) {
            return CoreError::Invalid(
                "Text with a NUL character (\\0) is not accepted; remove it and try again.".into(),
            );
        }
        CoreError::Internal(format!("database: {e}"))
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotSignedIn => AppError::NotSignedIn,
            CoreError::SignInFailed => AppError::SignInFailed,
            CoreError::TooManyAttempts(s) => AppError::TooManyAttempts(s),
            CoreError::Denied(_) => AppError::Denied,
            CoreError::Invalid(m) => AppError::Invalid(m),
            CoreError::NotFound(m) => AppError::NotFound(m),
            CoreError::Conflict(m) => AppError::Conflict(m),
            CoreError::Storage(m) => AppError::Storage(m),
            CoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            CoreError::Config(_) | CoreError::Internal(_) => {
                tracing::error!(error = %e, "internal error");
                AppError::Internal
            }
        }
    }
}

/// Milliseconds since the Unix epoch, the portal's one time format in the database.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A fresh random identifier for a row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
