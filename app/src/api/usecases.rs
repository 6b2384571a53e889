//! The usecase editor's server functions: adapters of the core's
//! `usecases` services. The external IDs of a usecase not saved yet are
//! kept in the web session between the editor's first view and the save.

use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{SaveOutcome, SettingCheck, UsecaseForm, UsecaseSetup};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::usecases::{self, PendingIds};

/// Session key of the external IDs generated for a usecase not yet saved.
#[cfg(feature = "ssr")]
const PENDING_IDS: &str = "pending_external_ids";

#[cfg(feature = "ssr")]
async fn pending_ids(cx: &Ctx) -> Result<PendingIds, AppError> {
    let stored: Option<PendingIds> = cx.session.get(PENDING_IDS).await.map_err(|_| AppError::Internal)?;
    match stored {
        Some(ids) => Ok(ids),
        None => {
            let ids = (crate::core::new_id(), crate::core::new_id());
            cx.session.insert(PENDING_IDS, &ids).await.map_err(|_| AppError::Internal)?;
            Ok(ids)
        }
    }
}

/// The editor's data for an existing usecase, or for a new one (`None`).
#[server(endpoint = "load_usecase_setup", input = Json)]
pub async fn load_usecase_setup(usecase_id: Option<UsecaseId>) -> Result<UsecaseSetup, AppError> {
    let cx = Ctx::load().await?;
    let pending = if usecase_id.is_none() { pending_ids(&cx).await? } else { PendingIds::default() };
    Ok(usecases::load_setup(&cx.state, &cx.principal, usecase_id.as_ref(), pending).await?)
}

/// Verifies the configuration and saves it only if every step passed.
#[server(endpoint = "save_usecase", input = Json)]
pub async fn save_usecase(form: UsecaseForm) -> Result<SaveOutcome, AppError> {
    let cx = Ctx::load().await?;
    let is_new = form.id.is_none();
    let pending = if is_new { pending_ids(&cx).await? } else { PendingIds::default() };
    let outcome = usecases::save(&cx.state, &cx.principal, form, pending).await?;
    if outcome.saved && is_new {
        let _ = cx.session.remove::<PendingIds>(PENDING_IDS).await;
    }
    Ok(outcome)
}

/// Verifies a saved usecase's data access again and keeps the result and time.
#[server(endpoint = "reverify_usecase")]
pub async fn reverify_usecase(usecase_id: UsecaseId) -> Result<Vec<SettingCheck>, AppError> {
    let cx = Ctx::load().await?;
    Ok(usecases::reverify(&cx.state, &cx.principal, &usecase_id).await?)
}
