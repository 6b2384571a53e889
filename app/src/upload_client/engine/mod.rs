//! The upload engine: the queue and the loop that works through it —
//! planning files in groups, sending parts several at a time with retries,
//! pausing, resuming, cancelling. It reaches the portal and the bytes only
//! through the two traits of `ports`, so it runs in the browser and, in
//! tests, on the host against a running portal.

#[cfg(feature = "hydrate")]
mod browser;
mod entry;
#[cfg(feature = "hydrate")]
mod pick;
pub mod ports;
mod send;

use super::queue::{Row, RowState, Status};
use super::rules::{SendError, backoff_cap_ms};
use crate::error::AppError;
use crate::ids::{UploadId, UsecaseId};
use crate::model::{Conflict, FileOffer, FilePlan, PartOffer, SentPart, StoredPart, UploadLimits, UploadPlan};
#[cfg(feature = "hydrate")]
pub use browser::{Browser, ServerFns};
pub use entry::Dest;
use entry::*;
use futures::{StreamExt, TryStreamExt};
use leptos::prelude::*;
pub use ports::{Portal, Transport};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The engine the upload panel runs in the browser.
#[cfg(feature = "hydrate")]
pub type BrowserEngine = Engine<ServerFns, Browser>;

/// Tries per request before a file fails.
const MAX_ATTEMPTS: u32 = 5;
/// Files planned per server call.
const GROUP: usize = 20;
/// A single-file URL older than this is signed again before a retry.
const RESIGN_AFTER_MS: f64 = 10.0 * 60.0 * 1000.0;

/// The queue and the loop that works through it.
pub struct Engine<P: Portal, T: Transport> {
    portal: P,
    transport: T,
    rows: RwSignal<Vec<Row>>,
    entries: RefCell<Vec<Rc<Entry<T>>>>,
    next_id: Cell<usize>,
    paused: RwSignal<bool>,
    running: RwSignal<bool>,
    error: RwSignal<Option<AppError>>,
    limits: Cell<Option<UploadLimits>>,
    on_done: Callback<()>,
}

impl<P: Portal + 'static, T: Transport + 'static> Engine<P, T> {
    /// An empty queue whose state the given signals show.
    pub fn new(
        portal: P,
        transport: T,
        rows: RwSignal<Vec<Row>>,
        paused: RwSignal<bool>,
        running: RwSignal<bool>,
        error: RwSignal<Option<AppError>>,
        on_done: Callback<()>,
    ) -> Self {
        Self {
            portal,
            transport,
            rows,
            entries: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            paused,
            running,
            error,
            limits: Cell::new(None),
            on_done,
        }
    }

    /// Exponential backoff with jitter before retry number `attempt` (1-based):
    /// half of the capped delay, plus a random other half.
    fn backoff_ms(&self, attempt: u32) -> u32 {
        let cap = backoff_cap_ms(attempt);
        cap / 2 + (self.transport.jitter() * f64::from(cap / 2)) as u32
    }

    fn find(&self, id: usize) -> Option<Rc<Entry<T>>> {
        self.entries.borrow().iter().find(|e| e.row.id == id).cloned()
    }

