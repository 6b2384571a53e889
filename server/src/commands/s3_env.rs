//! `dataport s3-env`: the environment that points the aws CLI or any SDK
//! at the embedded endpoint.

use std::net::SocketAddr;
use std::path::Path;

/// Prints the four variables, creating the endpoint's key if there is none yet.
pub fn run(data_dir: &Path, s3_listen: SocketAddr) -> anyhow::Result<()> {
    let creds = crate::embedded::load_or_create_credentials(data_dir)?;
    println!("AWS_ACCESS_KEY_ID={}", creds.access_key);
    println!("AWS_SECRET_ACCESS_KEY={}", creds.secret_key);
    println!("AWS_ENDPOINT_URL_S3=http://{s3_listen}");
    println!("AWS_REGION={}", crate::embedded::REGION);
    Ok(())
}
