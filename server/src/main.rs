//! The `dataport` command.

use anyhow::Context;
use app::core::{audit, identity};
use clap::Parser;
use server::config::{AuditCommand, Cli, Command, browser_origins, origin_of};
use std::io::Read;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,aws=warn,s3s=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let database = cli.database_url.as_deref();
    match cli.command {
        Command::Serve(args) => {
            let portal = server::start(&args, &cli.data_dir, database).await?;
            println!("Dataport is running at {}", portal.url);
            if let Some(s3) = &portal.s3_url {
                println!("Embedded S3 endpoint at {s3} (see `dataport s3-env`)");
            }
            println!("Data directory: {}", server::absolute(&cli.data_dir).display());
            tokio::signal::ctrl_c().await?;
            println!("Stopping.");
            Ok(())
        }
        Command::CreateAdmin { email, public_url } => {
            let db = server::open_database(&cli.data_dir, database)?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let origin = origin_of(public_url.as_deref().unwrap_or("http://127.0.0.1:3000"));
            let config = app::core::PortalConfig {
                browser_origins: browser_origins(&origin),
                public_origin: origin,
                default_bucket: "dataport-data".into(),
                region: "us-east-1".into(),
                default_account_id: "local".into(),
                multipart_threshold: app::core::uploads::MIN_PART,
                upload_concurrency: 1,
            };
            let (user, usecase) = db
                .run(move |c| {
                    let created = identity::create_first_admin(c, &config, &email, &password)?;
                    let event = audit::NewEvent {
                        tenant_id: Some(created.0.tenant_id.clone()),
                        user_id: Some(created.0.id.clone()),
                        user_email: Some(created.0.email.clone()),
                        action: "setup.first_admin".into(),
                        usecase_id: Some(created.1.id.clone()),
                        detail: "created from the command line".into(),
                        ..Default::default()
                    };
                    audit::record(c, event, audit::Outcome::Success)?;
                    Ok(created)
                })
                .await?;
            println!("Created administrator {} with the usecase “{}”.", user.email, usecase.name);
            println!("Its bucket is created when the portal next starts.");
            Ok(())
        }
        Command::S3Env { s3_listen } => {
            let creds = server::embedded::load_or_create_credentials(&cli.data_dir)?;
            println!("AWS_ACCESS_KEY_ID={}", creds.access_key);
            println!("AWS_SECRET_ACCESS_KEY={}", creds.secret_key);
            println!("AWS_ENDPOINT_URL_S3=http://{s3_listen}");
            println!("AWS_REGION={}", server::embedded::REGION);
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let db = server::open_database(&cli.data_dir, database)?;
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
    }
}
