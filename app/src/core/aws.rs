//! The one place that builds S3 clients. A usecase's calls get the client
//! with the right credentials, region and endpoint from here.

use super::db::models::Usecase;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};

/// Where the portal's S3 lives and how to sign in to it.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// Custom endpoint (the embedded one, or any S3-compatible server); `None` for AWS.
    pub endpoint: Option<String>,
    /// Default region.
    pub region: String,
    /// Fixed credentials (the embedded endpoint's key); `None` for the standard chain.
    pub static_credentials: Option<(String, String)>,
}

/// Builds and hands out S3 clients.
#[derive(Clone, Debug)]
pub struct S3Gateway {
    client: Client,
    settings: S3Settings,
}

impl S3Gateway {
    /// Loads credentials (standard AWS chain unless fixed ones are given) and builds the client.
    pub async fn new(settings: S3Settings) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(settings.region.clone()));
        if let Some((key, secret)) = &settings.static_credentials {
            loader = loader.credentials_provider(Credentials::new(key, secret, None, None, "dataport"));
        }
        let sdk = loader.load().await;
        // Checksums only when S3 requires them: otherwise presigned URLs carry
        // a checksum of an empty body that the browser's upload cannot match.
        let mut builder = aws_sdk_s3::config::Builder::from(&sdk)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.endpoint_url(endpoint).force_path_style(true);
        }
        Self { client: Client::from_conf(builder.build()), settings }
    }

    /// The client for a usecase's data.
    pub fn client_for(&self, _usecase: &Usecase) -> &Client {
        // Same-account usecases use the portal's own credentials; role
        // assumption for data accounts plugs in here.
        &self.client
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
