//! The audit trail of the organization, for administrators.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::AuditFilter;
use crate::model::AuditRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::{Ctx, Target};

/// Most events one page or export shows.
pub const AUDIT_PAGE_LIMIT: i64 = 500;

/// Audit events of the organization, newest first; each filter is optional.
#[server(endpoint = "list_audit_events")]
pub async fn list_audit_events(
    user: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    let cx = Ctx::load().await?;
    audit_rows(&cx, "audit.view", AuditFilter { user, action, outcome, from, to }).await
}

/// Authorizes, queries and audits a read of the trail (page or export).
#[cfg(feature = "ssr")]
pub async fn audit_rows(cx: &Ctx, action_name: &str, filter: AuditFilter) -> Result<Vec<AuditRow>, AppError> {
    use crate::core::audit;
    use crate::core::authz::Action;
    let actor = cx.require_actor(action_name).await?;
    let target = Target::Tenant(actor.tenant_id.clone());
    cx.authorize(action_name, Action::ViewAudit, &target).await?;
    let tenant = actor.tenant_id.clone();
    let result = cx
        .state
        .db
        .run(move |c| Ok(audit::query(c, &tenant, &filter, AUDIT_PAGE_LIMIT)?.iter().map(audit::to_row).collect()))
        .await;
    cx.finish(action_name, &target, result, |rows: &Vec<AuditRow>| format!("{} events", rows.len())).await
}
