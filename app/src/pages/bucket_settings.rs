//! A bucket's administration, one click from its folder browser: which
//! folder feeds the usecase's training, and the bucket policy that lets
//! the usecase's SageMaker role read it.

use crate::components::folders::DataSourcePicker;
use crate::components::session::RequireUser;
use crate::components::training::TrainingAccessPanel;
use crate::ids::UsecaseId;
use crate::url::folder_href;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The settings page of one bucket of a usecase.
#[component]
pub fn BucketSettingsPage() -> impl IntoView {
    view! {
        <RequireUser>
            <BucketSettings />
        </RequireUser>
    }
}

#[component]
fn BucketSettings() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let usecase_id = Signal::derive(move || UsecaseId::from(params.read().get("id").unwrap_or_default()));
    let bucket = Signal::derive(move || params.read().get("bucket").unwrap_or_default());
    let prefix = Signal::derive(move || query.read().get("prefix").unwrap_or_default());
    let back = move || folder_href(&usecase_id.get(), &bucket.get(), &prefix.get());
    view! {
        <h1>{move || format!("Settings of {}", bucket.get())}</h1>
        <p>
            <a href=back>"Back to the folder"</a>
        </p>
        <section class="panel" aria-labelledby="folder-heading">
            <h2 id="folder-heading">"Data source"</h2>
            <p>"Folder: " <code>{move || format!("s3://{}/{}", bucket.get(), prefix.get())}</code></p>
            <DataSourcePicker usecase_id bucket prefix />
        </section>
        <TrainingAccessPanel usecase_id bucket />
    }
}
