//! Creating and changing usecases: the editor's data, verification of data
//! access before anything is saved, and re-running it later.

use crate::error::AppError;
use crate::model::{SaveOutcome, SettingCheck, UsecaseForm, UsecaseSetup};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context::{Ctx, Target};
#[cfg(feature = "ssr")]
use crate::core::authz::Action;
#[cfg(feature = "ssr")]
use crate::core::db::models::Usecase;
#[cfg(feature = "ssr")]
use crate::core::usecases;

/// Session key of the external IDs generated for a usecase not yet saved.
#[cfg(feature = "ssr")]
const PENDING_IDS: &str = "pending_external_ids";

/// Placeholder shown when the portal cannot learn its own principal.
#[cfg(feature = "ssr")]
const UNKNOWN_PRINCIPAL: &str = "arn:aws:iam::PORTAL_ACCOUNT_ID:role/PORTAL_ROLE";

#[cfg(feature = "ssr")]
async fn pending_ids(cx: &Ctx) -> Result<(String, String), AppError> {
    let stored: Option<(String, String)> = cx.session.get(PENDING_IDS).await.map_err(|_| AppError::Internal)?;
    match stored {
        Some(ids) => Ok(ids),
        None => {
            let ids = (crate::core::new_id(), crate::core::new_id());
            cx.session.insert(PENDING_IDS, &ids).await.map_err(|_| AppError::Internal)?;
            Ok(ids)
        }
    }
}

#[cfg(feature = "ssr")]
fn checks_of(u: &Usecase) -> Vec<SettingCheck> {
    u.verification.as_deref().and_then(|v| serde_json::from_str(v).ok()).unwrap_or_default()
}

/// The editor's data for an existing usecase, or for a new one (`None`).
#[server(endpoint = "load_usecase_setup", input = Json)]
pub async fn load_usecase_setup(usecase_id: Option<String>) -> Result<UsecaseSetup, AppError> {
    let cx = Ctx::load().await?;
    let actor = cx.require_actor("usecase.setup").await?;
    let (form, external_id, data_external_id, verified_at, checks, target) = match usecase_id {
        Some(id) => {
            let u = cx.usecase("usecase.setup", &id).await?;
            let target = Target::Usecase(u.clone());
            cx.authorize("usecase.setup", Action::ManageUsecase, &target).await?;
            let data_id = u.data_account_external_id.clone().unwrap_or_else(|| u.external_id.clone());
            let when = u.verified_at.map(crate::core::audit::format_ms);
            (usecases::form_of(&u), u.external_id.clone(), data_id, when, checks_of(&u), target)
        }
        None => {
            let target = Target::Tenant(actor.tenant_id.clone());
            cx.authorize("usecase.setup", Action::ManageUsecase, &target).await?;
            let (a, b) = pending_ids(&cx).await?;
            let form = UsecaseForm { region: cx.state.config.region.clone(), ..UsecaseForm::default() };
            (form, a, b, None, Vec::new(), target)
        }
    };
    let principal = cx.state.s3.portal_principal().await.unwrap_or_else(|| UNKNOWN_PRINCIPAL.into());
    let setup = UsecaseSetup {
        form,
        trust_policy: usecases::trust_policy(&principal, &external_id),
        data_trust_policy: usecases::trust_policy(&principal, &data_external_id),
        permissions_policy: usecases::permissions_policy(),
        cloudformation: usecases::cloudformation(&principal, &data_external_id),
        external_id,
        data_account_external_id: data_external_id,
        verified_at,
        checks,
    };
    cx.finish("usecase.setup", &target, Ok(setup), |_| String::new()).await
}

