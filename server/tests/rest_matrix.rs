//! Every route of the REST API, listed from the router's own OpenAPI
//! document, against every kind of caller: no token, another
//! organization's administrator, a viewer with a read grant, and an
//! administrator's read-only token. A route without a row fails the test;
//! every refusal of a known token is audited.

mod common;

use app::core::db::schema::audit_events;
use app::model::Role;
use common::TestPortal;
use common::rest::{Api, document, make_token};
use diesel::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// What a route does, which decides who may call it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Reads data the caller's grants reach.
    Read,
    /// Writes or deletes data.
    Write,
    /// Administrators only, reading.
    AdminRead,
    /// Administrators only, changing something.
    AdminWrite,
    /// Administrators only, adding to their own organization (another
    /// organization's administrator adds to theirs).
    OwnAdminWrite,
}

/// Each row: method, path as the document names it, a valid body, and its kind.
fn rows(bucket: &str, usecase: &str, viewer: &str) -> Vec<(&'static str, &'static str, Option<Value>, Kind)> {
    let object = |key: &str| Some(json!({ "bucket": bucket, "key": key }));
    vec![
        ("get", "/api/v1/usecases", None, Kind::Read),
        ("get", "/api/v1/usecases/{usecase_id}", None, Kind::Read),
        // Verifying records what it found on the usecase.
        ("get", "/api/v1/usecases/{usecase_id}/data-account/verify", None, Kind::AdminWrite),
        ("get", "/api/v1/usecases/{usecase_id}/data/buckets", None, Kind::Read),
        (
            "post",
            "/api/v1/usecases/{usecase_id}/data-account",
            Some(json!({ "separate_data_account": false })),
            Kind::AdminWrite,
        ),
        ("get", "/api/v1/usecases/{usecase_id}/data-account/buckets", None, Kind::Read),
        (
            "get",
            "/api/v1/usecases/{usecase_id}/data-account/buckets/{bucket}/folders?prefix=granted/",
            None,
            Kind::Read,
        ),
        ("get", "/api/v1/files", None, Kind::Read),
        (
            "post",
            "/api/v1/files",
            Some(json!({ "usecase_id": usecase, "bucket": bucket, "key": "granted/f.csv", "size": 1 })),
            Kind::Write,
        ),
        ("get", "/api/v1/files/{file_id}/download", None, Kind::Read),
        ("delete", "/api/v1/files/{file_id}", None, Kind::Write),
        (
            "post",
            "/api/v1/usecases/{usecase_id}/data/buckets",
            Some(json!({ "bucket_name": "matrix-made", "region": "us-east-1" })),
            Kind::AdminWrite,
        ),
        ("get", "/api/v1/usecases/{usecase_id}/data/folders?bucket={bucket}&prefix=granted/", None, Kind::Read),
        (
            "post",
            "/api/v1/usecases/{usecase_id}/data/folders",
            Some(json!({ "bucket": bucket, "folder_path": "granted/made/" })),
            Kind::Write,
        ),
        (
            "post",
            "/api/v1/usecases/{usecase_id}/data/upload-url",
            Some(json!({ "bucket": bucket, "key": "granted/new.csv", "size": 1 })),
            Kind::Write,
        ),
        (
            "post",
            "/api/v1/usecases/{usecase_id}/data/batch-upload-urls",
            Some(json!({ "bucket": bucket, "prefix": "granted/", "files": [{ "filename": "n.csv", "size": 1 }] })),
            Kind::Write,
        ),
        ("post", "/api/v1/usecases/{usecase_id}/data/upload-complete", object("granted/a.csv"), Kind::Write),
        ("post", "/api/v1/usecases/{usecase_id}/data/download-url", object("granted/a.csv"), Kind::Read),
        (
            "delete",
            "/api/v1/usecases/{usecase_id}/data/objects",
            Some(json!({ "bucket": bucket, "keys": ["granted/b.csv"] })),
            Kind::Write,
        ),
        ("post", "/api/v1/uploads/{upload_id}/parts", Some(json!({ "parts": [] })), Kind::Write),
        ("post", "/api/v1/uploads/{upload_id}/complete", Some(json!({ "parts": [] })), Kind::Write),
        ("delete", "/api/v1/uploads/{upload_id}", None, Kind::Write),
        (
            "post",
            "/api/v1/credentials",
            Some(json!({ "usecase_id": usecase, "bucket": bucket, "prefix": "granted/" })),
            Kind::Read,
        ),
        ("get", "/api/v1/audit", None, Kind::AdminRead),
        ("get", "/api/v1/me/activity", None, Kind::Read),
        ("get", "/api/v1/permissions", None, Kind::AdminRead),
        (
            "post",
            "/api/v1/permissions",
            Some(
                json!({ "user_id": viewer, "usecase_id": usecase, "bucket": bucket, "prefix": "more/", "list": true }),
            ),
            Kind::AdminWrite,
        ),
        ("delete", "/api/v1/permissions/{permission_id}", None, Kind::AdminWrite),
        ("get", "/api/v1/users", None, Kind::AdminRead),
        ("post", "/api/v1/users", Some(json!({ "email": "new@example.com", "role": "Viewer" })), Kind::OwnAdminWrite),
    ]
}

