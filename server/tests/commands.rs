//! The `dataport` commands, run as a person runs them.

mod common;

use app::api::data::ListUsecases;
use app::core::db::schema::{audit_events, users};
use app::error::AppError;
use common::caller::Caller;
use common::{PASSWORD, TestPortal};
use diesel::prelude::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `dataport --data-dir DIR` on the test database of DIR.
fn dataport(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dataport"));
    command.args(["--data-dir", dir.to_str().unwrap()]);
    if let Some(url) = common::database_for(dir) {
        command.env("DATABASE_URL", url);
    }
    command
}

/// Runs `dataport --data-dir DIR create-admin --email E` with `stdin` as its input.
fn create_admin(dir: &std::path::Path, stdin: &str) -> Output {
    let mut child = dataport(dir)
        .args(["create-admin", "--email", "root@example.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dataport runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn create_admin_takes_one_line_as_the_password_and_makes_the_bucket_at_once() {
    let dir = common::private_dir();
    let out = create_admin(dir.path(), &format!("{PASSWORD}\nsomething else\n"));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("bucket dataport-data is ready"), "{said}");
    assert!(dir.path().join("s3/dataport-data").is_dir(), "the bucket exists before the portal starts");

    let t = TestPortal { portal: TestPortal::start_in(dir.path()).await, dir };
    let client = t.browser();
    let two_lines = format!("{PASSWORD}\nsomething else");
    let (status, _) = t.call(&client, "sign_in", &[("email", "root@example.com"), ("password", &two_lines)]).await;
    assert_eq!(status, 401, "the second line is not part of the password");
    let anonymous = Caller::anonymous(&t);
    assert_eq!(anonymous.call(ListUsecases {}).await.unwrap_err(), (401, AppError::NotSignedIn));
    let root = Caller::signed_in(&t, "root@example.com").await;
    let usecases = root.call(ListUsecases {}).await.expect("the administrator sees the usecases");
    assert_eq!(usecases.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["Default"]);
    let credential: Option<String> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("setup.first_admin"))
            .filter(audit_events::outcome.eq("success"))
            .select(audit_events::credential)
            .first(c)
            .unwrap()
    });
    assert_eq!(credential.as_deref(), Some("command line"), "the trail says which door it came through");
}

#[tokio::test]
async fn create_admin_refuses_a_password_with_control_characters_and_creates_nothing() {
    let dir = common::private_dir();
    let out = create_admin(dir.path(), "correct horse\tbattery staple\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("control character"));
    let db = server::open_database(dir.path(), common::database_for(dir.path()).as_deref()).unwrap();
    let count: i64 = db.run(|c| Ok(users::table.count().get_result(c)?)).await.unwrap();
    assert_eq!(count, 0, "nobody was created");
}

/// Runs `dataport --data-dir DIR assign-buckets ARGS…`.
fn assign_buckets(dir: &std::path::Path, args: &[&str]) -> Output {
    dataport(dir).args(["assign-buckets"]).args(args).output().expect("dataport runs")
}

#[tokio::test]
async fn assign_buckets_lets_an_organization_attach_names_it_was_given_and_is_audited() {
    use app::core::db::schema::tenant_buckets;
    let t = TestPortal::start().await;
    t.admin().await;
    let (tenant, _) = t.other_tenant();
    let out = assign_buckets(t.dir.path(), &["--tenant", "Other organization", "beta-*", "shared-data"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("“Other organization” may now attach: beta-*, shared-data"));
    let bad = assign_buckets(t.dir.path(), &["--tenant", &tenant, "Beta_*"]);
    assert!(!bad.status.success(), "a pattern that is no bucket name is refused");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("neither a bucket name nor a name prefix"));
    let missing = assign_buckets(t.dir.path(), &["--tenant", "Nobody", "x-*"]);
    assert!(!missing.status.success(), "an unknown organization is refused");

    let mut patterns: Vec<String> = t.db(|c| {
        tenant_buckets::table
            .filter(tenant_buckets::tenant_id.eq(&tenant))
            .select(tenant_buckets::pattern)
            .load(c)
            .unwrap()
    });
    patterns.sort();
    assert_eq!(patterns, ["beta-*", "shared-data"], "nothing of the refused runs was stored");
    assert_eq!(t.audit_count("tenant.buckets.assign", "success"), 1);
}
