//! The one place that builds S3 clients. A usecase's calls get the client
//! with the right credentials, region and endpoint from here: the portal's
//! own credentials for a same-account usecase, or temporary credentials from
//! STS AssumeRole (always with the usecase's external ID) for a role.

use super::CoreError;
use super::db::models::Usecase;
use crate::ids::UsecaseId;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::error::ProvideErrorMetadata;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Assumed credentials are replaced this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Lifetime asked of STS for assumed credentials.
const SESSION_SECONDS: i32 = 3600;

/// Where the portal's S3 lives and how to sign in to it.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// Custom endpoint (the embedded one, or any S3-compatible server); `None` for AWS.
    pub endpoint: Option<String>,
    /// Custom STS endpoint; `None` for AWS.
    pub sts_endpoint: Option<String>,
    /// Default region.
    pub region: String,
    /// Fixed credentials (the embedded endpoint's key); `None` for the standard chain.
    pub static_credentials: Option<(String, String)>,
    /// How long S3 calls may take.
    pub timeouts: S3Timeouts,
    /// The endpoint is the portal's own embedded one, which issues its own temporary keys.
    pub embedded: bool,
}

/// How long S3 calls may take. Listing, heading and signing are quick, so a
/// stalled connection is given up soon and tried again; completing a
/// multipart upload takes S3 a while (it keeps the connection alive
/// meanwhile), longer the larger the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct S3Timeouts {
    /// Connecting to the endpoint.
    pub connect: Duration,
    /// One attempt of a quick call.
    pub attempt: Duration,
    /// A quick call with all its attempts.
    pub call: Duration,
    /// One attempt of completing a multipart upload, before its size counts.
    pub complete: Duration,
    /// What each started GiB of the upload adds to `complete`.
    pub complete_per_gib: Duration,
}

impl Default for S3Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(10),
            call: Duration::from_secs(40),
            complete: Duration::from_secs(60),
            complete_per_gib: Duration::from_secs(30),
        }
    }
}

impl S3Timeouts {
    /// One attempt of completing an upload of `bytes` bytes.
    pub fn completing(&self, bytes: u64) -> Duration {
        const GIB: u64 = 1 << 30;
        self.complete + self.complete_per_gib * bytes.div_ceil(GIB) as u32
    }
}

/// A role to assume, with the external ID that must go with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleRef {
    /// Role ARN.
    pub role_arn: String,
    /// External ID the role's trust policy requires.
    pub external_id: String,
}

impl RoleRef {
    /// The role a usecase's data is reached through, if any: the data
    /// account's role when set, otherwise the cross-account role.
    pub fn of(usecase: &Usecase) -> Option<RoleRef> {
        let data_role = usecase
            .data_account_role_arn
            .clone()
            .filter(|r| !r.is_empty())
            .map(|r| (r, usecase.data_account_external_id.clone().unwrap_or_default()));
        let cross =
            usecase.cross_account_role_arn.clone().filter(|r| !r.is_empty()).map(|r| (r, usecase.external_id.clone()));
        data_role.or(cross).map(|(role_arn, external_id)| RoleRef { role_arn, external_id })
    }
}

#[derive(Clone)]
struct Cached {
    client: Client,
    expires: SystemTime,
}

/// Builds and hands out S3 clients.
#[derive(Clone)]
pub struct S3Gateway {
    client: Client,
    sdk: SdkConfig,
    settings: S3Settings,
    assumed: Arc<Mutex<HashMap<(UsecaseId, RoleRef), Cached>>>,
}

impl std::fmt::Debug for S3Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print credentials, even by accident.
        f.debug_struct("S3Gateway").field("endpoint", &self.settings.endpoint).finish_non_exhaustive()
    }
}

