//! What the engine needs from the world, as two small traits: the portal's
//! upload API, and the transport that holds files, sends bytes to presigned
//! URLs and checksums them. The browser implements them with server
//! functions and XHR; tests implement them over HTTP on the host.

// The engine runs on one thread (the browser's), so its futures need not be Send.
#![allow(async_fn_in_trait)]

use crate::error::AppError;
use crate::ids::{UploadId, UsecaseId};
use crate::model::{Conflict, FileOffer, PartOffer, SentPart, SignedPart, UploadBatch, UploadLimits, UploadPlan};

pub use crate::upload_client::rules::SendError;

/// The portal's side of an upload: checking, planning, signing, completing.
pub trait Portal {
    /// Checks that `files` files of `bytes` in all may go to the folder.
    async fn begin(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        files: u32,
        bytes: u64,
    ) -> Result<UploadLimits, AppError>;

    /// Plans a group of files: a presigned PUT, a multipart upload or a skip each.
    async fn plan(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        conflict: Conflict,
        files: Vec<FileOffer>,
    ) -> Result<UploadBatch, AppError>;

    /// Signs the next parts of a multipart upload.
    async fn sign_parts(&self, upload_id: UploadId, parts: Vec<PartOffer>) -> Result<Vec<SignedPart>, AppError>;

    /// Records a file sent with one PUT.
    async fn complete_single(&self, usecase_id: UsecaseId, bucket: String, key: String) -> Result<(), AppError>;

    /// Has S3 assemble the parts and records the file.
    async fn complete_multipart(&self, upload_id: UploadId, parts: Vec<SentPart>) -> Result<(), AppError>;

    /// Drops a multipart upload and the parts S3 holds.
    async fn abort(&self, upload_id: UploadId) -> Result<(), AppError>;

    /// Why browsers may not upload into the folder, when the bucket's CORS
    /// rules are the cause; asked when a send fails like a lost connection,
    /// which is all a browser learns of a CORS refusal.
    async fn cors_problem(&self, usecase_id: UsecaseId, bucket: String, prefix: String) -> Option<String>;
}

/// The bytes' side: files, slices of them, sending, checksums and time.
pub trait Transport {
    /// A file, or a slice of one, that can be sent.
    type Blob: Clone + 'static;
    /// The requests in flight for one file, so that pause and cancel can stop them.
    type Flights: Default + 'static;

    /// The blob's size in bytes.
    fn size(&self, blob: &Self::Blob) -> u64;
    /// The media type the file says it has (may be empty).
    fn content_type(&self, blob: &Self::Blob) -> String;
    /// When the file was last modified, in milliseconds since 1970.
    fn modified_ms(&self, blob: &Self::Blob) -> i64;
    /// Bytes `start..end` of the blob.
    fn slice(&self, blob: &Self::Blob, start: u64, end: u64) -> Result<Self::Blob, String>;
    /// CRC32C of the blob, base64 as S3 takes it.
    async fn crc32c(&self, blob: &Self::Blob) -> Result<String, String>;
    /// Sends `body` as `plan` says, calling `on_progress(sent)` as bytes go
    /// out; returns the ETag S3 answered.
    async fn send(
        &self,
        plan: &UploadPlan,
        body: &Self::Blob,
        flights: &Self::Flights,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<String, SendError>;
    /// Aborts every request in flight of one file.
    fn abort_all(&self, flights: &Self::Flights);
    /// Waits `ms` milliseconds.
    async fn sleep(&self, ms: u32);
    /// Milliseconds on a clock that only goes forward.
    fn now_ms() -> f64;
    /// A random number in `0..1`, to spread retries of many clients apart.
    fn jitter(&self) -> f64;
}
