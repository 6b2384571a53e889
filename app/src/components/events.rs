//! The table of audit events, shared by the audit log, "My activity" and
//! the dashboard's latest refusals.

use crate::model::AuditRow;
use leptos::prelude::*;

/// Events in a table; `people` adds who acted and from where (pages that
/// show one person's own events leave them out).
#[component]
pub fn EventTable(
    /// The events, in the order shown.
    rows: Vec<AuditRow>,
    /// The table's caption, its accessible name.
    caption: &'static str,
    /// Show the user and client columns.
    #[prop(optional)]
    people: bool,
) -> impl IntoView {
    view! {
        <table class="audit">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    {people.then(|| view! { <th scope="col">"User"</th> })}
                    <th scope="col">"Action"</th>
                    <th scope="col">"Resource"</th>
                    <th scope="col">"Outcome"</th>
                    {people.then(|| view! { <th scope="col">"Client"</th> })}
                    <th scope="col">"Detail"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        let user = people.then(|| view! { <td>{r.user}</td> });
                        let client = people.then(|| view! { <td title=r.user_agent>{r.client_ip}</td> });
                        view! {
                            <tr>
                                <td>{r.at}</td>
                                {user}
                                <td>{r.action}</td>
                                <td>{r.resource}</td>
                                <td>{r.outcome}</td>
                                {client}
                                <td>{r.detail}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
