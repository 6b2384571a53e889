//! Several `dataport serve` processes on one PostgreSQL database and one S3
//! endpoint behave as one portal: sessions, rights, uploads and the audit
//! trail carry over from one replica to the other, and killing one leaves
//! the other serving. Runs where `make test` provides PostgreSQL.

mod common;

use app::core::db::schema::{audit_events, job_leases};
use app::model::Role;
use common::replicas::{Replica, Shared, pair};
use common::rest::send_parts;
use common::uploads::{MIB, sample};
use common::{PASSWORD, SETUP_TOKEN, crc32c_b64};
use diesel::prelude::*;
use reqwest::cookie::Jar;
use serde_json::{Value, json};
use std::sync::Arc;

const BINARY: &str = env!("CARGO_BIN_EXE_dataport");

/// A person's browser: one cookie jar, whichever replica it reaches.
struct Browser {
    http: reqwest::Client,
}

impl Browser {
    fn new() -> Self {
        Browser { http: reqwest::Client::builder().cookie_provider(Arc::new(Jar::default())).build().unwrap() }
    }

    /// Calls a server function on `replica`, as its own page would.
    async fn call(&self, replica: &Replica, name: &str, form: &[(&str, &str)]) -> (u16, String) {
        let resp = self
            .http
            .post(format!("{}/api/{name}", replica.url))
            .header("origin", &replica.url)
            .form(form)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }
}

