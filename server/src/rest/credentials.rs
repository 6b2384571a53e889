//! Temporary S3 keys for command-line tools.

use super::caller::{Caller, Input, checked};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::actions::AuditAction;
use app::core::s3_credentials::{self, CredentialRequest};
use app::model::{MAX_CREDENTIAL_MINUTES, TempCredentials};
use app::names::{BucketName, Prefix};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The location to open.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CredentialAsk {
    /// The usecase.
    pub usecase_id: String,
    /// Bucket.
    pub bucket: String,
    /// The folder, ending in `/` (empty: the whole bucket).
    #[serde(default)]
    pub prefix: String,
    /// Minutes they last, 15 to 60 (60 when not given).
    pub minutes: Option<u32>,
}

/// Temporary keys and how to use them.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CredentialsOut {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: String,
    /// When they stop working, RFC 3339 UTC.
    pub expiration: String,
    /// Region.
    pub region: String,
    /// The S3 endpoint, when it is not AWS's.
    pub endpoint_url: Option<String>,
    /// The bucket they open.
    pub bucket: String,
    /// The folder inside it.
    pub prefix: String,
    /// What they allow there: any of `list`, `read`, `write`, `delete`.
    pub rights: Vec<String>,
    /// `export AWS_…` lines for a shell.
    pub shell: String,
    /// An example `aws s3 sync` command.
    pub example: String,
}

impl From<TempCredentials> for CredentialsOut {
    fn from(c: TempCredentials) -> Self {
        let r = c.rights;
        let rights = [(r.list, "list"), (r.read, "read"), (r.write, "write"), (r.delete, "delete")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_owned())
            .collect();
        CredentialsOut {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration: c.expires,
            region: c.region,
            endpoint_url: c.endpoint_url,
            bucket: c.bucket,
            prefix: c.prefix,
            rights,
            shell: c.shell,
            example: c.example,
        }
    }
}

/// Temporary S3 keys limited to one location the caller may list, and to their rights there.
#[utoipa::path(post, path = "/api/v1/credentials", tag = "transfers", request_body = CredentialAsk,
    responses((status = 201, description = "The keys, valid for at most an hour", body = CredentialsOut),
        (status = 400, description = "A bad location or duration", body = Problem),
        (status = 403, description = "No list grant there", body = Problem),
        (status = 404, description = "No such usecase in your organization", body = Problem)))]
pub async fn issue_credentials(
    State(state): State<AppState>,
    Caller(p): Caller,
    Input(body): Input<CredentialAsk>,
) -> Result<(StatusCode, Json<CredentialsOut>), Problem> {
    let action = AuditAction::IssueCredentials;
    let bucket = checked(&state, &p, action, "bucket", BucketName::new(body.bucket)).await?;
    let prefix = checked(&state, &p, action, "prefix", Prefix::new(body.prefix)).await?;
    let req = CredentialRequest {
        usecase_id: body.usecase_id.into(),
        bucket,
        prefix,
        minutes: body.minutes.unwrap_or(MAX_CREDENTIAL_MINUTES),
    };
    let issued = s3_credentials::issue(&state, &p, req).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}
