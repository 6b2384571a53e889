//! A corpus of hostile input (`data/hostile_inputs.json`: keys, prefixes,
//! bucket names, folder names, emails, usecase names, grant prefixes and
//! origins) run through every function that takes such input, over HTTP
//! against the running portal: each answers 400 or 403 with a message, and
//! nothing in S3 or the database changes.

mod common;

use app::core::db::schema::{files, grants, tenant_buckets, uploads, usecase_buckets, usecases, users};
use app::error::AppError;
use common::{PASSWORD, TestPortal, error_of};
use diesel::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    kind: String,
    value: String,
    why: String,
}

/// `LONG<n>` at the start of a value stands for `n` letters.
fn expand(value: &str) -> String {
    let Some(rest) = value.strip_prefix("LONG") else { return value.to_owned() };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    format!("{}{}", "a".repeat(digits.parse().unwrap()), &rest[digits.len()..])
}

/// What must not change: the rows of every table but the audit trail and
/// sessions, and the buckets and objects on S3.
async fn snapshot(t: &TestPortal) -> String {
    let rows = t.db(|c| {
        let users: Vec<(String, i32)> = users::table.select((users::email, users::failed_logins)).load(c).unwrap();
        let usecases: Vec<(String, String, Option<String>)> =
            usecases::table.select((usecases::name, usecases::s3_bucket, usecases::data_s3_prefix)).load(c).unwrap();
        let counts = [
            grants::table.count().get_result::<i64>(c).unwrap(),
            files::table.count().get_result::<i64>(c).unwrap(),
            uploads::table.count().get_result::<i64>(c).unwrap(),
            usecase_buckets::table.count().get_result::<i64>(c).unwrap(),
            tenant_buckets::table.count().get_result::<i64>(c).unwrap(),
        ];
        format!("{users:?} {usecases:?} {counts:?}")
    });
    let s3 = t.s3().await;
    let buckets = s3.list_buckets().send().await.unwrap();
    let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    let objects = s3.list_objects_v2().bucket("dataport-data").send().await.unwrap();
    let keys: Vec<&str> = objects.contents().iter().filter_map(|o| o.key()).collect();
    format!("{rows} {names:?} {keys:?}")
}

/// The refusal a call got, checked: 400 with a message, or 403.
fn refused(case: &Case, call: &str, (status, body): (u16, String)) {
    let what = format!("{} {:?} ({}) through {call}", case.kind, case.value, case.why);
    assert!(status == 400 || status == 403, "{what}: {status} {body}");
    match error_of(&body) {
        AppError::Invalid(message) => assert!(message.len() > 10, "{what}: a message that says what is wrong"),
        AppError::Denied => assert_eq!(status, 403, "{what}"),
        other => panic!("{what}: {other:?}"),
    }
}

#[tokio::test]
async fn every_hostile_input_is_refused_with_a_message_and_changes_nothing() {
    let corpus: Corpus = serde_json::from_str(include_str!("data/hostile_inputs.json")).unwrap();
    assert!(corpus.cases.len() >= 60, "a corpus of at least 60 cases");
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let before = snapshot(&t).await;
    for case in &corpus.cases {
        let v = expand(&case.value);
        let v = v.as_str();
        match case.kind.as_str() {
            "key" => {
                let at = [("usecase_id", u), ("bucket", "dataport-data"), ("key", v)];
                refused(case, "download_url", t.call(&admin, "download_url", &at).await);
                refused(case, "complete_upload", t.call(&admin, "complete_upload", &at).await);
                let offer = common::offer(v, b"x");
                refused(case, "batch_upload_urls", t.plan_uploads(&admin, u, "", "Overwrite", vec![offer]).await);
            }
            "prefix" => {
                let at = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", v)];
                refused(case, "list_objects", t.call(&admin, "list_objects", &at).await);
                refused(case, "set_data_source", t.call(&admin, "set_data_source", &at).await);
                let folder = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", v), ("name", "ok")];
                refused(case, "create_folder", t.call(&admin, "create_folder", &folder).await);
                let begin =
                    [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", v), ("files", "1"), ("bytes", "1")];
                refused(case, "begin_upload", t.call(&admin, "begin_upload", &begin).await);
                let offer = common::offer("a.txt", b"x");
                refused(case, "batch_upload_urls", t.plan_uploads(&admin, u, v, "Overwrite", vec![offer]).await);
            }
            "bucket" => {
                let at = [("usecase_id", u), ("bucket", v), ("prefix", "")];
                refused(case, "list_objects", t.call(&admin, "list_objects", &at).await);
                refused(case, "set_data_source", t.call(&admin, "set_data_source", &at).await);
                let key = [("usecase_id", u), ("bucket", v), ("key", "a.txt")];
                refused(case, "download_url", t.call(&admin, "download_url", &key).await);
                let settings = [("usecase_id", u), ("bucket", v)];
                refused(case, "apply_bucket_settings", t.call(&admin, "apply_bucket_settings", &settings).await);
                let create = [("usecase_id", u), ("name", v), ("region", "us-east-1"), ("adopt", "false")];
                refused(case, "create_bucket", t.call(&admin, "create_bucket", &create).await);
            }
            "folder" => {
                let at = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", ""), ("name", v)];
                refused(case, "create_folder", t.call(&admin, "create_folder", &at).await);
            }
            "email" => {
                let at = [("email", v), ("password", PASSWORD)];
                refused(case, "sign_in", t.call(&t.browser(), "sign_in", &at).await);
            }
            "usecase_name" => {
                let form = app::model::UsecaseForm {
                    id: Some(usecase.id.clone()),
                    name: v.to_owned(),
                    account_id: "123456789012".into(),
                    s3_bucket: "dataport-data".into(),
                    region: "us-east-1".into(),
                    ..Default::default()
                };
                let saved = t.call_json(&admin, "save_usecase", serde_json::json!({ "form": form })).await;
                refused(case, "save_usecase", saved);
            }
            "grant_prefix" => {
                // Grants are made by the access manager, through `Prefix`.
                assert!(app::names::Prefix::new(v).is_err(), "grant prefix {v:?} ({})", case.why);
            }
            "origin" => {
                let at = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", ""), ("name", "planted")];
                let resp = admin
                    .post(format!("{}/api/create_folder", t.portal.url))
                    .header("origin", v)
                    .header("sec-fetch-site", "cross-site")
                    .form(&at)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 403, "origin {v:?} ({})", case.why);
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(snapshot(&t).await, before, "nothing in S3 or the database changed");
    // Refused names are audited, but one client cannot flood the trail with them.
    let refused_inputs: Vec<String> = t.db(|c| {
        use app::core::db::schema::audit_events as e;
        e::table.filter(e::detail.like("refused input: %")).select(e::detail).load(c).unwrap()
    });
    assert!((1..=10).contains(&refused_inputs.len()), "{} refused inputs written", refused_inputs.len());
}
