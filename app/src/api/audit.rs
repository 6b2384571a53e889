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
    user: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::core::{actions::AuditAction, audit};
    use crate::model::AuditFilter;
    let cx = Ctx::load().await?;
    let filter = AuditFilter { user, action, outcome, from, to };
    Ok(audit::read_trail(&cx.state, &cx.principal, AuditAction::ViewAudit, filter).await?)
}
