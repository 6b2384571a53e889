//! "My activity" over HTTP: a person sees their own events (what they did
//! and what they were refused), never anyone else's, a page at a time.

mod common;

use app::model::{ActivityPage, Role};
use common::{TestPortal, offer};

async fn activity(t: &TestPortal, client: &reqwest::Client, form: &[(&str, &str)]) -> ActivityPage {
    let (status, body) = t.call(client, "my_activity", form).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_person_sees_their_own_uploads_and_refusals_and_nothing_of_others() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let id = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    t.grant(&id, &usecase, "in/", true);
    let partner = t.sign_in("partner@acme.example").await;
    let (status, _) = t.plan_uploads(&partner, u, "in/", "Overwrite", vec![offer("a.csv", b"a")]).await;
    assert_eq!(status, 200);
    let refused = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", "finance/")];
    assert_eq!(t.call(&partner, "list_objects", &refused).await.0, 403);
    t.call(&admin, "list_usecases", &[]).await;

    let page = activity(&t, &partner, &[]).await;
    let seen: Vec<(&str, &str)> = page.rows.iter().map(|r| (r.action.as_str(), r.outcome.as_str())).collect();
    assert_eq!(seen, [("object.list", "denied"), ("object.upload.start", "success"), ("auth.sign_in", "success")]);
    assert!(page.rows.iter().all(|r| r.user == "partner@acme.example"), "only their own");
    assert_eq!(page.older, None);

    let uploads = activity(&t, &partner, &[("action", "object.upload.start")]).await;
    assert_eq!(uploads.rows.len(), 1);
    let (status, _) = t.call(&partner, "my_activity", &[("from", "yesterday")]).await;
    assert_eq!(status, 400, "a date that is no date is refused");
    assert_eq!(t.call(&t.browser(), "my_activity", &[]).await.0, 401);
}

#[tokio::test]
async fn a_long_history_comes_a_page_at_a_time() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    for _ in 0..60 {
        t.call(&admin, "list_usecases", &[]).await;
    }
    let first = activity(&t, &admin, &[]).await;
    assert_eq!(first.rows.len(), 50);
    let before = first.older.expect("an older page").to_string();
    let second = activity(&t, &admin, &[("before", &before)]).await;
    assert_eq!(second.rows.len(), 60 + 1 - 50, "the rest: the sign-up and the remaining listings");
    assert_eq!(second.older, None);
}
