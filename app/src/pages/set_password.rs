//! Choosing a password through a one-time link (an invitation or a reset).

use crate::api::people::{SetPassword, password_link_holder};
use crate::components::session::{ErrorNote, load_page_after_success};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page a one-time password link opens.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let token = use_query_map().read_untracked().get("token").unwrap_or_default();
    let holder = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        password_link_holder,
    );
    let action = ServerAction::<SetPassword>::new();
    load_page_after_success(action.value().into(), "/");
    view! {
        <h1>"Choose your password"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match holder.await {
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                        Ok(email) => {
                            view! {
                                <p>"Choose the password with which " <strong>{email.clone()}</strong> " signs in to Dataport."</p>
                                <ActionForm action=action>
                                    <input type="hidden" name="token" value=token />
                                    <input type="email" name="email" autocomplete="username" value=email hidden />
                                    <div class="field">
                                        <label for="new-password">"Password"</label>
                                        <input id="new-password" type="password" name="password" autocomplete="new-password" minlength="12" required aria-describedby="new-password-help" />
                                        <p id="new-password-help" class="hint">"At least 12 characters."</p>
                                    </div>
                                    <div class="field">
                                        <label for="new-confirm">"Confirm password"</label>
                                        <input id="new-confirm" type="password" name="confirm" autocomplete="new-password" required />
                                    </div>
                                    <button type="submit" disabled=move || action.pending().get()>"Set password and sign in"</button>
                                </ActionForm>
                                {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
