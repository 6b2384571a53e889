//! Benchmarks of the folder browser (run by `make bench`, not `make test`):
//! the first page of a folder of 100,000 objects through the portal against
//! one raw ListObjectsV2 of the same page; a search through those 100,000
//! keys; and the server's memory while a 1 GiB folder streams out as a zip.
//! They print figures and assert only that the work was done.

mod common;

use common::{TestPortal, resident_mib};
use std::time::{Duration, Instant};

const OBJECTS: usize = 100_000;
const ROUNDS: u32 = 20;

/// Writes objects straight into the embedded store's files: quicker than
/// 100,000 PUTs, and what the endpoint serves is the same.
fn fill(t: &TestPortal, folder: &str, count: usize, size: usize, extension: &str) {
    let dir = t.dir.path().join("s3").join("dataport-data").join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let body: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
    for i in 0..count {
        std::fs::write(dir.join(format!("object-{i:06}.{extension}")), &body).unwrap();
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench runs it"]
async fn the_first_page_of_100000_objects_and_a_search_through_them() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let started = Instant::now();
    fill(&t, "flat", OBJECTS, 16, "bin");
    println!("wrote {OBJECTS} objects in {:.1} s", started.elapsed().as_secs_f64());
    let usecase = t.default_usecase();
    let s3 = t.s3().await;

    let (mut raw, mut portal) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let at = Instant::now();
        let out = s3
            .list_objects_v2()
            .bucket("dataport-data")
            .prefix("flat/")
            .delimiter("/")
            .max_keys(app::core::storage::PAGE_SIZE)
            .send()
            .await
            .unwrap();
        raw.push(at.elapsed());
        assert_eq!(out.contents().len(), app::core::storage::PAGE_SIZE as usize);
        let at = Instant::now();
        let form = [("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "flat/")];
        let (status, body) = t.call(&admin, "list_objects", &form).await;
        portal.push(at.elapsed());
        assert_eq!(status, 200, "{body}");
    }
    let (raw, portal) = (median(raw), median(portal));
    println!(
        "first page of {OBJECTS} objects: raw ListObjectsV2 {:.1} ms, through the portal {:.1} ms (median of {ROUNDS}); \
         ratio {:.2} (target < 2)",
        raw.as_secs_f64() * 1000.0,
        portal.as_secs_f64() * 1000.0,
        portal.as_secs_f64() / raw.as_secs_f64()
    );

    let at = Instant::now();
    let (mut token, mut scanned, mut found, mut calls) = (None::<String>, 0_u64, 0_usize, 0);
    loop {
        let mut form = vec![("usecase_id", usecase.id.as_str()), ("bucket", "dataport-data"), ("prefix", "")];
        form.push(("words", "object-09999"));
        if let Some(t) = &token {
            form.push(("token", t.as_str()));
        }
        let (status, body) = t.call(&admin, "search_files", &form).await;
        assert_eq!(status, 200, "{body}");
        let page: app::model::SearchPage = serde_json::from_str(&body).unwrap();
        (scanned, found, calls) = (scanned + page.scanned, found + page.files.len(), calls + 1);
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let secs = at.elapsed().as_secs_f64();
    println!(
        "search through {scanned} keys in {calls} stretches: {secs:.2} s, {:.0} keys/s, {found} found",
        scanned as f64 / secs
    );
    assert_eq!(found, 10, "object-099990 to object-099999");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench runs it"]
async fn a_1_gib_folder_streams_as_a_zip_in_flat_memory() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    // Photos, as a folder of training images holds: stored, not deflated.
    fill(&t, "gib", 16, 64 * 1024 * 1024, "jpg");
    let usecase = t.default_usecase();
    let url = format!("{}/usecases/{}/buckets/dataport-data/archive", t.portal.url, usecase.id);
    let before = resident_mib();
    let started = Instant::now();
    let mut resp = admin.post(url).form(&[("prefix", "gib/"), ("pick", "gib/")]).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let (mut bytes, mut peak) = (0_u64, before);
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
        peak = peak.max(resident_mib());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "zip of a 1 GiB folder (16 photos of 64 MiB): {:.0} MiB in {secs:.1} s ({:.0} MiB/s); resident memory \
         {before:.0} MiB before, {peak:.0} MiB at most ({:+.0} MiB, target < 64)",
        bytes as f64 / 1048576.0,
        bytes as f64 / 1048576.0 / secs,
        peak - before
    );
    assert!(bytes > 1 << 30, "every byte and the archive's records");
}
