//! `dataport assign-buckets`: the platform administrator lets an
//! organization attach buckets of the portal's own account.

use app::core::usecase_buckets;
use std::path::Path;

/// Assigns `patterns` to `tenant` (name or id), audited as a command-line action.
pub async fn run(
    data_dir: &Path,
    database: Option<&str>,
    key_file: Option<&Path>,
    tenant: &str,
    patterns: &[String],
) -> anyhow::Result<()> {
    let db = crate::open_database(data_dir, database)?;
    let seal = crate::audit_seal(data_dir, key_file, &db, false).await?;
    let (tenant, list) = (tenant.to_owned(), patterns.to_vec());
    let name = db.run(move |c| usecase_buckets::assign_from_command_line(c, &seal, &tenant, &list)).await?;
    println!("“{name}” may now attach: {}", patterns.join(", "));
    Ok(())
}
