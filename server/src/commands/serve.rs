//! `dataport serve`: the portal and, unless another S3 is configured, the
//! embedded endpoint, until Ctrl-C.

use crate::config::ServeArgs;
use std::path::Path;

/// Starts the portal, says where it is, and serves until interrupted.
pub async fn run(args: &ServeArgs, data_dir: &Path, database: Option<&str>) -> anyhow::Result<()> {
    let portal = crate::start(args, data_dir, database).await?;
    println!("Dataport is running at {}", portal.url);
    if let Some(s3) = &portal.s3_url {
        println!("Embedded S3 endpoint at {s3} (see `dataport s3-env`)");
    }
    println!("Data directory: {}", crate::absolute(data_dir).display());
    if let Some(setup) = &portal.setup_url {
        println!("No administrator yet. Create one at {setup}");
    }
    tokio::signal::ctrl_c().await?;
    println!("Stopping.");
    Ok(())
}