/// A REST call with a bearer token.
async fn rest(replica: &Replica, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", replica.url));
    req = req.bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn token(browser: &Browser, replica: &Replica, name: &str) -> String {
    let (status, body) = browser.call(replica, "create_token", &[("name", name), ("days", "1")]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<app::model::NewToken>(&body).unwrap().secret
}

/// The shared database and key, or None (and a note) without PostgreSQL.
fn shared(root: &std::path::Path) -> Option<Shared> {
    let Some(database_url) = common::database_for(root) else {
        eprintln!("replicas need PostgreSQL: `make test` runs this test again with DATAPORT_TEST_POSTGRES set");
        return None;
    };
    let audit_key_file = root.join("audit.key");
    std::fs::write(&audit_key_file, hex::encode([7u8; 32])).unwrap();
    Some(Shared { database_url, audit_key_file })
}

fn verify_trail(shared: &Shared, data_dir: &std::path::Path) -> String {
    let out = std::process::Command::new(BINARY)
        .args(["--data-dir", data_dir.to_str().unwrap(), "audit", "verify"])
        .args(["--audit-key-file", shared.audit_key_file.to_str().unwrap()])
        .env("DATABASE_URL", &shared.database_url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "the trail verifies: {text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_are_one_portal_and_either_may_die() {
    let root = common::private_dir();
    let Some(shared) = shared(root.path()) else { return };
    let (a, mut b) = pair(BINARY, &shared, root.path(), &["--multipart-threshold", "5242880"]);
    let db = server::open_database(&a.data_dir, Some(&shared.database_url)).unwrap();

    // Signed in on one replica, the session goes on on the other.
    let admin = Browser::new();
    let setup = [("email", "admin@example.com"), ("password", PASSWORD), ("confirm", PASSWORD), ("token", SETUP_TOKEN)];
    assert_eq!(admin.call(&a, "create_first_admin", &setup).await.0, 200);
    let (status, me) = admin.call(&b, "whoami", &[]).await;
    assert!(status == 200 && me.contains("admin@example.com"), "the session continues on B: {status} {me}");
    let admin_token = token(&admin, &b, "replicas").await;

    // Rights granted on one are enforced by the other at the next request.
    let tenant: String = db
        .run(|c| Ok(app::core::db::schema::tenants::table.select(app::core::db::schema::tenants::id).first(c)?))
        .await
        .unwrap();
    let editor = db
        .run(move |c| Ok(app::core::identity::create_user(c, &tenant, "ed@example.com", PASSWORD, Role::Editor)?.id))
        .await
        .unwrap();
    let (_, usecases) = rest(&a, &admin_token, "GET", "/api/v1/usecases", None).await;
    let usecase = usecases["usecases"][0]["id"].as_str().unwrap().to_owned();
    let bucket = "dataport-data";
    let grant = json!({ "user_id": editor.to_string(), "usecase_id": usecase, "bucket": bucket, "prefix": "team/",
        "list": true, "read": true, "write": true });
    let (status, granted) = rest(&a, &admin_token, "POST", "/api/v1/permissions", Some(grant)).await;
    assert_eq!(status, 201, "{granted}");
    let ed = Browser::new();
    assert_eq!(ed.call(&b, "sign_in", &[("email", "ed@example.com"), ("password", PASSWORD)]).await.0, 200);
    let ed_token = token(&ed, &a, "editor").await;
    let listing = format!("/api/v1/usecases/{usecase}/data/folders?bucket={bucket}&prefix=team/");
    assert_eq!(rest(&b, &ed_token, "GET", &listing, None).await.0, 200, "granted on A, allowed on B");

    // An upload started on one replica is completed through the other.
    let big = sample(6 * MIB, 3);
    let ask = json!({ "bucket": bucket, "key": "team/big.bin", "size": big.len() });
    let (_, plan) =
        rest(&a, &ed_token, "POST", &format!("/api/v1/usecases/{usecase}/data/upload-url"), Some(ask)).await;
    assert_eq!(plan["kind"], json!("multipart"), "{plan}");
    let upload_id = plan["upload_id"].as_str().unwrap().to_owned();
    let part_size = plan["part_size"].as_u64().unwrap() as usize;
    let chunks: Vec<&[u8]> = big.chunks(part_size).collect();
    let offers: Vec<Value> =
        chunks.iter().enumerate().map(|(i, c)| json!({ "number": i + 1, "crc32c": crc32c_b64(c) })).collect();
    let parts_path = format!("/api/v1/uploads/{upload_id}/parts");
    let (_, signed) = rest(&b, &ed_token, "POST", &parts_path, Some(json!({ "parts": offers }))).await;
    let sent = send_parts(&signed, &chunks).await;
    let complete = format!("/api/v1/uploads/{upload_id}/complete");
    let (status, done) = rest(&b, &ed_token, "POST", &complete, Some(json!({ "parts": sent }))).await;
    assert_eq!((status, &done["size"]), (200, &json!(big.len())), "completed on B: {done}");
    let (_, listed) = rest(&a, &ed_token, "GET", &listing, None).await;
    assert_eq!(listed["files"][0]["name"], json!("big.bin"), "A lists what B completed: {listed}");

    // A grant revoked on one replica refuses on the other at once.
    let grant_id = granted["id"].as_str().unwrap();
    assert_eq!(rest(&a, &admin_token, "DELETE", &format!("/api/v1/permissions/{grant_id}"), None).await.0, 204);
    assert_eq!(rest(&b, &ed_token, "GET", &listing, None).await.0, 403, "revoked on A, refused on B");

    // A burst over both replicas; B dies in the middle of it; A goes on.
    let before: i64 = db.run(|c| Ok(audit_events::table.count().get_result(c)?)).await.unwrap();
    let mut calls = Vec::new();
    for i in 0..120 {
        let (url, token) = (if i % 2 == 0 { a.url.clone() } else { b.url.clone() }, admin_token.clone());
        let path = format!("/api/v1/usecases/{usecase}/data/download-url");
        calls.push(tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(i * 5)).await;
            let resp = reqwest::Client::new()
                .post(format!("{url}{path}"))
                .bearer_auth(token)
                .json(&json!({ "bucket": bucket, "key": "team/big.bin" }))
                .send()
                .await;
            (i % 2 == 0, resp.map(|r| r.status().as_u16()).ok())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.kill();
    let mut served_by_a = 0;
    let mut served_by_b = 0;
    for call in calls {
        match call.await.unwrap() {
            (true, status) => {
                assert_eq!(status, Some(200), "A answers every call of the burst");
                served_by_a += 1;
            }
            (false, Some(200)) => served_by_b += 1,
            (false, _) => {}
        }
    }
    assert_eq!(served_by_a, 60);
    assert!(served_by_b < 60, "B died in the middle of the burst ({served_by_b} answered)");
    assert_eq!(rest(&a, &admin_token, "GET", &listing, None).await.0, 200, "A serves after B's death");

    // One unbroken chain, one event per answered download.
    let after: i64 = db.run(|c| Ok(audit_events::table.count().get_result(c)?)).await.unwrap();
    let downloads = served_by_a + served_by_b;
    assert!(after - before > downloads, "{} events for {downloads} downloads and a listing", after - before);
    let report = verify_trail(&shared, &a.data_dir);
    assert!(report.contains("intact"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_runs_on_one_replica_and_passes_to_another_when_its_holder_dies() {
    let root = common::private_dir();
    let Some(shared) = shared(root.path()) else { return };
    let dir = |name: &str| {
        use std::os::unix::fs::PermissionsExt;
        let d = root.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        d
    };
    let mut a = Replica::start(BINARY, &shared, &dir("a"), &["--sweep-every", "1"]);
    let db = server::open_database(&a.data_dir, Some(&shared.database_url)).unwrap();
    let holder = || {
        let db = db.clone();
        async move {
            db.run(|c| Ok(job_leases::table.find(server::SWEEPER).select(job_leases::holder).first::<String>(c)?))
                .await
                .ok()
        }
    };
    let wait_for = |differs_from: Option<String>| async move {
        for _ in 0..80 {
            if let Some(h) = holder().await.filter(|h| Some(h) != differs_from.as_ref()) {
                return Some(h);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    };
    let first = wait_for(None).await.expect("the only replica takes the sweeper's lease");
    let s3 = a.s3_url.clone().unwrap();
    let (key, secret) = common::replicas::embedded_keys(BINARY, &a.data_dir);
    let flags =
        ["--sweep-every", "1", "--s3-endpoint", &s3, "--s3-access-key-id", &key, "--s3-secret-access-key", &secret];
    let _b = Replica::start(BINARY, &shared, &dir("b"), &flags);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(holder().await.as_ref(), Some(&first), "the holder keeps the job while it lives; B only waits");
    a.kill();
    let next = wait_for(Some(first.clone())).await;
    assert!(next.is_some(), "B takes the job over once the dead holder's lease lapses");
}
