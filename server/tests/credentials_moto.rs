//! Temporary keys on AWS: the portal runs against moto's S3 and STS, and a
//! recorder between the portal and STS keeps what AssumeRole was sent, so
//! that the test sees the role, the external ID and the session policy
//! built from the person's grant.

mod common;

use app::core::db::models::Usecase;
use app::core::db::schema::usecases;
use app::model::Role;
use axum::body::Bytes;
use common::TestPortal;
use common::moto::{start_moto, venv_bin};
use common::rest::{Api, make_token};
use diesel::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const EXTERNAL_ID: &str = "5a1c7f0e-8d2b-4c61-9f3e-2b7d1e0c4a99";

/// Forwards every request to `upstream` and keeps the bodies of AssumeRole calls.
async fn recorder(upstream: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let forward = move |req: axum::extract::Request| {
        let (upstream, kept) = (upstream.clone(), kept.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body: Bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let text = String::from_utf8_lossy(&body).into_owned();
            if text.contains("Action=AssumeRole") {
                kept.lock().unwrap().push(text);
            }
            let url = format!("{upstream}{}", parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
            let mut out = reqwest::Client::new().request(parts.method, url).body(body.to_vec());
            for (k, v) in parts.headers.iter().filter(|(k, _)| *k != "host") {
                out = out.header(k, v);
            }
            let resp = out.send().await.unwrap();
            let status = resp.status();
            (status, resp.bytes().await.unwrap().to_vec())
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().fallback(forward)).await.unwrap() });
    (url, seen)
}

/// The form parameters of a recorded request.
fn params(body: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://form/?{body}")).unwrap();
    url.query_pairs().into_owned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_aws_come_from_assume_role_with_the_grant_as_session_policy() {
    let moto = start_moto(0);
    let script = r#"
import boto3, json, sys
c = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="portal", aws_secret_access_key="portal")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
role = boto3.client("iam", **c).create_role(RoleName="DataportData", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
boto3.client("s3", **c).create_bucket(Bucket="acme-training-data")
print(role["Arn"])
"#;
    let out = std::process::Command::new(venv_bin("python")).args(["-c", script, &moto.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let role_arn = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (sts, seen) = recorder(moto.url.clone()).await;

    let t = TestPortal::start_with(|a| {
        a.s3_endpoint = Some(moto.url.clone());
        a.sts_endpoint = Some(sts.clone());
        a.s3_access_key_id = Some("portal".into());
        a.s3_secret_access_key = Some("portal".into());
    })
    .await;
    t.admin().await;
    let tenant = t.default_usecase().tenant_id;
    let mut usecase = Usecase::same_account(&tenant, "Acme", "123456789012", "acme-training-data", "us-east-1");
    usecase.cross_account_role_arn = Some(role_arn.clone());
    usecase.external_id = EXTERNAL_ID.into();
    t.db(|c| diesel::insert_into(usecases::table).values(&usecase).execute(c).unwrap());
    let partner = t.add_user(&tenant, "partner@acme.example", Role::Viewer);
    t.grant(&partner, &usecase, "partner-acme/", false);
    let browser = t.sign_in("partner@acme.example").await;
    let api = Api::new(&t, Some(&make_token(&t, &browser, "cli", false).await));

    let ask =
        json!({ "usecase_id": usecase.id, "bucket": "acme-training-data", "prefix": "partner-acme/", "minutes": 30 });
    let issued = api.post("/api/v1/credentials", ask).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    assert!(issued.body["access_key_id"].as_str().unwrap().starts_with("ASIA"), "{}", issued.body);
    assert!(!issued.body["session_token"].as_str().unwrap().is_empty());
    assert_eq!(issued.body["rights"], json!(["list", "read"]), "a viewer's keys only read");

    let calls = seen.lock().unwrap().clone();
    let with_policy: Vec<_> =
        calls.iter().map(|c| params(c)).filter(|p| p.iter().any(|(k, _)| k == "Policy")).collect();
    assert_eq!(with_policy.len(), 1, "{calls:?}");
    let get = |name: &str| with_policy[0].iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("RoleArn"), role_arn);
    assert_eq!(get("ExternalId"), EXTERNAL_ID);
    assert_eq!(get("DurationSeconds"), "1800");
    let policy: Value = serde_json::from_str(&get("Policy")).unwrap();
    let expected = json!({ "Version": "2012-10-17", "Statement": [
        { "Sid": "ListTheLocation", "Effect": "Allow", "Action": "s3:ListBucket",
          "Resource": "arn:aws:s3:::acme-training-data",
          "Condition": { "StringLike": { "s3:prefix": ["partner-acme/*"] } } },
        { "Sid": "ObjectsInTheLocation", "Effect": "Allow", "Action": ["s3:GetObject"],
          "Resource": "arn:aws:s3:::acme-training-data/partner-acme/*" } ] });
    assert_eq!(policy, expected);
    assert_eq!(t.audit_count("credentials.issue", "success"), 1);
}
