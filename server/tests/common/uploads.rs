//! Helpers for tests of uploads: sample files, offers, plans, parts.

use super::{TestPortal, crc32c_b64, send_as_planned};
use app::model::{FilePlan, SignedPart, UploadBatch};

/// One mebibyte.
pub const MIB: usize = 1024 * 1024;

/// Bytes that differ from part to part, so that a misplaced part shows.
pub fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed).collect()
}

/// A file offer for a file large enough to go in parts (no checksum of the whole).
pub fn large_offer(path: &str, bytes: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "path": path, "size": bytes.len(), "content_type": "application/octet-stream",
        "modified": 1_700_000_000_000i64, "crc32c": null,
    })
}

/// Plans uploads into `prefix` of the default bucket, which must succeed.
pub async fn plan(
    t: &TestPortal,
    c: &reqwest::Client,
    u: &str,
    prefix: &str,
    rule: &str,
    files: Vec<serde_json::Value>,
) -> UploadBatch {
    let (status, body) = t.plan_uploads(c, u, prefix, rule, files).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The bytes of `key` in the default bucket.
pub async fn object_bytes(s3: &aws_sdk_s3::Client, key: &str) -> Vec<u8> {
    let out = s3.get_object().bucket("dataport-data").key(key).send().await.expect("object exists");
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// Asks the portal to sign parts of an upload.
pub async fn sign(t: &TestPortal, c: &reqwest::Client, upload_id: &str, parts: &[(u32, &[u8])]) -> (u16, String) {
    let parts: Vec<_> =
        parts.iter().map(|(n, bytes)| serde_json::json!({"number": n, "crc32c": crc32c_b64(bytes)})).collect();
    t.call_json(c, "sign_parts", serde_json::json!({"upload_id": upload_id, "parts": parts})).await
}

/// Signs and sends one part; returns its ETag.
pub async fn send_part(t: &TestPortal, c: &reqwest::Client, upload_id: &str, number: u32, bytes: &[u8]) -> String {
    let (status, body) = sign(t, c, upload_id, &[(number, bytes)]).await;
    assert_eq!(status, 200, "{body}");
    let signed: Vec<SignedPart> = serde_json::from_str(&body).unwrap();
    let resp = send_as_planned(&signed[0].request, bytes.to_vec()).await;
    assert_eq!(resp.status(), 200, "part {number}: {}", resp.text().await.unwrap_or_default());
    resp.headers()["etag"].to_str().unwrap().to_owned()
}

/// Plans `bytes` as `key` of the default usecase and sends every part;
/// returns the portal's upload id and the parts as `complete_multipart` takes them.
pub async fn send_whole_file(
    t: &TestPortal,
    c: &reqwest::Client,
    key: &str,
    bytes: &[u8],
) -> (String, serde_json::Value) {
    let u = t.default_usecase();
    let batch = plan(t, c, &u.id, "", "Overwrite", vec![large_offer(key, bytes)]).await;
    let FilePlan::Multipart { upload_id, part_size, part_count, .. } = batch.plans[0].clone() else {
        panic!("{key} goes in parts: {:?}", batch.plans)
    };
    let mut sent = Vec::new();
    for n in 1..=part_count {
        let part = &bytes[(n as usize - 1) * part_size as usize..(n as usize * part_size as usize).min(bytes.len())];
        let etag = send_part(t, c, &upload_id, n, part).await;
        sent.push(serde_json::json!({"number": n, "etag": etag, "crc32c": crc32c_b64(part)}));
    }
    (upload_id, serde_json::Value::Array(sent))
}
