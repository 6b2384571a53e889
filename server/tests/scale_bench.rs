//! Load benchmark (not a timed test; `make bench-scale`): simulated users
//! browse folders, sign upload parts and ask for downloads against two
//! `dataport serve` replicas on PostgreSQL, then against one process on
//! SQLite, on 127.0.0.1 only. Prints requests per second, p50 and p99
//! latency per kind and the errors, and checks that the audit trail holds
//! exactly one event per request and still verifies.

mod common;

use app::core::db::schema::{audit_events, tenants};
use app::model::Role;
use common::replicas::{Replica, Shared, pair};
use common::{PASSWORD, SETUP_TOKEN};
use diesel::prelude::*;
use reqwest::cookie::Jar;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_dataport");
const KINDS: [&str; 3] = ["browse", "sign part", "download"];

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One simulated user: a token, the replica it talks to, its open upload.
struct User {
    base: String,
    token: String,
    upload_id: String,
    parts: u64,
}

/// What one scenario measured.
struct Figures {
    name: String,
    seconds: f64,
    latencies: Vec<Vec<Duration>>,
    errors: Vec<u64>,
    events: i64,
    trail: String,
}

async fn form(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> String {
    let resp = http.post(format!("{base}/api/{name}")).header("origin", base).form(form).send().await.unwrap();
    assert!(resp.status().is_success(), "{name}: {}", resp.status());
    resp.text().await.unwrap()
}

async fn rest(base: &str, token: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{base}{path}")).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {body}");
    body
}

