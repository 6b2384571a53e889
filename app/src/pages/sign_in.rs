//! Signing in with email and password.

use crate::api::auth::SignIn;
use crate::components::session::{ErrorNote, load_page_after_sign_in};
use leptos::prelude::*;

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    load_page_after_sign_in(action.value().into());
    view! {
        <h1>"Sign in"</h1>
        <ActionForm action=action>
            <div class="field">
                <label for="sign-in-email">"Email"</label>
                <input id="sign-in-email" type="email" name="email" autocomplete="username" required />
            </div>
            <div class="field">
                <label for="sign-in-password">"Password"</label>
                <input id="sign-in-password" type="password" name="password" autocomplete="current-password" required />
            </div>
            <button type="submit" disabled=move || action.pending().get()>
                "Sign in"
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}
