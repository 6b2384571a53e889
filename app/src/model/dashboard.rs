//! What the administrators' dashboard shows.

use super::AuditRow;
use serde::{Deserialize, Serialize};

/// People of the organization by where their account stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleCounts {
    /// Can sign in.
    pub active: i64,
    /// Have not chosen a password yet.
    pub invited: i64,
    /// Turned off.
    pub disabled: i64,
    /// Locked after wrong passwords.
    pub locked: i64,
}

/// How often something happened lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCount {
    /// What happened, for people ("Uploads").
    pub label: String,
    /// In the last 24 hours.
    pub day: i64,
    /// In the last 7 days.
    pub week: i64,
}

/// Events of one day (UTC) by outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `2026-12-02`.
    pub day: String,
    /// Events that succeeded.
    pub success: i64,
    /// Events refused.
    pub denied: i64,
    /// Events that failed.
    pub error: i64,
}

impl DayCount {
    /// Every event of the day.
    pub fn total(&self) -> i64 {
        self.success + self.denied + self.error
    }
}

/// Bytes stored in one bucket of one usecase, from the file records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBytes {
    /// Usecase name.
    pub usecase: String,
    /// Bucket.
    pub bucket: String,
    /// Files recorded there and not deleted.
    pub files: i64,
    /// Their bytes.
    pub bytes: i64,
}

/// The administrators' start page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// People by status.
    pub people: PeopleCounts,
    /// Grants in force.
    pub grants_active: i64,
    /// Grants in force that end within 7 days.
    pub grants_expiring: i64,
    /// Uploads, downloads, deletes and refusals lately.
    pub recent: Vec<RecentCount>,
    /// Events per day over the last 30 days, oldest first.
    pub per_day: Vec<DayCount>,
    /// Bytes per usecase and bucket.
    pub storage: Vec<StoredBytes>,
    /// The latest refused events.
    pub denied: Vec<AuditRow>,
    /// The database answers.
    pub database_ok: bool,
    /// The S3 endpoint answers.
    pub s3_ok: bool,
}

/// An organization, as the platform administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    /// Organization id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Turned off: no one of it signs in.
    pub disabled: bool,
    /// People in it.
    pub people: i64,
    /// When it was created, ms since the epoch.
    pub created_at: i64,
}

/// Whether browsers may upload into a bucket from the portal, and what to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsCheck {
    /// The bucket's CORS rules let the portal's pages upload.
    pub allows: bool,
    /// The viewer may add the portal's rule ("Allow uploads from this portal").
    pub can_fix: bool,
    /// What the upload panel says when it may not.
    pub message: String,
}
