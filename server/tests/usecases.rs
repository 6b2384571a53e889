//! Usecase configuration through the server functions: generated external
//! IDs, verification before saving, and re-verification.

mod common;

use app::core::db::models::Usecase;
use app::core::db::schema::usecases;
use app::error::AppError;
use app::model::{Role, SaveOutcome, SettingCheck, UsecaseSetup};
use common::{TestPortal, error_of};
use diesel::prelude::*;
use serde_json::json;

fn form(name: &str, bucket: &str) -> serde_json::Value {
    json!({"form": {
        "id": null, "name": name, "account_id": "123456789012", "s3_bucket": bucket,
        "cross_account_role_arn": "", "separate_data_account": false, "data_account_id": "",
        "data_account_role_arn": "", "data_s3_bucket": "", "data_s3_prefix": "training/",
        "sagemaker_role_arn": "", "region": "us-east-1"
    }})
}

#[tokio::test]
async fn a_usecase_is_saved_only_after_its_data_access_is_verified() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let (status, body) = t.call_json(&admin, "load_usecase_setup", json!({"usecase_id": null})).await;
    assert_eq!(status, 200, "{body}");
    let setup: UsecaseSetup = serde_json::from_str(&body).unwrap();
    assert!(setup.trust_policy.contains(&setup.external_id));
    assert!(setup.cloudformation.contains(&setup.data_account_external_id));
    assert!(setup.trust_policy.contains("sts:ExternalId"));
    // The same IDs until the usecase is saved, so that the role made from the template matches.
    let (_, again) = t.call_json(&admin, "load_usecase_setup", json!({"usecase_id": null})).await;
    assert_eq!(serde_json::from_str::<UsecaseSetup>(&again).unwrap().external_id, setup.external_id);

    // A bucket that does not exist fails verification: nothing is saved.
    let (status, body) = t.call_json(&admin, "save_usecase", form("Vision", "no-such-bucket")).await;
    assert_eq!(status, 200, "{body}");
    let outcome: SaveOutcome = serde_json::from_str(&body).unwrap();
    assert!(!outcome.saved);
    assert_eq!(outcome.checks[0].setting, "Bucket reachable");
    assert!(!outcome.checks[0].ok && outcome.checks[0].message.contains("NoSuchBucket"), "{:?}", outcome.checks);
    let count: i64 = t.db(|c| usecases::table.count().get_result(c).unwrap());
    assert_eq!(count, 1);
    assert_eq!(t.audit_count("usecase.save", "error"), 1);

    let (status, body) = t.call_json(&admin, "save_usecase", form("Vision", "dataport-data")).await;
    assert_eq!(status, 200, "{body}");
    let outcome: SaveOutcome = serde_json::from_str(&body).unwrap();
    assert!(outcome.saved, "{:?}", outcome.checks);
    let id = outcome.usecase_id.unwrap();
    let saved: Usecase = t.db(|c| usecases::table.find(&id).select(Usecase::as_select()).first(c).unwrap());
    assert_eq!(saved.name, "Vision");
    assert_eq!(saved.external_id, setup.external_id, "the generated external ID is the one saved");
    assert_eq!(saved.data_s3_prefix.as_deref(), Some("training/"));
    assert!(saved.verified_at.is_some());

    // Verification can run again later; its result and time are kept.
    let (status, body) = t.call(&admin, "reverify_usecase", &[("usecase_id", id.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let checks: Vec<SettingCheck> = serde_json::from_str(&body).unwrap();
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    let (status, body) = t.call_json(&admin, "load_usecase_setup", json!({"usecase_id": id})).await;
    assert_eq!(status, 200, "{body}");
    let setup: UsecaseSetup = serde_json::from_str(&body).unwrap();
    assert!(setup.verified_at.is_some());
    assert_eq!(setup.checks.len(), 2);
}

#[tokio::test]
async fn bad_forms_are_refused_before_anything_is_tried() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let mut bad = form("Vision", "dataport-data");
    bad["form"]["account_id"] = json!("12345");
    let (status, body) = t.call_json(&admin, "save_usecase", bad).await;
    assert_eq!(status, 400);
    assert!(matches!(error_of(&body), AppError::Invalid(_)), "{body}");
    let mut bad = form("Vision", "dataport-data");
    bad["form"]["separate_data_account"] = json!(true);
    bad["form"]["data_account_id"] = json!("210987654321");
    let (status, _) = t.call_json(&admin, "save_usecase", bad).await;
    assert_ne!(status, 200, "a separate data account needs its role");
}

#[tokio::test]
async fn only_admins_configure_usecases() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let usecase = t.default_usecase();
    t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let editor = t.sign_in("editor@example.com").await;
    let (status, body) = t.call_json(&editor, "load_usecase_setup", json!({"usecase_id": null})).await;
    assert_eq!(status, 403);
    assert_eq!(error_of(&body), AppError::Denied);
    let (status, _) = t.call_json(&editor, "save_usecase", form("Mine", "dataport-data")).await;
    assert_eq!(status, 403);
    let (status, _) = t.call(&editor, "reverify_usecase", &[("usecase_id", usecase.id.as_str())]).await;
    assert_eq!(status, 403);
    assert_eq!(t.audit_count("usecase.save", "denied"), 1);
}

#[tokio::test]
async fn a_second_usecase_with_a_taken_name_is_a_conflict_and_nothing_changes() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let (status, body) = t.call_json(&admin, "save_usecase", form("Default", "dataport-data")).await;
    assert_eq!(status, 409, "{body}");
    assert!(matches!(error_of(&body), AppError::Conflict(m) if m.contains("has this name")), "{body}");
    let count: i64 = t.db(|c| usecases::table.count().get_result(c).unwrap());
    assert_eq!(count, 1, "nothing was added");
    assert_eq!(t.audit_count("usecase.save", "error"), 1, "the refusal is audited");
}
