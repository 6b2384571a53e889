//! Organizations, for the platform administrator.

use super::person::FreshLink;
use crate::api::people::take_password_link;
use crate::api::tenants::{CreateTenant, SetTenantDisabled, list_tenants};
use crate::components::session::{ErrorNote, RequireUser};
use crate::ids::UserId;
use crate::model::{TenantRow, utc_minutes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/tenants`, for the platform administrator.
#[component]
pub fn TenantsPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <Tenants />
        </RequireUser>
    }
}

#[component]
fn Tenants() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let toggle = ServerAction::<SetTenantDisabled>::new();
    let created = use_query_map().read_untracked().get("created").map(UserId::from);
    let all = Resource::new(move || (create.version().get(), toggle.version().get()), |_| list_tenants());
    let kept = Resource::new(
        move || created.clone(),
        |id| async move {
            match id {
                Some(id) => take_password_link(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <h1>"Organizations"</h1>
        {move || toggle.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        // One Suspense awaits every resource of the page (leptos-rs/leptos#4851).
        <Transition fallback=|| view! { <p>"Loading organizations…"</p> }>
            {move || Suspend::new(async move {
                let (all, kept) = (all.await, kept.await);
                view! {
                    {kept.ok().flatten().map(|link| view! { <FreshLink link /> })}
                    {match all {
                        Ok(rows) => view! { <TenantTable rows toggle /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
            })}
        </Transition>
        <section aria-labelledby="new-tenant">
            <h2 id="new-tenant">"Create organization"</h2>
            <ActionForm action=create>
                <div class="field">
                    <label for="tenant-name">"Organization name"</label>
                    <input id="tenant-name" name="name" type="text" maxlength="100" required />
                </div>
                <div class="field">
                    <label for="tenant-admin">"Administrator email"</label>
                    <input id="tenant-admin" name="admin_email" type="email" autocomplete="off" required />
                </div>
                <button type="submit" disabled=move || create.pending().get()>"Create organization"</button>
            </ActionForm>
            {move || {
                create
                    .value()
                    .get()
                    .map(|outcome| match outcome {
                        Ok(link) => view! { <FreshLink link /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    })
            }}
        </section>
    }
}

#[component]
fn TenantTable(rows: Vec<TenantRow>, toggle: ServerAction<SetTenantDisabled>) -> impl IntoView {
    view! {
        <table>
            <caption>"Organizations"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"People"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let (word, label) = if t.disabled { ("false", "Enable") } else { ("true", "Disable") };
                        let button_label = format!("{label} {}", t.name);
                        // The platform's own organization (listed first) stays enabled.
                        let action = (i > 0 || t.disabled)
                            .then(|| {
                                view! {
                                    <ActionForm action=toggle>
                                        <input type="hidden" name="tenant_id" value=t.id.clone() />
                                        <input type="hidden" name="disabled" value=word />
                                        <button type="submit" aria-label=button_label.clone()>{label}</button>
                                    </ActionForm>
                                }
                            });
                        view! {
                            <tr>
                                <td>{t.name.clone()}</td>
                                <td>{if t.disabled { "Disabled" } else { "Active" }}</td>
                                <td>{t.people}</td>
                                <td>{utc_minutes(t.created_at)}</td>
                                <td>{action}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
