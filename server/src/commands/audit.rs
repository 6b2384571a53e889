//! `dataport audit verify`: checks the audit trail's hash chain.

use app::core::audit;
use std::path::Path;

/// Verifies the chain; exits with 1 and names the first broken link if there is one.
pub async fn verify(data_dir: &Path, database: Option<&str>) -> anyhow::Result<()> {
    let db = crate::open_database(data_dir, database)?;
    let report = db.run(audit::verify).await?;
    match report.first_broken {
        None => {
            println!("Audit trail intact: {} events verified.", report.checked);
            Ok(())
        }
        Some(seq) => {
            println!("Audit trail BROKEN at event {seq} (after {} events checked).", report.checked - 1);
            std::process::exit(1);
        }
    }
}
