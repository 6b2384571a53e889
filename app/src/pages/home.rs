//! The start page: the usecases of the organization.

use crate::api::data::list_usecases;
use crate::components::session::{ErrorNote, RequireUser, use_is_admin};
use leptos::prelude::*;

/// Lists the usecases the user can open.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <RequireUser>
            <UsecaseList />
        </RequireUser>
    }
}

#[component]
fn UsecaseList() -> impl IntoView {
    let usecases = Resource::new(|| (), |_| list_usecases());
    let is_admin = use_is_admin();
    view! {
        <h1>"Usecases"</h1>
        <Show when=move || is_admin.get()>
            <p>
                <a href="/usecases/new">"New usecase"</a>
            </p>
        </Show>
        <Suspense fallback=|| view! { <p>"Loading usecases…"</p> }>
            {move || Suspend::new(async move {
                match usecases.await {
                    Ok(list) if list.is_empty() => view! { <p>"No usecases yet."</p> }.into_any(),
                    Ok(list) => {
                        view! {
                            <ul class="cards">
                                {list
                                    .into_iter()
                                    .map(|u| {
                                        view! {
                                            <li>
                                                <a href=format!("/usecases/{}", u.id)>{u.name.clone()}</a>
                                                <span class="muted">
                                                    {format!(" — data in {} ({})", u.data_bucket, u.region)}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
