//! Regression tests of the security review's findings on the embedded S3
//! endpoint, against the running portal and endpoint over HTTP: unsigned
//! `x-amz-*` headers, objects served as pages, unsigned lengths, bucket
//! names from request paths, and the verification probe.

mod common;

use app::model::{FilePlan, Role};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use common::caller::Caller;
use common::uploads::{MIB, large_offer, object_bytes, sample};
use common::{TestPortal, crc32c_b64, offer, send_with};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BUCKET: &str = "dataport-data";
const SECRET: &str = "finance/salaries.csv";

/// A portal whose data bucket holds a secret the editor may not read.
struct Setup {
    t: TestPortal,
    editor: reqwest::Client,
    home: String,
}

async fn portal_with_a_secret() -> Setup {
    let t = TestPortal::start_with(|a| a.multipart_threshold = 5 * MIB as u64).await;
    t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket(BUCKET).key(SECRET).body(ByteStream::from_static(b"secret")).send().await.unwrap();
    let usecase = t.default_usecase();
    let id = t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    let editor = t.sign_in("editor@example.com").await;
    Setup { t, editor, home: format!("users/{id}/") }
}

async fn plan_in_home(s: &Setup, offers: Vec<app::model::FileOffer>) -> Vec<FilePlan> {
    let usecase = s.t.default_usecase();
    let (status, body) = s.t.plan_uploads(&s.editor, usecase.id.as_str(), &s.home, "Overwrite", offers).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<app::model::UploadBatch>(&body).unwrap().plans
}

async fn exists(t: &TestPortal, key: &str) -> bool {
    t.s3().await.head_object().bucket(BUCKET).key(key).send().await.is_ok()
}

#[tokio::test]
async fn an_unsigned_copy_source_on_a_presigned_put_is_refused() {
    let s = portal_with_a_secret().await;
    let plans = plan_in_home(&s, vec![offer("stolen.csv", b"x")]).await;
    let FilePlan::Single(put) = &plans[0] else { panic!("one PUT") };
    let copy_source = format!("/{BUCKET}/{SECRET}");
    let resp = send_with(put, Vec::new(), &[("x-amz-copy-source", &copy_source)]).await;
    assert_eq!(resp.status(), 403);
    let body = resp.text().await.unwrap();
    assert!(body.contains("<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>"), "{body}");
    assert!(!exists(&s.t, &format!("{}stolen.csv", s.home)).await, "nothing was copied");
}

