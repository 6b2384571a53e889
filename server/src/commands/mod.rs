//! The `dataport` subcommands, one file each. Each builds what it needs
//! from the same settings as `serve` and goes through the core services,
//! so that a command is audited like the page that does the same thing.

pub mod assign_buckets;
pub mod audit;
pub mod copy_db;
pub mod create_admin;
pub mod s3_env;
pub mod serve;

use crate::config::{AuditCommand, Cli, Command};

/// Runs the command the command line asks for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = cli.database_url.as_deref();
    match cli.command {
        Command::Serve(args) => serve::run(&args, &cli.data_dir, database).await,
        Command::CreateAdmin { email, serve } => create_admin::run(&serve, &cli.data_dir, database, &email).await,
        Command::S3Env { s3_listen } => s3_env::run(&cli.data_dir, s3_listen),
        Command::AssignBuckets { tenant, patterns, audit_key_file } => {
            assign_buckets::run(&cli.data_dir, database, audit_key_file.as_deref(), &tenant, &patterns).await
        }
        Command::Migrate => {
            let db = crate::connect_database(&cli.data_dir, database, &Default::default())?;
            let applied = db.migrate()?;
            println!(
                "Applied {} migrations{}; the database is up to date.",
                applied.len(),
                if applied.is_empty() { String::new() } else { format!(" ({})", applied.join(", ")) }
            );
            Ok(())
        }
        Command::CopyDb { from, to } => copy_db::run(&from, &to).await,
        Command::Audit { command: AuditCommand::Verify { audit_key_file } } => {
            audit::verify(&cli.data_dir, database, audit_key_file.as_deref()).await
        }
    }
}
