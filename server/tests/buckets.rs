//! Buckets, folders and data sources through the portal's server functions,
//! against the embedded S3 endpoint.

mod common;

use app::core::db::schema::usecases;
use app::error::AppError;
use app::model::{BucketReport, Listing, Role, UsecaseSummary};
use aws_sdk_s3::types::BucketVersioningStatus;
use common::{TestPortal, error_of};
use diesel::prelude::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/SageMakerExecution";

fn create_form<'a>(usecase_id: &'a str, name: &'a str, adopt: &'a str) -> [(&'a str, &'a str); 4] {
    [("usecase_id", usecase_id), ("name", name), ("region", "us-east-1"), ("adopt", adopt)]
}

#[tokio::test]
async fn a_new_bucket_gets_every_recommended_setting_read_back() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let id = usecase.id.clone();
    t.db(|c| {
        diesel::update(usecases::table.find(&id))
            .set(usecases::sagemaker_execution_role_arn.eq(Some(ROLE)))
            .execute(c)
            .unwrap()
    });
    let (status, body) =
        t.call(&admin, "create_bucket", &create_form(usecase.id.as_str(), "training-data", "false")).await;
    assert_eq!(status, 200, "{body}");
    let report: BucketReport = serde_json::from_str(&body).unwrap();
    assert!(report.created);
    let settings: Vec<_> = report.checks.iter().map(|c| (c.setting.as_str(), c.ok)).collect();
    assert_eq!(
        settings,
        [
            ("Versioning", true),
            ("Default encryption", true),
            ("Public access block", true),
            ("Bucket policy", true),
            ("CORS for browser uploads", true),
            ("Abort incomplete uploads", true),
        ]
    );
    // What S3 itself now says about the bucket.
    let s3 = t.s3().await;
    let v = s3.get_bucket_versioning().bucket("training-data").send().await.unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let policy = s3.get_bucket_policy().bucket("training-data").send().await.unwrap();
    assert!(policy.policy().unwrap().contains(ROLE));
    let cors = s3.get_bucket_cors().bucket("training-data").send().await.unwrap();
    assert!(cors.cors_rules()[0].allowed_origins().contains(&t.portal.url));
    let pab = s3.get_public_access_block().bucket("training-data").send().await.unwrap();
    assert_eq!(pab.public_access_block_configuration().unwrap().block_public_policy(), Some(true));
    assert_eq!(t.audit_count("bucket.create", "success"), 1);
}

#[tokio::test]
async fn an_existing_bucket_of_ours_is_offered_for_adoption() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    // The default bucket already exists on the endpoint.
    let (status, body) =
        t.call(&admin, "create_bucket", &create_form(usecase.id.as_str(), "dataport-data", "false")).await;
    assert_eq!(status, 409);
    match error_of(&body) {
        AppError::Conflict(m) => assert!(m.contains("already owns"), "{m}"),
        other => panic!("unexpected {other:?}"),
    }
    let (status, body) =
        t.call(&admin, "create_bucket", &create_form(usecase.id.as_str(), "dataport-data", "true")).await;
    assert_eq!(status, 200, "{body}");
    let report: BucketReport = serde_json::from_str(&body).unwrap();
    assert!(!report.created);
    assert!(report.checks.iter().all(|c| c.ok), "{:?}", report.checks);
    // Applying again changes nothing and still reads back fine.
    let (status, body) = t
        .call(&admin, "apply_bucket_settings", &[("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data")])
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn invalid_bucket_names_are_refused_and_nothing_is_created() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    for name in ["UPPER", "a", "192.168.1.1", "xn--bucket", "bad..name", "bucket-s3alias"] {
        let (status, body) = t.call(&admin, "create_bucket", &create_form(usecase.id.as_str(), name, "false")).await;
        assert_ne!(status, 200, "{name}");
        assert!(matches!(error_of(&body), AppError::Invalid(_)), "{name}: {body}");
    }
    let listed = t.s3().await.list_buckets().send().await.unwrap();
    let buckets: Vec<&str> = listed.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(buckets, ["dataport-data"]);
}

