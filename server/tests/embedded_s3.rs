//! The embedded S3 endpoint, spoken to over HTTP with aws-sdk-s3 and plain
//! HTTP requests, the way the portal and browsers use it.

mod common;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketVersioningStatus, CorsConfiguration, CorsRule,
    ExpirationStatus, LifecycleRule, LifecycleRuleFilter, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use common::TestPortal;
use std::time::{Duration, SystemTime};

const ORIGIN: &str = "http://portal.test:3000";

async fn bucket(t: &TestPortal, name: &str) -> aws_sdk_s3::Client {
    let s3 = t.s3().await;
    s3.create_bucket().bucket(name).send().await.expect("create bucket");
    s3
}

#[tokio::test]
async fn presigned_put_then_get_returns_the_same_bytes() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "roundtrip").await;
    let body: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let put = s3
        .put_object()
        .bucket("roundtrip")
        .key("a/b.bin")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let resp = http.put(put.uri()).body(body.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    let get = s3
        .get_object()
        .bucket("roundtrip")
        .key("a/b.bin")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let got = http.get(get.uri()).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), body);
}

#[tokio::test]
async fn tampered_presigned_url_is_refused() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "tamper").await;
    s3.put_object().bucket("tamper").key("secret.txt").body(ByteStream::from_static(b"s")).send().await.unwrap();
    s3.put_object().bucket("tamper").key("public.txt").body(ByteStream::from_static(b"p")).send().await.unwrap();
    let get = s3
        .get_object()
        .bucket("tamper")
        .key("public.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let other_key = get.uri().replace("public.txt", "secret.txt");
    let resp = reqwest::get(other_key).await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn expired_presigned_url_is_refused() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "expiry").await;
    s3.put_object().bucket("expiry").key("x").body(ByteStream::from_static(b"x")).send().await.unwrap();
    let config = PresigningConfig::builder()
        .start_time(SystemTime::now() - Duration::from_secs(3600))
        .expires_in(Duration::from_secs(60))
        .build()
        .unwrap();
    let get = s3.get_object().bucket("expiry").key("x").presigned(config).await.unwrap();
    let resp = reqwest::get(get.uri()).await.unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn unsigned_requests_are_refused() {
    let t = TestPortal::start().await;
    bucket(&t, "private").await;
    let url = format!("{}/private", t.portal.s3_url.as_deref().unwrap());
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 403);
    let wrong = common::s3_client(t.portal.s3_url.as_deref().unwrap(), "DPWRONGKEY", "wrong-secret");
    assert!(wrong.list_buckets().send().await.is_err());
}

async fn allow_portal_origin(s3: &aws_sdk_s3::Client, bucket: &str) {
    let rule = CorsRule::builder()
        .allowed_origins(ORIGIN)
        .allowed_methods("PUT")
        .allowed_methods("GET")
        .allowed_headers("*")
        .expose_headers("ETag")
        .max_age_seconds(600)
        .build()
        .unwrap();
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(CorsConfiguration::builder().cors_rules(rule).build().unwrap())
        .send()
        .await
        .expect("put cors");
}

#[tokio::test]
async fn cors_preflight_from_the_portal_is_allowed_and_exposes_etag() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "cors").await;
    allow_portal_origin(&s3, "cors").await;
    let stored = s3.get_bucket_cors().bucket("cors").send().await.unwrap();
    assert_eq!(stored.cors_rules()[0].allowed_origins(), [ORIGIN]);

    let http = reqwest::Client::new();
    let url = format!("{}/cors/file.bin", t.portal.s3_url.as_deref().unwrap());
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(preflight.headers()["access-control-allow-origin"], ORIGIN);
    assert!(preflight.headers()["access-control-allow-methods"].to_str().unwrap().contains("PUT"));

    // The real request: a presigned PUT answered with the CORS headers and an ETag the page can read.
    let put = s3
        .put_object()
        .bucket("cors")
        .key("file.bin")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let resp = http.put(put.uri()).header("Origin", ORIGIN).body("hello").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(resp.headers()["access-control-expose-headers"], "ETag");
    assert!(resp.headers().contains_key("etag"));
}

