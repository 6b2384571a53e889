//! Browsing a bucket folder by folder, uploading and downloading.

use crate::api::data::{download_url, get_usecase, list_objects};
use crate::components::folders::{DataSourcePicker, FolderCreator};
use crate::components::session::{ErrorNote, NoAccess, RequireUser, use_is_admin};
use crate::components::training::TrainingAccessPanel;
use crate::components::{encode, format_size};
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::Listing;
use crate::upload_client::Uploader;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The folder browser of one bucket.
#[component]
pub fn BrowserPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Browser />
        </RequireUser>
    }
}

use crate::url::folder_href;

#[component]
fn Browser() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let usecase_id = Signal::derive(move || UsecaseId::from(params.read().get("id").unwrap_or_default()));
    let bucket = Signal::derive(move || params.read().get("bucket").unwrap_or_default());
    let prefix = Signal::derive(move || query.read().get("prefix").unwrap_or_default());
    let token = move || query.read().get("token").filter(|t| !t.is_empty());
    let filter = Signal::derive(move || query.read().get("filter").unwrap_or_default());
    let refresh = RwSignal::new(0_u32);
    let listing = Resource::new(
        move || (usecase_id.get(), bucket.get(), prefix.get(), token(), filter.get(), refresh.get()),
        |(u, b, p, t, f, _)| list_objects(u, b, p, t, Some(f)),
    );
    let is_admin = use_is_admin();
    let reload = Callback::new(move |()| refresh.update(|n| *n += 1));
    // Upload and New folder appear once the viewer is in a folder they may
    // write to (the rights come with the listing; the panel needs the page's
    // script anyway), and stay, so that uploads go on while they browse.
    let may_write = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(l)) = listing.get()
            && l.rights.write
        {
            may_write.set(true);
        }
    });
    let download_error = RwSignal::new(None::<AppError>);

    view! {
        <h1>{move || bucket.get()}</h1>
        <Breadcrumbs usecase_id bucket prefix />
        <Show when=move || may_write.get()>
            <Uploader usecase_id bucket prefix on_done=reload />
        </Show>
        <Show when=move || is_admin.get()>
            <section class="panel" aria-labelledby="folder-heading">
                <h2 id="folder-heading">"Data source"</h2>
                <DataSourcePicker usecase_id bucket prefix />
            </section>
        </Show>
        <Show when=move || is_admin.get()>
            <TrainingAccessPanel usecase_id bucket />
        </Show>
        <form method="get" class="filters" role="search">
            <input type="hidden" name="prefix" value=move || prefix.get() />
            <div class="field">
                <label for="name-filter">"Filter by name"</label>
                <input id="name-filter" name="filter" type="search" value=move || filter.get() />
                <p class="hint">"Shows the files and folders here whose names start with this."</p>
            </div>
            <button type="submit">"Filter"</button>
        </form>
        {move || download_error.get().map(|error| view! { <ErrorNote error /> })}
        <Transition fallback=|| view! { <p>"Loading folder…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(l) => {
                        // Rendered with the listing, whose rights it needs, so that it is there
                        // before the page's script has loaded.
                        let creator = l.rights.write.then(|| view! { <FolderCreator usecase_id bucket prefix on_done=reload /> });
                        view! {
                            {creator}
                            <FolderTable listing=l usecase_id bucket download_error />
                        }
                            .into_any()
                    }
                    Err(AppError::Denied) => view! { <NoAccess /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Breadcrumbs(usecase_id: Signal<UsecaseId>, bucket: Signal<String>, prefix: Signal<String>) -> impl IntoView {
    // The usecase by its name; "Usecase" until (or unless) the name is known.
    let usecase = Resource::new(move || usecase_id.get(), get_usecase);
    let usecase_name =
        move || Suspend::new(async move { usecase.await.map(|u| u.name).unwrap_or_else(|_| "Usecase".to_owned()) });
    move || {
        let (u, b, p) = (usecase_id.get(), bucket.get(), prefix.get());
        let mut crumbs = vec![(b.clone(), folder_href(&u, &b, ""))];
        let mut path = String::new();
        for segment in p.split('/').filter(|s| !s.is_empty()) {
            path.push_str(segment);
            path.push('/');
            crumbs.push((segment.to_owned(), folder_href(&u, &b, &path)));
        }
        let last = crumbs.len() - 1;
        view! {
            <nav aria-label="Breadcrumb" class="crumbs">
                <a href=format!("/usecases/{u}")>
                    <Suspense fallback=|| "Usecase">{usecase_name}</Suspense>
                </a>
                {crumbs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, href))| {
                        let current = (i == last).then_some("page");
                        view! {
                            " / "
                            <a href=href aria-current=current>{name}</a>
                        }
                    })
                    .collect_view()}
            </nav>
        }
    }
}

