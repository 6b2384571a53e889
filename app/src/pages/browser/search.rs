//! Search results: files below the folder shown whose names contain the
//! words. The server renders the first stretch (so search works without
//! the page's script); with it, the search goes on by itself, stretch by
//! stretch, counting the keys it looked at, until done or cancelled.

use super::table::Links;
use crate::api::data::search_files;
use crate::components::local_time::LocalTime;
use crate::components::session::{ErrorNote, NoAccess};
use crate::components::{encode, format_size};
use crate::error::AppError;
use crate::model::{ObjectEntry, SearchPage};
use crate::url::folder_href;
use leptos::prelude::*;

/// The results of searching `words` in `prefix` and below.
#[component]
pub fn SearchResults(links: Links, prefix: String, words: String, from: Option<String>) -> impl IntoView {
    let first = {
        let (links, prefix, words) = (links.clone(), prefix.clone(), words.clone());
        Resource::new(
            move || (),
            move |()| {
                search_files(
                    links.usecase_id.clone(),
                    links.bucket.clone(),
                    prefix.clone(),
                    words.clone(),
                    from.clone(),
                )
            },
        )
    };
    view! {
        <Suspense fallback=|| view! { <p>"Searching…"</p> }>
            {move || {
                let (links, prefix, words) = (links.clone(), prefix.clone(), words.clone());
                Suspend::new(async move {
                    match first.await {
                        Ok(page) => view! { <Found links prefix words page /> }.into_any(),
                        Err(AppError::Denied) => view! { <NoAccess /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Found(links: Links, prefix: String, words: String, page: SearchPage) -> impl IntoView {
    let rights = page.rights;
    let files = RwSignal::new(page.files);
    let scanned = RwSignal::new(page.scanned);
    let next = RwSignal::new(page.next_token);
    let cancelled = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    // Without the page's script, a link takes up where this stretch stopped.
    let further = {
        let (links, prefix, words) = (links.clone(), prefix.clone(), words.clone());
        move || {
            next.get().map(|t| {
                let base = folder_href(&links.usecase_id, &links.bucket, &prefix);
                format!("{base}&q={}&from={}", encode(&words), encode(&t))
            })
        }
    };
    let running = RwSignal::new(false);
    {
        let (links, prefix, words) = (links.clone(), prefix.clone(), words.clone());
        Effect::new(move |_| {
            if running.get_untracked() || next.get_untracked().is_none() {
                return;
            }
            running.set(true);
            let (links, prefix, words) = (links.clone(), prefix.clone(), words.clone());
            leptos::task::spawn_local(async move {
                while let Some(token) = next.get_untracked() {
                    if cancelled.get_untracked() {
                        break;
                    }
                    let asked = search_files(
                        links.usecase_id.clone(),
                        links.bucket.clone(),
                        prefix.clone(),
                        words.clone(),
                        Some(token),
                    );
                    match asked.await {
                        Ok(more) => {
                            files.update(|f| f.extend(more.files));
                            scanned.update(|n| *n += more.scanned);
                            next.set(more.next_token);
                        }
                        Err(e) => {
                            error.set(Some(e));
                            break;
                        }
                    }
                }
                running.set(false);
            });
        });
    }
    let status = move || {
        let (found, looked) = (files.with(Vec::len), scanned.get());
        let state = if next.with(Option::is_none) {
            "done"
        } else if cancelled.get() {
            "cancelled"
        } else if running.get() {
            "searching"
        } else {
            "more to search"
        };
        format!("{found} found in {looked} keys looked at ({state}).")
    };
    let archive = links.in_bucket("archive");
    let delete_page = links.in_bucket("delete");
    let rows_links = links.clone();
    view! {
        <h2>{format!("Files named like “{words}”")}</h2>
        <p role="status">{status}</p>
        <Show when=move || running.get() && !cancelled.get()>
            <button type="button" on:click=move |_| cancelled.set(true)>"Cancel search"</button>
        </Show>
        {move || (!running.get()).then(|| further().map(|href| view! { <a href=href>"Search further"</a> }))}
        {move || error.get().map(|error| view! { <ErrorNote error /> })}
        <form method="post" action=archive aria-label="Search results">
            <input type="hidden" name="prefix" value=prefix.clone() />
            <div class="toolbar" role="group" aria-label="Selection actions">
                {rights.read.then(|| view! { <button type="submit">"Download selected as zip"</button> })}
                {rights.delete.then(|| view! {
                    <button type="submit" formaction=delete_page formmethod="get">"Delete selected"</button>
                })}
            </div>
            <table class="objects">
                <caption>"Files found"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Select"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Folder"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Last modified"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || files.get() key=|f| f.key.clone() let(file)>
                        {found_row(&rows_links, file)}
                    </For>
                </tbody>
            </table>
        </form>
    }
}

fn found_row(links: &Links, file: ObjectEntry) -> impl IntoView + use<> {
    let folder = file.key[..file.key.len() - file.name.len()].to_owned();
    let folder_link = folder_href(&links.usecase_id, &links.bucket, &folder);
    let details = links.file(&file.key);
    let shown_folder = if folder.is_empty() { "/".to_owned() } else { folder.clone() };
    view! {
        <tr>
            <td>
                <input type="checkbox" name="pick" value=file.key.clone() aria-label=format!("Select {}", file.key) />
            </td>
            <td>
                <a href=details>{file.name.clone()}</a>
            </td>
            <td>
                <a href=folder_link>{shown_folder}</a>
            </td>
            <td>
                <span title=format!("{} bytes", file.size)>{format_size(file.size)}</span>
            </td>
            <td>{file.last_modified.map(|at| view! { <LocalTime at /> })}</td>
        </tr>
    }
}
