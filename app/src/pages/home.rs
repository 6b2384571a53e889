//! The start page: for administrators the organization's usecases, for
//! everyone else the places they may use.

use crate::api::data::{list_usecases, my_locations};
use crate::components::encode;
use crate::components::session::{ErrorNote, RequireUser, use_is_admin};
use crate::model::{Location, utc_minutes};
use leptos::prelude::*;

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let is_admin = use_is_admin();
    view! {
        <RequireUser>
            <Show when=move || is_admin.get() fallback=|| view! { <MyLocations /> }>
                <UsecaseList />
            </Show>
        </RequireUser>
    }
}

#[component]
fn MyLocations() -> impl IntoView {
    let places = Resource::new(|| (), |_| my_locations());
    view! {
        <h1>"My locations"</h1>
        <Suspense fallback=|| view! { <p>"Loading your locations…"</p> }>
            {move || Suspend::new(async move {
                match places.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p>"You have no locations yet. Ask an administrator of your organization for access."</p> }
                            .into_any()
                    }
                    Ok(list) => {
                        view! { <ul class="cards">{list.into_iter().map(|place| view! { <LocationCard place /> }).collect_view()}</ul> }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LocationCard(place: Location) -> impl IntoView {
    let href =
        format!("/usecases/{}/buckets/{}?prefix={}", place.usecase_id, encode(&place.bucket), encode(&place.prefix));
    let name = if place.home {
        format!("My home in {}", place.usecase_name)
    } else {
        format!("s3://{}/{}", place.bucket, place.prefix)
    };
    let keys =
        format!("/keys?usecase={}&bucket={}&prefix={}", place.usecase_id, encode(&place.bucket), encode(&place.prefix));
    let keys_label = format!("Use {name} with command-line tools");
    view! {
        <li>
            <a href=href>{name.clone()}</a>
            <span class="muted">
                {format!(" — {}: {}", place.usecase_name, place.rights.describe())}
                {place.expires_at.map(|t| format!(", until {}", utc_minutes(t)))}
            </span>
            " "
            <a href=keys aria-label=keys_label>
                "Use with command-line tools"
            </a>
        </li>
    }
}

#[component]
fn UsecaseList() -> impl IntoView {
    let usecases = Resource::new(|| (), |_| list_usecases());
    view! {
        <h1>"Usecases"</h1>
        <p>
            <a href="/usecases/new">"New usecase"</a>
        </p>
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
