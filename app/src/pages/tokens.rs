//! "API tokens": each person makes, lists and revokes the tokens their
//! scripts call the REST API with; administrators see the organization's.

use crate::api::tokens::{CreateToken, RevokeToken, list_tokens, take_new_token};
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, NewToken, TokenRow, TokenState};
use leptos::prelude::*;

/// The API tokens page, for everyone signed in.
#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Tokens />
        </RequireUser>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_tokens());
    // A plain form post comes back here with the new token in the session.
    let fresh = Resource::new(|| (), |_| take_new_token());
    view! {
        <h1>"API tokens"</h1>
        <p class="hint">
            "Scripts and pipelines call the Dataport API with a token: "
            <code>"Authorization: Bearer dpt_…"</code>
            ". A token acts with your rights as they are at each call. "
            <a href="/api-reference">"Read the API reference"</a>
        </p>
        <Suspense fallback=|| view! { <p>"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                let (list, fresh) = (tokens.await, fresh.await);
                view! {
                    {fresh.ok().flatten().map(|token| view! { <FreshToken token /> })}
                    {match list {
                        Ok(rows) if rows.is_empty() => view! { <p>"No tokens yet."</p> }.into_any(),
                        Ok(rows) => view! { <TokenTable rows revoke /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
            })}
        </Suspense>
        {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        <NewTokenForm create />
    }
}

/// A token just made: shown once, to copy.
#[component]
fn FreshToken(token: NewToken) -> impl IntoView {
    view! {
        <section class="notice" role="status" aria-labelledby="fresh-token">
            <h2 id="fresh-token">"Token “" {token.name.clone()} "” created"</h2>
            <p>
                "Copy it now: Dataport keeps only a fingerprint and cannot show it again. It works until "
                {token.expires.clone()} {if token.read_only { ", and only reads." } else { "." }}
            </p>
            <label for="new-token">"New API token"</label>
            <input id="new-token" type="text" readonly value=token.secret class="wide" />
        </section>
    }
}

#[component]
fn TokenTable(rows: Vec<TokenRow>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let others = rows.iter().any(|r| !r.mine);
    view! {
        <table>
            <caption>{if others { "Tokens of your organization" } else { "Your tokens" }}</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    {others.then(|| view! { <th scope="col">"Owner"</th> })}
                    <th scope="col">"Access"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|t| {
                        let label = format!("Revoke token {}", t.name);
                        view! {
                            <tr>
                                <td>{t.name.clone()}</td>
                                {others.then(|| view! { <td>{t.owner.clone()}</td> })}
                                <td>{if t.read_only { "Read-only" } else { "Read and write" }}</td>
                                <td>{t.created}</td>
                                <td>{t.last_used.unwrap_or_else(|| "Never".into())}</td>
                                <td>{t.expires}</td>
                                <td>{t.state.label()}</td>
                                <td>
                                    {(t.state == TokenState::Active)
                                        .then(|| {
                                            view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="token_id" value=t.id />
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

#[component]
fn NewTokenForm(create: ServerAction<CreateToken>) -> impl IntoView {
    view! {
        <section aria-labelledby="create-token">
            <h2 id="create-token">"Create token"</h2>
            <ActionForm action=create>
                <div class="field">
                    <label for="token-name">"Token name"</label>
                    <input id="token-name" name="name" type="text" required maxlength="80" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="token-days">"Expires in (days)"</label>
                    <input
                        id="token-days"
                        name="days"
                        type="number"
                        min="1"
                        max=MAX_TOKEN_DAYS.to_string()
                        value=DEFAULT_TOKEN_DAYS.to_string()
                        required
                    />
                </div>
                <div class="field check">
                    <input id="token-read-only" name="read_only" type="checkbox" value="true" />
                    <label for="token-read-only">"Read-only: list and download, never upload or delete"</label>
                </div>
                <button type="submit" disabled=move || create.pending().get()>
                    "Create token"
                </button>
            </ActionForm>
            {move || {
                create
                    .value()
                    .get()
                    .map(|outcome| match outcome {
                        Ok(token) => view! { <FreshToken token /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    })
            }}
        </section>
    }
}
