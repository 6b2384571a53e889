//! The upload panel: pick files or a whole folder, or drop them on the
//! page; a queue with per-file byte progress, speed and status; pause,
//! resume, cancel and retry. A thin view of the engine's state.

use super::queue::{Row, Status, normalize_folder, speed_text};
use crate::components::format_size;
use crate::ids::UsecaseId;
use crate::model::Conflict;
use leptos::prelude::*;

/// Where the page keeps what a drop on the listing calls, once the upload
/// panel has put it there.
pub type DropTarget = StoredValue<Option<std::rc::Rc<dyn Fn(&leptos::ev::DragEvent)>>, LocalStorage>;

/// Upload panel for one folder of a bucket.
#[component]
pub fn Uploader(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// Bucket name.
    bucket: Signal<String>,
    /// The folder being browsed; the default destination.
    prefix: Signal<String>,
    /// Called whenever files have landed, to refresh the listing.
    on_done: Callback<()>,
    /// Filled with what a drop elsewhere on the page (the listing) calls:
    /// the dropped files and folders go into the folder shown at once.
    #[prop(default = None)]
    drop_target: Option<DropTarget>,
) -> impl IntoView {
    let session = super::session::use_upload_session();
    let (rows, paused, running, error) = (session.rows, session.paused, session.running, session.error);
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
    // Files landing (in this folder or another) refresh what the page shows.
    Effect::watch(move || session.landed.get(), move |_, _, _| on_done.run(()), false);
    #[cfg(feature = "hydrate")]
    let engine = session.engine;
    #[cfg(not(feature = "hydrate"))]
    let _ = (usecase_id, bucket);

    let pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.add_from_input(&ev));
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| e.add_from_drop(&ev, None));
    };
    let start_now = move || {
        let folder = normalize_folder(&destination.get_untracked());
        destination.set(folder.clone());
        #[cfg(feature = "hydrate")]
        session.started_at.set(window().location().href().ok());
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| {
            e.start(super::engine::Dest {
                usecase_id: usecase_id.get_untracked(),
                bucket: bucket.get_untracked(),
                prefix: folder,
                conflict: conflict.get_untracked(),
            })
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = folder;
    };
    let start = move |_| start_now();
    if let Some(target) = drop_target {
        target.set_value(Some(std::rc::Rc::new(move |ev: &leptos::ev::DragEvent| {
            ev.prevent_default();
            #[cfg(feature = "hydrate")]
            engine.with_value(|e| {
                destination.set(prefix.get_untracked());
                e.add_from_drop(ev, Some(Box::new(start_now)));
            });
        })));
    }
    // The queue can be folded away; new work opens it again.
    let queue_hidden = RwSignal::new(false);
    Effect::watch(
        move || running.get(),
        move |now, _, _| {
            if *now {
                queue_hidden.set(false)
            }
        },
        false,
    );
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

    let totals = session.totals;
    let percent = move || session.percent();
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
            <super::cors_notice::CorsNotice usecase_id bucket prefix />
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
                <button
                    type="button"
                    aria-controls="upload-queue"
                    aria-expanded=move || (!queue_hidden.get()).to_string()
                    on:click=move |_| queue_hidden.update(|hidden| *hidden = !*hidden)
                >
                    {move || if queue_hidden.get() { "Show the queue" } else { "Hide the queue" }}
                </button>
                <table class="queue" id="upload-queue" hidden=move || queue_hidden.get()>
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
            {move || error.get().map(|e| view! { <crate::components::session::ErrorNote error=e /> })}
        </section>
    }
}

/// One file of the queue, with its progress and actions.
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
