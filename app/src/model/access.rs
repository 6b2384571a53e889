//! What the "API tokens" and "API" pages show and send.

use serde::{Deserialize, Serialize};

/// Days a new token lasts unless its owner chooses otherwise.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

/// The longest a token may last.
pub const MAX_TOKEN_DAYS: u32 = 365;

/// The prefix every token starts with, so that a leaked one is recognised.
pub const TOKEN_PREFIX: &str = "dpt_";

/// Where a token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenState {
    /// Calls the API.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by its owner or an administrator.
    Revoked,
}

impl TokenState {
    /// The word the page shows.
    pub fn label(self) -> &'static str {
        match self {
            TokenState::Active => "Active",
            TokenState::Expired => "Expired",
            TokenState::Revoked => "Revoked",
        }
    }
}

/// One access token as the "API tokens" page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    /// Token id.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// Email of its owner.
    pub owner: String,
    /// True when the token belongs to the viewer.
    pub mine: bool,
    /// Reads only: never writes or deletes.
    pub read_only: bool,
    /// When it was made, `YYYY-MM-DD HH:MM` UTC.
    pub created: String,
    /// When it was last used, if ever.
    pub last_used: Option<String>,
    /// When it stops working.
    pub expires: String,
    /// Where it stands.
    pub state: TokenState,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    /// Token id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The secret, `dpt_` and 64 hex digits; shown once.
    pub secret: String,
    /// When it stops working.
    pub expires: String,
    /// Reads only.
    pub read_only: bool,
}

/// One operation of the REST API, as the "API" page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperation {
    /// The group it belongs to.
    pub tag: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path with `{placeholders}`.
    pub path: String,
    /// One line on what it does.
    pub summary: String,
    /// Parameters: name, where (path, query), required, description.
    pub parameters: Vec<ApiParameter>,
    /// The request body's fields, if it takes one.
    pub request: Vec<ApiField>,
    /// Answers: status and what it means.
    pub responses: Vec<(String, String)>,
}

/// A parameter of an API operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiParameter {
    /// Its name.
    pub name: String,
    /// `path` or `query`.
    pub place: String,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: String,
}

/// A field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiField {
    /// Its name.
    pub name: String,
    /// Its JSON type.
    pub kind: String,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: String,
}

/// Temporary S3 keys for command-line tools, limited to one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TempCredentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`; shown once.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: String,
    /// When they stop working, RFC 3339 UTC.
    pub expires: String,
    /// The region to name.
    pub region: String,
    /// The S3 endpoint to use, when it is not AWS's.
    pub endpoint_url: Option<String>,
    /// The bucket they open.
    pub bucket: String,
    /// The folder inside it.
    pub prefix: String,
    /// What they allow there.
    pub rights: super::Rights,
    /// Lines to paste into a shell: `export AWS_…=…`.
    pub shell: String,
    /// An example command that copies a local folder there.
    pub example: String,
}

/// Minutes temporary S3 keys last at most.
pub const MAX_CREDENTIAL_MINUTES: u32 = 60;

/// A share link just made: its URL, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShare {
    /// Link id.
    pub id: String,
    /// The URL to send, `…/s/{token}`.
    pub url: String,
    /// When it ends.
    pub expires: String,
}

/// A share link as the "Shared links" page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRow {
    /// Link id.
    pub id: String,
    /// Who made it.
    pub owner: String,
    /// True when the viewer made it.
    pub mine: bool,
    /// What it opens, `s3://bucket/path`.
    pub what: String,
    /// A folder rather than one file.
    pub folder: bool,
    /// When it was made.
    pub created: String,
    /// When it ends.
    pub expires: String,
    /// Visitors need a password.
    pub password: bool,
    /// Downloads so far.
    pub downloads: i64,
    /// Most downloads, if limited.
    pub max_downloads: Option<i64>,
    /// Where it stands (spent links are expired).
    pub state: TokenState,
    /// A drop box: visitors upload and see nothing.
    pub upload_only: bool,
}

/// What a visitor of a share link sees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareVisit {
    /// What it opens, `s3://bucket/path`.
    pub what: String,
    /// A folder rather than one file.
    pub folder: bool,
    /// When it ends.
    pub expires: String,
    /// The link has a password this browser has not given yet.
    pub needs_password: bool,
    /// For a folder, a page of it.
    pub listing: Option<super::Listing>,
    /// A drop box: the visitor uploads into `drop_into` and sees nothing.
    pub upload_only: bool,
    /// Where a drop box puts files: usecase, bucket and folder.
    pub drop_into: Option<(crate::ids::UsecaseId, String, String)>,
}
