//! What every web request shares: the services, and the options Leptos
//! renders pages with. Web-only, so it lives beside the server functions
//! rather than in the core.

use crate::core::guard::Services;
use leptos::config::LeptosOptions;

/// Shared state of the running portal.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    /// Leptos rendering options.
    pub leptos_options: LeptosOptions,
    /// The database, S3 and settings the services use.
    pub services: Services,
    /// The REST API's OpenAPI document, which the "API" page shows.
    pub api_document: std::sync::Arc<serde_json::Value>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
