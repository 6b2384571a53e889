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
    /// A failure on the server; details are in the server log.
    #[error("Something went wrong on the server. Try again; if it keeps failing, tell your administrator.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("The portal could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
