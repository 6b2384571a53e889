//! The uploads of the tab, kept at the portal's root rather than in a page:
//! they go on while the person moves through the portal (client-side
//! navigation keeps the engine alive), the folder page's panel shows them
//! whenever it is open, and the header shows their progress everywhere else.

use super::queue::{Row, Totals};
use crate::error::AppError;
use leptos::prelude::*;

/// The queue, its state, and the engine that works through it.
#[derive(Clone, Copy)]
pub struct UploadSession {
    /// Every file of the queue.
    pub rows: RwSignal<Vec<Row>>,
    /// Paused by the person.
    pub paused: RwSignal<bool>,
    /// The engine is sending.
    pub running: RwSignal<bool>,
    /// What stopped the last batch, if anything did.
    pub error: RwSignal<Option<AppError>>,
    /// Counts every time files landed, so that the listing shown reads its folder again.
    pub landed: RwSignal<u64>,
    /// The page the uploads were started from, for the header's link back.
    pub started_at: RwSignal<Option<String>>,
    /// Sums over the files to be sent (not skipped or cancelled).
    pub totals: Memo<Totals>,
    /// The engine, in the browser only (it holds browser objects).
    #[cfg(feature = "hydrate")]
    pub engine: StoredValue<std::rc::Rc<super::engine::BrowserEngine>, LocalStorage>,
}

impl UploadSession {
    /// Bytes sent of all bytes to send, in percent.
    pub fn percent(&self) -> f64 {
        let t = self.totals.get();
        if t.size > 0.0 {
            (t.sent / t.size * 100.0).min(100.0)
        } else if t.done > 0 {
            100.0
        } else {
            0.0
        }
    }
}

/// Makes the tab's upload session and offers it to every page; called once, by the portal's root.
pub fn provide_upload_session() {
    let rows = RwSignal::new(Vec::<Row>::new());
    let (paused, running, error) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(None::<AppError>));
    let landed = RwSignal::new(0_u64);
    let totals = Memo::new(move |_| {
        rows.with(|rs| {
            let mut t = Totals::default();
            for r in rs {
                let s = r.state.get();
                t.count(s.status);
                if !matches!(s.status, super::queue::Status::Skipped | super::queue::Status::Cancelled) {
                    t.sent += s.sent;
                    t.size += r.size as f64;
                }
            }
            t
        })
    });
    #[cfg(feature = "hydrate")]
    let engine = StoredValue::new_local(std::rc::Rc::new(super::engine::BrowserEngine::new(
        super::engine::ServerFns,
        super::engine::Browser,
        rows,
        paused,
        running,
        error,
        Callback::new(move |()| landed.update(|n| *n += 1)),
    )));
    provide_context(UploadSession {
        rows,
        paused,
        running,
        error,
        landed,
        started_at: RwSignal::new(None),
        totals,
        #[cfg(feature = "hydrate")]
        engine,
    });
}

/// The tab's upload session.
pub fn use_upload_session() -> UploadSession {
    expect_context::<UploadSession>()
}

/// The header's sign of uploads under way while their panel is not shown:
/// how far they are, and a link back to where they were started.
#[component]
pub fn UploadIndicator() -> impl IntoView {
    let session = use_upload_session();
    let busy = move || session.running.get() || session.paused.get();
    let text = move || {
        let t = session.totals.get();
        let verb = if session.paused.get() { "Uploads paused" } else { "Uploading" };
        format!("{verb}: {} of {} files done", t.done, t.total - t.ready)
    };
    view! {
        <Show when=busy>
            <div class="upload-indicator" role="group" aria-label="Uploads in progress">
                <progress
                    aria-label="Progress of all uploads"
                    max="100"
                    value=move || format!("{:.0}", session.percent())
                ></progress>
                <a href=move || session.started_at.get().unwrap_or_else(|| "/".into())>{text}</a>
            </div>
        </Show>
    }
}
