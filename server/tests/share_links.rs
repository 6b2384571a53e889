//! Share links over HTTP, visited by a client without an account: a file,
//! a folder, a password, a download limit, and each way a link ends
//! (revoked, expired, the owner's grant gone); every visit is audited.

mod common;

use app::core::db::schema::{audit_events, grants, share_links};
use app::model::{NewShare, Role};
use common::TestPortal;
use diesel::prelude::*;

struct Visitor {
    http: reqwest::Client,
    origin: String,
}

impl Visitor {
    fn new(t: &TestPortal) -> Self {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Visitor { http, origin: t.portal.url.clone() }
    }

    /// The link's page, as HTML.
    async fn page(&self, url: &str) -> (u16, String) {
        let resp = self.http.get(url).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// Posts the download form; the status and where it sends the browser.
    async fn download(&self, url: &str, key: &str) -> (u16, Option<String>) {
        let resp = self
            .http
            .post(format!("{url}/download"))
            .header("origin", &self.origin)
            .form(&[("key", key)])
            .send()
            .await
            .unwrap();
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        (resp.status().as_u16(), location)
    }

    async fn unlock(&self, url: &str, password: &str) -> u16 {
        let token = url.rsplit('/').next().unwrap();
        let resp = self
            .http
            .post(format!("{}/api/unlock_share", self.origin))
            .header("origin", &self.origin)
            .form(&[("token", token), ("password", password)])
            .send()
            .await
            .unwrap();
        resp.status().as_u16()
    }
}

async fn share(t: &TestPortal, browser: &reqwest::Client, path: &str, extra: &[(&str, &str)]) -> String {
    let usecase = t.default_usecase();
    let mut form =
        vec![("usecase_id", usecase.id.as_str()), ("bucket", usecase.data_bucket()), ("path", path), ("days", "7")];
    form.extend_from_slice(extra);
    let (status, body) = t.call(browser, "create_share", &form).await;
    assert_eq!(status, 200, "{body}");
    let made: NewShare = serde_json::from_str(&body).unwrap();
    made.url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_open_a_file_or_folder_to_visitors_until_they_end() {
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let bucket = usecase.data_bucket().to_owned();
    let s3 = t.s3().await;
    for (key, body) in
        [("partner-acme/a.csv", "a"), ("partner-acme/sub/b.csv", "bb"), ("partner-acme-finance/x.csv", "x")]
    {
        s3.put_object().bucket(&bucket).key(key).body(body.as_bytes().to_vec().into()).send().await.unwrap();
    }
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    t.grant(&partner, &usecase, "partner-acme/", false);
    let owner = t.sign_in("partner@acme.example").await;

    // A file, twice at most.
    let file = share(&t, &owner, "partner-acme/a.csv", &[("max_downloads", "2")]).await;
    assert!(file.starts_with(&format!("{}/s/", t.portal.url)), "{file}");
    let visitor = Visitor::new(&t);
    let (status, html) = visitor.page(&file).await;
    assert_eq!(status, 200);
    assert!(html.contains("Shared file") && html.contains("a.csv"), "{html}");
    for _ in 0..2 {
        let (status, to) = visitor.download(&file, "").await;
        assert_eq!(status, 303);
        let got = reqwest::get(to.unwrap()).await.unwrap().text().await.unwrap();
        assert_eq!(got, "a");
    }
    assert_eq!(visitor.download(&file, "").await.0, 404, "the downloads are spent");

    // A folder: its files and those below it, nothing beside it.
    let folder = share(&t, &owner, "partner-acme/", &[]).await;
    let (_, html) = visitor.page(&folder).await;
    assert!(html.contains("a.csv") && html.contains("sub/"), "{html}");
    assert_eq!(visitor.download(&folder, "partner-acme/sub/b.csv").await.0, 303);
    assert_eq!(visitor.download(&folder, "partner-acme-finance/x.csv").await.0, 404);
    assert_eq!(visitor.download(&folder, "partner-acme/../partner-acme-finance/x.csv").await.0 / 100, 4);

    // A password, given once per browser.
    let locked = share(&t, &owner, "partner-acme/a.csv", &[("password", "open sesame 42")]).await;
    let (_, html) = visitor.page(&locked).await;
    assert!(html.contains("This link has a password"), "{html}");
    assert_eq!(visitor.download(&locked, "").await, (303, Some(locked.trim_start_matches(&t.portal.url).to_owned())));
    assert_eq!(visitor.unlock(&locked, "not it at all").await, 403);
    assert_eq!(visitor.unlock(&locked, "open sesame 42").await, 200);
    let (status, to) = visitor.download(&locked, "").await;
    assert_eq!(status, 303);
    assert!(to.unwrap().contains("X-Amz-Signature"), "a presigned URL now");
    assert_eq!(Visitor::new(&t).download(&locked, "").await.0, 303, "another browser still needs it");

    // Revoked, expired, or the owner's grant gone: the link finds nothing.
    let id: String = t.db(|c| {
        share_links::table.filter(share_links::path.eq("partner-acme/")).select(share_links::id).first(c).unwrap()
    });
    assert_eq!(t.call(&owner, "revoke_share", &[("link_id", &id)]).await.0, 200);
    assert_eq!(visitor.page(&folder).await.0, 200);
    assert!(visitor.page(&folder).await.1.contains("does not exist, has expired or was revoked"));
    assert_eq!(visitor.download(&folder, "partner-acme/a.csv").await.0, 404);
    let expiring = share(&t, &owner, "partner-acme/sub/b.csv", &[]).await;
    t.db(|c| {
        diesel::update(share_links::table.filter(share_links::path.eq("partner-acme/sub/b.csv")))
            .set(share_links::expires_at.eq(1))
            .execute(c)
            .unwrap()
    });
    assert_eq!(visitor.download(&expiring, "").await.0, 404);
    let orphan = share(&t, &owner, "partner-acme/sub/", &[]).await;
    t.db(|c| diesel::delete(grants::table.filter(grants::user_id.eq(&partner))).execute(c).unwrap());
    assert_eq!(visitor.download(&orphan, "partner-acme/sub/b.csv").await.0, 403, "the owner may not read it now");

    // Each visit is in the trail, with the visitor's address and the link.
    let downloads: Vec<(String, Option<String>, Option<String>)> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.download"))
            .filter(audit_events::outcome.eq("success"))
            .select((audit_events::user_email.assume_not_null(), audit_events::client_ip, audit_events::credential))
            .load(c)
            .unwrap()
    });
    assert_eq!(downloads.len(), 4, "{downloads:?}");
    assert!(
        downloads.iter().all(|(who, ip, how)| who == "partner@acme.example"
            && ip.as_deref() == Some("127.0.0.1")
            && how.as_deref().is_some_and(|h| h.starts_with("share link"))),
        "{downloads:?}"
    );
    assert!(t.audit_count("share.visit", "denied") >= 4);
    assert!(t.audit_count("share.visit", "success") >= 2, "every opened page is in the trail");
}

