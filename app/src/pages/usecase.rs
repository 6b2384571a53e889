//! One usecase: its buckets.

use crate::api::data::{get_usecase, list_buckets};
use crate::components::encode;
use crate::components::session::{ErrorNote, RequireUser};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The usecase page.
#[component]
pub fn UsecasePage() -> impl IntoView {
    view! {
        <RequireUser>
            <UsecaseBuckets />
        </RequireUser>
    }
}

#[component]
fn UsecaseBuckets() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let usecase = Resource::new(id, get_usecase);
    let buckets = Resource::new(id, list_buckets);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let usecase = match usecase.await {
                    Ok(u) => u,
                    Err(error) => return view! { <ErrorNote error /> }.into_any(),
                };
                let list = buckets.await;
                let uc_id = usecase.id.clone();
                view! {
                    <h1>{usecase.name.clone()}</h1>
                    <h2>"Buckets"</h2>
                    {match list {
                        Ok(names) if names.is_empty() => view! { <p>"You have no buckets here yet."</p> }.into_any(),
                        Ok(names) => {
                            view! {
                                <ul class="cards">
                                    {names
                                        .into_iter()
                                        .map(|b| {
                                            let href = format!("/usecases/{}/buckets/{}", uc_id, encode(&b));
                                            view! {
                                                <li>
                                                    <a href=href>{b}</a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
                    .into_any()
            })}
        </Suspense>
    }
}
