//! The administrators' dashboard: an adapter of the core's `dashboard`.

use crate::error::AppError;
use crate::model::Dashboard;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;

/// Everything the dashboard shows.
#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    let cx = Ctx::load().await?;
    Ok(crate::core::dashboard::overview(&cx.state, &cx.principal).await?)
}
