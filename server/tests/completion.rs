//! Completing multipart uploads that take long or lose their answer: the
//! file still ends up on S3 whole, reported and recorded once, and the
//! embedded endpoint never leaves half an object or loses parts.

mod common;

use app::api::uploads::CompleteMultipart;
use app::core::db::schema::{files, uploads};
use common::caller::Caller;
use common::uploads::{MIB, object_bytes, sample, send_whole_file};
use common::{TestPortal, lossy_proxy};
use diesel::prelude::*;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// File records of `key`.
fn records_of(t: &TestPortal, key: &str) -> i64 {
    let key = key.to_owned();
    t.db(move |c| files::table.filter(files::object_key.eq(key)).count().get_result(c).unwrap())
}

#[tokio::test]
async fn a_completion_slower_than_one_attempt_ends_with_the_file_uploaded_once() {
    // The endpoint takes 2.5 s to assemble; each attempt may take 1 s.
    let t = TestPortal::start_with(|args| {
        args.s3_complete_timeout = 1;
        args.s3_complete_timeout_per_gib = 0;
        args.embedded_complete_delay_ms = 2500;
    })
    .await;
    let admin = t.admin().await;
    let bytes = sample(17 * MIB + 5, 11);
    let (upload_id, parts) = send_whole_file(&t, &admin, "slow.bin", &bytes).await;

    let started = Instant::now();
    let entry = Caller::with_client(&t, &admin).call(CompleteMultipart { upload_id, parts }).await.expect("uploaded");
    assert!(started.elapsed() >= Duration::from_millis(2500), "the endpoint was slower than one attempt");
    assert_eq!(entry.size, bytes.len() as i64);
    assert!(object_bytes(&t.s3().await, "slow.bin").await == bytes, "the object is the file, byte for byte");
    assert_eq!(records_of(&t, "slow.bin"), 1, "one file record");
    assert_eq!(t.audit_count("object.upload", "success"), 1, "one audit event");
    assert_eq!(t.audit_count("object.upload", "error"), 0);
    let status: String = t.db(|c| uploads::table.select(uploads::status).first(c).unwrap());
    assert_eq!(status, "completed");
}

#[tokio::test]
async fn a_completion_whose_answer_is_lost_is_a_success_recorded_once() {
    // The embedded endpoint alone, and the portal reaching it through a
    // proxy that loses every answer to CompleteMultipartUpload.
    let dir = common::private_dir();
    let creds = server::embedded::load_or_create_credentials(dir.path()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let s3_addr = server::embedded::serve(listener, dir.path(), &creds, Duration::ZERO, None).await.unwrap();
    let proxy = lossy_proxy::start(s3_addr).await;
    let (key, secret) = (creds.access_key.clone(), creds.secret_key.clone());
    let t = TestPortal::start_with(move |args| {
        args.s3_endpoint = Some(proxy.url.clone());
        args.s3_access_key_id = Some(key);
        args.s3_secret_access_key = Some(secret);
    })
    .await;
    let admin = t.admin().await;
    let bytes = sample(17 * MIB + 1, 5);
    let (upload_id, parts) = send_whole_file(&t, &admin, "lost.bin", &bytes).await;

    Caller::with_client(&t, &admin).call(CompleteMultipart { upload_id, parts }).await.expect("reported as uploaded");
    assert!(proxy.lost.load(Ordering::SeqCst) >= 1, "the endpoint's answer was lost on the way");
    let direct = common::s3_client(&format!("http://{s3_addr}"), &creds.access_key, &creds.secret_key);
    assert!(object_bytes(&direct, "lost.bin").await == bytes, "the object is the file, byte for byte");
    assert_eq!(records_of(&t, "lost.bin"), 1, "one file record");
    assert_eq!(t.audit_count("object.upload", "success"), 1, "one audit event");
    assert_eq!(t.audit_count("object.upload", "error"), 0);
}

#[tokio::test]
async fn a_client_that_leaves_mid_completion_leaves_the_whole_object_or_the_intact_upload() {
    let t = TestPortal::start_with(|args| args.embedded_complete_delay_ms = 1500).await;
    let admin = t.admin().await;
    let bytes = sample(17 * MIB + 9, 3);
    let (upload_id, parts) = send_whole_file(&t, &admin, "left.bin", &bytes).await;
    let s3_upload_id: String = t.db(|c| uploads::table.find(upload_id).select(uploads::s3_upload_id).first(c).unwrap());
    let s3 = t.s3().await;
    let completed = aws_sdk_s3::types::CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|p| {
                    aws_sdk_s3::types::CompletedPart::builder().part_number(p.number as i32).e_tag(&p.etag).build()
                })
                .collect(),
        ))
        .build();
    let complete = || {
        s3.complete_multipart_upload()
            .bucket("dataport-data")
            .key("left.bin")
            .upload_id(&s3_upload_id)
            .multipart_upload(completed.clone())
    };

    // A client that gives up after 200 ms goes away while the endpoint waits.
    let impatient = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_millis(200))
        .operation_timeout(Duration::from_millis(200))
        .build();
    let gone =
        complete().customize().config_override(aws_sdk_s3::Config::builder().timeout_config(impatient)).send().await;
    assert!(gone.is_err(), "the impatient client left before the answer");

    // Meanwhile there is no partial object, and the upload still has every part.
    let head = s3.head_object().bucket("dataport-data").key("left.bin").send().await;
    assert!(head.is_err(), "no object before it is whole");
    let listed = s3.list_parts().bucket("dataport-data").key("left.bin").upload_id(&s3_upload_id).send().await.unwrap();
    assert_eq!(listed.parts().len(), 3, "the upload keeps its parts while it is assembled");

    // Asking again joins the running completion rather than starting another.
    let again = complete().send().await.expect("the running completion answers");
    assert_eq!(again.e_tag().map(|e| e.trim_matches('"').ends_with("-3")), Some(true), "{again:?}");
    assert!(object_bytes(&s3, "left.bin").await == bytes, "the object is the file, byte for byte");
    let after = s3.list_parts().bucket("dataport-data").key("left.bin").upload_id(&s3_upload_id).send().await;
    assert!(after.is_err(), "the upload is gone once the object is in place");
    let leftovers: Vec<String> = std::fs::read_dir(t.dir.path().join("s3"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".tmp.") || n.starts_with(".upload_id-"))
        .collect();
    assert!(leftovers.is_empty(), "no parts or temporary files left: {leftovers:?}");
}
