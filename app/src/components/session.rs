//! The signed-in user, loaded once per page and shared through context, and
//! the guard that sends visitors to sign in.

use crate::api::auth::whoami;
use crate::error::AppError;
use crate::model::{SessionInfo, SessionUser};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The shared `whoami` resource.
pub type SessionResource = Resource<Result<SessionInfo, AppError>>;

/// Loads `whoami` and makes it available to every page.
pub fn provide_whoami() {
    let resource: SessionResource = Resource::new(|| (), |_| whoami());
    provide_context(resource);
}

/// Shows `children` to a signed-in user (an admin, if `admin`), and sends
/// everyone else to the first-admin page or the sign-in page.
#[component]
pub fn RequireUser(
    /// What the user sees.
    children: ChildrenFn,
    /// Only administrators may see it.
    #[prop(optional)]
    admin: bool,
) -> impl IntoView {
    let whoami = expect_context::<SessionResource>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match whoami.await {
                            Ok(SessionInfo { needs_setup: true, .. }) => view! { <Redirect path="/setup" /> }.into_any(),
                            Ok(SessionInfo { user: None, .. }) => view! { <Redirect path="/sign-in" /> }.into_any(),
                            Ok(SessionInfo { user: Some(SessionUser { role, .. }), .. })
                                if admin && role != crate::model::Role::Admin => {
                                view! {
                                    <p role="alert">"This page is for administrators of your organization."</p>
                                }
                                    .into_any()
                            }
                            Ok(_) => children().into_any(),
                            Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

/// True while the signed-in user is an administrator of their organization.
pub fn use_is_admin() -> Signal<bool> {
    let session = expect_context::<SessionResource>();
    Signal::derive(move || {
        session.get().and_then(Result::ok).and_then(|s| s.user).is_some_and(|u| u.role == crate::model::Role::Admin)
    })
}

/// Loads `path` as a whole new page once `outcome` holds a success, so that
/// everything on it (the header's user, for one) reflects the new session.
pub fn load_page_after_success(outcome: Signal<Option<Result<(), AppError>>>, path: &'static str) {
    Effect::new(move |_| {
        if let Some(Ok(())) = outcome.get() {
            let _ = window().location().set_href(path);
        }
    });
}

/// Loads the start page a sign-in answered as a whole new page.
pub fn load_page_after_sign_in(outcome: Signal<Option<Result<String, AppError>>>) {
    Effect::new(move |_| {
        if let Some(Ok(start)) = outcome.get() {
            let _ = window().location().set_href(&start);
        }
    });
}

/// An error shown to the user, announced by screen readers.
#[component]
pub fn ErrorNote(
    /// The error to show.
    error: AppError,
) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// What a person sees at a place they may not see: a clear sentence, and
/// HTTP 403 when the page is rendered on the server.
#[component]
pub fn NoAccess() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <section role="alert" aria-labelledby="no-access">
            <h2 id="no-access">"You have no access to this location"</h2>
            <p>
                "Your grants do not include this folder. Go back to " <a href="/">"your locations"</a>
                ", or ask an administrator of your organization for access."
            </p>
        </section>
    }
}
