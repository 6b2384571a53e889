//! Server functions: take the session's user, authorize, call a service,
//! write the audit event, and turn errors into words for a person.

pub mod audit;
pub mod auth;
pub mod buckets;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod dashboard;
pub mod data;
pub mod deletion;
pub mod grants;
pub mod people;
#[cfg(feature = "ssr")]
mod reference;
#[cfg(feature = "ssr")]
pub mod session_store;
pub mod shares;
#[cfg(feature = "ssr")]
pub mod state;
pub mod tenants;
pub mod tokens;
pub mod uploads;
pub mod usecases;
pub mod versions;
