//! The table of grants, shared by the Grants page and a person's page.

use crate::api::grants::RevokeGrant;
use crate::model::{GrantRow, utc_minutes};
use leptos::prelude::*;

/// Grants with their location, rights (and what the holder's role removes),
/// expiry and state, each with "Edit" and "Revoke".
#[component]
pub fn GrantTable(
    /// The grants shown.
    rows: Vec<GrantRow>,
    /// The action the "Revoke" buttons dispatch.
    revoke: ServerAction<RevokeGrant>,
) -> impl IntoView {
    view! {
        <table>
            <caption>"Grants"</caption>
            <thead>
                <tr>
                    <th scope="col">"User"</th>
                    <th scope="col">"Usecase"</th>
                    <th scope="col">"Location"</th>
                    <th scope="col">"Rights"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <GrantLine row revoke /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn GrantLine(row: GrantRow, revoke: ServerAction<RevokeGrant>) -> impl IntoView {
    let effective = row.effective();
    let removed = (effective != row.rights)
        .then(|| format!("The role {} leaves only: {}", row.user_role.label(), effective.describe()));
    let location = format!("s3://{}/{}", row.bucket, row.prefix);
    let label = format!("grant of {} on {location}", row.user_email);
    view! {
        <tr>
            <td>
                <a href=format!("/users/{}", row.user_id)>{row.user_email.clone()}</a>
            </td>
            <td>{row.usecase_name.clone()}</td>
            <td>
                <code>{location}</code>
            </td>
            <td>{row.rights.describe()} {removed.map(|note| view! { <p class="hint">{note}</p> })}</td>
            <td>{row.expires_at.map(utc_minutes).unwrap_or_else(|| "Never".into())}</td>
            <td>{row.state.label()}</td>
            <td class="actions">
                <a href=format!("/grants/edit/{}", row.id) aria-label=format!("Edit {label}")>"Edit"</a>
                <ActionForm action=revoke>
                    <input type="hidden" name="grant_id" value=row.id.to_string() />
                    <button type="submit" aria-label=format!("Revoke {label}")>"Revoke"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
