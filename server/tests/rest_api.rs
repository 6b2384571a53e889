//! The REST API as a script uses it: a token from the "API tokens" page,
//! every call over HTTP against the running portal and its S3 endpoint,
//! each answer checked against the portal's OpenAPI document.

mod common;

use app::core::db::schema::{access_tokens, audit_events, users};
use app::model::Role;
use common::rest::{Answer, Api, check_shape, document, make_token, send_parts};
use common::uploads::{MIB, sample};
use common::{TestPortal, crc32c_b64};
use diesel::prelude::*;
use serde_json::{Value, json};

fn shaped(doc: &Value, method: &str, path: &str, answer: &Answer) {
    let problems = check_shape(doc, method, path, answer);
    assert!(problems.is_empty(), "{method} {path} answered {}: {problems:?}\n{}", answer.status, answer.body);
}

async fn put(url: &str, headers: &Value, body: Vec<u8>) -> u16 {
    let mut req = reqwest::Client::new().put(url).body(body);
    for (k, v) in headers.as_object().into_iter().flatten() {
        if !common::client_managed(k) {
            req = req.header(k.as_str(), v.as_str().unwrap());
        }
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_script_with_a_token_lists_uploads_downloads_and_deletes() {
    let t = TestPortal::start_with(|a| a.multipart_threshold = 5 * MIB as u64).await;
    let admin = t.admin().await;
    let secret = make_token(&t, &admin, "nightly sync", false).await;
    assert!(secret.starts_with("dpt_") && secret.len() == 4 + 64, "{secret}");
    let stored: Vec<String> = t.db(|c| access_tokens::table.select(access_tokens::token_hash).load(c).unwrap());
    assert!(!stored.is_empty() && !stored.contains(&secret), "only a hash is kept");

    let doc = document(&t).await;
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.1")), Some(true), "OpenAPI 3.1");
    let api = Api::new(&t, Some(&secret));
    let u = t.default_usecase().id.to_string();
    let bucket = t.default_usecase().data_bucket().to_owned();
    let at = |tail: &str| format!("/api/v1/usecases/{u}{tail}");
    let tpl = |tail: &str| format!("/api/v1/usecases/{{usecase_id}}{tail}");

    let list = api.get("/api/v1/usecases").await;
    shaped(&doc, "GET", "/api/v1/usecases", &list);
    assert_eq!(list.body["usecases"][0]["id"], json!(u));
    shaped(&doc, "GET", &tpl(""), &api.get(&at("")).await);
    let buckets = api.get(&at("/data/buckets")).await;
    shaped(&doc, "GET", &tpl("/data/buckets"), &buckets);
    assert!(buckets.body["buckets"].as_array().unwrap().iter().any(|b| b["name"] == json!(bucket)));

    let made = api.post(&at("/data/folders"), json!({ "bucket": bucket, "folder_path": "runs/2026/" })).await;
    shaped(&doc, "POST", &tpl("/data/folders"), &made);
    assert_eq!((made.status, &made.body["path"]), (201, &json!("runs/2026/")));

    // One small file: a presigned PUT with its length and checksum signed in, then recorded.
    let bytes = b"id,label\n1,cat\n".to_vec();
    let ask = json!({ "bucket": bucket, "key": "runs/2026/labels.csv", "size": bytes.len(),
        "content_type": "text/csv", "crc32c": crc32c_b64(&bytes) });
    let plan = api.post(&at("/data/upload-url"), ask).await;
    shaped(&doc, "POST", &tpl("/data/upload-url"), &plan);
    assert_eq!(plan.body["kind"], json!("single"), "{}", plan.body);
    let url = plan.body["upload_url"].as_str().unwrap();
    assert_ne!(put(url, &plan.body["headers"], b"id,label\n1,dog\n!".to_vec()).await, 200, "another length is refused");
    assert_eq!(put(url, &plan.body["headers"], bytes.clone()).await, 200);
    let done = api.post(&at("/data/upload-complete"), json!({ "bucket": bucket, "key": "runs/2026/labels.csv" })).await;
    shaped(&doc, "POST", &tpl("/data/upload-complete"), &done);
    assert_eq!(done.body["size"], json!(bytes.len()));

    // A batch, without checksums, as a shell script sends it.
    let batch = json!({ "bucket": bucket, "prefix": "runs/2026/", "files": [
        { "filename": "a.txt", "size": 1 }, { "filename": "b.txt", "size": 1 } ] });
    let planned = api.post(&at("/data/batch-upload-urls"), batch).await;
    shaped(&doc, "POST", &tpl("/data/batch-upload-urls"), &planned);
    let uploads = planned.body["uploads"].as_array().unwrap();
    assert_eq!(uploads[1]["key"], json!("runs/2026/b.txt"));
    assert_eq!(put(uploads[0]["upload_url"].as_str().unwrap(), &uploads[0]["headers"], b"a".to_vec()).await, 200);

    // A large file in parts, each part's URL signed on request.
    let big = sample(6 * MIB, 7);
    let ask = json!({ "bucket": bucket, "key": "runs/2026/big.bin", "size": big.len() });
    let plan = api.post(&at("/data/upload-url"), ask).await;
    assert_eq!(plan.body["kind"], json!("multipart"), "{}", plan.body);
    let upload_id = plan.body["upload_id"].as_str().unwrap().to_owned();
    let part_size = plan.body["part_size"].as_u64().unwrap() as usize;
    let chunks: Vec<&[u8]> = big.chunks(part_size).collect();
    let offers: Vec<Value> =
        chunks.iter().enumerate().map(|(i, c)| json!({ "number": i + 1, "crc32c": crc32c_b64(c) })).collect();
    let signed = api.post(&format!("/api/v1/uploads/{upload_id}/parts"), json!({ "parts": offers })).await;
    shaped(&doc, "POST", "/api/v1/uploads/{upload_id}/parts", &signed);
    let sent = send_parts(&signed.body, &chunks).await;
    let complete = api.post(&format!("/api/v1/uploads/{upload_id}/complete"), json!({ "parts": sent })).await;
    shaped(&doc, "POST", "/api/v1/uploads/{upload_id}/complete", &complete);
    assert_eq!(complete.body["size"], json!(big.len()));

    let listing = api.get(&at(&format!("/data/folders?bucket={bucket}&prefix=runs/2026/"))).await;
    shaped(&doc, "GET", &tpl("/data/folders"), &listing);
    let names: Vec<&str> =
        listing.body["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a.txt", "big.bin", "labels.csv"]);

    let link = api.post(&at("/data/download-url"), json!({ "bucket": bucket, "key": "runs/2026/labels.csv" })).await;
    shaped(&doc, "POST", &tpl("/data/download-url"), &link);
    let got = reqwest::get(link.body["download_url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), bytes.as_slice());

    let doomed = json!({ "bucket": bucket, "keys": ["runs/2026/a.txt"] });
    let gone = api.send("DELETE", &at("/data/objects"), Some(doomed)).await;
    shaped(&doc, "DELETE", &tpl("/data/objects"), &gone);
    assert_eq!(gone.body["objects"], json!(1));
    let listing = api.get(&at(&format!("/data/folders?bucket={bucket}&prefix=runs/2026/"))).await;
    assert_eq!(listing.body["files"].as_array().unwrap().len(), 2);

    // The trail says what the token did, by the browser's action names, naming the token.
    let uploads: Vec<String> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.upload"))
            .select(audit_events::detail)
            .load(c)
            .unwrap()
    });
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    assert!(uploads.iter().all(|d| d.contains("via API token “nightly sync”")), "{uploads:?}");

    let mine = api.get("/api/v1/me/activity?limit=2").await;
    shaped(&doc, "GET", "/api/v1/me/activity", &mine);
    let next = mine.body["next"].as_str().expect("more than two events").to_owned();
    let older = api.get(&format!("/api/v1/me/activity?limit=2&next={next}")).await;
    assert_ne!(older.body["events"][0]["seq"], mine.body["events"][0]["seq"]);
    let trail = api.get("/api/v1/audit?action=object.download").await;
    shaped(&doc, "GET", "/api/v1/audit", &trail);
    assert_eq!(trail.body["events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tokens_that_should_not_work_do_not_and_each_refusal_is_audited() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let (u, bucket) = (usecase.id.to_string(), usecase.data_bucket().to_owned());
    let folders = format!("/api/v1/usecases/{u}/data/folders?bucket={bucket}&prefix=");
    let refused = |t: &TestPortal| -> i64 {
        t.db(|c| audit_events::table.filter(audit_events::action.eq("token.refused")).count().get_result(c).unwrap())
    };

    let nobody = Api::new(&t, None).get("/api/v1/usecases").await;
    assert_eq!((nobody.status, nobody.content_type.as_str()), (401, "application/problem+json"));
    assert_eq!(nobody.body["type"], json!("/api/v1/problems/unauthorized"));
    assert_eq!(Api::new(&t, Some("dpt_0000")).get("/api/v1/usecases").await.status, 401);
    // The browser's own session counts for nothing on the API.
    let riding = Api::with_client(&t, None, admin.clone()).get("/api/v1/usecases").await;
    assert_eq!(riding.status, 401, "cookies are not credentials here");

    let expiring = make_token(&t, &admin, "expiring", false).await;
    assert_eq!(Api::new(&t, Some(&expiring)).get(&folders).await.status, 200);
    t.db(|c| {
        diesel::update(access_tokens::table.filter(access_tokens::name.eq("expiring")))
            .set(access_tokens::expires_at.eq(1))
            .execute(c)
            .unwrap()
    });
    let before = refused(&t);
    assert_eq!(Api::new(&t, Some(&expiring)).get(&folders).await.status, 401);
    assert_eq!(refused(&t), before + 1, "an expired token's use is audited");

    let revoked = make_token(&t, &admin, "revoked", false).await;
    let id: String = t.db(|c| {
        access_tokens::table.filter(access_tokens::name.eq("revoked")).select(access_tokens::id).first(c).unwrap()
    });
    assert_eq!(t.call(&admin, "revoke_token", &[("token_id", &id)]).await.0, 200);
    assert_eq!(Api::new(&t, Some(&revoked)).get(&folders).await.status, 401, "revoked at once");

    // A read-only token reads, and writes nothing.
    let reader = Api::new(&t, Some(&make_token(&t, &admin, "reader", true).await));
    assert_eq!(reader.get(&folders).await.status, 200);
    let folder_path = format!("/api/v1/usecases/{u}/data/folders");
    let write = reader.post(&folder_path, json!({ "bucket": bucket, "folder_path": "x/" })).await;
    assert_eq!((write.status, &write.body["type"]), (403, &json!("/api/v1/problems/forbidden")));
    let s3 = t.s3().await;
    let listed = s3.list_objects_v2().bucket(&bucket).prefix("x/").send().await.unwrap();
    assert_eq!(listed.key_count(), Some(0), "nothing written");

    // Hostile names are refused with the field at fault, and change nothing.
    let writer = Api::new(&t, Some(&make_token(&t, &admin, "writer", false).await));
    for (field, body) in [
        ("key", json!({ "bucket": bucket, "key": "../../etc/passwd", "size": 1 })),
        ("key", json!({ "bucket": bucket, "key": "a\u{0}b", "size": 1 })),
        ("bucket", json!({ "bucket": "../other", "key": "a.txt", "size": 1 })),
    ] {
        let answer = writer.post(&format!("/api/v1/usecases/{u}/data/upload-url"), body).await;
        assert_eq!((answer.status, &answer.body["field"]), (400, &json!(field)), "{}", answer.body);
    }
    let bad_prefix = writer.get(&format!("/api/v1/usecases/{u}/data/folders?bucket={bucket}&prefix=a//b/")).await;
    assert_eq!((bad_prefix.status, &bad_prefix.body["field"]), (400, &json!("prefix")));
    let not_json = writer.send("POST", &format!("/api/v1/usecases/{u}/data/download-url"), Some(json!([1]))).await;
    assert_eq!(not_json.status, 400);

    // Another organization's ids, and ids of nothing, are "not found" alike.
    let (_, other) = t.other_tenant();
    for id in [other.id.to_string(), "no-such-usecase".to_owned()] {
        let answer = writer.get(&format!("/api/v1/usecases/{id}")).await;
        assert_eq!((answer.status, &answer.body["type"]), (404, &json!("/api/v1/problems/not-found")), "{id}");
    }

    // A lowered role and a disabled user take effect at the next call.
    let viewer_id = t.add_user(&usecase.tenant_id, "analyst@example.com", Role::Admin);
    let analyst_browser = t.sign_in("analyst@example.com").await;
    let analyst = Api::new(&t, Some(&make_token(&t, &analyst_browser, "analysis", false).await));
    assert_eq!(analyst.get("/api/v1/audit").await.status, 200);
    t.db(|c| diesel::update(users::table.find(&viewer_id)).set(users::role.eq(Role::Viewer)).execute(c).unwrap());
    assert_eq!(analyst.get("/api/v1/audit").await.status, 403, "a viewer reads no audit trail");
    t.db(|c| diesel::update(users::table.find(&viewer_id)).set(users::disabled.eq(true)).execute(c).unwrap());
    assert_eq!(analyst.get("/api/v1/usecases").await.status, 401, "a disabled user's token stops");
}

#[tokio::test]
async fn a_token_over_its_rate_is_told_when_to_come_back() {
    let t = TestPortal::start_with(|a| a.api_calls_per_minute = 6).await;
    let admin = t.admin().await;
    let api = Api::new(&t, Some(&make_token(&t, &admin, "busy", false).await));
    assert_eq!(api.get("/api/v1/usecases").await.status, 200);
    let over = api.get("/api/v1/usecases").await;
    assert_eq!((over.status, &over.body["type"]), (429, &json!("/api/v1/problems/rate-limited")));
    assert!(over.retry_after.is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)));
}

#[tokio::test]
async fn tokens_page_lists_a_persons_own_and_an_administrator_sees_all() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let editor = t.sign_in("editor@example.com").await;
    make_token(&t, &admin, "admin's", false).await;
    make_token(&t, &editor, "editor's", true).await;
    let names = |body: String| -> Vec<String> {
        let rows: Vec<app::model::TokenRow> = serde_json::from_str(&body).unwrap();
        rows.into_iter().map(|r| r.name).collect()
    };
    assert_eq!(names(t.call(&editor, "list_tokens", &[]).await.1), ["editor's"]);
    assert_eq!(names(t.call(&admin, "list_tokens", &[]).await.1), ["editor's", "admin's"]);
    let admins: String = t.db(|c| {
        access_tokens::table.filter(access_tokens::name.eq("admin's")).select(access_tokens::id).first(c).unwrap()
    });
    assert_eq!(t.call(&editor, "revoke_token", &[("token_id", &admins)]).await.0, 403, "not theirs");
    for (name, days) in [("", "30"), ("long enough", "366"), ("zero", "0")] {
        let (status, body) = t.call(&admin, "create_token", &[("name", name), ("days", days)]).await;
        assert_eq!(status, 400, "{name} {days}: {body}");
    }
}

