//! A real portal for tests: temporary data directory, SQLite (or, when
//! `DATAPORT_TEST_POSTGRES` names a PostgreSQL server, a fresh database of
//! its own there), the embedded S3 endpoint on a free loopback port, and
//! HTTP clients.

#![allow(dead_code)]

pub mod caller;
pub mod cuttable;
pub mod engine;
pub mod lossy_proxy;
pub mod moto;
pub mod replicas;
pub mod rest;
pub mod uploads;

use app::core::db::models::{Grant, Tenant, Usecase};
use app::core::db::schema::{audit_events, grants, tenants, usecases};
use app::core::{identity, new_id, now_ms};
use app::ids::{GrantId, UserId};
use app::model::Role;
use diesel::prelude::*;
use server::Portal;
use server::config::ServeArgs;
use tempfile::TempDir;

/// A temporary data directory only its owner may read, as the portal requires.
pub fn private_dir() -> TempDir {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new().permissions(std::fs::Permissions::from_mode(0o700)).tempdir().expect("temp dir")
}

/// The database of a test portal whose data directory is `dir`: SQLite in
/// the directory (None), or, when `DATAPORT_TEST_POSTGRES` names a server
/// (`postgres://user@host:port`), a database made for this directory alone
/// and remembered in it, so that a restart finds the same data.
pub fn database_for(dir: &std::path::Path) -> Option<String> {
    let server = std::env::var("DATAPORT_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
    let remembered = dir.join("test-database-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Some(url);
    }
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin =
        diesel::PgConnection::establish(&format!("{server}/postgres")).expect("the test PostgreSQL answers");
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("a test database");
    let url = format!("{server}/{name}");
    std::fs::write(&remembered, &url).expect("remember the test database");
    Some(url)
}

/// The setup link's token of every test portal.
pub const SETUP_TOKEN: &str = "test-setup-token";

/// Password used for every test user.
pub const PASSWORD: &str = "correct horse battery staple";

/// A running portal and the directory it keeps its data in.
pub struct TestPortal {
    pub portal: Portal,
    pub dir: TempDir,
}

impl TestPortal {
    /// Starts a fresh portal.
    pub async fn start() -> Self {
        let dir = private_dir();
        let portal = Self::start_in(dir.path()).await;
        Self { portal, dir }
    }

    /// Starts a fresh portal with some settings changed.
    pub async fn start_with(change: impl FnOnce(&mut ServeArgs)) -> Self {
        let dir = private_dir();
        let mut args = Self::args();
        change(&mut args);
        let portal =
            server::start(&args, dir.path(), database_for(dir.path()).as_deref()).await.expect("portal starts");
        Self { portal, dir }
    }

    /// Starts a portal on an existing data directory.
    pub async fn start_in(path: &std::path::Path) -> Portal {
        server::start(&Self::args(), path, database_for(path).as_deref()).await.expect("portal starts")
    }

    /// The settings of a test portal: defaults on free loopback ports.
    pub fn args() -> ServeArgs {
        let mut args = ServeArgs::local("127.0.0.1:0".parse().unwrap(), "127.0.0.1:0".parse().unwrap());
        args.setup_token = Some(SETUP_TOKEN.into());
        args
    }

    /// An HTTP client with a cookie jar that behaves like the portal's own pages.
    pub fn browser(&self) -> reqwest::Client {
        browser_for(&self.portal.url)
    }

    /// Calls a server function and returns the status and the body.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
        let resp = client.post(format!("{}/api/{endpoint}", self.portal.url)).form(form).send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(&self, client: &reqwest::Client, endpoint: &str, body: serde_json::Value) -> (u16, String) {
        let resp =
            client.post(format!("{}/api/{endpoint}", self.portal.url)).json(&body).send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }

    /// Creates the first admin through the setup server function and returns a signed-in client.
    pub async fn admin(&self) -> reqwest::Client {
        let client = self.browser();
        let (status, body) = self
            .call(
                &client,
                "create_first_admin",
                &[
                    ("email", "admin@example.com"),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                    ("token", SETUP_TOKEN),
                ],
            )
            .await;
        assert_eq!(status, 200, "setup failed: {body}");
        client
    }

    /// Signs a user in and returns the client.
    pub async fn sign_in(&self, email: &str) -> reqwest::Client {
        let client = self.browser();
        let (status, body) = self.call(&client, "sign_in", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(status, 200, "sign-in of {email} failed: {body}");
        client
    }

    /// Which database the portal runs on.
    pub fn backend(&self) -> app::core::db::Backend {
        self.portal.state.db.backend()
    }

    /// Runs blocking database work.
    pub fn db<T>(&self, f: impl FnOnce(&mut app::core::db::Conn) -> T) -> T {
        let mut conn = self.portal.state.db.conn().expect("connection");
        f(&mut conn)
    }

    /// The first tenant's default usecase.
    pub fn default_usecase(&self) -> Usecase {
        self.db(|c| usecases::table.select(Usecase::as_select()).order(usecases::created_at.asc()).first(c).unwrap())
    }

    /// Adds a user to the tenant of `usecase`.
    pub fn add_user(&self, tenant_id: &str, email: &str, role: Role) -> UserId {
        let tenant = tenant_id.to_owned();
        let email = email.to_owned();
        self.db(move |c| identity::create_user(c, &tenant, &email, PASSWORD, role).unwrap().id)
    }

    /// Creates a second organization with its own usecase, returning (tenant id, usecase).
    pub fn other_tenant(&self) -> (String, Usecase) {
        self.db(|c| {
            let tenant =
                Tenant { id: new_id(), name: "Other organization".into(), created_at: now_ms(), disabled: false };
            diesel::insert_into(tenants::table).values(&tenant).execute(c).unwrap();
            let usecase = Usecase::same_account(&tenant.id, "Other", "local", "other-data", "us-east-1");
            diesel::insert_into(usecases::table).values(&usecase).execute(c).unwrap();
            (tenant.id, usecase)
        })
    }

    /// Grants `user_id` rights on `bucket`/`prefix` of `usecase`.
    pub fn grant(&self, user_id: &UserId, usecase: &Usecase, prefix: &str, write: bool) {
        let g = Grant {
            id: GrantId::random(),
            user_id: user_id.clone(),
            usecase_id: usecase.id.clone(),
            bucket: usecase.data_bucket().into(),
            prefix: prefix.into(),
            can_list: true,
            can_read: true,
            can_write: write,
            can_delete: false,
            expires_at: None,
            created_at: now_ms(),
            created_by: None,
            updated_at: None,
        };
        self.db(|c| diesel::insert_into(grants::table).values(&g).execute(c).unwrap());
    }

    /// `audit verify` of the portal's trail, with the portal's key and checkpoint.
    pub fn audit_report(&self) -> app::core::audit::ChainReport {
        let seal = self.portal.state.audit.clone();
        self.db(move |c| app::core::audit::verify(c, &seal).unwrap())
    }

    /// Audit events with this action and outcome.
    pub fn audit_count(&self, action: &str, outcome: &str) -> i64 {
        let (a, o) = (action.to_owned(), outcome.to_owned());
        self.db(move |c| {
            audit_events::table
                .filter(audit_events::action.eq(a))
                .filter(audit_events::outcome.eq(o))
                .count()
                .get_result(c)
                .unwrap()
        })
    }

    /// An S3 client on the embedded endpoint with its key.
    pub async fn s3(&self) -> aws_sdk_s3::Client {
        let creds = server::embedded::load_or_create_credentials(self.dir.path()).unwrap();
        s3_client(self.portal.s3_url.as_deref().unwrap(), &creds.access_key, &creds.secret_key)
    }
}

/// The error a server function answered with.
pub fn error_of(body: &str) -> app::error::AppError {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// Base64 CRC32C of `bytes`, as S3 headers carry it.
pub fn crc32c_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(bytes).to_be_bytes())
}

/// A file offer for `batch_upload_urls`; small files carry their checksum.
pub fn offer(path: &str, bytes: &[u8]) -> app::model::FileOffer {
    app::model::FileOffer {
        path: path.into(),
        size: bytes.len() as u64,
        content_type: "application/octet-stream".into(),
        modified: 1_700_000_000_000,
        crc32c: Some(crc32c_b64(bytes)),
    }
}

/// Sends `body` as a presigned request says, with its signed headers, as a
/// browser does: the length and host are the HTTP client's own.
pub async fn send_as_planned(plan: &app::model::UploadPlan, body: Vec<u8>) -> reqwest::Response {
    send_with(plan, body, &[]).await
}

/// Sends `body` as `plan` says, with `extra` headers added.
pub async fn send_with(plan: &app::model::UploadPlan, body: Vec<u8>, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().request(plan.method.parse().unwrap(), &plan.url);
    if body.is_empty() {
        // Browsers send `Content-Length: 0` with an empty PUT; reqwest sends none.
        req = req.header("content-length", "0");
    }
    let mut req = req.body(body);
    for (k, v) in plan.headers.iter().filter(|(k, _)| !client_managed(k)) {
        req = req.header(k, v);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.expect("request to S3")
}

/// Headers an HTTP client sets itself from the URL and the body.
pub fn client_managed(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host")
}

impl TestPortal {
    /// Plans uploads of `files` into `prefix` of the default bucket.
    pub async fn plan_uploads(
        &self,
        client: &reqwest::Client,
        usecase_id: &str,
        prefix: &str,
        conflict: &str,
        files: Vec<app::model::FileOffer>,
    ) -> (u16, String) {
        let body = serde_json::json!({
            "usecase_id": usecase_id, "bucket": "dataport-data", "prefix": prefix,
            "conflict": conflict, "files": files,
        });
        self.call_json(client, "batch_upload_urls", body).await
    }
}

/// A client that sends the portal's origin, as its pages do.
pub fn browser_for(url: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, url.parse().unwrap());
    reqwest::Client::builder().cookie_store(true).default_headers(headers).build().unwrap()
}

/// An aws-sdk-s3 client for an S3-compatible endpoint.
pub fn s3_client(endpoint: &str, key: &str, secret: &str) -> aws_sdk_s3::Client {
    let creds = aws_credential_types::Credentials::new(key, secret, None, None, "test");
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(creds)
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Resident memory of this process in MiB, from `/proc/self/status` (benchmarks).
pub fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}