#[tokio::test]
async fn an_unsigned_copy_source_on_a_part_url_is_refused() {
    let s = portal_with_a_secret().await;
    let bytes = sample(6 * MIB, 1);
    let plans = plan_in_home(&s, vec![large_offer("stolen.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id, .. } = &plans[0] else { panic!("in parts") };
    let part = &bytes[..];
    let args = app::api::uploads::SignParts {
        upload_id: upload_id.clone(),
        parts: vec![app::model::PartOffer { number: 1, crc32c: crc32c_b64(part) }],
    };
    let signed = Caller::with_client(&s.t, &s.editor).call(args).await.expect("signed");
    let copy_source = format!("/{BUCKET}/{SECRET}");
    let resp = send_with(&signed[0].request, Vec::new(), &[("x-amz-copy-source", &copy_source)]).await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("HeadersNotSigned"));
}

#[tokio::test]
async fn any_unsigned_amz_header_is_refused_and_signed_ones_pass() {
    let s = portal_with_a_secret().await;
    let plans = plan_in_home(&s, vec![offer("notes.txt", b"hello")]).await;
    let FilePlan::Single(put) = &plans[0] else { panic!("one PUT") };
    let resp = send_with(put, b"hello".to_vec(), &[("x-amz-acl", "public-read")]).await;
    assert_eq!(resp.status(), 403, "an extra x-amz header is refused");
    let resp = send_with(put, b"hello".to_vec(), &[]).await;
    assert_eq!(resp.status(), 200, "the request as signed passes: {}", resp.text().await.unwrap());
}

#[tokio::test]
async fn objects_are_served_with_a_type_nosniff_and_no_script() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    let page = ByteStream::from_static(b"<html><script>alert(document.cookie)</script></html>");
    s3.put_object().bucket(BUCKET).key("a/page").body(page).send().await.unwrap();
    let html = ByteStream::from_static(b"<html><script>alert(1)</script></html>");
    s3.put_object().bucket(BUCKET).key("a/typed.html").content_type("text/html").body(html).send().await.unwrap();
    let http = reqwest::Client::new();
    let expires = || PresigningConfig::expires_in(Duration::from_secs(60)).unwrap();
    for (key, expected_type) in [("a/page", "application/octet-stream"), ("a/typed.html", "text/html")] {
        let get = s3.get_object().bucket(BUCKET).key(key).presigned(expires()).await.unwrap();
        let head = s3.head_object().bucket(BUCKET).key(key).presigned(expires()).await.unwrap();
        for resp in [http.get(get.uri()).send().await.unwrap(), http.head(head.uri()).send().await.unwrap()] {
            assert_eq!(resp.status(), 200);
            let h = resp.headers();
            assert_eq!(h["content-type"], expected_type, "{key}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{key}");
            assert!(h["content-security-policy"].to_str().unwrap().contains("sandbox"), "{key}");
        }
    }
}

#[tokio::test]
async fn a_single_upload_may_not_be_longer_than_declared() {
    let s = portal_with_a_secret().await;
    let body = sample(100_000, 2);
    // Declares one byte, with the checksum of the 100 kB it means to send.
    let declared = app::model::FileOffer { size: 1, crc32c: Some(crc32c_b64(&body)), ..offer("big.bin", &body) };
    let plans = plan_in_home(&s, vec![declared]).await;
    let FilePlan::Single(put) = &plans[0] else { panic!("one PUT") };
    assert!(put.headers.iter().any(|(k, v)| k == "content-length" && v == "1"), "{:?}", put.headers);
    let resp = send_with(put, body, &[]).await;
    assert_eq!(resp.status(), 403, "S3 refuses a length other than the signed one");
    assert!(!exists(&s.t, &format!("{}big.bin", s.home)).await);
}

#[tokio::test]
async fn a_part_may_not_be_longer_than_declared() {
    let s = portal_with_a_secret().await;
    // Declares 6 MiB (one part), then sends 7 MiB as that part.
    let declared = sample(6 * MIB, 3);
    let sent = sample(7 * MIB, 3);
    let plans = plan_in_home(&s, vec![large_offer("big.bin", &declared)]).await;
    let FilePlan::Multipart { upload_id, part_count, .. } = &plans[0] else { panic!("in parts") };
    assert_eq!(*part_count, 1);
    let args = app::api::uploads::SignParts {
        upload_id: upload_id.clone(),
        parts: vec![app::model::PartOffer { number: 1, crc32c: crc32c_b64(&sent) }],
    };
    let signed = Caller::with_client(&s.t, &s.editor).call(args).await.expect("signed");
    let resp = send_with(&signed[0].request, sent, &[]).await;
    assert_eq!(resp.status(), 403);
    let resp = send_with(&signed[0].request, declared[..].to_vec(), &[]).await;
    assert_ne!(resp.status(), 200, "the checksum still binds the part's bytes");
}

/// Sends a raw request line, as a client that does not clean paths can.
async fn raw(addr: &str, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_request_path_is_no_way_out_of_the_settings_folder() {
    let t = TestPortal::start().await;
    // CORS rules that allow anyone, where the bucket name `..` would lead.
    let rules = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>\
                 </CORSRule></CORSConfiguration>";
    std::fs::write(t.dir.path().join("cors.xml"), rules).unwrap();
    let addr = t.portal.s3_url.as_deref().unwrap().trim_start_matches("http://").to_owned();
    let answer = raw(
        &addr,
        "OPTIONS /../anything HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\
         Access-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(!answer.to_ascii_lowercase().contains("access-control-allow-origin"), "{answer}");
}

#[tokio::test]
async fn verifying_a_bucket_never_replaces_or_removes_an_object() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    s3.put_object()
        .bucket(BUCKET)
        .key(".dataport-verify")
        .body(ByteStream::from_static(b"precious"))
        .send()
        .await
        .unwrap();
    let usecase = t.default_usecase();
    let (status, body) = t.call(&admin, "reverify_usecase", &[("usecase_id", usecase.id.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Wrote and removed .dataport-verify-"), "a probe of its own: {body}");
    assert_eq!(object_bytes(&s3, ".dataport-verify").await, b"precious");
    let listed = s3.list_objects_v2().bucket(BUCKET).prefix(".dataport-verify").send().await.unwrap();
    assert_eq!(listed.contents().len(), 1, "the probe is gone again");
}

#[tokio::test]
async fn a_conditional_put_never_replaces_an_object() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket(BUCKET).key("k").body(ByteStream::from_static(b"one")).send().await.unwrap();
    let again =
        s3.put_object().bucket(BUCKET).key("k").if_none_match("*").body(ByteStream::from_static(b"two")).send().await;
    assert_eq!(again.unwrap_err().raw_response().map(|r| r.status().as_u16()), Some(412));
    assert_eq!(object_bytes(&s3, "k").await, b"one");
}

#[tokio::test]
async fn pages_carry_a_policy_with_their_nonce_and_are_never_cached() {
    let t = TestPortal::start().await;
    let page = reqwest::Client::new()
        .get(format!("{}/sign-in", t.portal.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    assert_eq!(h["content-encoding"], "gzip", "pages are sent compressed");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["permissions-policy"].to_str().unwrap().contains("camera=()"));
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).expect("a nonce").to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains(t.portal.s3_url.as_deref().unwrap()), "uploads may reach the S3 endpoint: {csp}");
    let gz = page.bytes().await.unwrap();
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut html).unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    let again = reqwest::get(format!("{}/sign-in", t.portal.url)).await.unwrap();
    let other = again.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_ne!(other, csp, "a new nonce for every page");
    let api = reqwest::Client::new().post(format!("{}/api/whoami", t.portal.url)).send().await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn keys_with_dot_segments_are_refused_and_never_reach_another_file() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    s3.put_object().bucket(BUCKET).key("inside/a.txt").body(ByteStream::from_static(b"a")).send().await.unwrap();
    s3.put_object().bucket(BUCKET).key(SECRET).body(ByteStream::from_static(b"secret")).send().await.unwrap();
    // Each names, to a plain file store, a file it does not name to S3.
    for key in ["inside/../finance/salaries.csv", "inside/./a.txt", "inside/..", "./inside/a.txt"] {
        let got = s3.get_object().bucket(BUCKET).key(key).send().await;
        assert!(got.is_err(), "{key} was served");
        let put = s3.put_object().bucket(BUCKET).key(key).body(ByteStream::from_static(b"over")).send().await;
        assert!(put.is_err(), "{key} was written");
        let copy =
            s3.copy_object().bucket(BUCKET).key("inside/copy.txt").copy_source(format!("{BUCKET}/{key}")).send().await;
        assert!(copy.is_err(), "{key} was copied");
    }
    let secret = s3.get_object().bucket(BUCKET).key(SECRET).send().await.unwrap();
    assert_eq!(secret.body.collect().await.unwrap().to_vec(), b"secret", "nothing was overwritten");
}
