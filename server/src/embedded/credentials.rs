//! The embedded endpoint's access key, made at first start and kept in the
//! data directory, readable by its owner only.

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Access key and secret of the embedded endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmbeddedCredentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

fn random(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// Reads `data_dir/s3-credentials.json`, creating it (mode 0600) if missing.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<EmbeddedCredentials> {
    let path = data_dir.join("s3-credentials.json");
    if path.exists() {
        let text = std::fs::read_to_string(&path)?;
        return Ok(serde_json::from_str(&text)?);
    }
    let creds = EmbeddedCredentials { access_key: format!("DP{}", random(18).to_uppercase()), secret_key: random(40) };
    let text = serde_json::to_string_pretty(&creds)?;
    write_private(&path, text.as_bytes())?;
    Ok(creds)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