#[tokio::test]
async fn an_administrators_script_adds_a_person_grants_and_revokes() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let doc = document(&t).await;
    let api = Api::new(&t, Some(&make_token(&t, &admin, "onboarding", false).await));
    let usecase = t.default_usecase();

    let added = api.post("/api/v1/users", json!({ "email": "Partner@Acme.example", "role": "Editor" })).await;
    shaped(&doc, "POST", "/api/v1/users", &added);
    assert_eq!((added.status, &added.body["email"]), (201, &json!("partner@acme.example")));
    assert!(added.body["password_link"].as_str().unwrap().contains("/set-password?token="));
    let again = api.post("/api/v1/users", json!({ "email": "partner@acme.example", "role": "Editor" })).await;
    assert_eq!(again.status, 409, "{}", again.body);
    let people = api.get("/api/v1/users?search=acme").await;
    shaped(&doc, "GET", "/api/v1/users", &people);
    assert_eq!(people.body["users"][0]["status"], json!("Invited"));

    let partner = added.body["id"].as_str().unwrap();
    let grant = json!({ "user_id": partner, "usecase_id": usecase.id, "bucket": usecase.data_bucket(),
        "prefix": "partner-acme/", "list": true, "read": true, "write": true });
    let granted = api.post("/api/v1/permissions", grant).await;
    shaped(&doc, "POST", "/api/v1/permissions", &granted);
    assert_eq!((granted.status, &granted.body["state"]), (201, &json!("Active")), "{}", granted.body);
    let listed = api.get(&format!("/api/v1/permissions?user_id={partner}")).await;
    shaped(&doc, "GET", "/api/v1/permissions", &listed);
    assert_eq!(listed.body["permissions"].as_array().unwrap().len(), 1);
    let id = granted.body["id"].as_str().unwrap();
    let revoked = api.send("DELETE", &format!("/api/v1/permissions/{id}"), None).await;
    assert_eq!(revoked.status, 204);
    let listed = api.get(&format!("/api/v1/permissions?user_id={partner}")).await;
    assert_eq!(listed.body["permissions"], json!([]));

    let checked = api.get(&format!("/api/v1/usecases/{}/data-account/verify", usecase.id)).await;
    shaped(&doc, "GET", "/api/v1/usecases/{usecase_id}/data-account/verify", &checked);
    assert_eq!(checked.body["ok"], json!(true), "{}", checked.body);

    let ask = json!({ "bucket": usecase.data_bucket(), "key": "big.bin", "size": 20u64 << 20 });
    let plan = api.post(&format!("/api/v1/usecases/{}/data/upload-url", usecase.id), ask).await;
    let upload_id = plan.body["upload_id"].as_str().unwrap();
    let cancelled = api.send("DELETE", &format!("/api/v1/uploads/{upload_id}"), None).await;
    assert_eq!(cancelled.status, 204);
    let again = api.send("DELETE", &format!("/api/v1/uploads/{upload_id}"), None).await;
    assert!(again.status >= 400, "a cancelled upload is gone: {}", again.body);
}

