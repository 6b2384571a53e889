//! "My activity": a person's own events, newest first, a page at a time.

use super::CoreError;
use super::actions::AuditAction;
use super::audit::{day_start_ms, to_row};
use super::db::models::AuditEvent;
use super::db::schema::audit_events;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use crate::model::{ActivityPage, AuditRow};
use diesel::prelude::*;

/// Events on one page.
pub const PAGE: i64 = 50;

/// Which of a person's events to show.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only this action, such as `object.upload`.
    pub action: Option<String>,
    /// First day included, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// Only events older than this one (the "Older events" link).
    pub before: Option<i64>,
    /// Events on the page, 1 to `PAGE` (all of `PAGE` when not given).
    pub limit: Option<i64>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The principal's own events: sign-ins, uploads, downloads, deletes and
/// refusals, newest first.
pub async fn mine(s: &Services, p: &Principal, filter: ActivityFilter) -> Result<ActivityPage, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewActivity);
    let actor = g.actor().await?;
    let target = Target::Tenant(actor.tenant_id.clone());
    g.authorize(&target).await?;
    let from = given(&filter.from).map(day_start_ms).transpose();
    let to = given(&filter.to).map(day_start_ms).transpose();
    let (from, to) = (g.screened(from).await?, g.screened(to).await?);
    let user = actor.user_id.clone();
    let action = given(&filter.action).map(str::to_owned);
    let before = filter.before;
    let page = filter.limit.unwrap_or(PAGE).clamp(1, PAGE);
    s.db.run(move |c| {
        let mut q =
            audit_events::table.filter(audit_events::user_id.eq(&user)).select(AuditEvent::as_select()).into_boxed();
        if let Some(action) = action {
            q = q.filter(audit_events::action.eq(action));
        }
        if let Some(from) = from {
            q = q.filter(audit_events::at.ge(from));
        }
        if let Some(to) = to {
            q = q.filter(audit_events::at.lt(to + 86_400_000));
        }
        if let Some(before) = before {
            q = q.filter(audit_events::seq.lt(before));
        }
        let mut events: Vec<AuditEvent> = q.order(audit_events::seq.desc()).limit(page + 1).load(c)?;
        let more = events.len() as i64 > page;
        events.truncate(page as usize);
        let older = if more { events.last().map(|e| e.seq) } else { None };
        let rows: Vec<AuditRow> = events.iter().map(to_row).collect();
        Ok(ActivityPage { rows, older })
    })
    .await
}