/// Verifies the configuration and saves it only if every step passed.
#[server(endpoint = "save_usecase", input = Json)]
pub async fn save_usecase(form: UsecaseForm) -> Result<SaveOutcome, AppError> {
    use crate::core::db::schema::usecases as table;
    use diesel::prelude::*;
    let cx = Ctx::load().await?;
    let actor = cx.require_actor("usecase.save").await?;
    usecases::validate(&form)?;
    let (mut candidate, target, is_new) = match &form.id {
        Some(id) => {
            let u = cx.usecase("usecase.save", id).await?;
            let target = Target::Usecase(u.clone());
            cx.authorize("usecase.save", Action::ManageUsecase, &target).await?;
            (u, target, false)
        }
        None => {
            let target = Target::Tenant(actor.tenant_id.clone());
            cx.authorize("usecase.save", Action::ManageUsecase, &target).await?;
            let (a, b) = pending_ids(&cx).await?;
            let mut u =
                Usecase::same_account(&actor.tenant_id, &form.name, &form.account_id, &form.s3_bucket, &form.region);
            u.external_id = a;
            u.data_account_external_id = Some(b);
            (u, target, true)
        }
    };
    usecases::apply_form(&mut candidate, &form);
    if candidate.data_account_external_id.is_none() {
        candidate.data_account_external_id = Some(crate::core::new_id());
    }
    // Assume afresh: the roles may be the ones just changed.
    cx.state.s3.forget(&candidate.id);
    let checks = usecases::verify(&cx.state.s3, &candidate).await;
    if checks.iter().any(|c| !c.ok) {
        let failed: Vec<String> =
            checks.iter().filter(|c| !c.ok).map(|c| format!("{}: {}", c.setting, c.message)).collect();
        let result: Result<SaveOutcome, _> =
            Err(crate::core::CoreError::Invalid(format!("not saved: {}", failed.join("; "))));
        let _ = cx.finish("usecase.save", &target, result, |_| String::new()).await;
        return Ok(SaveOutcome { saved: false, usecase_id: form.id, checks });
    }
    candidate.verified_at = Some(crate::core::now_ms());
    candidate.verification = serde_json::to_string(&checks).ok();
    let row = candidate.clone();
    let saved = cx
        .state
        .db
        .run(move |c| {
            if is_new {
                diesel::insert_into(table::table).values(&row).execute(c)?;
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
                    .execute(c)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| match e {
            crate::core::CoreError::Internal(m) if m.contains("UNIQUE") => {
                crate::core::CoreError::Conflict("Another usecase of your organization has this name.".into())
            }
            e => e,
        });
    if saved.is_ok() && is_new {
        let _ = cx.session.remove::<(String, String)>(PENDING_IDS).await;
    }
    cx.state.s3.forget(&candidate.id);
    let outcome = saved.map(|()| SaveOutcome { saved: true, usecase_id: Some(candidate.id.clone()), checks });
    let target = Target::Usecase(candidate);
    cx.finish("usecase.save", &target, outcome, |_| "verified and saved".into()).await
}

/// Verifies a saved usecase's data access again and keeps the result and time.
#[server(endpoint = "reverify_usecase")]
pub async fn reverify_usecase(usecase_id: String) -> Result<Vec<SettingCheck>, AppError> {
    use crate::core::db::schema::usecases as table;
    use diesel::prelude::*;
    let cx = Ctx::load().await?;
    let u = cx.usecase("usecase.verify", &usecase_id).await?;
    let target = Target::Usecase(u.clone());
    cx.authorize("usecase.verify", Action::ManageUsecase, &target).await?;
    cx.state.s3.forget(&u.id);
    let checks = usecases::verify(&cx.state.s3, &u).await;
    let (id, json, now) = (u.id.clone(), serde_json::to_string(&checks).ok(), crate::core::now_ms());
    let stored = cx
        .state
        .db
        .run(move |c| {
            diesel::update(table::table.find(&id))
                .set((table::verified_at.eq(Some(now)), table::verification.eq(json)))
                .execute(c)?;
            Ok(())
        })
        .await
        .map(|()| checks);
    cx.finish("usecase.verify", &target, stored, |c| {
        let failed = c.iter().filter(|s| !s.ok).count();
        if failed == 0 { "all steps passed".into() } else { format!("{failed} steps failed") }
    })
    .await
}
