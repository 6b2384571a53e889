//! The organization's people: search, the list, and "Add user".

use crate::api::people::{InvitePerson, list_people};
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::{Person, utc_minutes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The Users page, for administrators.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <People />
        </RequireUser>
    }
}

#[component]
fn People() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let people = Resource::new(search, list_people);
    view! {
        <h1>"Users"</h1>
        <form method="get" action="/users" class="filters" role="search">
            <div class="field">
                <label for="people-search">"Search by email or name"</label>
                <input id="people-search" name="q" type="search" value=search />
            </div>
            <button type="submit">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading people…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(list) if list.is_empty() => view! { <p>"No one matches this search."</p> }.into_any(),
                    Ok(list) => view! { <PeopleTable people=list /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
        <AddPerson />
    }
}

#[component]
fn PeopleTable(people: Vec<Person>) -> impl IntoView {
    view! {
        <table>
            <caption>"People of your organization"</caption>
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Last sign-in"</th>
                    <th scope="col">"Grants"</th>
                </tr>
            </thead>
            <tbody>
                {people
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/users/{}", p.id)>{p.email}</a>
                                </td>
                                <td>{p.display_name}</td>
                                <td>{p.role.label()}</td>
                                <td>{p.status.label()}</td>
                                <td>{p.last_sign_in_at.map(utc_minutes).unwrap_or_else(|| "Never".into())}</td>
                                <td>{p.grants}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The form that adds a person and opens their page with the invitation link.
#[component]
fn AddPerson() -> impl IntoView {
    let invite = ServerAction::<InvitePerson>::new();
    view! {
        <section aria-labelledby="add-user">
            <h2 id="add-user">"Add user"</h2>
            <p class="hint">
                "Dataport makes a one-time link, valid for 72 hours, with which the new user chooses a password. "
                "Send it to them yourself, by email or chat."
            </p>
            <ActionForm action=invite>
                <div class="field">
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" name="email" type="email" autocomplete="off" required />
                </div>
                <div class="field">
                    <label for="invite-name">"Display name"</label>
                    <input id="invite-name" name="display_name" type="text" autocomplete="off" maxlength="100" />
                </div>
                <RoleSelect id="invite-role" current=crate::model::Role::Viewer />
                <button type="submit" disabled=move || invite.pending().get()>
                    "Add user"
                </button>
            </ActionForm>
            {move || {
                invite
                    .value()
                    .get()
                    .map(|outcome| match outcome {
                        Ok(link) => {
                            let href = format!("/users/{}", link.user_id);
                            view! {
                                <super::person::FreshLink link />
                                <p>
                                    <a href=href>"Open this user's page to give them grants"</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    })
            }}
        </section>
    }
}

/// A labelled select of the three roles, named `role` for its form.
#[component]
pub fn RoleSelect(
    /// Element id.
    id: &'static str,
    /// The role selected at first.
    current: crate::model::Role,
) -> impl IntoView {
    use crate::model::Role;
    view! {
        <div class="field">
            <label for=id>"Role"</label>
            <select id=id name="role">
                {[Role::Viewer, Role::Editor, Role::Admin]
                    .into_iter()
                    .map(|r| {
                        view! {
                            <option value=format!("{r:?}") selected=r == current>
                                {format!("{} – {}", r.label(), r.summary())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
