//! The upload panel: pick files or a whole folder, or drop them on the
//! page; a queue with per-file byte progress, speed and status; pause,
//! resume, cancel and retry. Files go straight to S3 — small ones in one
//! presigned PUT, large ones in checksummed parts.

use super::format_size;
use crate::error::AppError;
use crate::model::Conflict;
use leptos::prelude::*;

/// Where a file is in its upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Picked, waiting for the Upload button.
    Ready,
    /// Waiting for its turn.
    Queued,
    /// Its checksum is being computed.
    Checking,
    /// Bytes are going out.
    Uploading,
    /// Held by Pause.
    Paused,
    /// Every part is on S3, which is assembling the file.
    Completing,
    /// On S3 and recorded.
    Done,
    /// Not sent: the key exists and the rule says skip.
    Skipped,
    /// Stopped by an error; the note says which.
    Failed,
    /// Stopped by the user.
    Cancelled,
}

impl Status {
    /// The word the queue shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready",
            Status::Queued => "Queued",
            Status::Checking => "Computing checksum",
            Status::Uploading => "Uploading",
            Status::Paused => "Paused",
            Status::Completing => "Completing…",
            Status::Done => "Done",
            Status::Skipped => "Skipped",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Nothing more will happen to the file unless the user asks.
    pub fn settled(self) -> bool {
        matches!(self, Status::Done | Status::Skipped | Status::Failed | Status::Cancelled)
    }

    /// The user may still cancel: not once S3 is assembling the file.
    pub fn cancellable(self) -> bool {
        !self.settled() && self != Status::Completing
    }
}

/// What one queue row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowState {
    /// Where the file is.
    pub status: Status,
    /// Bytes on S3 so far; never goes down.
    pub sent: f64,
    /// Bytes per second since the file started.
    pub speed: f64,
    /// More words: a failure's reason, a resume, a retry.
    pub note: String,
}

impl RowState {
    /// The status cell's words: the status, and the note when there is one.
    pub fn text(&self) -> String {
        match (self.status, self.note.is_empty()) {
            (status, true) => status.label().to_owned(),
            (Status::Completing, false) => format!("{} ({})", self.status.label(), self.note),
            (status, false) => format!("{}: {}", status.label(), self.note),
        }
    }
}

/// One file in the queue.
#[derive(Debug, Clone)]
pub struct Row {
    /// Queue-wide id.
    pub id: usize,
    /// Path below the destination folder.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// What the row shows, updated as the upload goes.
    pub state: ArcRwSignal<RowState>,
}

fn speed_text(bytes_per_second: f64) -> String {
    if bytes_per_second <= 0.0 { String::new() } else { format!("{}/s", format_size(bytes_per_second as i64)) }
}

/// The destination folder as a key prefix: no leading `/`, one trailing `/`.
fn normalize_folder(raw: &str) -> String {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") }
}

