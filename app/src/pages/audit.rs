//! The audit trail: filters, table and CSV export.

use crate::api::audit::list_audit_events;
use crate::components::encode;
use crate::components::events::EventTable;
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::AuditFilter;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The audit page, for administrators.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <AuditTrail />
        </RequireUser>
    }
}

#[component]
fn AuditTrail() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        AuditFilter {
            user: get("user"),
            action: get("action"),
            outcome: get("outcome"),
            from: get("from"),
            to: get("to"),
            bucket: get("bucket"),
            key: get("key"),
            text: get("text"),
        }
    };
    let events = Resource::new(filter, list_audit_events);
    let export_href = move || {
        let f = filter();
        let pairs = [
            ("user", f.user),
            ("action", f.action),
            ("outcome", f.outcome),
            ("from", f.from),
            ("to", f.to),
            ("bucket", f.bucket),
            ("key", f.key),
            ("text", f.text),
        ];
        let query: Vec<String> =
            pairs.into_iter().filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode(&v)))).collect();
        format!("/audit/export.csv?{}", query.join("&"))
    };
    let value = move |k: &'static str| move || query.read().get(k).unwrap_or_default();
    view! {
        <h1>"Audit log"</h1>
        <form method="get" action="/audit" class="filters">
            <div class="field">
                <label for="audit-user">"User email"</label>
                <input id="audit-user" name="user" type="text" value=value("user") />
            </div>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <input id="audit-action" name="action" type="text" placeholder="object.upload" value=value("action") />
            </div>
            <div class="field">
                <label for="audit-outcome">"Outcome"</label>
                <select id="audit-outcome" name="outcome" prop:value=value("outcome")>
                    <option value="">"Any"</option>
                    <option value="success">"Success"</option>
                    <option value="denied">"Denied"</option>
                    <option value="error">"Error"</option>
                </select>
            </div>
            <div class="field">
                <label for="audit-from">"From (UTC)"</label>
                <input id="audit-from" name="from" type="date" value=value("from") />
            </div>
            <div class="field">
                <label for="audit-to">"To (UTC)"</label>
                <input id="audit-to" name="to" type="date" value=value("to") />
            </div>
            <div class="field">
                <label for="audit-bucket">"Bucket"</label>
                <input id="audit-bucket" name="bucket" type="text" value=value("bucket") />
            </div>
            <div class="field">
                <label for="audit-key">"Key prefix"</label>
                <input id="audit-key" name="key" type="text" placeholder="partner-acme/" value=value("key") />
            </div>
            <div class="field">
                <label for="audit-text">"Text"</label>
                <input id="audit-text" name="text" type="search" value=value("text") />
            </div>
            <button type="submit">"Apply filters"</button>
        </form>
        <p>
            <a href=export_href download="audit.csv">"Export CSV"</a>
        </p>
        <Transition fallback=|| view! { <p>"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(rows) if rows.is_empty() => view! { <p>"No events match these filters."</p> }.into_any(),
                    Ok(rows) => {
                        view! { <EventTable rows caption="Events, newest first" people=true /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
