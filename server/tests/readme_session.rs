//! The README's curl session, run as written against a running portal:
//! what it promises a script writer works.

mod common;

use common::TestPortal;
use common::rest::make_token;

/// The shell block of the README's REST API section.
fn session() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme.split("## The REST API").nth(1).expect("the README has a REST API section");
    let block = section.split("```sh\n").nth(1).expect("with a shell session");
    block.split("```").next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_curl_session_uploads_and_downloads_a_file() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let token = make_token(&t, &admin, "readme", false).await;
    let work = tempfile::tempdir().unwrap();
    let report = b"day,files\n2026-12-01,42\n";
    std::fs::write(work.path().join("report.csv"), report).unwrap();
    // The session's first line names the portal of `make run` and a placeholder token.
    let script: String = session().lines().filter(|l| !l.starts_with("export DP=")).map(|l| format!("{l}\n")).collect();
    // The portal serves on this test's runtime: the script waits on a thread of its own.
    let (dir, url) = (work.path().to_owned(), t.portal.url.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(dir)
            .env("DP", url)
            .env("TOKEN", token)
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("\"usecases\""), "{said}");
    assert_eq!(std::fs::read(work.path().join("copy.csv")).unwrap(), report, "{said}");
    let recorded = t.audit_count("object.upload", "success");
    assert_eq!(recorded, 1, "the upload was recorded");
}
