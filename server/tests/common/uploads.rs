//! Helpers for tests of uploads: sample files, offers, plans, parts.

use super::caller::Caller;
use super::{TestPortal, crc32c_b64, send_as_planned};
use app::api::uploads::{BatchUploadUrls, SignParts};
use app::ids::{UploadId, UsecaseId};
use app::model::{FileOffer, FilePlan, PartOffer, SentPart, UploadBatch};

/// One mebibyte.
pub const MIB: usize = 1024 * 1024;

/// Bytes that differ from part to part, so that a misplaced part shows.
pub fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed).collect()
}

/// A file offer for a file large enough to go in parts (no checksum of the whole).
pub fn large_offer(path: &str, bytes: &[u8]) -> FileOffer {
    FileOffer { crc32c: None, ..super::offer(path, bytes) }
}

/// Plans uploads into `prefix` of the default bucket, which must succeed.
pub async fn plan(
    t: &TestPortal,
    c: &reqwest::Client,
    u: &UsecaseId,
    prefix: &str,
    rule: &str,
    files: Vec<FileOffer>,
) -> UploadBatch {
    let conflict = serde_json::from_value(serde_json::json!(rule)).expect("a conflict rule");
    let args = BatchUploadUrls {
        usecase_id: u.clone(),
        bucket: "dataport-data".into(),
        prefix: prefix.into(),
        conflict,
        files,
    };
    Caller::with_client(t, c).call(args).await.expect("the batch is planned")
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
pub async fn send_part(t: &TestPortal, c: &reqwest::Client, upload_id: &UploadId, number: u32, bytes: &[u8]) -> String {
    let offer = PartOffer { number, crc32c: crc32c_b64(bytes) };
    let args = SignParts { upload_id: upload_id.clone(), parts: vec![offer] };
    let signed = Caller::with_client(t, c).call(args).await.expect("the part is signed");
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
) -> (UploadId, Vec<SentPart>) {
    let u = t.default_usecase();
    let batch = plan(t, c, &u.id, "", "Overwrite", vec![large_offer(key, bytes)]).await;
    let FilePlan::Multipart { upload_id, part_size, part_count, .. } = batch.plans[0].clone() else {
        panic!("{key} goes in parts: {:?}", batch.plans)
    };
    let mut sent = Vec::new();
    for n in 1..=part_count {
        let part = &bytes[(n as usize - 1) * part_size as usize..(n as usize * part_size as usize).min(bytes.len())];
        let etag = send_part(t, c, &upload_id, n, part).await;
        sent.push(SentPart { number: n, etag, crc32c: crc32c_b64(part) });
    }
    (upload_id, sent)
}
