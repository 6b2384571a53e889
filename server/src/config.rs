//! Configuration, by flag or environment variable, read once at start.

use app::core::aws::S3Timeouts;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Dataport: scoped, audited access to S3 data through the browser.
#[derive(Debug, Parser)]
#[command(name = "dataport", version, about)]
pub struct Cli {
    /// Where Dataport keeps its database, the embedded endpoint's objects and its key.
    #[arg(long, env = "DATAPORT_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL: a SQLite file path (`sqlite://path` or a plain path), or
    /// `postgres://user:password@host/db` for several replicas on one database.
    /// Default: `<data-dir>/dataport.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the portal (and the embedded S3 endpoint unless another S3 is configured).
    Serve(Box<ServeArgs>),
    /// Create the first administrator from a shell, with the default usecase
    /// and its bucket; reads the password as one line from standard input,
    /// or asks twice on a terminal. Takes the options of `serve`, so that the
    /// bucket is made where the portal will look for it.
    CreateAdmin {
        /// Email of the administrator.
        #[arg(long)]
        email: String,
        /// Where the portal's data and S3 are, as `serve` would find them.
        #[command(flatten)]
        serve: Box<ServeArgs>,
    },
    /// Print the environment that points the aws CLI or any SDK at the embedded endpoint.
    S3Env {
        /// Address of the embedded endpoint.
        #[arg(long, env = "DATAPORT_S3_LISTEN", default_value = "127.0.0.1:9000")]
        s3_listen: SocketAddr,
    },
    /// Let an organization attach buckets of the portal's own account to its
    /// usecases: exact names, name prefixes ending in `*`, or `*` for all.
    /// (The first organization has `*`.)
    AssignBuckets {
        /// The organization, by name or id.
        #[arg(long)]
        tenant: String,
        /// Bucket names or name prefixes such as `acme-*`.
        #[arg(required = true)]
        patterns: Vec<String>,
        /// The key that seals the audit chain (default: `audit.key` in the data directory).
        #[arg(long, env = "DATAPORT_AUDIT_KEY_FILE")]
        audit_key_file: Option<PathBuf>,
    },
    /// Apply the database migrations not yet applied, then exit (ahead of a
    /// rollout; `serve` also applies them at start).
    Migrate,
    /// Copy every table of one database into another, empty one, such as a
    /// laptop's SQLite into PostgreSQL; the audit chain still verifies after.
    CopyDb {
        /// The database to read (`sqlite://path`, a path, or `postgres://…`).
        #[arg(long)]
        from: String,
        /// The database to fill; migrated first, and it must hold no data.
        #[arg(long)]
        to: String,
    },
    /// Audit trail tools.
    Audit {
        /// What to do with the trail.
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// Audit subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain with its key and against its checkpoint, and
    /// name the first broken link or the missing newest events.
    Verify {
        /// The key that seals the chain (default: `audit.key` in the data directory).
        #[arg(long, env = "DATAPORT_AUDIT_KEY_FILE")]
        audit_key_file: Option<PathBuf>,
    },
}

/// Options of `dataport serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the portal listens on.
    #[arg(long, env = "DATAPORT_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Address of the embedded S3 endpoint (loopback unless you mean otherwise).
    #[arg(long, env = "DATAPORT_S3_LISTEN", default_value = "127.0.0.1:9000")]
    pub s3_listen: SocketAddr,
    /// Use this S3-compatible endpoint instead of the embedded one; credentials
    /// come from the standard AWS chain (AWS_ACCESS_KEY_ID, profiles, roles).
    #[arg(long, env = "DATAPORT_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Use this STS endpoint for role assumption instead of AWS's.
    #[arg(long, env = "DATAPORT_STS_ENDPOINT")]
    pub sts_endpoint: Option<String>,
    /// Use real AWS S3 with the standard AWS credential chain instead of the embedded endpoint.
    #[arg(long, env = "DATAPORT_USE_AWS", default_value_t = false)]
    pub use_aws: bool,
    /// The URL people use to reach the portal; its origin is trusted for CSRF and CORS.
    /// Default: `http://<listen>`.
    #[arg(long, env = "DATAPORT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Region of new buckets and of the portal's S3 client.
    #[arg(long, env = "DATAPORT_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Bucket of the default usecase created with the first administrator.
    #[arg(long, env = "DATAPORT_DEFAULT_BUCKET", default_value = "dataport-data")]
    pub default_bucket: String,
    /// Folder with the built site (`pkg/` with the WASM, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Files of at least this many bytes are uploaded in parts (multipart).
    #[arg(long, env = "DATAPORT_MULTIPART_THRESHOLD", default_value_t = 16 * 1024 * 1024)]
    pub multipart_threshold: u64,
    /// Parts (or small files) a browser sends at once.
    #[arg(long, env = "DATAPORT_UPLOAD_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub upload_concurrency: u32,
    /// Seconds an unfinished multipart upload may stay idle before it is aborted on S3.
    #[arg(long, env = "DATAPORT_ABANDON_UPLOADS_AFTER", default_value_t = 24 * 60 * 60)]
    pub abandon_uploads_after: u64,
    /// Seconds between two sweeps for idle uploads.
    #[arg(long, env = "DATAPORT_SWEEP_EVERY", default_value_t = 60 * 60)]
    pub sweep_every: u64,
    /// Access key for the endpoint given by `--s3-endpoint`, instead of the standard AWS chain.
    #[arg(long, env = "DATAPORT_S3_ACCESS_KEY_ID", requires = "s3_secret_access_key")]
    pub s3_access_key_id: Option<String>,
    /// Secret key that goes with `--s3-access-key-id`.
    #[arg(long, env = "DATAPORT_S3_SECRET_ACCESS_KEY", hide_env_values = true, requires = "s3_access_key_id")]
    pub s3_secret_access_key: Option<String>,
    /// Seconds one attempt of a quick S3 call (listing, heading, signing) may take before it is tried again.
    #[arg(long, env = "DATAPORT_S3_ATTEMPT_TIMEOUT", default_value_t = 10)]
    pub s3_attempt_timeout: u64,
    /// Seconds a quick S3 call may take with all its attempts.
    #[arg(long, env = "DATAPORT_S3_CALL_TIMEOUT", default_value_t = 40)]
    pub s3_call_timeout: u64,
    /// Seconds one attempt of completing a multipart upload may take, before its size counts.
    #[arg(long, env = "DATAPORT_S3_COMPLETE_TIMEOUT", default_value_t = 60)]
    pub s3_complete_timeout: u64,
    /// Seconds each GiB of a multipart upload adds to `--s3-complete-timeout`.
    #[arg(long, env = "DATAPORT_S3_COMPLETE_TIMEOUT_PER_GIB", default_value_t = 30)]
    pub s3_complete_timeout_per_gib: u64,
    /// The key that seals the audit chain, kept outside the database.
    /// Default: `audit.key` in the data directory (made on first start).
    #[arg(long, env = "DATAPORT_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// Hours a web session lasts after its sign-in, however active (it also
    /// ends after 30 minutes without activity).
    #[arg(long, env = "DATAPORT_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u64,
    /// Calls of the REST API one access token may make per minute (a sixth
    /// of them at once); more are answered 429 with `Retry-After`.
    #[arg(long, env = "DATAPORT_API_CALLS_PER_MINUTE", default_value_t = crate::rest::DEFAULT_CALLS_PER_MINUTE)]
    pub api_calls_per_minute: u32,
    /// Most mebibytes the folder grid's thumbnails take in the data
    /// directory; the oldest go first.
    #[arg(long, env = "DATAPORT_THUMBNAIL_CACHE_MIB", default_value_t = 256)]
    pub thumbnail_cache_mib: u64,
    /// The token of the one-time setup link, while no user exists; a random
    /// one is made (and printed) when not given.
    #[arg(long, env = "DATAPORT_SETUP_TOKEN", hide_env_values = true)]
    pub setup_token: Option<String>,
    /// Failed sign-ins a client address may make in a minute (at once, then
    /// one more every 60/N seconds); beyond them it is answered 429.
    #[arg(long, env = "DATAPORT_SIGN_IN_FAILURES_PER_MINUTE", default_value_t = 10)]
    pub sign_in_failures_per_minute: u32,
    /// Database connections this process keeps at most.
    #[arg(long, env = "DATAPORT_DB_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,
    /// Seconds opening a database connection, or waiting for a free one, may take;
    /// beyond them a request is answered 503.
    #[arg(long, env = "DATAPORT_DB_CONNECT_TIMEOUT", default_value_t = 5)]
    pub db_connect_timeout: u64,
    /// Seconds one PostgreSQL statement may run before it is cancelled.
    #[arg(long, env = "DATAPORT_DB_STATEMENT_TIMEOUT", default_value_t = 30)]
    pub db_statement_timeout: u64,
    /// Milliseconds the embedded endpoint waits before assembling a multipart
    /// upload; only for tests of slow completions.
    #[arg(long, env = "DATAPORT_EMBEDDED_COMPLETE_DELAY_MS", default_value_t = 0, hide = true)]
    pub embedded_complete_delay_ms: u64,
}

