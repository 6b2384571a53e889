//! The `dataport` command.

use clap::Parser;
use server::config::Cli;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,aws=warn,s3s=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    server::commands::run(Cli::parse()).await
}
