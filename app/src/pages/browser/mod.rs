//! Browsing a bucket folder by folder: the listing first, with a toolbar
//! above it; uploads, search, selection and downloads.

mod deleted;
mod grid;
mod keys;
mod rows;
mod search;
mod table;

use crate::api::data::{get_usecase, list_objects, my_locations};
use crate::components::encode;
use crate::components::folders::FolderCreator;
use crate::components::session::{ErrorNote, NoAccess, RequireUser, use_is_admin};
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::upload_client::{DropTarget, Uploader};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use table::{FolderTable, Links};

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
    let words = Signal::derive(move || query.read().get("q").unwrap_or_default());
    let from = move || query.read().get("from").filter(|t| !t.is_empty());
    let deleted = Signal::derive(move || query.read().get("deleted").is_some_and(|d| d == "1"));
    let grid = Signal::derive(move || query.read().get("view").is_some_and(|v| v == "grid"));
    let refresh = RwSignal::new(0_u32);
    let listing = Resource::new(
        move || (usecase_id.get(), bucket.get(), prefix.get(), token(), filter.get(), refresh.get()),
        |(u, b, p, t, f, _)| list_objects(u, b, p, t, Some(f)),
    );
    let is_admin = use_is_admin();
    let reload = Callback::new(move |()| refresh.update(|n| *n += 1));
    // Upload appears once the viewer is in a folder they may write to (the
    // rights come with the listing; the panel needs the page's script
    // anyway), and stays, so that uploads go on while they browse.
    let may_write = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(l)) = listing.get()
            && l.rights.write
        {
            may_write.set(true);
        }
    });
    // A drop anywhere on the listing uploads into the folder shown.
    // Only in the browser: a value kept on one thread must not be made
    // (and then dropped elsewhere) by the server's render.
    let drop_target: Option<DropTarget> = cfg!(feature = "hydrate").then(|| StoredValue::new_local(None));
    let dropped = move |ev: leptos::ev::DragEvent| {
        if let Some(target) = drop_target {
            target.with_value(|target| {
                if let Some(target) = target {
                    target(&ev);
                }
            });
        }
    };
    let links = move || Links { usecase_id: usecase_id.get(), bucket: bucket.get() };
    let settings = move || links().in_bucket(&format!("settings?prefix={}", encode(&prefix.get())));
    let here = move || folder_href(&usecase_id.get(), &bucket.get(), &prefix.get());

    view! {
        <h1>{move || bucket.get()}</h1>
        <Breadcrumbs usecase_id bucket prefix />
        <div class="toolbar" role="group" aria-label="Folder actions">
            <form method="get" role="search" class="inline-form">
                <input type="hidden" name="prefix" value=move || prefix.get() />
                <label for="search-words">"Search this folder and below"</label>
                <input id="search-words" name="q" type="search" value=move || words.get() />
                <button type="submit">"Search"</button>
            </form>
            <form method="get" class="inline-form">
                <input type="hidden" name="prefix" value=move || prefix.get() />
                <label for="name-filter">"Filter by name"</label>
                <input id="name-filter" name="filter" type="search" value=move || filter.get() />
                <button type="submit">"Filter"</button>
            </form>
            <Show
                when=move || grid.get()
                fallback=move || view! { <a href=move || format!("{}&view=grid", here())>"Grid view"</a> }
            >
                <a href=here>"List view"</a>
            </Show>
            <Show
                when=move || deleted.get()
                fallback=move || view! { <a href=move || format!("{}&deleted=1", here())>"Show deleted files"</a> }
            >
                <a href=here>"Show current files"</a>
            </Show>
            <Show when=move || is_admin.get()>
                <a href=settings>"Bucket settings"</a>
            </Show>
        </div>
        <Show when=move || may_write.get()>
            <Uploader usecase_id bucket prefix on_done=reload drop_target=drop_target />
        </Show>
        {move || {
            let w = words.get();
            (!w.is_empty()).then(|| view! { <search::SearchResults links=links() prefix=prefix.get() words=w from=from() /> })
        }}
        {move || {
            (deleted.get() && words.with(String::is_empty))
                .then(|| view! { <deleted::DeletedFiles links=links() prefix=prefix.get() /> })
        }}
        <Show when=move || words.with(String::is_empty) && !deleted.get()>
        <div class="listing" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=dropped>
        <Transition fallback=|| view! { <p>"Loading folder…"</p> }>
            {move || {
                let as_grid = grid.get();
                Suspend::new(async move {
                match listing.await {
                    Ok(l) => {
                        // Rendered with the listing, whose rights it needs, so that it is there
                        // before the page's script has loaded.
                        let creator = l.rights.write.then(|| view! {
                            <div class="toolbar" role="group" aria-label="New folder">
                                <FolderCreator usecase_id bucket prefix on_done=reload />
                            </div>
                        });
                        let shown = if as_grid {
                            view! { <grid::FolderGrid listing=l links=links() /> }.into_any()
                        } else {
                            view! { <FolderTable listing=l links=links() filter=filter.get_untracked() /> }.into_any()
                        };
                        view! {
                            {creator}
                            {shown}
                        }
                            .into_any()
                    }
                    Err(AppError::Denied) => view! { <NoAccess /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })
            }}
        </Transition>
        </div>
        </Show>
    }
}

#[component]
fn Breadcrumbs(usecase_id: Signal<UsecaseId>, bucket: Signal<String>, prefix: Signal<String>) -> impl IntoView {
    // The usecase by its name; "Usecase" until (or unless) the name is known.
    let usecase = Resource::new(move || usecase_id.get(), get_usecase);
    let usecase_name =
        move || Suspend::new(async move { usecase.await.map(|u| u.name).unwrap_or_else(|_| "Usecase".to_owned()) });
    // A folder above everything the viewer may see is named, not linked.
    // Administrators see every folder, so only others ask for their places.
    let is_admin = use_is_admin();
    let places = Resource::new(
        move || is_admin.get(),
        |admin| async move { if admin { Ok(None) } else { my_locations().await.map(Some) } },
    );
    move || {
        let (u, b, p) = (usecase_id.get(), bucket.get(), prefix.get());
        let mut crumbs = vec![(b.clone(), String::new())];
        let mut path = String::new();
        for segment in p.split('/').filter(|s| !s.is_empty()) {
            path.push_str(segment);
            path.push('/');
            crumbs.push((segment.to_owned(), path.clone()));
        }
        let last = crumbs.len() - 1;
        let names: Vec<String> = crumbs.iter().map(|(name, _)| name.clone()).collect();
        let plain = move || names.iter().map(|name| view! { " / " {name.clone()} }).collect_view();
        let linked = {
            let (u, b) = (u.clone(), b.clone());
            move || {
                let (u, b, crumbs) = (u.clone(), b.clone(), crumbs.clone());
                Suspend::new(async move {
                    // `None`: an administrator, who reaches every folder.
                    let places = places.await.unwrap_or(Some(Vec::new()));
                    let reachable = |path: &str| match &places {
                        None => true,
                        Some(places) => {
                            places.iter().any(|l| l.usecase_id == u && l.bucket == b && path.starts_with(&l.prefix))
                        }
                    };
                    crumbs
                        .into_iter()
                        .enumerate()
                        .map(|(i, (name, path))| {
                            let current = (i == last).then_some("page");
                            if i == last || reachable(&path) {
                                view! { " / " <a href=folder_href(&u, &b, &path) aria-current=current>{name}</a> }
                                    .into_any()
                            } else {
                                view! { " / " <span>{name}</span> }.into_any()
                            }
                        })
                        .collect_view()
                })
            }
        };
        view! {
            <nav aria-label="Breadcrumb" class="crumbs">
                <a href=format!("/usecases/{u}")>
                    <Suspense fallback=|| "Usecase">{usecase_name}</Suspense>
                </a>
                <Suspense fallback=plain>{linked}</Suspense>
            </nav>
        }
    }
}