#[tokio::test]
async fn files_by_their_record_list_download_upload_and_delete() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let doc = document(&t).await;
    let api = Api::new(&t, Some(&make_token(&t, &admin, "files", false).await));
    let usecase = t.default_usecase();
    let bucket = usecase.data_bucket().to_owned();
    let bytes = b"seed 002 says files".to_vec();

    let ask = json!({ "usecase_id": usecase.id, "bucket": bucket, "key": "docs/readme.txt", "size": bytes.len() });
    let plan = api.post("/api/v1/files", ask).await;
    shaped(&doc, "POST", "/api/v1/files", &plan);
    assert_eq!(put(plan.body["upload_url"].as_str().unwrap(), &plan.body["headers"], bytes.clone()).await, 200);
    let at = |tail: &str| format!("/api/v1/usecases/{}{tail}", usecase.id);
    api.post(&at("/data/upload-complete"), json!({ "bucket": bucket, "key": "docs/readme.txt" })).await;

    let listed = api.get(&format!("/api/v1/files?usecase_id={}&prefix=docs/", usecase.id)).await;
    shaped(&doc, "GET", "/api/v1/files", &listed);
    let file = &listed.body["files"][0];
    assert_eq!((&file["key"], &file["uploaded_by"]), (&json!("docs/readme.txt"), &json!("admin@example.com")));
    let id = file["id"].as_str().unwrap();

    let download = api.get(&format!("/api/v1/files/{id}/download")).await;
    assert_eq!(download.status, 303);
    let got = reqwest::get(download.location.unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), bytes.as_slice());

    assert_eq!(api.send("DELETE", &format!("/api/v1/files/{id}"), None).await.status, 204);
    assert_eq!(api.get(&format!("/api/v1/files/{id}/download")).await.status, 404, "gone with its object");
    assert_eq!(api.get("/api/v1/files").await.body["files"], json!([]));

    // The data account: the same buckets and folders under the seed's other names.
    let buckets = api.get(&at("/data-account/buckets")).await;
    shaped(&doc, "GET", "/api/v1/usecases/{usecase_id}/data-account/buckets", &buckets);
    let folders = api.get(&at(&format!("/data-account/buckets/{bucket}/folders?prefix="))).await;
    shaped(&doc, "GET", "/api/v1/usecases/{usecase_id}/data-account/buckets/{bucket}/folders", &folders);
    assert_eq!(folders.body["bucket"], json!(bucket));
    let local = api.post(&at("/data-account"), json!({ "separate_data_account": false })).await;
    shaped(&doc, "POST", "/api/v1/usecases/{usecase_id}/data-account", &local);
    assert_eq!(local.status, 400, "the embedded usecase has no AWS account to verify: {}", local.body);
    let mut acme =
        app::core::db::models::Usecase::same_account(&usecase.tenant_id, "Acme", "123456789012", &bucket, "us-east-1");
    acme.external_id = "acme-external-id".into();
    t.db(|c| diesel::insert_into(app::core::db::schema::usecases::table).values(&acme).execute(c).unwrap());
    let at = |tail: &str| format!("/api/v1/usecases/{}{tail}", acme.id);
    let saved = api.post(&at("/data-account"), json!({ "separate_data_account": false })).await;
    shaped(&doc, "POST", "/api/v1/usecases/{usecase_id}/data-account", &saved);
    assert_eq!(saved.body["saved"], json!(true), "{}", saved.body);
    let wrong = json!({ "separate_data_account": true, "data_account_id": "123456789012",
        "data_account_role_arn": "arn:aws:iam::123456789012:role/Nope", "data_s3_bucket": "nope-bucket" });
    let refused = api.post(&at("/data-account"), wrong).await;
    shaped(&doc, "POST", "/api/v1/usecases/{usecase_id}/data-account", &refused);
    assert_eq!((refused.status, &refused.body["saved"]), (422, &json!(false)), "{}", refused.body);
}
