//! Types that travel between server functions and pages.

use crate::ids::{UploadId, UsecaseId, UserId};
use serde::{Deserialize, Serialize};

mod access;
mod dashboard;
mod files;
mod people;
pub use access::*;
pub use dashboard::*;
pub use files::*;
pub use people::*;

/// A user's role inside a tenant; it caps what grants can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(diesel::AsExpression, diesel::FromSqlRow))]
#[cfg_attr(feature = "ssr", diesel(sql_type = diesel::sql_types::Text))]
pub enum Role {
    /// Everything inside the tenant.
    Admin,
    /// List, read, write and delete where granted.
    Editor,
    /// List and read where granted.
    Viewer,
}

impl Role {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// The word pages show.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }

    /// What the role allows, in a few words.
    pub fn summary(self) -> &'static str {
        match self {
            Role::Admin => "everything in the organization",
            Role::Editor => "list, read, write and delete where granted",
            Role::Viewer => "list and read where granted",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// The signed-in user as pages see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// User id.
    pub id: UserId,
    /// Email address.
    pub email: String,
    /// Role in the tenant.
    pub role: Role,
    /// Name of the tenant.
    pub tenant_name: String,
    /// An administrator of the platform's own organization, who manages organizations.
    #[serde(default)]
    pub platform: bool,
}

/// Who is here, and whether the portal still needs its first admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in user, if any.
    pub user: Option<SessionUser>,
    /// True while no user exists at all.
    pub needs_setup: bool,
}

/// A usecase in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsecaseSummary {
    /// Usecase id.
    pub id: UsecaseId,
    /// Display name.
    pub name: String,
    /// The bucket holding its data.
    pub data_bucket: String,
    /// The region of its data.
    pub region: String,
    /// The folder selected as the usecase's data source (may be empty: the whole bucket).
    pub data_prefix: String,
    /// The SageMaker execution role that trains on the data (may be empty).
    pub sagemaker_role_arn: String,
}

/// The bucket-policy statements that give a usecase's SageMaker role access to a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingAccess {
    /// The role, if the usecase has one.
    pub role_arn: Option<String>,
    /// The statements as pretty-printed JSON, ready to read or copy.
    pub statements: String,
}

/// A folder or file in a bucket listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// Full key.
    pub key: String,
    /// Last path segment, for display.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Last modification, RFC 3339.
    pub last_modified: Option<String>,
    /// S3's storage class (`STANDARD` when S3 names none).
    #[serde(default)]
    pub storage_class: Option<String>,
}

/// One page of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The listed prefix.
    pub prefix: String,
    /// Sub-folders (full prefixes ending in `/`).
    pub folders: Vec<String>,
    /// Files at this level.
    pub files: Vec<ObjectEntry>,
    /// Token for the next page, if any.
    pub next_token: Option<String>,
    /// What the viewer may do in this folder: which buttons the page shows.
    pub rights: Rights,
}

/// How the browser sends one file straight to S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPlan {
    /// Presigned URL.
    pub url: String,
    /// HTTP method to use.
    pub method: String,
    /// Headers that were signed and must be sent as they are.
    pub headers: Vec<(String, String)>,
    /// The object key the file will have.
    pub key: String,
}

/// Filters of the audit page; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Email of the acting user (exact, case-insensitive).
    pub user: Option<String>,
    /// Action name, e.g. `object.upload`.
    pub action: Option<String>,
    /// `success`, `denied` or `error`.
    pub outcome: Option<String>,
    /// First day included, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// Bucket (exact).
    #[serde(default)]
    pub bucket: Option<String>,
    /// Keys starting with this.
    #[serde(default)]
    pub key: Option<String>,
    /// Words found in the user, action, bucket, key or detail.
    #[serde(default)]
    pub text: Option<String>,
}

/// One audit event as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Sequence number in the chain.
    pub seq: i64,
    /// Time, RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub user: String,
    /// What.
    pub action: String,
    /// On what (bucket/key or usecase).
    pub resource: String,
    /// From where.
    pub client_ip: String,
    /// Browser or client.
    pub user_agent: String,
    /// success, denied or error.
    pub outcome: String,
    /// More words about it.
    pub detail: String,
}

/// Regions a bucket can be created in.
pub const REGIONS: [&str; 16] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// One recommended bucket setting, as applied and read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingCheck {
    /// What the setting is, e.g. "Versioning".
    pub setting: String,
    /// True once S3 reported the setting back as applied.
    pub ok: bool,
    /// What was found, or what went wrong and what to do.
    pub message: String,
}

/// What creating (or re-applying the settings of) a bucket did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketReport {
    /// Bucket name.
    pub bucket: String,
    /// True if the bucket was made now, false if it already was there.
    pub created: bool,
    /// Every recommended setting and how it went.
    pub checks: Vec<SettingCheck>,
}