/// Upload panel for one folder of a bucket.
#[component]
pub fn Uploader(
    /// Usecase id.
    usecase_id: Signal<String>,
    /// Bucket name.
    bucket: Signal<String>,
    /// The folder being browsed; the default destination.
    prefix: Signal<String>,
    /// Called whenever files have landed, to refresh the listing.
    on_done: Callback<()>,
) -> impl IntoView {
    let rows = RwSignal::new(Vec::<Row>::new());
    let folder_input = NodeRef::<leptos::html::Input>::new();
    // The attribute that makes the input pick a whole folder is not in the
    // view macro's vocabulary; it is set once the page is live.
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let destination = RwSignal::new(prefix.get_untracked());
    Effect::watch(move || prefix.get(), move |p, _, _| destination.set(p.clone()), false);
    let conflict = RwSignal::new(Conflict::Overwrite);
    let error = RwSignal::new(None::<AppError>);
    let paused = RwSignal::new(false);
    let running = RwSignal::new(false);

    #[cfg(feature = "hydrate")]
    let engine = StoredValue::new_local(std::rc::Rc::new(engine::Engine::new(rows, paused, running, error, on_done)));
    #[cfg(not(feature = "hydrate"))]
    let _ = (usecase_id, bucket, on_done);

    let pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.add_from_input(&ev));
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.add_from_drop(&ev));
    };
    let start = move |_| {
        let folder = normalize_folder(&destination.get_untracked());
        destination.set(folder.clone());
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| {
            e.start(engine::Dest {
                usecase_id: usecase_id.get_untracked(),
                bucket: bucket.get_untracked(),
                prefix: folder,
                conflict: conflict.get_untracked(),
            })
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = folder;
    };
    let pause = move |_| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.pause());
    };
    let resume = move |_| paused.set(false);
    let cancel_all = move |_| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.cancel_all());
    };
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.clear_settled());
    };
    let cancel_one = Callback::new(move |id: usize| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.cancel(id));
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });
    let retry_one = Callback::new(move |id: usize| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.retry(id));
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });

    // Totals over the files that are to be sent (not skipped or cancelled).
    let totals = Memo::new(move |_| {
        rows.with(|rs| {
            let mut t = Totals::default();
            for r in rs {
                let s = r.state.get();
                t.count(s.status);
                if !matches!(s.status, Status::Skipped | Status::Cancelled) {
                    t.sent += s.sent;
                    t.size += r.size as f64;
                }
            }
            t
        })
    });
    let percent = move || {
        let t = totals.get();
        if t.size > 0.0 {
            (t.sent / t.size * 100.0).min(100.0)
        } else if t.done > 0 {
            100.0
        } else {
            0.0
        }
    };
    let has_ready = move || totals.get().ready > 0;
    let has_settled = move || totals.get().settled > 0;
    let summary = move || {
        let t = totals.get();
        format!(
            "{} of {} ({:.0}%)",
            format_size(t.sent as i64),
            format_size(t.size as i64),
            if t.size > 0.0 { t.sent / t.size * 100.0 } else { 0.0 }
        )
    };
    let status_line = move || {
        let t = totals.get();
        if paused.get() {
            "Paused. Press Resume to continue.".to_owned()
        } else if running.get() {
            format!("Uploading: {} of {} files done.", t.done, t.total - t.ready)
        } else if t.total > 0 && t.ready == 0 && t.settled == t.total {
            let mut parts = vec![format!("{} uploaded", t.done)];
            for (n, word) in [(t.skipped, "skipped"), (t.failed, "failed"), (t.cancelled, "cancelled")] {
                if n > 0 {
                    parts.push(format!("{n} {word}"));
                }
            }
            format!("Finished: {}.", parts.join(", "))
        } else {
            String::new()
        }
    };

    view! {
        <section class="upload" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload"</h2>
            <div
                class="dropzone"
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=dropped
            >
                <div class="field">
                    <label for="upload-files">"Files to upload"</label>
                    <input id="upload-files" type="file" multiple on:change=pick />
                </div>
                <div class="field">
                    <label for="upload-folder">"Folder to upload"</label>
                    <input id="upload-folder" type="file" node_ref=folder_input on:change=pick />
                </div>
                <p class="hint">"You can also drop files and folders here. Folders keep their inner paths."</p>
            </div>
            <div class="field">
                <label for="upload-destination">"Destination folder"</label>
                <input
                    id="upload-destination"
                    type="text"
                    prop:value=move || destination.get()
                    on:input=move |ev| destination.set(event_target_value(&ev))
                />
                <p class="hint">"Folders that do not exist yet are created. Leave it empty for the top of the bucket."</p>
            </div>
            <div class="field">
                <label for="upload-conflict">"If a file already exists"</label>
                <select
                    id="upload-conflict"
                    on:change=move |ev| {
                        conflict
                            .set(
                                match event_target_value(&ev).as_str() {
                                    "skip" => Conflict::Skip,
                                    "keep" => Conflict::KeepBoth,
                                    _ => Conflict::Overwrite,
                                },
                            )
                    }
                >
                    <option value="overwrite" selected>"Replace it"</option>
                    <option value="skip">"Skip the file"</option>
                    <option value="keep">"Keep both (add a number)"</option>
                </select>
            </div>
            <div class="actions">
                <button type="button" on:click=start disabled=move || !has_ready()>
                    "Upload"
                </button>
                <button type="button" on:click=pause disabled=move || !running.get() || paused.get()>
                    "Pause"
                </button>
                <button type="button" on:click=resume disabled=move || !paused.get()>
                    "Resume"
                </button>
                <button type="button" on:click=cancel_all disabled=move || !running.get()>
                    "Cancel all"
                </button>
                <button type="button" on:click=clear disabled=move || !has_settled()>
                    "Clear finished"
                </button>
            </div>
            <Show when=move || !rows.with(Vec::is_empty)>
                <div class="progress">
                    <label for="upload-progress">"Upload progress"</label>
                    <progress
                        id="upload-progress"
                        max="100"
                        value=move || format!("{:.0}", percent())
                        aria-valuenow=move || format!("{:.0}", percent())
                    ></progress>
                    <span>{summary}</span>
                </div>
                <table class="queue">
                    <caption>"Upload queue"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"File"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"Progress"</th>
                            <th scope="col">"Speed"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|r| r.id let:row>
                            <QueueRow row on_cancel=cancel_one on_retry=retry_one />
                        </For>
                    </tbody>
                </table>
            </Show>
            <p role="status">{status_line}</p>
            {move || error.get().map(|e| view! { <super::session::ErrorNote error=e /> })}
        </section>
    }
}

