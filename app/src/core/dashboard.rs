//! The administrators' dashboard: people, grants, recent activity, events
//! per day, stored bytes, the latest refusals and the health of the parts.

use super::actions::AuditAction;
use super::audit::{self, to_row};
use super::db::models::{Usecase, User};
use super::db::schema::{audit_events, files, grants, usecases, users};
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::{CoreError, grant_admin, now_ms, people, storage};
use crate::model::{
    AuditFilter, Dashboard, DayCount, GrantState, PeopleCounts, PersonStatus, RecentCount, StoredBytes,
};
use diesel::prelude::*;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// Days the events chart covers.
pub const CHART_DAYS: i64 = 30;

/// Everything the dashboard shows, for an administrator of the organization.
pub async fn overview(s: &Services, p: &Principal) -> Result<Dashboard, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewDashboard);
    let actor = g.actor().await?;
    let target = Target::Tenant(actor.tenant_id.clone());
    g.authorize(&target).await?;
    let tenant = actor.tenant_id.clone();
    let now = now_ms();
    let figures = s.db.run(move |c| figures(c, &tenant, now)).await;
    let s3_ok = storage::probe(s.s3.portal_client()).await.is_ok();
    let result = figures.map(|mut d| {
        d.s3_ok = s3_ok;
        d
    });
    g.finish(&target, result, |_| String::new()).await
}

fn figures(c: &mut super::db::Conn, tenant: &str, now: i64) -> Result<Dashboard, CoreError> {
    let mut people = PeopleCounts::default();
    let members: Vec<User> = users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .load(c)?;
    for u in &members {
        match people::status_of(u, now) {
            PersonStatus::Active => people.active += 1,
            PersonStatus::Invited => people.invited += 1,
            PersonStatus::Disabled => people.disabled += 1,
            PersonStatus::Locked => people.locked += 1,
        }
    }
    let ends: Vec<Option<i64>> = grants::table
        .inner_join(users::table)
        .filter(users::tenant_id.eq(tenant))
        .select(grants::expires_at)
        .load(c)?;
    let states: Vec<GrantState> = ends.into_iter().map(|e| grant_admin::state_at(e, now)).collect();
    let grants_active = states.iter().filter(|s| **s != GrantState::Expired).count() as i64;
    let grants_expiring = states.iter().filter(|s| **s == GrantState::ExpiresSoon).count() as i64;

    let today = now.div_euclid(DAY_MS);
    let since = (today - (CHART_DAYS - 1)) * DAY_MS;
    let events: Vec<(i64, String, String)> = audit_events::table
        .filter(audit_events::tenant_id.eq(tenant))
        .filter(audit_events::at.ge(since.min(now - 7 * DAY_MS)))
        .select((audit_events::at, audit_events::action, audit_events::outcome))
        .load(c)?;
    let recent = [("Uploads", "object.upload"), ("Downloads", "object.download"), ("Deletes", "object.delete")]
        .into_iter()
        .map(|(label, action)| {
            let done = |from: i64| {
                events.iter().filter(|(at, a, o)| *at >= from && a == action && o == "success").count() as i64
            };
            RecentCount { label: label.into(), day: done(now - DAY_MS), week: done(now - 7 * DAY_MS) }
        })
        .chain([{
            let denied = |from: i64| events.iter().filter(|(at, _, o)| *at >= from && o == "denied").count() as i64;
            RecentCount { label: "Refused".into(), day: denied(now - DAY_MS), week: denied(now - 7 * DAY_MS) }
        }])
        .collect();
    let mut days: BTreeMap<i64, DayCount> = (0..CHART_DAYS)
        .map(|i| {
            let d = today - (CHART_DAYS - 1) + i;
            let day = crate::model::utc_minutes(d * DAY_MS)[..10].to_owned();
            (d, DayCount { day, success: 0, denied: 0, error: 0 })
        })
        .collect();
    for (at, _, outcome) in &events {
        if let Some(day) = days.get_mut(&at.div_euclid(DAY_MS)) {
            match outcome.as_str() {
                "success" => day.success += 1,
                "denied" => day.denied += 1,
                _ => day.error += 1,
            }
        }
    }

    let stored: Vec<(String, String, i64)> = files::table
        .filter(files::tenant_id.eq(tenant))
        .filter(files::status.ne("deleted"))
        .select((files::usecase_id, files::bucket, files::size))
        .load(c)?;
    let names: BTreeMap<String, String> = usecases::table
        .filter(usecases::tenant_id.eq(tenant))
        .select(Usecase::as_select())
        .load(c)?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let mut storage: BTreeMap<(String, String), StoredBytes> = BTreeMap::new();
    for (usecase_id, bucket, size) in stored {
        let usecase = names.get(&usecase_id).cloned().unwrap_or(usecase_id);
        let entry = storage.entry((usecase.clone(), bucket.clone())).or_insert(StoredBytes {
            usecase,
            bucket,
            files: 0,
            bytes: 0,
        });
        entry.files += 1;
        entry.bytes += size;
    }

    let platform = super::identity::is_platform_tenant(c, tenant)?;
    let refused = AuditFilter { outcome: Some("denied".into()), ..AuditFilter::default() };
    let denied = audit::query(c, tenant, platform, &refused, 10, None)?.iter().map(to_row).collect();
    Ok(Dashboard {
        people,
        grants_active,
        grants_expiring,
        recent,
        per_day: days.into_values().collect(),
        storage: storage.into_values().collect(),
        denied,
        database_ok: true,
        s3_ok: false,
    })
}
