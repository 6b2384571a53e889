//! One person: their fresh password link, role, status, the actions on
//! their account, and their grants with what their role leaves of them.

use super::users::RoleSelect;
use crate::api::grants::{RevokeGrant, list_grants};
use crate::api::people::{
    DeletePerson, ResetPersonPassword, SetPersonDisabled, SetPersonRole, UnlockPerson, get_person, take_password_link,
};
use crate::components::grants::GrantTable;
use crate::components::session::{ErrorNote, RequireUser};
use crate::ids::UserId;
use crate::model::{PasswordLink, Person, PersonStatus, utc_minutes};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A person's page, for administrators.
#[component]
pub fn PersonPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <PersonDetails />
        </RequireUser>
    }
}

#[component]
fn PersonDetails() -> impl IntoView {
    let params = use_params_map();
    let id = move || UserId::from(params.read().get("id").unwrap_or_default());
    let role = ServerAction::<SetPersonRole>::new();
    let disable = ServerAction::<SetPersonDisabled>::new();
    let reset = ServerAction::<ResetPersonPassword>::new();
    let unlock = ServerAction::<UnlockPerson>::new();
    let delete = ServerAction::<DeletePerson>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let changes = move || {
        (
            role.version().get(),
            disable.version().get(),
            reset.version().get(),
            unlock.version().get(),
            revoke.version().get(),
        )
    };
    let person = Resource::new(move || (id(), changes()), |(id, _)| get_person(id));
    let link = Resource::new(move || (id(), changes()), |(id, _)| take_password_link(id));
    let grants = Resource::new(move || (id(), changes()), |(id, _)| list_grants(Some(id), None));
    let errors = move || {
        [
            role.value().get().and_then(Result::err),
            disable.value().get().and_then(Result::err),
            reset.value().get().and_then(Result::err),
            unlock.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .map(|error| view! { <ErrorNote error /> })
        .collect_view()
    };
    let confirm_delete = move || use_query_map().read().get("confirm").as_deref() == Some("delete");
    view! {
        <p>
            <a href="/users">"All users"</a>
        </p>
        {errors}
        // One Suspense awaits every resource of the page (leptos-rs/leptos#4851).
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (person, link, grants) = (person.await, link.await, grants.await);
                let person = match person {
                    Ok(p) => p,
                    Err(error) => return view! { <ErrorNote error /> }.into_any(),
                };
                let user_id = person.id.to_string();
                let role_user = user_id.clone();
                view! {
                    <h1>{person.email.clone()}</h1>
                    {link.ok().flatten().map(|link| view! { <FreshLink link /> })}
                    {move || reset.value().get().and_then(Result::ok).map(|link| view! { <FreshLink link /> })}
                    <dl class="facts">
                        <dt>"Name"</dt>
                        <dd>{person.display_name.clone()}</dd>
                        <dt>"Status"</dt>
                        <dd>{person.status.label()}</dd>
                        <dt>"Last sign-in"</dt>
                        <dd>{person.last_sign_in_at.map(utc_minutes).unwrap_or_else(|| "Never".into())}</dd>
                    </dl>
                    <ActionForm action=role>
                        <input type="hidden" name="user_id" value=role_user />
                        <RoleSelect id="person-role" current=person.role />
                        <button type="submit">"Save role"</button>
                    </ActionForm>
                    <AccountActions person=person.clone() disable reset unlock />
                    {if confirm_delete() {
                        view! { <ConfirmDelete person=person.clone() delete /> }.into_any()
                    } else {
                        view! { <p><a href="?confirm=delete">"Delete user…"</a></p> }.into_any()
                    }}
                    <h2>"Grants"</h2>
                    <p>
                        <a href=format!("/grants/new?user={user_id}")>"Add grant for this user"</a>
                    </p>
                    {match grants {
                        Ok(rows) if rows.is_empty() => {
                            view! { <p>"No grants: this user reaches only their own home folder."</p> }.into_any()
                        }
                        Ok(rows) => view! { <GrantTable rows revoke /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// The one-time link just made, to copy and send.
#[component]
pub fn FreshLink(
    /// The link.
    link: PasswordLink,
) -> impl IntoView {
    view! {
        <section class="notice" role="status" aria-labelledby="fresh-link">
            <h2 id="fresh-link">"Password link for " {link.email.clone()}</h2>
            <p>
                "Send this link to " {link.email.clone()} " yourself. It works once, until "
                {utc_minutes(link.expires_at)} ", and is not shown again."
            </p>
            <label for="password-link">"One-time password link"</label>
            <input id="password-link" type="text" readonly value=link.url class="wide" />
        </section>
    }
}

/// Disable or enable, reset the password, unlock.
#[component]
fn AccountActions(
    person: Person,
    disable: ServerAction<SetPersonDisabled>,
    reset: ServerAction<ResetPersonPassword>,
    unlock: ServerAction<UnlockPerson>,
) -> impl IntoView {
    let disabled = person.status == PersonStatus::Disabled;
    let [id_disable, id_reset, id_unlock] = [(); 3].map(|_| person.id.to_string());
    view! {
        <div class="actions">
            <ActionForm action=disable>
                <input type="hidden" name="user_id" value=id_disable />
                <input type="hidden" name="disabled" value=(!disabled).to_string() />
                <button type="submit">{if disabled { "Enable user" } else { "Disable user" }}</button>
            </ActionForm>
            <ActionForm action=reset>
                <input type="hidden" name="user_id" value=id_reset />
                <button type="submit">
                    {if person.status == PersonStatus::Invited { "New invitation link" } else { "Reset password" }}
                </button>
            </ActionForm>
            {(person.status == PersonStatus::Locked)
                .then(|| {
                    view! {
                        <ActionForm action=unlock>
                            <input type="hidden" name="user_id" value=id_unlock.clone() />
                            <button type="submit">"Unlock user"</button>
                        </ActionForm>
                    }
                })}
        </div>
    }
}

/// The confirmation of a deletion, with what goes and what stays.
#[component]
fn ConfirmDelete(person: Person, delete: ServerAction<DeletePerson>) -> impl IntoView {
    view! {
        <section class="notice" aria-labelledby="confirm-delete">
            <h2 id="confirm-delete">"Delete " {person.email.clone()} "?"</h2>
            <p>
                "Their " {person.grants} " grants are revoked and their sessions end. Their audit events and "
                "the files they uploaded stay."
            </p>
            <ActionForm action=delete>
                <input type="hidden" name="user_id" value=person.id.to_string() />
                <button type="submit">"Delete user"</button>
                " "
                <a href="?">"Keep user"</a>
            </ActionForm>
        </section>
    }
}
