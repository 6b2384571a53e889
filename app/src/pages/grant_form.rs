//! Adding and editing a grant: who, which usecase and bucket, which folder,
//! which rights, until when. A plain form that works before the page's
//! script has loaded; with it, the form says at once what the chosen
//! person's role takes away.

use crate::api::grants::{GrantChoices, SaveGrant, grant_options, list_grants};
use crate::components::folder_picker::FolderPicker;
use crate::components::session::{ErrorNote, RequireUser};
use crate::ids::{GrantId, UsecaseId, UserId};
use crate::model::{GrantRow, Rights, Role, utc_field_value};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// "Add grant", for administrators.
#[component]
pub fn NewGrantPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <GrantEditor />
        </RequireUser>
    }
}

/// "Edit grant", for administrators.
#[component]
pub fn EditGrantPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <GrantEditor />
        </RequireUser>
    }
}

#[component]
fn GrantEditor() -> impl IntoView {
    let params = use_params_map();
    let editing = move || params.read().get("id").map(GrantId::from);
    let for_user = use_query_map().read_untracked().get("user").map(UserId::from);
    let options = Resource::new(|| (), |_| grant_options());
    let existing = Resource::new(editing, |id| async move {
        match id {
            Some(id) => list_grants(None, None).await.map(|rows| rows.into_iter().find(|r| r.id == id)),
            None => Ok(None),
        }
    });
    view! {
        <p>
            <a href="/grants">"All grants"</a>
        </p>
        // One Suspense awaits every resource of the page (leptos-rs/leptos#4851).
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let for_user = for_user.clone();
                Suspend::new(async move {
                    let (options, existing) = (options.await, existing.await);
                    match (options, existing, editing()) {
                        (Err(error), _, _) | (_, Err(error), _) => view! { <ErrorNote error /> }.into_any(),
                        (Ok(_), Ok(None), Some(_)) => {
                            view! { <p role="alert">"This grant no longer exists. Go back to all grants."</p> }.into_any()
                        }
                        (Ok(options), Ok(row), _) => view! { <GrantFields options row for_user /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn GrantFields(options: GrantChoices, row: Option<GrantRow>, for_user: Option<UserId>) -> impl IntoView {
    let save = ServerAction::<SaveGrant>::new();
    let title = if row.is_some() { "Edit grant" } else { "Add grant" };
    let holder = RwSignal::new(row.as_ref().map(|r| r.user_id.clone()).or(for_user).unwrap_or_default());
    let rights = row.as_ref().map(|r| r.rights).unwrap_or(Rights { list: true, read: true, ..Rights::default() });
    let (write, delete) = (RwSignal::new(rights.write), RwSignal::new(rights.delete));
    let people = options.people.clone();
    let role_note = move || {
        let viewer = holder.with(|id| people.iter().find(|p| &p.id == id).is_some_and(|p| p.role == Role::Viewer));
        (viewer && (write.get() || delete.get())).then(|| {
            view! {
                <p class="hint" role="status">
                    "This user is a Viewer: the role removes Write and Delete, whatever the grant says."
                </p>
            }
        })
    };
    let first = options.locations.first();
    let usecase = row
        .as_ref()
        .map(|r| r.usecase_id.to_string())
        .or_else(|| first.map(|l| l.usecase_id.to_string()))
        .unwrap_or_default();
    let bucket = row.as_ref().map(|r| r.bucket.clone()).or_else(|| first.and_then(|l| l.buckets.first().cloned()));
    let bucket = bucket.unwrap_or_default();
    let prefix = row.as_ref().map(|r| r.prefix.clone()).unwrap_or_default();
    // The folder browser reads the usecase and bucket chosen so far and writes the folder field.
    let (picked_usecase, picked_bucket) = (RwSignal::new(usecase.clone()), RwSignal::new(bucket.clone()));
    let folder = RwSignal::new(prefix.clone());
    let expires = row.as_ref().and_then(|r| r.expires_at).map(utc_field_value).unwrap_or_default();
    view! {
        <h1>{title}</h1>
        <ActionForm action=save>
            {row.as_ref().map(|r| view! { <input type="hidden" name="form[id]" value=r.id.to_string() /> })}
            <div class="field">
                <label for="grant-user">"User"</label>
                <select id="grant-user" name="form[user_id]" required on:change=move |ev| holder.set(event_target_value(&ev).into())>
                    <option value="">"Choose a user"</option>
                    {options
                        .people
                        .into_iter()
                        .map(|p| {
                            let selected = holder.get_untracked() == p.id;
                            let text = format!("{} ({})", p.email, p.role.label());
                            view! { <option value=p.id.to_string() selected=selected>{text}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="grant-usecase">"Usecase"</label>
                <select
                    id="grant-usecase"
                    name="form[usecase_id]"
                    required
                    on:change=move |ev| picked_usecase.set(event_target_value(&ev))
                >
                    {options
                        .locations
                        .iter()
                        .map(|l| {
                            let selected = l.usecase_id.as_str() == usecase;
                            view! { <option value=l.usecase_id.to_string() selected=selected>{l.usecase_name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="grant-bucket">"Bucket"</label>
                <select
                    id="grant-bucket"
                    name="form[bucket]"
                    required
                    on:change=move |ev| picked_bucket.set(event_target_value(&ev))
                >
                    {options
                        .locations
                        .into_iter()
                        .map(|l| {
                            let buckets = l.buckets.into_iter().map(|b| {
                                let selected = b == bucket;
                                view! { <option value=b.clone() selected=selected>{b.clone()}</option> }
                            });
                            view! { <optgroup label=l.usecase_name>{buckets.collect_view()}</optgroup> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="grant-prefix">"Folder"</label>
                <input
                    id="grant-prefix"
                    name="form[prefix]"
                    type="text"
                    value=prefix
                    prop:value=move || folder.get()
                    on:input=move |ev| folder.set(event_target_value(&ev))
                    aria-describedby="grant-prefix-help"
                />
                <p id="grant-prefix-help" class="hint">"Such as partner-acme/uploads/. Leave empty for the whole bucket."</p>
            </div>
            <FolderPicker
                usecase_id=Signal::derive(move || UsecaseId::from(picked_usecase.get()))
                bucket=picked_bucket.into()
                chosen=folder
            />
            <fieldset>
                <legend>"Rights"</legend>
                <RightBox name="list" label="List" checked=rights.list />
                <RightBox name="read" label="Read" checked=rights.read />
                <label>
                    <input type="checkbox" name="form[write]" value="true" checked=rights.write on:change=move |ev| write.set(event_target_checked(&ev)) />
                    "Write"
                </label>
                <label>
                    <input type="checkbox" name="form[delete]" value="true" checked=rights.delete on:change=move |ev| delete.set(event_target_checked(&ev)) />
                    "Delete"
                </label>
            </fieldset>
            {role_note}
            <div class="field">
                <label for="grant-expires">"Expires (UTC, optional)"</label>
                <input id="grant-expires" name="form[expires]" type="datetime-local" value=expires />
            </div>
            <button type="submit" disabled=move || save.pending().get()>"Save grant"</button>
        </ActionForm>
        {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}

#[component]
fn RightBox(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    view! {
        <label>
            <input type="checkbox" name=format!("form[{name}]") value="true" checked=checked />
            {label}
        </label>
    }
}
