//! Benchmark (run by `make bench`, not `make test`): the memory of an audit
//! export of 100,000 events. It prints the process's resident memory
//! before the export and its peak while the CSV streams, so that a reader
//! sees it stay flat; it asserts only that every event arrived.

mod common;

use app::core::audit::{NewEvent, Outcome, record};
use common::{TestPortal, resident_mib};

const EVENTS: usize = 100_000;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench runs it"]
async fn an_export_of_100000_events_streams_in_flat_memory() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let seal = t.portal.state.audit.clone();
    let filling = std::time::Instant::now();
    t.db(|c| {
        for i in 0..EVENTS {
            let event = NewEvent {
                tenant_id: Some(usecase.tenant_id.clone()),
                user_email: Some("bench@example.com".into()),
                action: "object.download".into(),
                bucket: Some("dataport-data".into()),
                object_key: Some(format!("bench/{i:06}/a-long-enough-file-name-to-weigh-something.csv")),
                detail: "presigned download issued".into(),
                ..NewEvent::default()
            };
            record(c, &seal, event, Outcome::Success).unwrap();
        }
    });
    println!("wrote {EVENTS} events in {:.1} s", filling.elapsed().as_secs_f64());
    let before = resident_mib();
    let started = std::time::Instant::now();
    let mut resp = admin.get(format!("{}/audit/export.csv", t.portal.url)).send().await.unwrap();
    let (mut bytes, mut lines, mut peak) = (0_usize, 0_usize, before);
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        peak = peak.max(resident_mib());
    }
    println!(
        "audit export: {} lines, {:.1} MiB of CSV in {:.1} s; resident memory {before:.0} MiB before, {peak:.0} MiB at \
         most while streaming ({:+.0} MiB)",
        lines,
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64(),
        peak - before
    );
    assert!(lines > EVENTS, "every event and the header");
}
