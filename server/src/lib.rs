//! The `dataport` server: configuration, the embedded S3 endpoint, the
//! portal's router, and starting them together.

pub mod archive_route;
pub mod commands;
pub mod config;
pub mod download_route;
pub mod embedded;
pub mod plain;
pub mod rest;
pub mod share_route;
pub mod site;
pub mod thumbnail_route;
pub mod web;

use anyhow::Context;
use app::api::state::AppState;
use app::core::audit_seal::AuditSeal;
use app::core::aws::{S3Gateway, S3Settings};
use app::core::db::{Db, DbOptions};
use app::core::{PortalConfig, Services, setup, uploads};
use config::{ServeArgs, browser_origins, origin_of};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A started portal.
pub struct Portal {
    /// Address the portal listens on.
    pub addr: SocketAddr,
    /// Its public URL.
    pub url: String,
    /// URL of the embedded S3 endpoint, when it runs.
    pub s3_url: Option<String>,
    /// Shared state (database, S3 gateway, settings).
    pub state: AppState,
    /// The one-time link that creates the first administrator, while none exists.
    pub setup_url: Option<String>,
}

/// The database URL to use: the given one, or a SQLite file in the data directory.
pub fn database_url(data_dir: &Path, given: Option<&str>) -> String {
    given.map(str::to_owned).unwrap_or_else(|| data_dir.join("dataport.db").display().to_string())
}

/// Opens the database, creating the data directory first. The directory
/// holds password hashes, session and device keys and the S3 key, so it
/// and a SQLite database are made for the owner only, and refused when
/// others may read them.
pub fn open_database(data_dir: &Path, given: Option<&str>) -> anyhow::Result<Db> {
    open_database_with(data_dir, given, &DbOptions::default())
}

/// [`open_database`] with a pool sized and timed by `options`.
pub fn open_database_with(data_dir: &Path, given: Option<&str>, options: &DbOptions) -> anyhow::Result<Db> {
    let db = connect_database(data_dir, given, options)?;
    db.migrate()?;
    Ok(db)
}

/// Connects to the database as [`open_database_with`] does, without migrating.
pub fn connect_database(data_dir: &Path, given: Option<&str>, options: &DbOptions) -> anyhow::Result<Db> {
    if !data_dir.exists() {
        std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
        restrict(data_dir, 0o700)?;
    }
    refuse_if_shared(data_dir, "chmod 700")?;
    let url = database_url(data_dir, given);
    prepare_sqlite_file(&url)?;
    Ok(Db::connect(&url, options)?)
}

/// For a SQLite URL: makes the file for its owner only if it is missing,
/// and refuses one others may read. Other URLs pass as they are.
pub fn prepare_sqlite_file(url: &str) -> anyhow::Result<()> {
    if url.contains("://") && !url.starts_with("sqlite://") {
        return Ok(());
    }
    let file = Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
    if !file.exists() {
        // Made owner-only in the same call that creates it: a process
        // starting beside this one must never find it readable by others.
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        open.open(file).with_context(|| format!("cannot create {}", file.display()))?;
    }
    refuse_if_shared(file, "chmod 600")
}

/// Gives `path` the permission bits `mode`.
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}

/// Refuses a path that its group or others may read, naming the fix.
fn refuse_if_shared(path: &Path, fix: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "{} may be read by other users (mode {:o}); it holds password hashes and keys. Run: {fix} {}",
                path.display(),
                mode & 0o777,
                absolute(path).display()
            );
        }
    }
    let _ = (path, fix);
    Ok(())
}

/// The portal's S3: the embedded endpoint, started on `listen`, unless
/// another endpoint or AWS is configured. Returns the gateway and, for the
/// embedded endpoint, its URL.
pub async fn open_s3(
    args: &ServeArgs,
    data_dir: &Path,
    listen: SocketAddr,
    db: &Db,
) -> anyhow::Result<(S3Gateway, Option<String>)> {
    let configured = |endpoint: Option<String>| S3Settings {
        endpoint,
        sts_endpoint: args.sts_endpoint.clone(),
        region: args.region.clone(),
        static_credentials: args.s3_static_credentials(),
        timeouts: args.s3_timeouts(),
        embedded: false,
    };
    let (settings, url) = if args.use_aws {
        (configured(None), None)
    } else if let Some(endpoint) = &args.s3_endpoint {
        (configured(Some(endpoint.clone())), None)
    } else {
        let creds = embedded::load_or_create_credentials(data_dir)?;
        let s3_listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen} for the embedded S3 endpoint"))?;
        let delay = Duration::from_millis(args.embedded_complete_delay_ms);
        let s3_addr = embedded::serve(s3_listener, data_dir, &creds, delay, Some(db.clone())).await?;
        let url = format!("http://{s3_addr}");
        let settings = S3Settings {
            endpoint: Some(url.clone()),
            region: embedded::REGION.into(),
            static_credentials: Some((creds.access_key, creds.secret_key)),
            embedded: true,
            ..configured(None)
        };
        (settings, Some(url))
    };
    Ok((S3Gateway::new(settings).await, url))
}

