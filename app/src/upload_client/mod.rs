//! The upload client: everything that takes files from the browser straight
//! to S3. `queue` (what the queue shows) and `rules` (retries, backoff,
//! checksum format) need no browser and are tested on the host; `wire`
//! (XHR with progress, CRC32C of a blob, timers) and `engine` (the queue and
//! the loop that works through it) run in the browser; `panel` is the view.

mod cors_notice;
pub mod engine;
mod panel;
pub mod queue;
pub mod rules;
mod session;
#[cfg(feature = "hydrate")]
pub mod wire;

pub use panel::{DropTarget, Uploader};
pub use session::{UploadIndicator, UploadSession, provide_upload_session, use_upload_session};
