//! Regression tests of the security review's findings on the audit trail,
//! over HTTP against the running portal: nothing is handed out unrecorded.

mod common;

use app::error::AppError;
use aws_sdk_s3::primitives::ByteStream;
use common::{TestPortal, error_of, offer};
use diesel::prelude::*;

fn break_the_trail(t: &TestPortal, broken: bool) {
    let sql = if broken {
        "CREATE TRIGGER trail_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'trail unavailable'); END"
    } else {
        "DROP TRIGGER trail_down"
    };
    t.db(|c| diesel::sql_query(sql).execute(c).unwrap());
}

#[tokio::test]
async fn no_presigned_url_is_handed_out_when_its_audit_event_cannot_be_written() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket("dataport-data").key("a.csv").body(ByteStream::from_static(b"a")).send().await.unwrap();
    let usecase = t.default_usecase();
    let download = [("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("key", "a.csv")];

    break_the_trail(&t, true);
    let (status, body) = t.call(&admin, "download_url", &download).await;
    assert_eq!((status, error_of(&body)), (500, AppError::Internal), "no URL: {body}");
    let (status, body) =
        t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", vec![offer("b.csv", b"b")]).await;
    assert_eq!(status, 500, "no upload URL: {body}");
    assert!(!body.contains("X-Amz-Signature"), "{body}");

    break_the_trail(&t, false);
    let (status, body) = t.call(&admin, "download_url", &download).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("X-Amz-Signature"), "{body}");
}
