//! `dataport audit verify`: checks the audit trail's hash chain.

use app::core::audit;
use std::path::Path;

/// Verifies the chain with its key and against its checkpoint; exits with 1
/// and names the first broken link, or what the checkpoint shows, if anything is wrong.
pub async fn verify(data_dir: &Path, database: Option<&str>, key_file: Option<&Path>) -> anyhow::Result<()> {
    let db = crate::open_database(data_dir, database)?;
    let seal = crate::audit_seal(data_dir, key_file, &db, false).await?;
    let report = db.run(move |c| audit::verify(c, &seal)).await?;
    match (report.first_broken, report.checkpoint_problem) {
        (None, None) => {
            println!("Audit trail intact: {} events verified.", report.checked);
            Ok(())
        }
        (Some(seq), _) => {
            println!("Audit trail BROKEN at event {seq} (after {} events checked).", report.checked - 1);
            std::process::exit(1);
        }
        (None, Some(problem)) => {
            println!("Audit trail BROKEN: {problem} ({} events checked).", report.checked);
            std::process::exit(1);
        }
    }
}
