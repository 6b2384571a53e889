//! The upload engine the browser runs, driven on the host over HTTP against
//! a running portal and its S3 endpoint: files land whole, a lost part is
//! sent again, a failed file resumes with the parts S3 kept, a cancelled
//! file leaves nothing behind, and a taken name is skipped on request.

mod common;

use app::core::db::schema::uploads;
use app::core::db::text_enums::UploadStatus;
use app::error::AppError;
use app::model::Conflict;
use app::upload_client::engine::ports::SendError;
use app::upload_client::engine::{Dest, Engine};
use app::upload_client::queue::{Row, RowState, Status};
use common::caller::Caller;
use common::engine::{HttpPortal, HttpTransport, MemFile};
use common::uploads::{MIB, object_bytes, sample};
use common::{TestPortal, offer};
use diesel::prelude::*;
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

type HostEngine = Engine<HttpPortal, HttpTransport>;

/// An engine of the default admin, with the signals the panel would show.
struct Queue {
    engine: Rc<HostEngine>,
    rows: RwSignal<Vec<Row>>,
    error: RwSignal<Option<AppError>>,
}

impl Queue {
    fn new(t: &TestPortal, admin: &reqwest::Client, transport: HttpTransport) -> Self {
        let caller = Caller::with_client(t, admin);
        let rows = RwSignal::new(Vec::new());
        let error = RwSignal::new(None);
        let (paused, running) = (RwSignal::new(false), RwSignal::new(false));
        let engine =
            Rc::new(Engine::new(HttpPortal(caller), transport, rows, paused, running, error, Callback::new(|_| {})));
        Queue { engine, rows, error }
    }

    fn dest(t: &TestPortal, conflict: Conflict) -> Dest {
        Dest { usecase_id: t.default_usecase().id, bucket: "dataport-data".into(), prefix: "in/".into(), conflict }
    }

    fn states(&self) -> Vec<(String, RowState)> {
        self.rows.get_untracked().iter().map(|r| (r.path.clone(), r.state.get_untracked())).collect()
    }

