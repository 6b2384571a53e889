//! "My activity": what the signed-in person did, and what they were refused.

use crate::api::audit::my_activity;
use crate::components::encode;
use crate::components::events::EventTable;
use crate::components::session::{ErrorNote, RequireUser};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The activity page, for everyone.
#[component]
pub fn ActivityPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Activity />
        </RequireUser>
    }
}

#[component]
fn Activity() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || (get("action"), get("from"), get("to"), get("before").and_then(|b| b.parse::<i64>().ok())),
        |(action, from, to, before)| my_activity(action, from, to, before),
    );
    let value = move |k: &'static str| move || query.read().get(k).unwrap_or_default();
    let older_href = move |seq: i64| {
        let kept: Vec<String> = ["action", "from", "to"]
            .into_iter()
            .filter_map(|k| get(k).map(|v| format!("{k}={}", encode(&v))))
            .chain([format!("before={seq}")])
            .collect();
        format!("/activity?{}", kept.join("&"))
    };
    view! {
        <h1>"My activity"</h1>
        <form method="get" action="/activity" class="filters">
            <div class="field">
                <label for="activity-action">"Action"</label>
                <select id="activity-action" name="action" prop:value=value("action")>
                    <option value="">"Any"</option>
                    {[
                        ("auth.sign_in", "Signing in"),
                        ("object.upload", "Uploads"),
                        ("object.download", "Downloads"),
                        ("object.delete", "Deletes"),
                        ("object.list", "Browsing folders"),
                    ]
                        .into_iter()
                        .map(|(action, label)| {
                            let selected = get("action").as_deref() == Some(action);
                            view! { <option value=action selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="activity-from">"From (UTC)"</label>
                <input id="activity-from" name="from" type="date" value=value("from") />
            </div>
            <div class="field">
                <label for="activity-to">"To (UTC)"</label>
                <input id="activity-to" name="to" type="date" value=value("to") />
            </div>
            <button type="submit">"Apply filters"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading your activity…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.rows.is_empty() => view! { <p>"Nothing matches these filters."</p> }.into_any(),
                    Ok(p) => {
                        view! {
                            <EventTable rows=p.rows caption="Your events, newest first" />
                            {p.older.map(|seq| view! { <a href=older_href(seq)>"Older events"</a> })}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