#[component]
fn FolderTable(
    listing: Listing,
    usecase_id: Signal<UsecaseId>,
    bucket: Signal<String>,
    download_error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let (u, b) = (usecase_id.get_untracked(), bucket.get_untracked());
    let empty = listing.folders.is_empty() && listing.files.is_empty();
    let next =
        listing.next_token.clone().map(|t| format!("{}&token={}", folder_href(&u, &b, &listing.prefix), encode(&t)));
    let rights = listing.rights;
    let delete_href = |what: &str, name: &str| {
        format!(
            "/usecases/{u}/buckets/{}/delete?prefix={}&{what}={}",
            encode(&b),
            encode(&listing.prefix),
            encode(name)
        )
    };
    let share_href = |path: &str| format!("/share?usecase={u}&bucket={}&path={}", encode(&b), encode(path));
    let folders = listing.folders.iter().map(|f| {
        let name = f.trim_end_matches('/').rsplit('/').next().unwrap_or(f).to_owned();
        let delete = rights.delete.then(|| {
            view! { <a href=delete_href("folder", f) aria-label=format!("Delete folder {name}")>"Delete"</a> }
        });
        let share = (rights.list && rights.read).then(|| {
            view! { <a href=share_href(f) aria-label=format!("Share folder {name}")>"Share"</a> }
        });
        let pick = rights.read.then(|| {
            view! { <input type="checkbox" name="pick" value=f.clone() aria-label=format!("Select folder {name}") /> }
        });
        view! {
            <tr>
                <td>{pick}</td>
                <td>
                    <a href=folder_href(&u, &b, f)>{format!("{name}/")}</a>
                </td>
                <td>"Folder"</td>
                <td></td>
                <td>{share} " " {delete}</td>
            </tr>
        }
    });
    let files = listing.files.iter().map(|f| {
        let delete = rights.delete.then(|| {
            view! { <a href=delete_href("key", &f.key) aria-label=format!("Delete {}", f.name)>"Delete"</a> }
        });
        let share = rights.read.then(|| {
            view! { <a href=share_href(&f.key) aria-label=format!("Share {}", f.name)>"Share"</a> }
        });
        let key = f.key.clone();
        let label = format!("Download {}", f.name);
        let download = move |_| {
            let (u, b, key) = (usecase_id.get_untracked(), bucket.get_untracked(), key.clone());
            leptos::task::spawn_local(async move {
                match download_url(u, b, key).await {
                    Ok(url) => {
                        download_error.set(None);
                        let _ = window().location().set_href(&url);
                    }
                    Err(e) => download_error.set(Some(e)),
                }
            });
        };
        let pick = rights.read.then(|| {
            view! { <input type="checkbox" name="pick" value=f.key.clone() aria-label=format!("Select {}", f.name) /> }
        });
        view! {
            <tr>
                <td>{pick}</td>
                <td>{f.name.clone()}</td>
                <td>{format_size(f.size)}</td>
                <td>{f.last_modified.clone().unwrap_or_default()}</td>
                <td>
                    {rights
                        .read
                        .then(|| {
                            view! {
                                <button type="button" aria-label=label on:click=download>
                                    "Download"
                                </button>
                            }
                        })} {share} {delete}
                </td>
            </tr>
        }
    });
    let archive = format!("/usecases/{u}/buckets/{}/archive", encode(&b));
    let prefix = listing.prefix.clone();
    let zip = (rights.read && !empty).then(|| {
        view! {
            <div class="toolbar" role="group" aria-label="Download as zip">
                <button type="submit" name="pick" value=prefix.clone()>
                    "Download folder as zip"
                </button>
                <button type="submit">"Download selected as zip"</button>
            </div>
        }
    });
    view! {
        <form method="post" action=archive id="selection">
        <input type="hidden" name="prefix" value=prefix />
        {zip}
        <table class="objects">
            <caption>"Folders and files"</caption>
            <thead>
                <tr>
                    <th scope="col">"Select"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Size"</th>
                    <th scope="col">"Last modified"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{folders.collect_view()} {files.collect_view()}</tbody>
        </table>
        </form>
        {empty.then(|| view! { <p>"This folder is empty."</p> })}
        {next.map(|href| view! { <a href=href>"Next page"</a> })}
    }
}
