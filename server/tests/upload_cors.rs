//! Before the first byte, the upload panel learns whether the bucket's CORS
//! rules let the portal's pages upload, over HTTP against the embedded S3
//! endpoint; an administrator adds the portal's rule and keeps the others.

mod common;

use app::model::{CorsCheck, Role};
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
use common::TestPortal;

async fn check(t: &TestPortal, client: &reqwest::Client, usecase: &str, fresh: bool) -> CorsCheck {
    let form = [
        ("usecase_id", usecase),
        ("bucket", "partner-imaging"),
        ("prefix", "in/"),
        ("fresh", if fresh { "true" } else { "false" }),
    ];
    let (status, body) = t.call(client, "check_upload_cors", &form).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_bucket_without_the_portals_rule_is_named_before_the_first_byte_and_an_administrator_fixes_it() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    // A bucket the portal did not create, with someone else's CORS rule, adopted by the usecase.
    let s3 = t.s3().await;
    s3.create_bucket().bucket("partner-imaging").send().await.unwrap();
    let theirs = CorsRule::builder()
        .id("their-dashboard")
        .allowed_origins("https://dashboard.partner.example")
        .allowed_methods("GET")
        .build()
        .unwrap();
    let config = CorsConfiguration::builder().cors_rules(theirs).build().unwrap();
    s3.put_bucket_cors().bucket("partner-imaging").cors_configuration(config).send().await.unwrap();
    t.db(|c| {
        app::core::usecase_buckets::record(c, &usecase, "partner-imaging", app::core::usecase_buckets::Origin::Adopted)
    })
    .unwrap();
    let editor_id = t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    t.grant(&editor_id, &usecase, "in/", true);
    t.db(|c| {
        use app::core::db::schema::grants;
        use diesel::prelude::*;
        diesel::update(grants::table).set(grants::bucket.eq("partner-imaging")).execute(c).unwrap()
    });
    let editor = t.sign_in("editor@example.com").await;

    let seen = check(&t, &editor, u, true).await;
    assert!(!seen.allows && !seen.can_fix, "{seen:?}");
    assert!(seen.message.contains("Ask an administrator"), "{}", seen.message);
    let (status, _) =
        t.call(&editor, "allow_browser_uploads", &[("usecase_id", u), ("bucket", "partner-imaging")]).await;
    assert_eq!(status, 403, "only administrators change a bucket's rules");

    let seen = check(&t, &admin, u, true).await;
    assert!(!seen.allows && seen.can_fix, "{seen:?}");
    assert!(seen.message.contains("Allow uploads from this portal"), "{}", seen.message);
    let (status, body) =
        t.call(&admin, "allow_browser_uploads", &[("usecase_id", u), ("bucket", "partner-imaging")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(check(&t, &editor, u, true).await.allows);
    let rules = s3.get_bucket_cors().bucket("partner-imaging").send().await.unwrap();
    let ids: Vec<&str> = rules.cors_rules().iter().filter_map(|r| r.id()).collect();
    assert!(ids.contains(&"their-dashboard"), "their rule is kept: {ids:?}");
    assert_eq!(t.audit_count("bucket.cors.allow", "success"), 1);
}