fn template(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

#[tokio::test]
async fn every_route_refuses_whom_it_should_and_audits_it() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let bucket = usecase.data_bucket().to_owned();
    let s3 = t.s3().await;
    for key in ["granted/a.csv", "granted/b.csv"] {
        s3.put_object().bucket(&bucket).key(key).body(b"x".to_vec().into()).send().await.unwrap();
    }
    let viewer_id = t.add_user(&usecase.tenant_id, "viewer@example.com", Role::Viewer);
    t.grant(&viewer_id, &usecase, "granted/", false);
    let viewer = t.sign_in("viewer@example.com").await;
    let (other_tenant, _) = t.other_tenant();
    t.add_user(&other_tenant, "admin@other.example", Role::Admin);
    let stranger = t.sign_in("admin@other.example").await;

    let owner = Api::new(&t, Some(&make_token(&t, &admin, "owner", false).await));
    let callers = [
        ("no token", Api::new(&t, None)),
        ("another organization", Api::new(&t, Some(&make_token(&t, &stranger, "stranger", false).await))),
        ("viewer", Api::new(&t, Some(&make_token(&t, &viewer, "viewer", false).await))),
        ("read-only admin", Api::new(&t, Some(&make_token(&t, &admin, "read-only", true).await))),
    ];
    let planned = owner
        .post(
            &format!("/api/v1/usecases/{}/data/upload-url", usecase.id),
            json!({ "bucket": bucket, "key": "granted/big.bin", "size": 20u64 << 20 }),
        )
        .await;
    let upload_id = planned.body["upload_id"].as_str().expect("a multipart plan").to_owned();
    let recorded = owner
        .post(
            &format!("/api/v1/usecases/{}/data/upload-complete", usecase.id),
            json!({ "bucket": bucket, "key": "granted/a.csv" }),
        )
        .await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let file_id = owner.get("/api/v1/files").await.body["files"][0]["id"].as_str().unwrap().to_owned();

    let doc = document(&t).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{method} {path}"));
        }
    }
    let table = rows(&bucket, usecase.id.as_str(), viewer_id.as_str());
    let grant_id: String = t.db(|c| {
        use app::core::db::schema::grants;
        grants::table.filter(grants::user_id.eq(&viewer_id)).select(grants::id).first(c).unwrap()
    });
    let covered: BTreeSet<String> = table.iter().map(|(m, p, _, _)| format!("{m} {}", template(p))).collect();
    assert_eq!(documented, covered, "every route has a row, and every row a route");

    let denied = || -> i64 {
        t.db(|c| audit_events::table.filter(audit_events::outcome.eq("denied")).count().get_result(c).unwrap())
    };
    let mut surprises = Vec::new();
    for (method, path, body, kind) in &table {
        let url = path
            .replace("{usecase_id}", usecase.id.as_str())
            .replace("{upload_id}", &upload_id)
            .replace("{permission_id}", &grant_id)
            .replace("{file_id}", &file_id)
            .replace("{bucket}", &bucket);
        // Credentials name their usecase in the body; file ids are of one organization.
        let usecase_scoped = path.contains("{usecase_id}")
            || path.contains("{file_id}")
            || *path == "/api/v1/credentials"
            || (*path == "/api/v1/files" && *method == "post");
        for (who, api) in &callers {
            let before = denied();
            let answer = api.send(&method.to_uppercase(), &url, body.clone()).await;
            let status = answer.status;
            let expected: &[u16] = match (*who, kind) {
                ("no token", _) => &[401],
                ("another organization", _) if usecase_scoped => &[404],
                // Upload and grant ids are not a usecase's: not theirs. A
                // grant naming this organization's person is bad input there.
                ("another organization", Kind::Write | Kind::AdminWrite) => &[400, 403, 404],
                ("another organization", Kind::OwnAdminWrite) => &[201],
                // Their own organization's lists and trail.
                ("another organization", Kind::Read | Kind::AdminRead) => &[200, 201, 303],
                ("viewer", Kind::Read) => &[200, 201, 303],
                ("viewer" | "read-only admin", Kind::Write | Kind::AdminWrite | Kind::OwnAdminWrite) => &[403],
                ("viewer", Kind::AdminRead) => &[403],
                ("read-only admin", Kind::Read | Kind::AdminRead) => &[200, 201, 303],
                _ => unreachable!(),
            };
            if !expected.contains(&status) {
                surprises.push(format!("{method} {url} as {who}: {status} {}", answer.body));
                continue;
            }
            if status >= 400 && answer.content_type != "application/problem+json" {
                surprises.push(format!("{method} {url} as {who}: {status} without problem details"));
            }
            if matches!(status, 403 | 404) && denied() == before {
                surprises.push(format!("{method} {url} as {who}: refused unaudited"));
            }
            // Another organization's reads show only its own things; its
            // own trail names what it tried here, and nothing else of this one.
            if *who == "another organization" && status == 200 {
                let text = answer.body.to_string();
                let events = answer.body["events"].as_array();
                let leak = match events {
                    Some(events) => events.iter().any(|e| e["user"] != json!("admin@other.example")),
                    None => text.contains(usecase.id.as_str()) || text.contains("granted/"),
                };
                if leak {
                    surprises.push(format!("{method} {url} as {who}: shows this organization: {text}"));
                }
            }
        }
    }
    assert!(surprises.is_empty(), "{}", surprises.join("\n"));
}