/// Counts over the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Totals {
    sent: f64,
    size: f64,
    total: usize,
    ready: usize,
    done: usize,
    skipped: usize,
    failed: usize,
    cancelled: usize,
    settled: usize,
}

impl Totals {
    fn count(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Ready => self.ready += 1,
            Status::Done => self.done += 1,
            Status::Skipped => self.skipped += 1,
            Status::Failed => self.failed += 1,
            Status::Cancelled => self.cancelled += 1,
            _ => {}
        }
        if status.settled() {
            self.settled += 1;
        }
    }
}

#[component]
fn QueueRow(row: Row, on_cancel: Callback<usize>, on_retry: Callback<usize>) -> impl IntoView {
    let Row { id, path, size, state } = row;
    let (s1, s2, s3, s4, s5) = (state.clone(), state.clone(), state.clone(), state.clone(), state);
    let max = size.max(1).to_string();
    let (cancel_label, retry_label) = (format!("Cancel {path}"), format!("Retry {path}"));
    view! {
        <tr>
            <td>{path.clone()}</td>
            <td>{format_size(size as i64)}</td>
            <td>
                <progress
                    aria-label=format!("Progress of {path}")
                    max=max
                    value=move || format!("{:.0}", if size == 0 && s1.get().status == Status::Done { 1.0 } else { s1.get().sent })
                ></progress>
            </td>
            <td>{move || speed_text(s2.get().speed)}</td>
            <td>
                {move || s3.get().text()}
            </td>
            <td>
                <Show when=move || s4.get().status.cancellable()>
                    <button type="button" aria-label=cancel_label.clone() on:click=move |_| on_cancel.run(id)>
                        "Cancel"
                    </button>
                </Show>
                <Show when=move || s5.get().status == Status::Failed>
                    <button type="button" aria-label=retry_label.clone() on:click=move |_| on_retry.run(id)>
                        "Retry"
                    </button>
                </Show>
            </td>
        </tr>
    }
}

#[cfg(feature = "hydrate")]
mod engine {
    use super::*;
    use crate::api::uploads::{
        abort_upload, batch_upload_urls, begin_upload, complete_multipart, complete_upload, sign_parts,
    };
    use crate::model::{FileOffer, FilePlan, PartOffer, SentPart, StoredPart, UploadLimits, UploadPlan};
    use crate::upload::{self as wire, Flights, SendError};
    use futures::{StreamExt, TryStreamExt};
    use std::cell::{Cell, RefCell};
    use std::collections::{HashMap, HashSet};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// Tries per request before a file fails.
    const MAX_ATTEMPTS: u32 = 5;
    /// Files planned per server call.
    const GROUP: usize = 20;
    /// A single-file URL older than this is signed again before a retry.
    const RESIGN_AFTER_MS: f64 = 10.0 * 60.0 * 1000.0;

