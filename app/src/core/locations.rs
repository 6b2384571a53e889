//! "My locations": every place a person may use, read from their grants in
//! force (after their role's cap) and their home folder in each usecase.

use super::actions::AuditAction;
use super::authz::home_prefix;
use super::db::models::{Grant, Usecase};
use super::db::schema::{grants, usecases};
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::{CoreError, now_ms};
use crate::model::{Location, Rights};
use diesel::prelude::*;

/// The places the principal may use, usecase by usecase.
pub async fn mine(s: &Services, p: &Principal) -> Result<Vec<Location>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListLocations);
    let actor = g.actor().await?;
    let (tenant, user) = (actor.tenant_id.clone(), actor.user_id.clone());
    let rows: Vec<(Usecase, Option<Grant>)> =
        s.db.run(move |c| {
            let all: Vec<Usecase> = usecases::table
                .filter(usecases::tenant_id.eq(&tenant))
                .order(usecases::name.asc())
                .select(Usecase::as_select())
                .load(c)?;
            let held: Vec<Grant> = grants::table
                .filter(grants::user_id.eq(&user))
                .order((grants::bucket.asc(), grants::prefix.asc()))
                .select(Grant::as_select())
                .load(c)?;
            let mut rows = Vec::new();
            for u in all {
                rows.push((u.clone(), None));
                rows.extend(held.iter().filter(|g| g.usecase_id == u.id).map(|g| (u.clone(), Some(g.clone()))));
            }
            Ok(rows)
        })
        .await?;
    let now = now_ms();
    let mut places = Vec::new();
    for (usecase, grant) in rows {
        if g.authorize(&Target::Usecase(usecase.clone())).await.is_err() {
            continue;
        }
        let place = match grant {
            None => Location {
                usecase_id: usecase.id.clone(),
                usecase_name: usecase.name.clone(),
                bucket: usecase.data_bucket().to_owned(),
                prefix: home_prefix(&actor.user_id),
                rights: Rights { list: true, read: true, write: true, delete: true }.capped_by(actor.role),
                expires_at: None,
                home: true,
            },
            Some(g) if g.expires_at.is_none_or(|t| t > now) => Location {
                usecase_id: usecase.id.clone(),
                usecase_name: usecase.name.clone(),
                bucket: g.bucket,
                prefix: g.prefix,
                rights: Rights { list: g.can_list, read: g.can_read, write: g.can_write, delete: g.can_delete }
                    .capped_by(actor.role),
                expires_at: g.expires_at,
                home: false,
            },
            Some(_) => continue,
        };
        places.push(place);
    }
    Ok(places)
}
