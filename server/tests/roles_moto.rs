//! Role assumption and data-access verification against moto's STS, IAM
//! and S3 in server mode, with IAM authorization on, so that trust policies
//! and the external-ID condition are enforced.

mod common;

use app::core::aws::{RoleRef, S3Gateway, S3Settings};
use app::core::verify::verify_data_access;
use common::moto::{Moto, start_moto, venv_bin};
use std::process::Command;

const EXTERNAL_ID: &str = "0b6f2f5e-5d8a-4bd2-9d57-1c1f3f7f2a10";

/// What the test setup made in moto.
struct Account {
    access_key: String,
    secret_key: String,
    role_arn: String,
}

/// Creates the portal's IAM user (allowed everything), a data role that
/// trusts exactly that user with the external ID, and a bucket.
fn set_up_account(moto: &Moto) -> Account {
    let script = r#"
import boto3, json, sys
url, external_id = sys.argv[1], sys.argv[2]
anon = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **anon)
user = iam.create_user(UserName="dataport-portal")["User"]
key = iam.create_access_key(UserName="dataport-portal")["AccessKey"]
allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
iam.put_user_policy(UserName="dataport-portal", PolicyName="all", PolicyDocument=json.dumps(allow_all))
# From here on moto checks every request against IAM.
portal = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}
iam = boto3.client("iam", **portal)
role = iam.create_role(RoleName="DataportDataAccess", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
s3_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_role_policy(RoleName="DataportDataAccess", PolicyName="s3", PolicyDocument=json.dumps(s3_all))
boto3.client("s3", **portal).create_bucket(Bucket="acme-training-data")
print(json.dumps({"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"], "role_arn": role["Arn"]}))
"#;
    let out = Command::new(venv_bin("python")).args(["-c", script, &moto.url, EXTERNAL_ID]).output().expect("python");
    assert!(out.status.success(), "setup failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Account {
        access_key: v["access_key"].as_str().unwrap().into(),
        secret_key: v["secret_key"].as_str().unwrap().into(),
        role_arn: v["role_arn"].as_str().unwrap().into(),
    }
}

async fn portal_gateway(moto: &Moto, account: &Account) -> S3Gateway {
    S3Gateway::new(S3Settings {
        endpoint: Some(moto.url.clone()),
        sts_endpoint: Some(moto.url.clone()),
        region: "us-east-1".into(),
        static_credentials: Some((account.access_key.clone(), account.secret_key.clone())),
        timeouts: Default::default(),
        embedded: false,
    })
    .await
}

fn outcome(checks: &[app::model::SettingCheck]) -> Vec<(&str, bool)> {
    checks.iter().map(|c| (c.setting.as_str(), c.ok)).collect()
}

#[tokio::test]
async fn verification_passes_with_the_right_external_id() {
    let moto = start_moto(3);
    let account = set_up_account(&moto);
    let gateway = portal_gateway(&moto, &account).await;
    let role = RoleRef { role_arn: account.role_arn.clone(), external_id: EXTERNAL_ID.into() };
    let checks = verify_data_access(&gateway, &role, "123456789012", "acme-training-data").await;
    assert_eq!(
        outcome(&checks),
        [("Assume role", true), ("Account", true), ("Bucket reachable", true), ("Bucket writable", true)],
        "{checks:?}"
    );
}

#[tokio::test]
async fn a_wrong_external_id_is_refused_with_what_to_fix() {
    let moto = start_moto(3);
    let account = set_up_account(&moto);
    let gateway = portal_gateway(&moto, &account).await;
    let role = RoleRef { role_arn: account.role_arn.clone(), external_id: "not-the-one".into() };
    let checks = verify_data_access(&gateway, &role, "123456789012", "acme-training-data").await;
    assert_eq!(outcome(&checks), [("Assume role", false)]);
    let m = &checks[0].message;
    assert!(m.contains("AccessDenied") || m.contains("HTTP 403"), "{m}");
    assert!(checks[0].message.contains("sts:ExternalId = not-the-one"), "{}", checks[0].message);
}

#[tokio::test]
async fn a_missing_external_id_is_never_sent() {
    let moto = start_moto(3);
    let account = set_up_account(&moto);
    let gateway = portal_gateway(&moto, &account).await;
    // moto would accept a missing external ID; the portal refuses to try.
    let role = RoleRef { role_arn: account.role_arn.clone(), external_id: String::new() };
    let checks = verify_data_access(&gateway, &role, "123456789012", "acme-training-data").await;
    assert_eq!(outcome(&checks), [("Assume role", false)]);
    assert!(checks[0].message.contains("never assumes a role without one"), "{}", checks[0].message);
}

#[tokio::test]
async fn a_wrong_account_or_bucket_is_named() {
    let moto = start_moto(3);
    let account = set_up_account(&moto);
    let gateway = portal_gateway(&moto, &account).await;
    let role = RoleRef { role_arn: account.role_arn.clone(), external_id: EXTERNAL_ID.into() };
    let checks = verify_data_access(&gateway, &role, "111122223333", "acme-training-data").await;
    assert_eq!(outcome(&checks), [("Assume role", true), ("Account", false)]);
    assert!(checks[1].message.contains("123456789012"), "{}", checks[1].message);

    let checks = verify_data_access(&gateway, &role, "123456789012", "no-such-bucket-here").await;
    assert_eq!(outcome(&checks), [("Assume role", true), ("Account", true), ("Bucket reachable", false)]);
    assert!(checks[2].message.contains("NoSuchBucket"), "{}", checks[2].message);
}

/// Replaces the role's trust policy so that it wants another external ID.
fn change_required_external_id(moto: &Moto, account: &Account, external_id: &str) {
    let script = r#"
import boto3, json, sys
url, key, secret, external_id = sys.argv[1:5]
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
user = iam.get_user(UserName="dataport-portal")["User"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}
iam.update_assume_role_policy(RoleName="DataportDataAccess", PolicyDocument=json.dumps(trust))
"#;
    let out = Command::new(venv_bin("python"))
        .args(["-c", script, &moto.url, &account.access_key, &account.secret_key, external_id])
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn assumed_clients_are_cached_per_usecase_and_forgotten_on_change() {
    let moto = start_moto(3);
    let account = set_up_account(&moto);
    let gateway = portal_gateway(&moto, &account).await;
    let role = RoleRef { role_arn: account.role_arn.clone(), external_id: EXTERNAL_ID.into() };
    let client = gateway.client_as(&"usecase-1".into(), &role).await.unwrap();
    assert!(client.list_objects_v2().bucket("acme-training-data").send().await.is_ok());

    // The role now trusts another external ID: only the cached credentials still work.
    change_required_external_id(&moto, &account, "rotated-external-id");
    assert!(gateway.client_as(&"usecase-1".into(), &role).await.is_ok(), "the cached client is reused");
    assert!(gateway.client_as(&"usecase-2".into(), &role).await.is_err(), "another usecase assumes afresh");

    // After the usecase changes, nothing cached is used.
    gateway.forget(&"usecase-1".into());
    assert!(gateway.client_as(&"usecase-1".into(), &role).await.is_err());
    let rotated = RoleRef { role_arn: account.role_arn.clone(), external_id: "rotated-external-id".into() };
    assert!(gateway.client_as(&"usecase-1".into(), &rotated).await.is_ok());
}
