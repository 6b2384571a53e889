//! The listing of one folder: a table inside the selection form, whose
//! checkboxes, Download and Delete buttons work as a plain form before the
//! page's script has loaded; with it, rows select by range, sort, page on
//! with "Load more" and answer the keyboard.

use super::rows::{Row, SortBy, sorted};
use crate::api::data::list_objects;
use crate::components::local_time::LocalTime;
use crate::components::session::ErrorNote;
use crate::components::{encode, format_size, use_hydrated};
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{Listing, Rights};
use crate::url::folder_href;
use leptos::prelude::*;

/// Where a listing's links lead.
#[derive(Clone)]
pub struct Links {
    /// The usecase.
    pub usecase_id: UsecaseId,
    /// The bucket.
    pub bucket: String,
}

impl Links {
    /// The page of a row: a folder's listing or a file's details.
    pub fn open(&self, row: &Row) -> String {
        match row {
            Row::Folder(prefix) => folder_href(&self.usecase_id, &self.bucket, prefix),
            Row::File(f) => self.file(&f.key),
        }
    }

    /// A file's details page.
    pub fn file(&self, key: &str) -> String {
        self.in_bucket(&format!("file?key={}", encode(key)))
    }

    /// A page or route under the bucket, such as `download?key=…`.
    pub fn in_bucket(&self, rest: &str) -> String {
        crate::url::bucket_href(&self.usecase_id, &self.bucket, rest)
    }
}

/// The folder's table and the selection's buttons.
#[component]
pub fn FolderTable(listing: Listing, links: Links, filter: String) -> impl IntoView {
    let rights = listing.rights;
    let prefix = listing.prefix.clone();
    let loaded = RwSignal::new(Row::all(&listing));
    let next = RwSignal::new(listing.next_token.clone());
    let sort = RwSignal::new((SortBy::Name, true));
    let shown = Memo::new(move |_| sorted(loaded.get(), sort.get()));
    let selected = RwSignal::new(Vec::<String>::new());
    let anchor = RwSignal::new(None::<usize>);
    let hydrated = use_hydrated();
    let none_selected = move || hydrated.get() && selected.with(Vec::is_empty);
    let empty = loaded.with_untracked(Vec::is_empty);
    let archive = links.in_bucket("archive");
    let delete_page = links.in_bucket("delete");
    let (row_links, row_prefix) = (links.clone(), prefix.clone());

    let select_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selected.set(if on { shown.get_untracked().iter().map(|r| r.key().to_owned()).collect() } else { Vec::new() });
    };
    let all_selected = move || {
        let rows = shown.get();
        !rows.is_empty() && selected.with(|s| rows.iter().all(|r| s.iter().any(|k| k == r.key())))
    };
    let header = move |by: SortBy, label: &'static str| {
        let state = move || match sort.get() {
            (b, true) if b == by => "ascending",
            (b, false) if b == by => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=state>
                <Show when=move || hydrated.get() fallback=move || label>
                    <button type="button" class="sort" on:click=move |_| {
                        sort.update(|(b, asc)| {
                            *asc = if *b == by { !*asc } else { true };
                            *b = by;
                        })
                    }>{label}</button>
                </Show>
            </th>
        }
    };
    view! {
        <form method="post" action=archive id="selection" aria-label="Selection">
            <input type="hidden" name="prefix" value=prefix.clone() />
            <div class="toolbar" role="group" aria-label="Selection actions">
                {(rights.read && !empty).then(|| view! {
                    <button type="submit" name="pick" value=prefix.clone()>"Download folder as zip"</button>
                    <button type="submit" disabled=none_selected>"Download selected as zip"</button>
                })}
                {(rights.delete && !empty).then(|| view! {
                    <button type="submit" formaction=delete_page formmethod="get" disabled=none_selected>
                        "Delete selected"
                    </button>
                })}
                <span role="status">
                    {move || match selected.with(Vec::len) {
                        0 => String::new(),
                        1 => "1 selected".to_owned(),
                        n => format!("{n} selected"),
                    }}
                </span>
            </div>
            <table class="objects">
                <caption>"Folders and files"</caption>
                <thead>
                    <tr>
                        <th scope="col">
                            <Show when=move || hydrated.get() && rights.read fallback=|| "Select">
                                <input type="checkbox" aria-label="Select all on this page" prop:checked=all_selected on:change=select_all />
                            </Show>
                        </th>
                        {header(SortBy::Name, "Name")}
                        {header(SortBy::Size, "Size")}
                        {header(SortBy::Modified, "Last modified")}
                        <th scope="col">"Storage class"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || shown.get().into_iter().enumerate() key=|(_, r)| r.key().to_owned() let((index, row))>
                        <RowView row index rights links=row_links.clone() prefix=row_prefix.clone() selected anchor shown />
                    </For>
                </tbody>
            </table>
        </form>
        {empty.then(|| empty_note(rights, &filter))}
        <MoreRows links=links.clone() prefix=listing.prefix.clone() filter next loaded sort />
    }
}

fn empty_note(rights: Rights, filter: &str) -> AnyView {
    let text = if !filter.is_empty() {
        "No names here start with what you typed. Clear the filter to see everything."
    } else if rights.write {
        "This folder is empty. Upload files or folders, drop them here, or make a new folder."
    } else {
        "This folder is empty."
    };
    view! { <p>{text}</p> }.into_any()
}

