//! Regression tests of the security review's findings on the audit trail,
//! over HTTP against the running portal: nothing is handed out unrecorded.

mod common;

use app::error::AppError;
use aws_sdk_s3::primitives::ByteStream;
use common::{TestPortal, error_of, offer};
use diesel::prelude::*;

fn break_the_trail(t: &TestPortal, broken: bool) {
    use app::core::db::Backend;
    let sql = match (t.backend(), broken) {
        (Backend::Sqlite, true) => {
            "CREATE TRIGGER trail_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'trail unavailable'); END"
        }
        (Backend::Sqlite, false) => "DROP TRIGGER trail_down",
        (Backend::Postgres, true) => {
            "CREATE FUNCTION trail_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'trail unavailable'; END $$ \
             LANGUAGE plpgsql; \
             CREATE TRIGGER trail_down BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION trail_down()"
        }
        (Backend::Postgres, false) => "DROP TRIGGER trail_down ON audit_events; DROP FUNCTION trail_down()",
    };
    t.db(|c| diesel::connection::SimpleConnection::batch_execute(c, sql).unwrap());
}

#[tokio::test]
async fn no_presigned_url_is_handed_out_when_its_audit_event_cannot_be_written() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket("dataport-data").key("a.csv").body(ByteStream::from_static(b"a")).send().await.unwrap();
    let usecase = t.default_usecase();
    let download = [("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("key", "a.csv")];

    break_the_trail(&t, true);
    let (status, body) = t.call(&admin, "download_url", &download).await;
    assert_eq!((status, error_of(&body)), (500, AppError::Internal), "no URL: {body}");
    let (status, body) =
        t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", vec![offer("b.csv", b"b")]).await;
    assert_eq!(status, 500, "no upload URL: {body}");
    assert!(!body.contains("X-Amz-Signature"), "{body}");

    break_the_trail(&t, false);
    let (status, body) = t.call(&admin, "download_url", &download).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("X-Amz-Signature"), "{body}");
}

#[tokio::test]
async fn deleting_the_newest_events_is_found() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    for _ in 0..4 {
        t.call(&admin, "list_usecases", &[]).await;
    }
    assert_eq!((t.audit_report().first_broken, t.audit_report().checkpoint_problem), (None, None));
    t.db(|c| {
        use app::core::db::schema::audit_events as e;
        let last: i64 = e::table.select(diesel::dsl::max(e::seq)).first::<Option<i64>>(c).unwrap().unwrap();
        diesel::delete(e::table.filter(e::seq.gt(last - 2))).execute(c).unwrap()
    });
    let report = t.audit_report();
    assert_eq!(report.first_broken, None, "what is left still links up");
    let problem = report.checkpoint_problem.expect("the checkpoint names the missing events");
    assert!(problem.contains("the newest 2 events are missing"), "{problem}");
}

#[tokio::test]
async fn a_chain_recomputed_after_an_edit_without_the_key_is_found() {
    use app::core::audit::{GENESIS, chain_hash};
    use app::core::audit_seal::AuditSeal;
    use app::core::db::models::AuditEvent;
    use app::core::db::schema::audit_events as e;
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    for _ in 0..3 {
        t.call(&admin, "list_usecases", &[]).await;
    }
    // Someone with the database but not the key edits an event and links
    // every event again, with plain SHA-256 or with a key of their own.
    let scratch = common::private_dir();
    for (n, forger) in [
        AuditSeal::new(Vec::new(), scratch.path().join("plain.head"), i64::MAX - 1).unwrap(),
        AuditSeal::new(b"a guessed key".to_vec(), scratch.path().join("guess.head"), 0).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        t.db(|c| {
            let mut events: Vec<AuditEvent> =
                e::table.order(e::seq.asc()).select(AuditEvent::as_select()).load(c).unwrap();
            events[1].detail = format!("nothing to see {n}");
            let mut prev = GENESIS.to_owned();
            for ev in &mut events {
                ev.prev_hash = prev.clone();
                ev.hash = chain_hash(&forger, &prev, ev);
                prev = ev.hash.clone();
                diesel::update(e::table.find(ev.seq))
                    .set((e::detail.eq(&ev.detail), e::prev_hash.eq(&ev.prev_hash), e::hash.eq(&ev.hash)))
                    .execute(c)
                    .unwrap();
            }
        });
        let report = t.audit_report();
        assert!(report.first_broken.is_some(), "forger {n}: the keyed links do not fit");
    }
}

#[tokio::test]
async fn cross_site_refusals_are_audited_summarised_and_shown_to_the_platform_administrator() {
    use app::core::db::schema::audit_events as e;
    use app::model::Role;
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let outsider = reqwest::Client::new();
    for _ in 0..30 {
        let resp = outsider
            .post(format!("{}/api/sign_out", t.portal.url))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
    }
    let written: Vec<(Option<String>, String)> = t.db(|c| {
        e::table
            .filter(e::action.eq("request.cross_site"))
            .order(e::seq.asc())
            .select((e::tenant_id, e::detail))
            .load(c)
            .unwrap()
    });
    assert_eq!(written.len(), 10, "ten a minute are written one by one, the rest counted");
    assert!(written.iter().all(|(tenant, detail)| tenant.is_none() && detail.contains("https://evil.example")));
    assert_eq!(t.call(&t.browser(), "sign_in", &[("email", "nobody@example.com"), ("password", "x")]).await.0, 401);

    // The platform's administrator sees events of no tenant; another organization's does not.
    let page = |client: &reqwest::Client| {
        let url = format!("{}/audit/export.csv", t.portal.url);
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let csv = page(&admin).await;
    assert!(csv.contains("request.cross_site") && csv.contains("nobody@example.com"), "{csv}");
    let (tenant, _) = t.other_tenant();
    t.add_user(&tenant, "other-admin@example.com", Role::Admin);
    let other = t.sign_in("other-admin@example.com").await;
    let csv = page(&other).await;
    assert!(!csv.contains("request.cross_site") && !csv.contains("nobody@example.com"), "{csv}");
}

#[tokio::test]
async fn input_a_use_case_refuses_before_authorizing_is_audited_with_what_was_wrong() {
    use app::core::db::schema::audit_events as e;
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let folder = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", ""), ("name", "invoice\u{202E}fdp")];
    let (status, body) = t.call(&admin, "create_folder", &folder).await;
    assert_eq!(status, 400, "{body}");
    let twice = vec![offer("a.csv", b"a"), offer("a.csv", b"b")];
    let (status, body) = t.plan_uploads(&admin, u, "in/", "Overwrite", twice).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = t.plan_uploads(&admin, u, "in/", "Overwrite", vec![]).await;
    assert_eq!(status, 400, "{body}");

    let refused: Vec<(String, String, String)> = t.db(|c| {
        e::table
            .filter(e::detail.like("refused input: %"))
            .order(e::seq.asc())
            .select((e::action, e::outcome, e::detail))
            .load(c)
            .unwrap()
    });
    let actions: Vec<&str> = refused.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["folder.create", "object.upload.start", "object.upload.start"], "{refused:?}");
    assert!(refused.iter().all(|(_, outcome, _)| outcome == "denied"), "{refused:?}");
    assert!(refused[1].2.contains("“a.csv” is named twice"), "{refused:?}");
    assert!(refused[2].2.contains("between 1 and 100 files"), "{refused:?}");
}
