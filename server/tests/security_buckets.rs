//! Regression tests of the security review's findings on buckets and
//! grants, over HTTP against the running portal: a usecase reaches only its
//! own buckets (whoever asks, administrators included), a tenant attaches
//! only buckets assigned to it, and a grant's prefix is a folder.

mod common;

use app::core::db::models::Grant;
use app::core::db::schema::grants;
use app::core::usecase_buckets;
use app::ids::GrantId;
use app::model::Role;
use aws_sdk_s3::primitives::ByteStream;
use common::{TestPortal, offer};
use diesel::prelude::*;

const SECRET: &str = "finance/salaries.csv";

/// A portal whose first tenant keeps a secret in `dataport-data`, and a
/// second tenant with its own usecase (data bucket `other-data`) and admin.
async fn two_tenants() -> (TestPortal, reqwest::Client, String, app::core::db::models::Usecase) {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket("dataport-data").key(SECRET).body(ByteStream::from_static(b"secret")).send().await.unwrap();
    s3.create_bucket().bucket("other-data").send().await.unwrap();
    let (tenant, usecase) = t.other_tenant();
    t.add_user(&tenant, "b-admin@example.com", Role::Admin);
    let b_admin = t.sign_in("b-admin@example.com").await;
    (t, b_admin, tenant, usecase)
}

/// The detail of the newest refusal of `action` in the audit trail.
fn last_refusal(t: &TestPortal, action: &'static str) -> String {
    use app::core::db::schema::audit_events as e;
    t.db(|c| {
        e::table
            .filter(e::action.eq(action))
            .filter(e::outcome.eq("denied"))
            .order(e::seq.desc())
            .select(e::detail)
            .first(c)
            .unwrap()
    })
}

#[tokio::test]
async fn another_tenants_admin_cannot_reach_a_bucket_through_their_own_usecase() {
    let (t, b_admin, _, usecase) = two_tenants().await;
    let id = usecase.id.as_str();
    let (status, body) =
        t.call(&b_admin, "list_objects", &[("usecase_id", id), ("bucket", "dataport-data"), ("prefix", "")]).await;
    assert_eq!(status, 403, "listing: {body}");
    let why = last_refusal(&t, "object.list");
    assert!(why.contains("dataport-data is not a bucket of usecase"), "the trail says why: {why}");
    let (status, _) =
        t.call(&b_admin, "download_url", &[("usecase_id", id), ("bucket", "dataport-data"), ("key", SECRET)]).await;
    assert_eq!(status, 403, "reading");
    let body = serde_json::json!({"usecase_id": id, "bucket": "dataport-data", "prefix": "x/", "conflict": "Overwrite",
        "files": [offer("planted.txt", b"x")]});
    let (status, _) = t.call_json(&b_admin, "batch_upload_urls", body).await;
    assert_eq!(status, 403, "writing");
    let (status, _) =
        t.call(&b_admin, "apply_bucket_settings", &[("usecase_id", id), ("bucket", "dataport-data")]).await;
    assert_eq!(status, 403, "reconfiguring");

    let (status, body) = t.call(&b_admin, "list_buckets", &[("usecase_id", id)]).await;
    assert_eq!(status, 200, "{body}");
    let buckets: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(buckets, vec!["other-data"], "only the usecase's own bucket is listed");
    assert!(t.audit_count("object.list", "denied") >= 1, "refusals are audited");
    assert!(t.audit_count("object.download", "denied") >= 1);
}