/// What an administrator fills in to create or change a usecase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsecaseForm {
    /// Id of the usecase being changed; `None` for a new one.
    pub id: Option<UsecaseId>,
    /// Display name.
    pub name: String,
    /// The UseCase AWS account id (12 digits).
    pub account_id: String,
    /// The UseCase account's bucket.
    pub s3_bucket: String,
    /// Role in the UseCase account the portal assumes (empty: the portal's own credentials).
    pub cross_account_role_arn: String,
    /// True when the data lives in a separate data account.
    pub separate_data_account: bool,
    /// The data account id.
    pub data_account_id: String,
    /// Role in the data account the portal assumes.
    pub data_account_role_arn: String,
    /// Default data bucket (empty: the UseCase bucket).
    pub data_s3_bucket: String,
    /// Default data prefix.
    pub data_s3_prefix: String,
    /// SageMaker execution role that trains on the data.
    pub sagemaker_role_arn: String,
    /// Region of the data.
    pub region: String,
}

/// The editor's view of a usecase: the form, the generated external IDs,
/// the last verification, and the policies to create the roles with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsecaseSetup {
    /// The current values.
    pub form: UsecaseForm,
    /// External ID for the cross-account role (generated by the portal).
    pub external_id: String,
    /// External ID for the data-account role (generated by the portal).
    pub data_account_external_id: String,
    /// When the data access was last verified, RFC 3339.
    pub verified_at: Option<String>,
    /// The steps of the last verification.
    pub checks: Vec<SettingCheck>,
    /// Trust policy for the cross-account role, ready to copy.
    pub trust_policy: String,
    /// Trust policy for the data-account role, ready to copy.
    pub data_trust_policy: String,
    /// Permissions policy for the role, ready to copy.
    pub permissions_policy: String,
    /// CloudFormation template that creates the role, ready to copy.
    pub cloudformation: String,
}

/// What saving a usecase did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveOutcome {
    /// True if the configuration passed verification and was saved.
    pub saved: bool,
    /// The usecase's id once saved.
    pub usecase_id: Option<UsecaseId>,
    /// Every verification step.
    pub checks: Vec<SettingCheck>,
}

/// What to do when a file's key already exists in the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Conflict {
    /// Replace the existing object.
    #[default]
    Overwrite,
    /// Leave the existing object and do not upload the file.
    Skip,
    /// Upload under a new name: `name (1).ext`, `name (2).ext`, …
    KeepBoth,
}

/// One file the browser wants to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOffer {
    /// Path below the destination folder, `/`-separated (`a.csv`, `run1/logs/x.txt`).
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// MIME type the browser reported (may be empty).
    pub content_type: String,
    /// The file's last-modified time (ms since the epoch), part of what makes a resume match.
    pub modified: i64,
    /// Base64 CRC32C of the whole file; required for files sent in one piece.
    pub crc32c: Option<String>,
}

/// A part of a multipart upload that S3 already holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPart {
    /// Part number, 1..=10,000.
    pub number: u32,
    /// ETag S3 returned for the part.
    pub etag: String,
    /// Bytes in the part.
    pub size: u64,
    /// Base64 CRC32C of the part, when S3 reports it.
    pub crc32c: Option<String>,
}

/// How one offered file is to be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilePlan {
    /// The key exists and the conflict rule says skip.
    Skip {
        /// The existing key.
        key: String,
    },
    /// One presigned PUT.
    Single(UploadPlan),
    /// A multipart upload: parts are signed in batches with `sign_parts`.
    Multipart {
        /// Where the object goes.
        key: String,
        /// The portal's id of the upload.
        upload_id: UploadId,
        /// Bytes per part (the last part may be shorter).
        part_size: u64,
        /// Number of parts.
        part_count: u32,
        /// Parts S3 already has (a resumed upload); only the others are sent.
        stored: Vec<StoredPart>,
    },
}

/// The plans for a batch of offered files, in the order offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadBatch {
    /// Parts (or small files) the browser sends at once.
    pub concurrency: u32,
    /// One plan per offered file.
    pub plans: Vec<FilePlan>,
}

/// A part the browser is about to send, with its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOffer {
    /// Part number, 1..=10,000.
    pub number: u32,
    /// Base64 CRC32C of the part's bytes.
    pub crc32c: String,
}

/// A presigned UploadPart request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPart {
    /// Part number.
    pub number: u32,
    /// How to send it.
    pub request: UploadPlan,
}

/// A part the browser sent, with the ETag S3 answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentPart {
    /// Part number.
    pub number: u32,
    /// ETag from the UploadPart response.
    pub etag: String,
    /// Base64 CRC32C the part was sent with.
    pub crc32c: String,
}

/// How the browser should cut and pace an upload, as the portal is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    /// Files of at least this many bytes go in parts.
    pub multipart_threshold: u64,
    /// Parts or small files sent at once.
    pub concurrency: u32,
    /// Most files planned in one `batch_upload_urls` call.
    pub max_batch: u32,
}
