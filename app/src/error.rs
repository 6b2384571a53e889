//! The one error type that crosses from server functions to pages. Every
//! message is written for the person reading it; causes are logged on the
//! server, never shown.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a page can show as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The session is missing or expired.
    #[error("Your session has ended. Sign in again to continue.")]
    NotSignedIn,
    /// The email and password did not sign anyone in; one message for every cause.
    #[error(
        "Email or password is incorrect, or the account is locked after repeated failures. Check both and try again, or wait 15 minutes."
    )]
    SignInFailed,
    /// This client failed to sign in too often; it may try again after so many seconds.
    #[error("Too many failed sign-ins from your network. Wait {0} seconds, then try again.")]
    TooManyAttempts(u64),
    /// The signed-in user may not do this.
    #[error("You do not have access to this. Ask an administrator of your organization to grant it.")]
    Denied,
    /// Bad input, with what to change.
    #[error("{0}")]
    Invalid(String),
    /// Nothing found.
    #[error("{0}")]
    NotFound(String),
    /// Conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The storage service failed.
    #[error("The storage service refused the request: {0}")]
    Storage(String),
    /// The portal's database is out of reach for now.
    #[error(
        "The portal cannot reach its database right now. Wait a minute and try again; if it keeps failing, tell your administrator."
    )]
    Unavailable,
    /// A failure on the server; details are in the server log.
    #[error("Something went wrong on the server. Try again; if it keeps failing, tell your administrator.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("The portal could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    /// The HTTP status a server function answers with when it fails with this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::SignInFailed => 401,
            AppError::TooManyAttempts(_) => 429,
            AppError::Denied => 403,
            AppError::Invalid(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::Storage(_) | AppError::Transport(_) => 502,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