#[tokio::test]
async fn cors_preflight_from_another_origin_is_refused() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "cors2").await;
    allow_portal_origin(&s3, "cors2").await;
    let url = format!("{}/cors2/file.bin", t.portal.s3_url.as_deref().unwrap());
    let resp = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(!resp.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn an_empty_folder_lists_as_a_common_prefix() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "folders").await;
    s3.put_object().bucket("folders").key("empty/").body(ByteStream::from_static(b"")).send().await.unwrap();
    s3.put_object().bucket("folders").key("full/a.txt").body(ByteStream::from_static(b"a")).send().await.unwrap();
    s3.put_object().bucket("folders").key("top.txt").body(ByteStream::from_static(b"t")).send().await.unwrap();
    let out = s3.list_objects_v2().bucket("folders").delimiter("/").send().await.unwrap();
    let prefixes: Vec<_> = out.common_prefixes().iter().filter_map(|p| p.prefix()).collect();
    assert_eq!(prefixes, ["empty/", "full/"]);
    let keys: Vec<_> = out.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["top.txt"]);
    let all = s3.list_objects_v2().bucket("folders").send().await.unwrap();
    let keys: Vec<_> = all.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["empty/", "full/a.txt", "top.txt"]);
}

#[tokio::test]
async fn listings_page_with_continuation_tokens() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "pages").await;
    for i in 0..7 {
        s3.put_object()
            .bucket("pages")
            .key(format!("f{i}.txt"))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap();
    }
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let out = s3.list_objects_v2().bucket("pages").max_keys(3).set_continuation_token(token).send().await.unwrap();
        seen.extend(out.contents().iter().filter_map(|o| o.key().map(str::to_owned)));
        token = out.next_continuation_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("f{i}.txt")).collect::<Vec<_>>());
}

#[tokio::test]
async fn bucket_settings_are_stored_and_returned() {
    let t = TestPortal::start().await;
    let s3 = bucket(&t, "settings").await;
    s3.put_bucket_versioning()
        .bucket("settings")
        .versioning_configuration(VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build())
        .send()
        .await
        .unwrap();
    let v = s3.get_bucket_versioning().bucket("settings").send().await.unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));

    let sse = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::Aes256)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
        .unwrap();
    s3.put_bucket_encryption().bucket("settings").server_side_encryption_configuration(sse).send().await.unwrap();
    let e = s3.get_bucket_encryption().bucket("settings").send().await.unwrap();
    let rule = &e.server_side_encryption_configuration().unwrap().rules()[0];
    assert_eq!(rule.apply_server_side_encryption_by_default().unwrap().sse_algorithm(), &ServerSideEncryption::Aes256);

    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    s3.put_bucket_policy().bucket("settings").policy(policy).send().await.unwrap();
    assert_eq!(s3.get_bucket_policy().bucket("settings").send().await.unwrap().policy(), Some(policy));

    let lifecycle = BucketLifecycleConfiguration::builder()
        .rules(
            LifecycleRule::builder()
                .id("abort-incomplete-uploads")
                .status(ExpirationStatus::Enabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .abort_incomplete_multipart_upload(
                    AbortIncompleteMultipartUpload::builder().days_after_initiation(7).build(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    s3.put_bucket_lifecycle_configuration().bucket("settings").lifecycle_configuration(lifecycle).send().await.unwrap();
    let l = s3.get_bucket_lifecycle_configuration().bucket("settings").send().await.unwrap();
    assert_eq!(l.rules()[0].abort_incomplete_multipart_upload().unwrap().days_after_initiation(), Some(7));

    let missing = s3.get_bucket_policy().bucket("folders-none").send().await;
    assert!(missing.is_err());
}