#[tokio::test]
async fn only_admins_create_buckets_and_choose_data_sources() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let editor = t.sign_in("editor@example.com").await;
    let (status, body) =
        t.call(&editor, "create_bucket", &create_form(usecase.id.as_str(), "editor-bucket", "false")).await;
    assert_eq!(status, 403);
    assert_eq!(error_of(&body), AppError::Denied);
    let (status, _) = t
        .call(
            &editor,
            "set_data_source",
            &[("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "x/")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(t.audit_count("bucket.create", "denied"), 1);
    assert_eq!(t.audit_count("usecase.data_source", "denied"), 1);
}

#[tokio::test]
async fn a_folder_is_created_listed_and_chosen_as_the_data_source() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let form = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", ""), ("name", "images")];
    let (status, body) = t.call(&admin, "create_folder", &form).await;
    assert_eq!(status, 200, "{body}");
    for bad in ["", "a/b", "..", "x\\y"] {
        let form = [("usecase_id", u), ("bucket", "dataport-data"), ("prefix", ""), ("name", bad)];
        let (status, _) = t.call(&admin, "create_folder", &form).await;
        assert_ne!(status, 200, "{bad:?} made a folder");
    }
    let (_, body) =
        t.call(&admin, "list_objects", &[("usecase_id", u), ("bucket", "dataport-data"), ("prefix", "")]).await;
    let listing: Listing = serde_json::from_str(&body).unwrap();
    assert_eq!(listing.folders, ["images/"]);

    let (status, body) = t
        .call(&admin, "set_data_source", &[("usecase_id", u), ("bucket", "dataport-data"), ("prefix", "images/")])
        .await;
    assert_eq!(status, 200, "{body}");
    let summary: UsecaseSummary = serde_json::from_str(&body).unwrap();
    assert_eq!((summary.data_bucket.as_str(), summary.data_prefix.as_str()), ("dataport-data", "images/"));
    let saved: Option<String> = t.db(|c| usecases::table.find(u).select(usecases::data_s3_prefix).first(c).unwrap());
    assert_eq!(saved.as_deref(), Some("images/"));
}

#[tokio::test]
async fn the_name_filter_narrows_a_folder() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let s3 = t.s3().await;
    for key in ["train-1.csv", "train-2.csv", "test.csv", "training/", "other/"] {
        s3.put_object().bucket("dataport-data").key(key).body(Vec::new().into()).send().await.unwrap();
    }
    let form = [("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", ""), ("filter", "train")];
    let (status, body) = t.call(&admin, "list_objects", &form).await;
    assert_eq!(status, 200, "{body}");
    let listing: Listing = serde_json::from_str(&body).unwrap();
    assert_eq!(listing.prefix, "");
    assert_eq!(listing.folders, ["training/"]);
    let names: Vec<_> = listing.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["train-1.csv", "train-2.csv"]);
}

#[tokio::test]
async fn training_access_is_merged_into_an_existing_policy() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let u = usecase.id.as_str();
    let s3 = t.s3().await;
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::dataport-data/shared/*"}]}"#;
    s3.put_bucket_policy().bucket("dataport-data").policy(theirs).send().await.unwrap();

    let (status, body) = t.call(&admin, "set_training_role", &[("usecase_id", u), ("role_arn", "not an arn")]).await;
    assert_eq!(status, 400);
    assert!(matches!(error_of(&body), AppError::Invalid(_)));
    let (status, body) = t.call(&admin, "set_training_role", &[("usecase_id", u), ("role_arn", ROLE)]).await;
    assert_eq!(status, 200, "{body}");

    let (status, body) =
        t.call(&admin, "show_training_access", &[("usecase_id", u), ("bucket", "dataport-data")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(ROLE) && body.contains("DataportSageMakerRead"), "{body}");

    let (status, body) =
        t.call(&admin, "apply_training_access", &[("usecase_id", u), ("bucket", "dataport-data")]).await;
    assert_eq!(status, 200, "{body}");
    let policy = s3.get_bucket_policy().bucket("dataport-data").send().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let sids: Vec<_> =
        doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect();
    assert_eq!(sids, ["PartnerRead", "DataportSageMakerRead"]);

    // Applying twice leaves one copy of each statement.
    t.call(&admin, "apply_training_access", &[("usecase_id", u), ("bucket", "dataport-data")]).await;
    let policy = s3.get_bucket_policy().bucket("dataport-data").send().await.unwrap();
    assert_eq!(policy.policy().unwrap().matches("DataportSageMakerRead").count(), 1);
    assert_eq!(t.audit_count("bucket.training_access", "success"), 2);
}
