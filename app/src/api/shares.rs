//! Share links for the pages: making one ("Share"), the "Shared links"
//! list, and a visitor's view of a link (`/s/{token}`), which needs no
//! account. Adapters of the core's `share_links` service.

use crate::error::AppError;
use crate::model::{NewShare, ShareRow, ShareVisit};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::{Ctx, keep_fresh, take_fresh};
#[cfg(feature = "ssr")]
use crate::core::share_links::{self, ShareRequest};

/// Session key of the link made last, until its page shows it.
#[cfg(feature = "ssr")]
const FRESH_SHARE_KEY: &str = "fresh_share_link";

/// Session key of the drop box this browser uploads into.
#[cfg(feature = "ssr")]
pub const DROP_KEY: &str = "drop_box_link";

/// Session key of the links whose password this browser has given.
#[cfg(feature = "ssr")]
pub const UNLOCKED_KEY: &str = "unlocked_share_links";

/// Makes a link to a file or folder; the URL is in the answer, shown once.
#[server(endpoint = "create_share")]
pub async fn create_share(
    usecase_id: crate::ids::UsecaseId,
    bucket: String,
    path: String,
    days: u32,
    #[server(default)] password: String,
    #[server(default)] max_downloads: String,
    #[server(default)] upload_only: Option<String>,
) -> Result<NewShare, AppError> {
    use crate::core::actions::AuditAction;
    let cx = Ctx::load().await?;
    let bucket = cx.checked(crate::names::BucketName::new(bucket), AuditAction::CreateShare).await?;
    let limit = match max_downloads.trim() {
        "" => None,
        n => Some(n.parse::<u32>().map_err(|_| AppError::Invalid("The most downloads is a whole number.".into()))?),
    };
    let password = Some(password).filter(|p| !p.is_empty());
    let upload_only = upload_only.is_some_and(|v| v != "false");
    let req = ShareRequest { usecase_id, bucket, path, days, password, max_downloads: limit, upload_only };
    let made = share_links::create(&cx.state, &cx.principal, req).await?;
    if super::context::plain_form_post() {
        keep_fresh(&cx, FRESH_SHARE_KEY, &made).await?;
        leptos_axum::redirect("/shares");
    }
    Ok(made)
}

/// The link a plain form post made last, for the page it was sent back to.
#[server(endpoint = "take_new_share")]
pub async fn take_new_share() -> Result<Option<NewShare>, AppError> {
    let cx = Ctx::load().await?;
    take_fresh(&cx, FRESH_SHARE_KEY).await
}

/// The signed-in person's links; an administrator's list has the organization's.
#[server(endpoint = "list_shares")]
pub async fn list_shares() -> Result<Vec<ShareRow>, AppError> {
    let cx = Ctx::load().await?;
    Ok(share_links::list(&cx.state, &cx.principal).await?)
}

/// Revokes a link: its next visit finds nothing.
#[server(endpoint = "revoke_share")]
pub async fn revoke_share(link_id: String) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    share_links::revoke(&cx.state, &cx.principal, &link_id).await?;
    if super::context::plain_form_post() {
        leptos_axum::redirect("/shares");
    }
    Ok(())
}

#[cfg(feature = "ssr")]
async fn unlocked(cx: &Ctx) -> Result<Vec<String>, AppError> {
    Ok(cx.session.get(UNLOCKED_KEY).await.map_err(|_| AppError::Internal)?.unwrap_or_default())
}

/// What a visitor of `/s/{token}` sees: the link, and for a folder a page
/// of it (`sub`, a folder below the shared one); a link with a password
/// this browser has not given asks for it.
#[server(endpoint = "visit_share")]
pub async fn visit_share(token: String, #[server(default)] sub: String) -> Result<ShareVisit, AppError> {
    let cx = Ctx::load().await?;
    let unlocked = unlocked(&cx).await?;
    let client = cx.principal.client.clone();
    let opened = match share_links::open(&cx.state, client, &token, None, &unlocked).await {
        Err(crate::core::CoreError::Denied(why)) if why == share_links::PASSWORD => {
            return Ok(ShareVisit { needs_password: true, ..ShareVisit::default() });
        }
        other => other?,
    };
    share_links::visited(&cx.state, &opened).await?;
    if opened.upload_only() {
        // From here on this browser's uploads act as the link, into its folder only.
        cx.session.insert(DROP_KEY, opened.id()).await.map_err(|_| AppError::Internal)?;
        let (usecase, bucket, prefix) = opened.place();
        return Ok(ShareVisit {
            what: opened.what(),
            folder: true,
            expires: opened.expires(),
            upload_only: true,
            drop_into: Some((usecase.into(), bucket, prefix)),
            ..ShareVisit::default()
        });
    }
    let listing =
        if opened.folder() { Some(share_links::listing(&cx.state, &opened, &sub, None).await?) } else { None };
    Ok(ShareVisit {
        what: opened.what(),
        folder: opened.folder(),
        expires: opened.expires(),
        listing,
        ..ShareVisit::default()
    })
}

/// Gives a link's password; this browser then opens the link until its session ends.
#[server(endpoint = "unlock_share")]
pub async fn unlock_share(token: String, password: String) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    let client = cx.principal.client.clone();
    let opened = share_links::open(&cx.state, client, &token, Some(&password), &[]).await?;
    let mut ids = unlocked(&cx).await?;
    ids.push(opened.id().to_owned());
    cx.session.insert(UNLOCKED_KEY, ids).await.map_err(|_| AppError::Internal)?;
    if super::context::plain_form_post() {
        leptos_axum::redirect(&format!("/s/{token}"));
    }
    Ok(())
}
