//! The administrators' dashboard over HTTP: what it counts comes from the
//! organization's people, grants, audit trail and file records, and its
//! charts read without JavaScript.

mod common;

use app::core::db::schema::grants;
use app::model::{Dashboard, FilePlan, Role, UploadBatch};
use common::{TestPortal, offer, send_as_planned};
use diesel::prelude::*;

#[tokio::test]
async fn the_dashboard_counts_people_grants_uploads_and_refusals() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    t.grant(&partner, &usecase, "in/", true);
    let in_three_days = app::core::now_ms() + 3 * 86_400_000;
    t.db(|c| diesel::update(grants::table).set(grants::expires_at.eq(Some(in_three_days))).execute(c).unwrap());
    t.call(&admin, "invite_person", &[("email", "new@acme.example"), ("role", "Viewer")]).await;

    let browser = t.sign_in("partner@acme.example").await;
    let (_, body) = t.plan_uploads(&browser, u, "in/", "Overwrite", vec![offer("a.csv", b"12345")]).await;
    let batch: UploadBatch = serde_json::from_str(&body).unwrap();
    let FilePlan::Single(plan) = &batch.plans[0] else { panic!("one piece") };
    assert_eq!(send_as_planned(plan, b"12345".to_vec()).await.status(), 200);
    let done = [("usecase_id", u), ("bucket", "dataport-data"), ("key", plan.key.as_str())];
    assert_eq!(t.call(&browser, "complete_upload", &done).await.0, 200);
    let refused = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", "finance/")];
    assert_eq!(t.call(&browser, "list_objects", &refused).await.0, 403);

    let (status, body) = t.call(&admin, "load_dashboard", &[]).await;
    assert_eq!(status, 200, "{body}");
    let d: Dashboard = serde_json::from_str(&body).unwrap();
    assert_eq!((d.people.active, d.people.invited, d.people.disabled), (2, 1, 0));
    assert_eq!((d.grants_active, d.grants_expiring), (1, 1));
    let recent = |label: &str| d.recent.iter().find(|r| r.label == label).map(|r| (r.day, r.week)).unwrap();
    assert_eq!(recent("Uploads"), (1, 1));
    assert_eq!(recent("Refused"), (1, 1));
    assert_eq!(d.per_day.len(), 30);
    assert!(d.per_day.last().unwrap().success > 0 && d.per_day.last().unwrap().denied == 1, "today is the last bar");
    assert_eq!(d.storage.len(), 1);
    assert_eq!((d.storage[0].usecase.as_str(), d.storage[0].files, d.storage[0].bytes), ("Default", 1, 5));
    assert!(d.denied[0].resource.contains("finance/"), "{:?}", d.denied);
    assert!(d.database_ok && d.s3_ok);

    assert_eq!(t.call(&browser, "load_dashboard", &[]).await.0, 403, "administrators only");
    let page = admin.get(format!("{}/dashboard", t.portal.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("Events per day over the last 30 days"), "drawn on the server");
    assert!(page.contains("Show data") && page.contains("Bytes stored"), "with the numbers behind it");
}