#[tokio::test]
async fn a_tenant_adopts_or_creates_only_buckets_assigned_to_it() {
    let (t, b_admin, tenant, usecase) = two_tenants().await;
    let s3 = t.s3().await;
    let cors_before = s3.get_bucket_cors().bucket("dataport-data").send().await.unwrap();
    let id = usecase.id.as_str();
    let create = |name: &'static str, adopt: &'static str| {
        [("usecase_id", id), ("name", name), ("region", "us-east-1"), ("adopt", adopt)]
    };
    let (status, body) = t.call(&b_admin, "create_bucket", &create("dataport-data", "true")).await;
    assert_eq!(status, 403, "adopting another tenant's bucket: {body}");
    assert!(last_refusal(&t, "bucket.create").contains("not assigned to this organization"));
    let cors_after = s3.get_bucket_cors().bucket("dataport-data").send().await.unwrap();
    assert_eq!(cors_before.cors_rules(), cors_after.cors_rules(), "its settings are untouched");
    let (status, _) = t.call(&b_admin, "create_bucket", &create("beta-results", "false")).await;
    assert_eq!(status, 403, "creating an unassigned name");
    assert!(s3.head_bucket().bucket("beta-results").send().await.is_err(), "no bucket was made");
    assert!(t.audit_count("bucket.create", "denied") >= 2, "refusals are audited");

    // Once the platform administrator assigns `beta-*`, the tenant may create one and sees it.
    t.db(|c| usecase_buckets::assign(c, &tenant, "beta-*").unwrap());
    let (status, body) = t.call(&b_admin, "create_bucket", &create("beta-results", "false")).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = t.call(&b_admin, "list_buckets", &[("usecase_id", id)]).await;
    let buckets: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(buckets, vec!["other-data", "beta-results"]);
}

#[tokio::test]
async fn a_usecase_cannot_be_pointed_at_a_bucket_its_tenant_was_not_given() {
    let (t, b_admin, _, usecase) = two_tenants().await;
    let form = app::model::UsecaseForm {
        id: Some(usecase.id.clone()),
        name: "Other".into(),
        account_id: "123456789012".into(),
        s3_bucket: "dataport-data".into(),
        region: "us-east-1".into(),
        ..Default::default()
    };
    let (status, body) = t.call_json(&b_admin, "save_usecase", serde_json::json!({ "form": form })).await;
    assert_eq!(status, 403, "{body}");
    let stored = t.db(|c| {
        use app::core::db::schema::usecases;
        usecases::table.find(&usecase.id).select(usecases::s3_bucket).first::<String>(c).unwrap()
    });
    assert_eq!(stored, "other-data", "nothing was saved");
}

#[tokio::test]
async fn a_grant_prefix_is_a_folder_and_the_database_says_so_too() {
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let editor = t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let unfinished = Grant {
        id: GrantId::random(),
        user_id: editor.clone(),
        usecase_id: usecase.id.clone(),
        bucket: "dataport-data".into(),
        prefix: "acme/team".into(),
        can_list: true,
        can_read: true,
        can_write: false,
        can_delete: false,
        expires_at: None,
        created_at: 0,
        created_by: None,
        updated_at: None,
    };
    let stored = t.db(|c| diesel::insert_into(grants::table).values(&unfinished).execute(c));
    assert!(stored.is_err(), "the database refuses a prefix that is no folder");

    t.grant(&editor, &usecase, "acme/team/", false);
    let s3 = t.s3().await;
    for key in ["acme/team/plan.csv", "acme/team-finance/salaries.csv"] {
        s3.put_object().bucket("dataport-data").key(key).body(ByteStream::from_static(b"x")).send().await.unwrap();
    }
    let client = t.sign_in("editor@example.com").await;
    let download = |key: &'static str| [("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("key", key)];
    assert_eq!(t.call(&client, "download_url", &download("acme/team/plan.csv")).await.0, 200);
    assert_eq!(t.call(&client, "download_url", &download("acme/team-finance/salaries.csv")).await.0, 403);
}

