//! The audit log's filters and its CSV export over HTTP: the export holds
//! every matching event (not a page of them), and no cell runs as a
//! spreadsheet formula.

mod common;

use app::core::audit::{NewEvent, Outcome, record};
use app::model::AuditRow;
use common::TestPortal;

async fn export(t: &TestPortal, client: &reqwest::Client, query: &str) -> String {
    let resp = client.get(format!("{}/audit/export.csv{query}", t.portal.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_export_holds_every_matching_event_and_neutralises_formulas() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let seal = t.portal.state.audit.clone();
    t.db(|c| {
        for i in 0..2500 {
            let event = NewEvent {
                tenant_id: Some(usecase.tenant_id.clone()),
                user_email: Some("loader@example.com".into()),
                action: "object.download".into(),
                usecase_id: Some(usecase.id.clone()),
                bucket: Some("dataport-data".into()),
                object_key: Some(format!("bulk/{i:05}.csv")),
                detail: "=HYPERLINK(\"http://evil.example\",\"open\")".into(),
                ..NewEvent::default()
            };
            record(c, &seal, event, Outcome::Success).unwrap();
        }
    });
    let refused = [("email", "=2+3@evil.example"), ("password", "whatever it is")];
    assert_eq!(t.call(&t.browser(), "sign_in", &refused).await.0, 401);

    let csv = export(&t, &admin, "").await;
    // Compressed on the way, as browsers take it, the stream ends cleanly too.
    let gzip =
        admin.get(format!("{}/audit/export.csv", t.portal.url)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let packed = gzip.bytes().await.expect("the whole compressed export");
    let mut unpacked = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut unpacked).unwrap();
    // The same events, after the header and the second export's own event.
    let same = unpacked.lines().skip(2).eq(csv.lines().skip(1));
    assert!(same && unpacked.lines().count() == csv.lines().count() + 1, "the compressed export differs");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,time,user,action,resource,client_ip,user_agent,outcome,detail");
    let bulk = lines.iter().filter(|l| l.contains("bulk/")).count();
    assert_eq!(bulk, 2500, "every event, well past one page of 500");
    for line in &lines[1..] {
        for cell in line.split("\",\"") {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "a cell a spreadsheet would run: {line}");
        }
    }
    assert!(csv.contains("\"'=HYPERLINK(") && csv.contains("\"'=2+3@evil.example\""), "shown, with a leading '");

    let only = export(&t, &admin, "?key=bulk%2F0001&outcome=success").await;
    assert_eq!(only.lines().count(), 1 + 10, "bulk/00010 to bulk/00019");
    let resp = admin.get(format!("{}/audit/export.csv?from=not-a-day", t.portal.url)).send().await.unwrap();
    assert_eq!(resp.status(), 400, "a date that is no date is refused before anything is sent");
}

#[tokio::test]
async fn the_audit_page_filters_by_bucket_key_prefix_and_text() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    for key in ["team/a.csv", "team/b.csv", "other/c.csv", "team_x/d.csv", "teamXy/e.csv"] {
        let at = [("usecase_id", u.id.as_str()), ("bucket", "dataport-data"), ("key", key)];
        t.call(&admin, "download_url", &at).await;
    }
    let rows = |form: Vec<(&'static str, &'static str)>| {
        let admin = admin.clone();
        let t = &t;
        async move {
            let (status, body) = t.call(&admin, "list_audit_events", &form).await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<Vec<AuditRow>>(&body).unwrap()
        }
    };
    let team = rows(vec![("filter[key]", "team/")]).await;
    assert_eq!(team.len(), 2, "a prefix: {team:?}");
    assert_eq!(rows(vec![("filter[key]", "team_")]).await.len(), 1, "`_` is a character, not a wildcard");
    assert_eq!(rows(vec![("filter[bucket]", "dataport-data"), ("filter[action]", "object.download")]).await.len(), 5);
    assert_eq!(rows(vec![("filter[text]", "c.csv")]).await.len(), 1);
    assert!(rows(vec![("filter[bucket]", "elsewhere")]).await.is_empty());
}