#[tokio::test]
async fn a_link_reaches_no_further_than_its_owner() {
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Viewer);
    t.grant(&partner, &usecase, "partner-acme/", false);
    let owner = t.sign_in("partner@acme.example").await;
    let base = [("usecase_id", usecase.id.as_str()), ("bucket", usecase.data_bucket()), ("days", "7")];
    for (path, days) in [("partner-acme-finance/x.csv", "7"), ("", "7"), ("partner-acme/", "91"), ("../x", "7")] {
        let mut form = base.to_vec();
        form.retain(|(k, _)| *k != "days");
        form.extend([("path", path), ("days", days)]);
        let (status, body) = t.call(&owner, "create_share", &form).await;
        assert!(status == 400 || status == 403, "{path} {days}: {status} {body}");
    }
    assert_eq!(t.db(|c| share_links::table.count().get_result::<i64>(c).unwrap()), 0);
}

#[tokio::test]
async fn a_drop_link_takes_uploads_into_its_folder_and_shows_nothing() {
    use app::model::{FilePlan, UploadBatch};
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let (u, bucket) = (usecase.id.to_string(), usecase.data_bucket().to_owned());
    let s3 = t.s3().await;
    s3.put_object().bucket(&bucket).key("inbox/report.csv").body(b"the owner's".to_vec().into()).send().await.unwrap();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    t.grant(&partner, &usecase, "inbox/", true);
    let owner = t.sign_in("partner@acme.example").await;
    let url = share(&t, &owner, "inbox/", &[("upload_only", "true")]).await;
    let token = url.rsplit('/').next().unwrap();

    let visitor = t.browser();
    let (status, body) = t.call(&visitor, "visit_share", &[("token", token)]).await;
    assert_eq!(status, 200, "{body}");
    let visit: app::model::ShareVisit = serde_json::from_str(&body).unwrap();
    assert!(visit.upload_only && visit.listing.is_none(), "{body}");

    // Asked to overwrite, a drop keeps both: the visitor replaces nothing they cannot see.
    let offer = common::offer("report.csv", b"the visitor's");
    let (status, body) = t.plan_uploads(&visitor, &u, "inbox/", "Overwrite", vec![offer]).await;
    assert_eq!(status, 200, "{body}");
    let batch: UploadBatch = serde_json::from_str(&body).unwrap();
    let FilePlan::Single(plan) = &batch.plans[0] else { panic!("{body}") };
    assert_eq!(plan.key, "inbox/report (1).csv");
    assert_eq!(common::send_as_planned(plan, b"the visitor's".to_vec()).await.status(), 200);
    let done =
        t.call(&visitor, "complete_upload", &[("usecase_id", &u), ("bucket", &bucket), ("key", &plan.key)]).await;
    assert_eq!(done.0, 200, "{}", done.1);
    let kept = s3.get_object().bucket(&bucket).key("inbox/report.csv").send().await.unwrap();
    assert_eq!(kept.body.collect().await.unwrap().into_bytes().as_ref(), b"the owner's");

    // And nothing else.
    let at = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = vec![("usecase_id", u.as_str()), ("bucket", bucket.as_str())];
        v.extend_from_slice(extra);
        v
    };
    assert_eq!(t.call(&visitor, "list_objects", &at(&[("prefix", "inbox/")])).await.0, 403);
    assert_eq!(t.call(&visitor, "download_url", &at(&[("key", "inbox/report.csv")])).await.0, 403);
    assert_eq!(t.call(&visitor, "delete_objects", &at(&[("keys[0]", "inbox/report.csv")])).await.0, 403);
    let elsewhere = t.plan_uploads(&visitor, &u, "elsewhere/", "Overwrite", vec![common::offer("x.csv", b"x")]).await;
    assert_eq!(elsewhere.0, 403, "{}", elsewhere.1);
    let (status, listed) = t.call(&visitor, "list_usecases", &[]).await;
    assert!(status == 403 || listed == "[]", "{status} {listed}");
    let uploads: Vec<Option<String>> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.upload"))
            .filter(audit_events::outcome.eq("success"))
            .select(audit_events::credential)
            .load(c)
            .unwrap()
    });
    assert!(uploads.iter().all(|c| c.as_deref().is_some_and(|c| c.starts_with("share link"))), "{uploads:?}");

    // Revoked, the link's uploads stop at once.
    let id: String = t.db(|c| share_links::table.select(share_links::id).first(c).unwrap());
    assert_eq!(t.call(&owner, "revoke_share", &[("link_id", &id)]).await.0, 200);
    let again = t.plan_uploads(&visitor, &u, "inbox/", "Overwrite", vec![common::offer("y.csv", b"y")]).await;
    assert_eq!(again.0, 401, "{}", again.1);
}