/// One folder or file: checkbox, icon and name, size, date, class, actions.
#[component]
fn RowView(
    row: Row,
    index: usize,
    rights: Rights,
    links: Links,
    prefix: String,
    selected: RwSignal<Vec<String>>,
    anchor: RwSignal<Option<usize>>,
    shown: Memo<Vec<Row>>,
) -> impl IntoView {
    let key = row.key().to_owned();
    let name = row.name().to_owned();
    let open = links.open(&row);
    let (kind, icon) = if row.is_folder() { ("folder ", "📁") } else { ("", "📄") };
    let toggle = {
        let key = key.clone();
        move |ev: leptos::ev::MouseEvent| {
            let on = event_target_checked(&ev);
            let range = match anchor.get_untracked() {
                Some(from) if ev.shift_key() => shown.with_untracked(|rows| {
                    let (a, b) = (from.min(index), from.max(index));
                    rows[a..=b.min(rows.len() - 1)].iter().map(|r| r.key().to_owned()).collect::<Vec<_>>()
                }),
                _ => vec![key.clone()],
            };
            selected.update(|s| {
                s.retain(|k| !range.contains(k));
                if on {
                    s.extend(range);
                }
            });
            anchor.set(Some(index));
        }
    };
    let checked = {
        let key = key.clone();
        move || selected.with(|s| s.contains(&key))
    };
    let pick = rights.read.then(|| {
        view! {
            <input type="checkbox" name="pick" value=key.clone() aria-label=format!("Select {kind}{name}") prop:checked=checked on:click=toggle />
        }
    });
    let delete_page = delete_page_for(&links, &prefix);
    let delete_href = format!("{delete_page}&{}={}", if row.is_folder() { "folder" } else { "key" }, encode(&key));
    let share_href =
        format!("/share?usecase={}&bucket={}&path={}", links.usecase_id, encode(&links.bucket), encode(&key));
    let delete =
        rights.delete.then(|| view! { <a href=delete_href aria-label=format!("Delete {kind}{name}")>"Delete"</a> });
    let share = rights.read.then(|| view! { <a href=share_href aria-label=format!("Share {kind}{name}")>"Share"</a> });
    let download = (rights.read && !row.is_folder()).then(|| {
        let href = links.in_bucket(&format!("download?key={}", encode(&key)));
        view! { <a href=href aria-label=format!("Download {name}") download="">"Download"</a> }
    });
    let keys = super::keys::row_keys(open.clone(), delete_page, selected);
    let (size, modified, class) = match &row {
        Row::Folder(_) => (().into_any(), ().into_any(), "".to_owned()),
        Row::File(f) => (
            view! { <span title=format!("{} bytes", f.size)>{format_size(f.size)}</span> }.into_any(),
            f.last_modified.clone().map(|at| view! { <LocalTime at /> }).into_any(),
            f.storage_class.clone().unwrap_or_default(),
        ),
    };
    let label = if row.is_folder() { format!("{name}/") } else { name.clone() };
    view! {
        <tr on:keydown=keys>
            <td>{pick}</td>
            <td>
                <span aria-hidden="true" class="icon">{icon}</span>
                " "
                <a href=open>{label}</a>
            </td>
            <td>{size}</td>
            <td>{modified}</td>
            <td>{class}</td>
            <td class="actions">{download} " " {share} " " {delete}</td>
        </tr>
    }
}

fn delete_page_for(links: &Links, prefix: &str) -> String {
    links.in_bucket(&format!("delete?prefix={}", encode(prefix)))
}

/// "Load more" with the page's script, "Next page" without it; either way
/// the count of what is loaded, and a word when sorting sees only that.
#[component]
fn MoreRows(
    links: Links,
    prefix: String,
    filter: String,
    next: RwSignal<Option<String>>,
    loaded: RwSignal<Vec<Row>>,
    sort: RwSignal<(SortBy, bool)>,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let next_href = {
        let (links, prefix, filter) = (links.clone(), prefix.clone(), filter.clone());
        move || {
            next.get().map(|t| {
                let base = folder_href(&links.usecase_id, &links.bucket, &prefix);
                format!("{base}&filter={}&token={}", encode(&filter), encode(&t))
            })
        }
    };
    let load = Action::new(move |token: &String| {
        let (u, b, p, f, t) =
            (links.usecase_id.clone(), links.bucket.clone(), prefix.clone(), filter.clone(), token.clone());
        async move {
            match list_objects(u, b, p, Some(t), Some(f)).await {
                Ok(more) => {
                    loaded.update(|rows| rows.extend(Row::all(&more)));
                    next.set(more.next_token);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let hydrated = use_hydrated();
    view! {
        <p role="status">
            {move || {
                let n = loaded.with(Vec::len);
                let more = next.with(Option::is_some);
                match (more, sort.get().0 != SortBy::Name || !sort.get().1) {
                    (true, true) => format!("{n} loaded so far; sorting covers only these, and more exist."),
                    (true, false) => format!("{n} loaded so far; more exist."),
                    (false, _) => format!("{n} in all."),
                }
            }}
        </p>
        {move || next_href().map(|href| {
            if hydrated.get() {
                let token = next.get().unwrap_or_default();
                view! {
                    <button type="button" disabled=move || load.pending().get() on:click=move |_| { load.dispatch(token.clone()); }>
                        "Load more"
                    </button>
                }.into_any()
            } else {
                view! { <a href=href>"Next page"</a> }.into_any()
            }
        })}
        {move || error.get().map(|error| view! { <ErrorNote error /> })}
    }
}