impl ServeArgs {
    /// Defaults for everything, listening on the given addresses: the flags'
    /// own defaults, with no environment variable read.
    pub fn local(listen: SocketAddr, s3_listen: SocketAddr) -> Self {
        use clap::{CommandFactory, FromArgMatches};
        /// A command of `serve`'s flags alone, to read their defaults.
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let command = Defaults::command().mut_args(|a| a.env(None::<&str>));
        let matches = command.try_get_matches_from(["dataport"]).expect("serve's flags all have defaults");
        let mut args = Defaults::from_arg_matches(&matches).expect("defaults are valid").serve;
        args.listen = listen;
        args.s3_listen = s3_listen;
        args
    }

    /// How the database pool is sized and how long the database may take.
    pub fn db_options(&self) -> app::core::db::DbOptions {
        app::core::db::DbOptions {
            pool_size: self.db_pool_size,
            connect_timeout: Duration::from_secs(self.db_connect_timeout.max(1)),
            statement_timeout: Duration::from_secs(self.db_statement_timeout.max(1)),
        }
    }

    /// How long the portal's S3 calls may take.
    pub fn s3_timeouts(&self) -> S3Timeouts {
        S3Timeouts {
            attempt: Duration::from_secs(self.s3_attempt_timeout.max(1)),
            call: Duration::from_secs(self.s3_call_timeout.max(1)),
            complete: Duration::from_secs(self.s3_complete_timeout.max(1)),
            complete_per_gib: Duration::from_secs(self.s3_complete_timeout_per_gib),
            ..S3Timeouts::default()
        }
    }

