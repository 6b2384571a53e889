//! The portal's server functions over HTTP: who may do what, and that every
//! refusal lands in the audit trail.

mod common;

use app::core::db::schema::{audit_events, users};
use app::error::AppError;
use app::model::{FilePlan, Listing, Role, SessionInfo, UploadBatch, UsecaseSummary};
use common::{PASSWORD, TestPortal, error_of, offer, send_as_planned};
use diesel::prelude::*;

/// Every server function that touches data, with arguments that would be valid.
fn protected_calls(usecase_id: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let u = usecase_id.to_owned();
    let object = |extra: &[(&'static str, &str)]| {
        let mut v = vec![("usecase_id", u.clone()), ("bucket", "dataport-data".to_owned())];
        v.extend(extra.iter().map(|(k, val)| (*k, (*val).to_owned())));
        v
    };
    vec![
        ("list_usecases", vec![]),
        ("get_usecase", object(&[])),
        ("list_buckets", object(&[])),
        ("list_objects", object(&[("prefix", "")])),
        ("abort_upload", vec![("upload_id", "0".to_owned())]),
        ("complete_upload", object(&[("key", "a.txt")])),
        ("download_url", object(&[("key", "a.txt")])),
        ("list_audit_events", vec![]),
    ]
}

async fn call_owned(
    t: &TestPortal,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&'static str, String)],
) -> (u16, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.call(client, endpoint, &form).await
}

#[tokio::test]
async fn anonymous_requests_to_every_server_function_are_denied_and_audited() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    let anonymous = t.browser();
    let before: i64 =
        t.db(|c| audit_events::table.filter(audit_events::outcome.eq("denied")).count().get_result(c).unwrap());
    let calls = protected_calls(usecase.id.as_str());
    for (endpoint, form) in &calls {
        let (status, body) = call_owned(&t, &anonymous, endpoint, form).await;
        assert_eq!(status, 401, "{endpoint} must refuse an anonymous caller with 401");
        assert_eq!(error_of(&body), AppError::NotSignedIn, "{endpoint}");
    }
    let after: i64 =
        t.db(|c| audit_events::table.filter(audit_events::outcome.eq("denied")).count().get_result(c).unwrap());
    assert_eq!(after - before, calls.len() as i64, "one denied event per refused call");
}

