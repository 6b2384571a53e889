//! First run: create the first administrator.

use crate::api::auth::CreateFirstAdmin;
use crate::components::session::{ErrorNote, SessionResource, load_page_after_success};
use crate::model::SessionInfo;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// The one-time page that creates the first administrator.
#[component]
pub fn SetupPage() -> impl IntoView {
    let whoami = expect_context::<SessionResource>();
    let action = ServerAction::<CreateFirstAdmin>::new();
    let token = use_query_map().read_untracked().get("token").unwrap_or_default();
    load_page_after_success(action.value().into(), "/");
    view! {
        <h1>"Set up Dataport"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                match whoami.await {
                    Ok(SessionInfo { needs_setup: false, .. }) => view! { <Redirect path="/" /> }.into_any(),
                    _ if token.is_empty() => {
                        view! {
                            <p>
                                "No one has an account yet. The first administrator is created through the "
                                "one-time setup link that "<code>"dataport serve"</code>" printed when it started ("
                                <code>"make run"</code>" shows it), or with "<code>"dataport create-admin"</code>
                                " on the server. Open that link to continue."
                            </p>
                        }
                            .into_any()
                    }
                    _ => {
                        let token = token.clone();
                        view! {
                            <p>
                                "No one has an account yet. Create the first administrator: an organization, "
                                "a default usecase and its bucket are created with it, so you can upload at once."
                            </p>
                            <ActionForm action=action>
                                <input type="hidden" name="token" value=token />
                                <div class="field">
                                    <label for="setup-email">"Email"</label>
                                    <input id="setup-email" type="email" name="email" autocomplete="username" required />
                                </div>
                                <div class="field">
                                    <label for="setup-password">"Password"</label>
                                    <input
                                        id="setup-password"
                                        type="password"
                                        name="password"
                                        autocomplete="new-password"
                                        minlength="12"
                                        required
                                    />
                                    <p class="hint">"At least 12 characters."</p>
                                </div>
                                <div class="field">
                                    <label for="setup-confirm">"Confirm password"</label>
                                    <input
                                        id="setup-confirm"
                                        type="password"
                                        name="confirm"
                                        autocomplete="new-password"
                                        required
                                    />
                                </div>
                                <button type="submit" disabled=move || action.pending().get()>
                                    "Create administrator"
                                </button>
                            </ActionForm>
                            {move || {
                                action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })
                            }}
                        }
                            .into_any()
                    }
                }
            })
            }}
        </Suspense>
    }
}