    /// Queues `file` to go to `path` below the destination folder.
    pub fn add(&self, file: T::Blob, path: String) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let path = path.trim_start_matches('/').to_owned();
        let state = ArcRwSignal::new(RowState { status: Status::Ready, sent: 0.0, speed: 0.0, note: String::new() });
        let row = Row { id, path, size: self.transport.size(&file), state };
        self.rows.update(|rows| rows.push(row.clone()));
        self.entries.borrow_mut().push(Rc::new(Entry {
            row,
            file,
            dest: RefCell::new(None),
            cancelled: Cell::new(false),
            flights: T::Flights::default(),
            upload_id: RefCell::new(None),
            crc32c: RefCell::new(None),
            progress: RefCell::new(Progress::default()),
        }));
    }

    /// Checks the destination with the portal, then queues every ready file.
    pub fn start(self: &Rc<Self>, dest: Dest) {
        let ready: Vec<Rc<Entry<T>>> =
            self.entries.borrow().iter().filter(|e| e.status() == Status::Ready).cloned().collect();
        if ready.is_empty() {
            self.error.set(Some(AppError::Invalid("Choose files or a folder to upload first.".into())));
            return;
        }
        let bytes: u64 = ready.iter().map(|e| e.row.size).sum();
        let this = self.clone();
        leptos::task::spawn_local(async move {
            let (u, b, p) = (dest.usecase_id.clone(), dest.bucket.clone(), dest.prefix.clone());
            match this.portal.begin(u, b, p, ready.len() as u32, bytes).await {
                Ok(limits) => {
                    this.error.set(None);
                    this.limits.set(Some(limits));
                    for e in &ready {
                        *e.dest.borrow_mut() = Some(dest.clone());
                        e.set(|s| s.status = Status::Queued);
                    }
                    this.run().await;
                }
                Err(e) => this.error.set(Some(e)),
            }
        });
    }

    /// Works through the queue unless it is already being worked through.
    async fn run(self: &Rc<Self>) {
        if self.running.get_untracked() {
            return;
        }
        self.running.set(true);
        loop {
            self.wait_unpaused().await;
            let group = self.next_group();
            if group.is_empty() {
                break;
            }
            self.upload_group(group).await;
            self.on_done.run(());
        }
        self.running.set(false);
        self.paused.set(false);
    }

    async fn wait_unpaused(&self) {
        while self.paused.get_untracked() {
            self.transport.sleep(200).await;
        }
    }

    /// Waits out a pause; false when the file was cancelled meanwhile.
    async fn may_go_on(&self, e: &Entry<T>) -> bool {
        loop {
            if e.cancelled.get() {
                return false;
            }
            if !self.paused.get_untracked() {
                return true;
            }
            if e.status() != Status::Paused {
                e.set(|s| {
                    s.status = Status::Paused;
                    s.speed = 0.0;
                });
            }
            self.transport.sleep(200).await;
        }
    }

    /// The next queued files going to the same place.
    fn next_group(&self) -> Vec<Rc<Entry<T>>> {
        let entries = self.entries.borrow();
        let mut queued = entries.iter().filter(|e| e.status() == Status::Queued && !e.cancelled.get());
        let Some(first) = queued.next() else { return Vec::new() };
        let dest = first.dest.borrow().clone();
        let mut group = vec![first.clone()];
        group.extend(queued.filter(|e| *e.dest.borrow() == dest).take(GROUP - 1).cloned());
        group
    }

    /// Stops every transfer where it is; Resume continues.
    pub fn pause(&self) {
        self.paused.set(true);
        for e in self.entries.borrow().iter() {
            self.transport.abort_all(&e.flights);
        }
    }

    /// Stops one file; a multipart upload is aborted on S3 at once.
    pub fn cancel(self: &Rc<Self>, id: usize) {
        let Some(e) = self.find(id) else { return };
        if e.status().settled() {
            return;
        }
        e.cancelled.set(true);
        self.transport.abort_all(&e.flights);
        e.set(|s| {
            s.status = Status::Cancelled;
            s.speed = 0.0;
        });
        self.abort_on_s3(e);
    }

    /// Stops every file not finished yet.
    pub fn cancel_all(self: &Rc<Self>) {
        let ids: Vec<usize> = self.entries.borrow().iter().map(|e| e.row.id).collect();
        for id in ids {
            self.cancel(id);
        }
        self.paused.set(false);
    }

    /// Queues a failed file again; a multipart upload resumes where it stopped.
    pub fn retry(self: &Rc<Self>, id: usize) {
        let Some(e) = self.find(id) else { return };
        if e.status() != Status::Failed {
            return;
        }
        e.set(|s| {
            s.status = Status::Queued;
            s.note = String::new();
        });
        let this = self.clone();
        leptos::task::spawn_local(async move { this.run().await });
    }

    /// Removes finished rows from the queue.
    pub fn clear_settled(&self) {
        self.entries.borrow_mut().retain(|e| !e.status().settled());
        self.rows.update(|rows| rows.retain(|r| !r.state.with_untracked(|s| s.status.settled())));
    }
}