    /// Waits until every row is settled (done, skipped, failed or cancelled).
    async fn settled(&self) -> Vec<(String, RowState)> {
        for _ in 0..3000 {
            let states = self.states();
            if let Some(e) = self.error.get_untracked() {
                panic!("the queue stopped: {e}");
            }
            if !states.is_empty() && states.iter().all(|(_, s)| s.status.settled()) {
                return states;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the queue did not settle: {:?}", self.states());
    }

    /// Waits until a row's note says `words`.
    async fn note_says(&self, words: &str) {
        for _ in 0..3000 {
            if self.states().iter().any(|(_, s)| s.note.contains(words)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        panic!("no row said “{words}”: {:?}", self.states());
    }
}

/// Runs the engine's side of a test on one thread with a local task set and
/// a reactive owner, as the browser runs it; the portal serves from the
/// runtime's other threads.
async fn on_one_thread<F: Future<Output = ()>>(test: F) {
    let _ = any_spawner::Executor::init_tokio();
    let owner = Owner::new_root(None);
    tokio::task::LocalSet::new().run_until(test).await;
    drop(owner);
}

async fn portal() -> TestPortal {
    TestPortal::start_with(|a| a.multipart_threshold = 5 * MIB as u64).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_and_large_files_land_whole_through_the_engine() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        let q = Queue::new(&t, &admin, HttpTransport::default());
        let files =
            [("a.txt", b"alpha".to_vec()), ("data/b.csv", sample(100_000, 1)), ("big.bin", sample(17 * MIB, 2))];
        for (path, bytes) in &files {
            q.engine.add(MemFile::new(bytes.clone()), path.to_string());
        }
        q.engine.start(Queue::dest(&t, Conflict::Overwrite));
        let states = q.settled().await;
        for (path, state) in &states {
            assert_eq!(state.status, Status::Done, "{path}: {}", state.note);
        }
        assert_eq!(states[2].1.note, "3 parts", "17 MiB goes in 8 MiB parts");
        assert_eq!(states[2].1.sent, (17 * MIB) as f64, "the bar ends full");
        let s3 = t.s3().await;
        for (path, bytes) in &files {
            assert_eq!(&object_bytes(&s3, &format!("in/{path}")).await, bytes, "{path} arrived whole");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_part_is_sent_again_and_the_file_arrives_whole() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        let transport = HttpTransport::default();
        transport.faults.borrow_mut().push((2, 2, SendError::Retryable("connection reset".into())));
        let faults = transport.faults.clone();
        let q = Queue::new(&t, &admin, transport);
        let bytes = sample(17 * MIB, 3);
        q.engine.add(MemFile::new(bytes.clone()), "big.bin".into());
        q.engine.start(Queue::dest(&t, Conflict::Overwrite));
        let states = q.settled().await;
        assert_eq!(states[0].1.status, Status::Done, "{}", states[0].1.note);
        assert_eq!(faults.borrow()[0].1, 0, "part 2 was lost twice and sent a third time");
        assert_eq!(object_bytes(&t.s3().await, "in/big.bin").await, bytes);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_file_resumes_with_the_parts_s3_kept() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        let transport = HttpTransport::default();
        transport.faults.borrow_mut().push((2, 5, SendError::Retryable("connection reset".into())));
        let q = Queue::new(&t, &admin, transport);
        let bytes = sample(17 * MIB, 4);
        q.engine.add(MemFile::new(bytes.clone()), "big.bin".into());
        q.engine.start(Queue::dest(&t, Conflict::Overwrite));
        let states = q.settled().await;
        assert_eq!(states[0].1.status, Status::Failed);
        assert!(states[0].1.note.contains("part 2 failed 5 times"), "{}", states[0].1.note);

        let id = q.rows.get_untracked()[0].id;
        q.engine.retry(id);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let states = q.settled().await;
        assert_eq!(states[0].1.status, Status::Done, "{}", states[0].1.note);
        // Part 3 may have been in flight, and cancelled, when part 2 failed for good.
        let resumed = ["3 parts (2 were already on S3)", "3 parts (1 were already on S3)"];
        assert!(resumed.contains(&states[0].1.note.as_str()), "only what S3 lacked went again: {}", states[0].1.note);
        assert_eq!(object_bytes(&t.s3().await, "in/big.bin").await, bytes);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_file_leaves_no_parts_and_no_object() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        let transport = HttpTransport::default();
        transport.faults.borrow_mut().push((3, 4, SendError::Retryable("connection reset".into())));
        let q = Queue::new(&t, &admin, transport);
        q.engine.add(MemFile::new(sample(17 * MIB, 5)), "big.bin".into());
        q.engine.start(Queue::dest(&t, Conflict::Overwrite));
        q.note_says("retrying part 3").await;
        q.engine.cancel(q.rows.get_untracked()[0].id);
        assert_eq!(q.settled().await[0].1.status, Status::Cancelled);
        q.note_says("the parts sent were removed from S3").await;

        let records: Vec<(UploadStatus, String)> =
            t.db(|c| uploads::table.select((uploads::status, uploads::s3_upload_id)).load(c).unwrap());
        let [(status, s3_upload_id)] = &records[..] else { panic!("one upload: {records:?}") };
        assert_eq!(*status, UploadStatus::Aborted, "the portal's record says aborted");
        let parts =
            t.s3().await.list_parts().bucket("dataport-data").key("in/big.bin").upload_id(s3_upload_id).send().await;
        assert!(parts.is_err(), "S3 no longer knows the upload: {parts:?}");
        let head = t.s3().await.head_object().bucket("dataport-data").key("in/big.bin").send().await;
        assert!(head.is_err(), "no object was made");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_name_is_skipped_when_the_rule_says_skip() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        let before = b"first".to_vec();
        let usecase = t.default_usecase();
        let (status, body) =
            t.plan_uploads(&admin, usecase.id.as_str(), "in/", "Overwrite", vec![offer("a.txt", &before)]).await;
        assert_eq!(status, 200, "{body}");
        let plan: app::model::UploadBatch = serde_json::from_str(&body).unwrap();
        let app::model::FilePlan::Single(plan) = &plan.plans[0] else { panic!("one PUT") };
        assert_eq!(common::send_as_planned(plan, before.clone()).await.status(), 200);

        let q = Queue::new(&t, &admin, HttpTransport::default());
        q.engine.add(MemFile::new(b"second".to_vec()), "a.txt".into());
        q.engine.start(Queue::dest(&t, Conflict::Skip));
        let states = q.settled().await;
        assert_eq!(states[0].1.status, Status::Skipped);
        assert_eq!(states[0].1.note, "“in/a.txt” already exists");
        assert_eq!(object_bytes(&t.s3().await, "in/a.txt").await, before, "the file on S3 is untouched");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_refused_by_the_buckets_cors_rules_names_them_at_once() {
    on_one_thread(async {
        let t = portal().await;
        let admin = t.admin().await;
        // A bucket whose rules do not let the portal's pages upload: all a
        // browser sees of that is a failed connection.
        t.s3().await.delete_bucket_cors().bucket("dataport-data").send().await.unwrap();
        let transport = HttpTransport::default();
        transport.faults.borrow_mut().push((
            1,
            5,
            SendError::Retryable("the connection to the storage service failed".into()),
        ));
        let faults = transport.faults.clone();
        let q = Queue::new(&t, &admin, transport);
        q.engine.add(MemFile::new(b"small".to_vec()), "small.txt".into());
        q.engine.start(Queue::dest(&t, Conflict::Overwrite));
        let states = q.settled().await;
        assert_eq!(states[0].1.status, Status::Failed);
        assert!(states[0].1.note.contains("CORS rules"), "the row names the cause: {}", states[0].1.note);
        assert_eq!(faults.borrow()[0].1, 4, "failed after the first attempt, not after five");
    })
    .await;
}
