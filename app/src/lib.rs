//! Dataport: scoped, audited access to S3 data through the browser.
//!
//! `pages/` and `components/` are what people see, `api/` holds the server
//! functions, and `core/` (server only) is the domain behind them.

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod core;
pub mod error;
pub mod ids;
pub mod model;
pub mod names;
pub mod pages;
pub mod rules;
pub mod upload_client;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Headers of every page: its Content-Security-Policy with this response's
/// nonce (which the hydration script carries), and no caching, since pages
/// show one person's data.
#[cfg(feature = "ssr")]
fn page_headers() {
    use axum::http::{HeaderValue, header};
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    if let (Some(state), Some(nonce)) = (use_context::<api::state::AppState>(), leptos::nonce::use_nonce())
        && let Ok(policy) = HeaderValue::from_str(&state.config.content_security_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
    response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The portal: header, then the page the URL names.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::session::provide_whoami();
    // Uploads belong to the tab, not to a page: they go on across pages.
    upload_client::provide_upload_session();
    // Pages wait for their data on the server, so that a redirect (to sign
    // in, for example) is a real HTTP redirect rather than a flash of content.
    view! {
        <Title text="Dataport" />
        <Router>
            <components::header::Header />
            <main id="main">
                <Routes fallback=|| view! { <p>"This page does not exist. Go back to the start page."</p> }>
                    <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=pages::setup::SetupPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/usecases/new")
                        view=pages::usecase_settings::NewUsecasePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/usecases/:id") view=pages::usecase::UsecasePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/usecases/:id/settings")
                        view=pages::usecase_settings::UsecaseSettingsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/usecases/:id/buckets/:bucket")
                        view=pages::browser::BrowserPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/usecases/:id/buckets/:bucket/delete")
                        view=pages::delete::DeletePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/usecases/:id/buckets/:bucket/file")
                        view=pages::file_details::FileDetailsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/usecases/:id/buckets/:bucket/settings")
                        view=pages::bucket_settings::BucketSettingsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/activity") view=pages::activity::ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/tokens") view=pages::tokens::TokensPage ssr=SsrMode::Async />
                    <Route path=path!("/keys") view=pages::keys::KeysPage ssr=SsrMode::Async />
                    <Route path=path!("/shares") view=pages::shares::SharesPage ssr=SsrMode::Async />
                    <Route path=path!("/share") view=pages::shares::NewSharePage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token") view=pages::shared::SharedPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/api-reference")
                        view=pages::api_reference::ApiReferencePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/users") view=pages::users::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants") view=pages::tenants::TenantsPage ssr=SsrMode::Async />
                    <Route path=path!("/users/:id") view=pages::person::PersonPage ssr=SsrMode::Async />
                    <Route path=path!("/grants") view=pages::grants::GrantsPage ssr=SsrMode::Async />
                    <Route path=path!("/grants/new") view=pages::grant_form::NewGrantPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/grants/edit/:id")
                        view=pages::grant_form::EditGrantPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/set-password")
                        view=pages::set_password::SetPasswordPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
