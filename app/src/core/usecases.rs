//! Creating and changing usecases: the editor's data, verification of data
//! access before anything is saved, and re-running it later.

use super::db::models::Usecase;
use super::db::schema::usecases as table;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::usecase_buckets;
use super::usecase_config as config;
use super::{CoreError, audit, now_ms};
use crate::core::actions::AuditAction;
use crate::ids::UsecaseId;
use crate::model::{SaveOutcome, SettingCheck, UsecaseForm, UsecaseSetup};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Placeholder shown when the portal cannot learn its own principal.
const UNKNOWN_PRINCIPAL: &str = "arn:aws:iam::PORTAL_ACCOUNT_ID:role/PORTAL_ROLE";

/// External IDs generated for a usecase not saved yet: the one of its
/// cross-account role and the one of its data account's role. The caller
/// keeps them between the editor's first view and the save, so that the
/// roles made from the templates match.
pub type PendingIds = (String, String);

fn checks_of(u: &Usecase) -> Vec<SettingCheck> {
    u.verification.as_deref().and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default()
}

/// The editor's data for an existing usecase, or for a new one (`None`),
/// whose external IDs are `pending`.
pub async fn load_setup(
    s: &Services,
    p: &Principal,
    usecase_id: Option<&UsecaseId>,
    pending: PendingIds,
) -> Result<UsecaseSetup, CoreError> {
    let g = Guard::new(s, p, AuditAction::UsecaseSetup);
    let actor = g.actor().await?;
    let (form, external_id, data_external_id, verified_at, checks, target) = match usecase_id {
        Some(id) => {
            let u = g.usecase(id).await?;
            let target = Target::Usecase(u.clone());
            g.authorize(&target).await?;
            let data_id = u.data_account_external_id.clone().unwrap_or_else(|| u.external_id.clone());
            let when = u.verified_at.map(audit::format_ms);
            (config::form_of(&u), u.external_id.clone(), data_id, when, checks_of(&u), target)
        }
        None => {
            let target = Target::Tenant(actor.tenant_id.clone());
            g.authorize(&target).await?;
            let form = UsecaseForm { region: s.config.region.clone(), ..UsecaseForm::default() };
            (form, pending.0, pending.1, None, Vec::new(), target)
        }
    };
    let principal = s.s3.portal_principal().await.unwrap_or_else(|| UNKNOWN_PRINCIPAL.into());
    let setup = UsecaseSetup {
        form,
        trust_policy: config::trust_policy(&principal, &external_id),
        data_trust_policy: config::trust_policy(&principal, &data_external_id),
        permissions_policy: config::permissions_policy(),
        cloudformation: config::cloudformation(&principal, &data_external_id),
        external_id,
        data_account_external_id: data_external_id,
        verified_at,
        checks,
    };
    g.finish(&target, Ok(setup), |_| String::new()).await
}

