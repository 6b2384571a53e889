//! The S3-compatible endpoint inside the `dataport` process, so that a
//! fresh checkout runs with no AWS account. Objects live on local disk
//! (s3s-fs); this module adds what the portal needs on top: stored bucket
//! settings, CORS, and listings that show empty folders.

mod complete;
mod cors;
mod credentials;
mod key_rules;
mod listing;
mod parts;
mod paths;
mod served_objects;
mod settings;
mod signed_headers;
mod store;
mod temp_keys;
mod version_listing;
mod versioned;
mod versions;

pub use credentials::{EmbeddedCredentials, load_or_create as load_or_create_credentials};

use s3s::service::S3ServiceBuilder;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Region the embedded endpoint reports.
pub const REGION: &str = "us-east-1";

/// Starts the endpoint on `listener`, storing under `data_dir/s3`;
/// `complete_delay` holds every multipart completion back (tests only).
pub async fn serve(
    listener: TcpListener,
    data_dir: &Path,
    creds: &EmbeddedCredentials,
    complete_delay: Duration,
    db: Option<app::core::db::Db>,
) -> anyhow::Result<SocketAddr> {
    let objects = data_dir.join("s3");
    let settings_dir = data_dir.join("s3-settings");
    std::fs::create_dir_all(&objects)?;
    std::fs::create_dir_all(&settings_dir)?;
    let settings = Arc::new(settings::BucketSettings::new(settings_dir));
    let store = store::EmbeddedStore::new(&objects, settings.clone(), complete_delay)?;
    let mut builder = S3ServiceBuilder::new(store);
    // The portal's key, and the temporary keys it issues to command-line tools.
    let keys = std::sync::Arc::new(temp_keys::Keys::new(creds.access_key.clone(), creds.secret_key.clone(), db));
    builder.set_auth(SharedKeys(keys.clone()));
    builder.set_access(SharedKeys(keys));
    let service = builder.build();
    let service = axum::error_handling::HandleError::new(service, |e: s3s::HttpError| async move {
        tracing::error!(error = ?e, "embedded S3 failure");
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    });
    // s3s must sit at the root of its listener: a path prefix breaks signatures.
    let app = axum::Router::new()
        .fallback_service(service)
        .layer(axum::middleware::from_fn(signed_headers::require))
        .layer(axum::middleware::from_fn(served_objects::protect))
        .layer(axum::middleware::from_fn_with_state(settings, cors::apply));
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "embedded S3 endpoint stopped");
        }
    });
    Ok(addr)
}

/// One set of keys serving as both the endpoint's authentication and its access check.
struct SharedKeys(Arc<temp_keys::Keys>);

#[async_trait::async_trait]
impl s3s::auth::S3Auth for SharedKeys {
    async fn get_secret_key(&self, access_key: &str) -> s3s::S3Result<s3s::auth::SecretKey> {
        self.0.get_secret_key(access_key).await
    }
}

#[async_trait::async_trait]
impl s3s::access::S3Access for SharedKeys {
    async fn check(&self, cx: &mut s3s::access::S3AccessContext<'_>) -> s3s::S3Result<()> {
        key_rules::check(cx)?;
        self.0.check(cx).await
    }

    async fn delete_objects(&self, req: &mut s3s::S3Request<s3s::dto::DeleteObjectsInput>) -> s3s::S3Result<()> {
        key_rules::check_all(req.input.delete.objects.iter().map(|o| o.key.as_str()))?;
        self.0.delete_objects(req).await
    }
}