#[tokio::test]
async fn another_organization_sees_nothing_and_is_audited() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    let (other_tenant, _) = t.other_tenant();
    t.add_user(&other_tenant, "mallory@other.example", Role::Admin);
    let mallory = t.sign_in("mallory@other.example").await;

    let (status, body) = t.call(&mallory, "list_usecases", &[]).await;
    assert_eq!(status, 200);
    let listed: Vec<UsecaseSummary> = serde_json::from_str(&body).unwrap();
    assert!(listed.iter().all(|u| u.id != usecase.id), "other tenant's usecase leaked");

    for (endpoint, form) in
        protected_calls(usecase.id.as_str()).iter().filter(|(e, _)| !["list_usecases", "list_audit_events"].contains(e))
    {
        let (status, body) = call_owned(&t, &mallory, endpoint, form).await;
        assert_ne!(status, 200, "{endpoint} served another tenant");
        assert_eq!(error_of(&body), AppError::Denied, "{endpoint}");
    }
    let mallory_denials: i64 = t.db(|c| {
        audit_events::table
            .filter(audit_events::user_email.eq("mallory@other.example"))
            .filter(audit_events::outcome.eq("denied"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(mallory_denials, 6);
}

#[tokio::test]
async fn viewer_cannot_upload_even_where_granted() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    let viewer_id = t.add_user(&usecase.tenant_id, "viewer@example.com", Role::Viewer);
    t.grant(&viewer_id, &usecase, "shared/", true);
    let viewer = t.sign_in("viewer@example.com").await;
    let (status, body) =
        t.plan_uploads(&viewer, usecase.id.as_str(), "shared/", "Overwrite", vec![offer("a.txt", b"a")]).await;
    assert_eq!(status, 403);
    assert_eq!(error_of(&body), AppError::Denied);
    assert_eq!(t.audit_count("object.upload.start", "denied"), 1);
    // Listing the granted folder is allowed.
    let (status, _) = t
        .call(
            &viewer,
            "list_objects",
            &[("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "shared/")],
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn editor_uploads_through_a_presigned_url_and_the_file_is_recorded() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    let editor_id = t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    t.grant(&editor_id, &usecase, "partner-acme/uploads/", true);
    let editor = t.sign_in("editor@example.com").await;
    let bytes = b"a,b\n1,2\n3,4".to_vec();
    let (status, body) = t
        .plan_uploads(
            &editor,
            usecase.id.as_str(),
            "partner-acme/uploads/",
            "Overwrite",
            vec![offer("data.csv", &bytes)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let batch: UploadBatch = serde_json::from_str(&body).unwrap();
    let [FilePlan::Single(plan)] = &batch.plans[..] else { panic!("one small file, one PUT: {body}") };
    assert!(!plan.url.contains(&t.portal.url), "the bytes must go to S3, not the portal");
    assert_eq!(send_as_planned(plan, bytes).await.status(), 200);
    let (status, body) = t
        .call(
            &editor,
            "complete_upload",
            &[
                ("usecase_id", usecase.id.as_str()),
                ("bucket", "dataport-data"),
                ("key", "partner-acme/uploads/data.csv"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.audit_count("object.upload", "success"), 1);

    // Above the grant the editor sees only the path down to it.
    let (status, body) = t
        .call(
            &editor,
            "list_objects",
            &[("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let listing: Listing = serde_json::from_str(&body).unwrap();
    assert_eq!(listing.folders, ["partner-acme/"]);
    // Beside the grant: nothing.
    let (status, body) = t
        .call(
            &editor,
            "list_objects",
            &[("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "partner-beta/")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(error_of(&body), AppError::Denied);
}

#[tokio::test]
async fn hostile_keys_are_refused_before_anything_is_signed() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    for (prefix, name) in [("../", "x"), ("", "../../etc/passwd"), ("a//", "x"), ("", "a/"), ("", ""), ("", "a/./b")] {
        let (status, body) =
            t.plan_uploads(&admin, usecase.id.as_str(), prefix, "Overwrite", vec![offer(name, b"x")]).await;
        assert_ne!(status, 200, "{prefix:?}{name:?} was accepted");
        assert!(matches!(error_of(&body), AppError::Invalid(_)), "{body}");
    }
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let t = TestPortal::start().await;
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{}/api/sign_in", t.portal.url))
        .header("Origin", "https://evil.example")
        .form(&[("email", "a@example.com"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let no_origin = client.post(format!("{}/api/sign_out", t.portal.url)).send().await.unwrap();
    assert_eq!(no_origin.status(), 403);
}

#[tokio::test]
async fn failed_sign_ins_say_one_generic_thing_and_lock_the_account() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let client = t.browser();
    let (unknown_status, unknown) =
        t.call(&client, "sign_in", &[("email", "nobody@example.com"), ("password", PASSWORD)]).await;
    let (wrong_status, wrong) =
        t.call(&client, "sign_in", &[("email", "admin@example.com"), ("password", "wrong password!")]).await;
    assert_eq!(unknown, wrong, "the two failures must read the same");
    assert_eq!((unknown_status, wrong_status), (401, 401), "a wrong password is a 401, never a 500");
    assert_eq!(error_of(&wrong), AppError::SignInFailed);
    for _ in 0..4 {
        t.call(&client, "sign_in", &[("email", "admin@example.com"), ("password", "wrong password!")]).await;
    }
    // Five failures: even the right password is refused now.
    let (status, _) = t.call(&client, "sign_in", &[("email", "admin@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 401);
    let locked: Option<i64> = t.db(|c| {
        users::table.filter(users::email.eq("admin@example.com")).select(users::locked_until).first(c).unwrap()
    });
    assert!(locked.is_some());
    assert_eq!(t.audit_count("auth.sign_in", "denied"), 7);
}

#[tokio::test]
async fn sign_in_cycles_the_session_id_and_sign_out_ends_it() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let client = t.browser();
    let (_, body) = t.call(&client, "whoami", &[]).await;
    assert!(serde_json::from_str::<SessionInfo>(&body).unwrap().user.is_none());
    let resp = client
        .post(format!("{}/api/sign_in", t.portal.url))
        .form(&[("email", "admin@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies: Vec<&str> = resp.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    let (device, session): (Vec<&str>, Vec<&str>) = cookies.iter().partition(|c| c.starts_with("dataport_device="));
    assert!(session[0].contains("HttpOnly") && session[0].contains("SameSite=Lax"), "{session:?}");
    assert!(device[0].contains("HttpOnly") && device[0].contains("SameSite=Strict"), "{device:?}");
    let (_, body) = t.call(&client, "whoami", &[]).await;
    assert_eq!(serde_json::from_str::<SessionInfo>(&body).unwrap().user.unwrap().email, "admin@example.com");
    let (status, _) = t.call(&client, "sign_out", &[]).await;
    assert_eq!(status, 200);
    let (_, body) = t.call(&client, "whoami", &[]).await;
    assert!(serde_json::from_str::<SessionInfo>(&body).unwrap().user.is_none());
    let doors: Vec<Option<String>> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.like("auth.%"))
            .select(audit_events::credential)
            .load(c)
            .unwrap()
    });
    assert_eq!(doors, vec![Some("web session".to_owned()); 2], "sign-in and sign-out came through a web session");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let cookie = {
        let resp = admin.post(format!("{}/api/whoami", t.portal.url)).send().await.unwrap();
        resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    };
    // A second process on the same data directory, as after a restart.
    let restarted = TestPortal::start_in(t.dir.path()).await;
    let fresh = common::browser_for(&restarted.url);
    let resp = fresh.post(format!("{}/api/whoami", restarted.url)).header("Cookie", &cookie).send().await.unwrap();
    let who: SessionInfo = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(who.user.unwrap().email, "admin@example.com");
}

#[tokio::test]
async fn the_first_admin_can_be_created_only_once() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let client = t.browser();
    let (status, body) = t
        .call(
            &client,
            "create_first_admin",
            &[("email", "late@example.com"), ("password", PASSWORD), ("confirm", PASSWORD), ("token", "any")],
        )
        .await;
    assert_eq!(status, 409);
    assert!(matches!(error_of(&body), AppError::Conflict(_)));
    assert_eq!(t.audit_count("setup.first_admin", "denied"), 1);
}

#[tokio::test]
async fn the_audit_chain_verifies_and_a_tampered_row_is_found() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    for _ in 0..3 {
        t.call(&admin, "list_usecases", &[]).await;
    }
    let report = t.audit_report();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.checked, 4, "the setup event and three listings");
    t.db(|c| {
        diesel::update(audit_events::table.filter(audit_events::seq.eq(3)))
            .set(audit_events::detail.eq("nothing to see"))
            .execute(c)
            .unwrap()
    });
    assert_eq!(t.audit_report().first_broken, Some(3));
}

#[tokio::test]
async fn a_deleted_audit_row_breaks_the_chain() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    t.call(&admin, "list_usecases", &[]).await;
    t.call(&admin, "list_usecases", &[]).await;
    t.db(|c| diesel::delete(audit_events::table.filter(audit_events::seq.eq(2))).execute(c).unwrap());
    assert_eq!(t.audit_report().first_broken, Some(2));
}

#[tokio::test]
async fn health_and_readiness_report_their_parts() {
    let t = TestPortal::start().await;
    let health = reqwest::get(format!("{}/healthz", t.portal.url)).await.unwrap();
    assert_eq!(health.status(), 200);
    let ready: serde_json::Value =
        reqwest::get(format!("{}/readyz", t.portal.url)).await.unwrap().json().await.unwrap();
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["s3"], "ok");
}

#[tokio::test]
async fn the_audit_export_is_for_admins_only() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let csv = admin.get(format!("{}/audit/export.csv?outcome=success", t.portal.url)).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("seq,time,user,action"));
    assert!(text.contains("setup.first_admin"));
    t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let editor = t.sign_in("editor@example.com").await;
    let refused = editor.get(format!("{}/audit/export.csv", t.portal.url)).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(t.audit_count("audit.export", "denied"), 1);
}

#[tokio::test]
async fn an_idle_session_expires() {
    use app::core::db::schema::sessions;
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let (_, body) = t.call(&admin, "whoami", &[]).await;
    assert!(serde_json::from_str::<SessionInfo>(&body).unwrap().user.is_some());
    // As if the last request had been 31 minutes ago.
    let past = app::core::now_ms() - 60_000;
    t.db(|c| diesel::update(sessions::table).set(sessions::expires_at.eq(past)).execute(c).unwrap());
    let (_, body) = t.call(&admin, "whoami", &[]).await;
    assert!(serde_json::from_str::<SessionInfo>(&body).unwrap().user.is_none());
    let (status, body) = t.call(&admin, "list_usecases", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(error_of(&body), AppError::NotSignedIn);
}