    /// Where a set of files goes.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Dest {
        pub usecase_id: String,
        pub bucket: String,
        pub prefix: String,
        pub conflict: Conflict,
    }

    #[derive(Default)]
    struct Progress {
        /// Bytes S3 already had when this run started, plus the most bytes
        /// seen of each part since; kept as a sum so that a progress event
        /// costs the same however many parts the file has.
        total: f64,
        /// Most bytes seen per part in this run.
        parts: HashMap<u32, f64>,
        started_at: f64,
        started_from: f64,
    }

    /// A file of the queue with what its upload needs.
    pub struct Entry {
        row: Row,
        file: web_sys::File,
        dest: RefCell<Option<Dest>>,
        cancelled: Cell<bool>,
        flights: Flights,
        upload_id: RefCell<Option<String>>,
        crc32c: RefCell<Option<String>>,
        progress: RefCell<Progress>,
    }

    impl Entry {
        fn set(&self, f: impl FnOnce(&mut RowState)) {
            self.row.state.update(f);
        }

        fn status(&self) -> Status {
            self.row.state.with_untracked(|s| s.status)
        }

        fn note(&self, note: String) {
            self.set(|s| s.note = note);
        }

        fn fail(&self, reason: String) {
            self.set(|s| {
                s.status = Status::Failed;
                s.note = reason;
                s.speed = 0.0;
            });
        }

        fn begin(&self, base: f64) {
            let sent = self.row.state.with_untracked(|s| s.sent);
            *self.progress.borrow_mut() = Progress {
                total: base,
                parts: HashMap::new(),
                started_at: wire::now_ms(),
                started_from: sent.max(base),
            };
            self.set(|s| s.sent = s.sent.max(base));
        }

        /// Takes a progress event of `part`; the row's figure only grows, so a
        /// retried part never moves the bar back.
        fn report(&self, part: u32, loaded: f64) {
            let (total, started_at, from) = {
                let mut p = self.progress.borrow_mut();
                let seen = p.parts.entry(part).or_insert(0.0);
                let grown = (loaded - *seen).max(0.0);
                *seen += grown;
                p.total += grown;
                (p.total, p.started_at, p.started_from)
            };
            let size = self.row.size as f64;
            let elapsed = (wire::now_ms() - started_at) / 1000.0;
            self.set(|s| {
                s.sent = s.sent.max(total.min(size));
                if elapsed > 0.2 {
                    s.speed = ((s.sent - from) / elapsed).max(0.0);
                }
            });
        }

        /// What the portal is told of this file when it is to go to `path`.
        fn offer(&self, path: String) -> FileOffer {
            FileOffer {
                path,
                size: self.row.size,
                content_type: self.file.type_(),
                modified: self.file.last_modified() as i64,
                crc32c: self.crc32c.borrow().clone(),
            }
        }

        fn part_range(&self, number: u32, part_size: u64) -> (f64, f64) {
            let start = (number as u64 - 1) * part_size;
            (start as f64, (start + part_size).min(self.row.size) as f64)
        }
    }

    enum PartFail {
        Cancelled,
        Failed(String),
    }

    /// Signs parts just before they are sent, a few at a time.
    struct Signer {
        upload_id: String,
        entry: Rc<Entry>,
        part_size: u64,
        order: Vec<u32>,
        batch: usize,
        signed: RefCell<HashMap<u32, UploadPlan>>,
        asked: RefCell<HashSet<u32>>,
        crcs: RefCell<HashMap<u32, String>>,
        lock: futures::lock::Mutex<()>,
    }

    impl Signer {
        async fn crc_of(&self, number: u32) -> Result<String, String> {
            if let Some(c) = self.crcs.borrow().get(&number) {
                return Ok(c.clone());
            }
            let (start, end) = self.entry.part_range(number, self.part_size);
            let blob = self.entry.file.slice_with_f64_and_f64(start, end).map_err(|e| format!("{e:?}"))?;
            let crc = wire::crc32c_of(&blob).await?;
            self.crcs.borrow_mut().insert(number, crc.clone());
            Ok(crc)
        }

        /// A URL for `number`: one signed ahead if there is one and `fresh`
        /// is not asked, else a new batch with the next parts in line.
        async fn url(&self, number: u32, fresh: bool) -> Result<UploadPlan, String> {
            let _turn = self.lock.lock().await;
            if !fresh && let Some(plan) = self.signed.borrow_mut().remove(&number) {
                return Ok(plan);
            }
            let mut numbers = vec![number];
            for n in &self.order {
                if numbers.len() >= self.batch {
                    break;
                }
                if *n != number && !self.asked.borrow().contains(n) {
                    numbers.push(*n);
                }
            }
            let mut offers = Vec::with_capacity(numbers.len());
            for n in &numbers {
                offers.push(PartOffer { number: *n, crc32c: self.crc_of(*n).await? });
            }
            let signed = sign_parts(self.upload_id.clone(), offers).await.map_err(|e| e.to_string())?;
            let mut cache = self.signed.borrow_mut();
            for part in signed {
                self.asked.borrow_mut().insert(part.number);
                cache.insert(part.number, part.request);
            }
            cache.remove(&number).ok_or_else(|| format!("the portal did not sign part {number}"))
        }
    }

    /// The queue and the loop that works through it.
    pub struct Engine {
        rows: RwSignal<Vec<Row>>,
        entries: RefCell<Vec<Rc<Entry>>>,
        next_id: Cell<usize>,
        paused: RwSignal<bool>,
        running: RwSignal<bool>,
        error: RwSignal<Option<AppError>>,
        limits: Cell<Option<UploadLimits>>,
        on_done: Callback<()>,
    }

    impl Engine {
        pub fn new(
            rows: RwSignal<Vec<Row>>,
            paused: RwSignal<bool>,
            running: RwSignal<bool>,
            error: RwSignal<Option<AppError>>,
            on_done: Callback<()>,
        ) -> Self {
            Self {
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

        fn add(&self, file: web_sys::File, path: String) {
            let id = self.next_id.get();
            self.next_id.set(id + 1);
            let path = path.trim_start_matches('/').to_owned();
            let state =
                ArcRwSignal::new(RowState { status: Status::Ready, sent: 0.0, speed: 0.0, note: String::new() });
            let row = Row { id, path, size: file.size() as u64, state };
            self.rows.update(|rows| rows.push(row.clone()));
            self.entries.borrow_mut().push(Rc::new(Entry {
                row,
                file,
                dest: RefCell::new(None),
                cancelled: Cell::new(false),
                flights: Flights::default(),
                upload_id: RefCell::new(None),
                crc32c: RefCell::new(None),
                progress: RefCell::new(Progress::default()),
            }));
        }

        /// Queues the files of a file or folder input, keeping folder paths.
        pub fn add_from_input(&self, ev: &leptos::ev::Event) {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
                return;
            };
            let Some(list) = input.files() else { return };
            for i in 0..list.length() {
                if let Some(file) = list.get(i) {
                    let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                        .ok()
                        .and_then(|v| v.as_string())
                        .filter(|p| !p.is_empty());
                    let path = relative.unwrap_or_else(|| file.name());
                    self.add(file, path);
                }
            }
            // The same files can be picked again (to resume, say).
            input.set_value("");
            self.error.set(None);
        }

        /// Queues dropped files and walks dropped folders.
        pub fn add_from_drop(self: &Rc<Self>, ev: &leptos::ev::DragEvent) {
            let Some(transfer) = ev.data_transfer() else { return };
            let items = transfer.items();
            let mut entries = Vec::new();
            let mut loose = Vec::new();
            // Entries must be taken while the event is being handled.
            for i in 0..items.length() {
                let Some(item) = items.get(i) else { continue };
                if item.kind() != "file" {
                    continue;
                }
                match item.webkit_get_as_entry() {
                    Ok(Some(entry)) => entries.push(entry),
                    _ => {
                        if let Ok(Some(file)) = item.get_as_file() {
                            loose.push(file);
                        }
                    }
                }
            }
            for file in loose {
                let name = file.name();
                self.add(file, name);
            }
            let this = self.clone();
            leptos::task::spawn_local(async move {
                for entry in entries {
                    if let Err(e) = this.walk(entry).await {
                        this.error.set(Some(AppError::Invalid(format!("A dropped item could not be read: {e}"))));
                    }
                }
            });
        }

        async fn walk(&self, root: web_sys::FileSystemEntry) -> Result<(), String> {
            let mut stack = vec![root];
            while let Some(entry) = stack.pop() {
                if entry.is_file() {
                    let file_entry: web_sys::FileSystemFileEntry = entry.clone().unchecked_into();
                    let file = callback_value(|ok, err| file_entry.file_with_callback_and_callback(ok, err)).await?;
                    self.add(file.unchecked_into(), entry.full_path());
                } else if entry.is_directory() {
                    let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
                    let reader = dir.create_reader();
                    // readEntries answers in batches until it answers with none.
                    loop {
                        let batch = callback_value(|ok, err| {
                            let _ = reader.read_entries_with_callback_and_callback(ok, err);
                        })
                        .await?;
                        let batch: js_sys::Array = batch.unchecked_into();
                        if batch.length() == 0 {
                            break;
                        }
                        stack.extend(batch.iter().map(|e| e.unchecked_into::<web_sys::FileSystemEntry>()));
                    }
                }
            }
            Ok(())
        }

        fn find(&self, id: usize) -> Option<Rc<Entry>> {
            self.entries.borrow().iter().find(|e| e.row.id == id).cloned()
        }

        /// Checks the destination with the portal, then queues every ready file.
        pub fn start(self: &Rc<Self>, dest: Dest) {
            let ready: Vec<Rc<Entry>> =
                self.entries.borrow().iter().filter(|e| e.status() == Status::Ready).cloned().collect();
            if ready.is_empty() {
                self.error.set(Some(AppError::Invalid("Choose files or a folder to upload first.".into())));
                return;
            }
            let bytes: u64 = ready.iter().map(|e| e.row.size).sum();
            let this = self.clone();
            leptos::task::spawn_local(async move {
                let (u, b, p) = (dest.usecase_id.clone(), dest.bucket.clone(), dest.prefix.clone());
                match begin_upload(u, b, p, ready.len() as u32, bytes).await {
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
                wire::sleep(200).await;
            }
        }

        /// Waits out a pause; false when the file was cancelled meanwhile.
        async fn may_go_on(&self, e: &Entry) -> bool {
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
                wire::sleep(200).await;
            }
        }

        /// The next queued files going to the same place.
        fn next_group(&self) -> Vec<Rc<Entry>> {
            let entries = self.entries.borrow();
            let mut queued = entries.iter().filter(|e| e.status() == Status::Queued && !e.cancelled.get());
            let Some(first) = queued.next() else { return Vec::new() };
            let dest = first.dest.borrow().clone();
            let mut group = vec![first.clone()];
            group.extend(queued.filter(|e| *e.dest.borrow() == dest).take(GROUP - 1).cloned());
            group
        }

        async fn upload_group(self: &Rc<Self>, group: Vec<Rc<Entry>>) {
            let Some(limits) = self.limits.get() else { return };
            let Some(dest) = group[0].dest.borrow().clone() else { return };
            let mut offers = Vec::new();
            let mut members = Vec::new();
            for e in group {
                let small = e.row.size < limits.multipart_threshold;
                let crc = if small {
                    e.set(|s| s.status = Status::Checking);
                    let known = e.crc32c.borrow().clone();
                    match known {
                        Some(c) => Some(c),
                        None => match wire::crc32c_of(&e.file).await {
                            Ok(c) => Some(c),
                            Err(m) => {
                                e.fail(m);
                                continue;
                            }
                        },
                    }
                } else {
                    None
                };
                *e.crc32c.borrow_mut() = crc;
                if e.cancelled.get() {
                    continue;
                }
                offers.push(e.offer(e.row.path.clone()));
                members.push(e);
            }
            if members.is_empty() {
                return;
            }
            let batch = match batch_upload_urls(
                dest.usecase_id.clone(),
                dest.bucket.clone(),
                dest.prefix.clone(),
                dest.conflict,
                offers,
            )
            .await
            {
                Ok(batch) => batch,
                Err(err) => {
                    for e in members {
                        e.fail(err.to_string());
                    }
                    return;
                }
            };
            let concurrency = batch.concurrency.max(1) as usize;
            let mut singles = Vec::new();
            let mut multis = Vec::new();
            for (e, plan) in members.into_iter().zip(batch.plans) {
                match plan {
                    FilePlan::Skip { key } => e.set(|s| {
                        s.status = Status::Skipped;
                        s.note = format!("“{key}” already exists");
                    }),
                    FilePlan::Single(plan) => singles.push((e, plan)),
                    FilePlan::Multipart { key, upload_id, part_size, part_count, stored } => {
                        multis.push((e, key, upload_id, part_size, part_count, stored))
                    }
                }
            }
            futures::stream::iter(singles)
                .for_each_concurrent(concurrency, |(e, plan)| {
                    let dest = dest.clone();
                    async move { self.upload_single(e, plan, dest).await }
                })
                .await;
            for (e, key, upload_id, part_size, part_count, stored) in multis {
                self.upload_multipart(e, key, upload_id, part_size, part_count, stored, concurrency).await;
            }
        }

        async fn upload_single(&self, e: Rc<Entry>, mut plan: UploadPlan, dest: Dest) {
            let mut signed_at = wire::now_ms();
            let mut attempt = 0;
            e.begin(0.0);
            loop {
                if !self.may_go_on(&e).await {
                    return;
                }
                e.set(|s| s.status = Status::Uploading);
                let progress = {
                    let e = e.clone();
                    move |loaded| e.report(1, loaded)
                };
                match wire::send(&plan, &e.file, &e.flights, progress).await {
                    Ok(_) => break,
                    Err(SendError::Aborted) => continue,
                    Err(SendError::Fatal(m)) => return e.fail(m),
                    Err(SendError::Retryable(m)) => {
                        attempt += 1;
                        if attempt >= MAX_ATTEMPTS {
                            return e.fail(format!("{m}; gave up after {MAX_ATTEMPTS} attempts. Press Retry."));
                        }
                        e.note(format!("attempt {} after: {m}", attempt + 1));
                        wire::sleep(wire::backoff_ms(attempt)).await;
                        if wire::now_ms() - signed_at > RESIGN_AFTER_MS {
                            // Sign again for the same key: the conflict rule was applied already.
                            let offer = e.offer(plan.key.clone());
                            let again = batch_upload_urls(
                                dest.usecase_id.clone(),
                                dest.bucket.clone(),
                                String::new(),
                                Conflict::Overwrite,
                                vec![offer],
                            )
                            .await;
                            match again.map(|b| b.plans.into_iter().next()) {
                                Ok(Some(FilePlan::Single(p))) => {
                                    plan = p;
                                    signed_at = wire::now_ms();
                                }
                                Ok(_) => return e.fail("the portal did not sign the file again".into()),
                                Err(err) => return e.fail(err.to_string()),
                            }
                        }
                    }
                }
            }
            match complete_upload(dest.usecase_id, dest.bucket, plan.key).await {
                Ok(_) => e.set(|s| {
                    s.status = Status::Done;
                    s.sent = e.row.size as f64;
                    s.note = String::new();
                }),
                Err(err) => e.fail(err.to_string()),
            }
        }

        #[allow(clippy::too_many_arguments)]
        async fn upload_multipart(
            &self,
            e: Rc<Entry>,
            key: String,
            upload_id: String,
            part_size: u64,
            part_count: u32,
            stored: Vec<StoredPart>,
            concurrency: usize,
        ) {
            *e.upload_id.borrow_mut() = Some(upload_id.clone());
            if e.cancelled.get() {
                abort_on_s3(e.clone());
                return;
            }
            let base: u64 = stored.iter().map(|p| p.size).sum();
            e.begin(base as f64);
            e.set(|s| s.status = Status::Uploading);
            if !stored.is_empty() {
                e.note(format!("resuming; {} of {part_count} parts were already on S3", stored.len()));
            }
            let have: HashSet<u32> = stored.iter().map(|p| p.number).collect();
            let resumed = have.len();
            let order: Vec<u32> = (1..=part_count).filter(|n| !have.contains(n)).collect();
            let signer = Rc::new(Signer {
                upload_id: upload_id.clone(),
                entry: e.clone(),
                part_size,
                order: order.clone(),
                batch: concurrency,
                signed: RefCell::new(HashMap::new()),
                asked: RefCell::new(HashSet::new()),
                crcs: RefCell::new(HashMap::new()),
                lock: futures::lock::Mutex::new(()),
            });
            let sent = Rc::new(RefCell::new(Vec::<SentPart>::new()));
            let outcome = futures::stream::iter(order.into_iter().map(Ok::<u32, PartFail>))
                .try_for_each_concurrent(concurrency, |n| self.upload_part(e.clone(), signer.clone(), n, sent.clone()))
                .await;
            match outcome {
                Err(PartFail::Cancelled) => {}
                Err(PartFail::Failed(m)) => {
                    e.flights.abort_all();
                    e.fail(m);
                }
                Ok(()) => {
                    let parts = sent.borrow().clone();
                    let clock = completing_clock(e.clone());
                    let completed = complete_multipart(upload_id, parts).await;
                    clock.set(false);
                    match completed {
                        Ok(_) => {
                            e.upload_id.borrow_mut().take();
                            e.set(|s| {
                                s.status = Status::Done;
                                s.sent = e.row.size as f64;
                                s.note = match resumed {
                                    0 => format!("{part_count} parts"),
                                    n => format!("{part_count} parts ({n} were already on S3)"),
                                };
                            })
                        }
                        Err(err) => e.fail(format!("{err} ({key})")),
                    }
                }
            }
        }

        async fn upload_part(
            &self,
            e: Rc<Entry>,
            signer: Rc<Signer>,
            number: u32,
            sent: Rc<RefCell<Vec<SentPart>>>,
        ) -> Result<(), PartFail> {
            let mut attempt = 0;
            let mut fresh = false;
            loop {
                if !self.may_go_on(&e).await {
                    return Err(PartFail::Cancelled);
                }
                let plan = signer
                    .url(number, fresh)
                    .await
                    .map_err(|m| PartFail::Failed(format!("part {number} could not be prepared: {m}")))?;
                if self.paused.get_untracked() || e.cancelled.get() {
                    // Paused while the part was being signed: keep the URL for later.
                    signer.signed.borrow_mut().insert(number, plan);
                    fresh = false;
                    continue;
                }
                e.set(|s| s.status = Status::Uploading);
                let (start, end) = e.part_range(number, signer.part_size);
                let blob = e.file.slice_with_f64_and_f64(start, end).map_err(|v| PartFail::Failed(format!("{v:?}")))?;
                let progress = {
                    let e = e.clone();
                    move |loaded| e.report(number, loaded)
                };
                match wire::send(&plan, &blob, &e.flights, progress).await {
                    Ok(etag) => {
                        e.report(number, end - start);
                        let crc32c = signer.crcs.borrow().get(&number).cloned().unwrap_or_default();
                        sent.borrow_mut().push(SentPart { number, etag, crc32c });
                        return Ok(());
                    }
                    Err(SendError::Aborted) => {
                        if e.cancelled.get() {
                            return Err(PartFail::Cancelled);
                        }
                        fresh = true;
                    }
                    Err(SendError::Fatal(m)) => return Err(PartFail::Failed(format!("part {number}: {m}"))),
                    Err(SendError::Retryable(m)) => {
                        attempt += 1;
                        if attempt >= MAX_ATTEMPTS {
                            return Err(PartFail::Failed(format!(
                                "part {number} failed {MAX_ATTEMPTS} times ({m}). Press Retry to continue where it \
                                 stopped."
                            )));
                        }
                        e.note(format!("retrying part {number} after: {m}"));
                        wire::sleep(wire::backoff_ms(attempt)).await;
                        fresh = true;
                    }
                }
            }
        }

        /// Stops every transfer where it is; Resume continues.
        pub fn pause(&self) {
            self.paused.set(true);
            for e in self.entries.borrow().iter() {
                e.flights.abort_all();
            }
        }

        /// Stops one file; a multipart upload is aborted on S3 at once.
        pub fn cancel(&self, id: usize) {
            let Some(e) = self.find(id) else { return };
            if e.status().settled() {
                return;
            }
            e.cancelled.set(true);
            e.flights.abort_all();
            e.set(|s| {
                s.status = Status::Cancelled;
                s.speed = 0.0;
            });
            abort_on_s3(e);
        }

        /// Stops every file not finished yet.
        pub fn cancel_all(&self) {
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

    /// Shows the file as completing, with the seconds S3 has been
    /// assembling it, until the returned flag is cleared.
    fn completing_clock(e: Rc<Entry>) -> Rc<Cell<bool>> {
        let running = Rc::new(Cell::new(true));
        let started = wire::now_ms();
        e.set(|s| {
            s.status = Status::Completing;
            s.speed = 0.0;
            s.note = "0 s".into();
        });
        let still = running.clone();
        leptos::task::spawn_local(async move {
            loop {
                wire::sleep(1000).await;
                if !still.get() {
                    break;
                }
                e.note(format!("{:.0} s", (wire::now_ms() - started) / 1000.0));
            }
        });
        running
    }

    fn abort_on_s3(e: Rc<Entry>) {
        let Some(upload_id) = e.upload_id.borrow_mut().take() else { return };
        leptos::task::spawn_local(async move {
            match abort_upload(upload_id).await {
                Ok(()) => e.note("the parts sent were removed from S3".into()),
                Err(err) => e.note(format!("S3 could not be told ({err}); the parts are removed within a day")),
            }
        });
    }

    /// Runs an API that answers through a success and an error callback.
    async fn callback_value(
        call: impl FnOnce(&js_sys::Function, &js_sys::Function),
    ) -> Result<wasm_bindgen::JsValue, String> {
        let (tx, rx) = futures::channel::oneshot::channel::<Result<wasm_bindgen::JsValue, String>>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let ok = {
            let tx = tx.clone();
            Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |v| {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(Ok(v));
                }
            })
        };
        let err = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |v: wasm_bindgen::JsValue| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(Err(v.as_string().unwrap_or_else(|| format!("{v:?}"))));
            }
        });
        call(ok.as_ref().unchecked_ref(), err.as_ref().unchecked_ref());
        let result = rx.await.unwrap_or_else(|_| Err("the browser gave no answer".into()));
        drop((ok, err));
        result
    }
}
