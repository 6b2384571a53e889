//! `/s/{token}`: what a visitor without an account sees of a share link —
//! one file to download, or a folder to browse and download from. Every
//! download is a plain form, so that it works before any script has loaded.

use crate::api::shares::{UnlockShare, visit_share};
use crate::components::session::ErrorNote;
use crate::components::{encode, format_size};
use crate::model::{Listing, ShareVisit};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The visitor's page of a share link.
#[component]
pub fn SharedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let sub = move || query.read().get("sub").unwrap_or_default();
    let unlock = ServerAction::<UnlockShare>::new();
    let visit = Resource::new(move || (token(), sub(), unlock.version().get()), |(t, s, _)| visit_share(t, s));
    view! {
        <Suspense fallback=|| view! { <p>"Opening the link…"</p> }>
            {move || Suspend::new(async move {
                let token = token();
                match visit.await {
                    Ok(v) if v.needs_password => view! { <Unlock token unlock /> }.into_any(),
                    Ok(v) => view! { <Shared token visit=v /> }.into_any(),
                    Err(error) => {
                        view! {
                            <h1>"Shared link"</h1>
                            <ErrorNote error />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Unlock(token: String, unlock: ServerAction<UnlockShare>) -> impl IntoView {
    view! {
        <h1>"Shared link"</h1>
        <p>"This link has a password. Ask the person who sent it to you."</p>
        <ActionForm action=unlock>
            <input type="hidden" name="token" value=token />
            <div class="field">
                <label for="share-password">"Password"</label>
                <input id="share-password" name="password" type="password" required autocomplete="off" />
            </div>
            <button type="submit">"Open"</button>
        </ActionForm>
        {move || unlock.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}

/// A form that downloads `key` through the link.
#[component]
fn DownloadButton(token: String, key: String, label: String) -> impl IntoView {
    view! {
        <form method="post" action=format!("/s/{token}/download")>
            <input type="hidden" name="key" value=key />
            <button type="submit" aria-label=label>
                "Download"
            </button>
        </form>
    }
}

#[component]
fn Shared(token: String, visit: ShareVisit) -> impl IntoView {
    let name = visit.what.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned();
    let until = format!("This link works until {}.", visit.expires);
    if let Some((usecase, bucket, prefix)) = visit.drop_into.clone() {
        return view! { <DropBox name until usecase bucket prefix /> }.into_any();
    }
    match visit.listing {
        None => view! {
            <h1>"Shared file"</h1>
            <p>{name.clone()}</p>
            <p class="hint">{until}</p>
            <DownloadButton token key=String::new() label=format!("Download {name}") />
        }
        .into_any(),
        Some(listing) => view! {
            <h1>"Shared folder " {name}</h1>
            <p class="hint">{until}</p>
            <SharedFolder token listing />
        }
        .into_any(),
    }
}

#[component]
fn SharedFolder(token: String, listing: Listing) -> impl IntoView {
    let folders = listing.folders.iter().map(|f| {
        let name = f.trim_end_matches('/').rsplit('/').next().unwrap_or(f).to_owned();
        view! {
            <tr>
                <td>
                    <a href=format!("/s/{token}?sub={}", encode(f))>{format!("{name}/")}</a>
                </td>
                <td>"Folder"</td>
                <td></td>
            </tr>
        }
    });
    let files = listing.files.iter().map(|f| {
        view! {
            <tr>
                <td>{f.name.clone()}</td>
                <td>{format_size(f.size)}</td>
                <td>
                    <DownloadButton token=token.clone() key=f.key.clone() label=format!("Download {}", f.name) />
                </td>
            </tr>
        }
    });
    view! {
        <table class="objects">
            <caption>"Shared files"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Size"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>{folders.collect_view()} {files.collect_view()}</tbody>
        </table>
    }
}

/// A drop box: the upload panel into the link's folder, and nothing of what it holds.
#[component]
fn DropBox(
    name: String,
    until: String,
    usecase: crate::ids::UsecaseId,
    bucket: String,
    prefix: String,
) -> impl IntoView {
    let done = RwSignal::new(0u32);
    // Once the page's script is live, the hint goes and the upload panel comes.
    let live = crate::components::use_hydrated();
    let (usecase, bucket, prefix) = (Signal::stored(usecase), Signal::stored(bucket), Signal::stored(prefix));
    view! {
        <h1>"Upload files to " {name}</h1>
        <p>"Files you upload go to the person who sent you this link. You cannot see what the folder holds."</p>
        <p class="hint">{until}</p>
        <Show when=move || !live.get()>
            <p class="hint">"Uploading needs JavaScript: turn it on for this page and reload it."</p>
        </Show>
        // The panel lives in the browser only, as in the folder browser.
        <Show when=move || live.get()>
            <crate::upload_client::Uploader
                usecase_id=usecase
                bucket=bucket
                prefix=prefix
                on_done=Callback::new(move |()| done.update(|n| *n += 1))
            />
        </Show>
    }
}
