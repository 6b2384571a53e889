//! "Shared links": making a link to a file or folder, and the list of
//! links with their expiry and downloads, to revoke; administrators see
//! the organization's.

use crate::api::shares::{CreateShare, RevokeShare, list_shares, take_new_share};
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::{NewShare, ShareRow, TokenState};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The "Shared links" page.
#[component]
pub fn SharesPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Shares />
        </RequireUser>
    }
}

#[component]
fn Shares() -> impl IntoView {
    let revoke = ServerAction::<RevokeShare>::new();
    let shares = Resource::new(move || revoke.version().get(), |_| list_shares());
    let fresh = Resource::new(|| (), |_| take_new_share());
    view! {
        <h1>"Shared links"</h1>
        <p class="hint">
            "Links let people without an account download a file, or the files of a folder, until they expire. "
            "Make one with “Share” in the folder browser."
        </p>
        <Suspense fallback=|| view! { <p>"Loading links…"</p> }>
            {move || Suspend::new(async move {
                let (list, fresh) = (shares.await, fresh.await);
                view! {
                    {fresh.ok().flatten().map(|link| view! { <FreshShare link /> })}
                    {match list {
                        Ok(rows) if rows.is_empty() => view! { <p>"No links yet."</p> }.into_any(),
                        Ok(rows) => view! { <ShareTable rows revoke /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
            })}
        </Suspense>
        {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}

/// A link just made, to copy and send.
#[component]
fn FreshShare(link: NewShare) -> impl IntoView {
    view! {
        <section class="notice" role="status" aria-labelledby="fresh-share">
            <h2 id="fresh-share">"Link created"</h2>
            <p>"Send it yourself. It works until " {link.expires.clone()} "."</p>
            <label for="share-url">"Share link"</label>
            <input id="share-url" type="text" readonly value=link.url class="wide" />
        </section>
    }
}

#[component]
fn ShareTable(rows: Vec<ShareRow>, revoke: ServerAction<RevokeShare>) -> impl IntoView {
    let others = rows.iter().any(|r| !r.mine);
    view! {
        <table>
            <caption>{if others { "Links of your organization" } else { "Your links" }}</caption>
            <thead>
                <tr>
                    <th scope="col">"Shared"</th>
                    {others.then(|| view! { <th scope="col">"By"</th> })}
                    <th scope="col">"Password"</th>
                    <th scope="col">"Downloads"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        let label = format!("Revoke link to {}", r.what);
                        let downloads = match r.max_downloads {
                            Some(max) => format!("{} of {max}", r.downloads),
                            None => r.downloads.to_string(),
                        };
                        view! {
                            <tr>
                                <td>
                                    {r.what.clone()}
                                    {r.upload_only.then_some(" (upload only)")}
                                </td>
                                {others.then(|| view! { <td>{r.owner.clone()}</td> })}
                                <td>{if r.password { "Yes" } else { "No" }}</td>
                                <td>{downloads}</td>
                                <td>{r.expires}</td>
                                <td>{r.state.label()}</td>
                                <td>
                                    {(r.state == TokenState::Active)
                                        .then(|| {
                                            view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="link_id" value=r.id />
                                                    <button type="submit" aria-label=label>
                                                        "Revoke"
                                                    </button>
                                                </ActionForm>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// "Share": the form that makes a link to the file or folder its query names.
#[component]
pub fn NewSharePage() -> impl IntoView {
    view! {
        <RequireUser>
            <NewShareForm />
        </RequireUser>
    }
}

#[component]
fn NewShareForm() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let (usecase, bucket, path) = (get("usecase"), get("bucket"), get("path"));
    let create = ServerAction::<CreateShare>::new();
    let what = format!("s3://{bucket}/{path}");
    view! {
        <h1>"Share " <code>{what}</code></h1>
        <ActionForm action=create>
            <input type="hidden" name="usecase_id" value=usecase />
            <input type="hidden" name="bucket" value=bucket />
            <input type="hidden" name="path" value=path />
            <div class="field">
                <label for="share-days">"Expires in (days)"</label>
                <input id="share-days" name="days" type="number" min="1" max="90" value="7" required />
            </div>
            <div class="field">
                <label for="share-password-new">"Password (optional)"</label>
                <input id="share-password-new" name="password" type="password" minlength="8" autocomplete="new-password" />
            </div>
            <div class="field">
                <label for="share-max">"Most downloads (optional)"</label>
                <input id="share-max" name="max_downloads" type="number" min="1" />
            </div>
            <div class="field check">
                <input id="share-drop" name="upload_only" type="checkbox" value="true" />
                <label for="share-drop">"Upload only: visitors upload into the folder and see nothing of it"</label>
            </div>
            <button type="submit" disabled=move || create.pending().get()>
                "Create link"
            </button>
        </ActionForm>
        {move || {
            create
                .value()
                .get()
                .map(|outcome| match outcome {
                    Ok(link) => view! { <FreshShare link /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })
        }}
    }
}
