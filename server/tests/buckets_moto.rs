//! Bucket creation against moto in its default mode, which behaves like S3
//! about names and settings (signatures are tested on the embedded endpoint).

mod common;

use app::core::CoreError;
use app::core::aws::{S3Gateway, S3Settings};
use app::core::bucket_settings::{BucketSetup, create_bucket};
use common::moto::{Moto, start_moto, venv_bin};

async fn portal(moto: &Moto) -> S3Gateway {
    S3Gateway::new(S3Settings {
        endpoint: Some(moto.url.clone()),
        sts_endpoint: Some(moto.url.clone()),
        region: "us-east-1".into(),
        static_credentials: Some(("AKIAPORTALPORTALPORT".into(), "secret".into())),
        timeouts: Default::default(),
        embedded: false,
    })
    .await
}

fn setup(name: &str, region: &str) -> BucketSetup {
    BucketSetup {
        name: name.into(),
        region: region.into(),
        origins: vec!["https://dataport.example.com".into()],
        sagemaker_role_arn: Some("arn:aws:iam::123456789012:role/SageMakerExecution".into()),
        kms_key_arn: None,
        on_aws: true,
    }
}

/// moto answers GetBucketVersioning with a root element real S3 does not
/// use, which aws-sdk-s3 cannot read; boto3 can, so it checks that one.
fn versioning_status(moto: &Moto, bucket: &str) -> String {
    let script = "import boto3,sys; c=boto3.client('s3',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='AKIAPORTALPORTALPORT',aws_secret_access_key='secret'); print(c.get_bucket_versioning(Bucket=sys.argv[2]).get('Status',''))";
    let out = std::process::Command::new(venv_bin("python")).args(["-c", script, &moto.url, bucket]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn failures(report: &app::model::BucketReport) -> Vec<&str> {
    // See `versioning_status`: on moto the versioning read-back is done by boto3.
    report.checks.iter().filter(|c| !c.ok && c.setting != "Versioning").map(|c| c.setting.as_str()).collect()
}

#[tokio::test]
async fn bucket_creation_applies_and_reads_back_every_setting() {
    let moto = start_moto(0);
    let gateway = portal(&moto).await;
    let report = create_bucket(gateway.portal_client(), &setup("acme-training", "eu-west-1"), false).await.unwrap();
    assert!(report.created);
    assert_eq!(failures(&report), Vec::<&str>::new(), "{:?}", report.checks);
    assert_eq!(versioning_status(&moto, "acme-training"), "Enabled");
    assert_eq!(report.checks.len(), 6);
    let policy = gateway.portal_client().get_bucket_policy().bucket("acme-training").send().await.unwrap();
    let text = policy.policy().unwrap();
    assert!(text.contains("DataportSageMakerRead") && text.contains("DataportDenyInsecureTransport"), "{text}");
    let location = gateway.portal_client().get_bucket_location().bucket("acme-training").send().await.unwrap();
    assert_eq!(location.location_constraint().map(|l| l.as_str()), Some("eu-west-1"));
}

#[tokio::test]
async fn a_bucket_we_own_is_offered_for_adoption() {
    let moto = start_moto(0);
    let gateway = portal(&moto).await;
    create_bucket(gateway.portal_client(), &setup("acme-owned", "us-east-1"), false).await.unwrap();
    let again = create_bucket(gateway.portal_client(), &setup("acme-owned", "us-east-1"), false).await;
    match again {
        Err(CoreError::Conflict(m)) => assert!(m.contains("already owns") && m.contains("Adopt"), "{m}"),
        other => panic!("expected an adoption offer, got {other:?}"),
    }
    // Someone replaced the policy by hand; adopting merges ours back and keeps theirs.
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-owned/shared/*"}]}"#;
    gateway.portal_client().put_bucket_policy().bucket("acme-owned").policy(theirs).send().await.unwrap();
    let adopted = create_bucket(gateway.portal_client(), &setup("acme-owned", "us-east-1"), true).await.unwrap();
    let policy = gateway.portal_client().get_bucket_policy().bucket("acme-owned").send().await.unwrap();
    let text = policy.policy().unwrap();
    assert!(text.contains("PartnerRead") && text.contains("DataportSageMakerRead"), "{text}");
    assert!(!adopted.created);
    assert_eq!(failures(&adopted), Vec::<&str>::new(), "{:?}", adopted.checks);
}

#[tokio::test]
async fn a_name_taken_by_another_account_is_reported() {
    let moto = start_moto(0);
    let gateway = portal(&moto).await;
    // Another account (111111111111) takes the name first.
    let other = gateway
        .assume(&app::core::aws::RoleRef {
            role_arn: "arn:aws:iam::111111111111:role/Other".into(),
            external_id: "x".into(),
        })
        .await
        .unwrap();
    gateway.client_with(other).create_bucket().bucket("acme-taken").send().await.unwrap();
    let result = create_bucket(gateway.portal_client(), &setup("acme-taken", "us-east-1"), false).await;
    match result {
        Err(CoreError::Conflict(m)) => assert!(m.contains("taken by another AWS account"), "{m}"),
        other => panic!("expected BucketAlreadyExists, got {other:?}"),
    }
}
