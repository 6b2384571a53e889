//! Calling the portal's server functions as its pages do, with their own
//! typed arguments (the structs `#[server]` makes, such as
//! `app::api::uploads::SignParts`), not hand-written JSON. A `Caller` is
//! someone calling: anonymous, or a signed-in user with a session cookie;
//! a token caller will sit beside them.

use super::{PASSWORD, TestPortal, browser_for};
use app::error::AppError;
use leptos::server_fn::ServerFn;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Server functions whose arguments travel as JSON; the others take form fields, like an HTML form.
const JSON_INPUT: &[&str] = &[
    "/api/batch_upload_urls",
    "/api/sign_parts",
    "/api/complete_multipart",
    "/api/load_usecase_setup",
    "/api/save_usecase",
];

/// Someone calling the portal.
pub struct Caller {
    url: String,
    client: reqwest::Client,
}

impl Caller {
    /// Nobody signed in, from the portal's own pages.
    pub fn anonymous(t: &TestPortal) -> Self {
        Self { url: t.portal.url.clone(), client: browser_for(&t.portal.url) }
    }

    /// `email` signed in with the test password.
    pub async fn signed_in(t: &TestPortal, email: &str) -> Self {
        let caller = Self::anonymous(t);
        let signed = caller.call(app::api::auth::SignIn { email: email.into(), password: PASSWORD.into() }).await;
        assert!(signed.is_ok(), "sign-in of {email}: {signed:?}");
        caller
    }

    /// A caller on an HTTP client that is already signed in (or not).
    pub fn with_client(t: &TestPortal, client: &reqwest::Client) -> Self {
        Self { url: t.portal.url.clone(), client: client.clone() }
    }

    /// The HTTP client, cookies and all, for requests that are no server function.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Calls a server function; its answer, or the portal's error with its status.
    pub async fn call<F>(&self, args: F) -> Result<F::Output, (u16, AppError)>
    where
        F: ServerFn + Serialize,
        F::Output: DeserializeOwned,
    {
        let url = format!("{}{}", self.url, F::PATH);
        let request = if JSON_INPUT.contains(&F::PATH) {
            self.client.post(url).json(&args)
        } else {
            let form = serde_qs::to_string(&args).expect("arguments encode as a form");
            self.client.post(url).header("content-type", "application/x-www-form-urlencoded").body(form)
        };
        let response = request.send().await.expect("the portal answers");
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        if status == 200 {
            Ok(serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{} answered what it should not ({e}): {body}", F::PATH)))
        } else {
            Err((status, super::error_of(&body)))
        }
    }
}
