//! The versions of one file on its details page: each can be downloaded,
//! and, with the write right, an older one restored as the latest (a plain
//! form, so it works before the page's script has loaded).

use crate::api::versions::RestoreVersion;
use crate::components::local_time::LocalTime;
use crate::components::session::ErrorNote;
use crate::components::{encode, format_size};
use crate::ids::UsecaseId;
use crate::model::FileVersion;
use leptos::prelude::*;

/// Versions are numbered oldest first, as people count them; S3's ids are shown beside.
fn numbered(versions: &[FileVersion]) -> Vec<(Option<usize>, FileVersion)> {
    let mut n = versions.iter().filter(|v| !v.deleted).count();
    versions
        .iter()
        .map(|v| {
            if v.deleted {
                (None, v.clone())
            } else {
                n -= 1;
                (Some(n + 1), v.clone())
            }
        })
        .collect()
}

/// The versions table of the file `key`, and the outcome of a restore.
#[component]
pub fn VersionsOf(
    /// The usecase.
    usecase_id: UsecaseId,
    /// The bucket.
    bucket: String,
    /// The file.
    key: String,
    /// Its versions, newest first.
    versions: Vec<FileVersion>,
    /// Whether the viewer may write the file (and so restore a version).
    may_write: bool,
    /// The restore form's action, owned by the page so that it reads the details again.
    restore: ServerAction<RestoreVersion>,
) -> impl IntoView {
    if versions.len() <= 1 && versions.iter().all(|v| v.id == "null") {
        return view! {
            <section class="panel" aria-labelledby="versions-heading">
                <h2 id="versions-heading">"Versions"</h2>
                <p>"This bucket keeps no earlier versions of its files."</p>
            </section>
        }
        .into_any();
    }
    let rows = numbered(&versions)
        .into_iter()
        .map(|(number, v)| {
            let name = number.map_or_else(|| "Delete marker".to_owned(), |n| format!("Version {n}"));
            let download = crate::url::bucket_href(
                &usecase_id,
                &bucket,
                &format!("download?key={}&version={}", encode(&key), encode(&v.id)),
            );
            let fields = (usecase_id.to_string(), bucket.clone(), key.clone(), v.id.clone());
            let restore_form = (may_write && !v.latest && !v.deleted).then(|| {
                let (u, b, k, id) = fields;
                let label = format!("Restore {}", name.to_lowercase());
                view! {
                    <ActionForm action=restore attr:class="inline-form">
                        <input type="hidden" name="usecase_id" value=u />
                        <input type="hidden" name="bucket" value=b />
                        <input type="hidden" name="key" value=k />
                        <input type="hidden" name="version" value=id />
                        <button type="submit" disabled=move || restore.pending().get()>{label}</button>
                    </ActionForm>
                }
            });
            let download_link = (!v.deleted).then(|| {
                let label = format!("Download {}", name.to_lowercase());
                view! { <a href=download download="">{label}</a> }
            });
            view! {
                <tr>
                    <th scope="row">{name.clone()} {v.latest.then_some(" (latest)")} <br /> <code>{v.id.clone()}</code></th>
                    <td>{v.last_modified.clone().map(|at| view! { <LocalTime at /> })}</td>
                    <td title=format!("{} bytes", v.size)>{(!v.deleted).then(|| format_size(v.size))}</td>
                    <td>{download_link} {restore_form}</td>
                </tr>
            }
        })
        .collect_view();
    let outcome = move || {
        restore.value().get().map(|done| match done {
            Ok(_) => view! { <p role="status">"Restored: that version is now the latest, and the one it replaced is kept below."</p> }.into_any(),
            Err(error) => view! { <ErrorNote error /> }.into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="versions-heading">
            <h2 id="versions-heading">"Versions"</h2>
            {outcome}
            <table aria-label="Versions">
                <thead>
                    <tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Written"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}
