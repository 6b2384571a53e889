//! The audit trail of the organization, for administrators: an adapter of
//! the core's `read_trail`.

use crate::error::AppError;
use crate::model::AuditRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;

/// Audit events of the organization, newest first; each filter is optional.
#[server(endpoint = "list_audit_events")]
pub async fn list_audit_events(
    #[server(default)] filter: crate::model::AuditFilter,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::core::{actions::AuditAction, audit};
    let cx = Ctx::load().await?;
    Ok(audit::read_trail(&cx.state, &cx.principal, AuditAction::ViewAudit, filter, audit::PAGE_LIMIT, None).await?.0)
}

/// The signed-in person's own events, newest first, 50 at a time.
#[server(endpoint = "my_activity")]
pub async fn my_activity(
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<crate::model::ActivityPage, AppError> {
    use crate::core::activity::{self, ActivityFilter};
    let cx = Ctx::load().await?;
    Ok(activity::mine(&cx.state, &cx.principal, ActivityFilter { action, from, to, before, limit: None }).await?)
}
