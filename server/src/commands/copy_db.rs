//! `dataport copy-db --from … --to …`: moves an installation to another
//! database (a laptop's SQLite into PostgreSQL) with all its history.

use app::core::copy_db;
use app::core::db::{Backend, Db, DbOptions, redacted};

/// Migrates the destination, copies every table into it in one transaction
/// and prints what was copied.
pub async fn run(from: &str, to: &str) -> anyhow::Result<()> {
    if from == to {
        anyhow::bail!("--from and --to name the same database");
    }
    if Backend::of(from) == Backend::Sqlite && !std::path::Path::new(from.trim_start_matches("sqlite://")).exists() {
        anyhow::bail!("there is no database at {from}");
    }
    crate::prepare_sqlite_file(to)?;
    let source = Db::connect(from, &DbOptions::default())?;
    let pending = source.migrate()?;
    if !pending.is_empty() {
        println!("Brought {} up to date first ({} migrations).", redacted(from), pending.len());
    }
    let destination = Db::connect(to, &DbOptions::default())?;
    destination.migrate()?;
    let copied = tokio::task::spawn_blocking(move || {
        let (mut from, mut to) = (source.conn()?, destination.conn()?);
        copy_db::copy_all(&mut from, &mut to)
    })
    .await??;
    for (table, rows) in &copied {
        println!("{table:>16}: {rows} rows");
    }
    println!(
        "Copied into {}. Start the portal on it with the same audit key (and checkpoint) as before, \
         then check the trail with `dataport audit verify`.",
        redacted(to)
    );
    Ok(())
}
