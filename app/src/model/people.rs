//! What the access manager's pages show and send: people, their one-time
//! password links, and their grants.

use super::Role;
use crate::ids::{GrantId, UsecaseId, UserId};
use serde::{Deserialize, Serialize};

/// Where a user's account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonStatus {
    /// Signs in and acts.
    Active,
    /// Has not chosen a password yet: the invitation link is still to be used.
    Invited,
    /// Turned off by an administrator.
    Disabled,
    /// Locked for a while after wrong passwords.
    Locked,
}

impl PersonStatus {
    /// The word the Users page shows.
    pub fn label(self) -> &'static str {
        match self {
            PersonStatus::Active => "Active",
            PersonStatus::Invited => "Invited",
            PersonStatus::Disabled => "Disabled",
            PersonStatus::Locked => "Locked",
        }
    }
}

/// A user of the organization as the Users page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// User id.
    pub id: UserId,
    /// Email address (how they sign in).
    pub email: String,
    /// The name shown beside the email.
    pub display_name: String,
    /// Role in the organization.
    pub role: Role,
    /// Whether they can sign in now.
    pub status: PersonStatus,
    /// Last successful sign-in, ms since the epoch.
    pub last_sign_in_at: Option<i64>,
    /// Number of grants they hold.
    pub grants: i64,
}

/// A one-time link with which someone chooses a password; shown once to
/// the administrator who made it, stored only as a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    /// Whom it is for.
    pub user_id: UserId,
    /// Their email, to send the link to.
    pub email: String,
    /// The link itself.
    pub url: String,
    /// When it stops working, ms since the epoch.
    pub expires_at: i64,
}

/// Whether a grant gives anything today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantState {
    /// In force.
    Active,
    /// In force, but ends within 7 days.
    ExpiresSoon,
    /// No longer gives anything.
    Expired,
}

impl GrantState {
    /// The words the Grants page shows.
    pub fn label(self) -> &'static str {
        match self {
            GrantState::Active => "Active",
            GrantState::ExpiresSoon => "Expires soon",
            GrantState::Expired => "Expired",
        }
    }
}

/// The rights a grant gives on its location.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights {
    /// See what the folder holds.
    pub list: bool,
    /// Download.
    pub read: bool,
    /// Upload and create folders.
    pub write: bool,
    /// Delete.
    pub delete: bool,
}

impl Rights {
    /// "List, Read, Write" and so on.
    pub fn describe(self) -> String {
        let names = [(self.list, "List"), (self.read, "Read"), (self.write, "Write"), (self.delete, "Delete")];
        let given: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        if given.is_empty() { "Nothing".into() } else { given.join(", ") }
    }

    /// What a role leaves of these rights: viewers never write or delete.
    pub fn capped_by(self, role: Role) -> Rights {
        match role {
            Role::Viewer => Rights { write: false, delete: false, ..self },
            Role::Admin | Role::Editor => self,
        }
    }
}

/// A grant as the Grants page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    /// Grant id.
    pub id: GrantId,
    /// Who holds it.
    pub user_id: UserId,
    /// Their email.
    pub user_email: String,
    /// Their role, which caps the rights.
    pub user_role: Role,
    /// The usecase whose storage it opens.
    pub usecase_id: UsecaseId,
    /// The usecase's name.
    pub usecase_name: String,
    /// Bucket.
    pub bucket: String,
    /// Folder inside the bucket (`""` for all of it).
    pub prefix: String,
    /// What the grant says.
    pub rights: Rights,
    /// End of the grant, ms since the epoch.
    pub expires_at: Option<i64>,
    /// Whether it gives anything today.
    pub state: GrantState,
}

impl GrantRow {
    /// What the holder may really do: the grant's rights under their role.
    pub fn effective(&self) -> Rights {
        self.rights.capped_by(self.user_role)
    }
}

/// An administrator's new or edited grant, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantForm {
    /// The grant edited; `None` for a new one.
    #[serde(default)]
    pub id: Option<GrantId>,
    /// Who gets it.
    pub user_id: UserId,
    /// The usecase whose storage it opens.
    pub usecase_id: UsecaseId,
    /// One of the usecase's buckets.
    pub bucket: String,
    /// Folder inside the bucket; empty for the whole bucket.
    #[serde(default)]
    pub prefix: String,
    /// See what the folder holds.
    #[serde(default)]
    pub list: bool,
    /// Download.
    #[serde(default)]
    pub read: bool,
    /// Upload and create folders.
    #[serde(default)]
    pub write: bool,
    /// Delete.
    #[serde(default)]
    pub delete: bool,
    /// End of the grant in UTC, `2026-12-31T18:00`; empty for none.
    #[serde(default)]
    pub expires: String,
}

/// A place a person may use: a grant in force, or their own home folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The usecase whose storage holds it.
    pub usecase_id: UsecaseId,
    /// The usecase's name.
    pub usecase_name: String,
    /// Bucket.
    pub bucket: String,
    /// Folder (`""` for the whole bucket).
    pub prefix: String,
    /// What the person may do there, after their role's cap.
    pub rights: Rights,
    /// End of the grant, ms since the epoch.
    pub expires_at: Option<i64>,
    /// True for the person's private home folder.
    pub home: bool,
}

/// What a deletion removes (or would remove), for its confirmation and result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSummary {
    /// Objects.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The bucket keeps versions: a delete marker hides each object and its old versions stay.
    pub versioned: bool,
}

/// One page of a person's own events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    /// Events, newest first.
    pub rows: Vec<super::AuditRow>,
    /// The cursor of the next older page, if there is one.
    pub older: Option<i64>,
}

/// A stored time as `2026-12-31 18:00 UTC`, the same on the server and in
/// the browser (so hydration matches).
pub fn utc_minutes(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000);
    let (days, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minute_of_day / 60, minute_of_day % 60)
}

/// The value a date-time field shows for a stored time: `2026-12-31T18:00`.
pub fn utc_field_value(ms: i64) -> String {
    utc_minutes(ms).trim_end_matches(" UTC").replacen(' ', "T", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minutes(1_798_740_000_000), "2026-12-31 18:00 UTC");
        assert_eq!(utc_minutes(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(utc_field_value(1_798_740_000_000), "2026-12-31T18:00");
    }

    #[test]
    fn a_role_caps_what_a_grant_gives() {
        let all = Rights { list: true, read: true, write: true, delete: true };
        assert_eq!(all.capped_by(Role::Viewer).describe(), "List, Read");
        assert_eq!(all.capped_by(Role::Editor).describe(), "List, Read, Write, Delete");
        assert_eq!(Rights::default().describe(), "Nothing");
    }
}
