//! Every grant of the organization, filtered by person and usecase.

use crate::api::grants::{RevokeGrant, grant_options, list_grants};
use crate::components::grants::GrantTable;
use crate::components::session::{ErrorNote, RequireUser};
use crate::ids::{UsecaseId, UserId};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The Grants page, for administrators.
#[component]
pub fn GrantsPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <Grants />
        </RequireUser>
    }
}

#[component]
fn Grants() -> impl IntoView {
    let query = use_query_map();
    let pick = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let filter = move || (pick("user").map(UserId::from), pick("usecase").map(UsecaseId::from));
    let revoke = ServerAction::<RevokeGrant>::new();
    let grants =
        Resource::new(move || (filter(), revoke.version().get()), |((user, usecase), _)| list_grants(user, usecase));
    let options = Resource::new(|| (), |_| grant_options());
    view! {
        <h1>"Grants"</h1>
        <p>
            <a href="/grants/new">"Add grant"</a>
        </p>
        {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        // One Suspense awaits every resource of the page (leptos-rs/leptos#4851).
        <Transition fallback=|| view! { <p>"Loading grants…"</p> }>
            {move || Suspend::new(async move {
                let (options, grants) = (options.await, grants.await);
                let options = match options {
                    Ok(o) => o,
                    Err(error) => return view! { <ErrorNote error /> }.into_any(),
                };
                let (user, usecase) = filter();
                let (user, usecase) = (user.map(|u| u.to_string()), usecase.map(|u| u.to_string()));
                view! {
                    <form method="get" action="/grants" class="filters">
                        <div class="field">
                            <label for="grants-user">"User"</label>
                            <select id="grants-user" name="user">
                                <option value="">"Everyone"</option>
                                {options
                                    .people
                                    .into_iter()
                                    .map(|p| {
                                        let selected = user.as_deref() == Some(p.id.as_str());
                                        view! { <option value=p.id.to_string() selected=selected>{p.email}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="grants-usecase">"Usecase"</label>
                            <select id="grants-usecase" name="usecase">
                                <option value="">"Every usecase"</option>
                                {options
                                    .locations
                                    .into_iter()
                                    .map(|l| {
                                        let selected = usecase.as_deref() == Some(l.usecase_id.as_str());
                                        view! {
                                            <option value=l.usecase_id.to_string() selected=selected>
                                                {l.usecase_name}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <button type="submit">"Apply filters"</button>
                    </form>
                    {match grants {
                        Ok(rows) if rows.is_empty() => view! { <p>"No grants match these filters."</p> }.into_any(),
                        Ok(rows) => view! { <GrantTable rows revoke /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
                    .into_any()
            })}
        </Transition>
    }
}