/// The services every door uses, on an open database and S3: loads (or
/// makes) the key of device tokens and sets the sign-in limits.
pub async fn services(
    args: &ServeArgs,
    data_dir: &Path,
    db: Db,
    s3: S3Gateway,
    config: PortalConfig,
) -> anyhow::Result<Services> {
    let key = db.run(app::core::sign_in_gate::device_key).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let gate = app::core::sign_in_gate::SignInGate::new(args.sign_in_failures_per_minute, key);
    let seal = audit_seal(data_dir, args.audit_key_file.as_deref(), &db, true).await?;
    Ok(Services {
        db,
        s3,
        config: Arc::new(config),
        sign_in: Arc::new(gate),
        audit: Arc::new(seal),
        refusals: Default::default(),
        thumbnails: Arc::new(app::core::thumbnails::ThumbnailCache::new(
            data_dir.join("thumbnails"),
            args.thumbnail_cache_mib.max(1) * 1024 * 1024,
        )),
    })
}

/// The audit chain's key (`key_file`, or `audit.key` in the data directory;
/// made when missing if `create`) and its checkpoint `audit.head`.
pub async fn audit_seal(data_dir: &Path, key_file: Option<&Path>, db: &Db, create: bool) -> anyhow::Result<AuditSeal> {
    let key_file = key_file.map(Path::to_path_buf).unwrap_or_else(|| data_dir.join("audit.key"));
    if !create && !key_file.exists() {
        anyhow::bail!("the audit key {} is missing; without it the chain cannot be checked", key_file.display());
    }
    let key = app::core::audit_seal::load_or_create_key(&key_file)?;
    let head_file = data_dir.join("audit.head");
    let checkpoint = app::core::audit_seal::read_checkpoint(&head_file)?;
    let last = db.run(app::core::audit::last_seq).await?;
    let proposed = checkpoint.map_or(last + 1, |c| c.keyed_from);
    let seal_key = key.clone();
    let keyed_from = db.run(move |c| app::core::audit_seal::agree(c, &seal_key, proposed)).await?;
    Ok(AuditSeal::new(key, head_file, keyed_from)?)
}

/// The settings services need, for a portal reached at `public_url`, with
/// the embedded S3 endpoint at `embedded` when it runs.
pub fn portal_config(args: &ServeArgs, public_url: &str, embedded: Option<&str>) -> PortalConfig {
    let public_origin = origin_of(public_url);
    // Where browsers send the bytes of presigned requests.
    let s3_origins = match (embedded, &args.s3_endpoint) {
        (Some(url), _) => vec![origin_of(url)],
        (None, Some(endpoint)) => vec![origin_of(endpoint)],
        (None, None) => vec!["https://*.amazonaws.com".to_owned()],
    };
    PortalConfig {
        s3_origins,
        browser_origins: browser_origins(&public_origin),
        public_origin,
        default_bucket: args.default_bucket.clone(),
        region: args.region.clone(),
        default_account_id: if embedded.is_some() { "local".into() } else { "self".into() },
        multipart_threshold: args.multipart_threshold.max(uploads::MIN_PART),
        upload_concurrency: args.upload_concurrency,
        session_max_ms: (args.session_max_hours.max(1) * 3600 * 1000) as i64,
        api_calls_per_minute: args.api_calls_per_minute,
    }
}

/// Starts the S3 endpoint (unless another is configured) and the portal,
/// serving in the background; returns once both are listening.
pub async fn start(args: &ServeArgs, data_dir: &Path, database: Option<&str>) -> anyhow::Result<Portal> {
    let db = open_database_with(data_dir, database, &args.db_options())?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {} (is another portal running?)", args.listen))?;
    let addr = listener.local_addr()?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let (s3, s3_url) = open_s3(args, data_dir, args.s3_listen, &db).await?;
    let config = portal_config(args, &public_url, s3_url.as_deref());
    let leptos_options = site::leptos_options(&args.site_root, addr);
    let services = services(args, data_dir, db, s3, config).await?;
    let state = AppState { leptos_options, services, api_document: std::sync::Arc::new(rest::document()) };

    if s3_url.is_some() {
        setup::prepare_usecase_buckets(&state.services).await;
    }

    spawn_sweeper(
        state.clone(),
        Duration::from_secs(args.abandon_uploads_after),
        Duration::from_secs(args.sweep_every.max(1)),
    );

    let app = web::router(state.clone());
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, service).await {
            tracing::error!(error = %e, "portal stopped");
        }
    });
    let given = args.setup_token.clone();
    let token = state.db.run(move |c| setup::issue_setup_token(c, given.as_deref())).await?;
    let setup_url = token.map(|t| format!("{}/setup?token={t}", public_url.trim_end_matches('/')));
    Ok(Portal { addr, url: public_url, s3_url, state, setup_url })
}

/// Aborts multipart uploads left idle for `idle`, checking every `every`,
/// on whichever replica holds the sweeper's lease.
fn spawn_sweeper(state: AppState, idle: Duration, every: Duration) {
    let holder = app::core::new_id();
    // Held for two rounds: a holder that stops renewing hands the job over
    // to another replica within two rounds.
    let ttl_ms = i64::try_from(every.as_millis().saturating_mul(2)).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let me = holder.clone();
            match state.db.run(move |c| app::core::leases::acquire(c, SWEEPER, &me, ttl_ms)).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot take the upload sweeper's lease");
                    continue;
                }
            }
            match uploads::sweep_idle(&state.services, idle).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(aborted = n, "aborted idle uploads"),
                Err(e) => tracing::warn!(error = %e, "sweeping idle uploads failed"),
            }
        }
    });
}

/// The name of the upload sweeper's lease.
pub const SWEEPER: &str = "upload-sweeper";

/// The directory holding the data, made absolute for messages.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Whether a path belongs to the REST API (bearer tokens, no cookies, no CSRF check).
pub fn rest_path(path: &str) -> bool {
    path.starts_with("/api/v1/")
}
