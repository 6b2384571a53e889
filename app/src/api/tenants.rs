//! Organizations, for the platform administrator: adapters of the core's
//! `tenants` services.

use crate::error::AppError;
use crate::model::{PasswordLink, TenantRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::tenants;

/// Every organization.
#[server(endpoint = "list_tenants")]
pub async fn list_tenants() -> Result<Vec<TenantRow>, AppError> {
    let cx = Ctx::load().await?;
    Ok(tenants::list(&cx.state, &cx.principal).await?)
}

/// Creates an organization and shows its first administrator's one-time link.
#[server(endpoint = "create_tenant")]
pub async fn create_tenant(name: String, admin_email: String) -> Result<PasswordLink, AppError> {
    let cx = Ctx::load().await?;
    let link = tenants::create(&cx.state, &cx.principal, &name, &admin_email).await?;
    super::people::keep_for_plain_form(&cx, &link, &format!("/tenants?created={}", link.user_id)).await?;
    Ok(link)
}

/// Disables an organization or enables it again.
#[server(endpoint = "set_tenant_disabled")]
pub async fn set_tenant_disabled(tenant_id: String, disabled: bool) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(tenants::set_disabled(&cx.state, &cx.principal, &tenant_id, disabled).await?)
}
