//! Access tokens for the "API tokens" page, and the API reference for the
//! "API" page: adapters of the core's `access_tokens` service. A new token
//! is shown once: to the page's script in the answer, or (a plain form post)
//! through the session to the page the browser is sent back to.

use crate::error::AppError;
use crate::model::{ApiOperation, NewToken, TokenRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::access_tokens::{self, TokenRequest};

/// Session key of the token made last, until the tokens page shows it.
#[cfg(feature = "ssr")]
const FRESH_TOKEN_KEY: &str = "fresh_access_token";

/// The signed-in user's tokens; an administrator's list has the organization's.
#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenRow>, AppError> {
    let cx = Ctx::load().await?;
    Ok(access_tokens::list(&cx.state, &cx.principal).await?)
}

/// Makes a token; its secret is in the answer, and shown only this once.
#[server(endpoint = "create_token")]
pub async fn create_token(
    name: String,
    days: u32,
    #[server(default)] read_only: Option<String>,
) -> Result<NewToken, AppError> {
    let cx = Ctx::load().await?;
    let req = TokenRequest { name, days, read_only: read_only.is_some_and(|v| v != "false") };
    let token = access_tokens::create(&cx.state, &cx.principal, req).await?;
    if super::context::plain_form_post() {
        super::context::keep_fresh(&cx, FRESH_TOKEN_KEY, &token).await?;
        leptos_axum::redirect("/tokens");
    }
    Ok(token)
}

/// The token a plain form post made last, for the page it was sent back to.
#[server(endpoint = "take_new_token")]
pub async fn take_new_token() -> Result<Option<NewToken>, AppError> {
    let cx = Ctx::load().await?;
    super::context::take_fresh(&cx, FRESH_TOKEN_KEY).await
}

/// Revokes a token: the next call with it is refused.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(token_id: String) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    access_tokens::revoke(&cx.state, &cx.principal, &token_id).await?;
    if super::context::plain_form_post() {
        leptos_axum::redirect("/tokens");
    }
    Ok(())
}

/// The REST API's operations, read from its OpenAPI document, for the "API"
/// page; public, like the document itself.
#[server(endpoint = "api_reference")]
pub async fn api_reference() -> Result<Vec<ApiOperation>, AppError> {
    let state = use_context::<super::state::AppState>().ok_or(AppError::Internal)?;
    Ok(super::reference::operations(&state.api_document))
}

/// Session key of the keys made last, until their page shows them.
#[cfg(feature = "ssr")]
const FRESH_KEYS_KEY: &str = "fresh_s3_keys";

/// Temporary S3 keys for command-line tools, limited to one location.
#[server(endpoint = "issue_credentials")]
pub async fn issue_credentials(
    usecase_id: crate::ids::UsecaseId,
    bucket: String,
    prefix: String,
    minutes: u32,
) -> Result<crate::model::TempCredentials, AppError> {
    use crate::core::actions::AuditAction;
    use crate::core::s3_credentials::{self, CredentialRequest};
    use crate::names::{BucketName, Prefix};
    let cx = Ctx::load().await?;
    let encode = crate::components::encode;
    let back = format!("/keys?usecase={usecase_id}&bucket={}&prefix={}", encode(&bucket), encode(&prefix));
    let bucket = cx.checked(BucketName::new(bucket), AuditAction::IssueCredentials).await?;
    let prefix = cx.checked(Prefix::new(prefix), AuditAction::IssueCredentials).await?;
    let req = CredentialRequest { usecase_id, bucket, prefix, minutes };
    let keys = s3_credentials::issue(&cx.state, &cx.principal, req).await?;
    if super::context::plain_form_post() {
        super::context::keep_fresh(&cx, FRESH_KEYS_KEY, &keys).await?;
        leptos_axum::redirect(&back);
    }
    Ok(keys)
}

/// The keys a plain form post made last, for the page it was sent back to.
#[server(endpoint = "take_credentials")]
pub async fn take_credentials() -> Result<Option<crate::model::TempCredentials>, AppError> {
    let cx = Ctx::load().await?;
    super::context::take_fresh(&cx, FRESH_KEYS_KEY).await
}