impl S3Gateway {
    /// Loads credentials (standard AWS chain unless fixed ones are given) and builds the client.
    pub async fn new(settings: S3Settings) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(settings.region.clone()));
        if let Some((key, secret)) = &settings.static_credentials {
            loader = loader.credentials_provider(Credentials::new(key, secret, None, None, "dataport"));
        }
        let sdk = loader.load().await;
        let client = s3_client(&sdk, &settings, None);
        Self { client, sdk, settings, assumed: Arc::default() }
    }

    /// The client for a usecase's data.
    pub async fn client_for(&self, usecase: &Usecase) -> Result<Client, CoreError> {
        match RoleRef::of(usecase) {
            None => Ok(self.client.clone()),
            Some(role) => self.client_as(&usecase.id, &role).await,
        }
    }

    /// A client on the role's temporary credentials, cached per usecase and
    /// role until shortly before they expire.
    pub async fn client_as(&self, usecase_id: &UsecaseId, role: &RoleRef) -> Result<Client, CoreError> {
        let key = (usecase_id.to_owned(), role.clone());
        let now = SystemTime::now();
        if let Some(hit) = self.lock().get(&key).filter(|c| c.expires > now + REFRESH_MARGIN) {
            return Ok(hit.client.clone());
        }
        let credentials = self.assume(role).await?;
        let expires = credentials.expiry().unwrap_or(now + Duration::from_secs(900));
        let client = s3_client(&self.sdk, &self.settings, Some(credentials));
        self.lock().insert(key, Cached { client: client.clone(), expires });
        Ok(client)
    }

    /// Drops the cached credentials of a usecase (after its roles changed).
    pub fn forget(&self, usecase_id: &UsecaseId) {
        self.lock().retain(|(id, _), _| id != usecase_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(UsecaseId, RoleRef), Cached>> {
        self.assumed.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sts(&self, credentials: Option<Credentials>) -> aws_sdk_sts::Client {
        let mut builder = aws_sdk_sts::config::Builder::from(&self.sdk);
        if let Some(endpoint) = &self.settings.sts_endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        if let Some(c) = credentials {
            builder = builder.credentials_provider(c);
        }
        aws_sdk_sts::Client::from_conf(builder.build())
    }

    /// Assumes `role` with its external ID; the external ID is never optional.
    pub async fn assume(&self, role: &RoleRef) -> Result<Credentials, CoreError> {
        self.assume_scoped(role, None, SESSION_SECONDS).await
    }

    /// Assumes `role` with its external ID for `seconds`, limited further by
    /// the session `policy` when one is given.
    pub async fn assume_scoped(
        &self,
        role: &RoleRef,
        policy: Option<&str>,
        seconds: i32,
    ) -> Result<Credentials, CoreError> {
        if role.external_id.trim().is_empty() {
            return Err(CoreError::Invalid(
                "The role has no external ID; Dataport never assumes a role without one.".into(),
            ));
        }
        let out = self
            .sts(None)
            .assume_role()
            .role_arn(&role.role_arn)
            .external_id(&role.external_id)
            .role_session_name("dataport")
            .duration_seconds(seconds)
            .set_policy(policy.map(str::to_owned))
            .send()
            .await
            .map_err(|e| {
                // Some STS look-alikes answer in a shape the SDK cannot read a code from; the status still tells.
                let why = match (e.code(), e.raw_response().map(|r| r.status().as_u16())) {
                    (Some(code), _) => code.to_owned(),
                    (None, Some(status)) => format!("HTTP {status}"),
                    (None, None) => "no answer from STS".to_owned(),
                };
                CoreError::Storage(format!("AssumeRole of {} failed with {why}", role.role_arn))
            })?;
        let c = out.credentials().ok_or_else(|| CoreError::Storage("AssumeRole returned no credentials".into()))?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            expiry,
            "dataport-assumed",
        ))
    }

    /// The account the given credentials belong to (STS GetCallerIdentity).
    pub async fn caller_account(&self, credentials: Credentials) -> Result<String, String> {
        let out = self
            .sts(Some(credentials))
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| e.code().unwrap_or("no error code").to_owned())?;
        Ok(out.account().unwrap_or_default().to_owned())
    }

    /// The ARN of the portal's own AWS principal, when STS can tell it.
    pub async fn portal_principal(&self) -> Option<String> {
        // A custom S3 endpoint without an STS endpoint (the embedded one) has no STS to ask.
        if self.settings.endpoint.is_some() && self.settings.sts_endpoint.is_none() {
            return None;
        }
        let out = self.sts(None).get_caller_identity().send().await.ok()?;
        out.arn().map(str::to_owned)
    }

    /// An S3 client on the given temporary credentials.
    pub fn client_with(&self, credentials: Credentials) -> Client {
        s3_client(&self.sdk, &self.settings, Some(credentials))
    }

    /// The client on the portal's own credentials (health checks, bootstrap).
    pub fn portal_client(&self) -> &Client {
        &self.client
    }

    /// The settings the gateway was built from.
    pub fn settings(&self) -> &S3Settings {
        &self.settings
    }
}

fn s3_client(sdk: &SdkConfig, settings: &S3Settings, credentials: Option<Credentials>) -> Client {
    // Checksums only when S3 requires them: otherwise presigned URLs carry
    // a checksum of an empty body that the browser's upload cannot match.
    // A stalled connection must not hang a page: each attempt is bounded
    // and retried on a fresh connection, the whole call too.
    let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
        .connect_timeout(settings.timeouts.connect)
        .operation_attempt_timeout(settings.timeouts.attempt)
        .operation_timeout(settings.timeouts.call)
        .build();
    let mut builder = aws_sdk_s3::config::Builder::from(sdk)
        .timeout_config(timeouts)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
    if let Some(endpoint) = &settings.endpoint {
        builder = builder.endpoint_url(endpoint).force_path_style(true);
    }
    if let Some(c) = credentials {
        builder = builder.credentials_provider(c);
    }
    Client::from_conf(builder.build())
}
