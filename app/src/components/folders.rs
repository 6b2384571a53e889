//! Making folders and choosing one as a usecase's data source.

use crate::api::buckets::{CreateFolder, SetDataSource};
use crate::components::field::CheckedField;
use crate::components::session::ErrorNote;
use crate::ids::UsecaseId;
use crate::rules::folder_name_problem;
use leptos::prelude::*;

/// A form that creates an empty folder in the current folder; a plain form,
/// so it works before the page's script has loaded.
#[component]
pub fn FolderCreator(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// Bucket name.
    bucket: Signal<String>,
    /// The folder the new one goes into.
    prefix: Signal<String>,
    /// Called after the folder was made.
    on_done: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let action = ServerAction::<CreateFolder>::new();
    let problem = move || name.with(|n| if n.is_empty() { None } else { folder_name_problem(n) });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            name.set(String::new());
            on_done.run(());
        }
    });
    view! {
        <ActionForm action=action attr:class="inline-form">
            <input type="hidden" name="usecase_id" value=move || usecase_id.get().to_string() />
            <input type="hidden" name="bucket" value=move || bucket.get() />
            <input type="hidden" name="prefix" value=move || prefix.get() />
            <CheckedField id="folder-name" label="New folder name" value=name check=folder_name_problem name="name" />
            <button type="submit" disabled=move || problem().is_some() || action.pending().get()>
                "Create folder"
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}

/// A button that makes the current folder the usecase's data source.
#[component]
pub fn DataSourcePicker(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// Bucket name.
    bucket: Signal<String>,
    /// The folder shown.
    prefix: Signal<String>,
) -> impl IntoView {
    let action = ServerAction::<SetDataSource>::new();
    view! {
        <div class="inline-form">
            <button
                type="button"
                disabled=move || action.pending().get()
                on:click=move |_| {
                    action
                        .dispatch(SetDataSource {
                            usecase_id: usecase_id.get_untracked(),
                            bucket: bucket.get_untracked(),
                            prefix: prefix.get_untracked(),
                        });
                }
            >
                "Use this folder as the data source"
            </button>
            <p role="status">
                {move || {
                    action
                        .value()
                        .get()
                        .and_then(Result::ok)
                        .map(|u| format!("Data source of {} set to s3://{}/{}", u.name, u.data_bucket, u.data_prefix))
                }}
            </p>
            {move || {
                action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })
            }}
        </div>
    }
}
