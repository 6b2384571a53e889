//! The bar at the top of every page.

use super::session::{SessionResource, load_page_after_success};
use crate::api::auth::SignOut;
use crate::model::{Role, SessionInfo};
use leptos::prelude::*;

/// Portal name, the signed-in user, and where they can go.
#[component]
pub fn Header() -> impl IntoView {
    let whoami = expect_context::<SessionResource>();
    let sign_out = ServerAction::<SignOut>::new();
    load_page_after_success(sign_out.value().into(), "/sign-in");
    view! {
        <header class="top">
            <a class="brand" href="/">"Dataport"</a>
            <Suspense>
                {move || Suspend::new(async move {
                    match whoami.await {
                        Ok(SessionInfo { user: Some(user), .. }) => {
                            let is_admin = user.role == Role::Admin;
                            let platform = user.platform;
                            view! {
                                <nav aria-label="Main">
                                    <a href="/">{if is_admin { "Usecases" } else { "My locations" }}</a>
                                    <a href="/activity">"My activity"</a>
                                    <a href="/shares">"Shared links"</a>
                                    <a href="/tokens">"API tokens"</a>
                                    {is_admin
                                        .then(|| {
                                            view! {
                                                <a href="/dashboard">"Dashboard"</a>
                                                <a href="/users">"Users"</a>
                                                <a href="/grants">"Grants"</a>
                                                <a href="/audit">"Audit log"</a>
                                            }
                                        })}
                                    {platform.then(|| view! { <a href="/tenants">"Organizations"</a> })}
                                </nav>
                                <crate::upload_client::UploadIndicator />
                                <span class="who">{format!("{} · {}", user.email, user.tenant_name)}</span>
                                <ActionForm action=sign_out>
                                    <button type="submit">"Sign out"</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}
