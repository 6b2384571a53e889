//! "Show deleted files": the files of the folder whose latest version is a
//! delete marker, each with a Restore button (a plain form, so it works
//! before the page's script has loaded), and the sub-folders to look in.

use super::table::Links;
use crate::api::versions::{UndeleteFile, deleted_files};
use crate::components::format_size;
use crate::components::local_time::LocalTime;
use crate::components::session::{ErrorNote, NoAccess};
use crate::error::AppError;
use crate::model::{DeletedFile, DeletedListing};
use crate::url::folder_href;
use leptos::prelude::*;

/// The deleted files of the folder `prefix`.
#[component]
pub fn DeletedFiles(links: Links, prefix: String) -> impl IntoView {
    let restore = ServerAction::<UndeleteFile>::new();
    let listing = {
        let (u, b, p) = (links.usecase_id.clone(), links.bucket.clone(), prefix.clone());
        // Read again after each restore, so that a restored file leaves the list.
        Resource::new(move || restore.version().get(), move |_| deleted_files(u.clone(), b.clone(), p.clone()))
    };
    let restored = move || {
        restore.value().get().map(|done| match done {
            Ok(keys) => {
                let names: Vec<&str> = keys.iter().map(|k| k.rsplit('/').next().unwrap_or(k)).collect();
                view! { <p role="status">{format!("Restored {}. It is back in the folder.", names.join(", "))}</p> }
                    .into_any()
            }
            Err(error) => view! { <ErrorNote error /> }.into_any(),
        })
    };
    view! {
        <section aria-labelledby="deleted-heading">
            <h2 id="deleted-heading">"Deleted files"</h2>
            {restored}
            <Transition fallback=|| view! { <p>"Looking for deleted files…"</p> }>
                {move || {
                    let links = links.clone();
                    Suspend::new(async move {
                        match listing.await {
                            Ok(l) => view! { <DeletedTable listing=l links restore /> }.into_any(),
                            Err(AppError::Denied) => view! { <NoAccess /> }.into_any(),
                            Err(error) => view! { <ErrorNote error /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn DeletedTable(listing: DeletedListing, links: Links, restore: ServerAction<UndeleteFile>) -> impl IntoView {
    let may_restore = listing.rights.write;
    let note = if !listing.versioned {
        "This bucket keeps no versions, so files deleted from it cannot be brought back."
    } else if listing.files.is_empty() {
        "No deleted files in this folder. Deleted files of a sub-folder show when you open it below."
    } else {
        "These files were deleted; each can be brought back as it was before its deletion."
    };
    let folders = listing.folders.clone();
    let folder_links = (!folders.is_empty()).then(|| {
        let items = folders
            .into_iter()
            .map(|f| {
                let name = f.trim_end_matches('/').rsplit('/').next().unwrap_or(&f).to_owned();
                let href = format!("{}&deleted=1", folder_href(&links.usecase_id, &links.bucket, &f));
                view! { <li><a href=href>{format!("Deleted files in {name}")}</a></li> }
            })
            .collect_view();
        view! { <ul aria-label="Sub-folders">{items}</ul> }
    });
    let rows = listing
        .files
        .into_iter()
        .map(|f| view! { <DeletedRow file=f links=links.clone() may_restore restore /> })
        .collect_view();
    let table = view! {
        <table aria-label="Deleted files">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Deleted"</th>
                    <th scope="col">"Size"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    };
    view! {
        <p>{note}</p>
        {table}
        {folder_links}
    }
}

#[component]
fn DeletedRow(
    file: DeletedFile,
    links: Links,
    may_restore: bool,
    restore: ServerAction<UndeleteFile>,
) -> impl IntoView {
    let label = format!("Restore {}", file.name);
    let form = may_restore.then(|| {
        view! {
            <ActionForm action=restore attr:class="inline-form">
                <input type="hidden" name="usecase_id" value=links.usecase_id.to_string() />
                <input type="hidden" name="bucket" value=links.bucket.clone() />
                <input type="hidden" name="key" value=file.key.clone() />
                <button type="submit" disabled=move || restore.pending().get()>{label}</button>
            </ActionForm>
        }
    });
    view! {
        <tr>
            <td>{file.name.clone()}</td>
            <td>{file.deleted_at.map(|at| view! { <LocalTime at /> })}</td>
            <td title=format!("{} bytes", file.size)>{format_size(file.size)}</td>
            <td>{form}</td>
        </tr>
    }
}
