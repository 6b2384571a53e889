//! Sign-in, sign-out and the first administrator.

use crate::error::AppError;
use crate::model::SessionInfo;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::{Ctx, USER_ID_KEY};
#[cfg(feature = "ssr")]
use crate::ids::UserId;

/// Who is signed in, and whether the portal still needs its first admin.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<SessionInfo, AppError> {
    // Reads only the caller's own session: nothing to authorize or audit.
    let cx = Ctx::load().await?;
    let needs_setup = cx.state.db.run(crate::core::identity::needs_setup).await?;
    Ok(SessionInfo { user: cx.user, needs_setup })
}

/// Creates the first administrator, the default organization and usecase,
/// then signs the new admin in. Refused once any user exists, and without
/// the token of the setup link `dataport serve` printed.
#[server(endpoint = "create_first_admin")]
pub async fn create_first_admin(
    email: String,
    password: String,
    confirm: String,
    token: String,
) -> Result<(), AppError> {
    use crate::core::setup;
    let cx = Ctx::load().await?;
    let made = setup::first_admin(&cx.state, &cx.principal, &email, &password, &confirm, Some(&token)).await?;
    start_session(&cx, &made.user.id).await?;
    made.bucket.map_err(AppError::from)?;
    // A form sent before the page's script loaded lands on the start page too.
    leptos_axum::redirect("/");
    Ok(())
}

/// Starts a fresh session for `user_id` (a new session id, its start time).
#[cfg(feature = "ssr")]
pub(crate) async fn start_session(cx: &Ctx, user_id: &UserId) -> Result<(), AppError> {
    // A new id on every sign-in, so that a session id planted before it is worthless.
    cx.session.cycle_id().await.map_err(|_| AppError::Internal)?;
    cx.session.insert(USER_ID_KEY, user_id).await.map_err(|_| AppError::Internal)?;
    let now = crate::core::now_ms();
    cx.session.insert(super::context::STARTED_AT_KEY, now).await.map_err(|_| AppError::Internal)?;
    Ok(())
}

/// The cookie that remembers that this browser signed in before.
#[cfg(feature = "ssr")]
const DEVICE_COOKIE: &str = "dataport_device";

/// Signs in with email and password; answers the person's start page
/// (administrators: the dashboard; everyone else: their locations).
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let device = super::cookies::get(&headers, &cx.state.config.cookie_name(DEVICE_COOKIE));
    let signed = crate::core::sign_in::sign_in(&cx.state, &cx.principal, &email, &password, device.as_deref()).await?;
    start_session(&cx, &signed.user.id).await?;
    let days = crate::core::sign_in_gate::DEVICE_TOKEN_DAYS;
    let config = &cx.state.config;
    super::cookies::set(
        &config.cookie_name(DEVICE_COOKIE),
        &signed.device_token,
        days * 24 * 3600,
        config.secure_cookies(),
    );
    let start = if signed.user.role == crate::model::Role::Admin { "/dashboard" } else { "/" };
    // A form sent before the page's script loaded lands on the start page too.
    leptos_axum::redirect(start);
    Ok(start.to_owned())
}

/// Ends the session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    crate::core::sign_in::sign_out(&cx.state, &cx.principal).await?;
    cx.session.flush().await.map_err(|_| AppError::Internal)
}