    /// The fixed key for a custom endpoint, when one was given.
    pub fn s3_static_credentials(&self) -> Option<(String, String)> {
        self.s3_access_key_id.clone().zip(self.s3_secret_access_key.clone())
    }
}

/// The origin (`scheme://host[:port]`) of a URL, without path or trailing slash.
pub fn origin_of(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match trimmed.find("://") {
        Some(i) => {
            let rest = &trimmed[i + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            format!("{}{}", &trimmed[..i + 3], &rest[..host_end])
        }
        None => trimmed.to_owned(),
    }
}

/// Origins the browser may use for a portal at `origin`: the origin itself,
/// plus `localhost`/`127.0.0.1` twins of a loopback address.
pub fn browser_origins(origin: &str) -> Vec<String> {
    let mut out = vec![origin.to_owned()];
    for (a, b) in [("://127.0.0.1", "://localhost"), ("://localhost", "://127.0.0.1")] {
        if origin.contains(a) {
            out.push(origin.replacen(a, b, 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_path_and_slash() {
        assert_eq!(origin_of("https://data.example.com/portal/"), "https://data.example.com");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
    }

    #[test]
    fn loopback_origins_have_twins() {
        assert_eq!(browser_origins("http://127.0.0.1:3000"), vec!["http://127.0.0.1:3000", "http://localhost:3000"]);
        assert_eq!(browser_origins("https://data.example.com"), vec!["https://data.example.com"]);
    }

    #[test]
    fn local_settings_are_the_flags_defaults() {
        let args = ServeArgs::local("127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap());
        assert_eq!((args.listen.port(), args.s3_listen.port()), (1, 2));
        assert_eq!((args.region.as_str(), args.default_bucket.as_str()), ("us-east-1", "dataport-data"));
        assert_eq!((args.multipart_threshold, args.upload_concurrency), (16 * 1024 * 1024, 4));
        assert_eq!((args.s3_attempt_timeout, args.s3_call_timeout, args.s3_complete_timeout), (10, 40, 60));
        assert!(args.s3_endpoint.is_none() && !args.use_aws);
    }
}
