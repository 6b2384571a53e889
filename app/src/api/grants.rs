//! Grants for the administrators' pages: adapters of the core's
//! `grant_admin` services.

use crate::error::AppError;
use crate::ids::{GrantId, UsecaseId, UserId};
use crate::model::{GrantForm, GrantRow, Person};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::{grant_admin, people};

/// A usecase and the buckets a grant on it may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantLocation {
    /// Usecase id.
    pub usecase_id: UsecaseId,
    /// Usecase name.
    pub usecase_name: String,
    /// Its buckets.
    pub buckets: Vec<String>,
}

/// What the grant form offers to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantChoices {
    /// The organization's people.
    pub people: Vec<Person>,
    /// Its usecases and their buckets.
    pub locations: Vec<GrantLocation>,
}

/// The organization's grants, optionally of one person or on one usecase.
#[server(endpoint = "list_grants")]
pub async fn list_grants(user_id: Option<UserId>, usecase_id: Option<UsecaseId>) -> Result<Vec<GrantRow>, AppError> {
    let cx = Ctx::load().await?;
    let filter = grant_admin::GrantFilter { user_id, usecase_id };
    Ok(grant_admin::list(&cx.state, &cx.principal, filter).await?)
}

/// The people, usecases and buckets a grant may name.
#[server(endpoint = "grant_options")]
pub async fn grant_options() -> Result<GrantChoices, AppError> {
    let cx = Ctx::load().await?;
    let people = people::list(&cx.state, &cx.principal, "").await?;
    let locations = grant_admin::locations(&cx.state, &cx.principal)
        .await?
        .into_iter()
        .map(|(usecase_id, usecase_name, buckets)| GrantLocation { usecase_id, usecase_name, buckets })
        .collect();
    Ok(GrantChoices { people, locations })
}

/// Adds a grant (or changes the one the form names) and opens the grants page.
#[server(endpoint = "save_grant")]
pub async fn save_grant(form: GrantForm) -> Result<GrantRow, AppError> {
    let cx = Ctx::load().await?;
    let saved = grant_admin::save(&cx.state, &cx.principal, form).await?;
    leptos_axum::redirect(&format!("/grants?saved={}", saved.id));
    Ok(saved)
}

/// Revokes a grant.
#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(grant_id: GrantId) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(grant_admin::revoke(&cx.state, &cx.principal, &grant_id).await?)
}
