//! The audit trail (administrators) and one's own activity.

use super::caller::{Caller, Params, cursor, uncursor};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::actions::AuditAction;
use app::core::activity::{self, ActivityFilter};
use app::core::audit;
use app::model::{AuditFilter, AuditRow};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One audit event.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EventOut {
    /// Its place in the chain.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who (email).
    pub user: String,
    /// What, such as `object.upload`.
    pub action: String,
    /// On what: `bucket/key` or a usecase.
    pub resource: String,
    /// `success`, `denied` or `error`.
    pub outcome: String,
    /// From which address.
    pub client_ip: String,
    /// More about it.
    pub detail: String,
}

impl From<AuditRow> for EventOut {
    fn from(r: AuditRow) -> Self {
        EventOut {
            seq: r.seq,
            at: r.at,
            user: r.user,
            action: r.action,
            resource: r.resource,
            outcome: r.outcome,
            client_ip: r.client_ip,
            detail: r.detail,
        }
    }
}

/// A page of events, newest first.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    /// The events.
    pub events: Vec<EventOut>,
    /// Cursor of the next (older) page, if there is one.
    pub next: Option<String>,
}

/// The audit page's filters.
#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    /// Email of the acting user.
    pub user: Option<String>,
    /// Action name, such as `object.download`.
    pub action: Option<String>,
    /// `success`, `denied` or `error`.
    pub outcome: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// Bucket.
    pub bucket: Option<String>,
    /// Keys starting with this.
    pub key: Option<String>,
    /// Words in the user, action, bucket, key or detail.
    pub text: Option<String>,
    /// Events per page, 1 to 500 (100 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

fn before(next: Option<&str>) -> Result<Option<i64>, Problem> {
    uncursor(next)?
        .map(|s| s.parse::<i64>().map_err(|_| Problem::invalid("next", "This is not a cursor of this list.")))
        .transpose()
}

/// The organization's audit trail, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "A page of events", body = EventPage),
        (status = 400, description = "A bad filter", body = Problem),
        (status = 403, description = "Administrators only", body = Problem)))]
pub async fn audit_trail(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<AuditParams>,
) -> Result<Json<EventPage>, Problem> {
    let filter = AuditFilter {
        user: q.user,
        action: q.action,
        outcome: q.outcome,
        from: q.from,
        to: q.to,
        bucket: q.bucket,
        key: q.key,
        text: q.text,
    };
    let limit = i64::from(q.limit.unwrap_or(100));
    let before = before(q.next.as_deref())?;
    let (rows, next) = audit::read_trail(&state, &p, AuditAction::ViewAudit, filter, limit, before).await?;
    Ok(Json(EventPage {
        events: rows.into_iter().map(EventOut::from).collect(),
        next: next.map(|seq| cursor(&seq.to_string())),
    }))
}

/// Filters of one's own activity.
#[derive(Deserialize, IntoParams)]
pub struct ActivityParams {
    /// Action name.
    pub action: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// Events per page, 1 to 50 (50 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// The caller's own events, newest first.
#[utoipa::path(get, path = "/api/v1/me/activity", tag = "audit", params(ActivityParams),
    responses((status = 200, description = "A page of events", body = EventPage),
        (status = 401, description = "No valid token", body = Problem)))]
pub async fn my_activity(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<ActivityParams>,
) -> Result<Json<EventPage>, Problem> {
    let filter = ActivityFilter {
        action: q.action,
        from: q.from,
        to: q.to,
        before: before(q.next.as_deref())?,
        limit: q.limit.map(i64::from),
    };
    let page = activity::mine(&state, &p, filter).await?;
    Ok(Json(EventPage {
        events: page.rows.into_iter().map(EventOut::from).collect(),
        next: page.older.map(|seq| cursor(&seq.to_string())),
    }))
}
