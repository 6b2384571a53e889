//! Temporary S3 keys for command-line tools on the embedded endpoint, used
//! by boto3 as `aws` and friends use them: inside the granted folder they
//! work, anywhere else they are refused, and revoking the grant or reaching
//! the expiry ends them.

mod common;

use app::core::db::schema::{grants, s3_credentials};
use app::model::Role;
use common::TestPortal;
use common::moto::venv_bin;
use common::rest::{Api, make_token};
use diesel::prelude::*;
use serde_json::{Value, json};

/// Tries each S3 call with the keys and prints what happened to each.
const PROBE: &str = r#"
import boto3, json, sys
from botocore.config import Config
from botocore.exceptions import ClientError
c = json.loads(sys.argv[1])
s3 = boto3.client("s3", endpoint_url=c["endpoint_url"], region_name=c["region"],
    aws_access_key_id=c["access_key_id"], aws_secret_access_key=c["secret_access_key"],
    aws_session_token=c.get("token_override", c["session_token"]),
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                  request_checksum_calculation="when_required", response_checksum_validation="when_required"))
b = c["bucket"]
calls = {
    "list inside": lambda: s3.list_objects_v2(Bucket=b, Prefix="partner-acme/"),
    "put inside": lambda: s3.put_object(Bucket=b, Key="partner-acme/from-cli.txt", Body=b"made by a script"),
    "get inside": lambda: s3.get_object(Bucket=b, Key="partner-acme/from-cli.txt")["Body"].read(),
    "list the bucket": lambda: s3.list_objects_v2(Bucket=b, Prefix=""),
    "list a sibling": lambda: s3.list_objects_v2(Bucket=b, Prefix="partner-acme-finance/"),
    "get a sibling": lambda: s3.get_object(Bucket=b, Key="partner-acme-finance/salaries.csv"),
    "put a sibling": lambda: s3.put_object(Bucket=b, Key="elsewhere/x.txt", Body=b"x"),
    "another bucket": lambda: s3.list_objects_v2(Bucket="other-bucket", Prefix="partner-acme/"),
    "delete without the right": lambda: s3.delete_object(Bucket=b, Key="partner-acme/from-cli.txt"),
    "delete many without the right": lambda: s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "partner-acme/from-cli.txt"}]}),
    "copy in": lambda: s3.copy_object(Bucket=b, Key="partner-acme/copy.csv", CopySource=f"{b}/partner-acme-finance/salaries.csv"),
    "list buckets": lambda: s3.list_buckets(),
}
out = {}
for name in sys.argv[2].split(","):
    try:
        calls[name]()
        out[name] = "ok"
    except ClientError as e:
        out[name] = e.response["Error"]["Code"]
print(json.dumps(out))
"#;

async fn probe(keys: &Value, calls: &[&str]) -> Value {
    let (keys, calls) = (keys.to_string(), calls.join(","));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(venv_bin("python")).args(["-c", PROBE, &keys, &calls]).output().expect("python")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_keys_open_the_granted_folder_and_nothing_else_until_revoked_or_expired() {
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let bucket = usecase.data_bucket().to_owned();
    let s3 = t.s3().await;
    s3.put_object()
        .bucket(&bucket)
        .key("partner-acme-finance/salaries.csv")
        .body(b"secret".to_vec().into())
        .send()
        .await
        .unwrap();
    s3.create_bucket().bucket("other-bucket").send().await.unwrap();
    let partner = t.add_user(&usecase.tenant_id, "partner@acme.example", Role::Editor);
    t.grant(&partner, &usecase, "partner-acme/", true);
    let browser = t.sign_in("partner@acme.example").await;
    let api = Api::new(&t, Some(&make_token(&t, &browser, "cli", false).await));

    let ask = json!({ "usecase_id": usecase.id, "bucket": bucket, "prefix": "partner-acme/" });
    let issued = api.post("/api/v1/credentials", ask.clone()).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let keys = issued.body;
    assert_eq!(keys["rights"], json!(["list", "read", "write"]));
    assert!(keys["shell"].as_str().unwrap().contains("export AWS_SESSION_TOKEN="));
    assert!(keys["example"].as_str().unwrap().starts_with("aws s3 sync ./data s3://dataport-data/partner-acme/"));
    let outside =
        api.post("/api/v1/credentials", json!({ "usecase_id": usecase.id, "bucket": bucket, "prefix": "" })).await;
    assert_eq!(outside.status, 403, "no keys for a place without a grant");
    assert_eq!(t.audit_count("credentials.issue", "success"), 1);

    let all = [
        "list inside",
        "put inside",
        "get inside",
        "list the bucket",
        "list a sibling",
        "get a sibling",
        "put a sibling",
        "another bucket",
        "delete without the right",
        "delete many without the right",
        "copy in",
        "list buckets",
    ];
    let got = probe(&keys, &all).await;
    for (call, outcome) in got.as_object().unwrap() {
        let inside = call.ends_with("inside");
        assert_eq!(outcome == "ok", inside, "{call}: {outcome}");
    }
    let kept = s3.get_object().bucket(&bucket).key("partner-acme/from-cli.txt").send().await.unwrap();
    assert_eq!(kept.body.collect().await.unwrap().into_bytes().as_ref(), b"made by a script", "not deleted");

    // A stolen key without its session token is nothing.
    let mut wrong = keys.clone();
    wrong["token_override"] = json!("0".repeat(64));
    assert_eq!(probe(&wrong, &["list inside"]).await["list inside"], json!("AccessDenied"));

    // Revoking the grant ends the keys at once.
    t.db(|c| diesel::delete(grants::table.filter(grants::user_id.eq(&partner))).execute(c).unwrap());
    assert_eq!(probe(&keys, &["list inside"]).await["list inside"], json!("AccessDenied"));

    // And so does their expiry.
    t.grant(&partner, &usecase, "partner-acme/", true);
    let fresh = api.post("/api/v1/credentials", ask).await.body;
    assert_eq!(probe(&fresh, &["list inside"]).await["list inside"], json!("ok"));
    t.db(|c| diesel::update(s3_credentials::table).set(s3_credentials::expires_at.eq(1)).execute(c).unwrap());
    assert_eq!(probe(&fresh, &["list inside"]).await["list inside"], json!("AccessDenied"));
}

#[tokio::test]
async fn keys_of_a_read_only_token_only_read() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let api = Api::new(&t, Some(&make_token(&t, &admin, "reader", true).await));
    let ask = json!({ "usecase_id": usecase.id, "bucket": usecase.data_bucket(), "prefix": "reports/", "minutes": 15 });
    let issued = api.post("/api/v1/credentials", ask).await;
    assert_eq!((issued.status, &issued.body["rights"]), (201, &json!(["list", "read"])), "{}", issued.body);
    let too_long = json!({ "usecase_id": usecase.id, "bucket": usecase.data_bucket(), "prefix": "", "minutes": 61 });
    let refused = api.post("/api/v1/credentials", too_long).await;
    assert_eq!(refused.status, 400);
}
