//! Benchmark (run by `make bench`, not `make test`): what the REST API
//! costs on this machine. It prints the time to sign 1,000 part URLs of a
//! multipart upload and to answer 1,000 authorized folder listings, each
//! call authenticated by its token, authorized and audited.

mod common;

use common::TestPortal;
use common::rest::{Api, make_token};
use serde_json::json;
use std::time::Instant;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench runs it"]
async fn signing_1000_part_urls_and_1000_authorized_calls() {
    let t = TestPortal::start_with(|a| a.api_calls_per_minute = 1_000_000).await;
    let admin = t.admin().await;
    let api = Api::new(&t, Some(&make_token(&t, &admin, "bench", false).await));
    let usecase = t.default_usecase();
    let at = |tail: &str| format!("/api/v1/usecases/{}{tail}", usecase.id);

    // 10,000 parts of 8 MiB: a 78 GiB file, of which 1,000 parts are signed.
    let ask = json!({ "bucket": usecase.data_bucket(), "key": "bench/huge.bin", "size": 10_000u64 * (8 << 20) });
    let plan = api.post(&at("/data/upload-url"), ask).await;
    let upload_id = plan.body["upload_id"].as_str().expect("a multipart plan").to_owned();
    let crc = common::crc32c_b64(b"part");
    let started = Instant::now();
    let mut signed = 0;
    for batch in 0..40u32 {
        let parts: Vec<_> = (1..=25u32).map(|n| json!({ "number": batch * 25 + n, "crc32c": crc })).collect();
        let answer = api.post(&format!("/api/v1/uploads/{upload_id}/parts"), json!({ "parts": parts })).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        signed += answer.body["parts"].as_array().unwrap().len();
    }
    let signing = started.elapsed();
    assert_eq!(signed, 1000);

    let listing = at(&format!("/data/folders?bucket={}&prefix=", usecase.data_bucket()));
    let started = Instant::now();
    for _ in 0..1000 {
        assert_eq!(api.get(&listing).await.status, 200);
    }
    let calls = started.elapsed();
    println!(
        "BENCH api: 1,000 part URLs signed in {:.0} ms (40 calls of 25); 1,000 authorized folder listings in {:.0} ms \
         ({:.2} ms a call, token check, authorize, S3 listing and audit included)",
        signing.as_secs_f64() * 1000.0,
        calls.as_secs_f64() * 1000.0,
        calls.as_secs_f64(),
    );
}
