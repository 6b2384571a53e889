//! Regression tests of the security review's findings on signing in, over
//! HTTP against the running portal: guessing does not stall the portal, a
//! client that keeps failing is told to wait, parallel guesses all count,
//! the owner still gets in from a browser that signed in before, and an
//! oversized email is refused before anything is written.

mod common;

use app::core::db::schema::{audit_events, users};
use common::{PASSWORD, TestPortal};
use diesel::prelude::*;
use std::time::{Duration, Instant};

const ADMIN: &str = "admin@example.com";

async fn attempt(t: &TestPortal, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{}/api/sign_in", t.portal.url))
        .header("origin", &t.portal.url)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sign_ins_in_flight_leave_pages_and_health_answering() {
    let t = TestPortal::start_with(|a| a.sign_in_failures_per_minute = 1000).await;
    let admin = t.admin().await;
    let guesses: Vec<_> = (0..32)
        .map(|i| {
            let (url, client) = (t.portal.url.clone(), t.browser());
            tokio::spawn(async move {
                let email = format!("guess{i}@example.com");
                client
                    .post(format!("{url}/api/sign_in"))
                    .header("origin", &url)
                    .form(&[("email", email.as_str()), ("password", "wrong password!")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let started = Instant::now();
    let health = reqwest::get(format!("{}/healthz", t.portal.url)).await.unwrap();
    let health_took = started.elapsed();
    let started = Instant::now();
    let (status, _) = t.call(&admin, "list_usecases", &[]).await;
    let page_took = started.elapsed();
    println!("with 32 bad sign-ins in flight: /healthz {health_took:?}, a signed-in call {page_took:?}");
    assert_eq!((health.status().as_u16(), status), (200, 200));
    assert!(health_took < Duration::from_secs(1), "{health_took:?}");
    assert!(page_took < Duration::from_secs(1), "{page_took:?}");
    for guess in guesses {
        assert_eq!(guess.await.unwrap().unwrap(), 401);
    }
}

#[tokio::test]
async fn a_client_that_keeps_failing_is_told_to_wait() {
    let t = TestPortal::start().await;
    t.admin().await;
    let client = t.browser();
    for _ in 0..10 {
        assert_eq!(attempt(&t, &client, ADMIN, "wrong password!").await.status(), 401);
    }
    let refused = attempt(&t, &client, "someone@example.com", "wrong password!").await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let error = common::error_of(&refused.text().await.unwrap());
    assert_eq!(error, app::error::AppError::TooManyAttempts(wait));
    assert!(error.to_string().starts_with(&format!("Too many failed sign-ins from your network. Wait {wait} seconds")));
    assert_eq!(attempt(&t, &client, ADMIN, PASSWORD).await.status(), 429, "not even the right password gets in now");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_all_count() {
    let t = TestPortal::start_with(|a| a.sign_in_failures_per_minute = 1000).await;
    t.admin().await;
    let guesses: Vec<_> = (0..12)
        .map(|_| {
            let (url, client) = (t.portal.url.clone(), t.browser());
            tokio::spawn(async move {
                client
                    .post(format!("{url}/api/sign_in"))
                    .header("origin", &url)
                    .form(&[("email", ADMIN), ("password", "wrong password!")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    for guess in guesses {
        assert_eq!(guess.await.unwrap().unwrap(), 401);
    }
    let counted: i32 =
        t.db(|c| users::table.filter(users::email.eq(ADMIN)).select(users::failed_logins).first(c).unwrap());
    let refused_unchecked = t.db(|c| {
        audit_events::table.filter(audit_events::detail.eq("account locked")).count().get_result::<i64>(c).unwrap()
    });
    assert_eq!(i64::from(counted) + refused_unchecked, 12, "every guess counts, or met the lock: {counted} counted");
}

#[tokio::test]
async fn the_owner_gets_in_from_a_known_browser_while_the_account_is_locked() {
    let t = TestPortal::start().await;
    t.admin().await;
    let owner = t.browser();
    assert_eq!(attempt(&t, &owner, ADMIN, PASSWORD).await.status(), 200, "the owner's browser signed in once");
    assert_eq!(t.call(&owner, "sign_out", &[]).await.0, 200);

    let attacker = t.browser();
    for _ in 0..6 {
        assert_eq!(attempt(&t, &attacker, ADMIN, "wrong password!").await.status(), 401);
    }
    let locked: Option<i64> =
        t.db(|c| users::table.filter(users::email.eq(ADMIN)).select(users::locked_until).first(c).unwrap());
    assert!(locked.is_some(), "the guessing locked the account");
    assert_eq!(attempt(&t, &attacker, ADMIN, PASSWORD).await.status(), 401, "a new browser stays out while locked");
    assert_eq!(attempt(&t, &owner, ADMIN, PASSWORD).await.status(), 200, "the owner's browser gets in");
    let (_, body) = t.call(&owner, "whoami", &[]).await;
    assert!(body.contains(ADMIN), "{body}");
}

#[tokio::test]
async fn an_oversized_email_is_refused_before_anything_is_written() {
    let t = TestPortal::start().await;
    t.admin().await;
    let huge = format!("{}@example.com", "a".repeat(100_000));
    let refused = attempt(&t, &t.browser(), &huge, "whatever password").await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("at most 254 characters"));
    let longest: Option<i32> = t.db(|c| {
        audit_events::table
            .select(diesel::dsl::max(diesel::dsl::sql::<diesel::sql_types::Integer>(
                "length(coalesce(user_email, ''))",
            )))
            .first(c)
            .unwrap()
    });
    assert!(longest.unwrap_or(0) <= 254, "no audited email is longer than an email can be: {longest:?}");
}

#[tokio::test]
async fn setup_needs_the_token_of_the_link_the_server_printed() {
    let t = TestPortal::start_with(|a| a.setup_token = None).await;
    let link = t.portal.setup_url.clone().expect("a setup link while no user exists");
    let token = link.split_once("/setup?token=").expect("the link opens /setup with a token").1.to_owned();
    assert!(token.len() >= 32, "a random token: {token}");
    let client = t.browser();
    let form = |token: &'static str| {
        [("email", "first@example.com"), ("password", PASSWORD), ("confirm", PASSWORD), ("token", token)]
    };
    for wrong in ["", "guess"] {
        let (status, body) = t.call(&client, "create_first_admin", &form(wrong)).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("setup link is not valid"), "{body}");
    }
    let users: i64 = t.db(|c| users::table.count().get_result(c).unwrap());
    assert_eq!(users, 0, "nobody became administrator");
    let page = client.get(format!("{}/setup", t.portal.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("one-time setup link") && !page.contains("Create administrator"), "no form without a token");

    let token: &'static str = Box::leak(token.into_boxed_str());
    let (status, body) = t.call(&client, "create_first_admin", &form(token)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = t.call(&t.browser(), "create_first_admin", &form(token)).await;
    assert_eq!(status, 409, "the link works once");
    assert_eq!(t.audit_count("setup.first_admin", "denied"), 3);
}

/// The session cookie a signed-in client holds.
async fn session_cookie(t: &TestPortal) -> (reqwest::Client, String) {
    let client = t.browser();
    let resp = attempt(t, &client, ADMIN, PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("dataport_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("a session cookie");
    (client, cookie)
}

#[tokio::test]
async fn session_ids_are_stored_hashed() {
    use app::core::db::schema::sessions;
    let t = TestPortal::start().await;
    t.admin().await;
    let (_, cookie) = session_cookie(&t).await;
    let ids: Vec<String> = t.db(|c| sessions::table.select(sessions::id).load(c).unwrap());
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id != &cookie && id.len() == 64), "only hashes are kept: {ids:?}");
}

#[tokio::test]
async fn a_session_ends_a_fixed_time_after_sign_in_however_active() {
    let t = TestPortal::start().await;
    t.admin().await;
    let (client, _) = session_cookie(&t).await;
    assert!(t.call(&client, "whoami", &[]).await.1.contains(ADMIN));
    // Signed in 13 hours ago (the limit is 12), active ever since.
    let long_ago = app::core::now_ms() - 13 * 3600 * 1000;
    t.db(|c| {
        let sql = match t.backend() {
            app::core::db::Backend::Sqlite => {
                format!("UPDATE sessions SET data = json_set(data, '$.started_at', {long_ago})")
            }
            app::core::db::Backend::Postgres => {
                format!("UPDATE sessions SET data = jsonb_set(data::jsonb, '{{started_at}}', '{long_ago}')::text")
            }
        };
        diesel::sql_query(sql).execute(c).unwrap()
    });
    let (_, body) = t.call(&client, "whoami", &[]).await;
    assert!(!body.contains(ADMIN), "signed out: {body}");
    assert_eq!(t.call(&client, "list_usecases", &[]).await.0, 401);
}

#[tokio::test]
async fn a_data_directory_others_may_read_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let database = common::database_for(dir.path());
    let refused = server::start(&TestPortal::args(), dir.path(), database.as_deref()).await.err().expect("refused");
    let message = refused.to_string();
    assert!(message.contains("may be read by other users") && message.contains("chmod 700"), "{message}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let portal = server::start(&TestPortal::args(), dir.path(), database.as_deref()).await.expect("starts once fixed");
    if database.is_none() {
        let db_mode = std::fs::metadata(dir.path().join("dataport.db")).unwrap().permissions().mode();
        assert_eq!(db_mode & 0o077, 0, "the database is the owner's only: {db_mode:o}");
    }
    drop(portal);
}
