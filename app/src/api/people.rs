//! People for the administrators' pages, and the one-time links with which
//! people choose their password: adapters of the core's `people` and
//! `password_links` services. A freshly made link is shown once: the page's
//! script shows the answer itself; a plain form post (before the script has
//! loaded) is redirected to the person's page, and the link travels there in
//! the session.

use crate::error::AppError;
use crate::ids::UserId;
use crate::model::{PasswordLink, Person, Role};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
#[cfg(feature = "ssr")]
use crate::core::{password_links, people};

/// Session key of the link made last, until its person's page shows it.
#[cfg(feature = "ssr")]
const FRESH_LINK_KEY: &str = "fresh_password_link";

/// How long a fresh link stays readable after its page first showed it: a
/// page rendered on the server may ask more than once while it renders.
#[cfg(feature = "ssr")]
const SHOWN_FOR_MS: i64 = 30_000;

/// For a plain form post, keeps a new link for its person's page and goes there.
#[cfg(feature = "ssr")]
async fn show_link(cx: &Ctx, link: &PasswordLink) -> Result<(), AppError> {
    keep_for_plain_form(cx, link, &format!("/users/{}", link.user_id)).await
}

/// For a plain form post, keeps a new link in the session (for
/// `take_password_link`) and goes to `page`, which shows it.
#[cfg(feature = "ssr")]
pub(crate) async fn keep_for_plain_form(cx: &Ctx, link: &PasswordLink, page: &str) -> Result<(), AppError> {
    if super::context::plain_form_post() {
        let fresh: (PasswordLink, Option<i64>) = (link.clone(), None);
        cx.session.insert(FRESH_LINK_KEY, fresh).await.map_err(|_| AppError::Internal)?;
        leptos_axum::redirect(page);
    }
    Ok(())
}

/// The organization's people whose email or name contains `search`.
#[server(endpoint = "list_people")]
pub async fn list_people(#[server(default)] search: String) -> Result<Vec<Person>, AppError> {
    let cx = Ctx::load().await?;
    Ok(people::list(&cx.state, &cx.principal, &search).await?)
}

/// One person of the organization.
#[server(endpoint = "get_person")]
pub async fn get_person(user_id: UserId) -> Result<Person, AppError> {
    let cx = Ctx::load().await?;
    Ok(people::get(&cx.state, &cx.principal, &user_id).await?)
}

/// The link made last for `user_id`, shown on the page that follows its
/// creation and forgotten half a minute later.
#[server(endpoint = "take_password_link")]
pub async fn take_password_link(user_id: UserId) -> Result<Option<PasswordLink>, AppError> {
    let cx = Ctx::load().await?;
    let fresh: Option<(PasswordLink, Option<i64>)> =
        cx.session.get(FRESH_LINK_KEY).await.map_err(|_| AppError::Internal)?;
    let now = crate::core::now_ms();
    match fresh {
        Some((link, shown)) if link.user_id == user_id && cx.principal.actor.is_some() => match shown {
            None => {
                cx.session.insert(FRESH_LINK_KEY, (&link, Some(now))).await.map_err(|_| AppError::Internal)?;
                Ok(Some(link))
            }
            Some(at) if now - at < SHOWN_FOR_MS => Ok(Some(link)),
            Some(_) => {
                cx.session.remove::<serde_json::Value>(FRESH_LINK_KEY).await.map_err(|_| AppError::Internal)?;
                Ok(None)
            }
        },
        _ => Ok(None),
    }
}

/// Adds a person and opens their page with the one-time invitation link.
#[server(endpoint = "invite_person")]
pub async fn invite_person(
    email: String,
    #[server(default)] display_name: String,
    role: Role,
) -> Result<PasswordLink, AppError> {
    let cx = Ctx::load().await?;
    let link = people::invite(&cx.state, &cx.principal, &email, &display_name, role).await?;
    show_link(&cx, &link).await?;
    Ok(link)
}

/// Gives a person another role.
#[server(endpoint = "set_person_role")]
pub async fn set_person_role(user_id: UserId, role: Role) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(people::set_role(&cx.state, &cx.principal, &user_id, role).await?)
}

/// Disables a person (their sessions end at once) or enables them again.
#[server(endpoint = "set_person_disabled")]
pub async fn set_person_disabled(user_id: UserId, disabled: bool) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(people::set_disabled(&cx.state, &cx.principal, &user_id, disabled).await?)
}

/// Ends a person's sessions and shows a one-time link to choose a new password.
#[server(endpoint = "reset_person_password")]
pub async fn reset_person_password(user_id: UserId) -> Result<PasswordLink, AppError> {
    let cx = Ctx::load().await?;
    let link = people::reset_password(&cx.state, &cx.principal, &user_id).await?;
    show_link(&cx, &link).await?;
    Ok(link)
}

/// Lifts a lock-out left by wrong passwords.
#[server(endpoint = "unlock_person")]
pub async fn unlock_person(user_id: UserId) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    Ok(people::unlock(&cx.state, &cx.principal, &user_id).await?)
}

/// Deletes a person and returns to the list of people.
#[server(endpoint = "delete_person")]
pub async fn delete_person(user_id: UserId) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    people::delete(&cx.state, &cx.principal, &user_id).await?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// The email a one-time password link is for; a dead link says what to do.
#[server(endpoint = "password_link_holder")]
pub async fn password_link_holder(token: String) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    Ok(password_links::whose(&cx.state, token).await?)
}

/// Chooses a password through a one-time link, signs the person in and
/// opens the start page.
#[server(endpoint = "set_password")]
pub async fn set_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let cx = Ctx::load().await?;
    let user = password_links::set_password(&cx.state, &cx.principal, &token, &password, &confirm).await?;
    super::auth::start_session(&cx, &user.id).await?;
    leptos_axum::redirect("/");
    Ok(())
}