async fn scenario(name: &str, shared: &Shared, replicas: &[&Replica], users: usize, seconds: u64) -> Figures {
    let first = replicas[0];
    let db = server::open_database(&first.data_dir, Some(&shared.database_url)).unwrap();
    let admin = reqwest::Client::builder().cookie_provider(Arc::new(Jar::default())).build().unwrap();
    let setup = [("email", "admin@example.com"), ("password", PASSWORD), ("confirm", PASSWORD), ("token", SETUP_TOKEN)];
    form(&admin, &first.url, "create_first_admin", &setup).await;
    let made = form(&admin, &first.url, "create_token", &[("name", "bench"), ("days", "1")]).await;
    let admin_token = serde_json::from_str::<app::model::NewToken>(&made).unwrap().secret;
    let usecase = rest(&first.url, &admin_token, "GET", "/api/v1/usecases", None).await["usecases"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = format!("/api/v1/usecases/{usecase}/data");
    let bucket = "dataport-data";
    let sample = vec![7u8; 64 * 1024];
    let plan = rest(
        &first.url,
        &admin_token,
        "POST",
        &format!("{data}/upload-url"),
        Some(json!({ "bucket": bucket, "key": "team/sample.bin", "size": sample.len() })),
    )
    .await;
    let put = reqwest::Client::new().put(plan["upload_url"].as_str().unwrap()).body(sample);
    let put = plan["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !common::client_managed(k))
        .fold(put, |r, (k, v)| r.header(k.as_str(), v.as_str().unwrap()));
    assert!(put.send().await.unwrap().status().is_success());
    rest(
        &first.url,
        &admin_token,
        "POST",
        &format!("{data}/upload-complete"),
        Some(json!({ "bucket": bucket, "key": "team/sample.bin" })),
    )
    .await;

    // The users: accounts, a grant on the team folder, a token each, an open upload each.
    let tenant: String = db.run(|c| Ok(tenants::table.select(tenants::id).first(c)?)).await.unwrap();
    let mut people = Vec::new();
    for i in 0..users {
        let (tenant, email) = (tenant.clone(), format!("user{i}@example.com"));
        let id = db
            .run(move |c| Ok(app::core::identity::create_user(c, &tenant, &email, PASSWORD, Role::Editor)?.id))
            .await
            .unwrap();
        let grant = json!({ "user_id": id.to_string(), "usecase_id": usecase, "bucket": bucket, "prefix": "team/",
            "list": true, "read": true, "write": true });
        rest(&first.url, &admin_token, "POST", "/api/v1/permissions", Some(grant)).await;
        let base = replicas[i % replicas.len()].url.clone();
        let browser = reqwest::Client::builder().cookie_provider(Arc::new(Jar::default())).build().unwrap();
        form(&browser, &base, "sign_in", &[("email", &format!("user{i}@example.com")), ("password", PASSWORD)]).await;
        let made = form(&browser, &base, "create_token", &[("name", "load"), ("days", "1")]).await;
        let token = serde_json::from_str::<app::model::NewToken>(&made).unwrap().secret;
        let size = 1024 * 1024 * 1024_u64;
        let plan = rest(
            &base,
            &token,
            "POST",
            &format!("{data}/upload-url"),
            Some(json!({ "bucket": bucket, "key": format!("team/upload-{i}.bin"), "size": size })),
        )
        .await;
        let parts = size.div_ceil(plan["part_size"].as_u64().unwrap());
        people.push(User { base, token, upload_id: plan["upload_id"].as_str().unwrap().to_owned(), parts });
    }

    let before: i64 = db.run(|c| Ok(audit_events::table.count().get_result(c)?)).await.unwrap();
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut loops = Vec::new();
    for (i, user) in people.into_iter().enumerate() {
        let data = data.clone();
        loops.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = vec![Vec::new(), Vec::new(), Vec::new()];
            let mut errors = [0u64; 3];
            let mut n = i;
            while Instant::now() < end {
                let kind = n % 3;
                let req = match kind {
                    0 => http.get(format!("{}{data}/folders?bucket={bucket}&prefix=team/", user.base)),
                    1 => http.post(format!("{}/api/v1/uploads/{}/parts", user.base, user.upload_id)).json(
                        &json!({ "parts": [{ "number": (n as u64 / 3) % user.parts + 1, "crc32c": "AAAAAA==" }] }),
                    ),
                    _ => http
                        .post(format!("{}{data}/download-url", user.base))
                        .json(&json!({ "bucket": bucket, "key": "team/sample.bin" })),
                };
                let at = Instant::now();
                match req.bearer_auth(&user.token).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let _ = resp.bytes().await;
                        latencies[kind].push(at.elapsed());
                    }
                    _ => errors[kind] += 1,
                }
                n += 1;
            }
            (latencies, errors)
        }));
    }
    let mut latencies = vec![Vec::new(), Vec::new(), Vec::new()];
    let mut errors = vec![0u64; 3];
    for l in loops {
        let (lat, err) = l.await.unwrap();
        for k in 0..3 {
            latencies[k].extend(lat[k].iter().copied());
            errors[k] += err[k];
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after: i64 = db.run(|c| Ok(audit_events::table.count().get_result(c)?)).await.unwrap();
    let out = std::process::Command::new(BINARY)
        .args(["--data-dir", first.data_dir.to_str().unwrap(), "audit", "verify"])
        .args(["--audit-key-file", shared.audit_key_file.to_str().unwrap()])
        .env("DATABASE_URL", &shared.database_url)
        .output()
        .unwrap();
    let trail = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Figures { name: name.to_owned(), seconds: elapsed, latencies, errors, events: after - before, trail }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(f: &mut Figures) {
    println!("\n{} ({:.0} s)", f.name, f.seconds);
    println!("  {:<10} {:>9} {:>8} {:>8} {:>8} {:>7}", "kind", "requests", "req/s", "p50 ms", "p99 ms", "errors");
    let mut total = 0;
    for (k, kind) in KINDS.iter().enumerate() {
        let l = &mut f.latencies[k];
        l.sort();
        total += l.len() as u64 + f.errors[k];
        println!(
            "  {:<10} {:>9} {:>8.0} {:>8.1} {:>8.1} {:>7}",
            kind,
            l.len(),
            l.len() as f64 / f.seconds,
            percentile(l, 0.5),
            percentile(l, 0.99),
            f.errors[k]
        );
    }
    let all: usize = f.latencies.iter().map(Vec::len).sum();
    println!("  {:<10} {:>9} {:>8.0}", "all", all, all as f64 / f.seconds);
    println!("  audit: {} events for {total} requests; {}", f.events, f.trail);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench-scale"]
async fn scale_out_on_postgres_beside_one_process_on_sqlite() {
    let users = setting("DATAPORT_BENCH_USERS", 200) as usize;
    let seconds = setting("DATAPORT_BENCH_SECONDS", 60);
    let flags = ["--api-calls-per-minute", "1000000", "--db-pool-size", "16"];
    let root = common::private_dir();
    let key = root.path().join("audit.key");
    std::fs::write(&key, hex::encode([9u8; 32])).unwrap();
    let mut results = Vec::new();

    let pg_root = root.path().join("postgres");
    std::fs::create_dir_all(&pg_root).unwrap();
    match common::database_for(&pg_root) {
        Some(database_url) => {
            let shared = Shared { database_url, audit_key_file: key.clone() };
            let (a, b) = pair(BINARY, &shared, &pg_root, &flags);
            results.push(scenario("PostgreSQL, 2 replicas", &shared, &[&a, &b], users, seconds).await);
        }
        None => println!("no PostgreSQL (DATAPORT_TEST_POSTGRES): the two-replica run is skipped"),
    }

    let sqlite_dir = root.path().join("sqlite");
    std::fs::create_dir_all(&sqlite_dir).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sqlite_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let shared = Shared { database_url: sqlite_dir.join("dataport.db").display().to_string(), audit_key_file: key };
    let one = Replica::start(BINARY, &shared, &sqlite_dir, &flags);
    results.push(scenario("SQLite, 1 process", &shared, &[&one], users, seconds).await);

    println!("\n{users} simulated users, {seconds} s each, on this machine ({} cores):", num_cpus());
    for f in &mut results {
        report(f);
    }
    for f in &results {
        let requests: u64 = f.latencies.iter().map(|l| l.len() as u64).sum::<u64>() + f.errors.iter().sum::<u64>();
        assert_eq!(f.events, requests as i64, "{}: one audit event per request", f.name);
        assert!(f.trail.contains("intact"), "{}: {}", f.name, f.trail);
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}
