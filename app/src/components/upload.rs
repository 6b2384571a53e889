//! Picking a file and sending it straight to S3, with a progress bar.

use crate::error::AppError;
use leptos::prelude::*;

/// Upload form for one folder of a bucket.
#[component]
pub fn Uploader(
    /// Usecase id.
    usecase_id: Signal<String>,
    /// Bucket name.
    bucket: Signal<String>,
    /// Folder the file goes into.
    prefix: Signal<String>,
    /// Called after a file was uploaded and recorded.
    on_done: Callback<()>,
) -> impl IntoView {
    let file_input = NodeRef::<leptos::html::Input>::new();
    let percent = RwSignal::new(None::<f64>);
    let status = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);

    let start = move |_: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        engine::start(Job { file_input, percent, status, error, busy, usecase_id, bucket, prefix, on_done });
        #[cfg(not(feature = "hydrate"))]
        let _ = (usecase_id, bucket, prefix, on_done);
    };

    view! {
        <section class="upload" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload"</h2>
            <label for="upload-file">"File to upload"</label>
            <input id="upload-file" type="file" node_ref=file_input />
            <button type="button" on:click=start disabled=move || busy.get()>
                "Upload"
            </button>
            <Show when=move || percent.get().is_some()>
                <div class="progress">
                    <label for="upload-progress">"Upload progress"</label>
                    <progress
                        id="upload-progress"
                        max="100"
                        value=move || format!("{:.0}", percent.get().unwrap_or(0.0))
                        aria-valuenow=move || format!("{:.0}", percent.get().unwrap_or(0.0))
                    ></progress>
                    <span>{move || format!("{:.0}%", percent.get().unwrap_or(0.0))}</span>
                </div>
            </Show>
            <p role="status">{move || status.get()}</p>
            {move || error.get().map(|e| view! { <super::session::ErrorNote error=e /> })}
        </section>
    }
}

/// Everything one upload needs from the form.
#[cfg(feature = "hydrate")]
struct Job {
    file_input: NodeRef<leptos::html::Input>,
    percent: RwSignal<Option<f64>>,
    status: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    busy: RwSignal<bool>,
    usecase_id: Signal<String>,
    bucket: Signal<String>,
    prefix: Signal<String>,
    on_done: Callback<()>,
}

#[cfg(feature = "hydrate")]
mod engine {
    use super::*;
    use crate::api::data::{complete_upload, plan_upload};

    /// Plans, sends and records the chosen file, updating the form as it goes.
    pub(super) fn start(job: Job) {
        let Some(input) = job.file_input.get() else { return };
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            job.error.set(Some(AppError::Invalid("Choose a file to upload first.".into())));
            return;
        };
        job.error.set(None);
        job.busy.set(true);
        job.percent.set(Some(0.0));
        let name = file.name();
        job.status.set(format!("Uploading {name}…"));
        let (usecase_id, bucket, prefix) =
            (job.usecase_id.get_untracked(), job.bucket.get_untracked(), job.prefix.get_untracked());
        let percent = job.percent;
        leptos::task::spawn_local(async move {
            let size = file.size() as u64;
            let result: Result<(), AppError> = async {
                let plan =
                    plan_upload(usecase_id.clone(), bucket.clone(), prefix, name.clone(), size, file.type_()).await?;
                crate::upload::send_file(&plan, &file, move |sent, total| {
                    if total > 0.0 {
                        // Never let the bar go backwards.
                        let now = (sent / total * 100.0).min(100.0);
                        percent.update(|p| *p = Some(p.unwrap_or(0.0).max(now)));
                    }
                })
                .await
                .map_err(|e| AppError::Storage(format!("{e}. Try the upload again.")))?;
                complete_upload(usecase_id, bucket, plan.key).await?;
                Ok(())
            }
            .await;
            job.busy.set(false);
            match result {
                Ok(()) => {
                    job.percent.set(Some(100.0));
                    job.status.set(format!("Uploaded {name}."));
                    input.set_value("");
                    job.on_done.run(());
                }
                Err(e) => {
                    job.status.set(String::new());
                    job.error.set(Some(e));
                }
            }
        });
    }
}