/// Verifies the configuration and saves it only if every step passed; a
/// new usecase gets the `pending` external IDs.
pub async fn save(
    s: &Services,
    p: &Principal,
    form: UsecaseForm,
    pending: PendingIds,
) -> Result<SaveOutcome, CoreError> {
    let g = Guard::new(s, p, AuditAction::SaveUsecase);
    let actor = g.actor().await?;
    config::validate(&form)?;
    let (mut candidate, target, is_new) = match &form.id {
        Some(id) => {
            let u = g.usecase(id).await?;
            let target = Target::Usecase(u.clone());
            g.authorize(&target).await?;
            (u, target, false)
        }
        None => {
            let target = Target::Tenant(actor.tenant_id.clone());
            g.authorize(&target).await?;
            let mut u =
                Usecase::same_account(&actor.tenant_id, &form.name, &form.account_id, &form.s3_bucket, &form.region);
            u.external_id = pending.0;
            u.data_account_external_id = Some(pending.1);
            (u, target, true)
        }
    };
    config::apply_form(&mut candidate, &form);
    let check = candidate.clone();
    let unassigned =
        s.db.run(move |c| {
            for bucket in [check.s3_bucket.as_str(), check.data_bucket()] {
                if !usecase_buckets::may_attach(c, &check, bucket)? {
                    return Ok(Some(bucket.to_owned()));
                }
            }
            Ok(None)
        })
        .await?;
    if let Some(bucket) = unassigned {
        let refused = Err(CoreError::Denied(format!(
            "bucket {bucket} is not assigned to this organization; ask the platform administrator to assign it, or \
             reach it through a role of its own account"
        )));
        return g.finish(&target, refused, |_: &SaveOutcome| String::new()).await;
    }
    if candidate.data_account_external_id.is_none() {
        candidate.data_account_external_id = Some(super::new_id());
    }
    // Assume afresh: the roles may be the ones just changed.
    s.s3.forget(&candidate.id);
    let checks = config::verify(&s.s3, &candidate).await;
    if checks.iter().any(|c| !c.ok) {
        let failed: Vec<String> =
            checks.iter().filter(|c| !c.ok).map(|c| format!("{}: {}", c.setting, c.message)).collect();
        let refused: Result<(), _> = Err(CoreError::Invalid(format!("not saved: {}", failed.join("; "))));
        let _ = g.finish(&target, refused, |_| String::new()).await;
        return Ok(SaveOutcome { saved: false, usecase_id: form.id, checks });
    }
    candidate.verified_at = Some(now_ms());
    candidate.verification = serde_json::to_string(&checks).ok();
    let row = candidate.clone();
    let saved = s.db.run(move |c| store(c, &row, is_new)).await;
    s.s3.forget(&candidate.id);
    let outcome = saved.map(|()| SaveOutcome { saved: true, usecase_id: Some(candidate.id.clone()), checks });
    g.finish(&Target::Usecase(candidate), outcome, |_| "verified and saved".into()).await
}

/// Inserts or updates a usecase; a name taken in the organization is a conflict.
fn store(c: &mut super::db::Conn, row: &Usecase, is_new: bool) -> Result<(), CoreError> {
    let written = if is_new {
        diesel::insert_into(table::table).values(row).execute(c)
    } else {
        diesel::update(table::table.find(&row.id))
            .set((
                table::name.eq(&row.name),
                table::account_id.eq(&row.account_id),
                table::s3_bucket.eq(&row.s3_bucket),
                table::cross_account_role_arn.eq(&row.cross_account_role_arn),
                table::data_account_id.eq(&row.data_account_id),
                table::data_account_role_arn.eq(&row.data_account_role_arn),
                table::data_account_external_id.eq(&row.data_account_external_id),
                table::data_s3_bucket.eq(&row.data_s3_bucket),
                table::data_s3_prefix.eq(&row.data_s3_prefix),
                table::sagemaker_execution_role_arn.eq(&row.sagemaker_execution_role_arn),
                table::region.eq(&row.region),
                table::verified_at.eq(row.verified_at),
                table::verification.eq(&row.verification),
            ))
            .execute(c)
    };
    match written {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(CoreError::Conflict("Another usecase of your organization has this name.".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Verifies a saved usecase's data access again and keeps the result and time.
pub async fn reverify(s: &Services, p: &Principal, usecase_id: &UsecaseId) -> Result<Vec<SettingCheck>, CoreError> {
    let g = Guard::new(s, p, AuditAction::VerifyUsecase);
    let u = g.usecase(usecase_id).await?;
    let target = Target::Usecase(u.clone());
    g.authorize(&target).await?;
    s.s3.forget(&u.id);
    let checks = config::verify(&s.s3, &u).await;
    let (id, json, now) = (u.id.clone(), serde_json::to_string(&checks).ok(), now_ms());
    let stored =
        s.db.run(move |c| {
            diesel::update(table::table.find(&id))
                .set((table::verified_at.eq(Some(now)), table::verification.eq(json)))
                .execute(c)?;
            Ok(())
        })
        .await
        .map(|()| checks);
    g.finish(&target, stored, |c| {
        let failed = c.iter().filter(|s| !s.ok).count();
        if failed == 0 { "all steps passed".into() } else { format!("{failed} steps failed") }
    })
    .await
}
