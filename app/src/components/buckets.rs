//! Creating a bucket with the recommended settings, and the checklist that
//! shows how each setting went.

use crate::api::buckets::{ApplyBucketSettings, CreateBucket};
use crate::components::checklist::Checklist;
use crate::components::field::CheckedField;
use crate::components::session::ErrorNote;
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{BucketReport, REGIONS};
use crate::rules::bucket_name_problem;
use leptos::prelude::*;

/// The form that creates a bucket, with inline name checks.
#[component]
pub fn BucketCreator(
    /// Usecase the bucket is for.
    usecase_id: Signal<UsecaseId>,
    /// Region selected at first.
    default_region: String,
    /// Called after a bucket was created or adopted.
    on_created: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let first_region = default_region.clone();
    let region = RwSignal::new(default_region);
    let create = ServerAction::<CreateBucket>::new();
    let reapply = ServerAction::<ApplyBucketSettings>::new();
    let problem = move || name.with(|n| if n.is_empty() { None } else { bucket_name_problem(n) });
    let submit = move |adopt: bool| {
        create.dispatch(CreateBucket {
            usecase_id: usecase_id.get_untracked(),
            name: name.get_untracked(),
            region: region.get_untracked(),
            adopt,
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            on_created.run(());
        }
    });
    let outcome = move || {
        // The latest of the two actions is what the checklist shows.
        let report = reapply.value().get().or_else(|| create.value().get());
        match report {
            Some(Ok(report)) => view! { <BucketChecklist report reapply usecase_id /> }.into_any(),
            Some(Err(AppError::Conflict(message))) if message.contains("already owns") => view! {
                <p class="error" role="alert">{message}</p>
                <button type="button" on:click=move |_| submit(true)>"Adopt bucket"</button>
            }
            .into_any(),
            Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
            None => ().into_any(),
        }
    };
    // A plain form, so that it works before the page's script has loaded;
    // once it has, the name is checked while it is typed.
    view! {
        <section class="panel" aria-labelledby="new-bucket-heading">
            <h2 id="new-bucket-heading">"Create a bucket"</h2>
            <ActionForm action=create>
                <input type="hidden" name="usecase_id" value=move || usecase_id.get().to_string() />
                <input type="hidden" name="adopt" value="false" />
                <CheckedField
                    id="bucket-name"
                    label="Bucket name"
                    value=name
                    check=bucket_name_problem
                    hint="3–63 lowercase letters, digits, hyphens or dots."
                    name="name"
                />
                <div class="field">
                    <label for="bucket-region">"Region"</label>
                    <select id="bucket-region" name="region" on:change=move |ev| region.set(event_target_value(&ev))>
                        {REGIONS
                            .iter()
                            .map(|r| view! { <option value=*r selected=*r == first_region>{*r}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" disabled=move || problem().is_some() || create.pending().get()>
                    "Create bucket"
                </button>
            </ActionForm>
            {outcome}
        </section>
    }
}

/// Each recommended setting, applied or not, with a way to try again.
#[component]
fn BucketChecklist(
    report: BucketReport,
    reapply: ServerAction<ApplyBucketSettings>,
    usecase_id: Signal<UsecaseId>,
) -> impl IntoView {
    let all_ok = report.checks.iter().all(|c| c.ok);
    let bucket = report.bucket.clone();
    let heading = if report.created {
        format!("Bucket {} created", report.bucket)
    } else {
        format!("Settings of bucket {}", report.bucket)
    };
    view! {
        <h3>{heading}</h3>
        <Checklist checks=report.checks label="Bucket settings" ok_word="applied" />
        {(!all_ok)
            .then(|| {
                view! {
                    <p>"The bucket is kept. Fix what failed, then apply the settings again."</p>
                    <button
                        type="button"
                        on:click=move |_| {
                            reapply
                                .dispatch(ApplyBucketSettings {
                                    usecase_id: usecase_id.get_untracked(),
                                    bucket: bucket.clone(),
                                });
                        }
                    >
                        "Apply settings again"
                    </button>
                }
            })}
    }
}
