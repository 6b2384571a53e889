//! The confirmation of a deletion: what goes (objects and bytes, counted on
//! S3), whether the bucket keeps old versions, and the button. A plain form,
//! so it works before the page's script has loaded.

use crate::api::deletion::{DeleteObjects, preview_delete};
use crate::components::format_size;
use crate::components::session::{ErrorNote, NoAccess, RequireUser};
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::url::folder_href;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// "Delete …?", for the folder browser's Delete links.
#[component]
pub fn DeletePage() -> impl IntoView {
    view! {
        <RequireUser>
            <ConfirmDeletion />
        </RequireUser>
    }
}

#[component]
fn ConfirmDeletion() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let usecase_id = UsecaseId::from(params.read_untracked().get("id").unwrap_or_default());
    let bucket = params.read_untracked().get("bucket").unwrap_or_default();
    let back_to = query.read_untracked().get("prefix").unwrap_or_default();
    let all = |name: &str| query.read_untracked().get_all(name).unwrap_or_default();
    // `pick` comes from the folder browser's selection: a folder ends in `/`.
    let (picked_folders, picked_keys): (Vec<String>, Vec<String>) =
        all("pick").into_iter().filter(|p| !p.is_empty()).partition(|p| p.ends_with('/'));
    let keys: Vec<String> = all("key").into_iter().chain(picked_keys).collect();
    let folders: Vec<String> = all("folder").into_iter().chain(picked_folders).collect();
    let named = keys.iter().chain(folders.iter()).cloned().collect::<Vec<_>>().join(", ");
    let summary = Resource::new(
        {
            let (u, b, k, f) = (usecase_id.clone(), bucket.clone(), keys.clone(), folders.clone());
            move || (u.clone(), b.clone(), k.clone(), f.clone())
        },
        |(u, b, k, f)| preview_delete(u, b, k, f),
    );
    let delete = ServerAction::<DeleteObjects>::new();
    let back = folder_href(&usecase_id, &bucket, &back_to);
    view! {
        <h1>"Delete " {named.clone()} "?"</h1>
        <Suspense fallback=|| view! { <p>"Counting what would be deleted…"</p> }>
            {move || {
                let (usecase_id, bucket, back_to, back) = (usecase_id.clone(), bucket.clone(), back_to.clone(), back.clone());
                let (keys, folders) = (keys.clone(), folders.clone());
                Suspend::new(async move {
                    let sum = match summary.await {
                        Ok(sum) => sum,
                        Err(AppError::Denied) => return view! { <NoAccess /> }.into_any(),
                        Err(error) => return view! { <ErrorNote error /> }.into_any(),
                    };
                    let what = format!(
                        "{} object{} ({}) will be deleted from {bucket}.",
                        sum.objects,
                        if sum.objects == 1 { "" } else { "s" },
                        format_size(sum.bytes as i64)
                    );
                    let versions = sum.versioned.then_some(
                        "This bucket keeps versions, so this can be undone: each file gets a delete marker, and “Show deleted files” in its folder brings it back as it was, until the bucket's lifecycle removes its earlier versions.",
                    );
                    view! {
                        <p>{what}</p>
                        {versions.map(|v| view! { <p>{v}</p> })}
                        <ActionForm action=delete>
                            <input type="hidden" name="usecase_id" value=usecase_id.to_string() />
                            <input type="hidden" name="bucket" value=bucket />
                            <input type="hidden" name="back_to" value=back_to />
                            {keys.into_iter().enumerate().map(|(i, k)| view! { <input type="hidden" name=format!("keys[{i}]") value=k /> }).collect_view()}
                            {folders.into_iter().enumerate().map(|(i, f)| view! { <input type="hidden" name=format!("folders[{i}]") value=f /> }).collect_view()}
                            <button type="submit" disabled=move || delete.pending().get()>{if sum.versioned { "Delete" } else { "Delete for good" }}</button>
                            " "
                            <a href=back>"Keep them"</a>
                        </ActionForm>
                    }
                        .into_any()
                })
            }}
        </Suspense>
        {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}
