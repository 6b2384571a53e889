//! A database that goes away: `/readyz` says so, requests answer 503 with a
//! sentence a person understands, and the portal recovers by itself when
//! the database returns. PostgreSQL only (a SQLite file does not go away);
//! the database is reached through a proxy the test cuts.

mod common;

use common::TestPortal;
use common::cuttable::Cuttable;
use common::rest::{Api, make_token};
use std::time::Duration;

async fn ready(url: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::get(format!("{url}/readyz")).await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_and_the_portal_recovers_when_it_returns() {
    let dir = common::private_dir();
    let Some(direct) = common::database_for(dir.path()) else {
        eprintln!("a database outage needs PostgreSQL: `make test` runs this test again with DATAPORT_TEST_POSTGRES");
        return;
    };
    // postgres://user@host:port/db → the same through the proxy.
    let (head, rest) = direct.split_once('@').unwrap();
    let (upstream, db) = rest.split_once('/').unwrap();
    let proxy = Cuttable::start(upstream.to_owned()).await;
    let url = format!("{head}@{}/{db}", proxy.addr);
    let mut args = TestPortal::args();
    args.db_connect_timeout = 1;
    let portal = server::start(&args, dir.path(), Some(&url)).await.expect("portal starts");
    let t = TestPortal { portal, dir };
    let admin = t.admin().await;
    let secret = make_token(&t, &admin, "outage", false).await;
    let api = Api::new(&t, Some(&secret));
    assert_eq!(ready(&t.portal.url).await.0, 200);

    proxy.cut();
    let (status, body) = ready(&t.portal.url).await;
    assert_eq!((status, &body["database"]), (503, &serde_json::json!("unavailable")), "{body}");
    let (status, said) = t.call(&admin, "list_usecases", &[]).await;
    assert_eq!(status, 503, "{said}");
    assert!(said.contains("cannot reach its database"), "a person learns what happened: {said}");
    let page = admin.get(format!("{}/", t.portal.url)).send().await.unwrap();
    assert_eq!(page.status(), 503, "pages too");
    assert!(page.text().await.unwrap().contains("cannot reach its database"));
    let listed = api.get("/api/v1/usecases").await;
    assert_eq!(listed.status, 503, "{}", listed.body);
    assert_eq!(listed.body["type"].as_str().map(|t| t.ends_with("/unavailable")), Some(true), "{}", listed.body);
    assert!(listed.retry_after.is_some(), "scripts learn when to try again");

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if ready(&t.portal.url).await.0 == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "ready again once the database is back");
    assert_eq!(t.call(&admin, "list_usecases", &[]).await.0, 200, "the same session goes on");
    assert_eq!(api.get("/api/v1/usecases").await.status, 200);
}
