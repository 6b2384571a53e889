//! The administrators' dashboard.

use crate::api::dashboard::load_dashboard;
use crate::components::charts::{EventsChart, StorageChart};
use crate::components::events::EventTable;
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::Dashboard;
use leptos::prelude::*;

/// `/dashboard`, for administrators.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <Overview />
        </RequireUser>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let figures = Resource::new(|| (), |_| load_dashboard());
    view! {
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Counting…"</p> }>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(d) => view! { <Figures d /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    let health = |ok: bool| if ok { "Answering" } else { "Not answering" };
    let p = d.people;
    view! {
        <section aria-labelledby="dash-people">
            <h2 id="dash-people">"People and grants"</h2>
            <dl class="facts">
                <dt>"Active users"</dt>
                <dd>{p.active}</dd>
                <dt>"Invited users"</dt>
                <dd>{p.invited}</dd>
                <dt>"Disabled users"</dt>
                <dd>{p.disabled}</dd>
                <dt>"Locked users"</dt>
                <dd>{p.locked}</dd>
                <dt>"Grants in force"</dt>
                <dd>{d.grants_active}</dd>
                <dt>"Grants ending within 7 days"</dt>
                <dd>{d.grants_expiring}</dd>
            </dl>
        </section>
        <section aria-labelledby="dash-recent">
            <h2 id="dash-recent">"Recent activity"</h2>
            <table>
                <caption>"Actions in the last 24 hours and 7 days"</caption>
                <thead>
                    <tr>
                        <th scope="col">"What"</th>
                        <th scope="col">"Last 24 hours"</th>
                        <th scope="col">"Last 7 days"</th>
                    </tr>
                </thead>
                <tbody>
                    {d
                        .recent
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <th scope="row">{r.label}</th>
                                    <td>{r.day}</td>
                                    <td>{r.week}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <EventsChart days=d.per_day />
        </section>
        <section aria-labelledby="dash-storage">
            <h2 id="dash-storage">"Storage"</h2>
            {if d.storage.is_empty() {
                view! { <p>"No files uploaded through Dataport yet."</p> }.into_any()
            } else {
                view! { <StorageChart rows=d.storage /> }.into_any()
            }}
        </section>
        <section aria-labelledby="dash-denied">
            <h2 id="dash-denied">"Latest refusals"</h2>
            {if d.denied.is_empty() {
                view! { <p>"Nothing was refused."</p> }.into_any()
            } else {
                view! { <EventTable rows=d.denied caption="The 10 latest refused events" people=true /> }.into_any()
            }}
            <p>
                <a href="/audit?outcome=denied">"Every refusal in the audit log"</a>
            </p>
        </section>
        <section aria-labelledby="dash-health">
            <h2 id="dash-health">"Health"</h2>
            <dl class="facts">
                <dt>"Database"</dt>
                <dd>{health(d.database_ok)}</dd>
                <dt>"S3 endpoint"</dt>
                <dd>{health(d.s3_ok)}</dd>
            </dl>
        </section>
    }
}
