//! Grants made on the administrators' pages, over HTTP against the running
//! portal: they give exactly their folder, take effect at the next request,
//! and name only the organization's people, usecases and buckets.

mod common;

use app::error::AppError;
use app::model::{GrantRow, GrantState, Role};
use common::{TestPortal, error_of, offer};

fn grant_form<'a>(user: &'a str, usecase: &'a str, bucket: &'a str, prefix: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[user_id]", user),
        ("form[usecase_id]", usecase),
        ("form[bucket]", bucket),
        ("form[prefix]", prefix),
        ("form[list]", "true"),
        ("form[read]", "true"),
        ("form[write]", "true"),
    ]
}

async fn save(t: &TestPortal, admin: &reqwest::Client, form: &[(&str, &str)]) -> (u16, String) {
    t.call(admin, "save_grant", form).await
}

#[tokio::test]
async fn a_grant_gives_its_folder_from_the_next_request_until_it_is_revoked() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    let browser = t.sign_in("partner@acme.example").await;
    let list = |prefix: &'static str| [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", prefix)];
    assert_eq!(t.call(&browser, "list_objects", &list("partner-acme/uploads/")).await.0, 403, "nothing before");

    // Typed without its slash, the folder is kept as a folder.
    let (status, body) =
        save(&t, &admin, &grant_form(partner.as_str(), u, "dataport-data", "partner-acme/uploads")).await;
    assert_eq!(status, 200, "{body}");
    let grant: GrantRow = serde_json::from_str(&body).unwrap();
    assert_eq!((grant.prefix.as_str(), grant.state), ("partner-acme/uploads/", GrantState::Active));
    assert_eq!(grant.rights.describe(), "List, Read, Write");

    assert_eq!(t.call(&browser, "list_objects", &list("partner-acme/uploads/")).await.0, 200);
    let (status, body) =
        t.plan_uploads(&browser, u, "partner-acme/uploads/", "Overwrite", vec![offer("a.csv", b"a")]).await;
    assert_eq!(status, 200, "{body}");
    for sibling in ["partner-acme/uploadsX/", "partner-acme/", "partner-acme/other/"] {
        let (status, _) = t.plan_uploads(&browser, u, sibling, "Overwrite", vec![offer("a.csv", b"a")]).await;
        assert_eq!(status, 403, "{sibling}");
    }
    let delete = [("usecase_id", u), ("bucket", "dataport-data"), ("key", "partner-acme/uploads/a.csv")];
    assert_eq!(t.call(&browser, "download_url", &delete).await.0, 200, "read is granted");

    let (status, body) = t.call(&admin, "revoke_grant", &[("grant_id", grant.id.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.call(&browser, "list_objects", &list("partner-acme/uploads/")).await.0, 403, "gone at once");
    assert_eq!(t.audit_count("grant.create", "success"), 1);
    assert_eq!(t.audit_count("grant.revoke", "success"), 1);
}

#[tokio::test]
async fn an_edited_or_expired_grant_takes_effect_at_the_next_request() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    let browser = t.sign_in("partner@acme.example").await;
    let (_, body) = save(&t, &admin, &grant_form(partner.as_str(), u, "dataport-data", "in/")).await;
    let grant: GrantRow = serde_json::from_str(&body).unwrap();
    let plan = || t.plan_uploads(&browser, u, "in/", "Overwrite", vec![offer("a.csv", b"a")]);
    assert_eq!(plan().await.0, 200);

    let mut read_only = grant_form(partner.as_str(), u, "dataport-data", "in/");
    read_only.retain(|(k, _)| *k != "form[write]");
    read_only.push(("form[id]", grant.id.as_str()));
    let (status, body) = save(&t, &admin, &read_only).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(plan().await.0, 403, "write is gone");
    assert_eq!(t.audit_count("grant.update", "success"), 1);

    let mut soon = grant_form(partner.as_str(), u, "dataport-data", "in/");
    soon.push(("form[id]", grant.id.as_str()));
    let tomorrow = app::model::utc_field_value(app::core::now_ms() + 24 * 3600 * 1000);
    soon.push(("form[expires]", &tomorrow));
    let (_, body) = save(&t, &admin, &soon).await;
    let row: GrantRow = serde_json::from_str(&body).unwrap();
    assert_eq!(row.state, GrantState::ExpiresSoon);
    assert_eq!(plan().await.0, 200);
    t.db(|c| {
        use app::core::db::schema::grants;
        use diesel::prelude::*;
        diesel::update(grants::table).set(grants::expires_at.eq(Some(1))).execute(c).unwrap()
    });
    assert_eq!(plan().await.0, 403, "an expired grant gives nothing");
    let (_, body) = t.call(&admin, "list_grants", &[]).await;
    let rows: Vec<GrantRow> = serde_json::from_str(&body).unwrap();
    assert_eq!(rows[0].state, GrantState::Expired);
}

#[tokio::test]
async fn a_grant_names_only_the_organizations_people_usecases_buckets_and_folders() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Viewer);
    let p = partner.as_str();
    let (tenant, other_usecase) = t.other_tenant();
    let stranger = t.add_user(&tenant, "stranger@other.example", Role::Editor);

    let refusals = [
        (grant_form(stranger.as_str(), u, "dataport-data", "in/"), 400, "Choose a person of this organization"),
        (grant_form(p, other_usecase.id.as_str(), "dataport-data", "in/"), 403, ""),
        (grant_form(p, u, "someone-elses-bucket", "in/"), 403, ""),
        (grant_form(p, u, "dataport-data", "../in/"), 400, ""),
        (grant_form(p, u, "dataport-data", "a//b/"), 400, ""),
        (grant_form(p, u, "dataport-data", "in/\u{202E}fdp/"), 400, ""),
    ];
    for (form, expected, says) in refusals {
        let (status, body) = save(&t, &admin, &form).await;
        assert_eq!(status, expected, "{form:?}: {body}");
        assert!(error_of(&body).to_string().contains(says), "{body}");
    }
    let mut nothing = grant_form(p, u, "dataport-data", "in/");
    nothing.retain(|(k, _)| !matches!(*k, "form[list]" | "form[read]" | "form[write]"));
    let (status, body) = save(&t, &admin, &nothing).await;
    assert_eq!((status, error_of(&body).to_string().contains("at least one")), (400, true), "{body}");
    let mut past = grant_form(p, u, "dataport-data", "in/");
    past.push(("form[expires]", "2020-01-01T00:00"));
    assert_eq!(save(&t, &admin, &past).await.0, 400);

    let (_, body) = t.call(&admin, "list_grants", &[]).await;
    assert_eq!(body, "[]", "nothing was saved");

    // A viewer's write right is kept, but the role caps it.
    let (status, body) = save(&t, &admin, &grant_form(p, u, "dataport-data", "in/")).await;
    assert_eq!(status, 200, "{body}");
    let row: GrantRow = serde_json::from_str(&body).unwrap();
    assert_eq!((row.rights.write, row.effective().write), (true, false));
    let viewer = t.sign_in("partner@acme.example").await;
    let (status, _) = t.plan_uploads(&viewer, u, "in/", "Overwrite", vec![offer("a.csv", b"a")]).await;
    assert_eq!(status, 403);
    let (status, body) = t.call(&viewer, "list_grants", &[]).await;
    assert_eq!((status, error_of(&body)), (403, AppError::Denied));
}