#[tokio::test]
async fn adopting_a_bucket_keeps_its_own_cors_and_lifecycle_rules() {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, CorsConfiguration, CorsRule, ExpirationStatus, LifecycleExpiration,
        LifecycleRule, LifecycleRuleFilter,
    };
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    s3.create_bucket().bucket("legacy-data").send().await.unwrap();
    let theirs = CorsRule::builder().allowed_origins("https://app.example").allowed_methods("GET").build().unwrap();
    let cors = CorsConfiguration::builder().cors_rules(theirs).build().unwrap();
    s3.put_bucket_cors().bucket("legacy-data").cors_configuration(cors).send().await.unwrap();
    let expire = LifecycleRule::builder()
        .id("expire-logs")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("logs/").build())
        .expiration(LifecycleExpiration::builder().days(30).build())
        .build()
        .unwrap();
    let lifecycle = BucketLifecycleConfiguration::builder().rules(expire).build().unwrap();
    s3.put_bucket_lifecycle_configuration()
        .bucket("legacy-data")
        .lifecycle_configuration(lifecycle)
        .send()
        .await
        .unwrap();

    let usecase = t.default_usecase();
    let form =
        [("usecase_id", usecase.id.as_str()), ("name", "legacy-data"), ("region", "us-east-1"), ("adopt", "true")];
    let (status, body) = t.call(&admin, "create_bucket", &form).await;
    assert_eq!(status, 200, "{body}");
    let rules = s3.get_bucket_cors().bucket("legacy-data").send().await.unwrap();
    let origins: Vec<&[String]> = rules.cors_rules().iter().map(|r| r.allowed_origins()).collect();
    assert_eq!(origins.len(), 2, "the bucket's rule and the portal's: {origins:?}");
    assert!(origins.iter().any(|o| o == &["https://app.example".to_owned()]));
    let lifecycle = s3.get_bucket_lifecycle_configuration().bucket("legacy-data").send().await.unwrap();
    let ids: Vec<Option<&str>> = lifecycle.rules().iter().map(|r| r.id()).collect();
    assert_eq!(ids, vec![Some("expire-logs"), Some("dataport-abort-incomplete-uploads")]);
    let (status, _) = t
        .call(&admin, "apply_bucket_settings", &[("usecase_id", usecase.id.as_str()), ("bucket", "legacy-data")])
        .await;
    assert_eq!(status, 200, "the adopted bucket is the usecase's own now");
    let again = s3.get_bucket_cors().bucket("legacy-data").send().await.unwrap();
    assert_eq!(again.cors_rules().len(), 2, "applying again replaces only the portal's rule");
}

#[tokio::test]
async fn choosing_a_data_source_elsewhere_keeps_the_usecases_own_bucket() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let id = usecase.id.as_str();
    let create = [("usecase_id", id), ("name", "training-data"), ("region", "us-east-1"), ("adopt", "false")];
    assert_eq!(t.call(&admin, "create_bucket", &create).await.0, 200);
    let source = [("usecase_id", id), ("bucket", "training-data"), ("prefix", "")];
    assert_eq!(t.call(&admin, "set_data_source", &source).await.0, 200);
    let (_, body) = t.call(&admin, "list_buckets", &[("usecase_id", id)]).await;
    let buckets: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(buckets, vec!["training-data", "dataport-data"]);
    let listing = [("usecase_id", id), ("bucket", "dataport-data"), ("prefix", "")];
    assert_eq!(t.call(&admin, "list_objects", &listing).await.0, 200, "the usecase's own bucket stays reachable");
}

#[tokio::test]
async fn a_batch_may_not_name_the_same_path_twice() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let files = vec![offer("a.csv", b"one"), offer("b.csv", b"two"), offer("a.csv", b"three")];
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", files).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("named twice"), "{body}");
    assert!(!body.contains("X-Amz-Signature"), "nothing was signed");
}

#[tokio::test]
async fn keep_both_stops_after_a_bounded_number_of_copies() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let s3 = t.s3().await;
    let put = |key: String| s3.put_object().bucket("dataport-data").key(key).body(ByteStream::from_static(b"x")).send();
    put("in/r.csv".into()).await.unwrap();
    for n in 1..=99 {
        put(format!("in/r ({n}).csv")).await.unwrap();
    }
    let offers = || vec![offer("r.csv", b"y")];
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "KeepBoth", offers()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"key\":\"in/r (100).csv\""), "the one free name left: {body}");
    put("in/r (100).csv".into()).await.unwrap();
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "KeepBoth", offers()).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("100 copies"), "{body}");
}

#[tokio::test]
async fn a_user_may_keep_only_so_many_multipart_uploads_open() {
    let t = TestPortal::start_with(|a| a.multipart_threshold = 5 * 1024 * 1024).await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let large = |name: String| app::model::FileOffer {
        path: name,
        size: 6 * 1024 * 1024,
        content_type: "application/octet-stream".into(),
        modified: 1,
        crc32c: None,
    };
    let batch = |n: std::ops::Range<usize>| n.map(|i| large(format!("f{i}.bin"))).collect::<Vec<_>>();
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", batch(0..65)).await;
    assert_eq!(status, 409, "65 at once is over the limit: {body}");
    let open: i64 = t.db(|c| app::core::db::schema::uploads::table.count().get_result(c).unwrap());
    assert_eq!(open, 0, "the refused batch started nothing");
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", batch(0..64)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", batch(64..65)).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("64 unfinished uploads"), "{body}");
}
