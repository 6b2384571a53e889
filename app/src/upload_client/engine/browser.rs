//! The engine's ports in the browser: the portal through its server
//! functions, bytes through XHR and `File` slices.

use super::ports::{Portal, SendError, Transport};
use crate::api::uploads::{
    abort_upload, batch_upload_urls, begin_upload, complete_multipart, complete_upload, sign_parts,
};
use crate::error::AppError;
use crate::ids::{UploadId, UsecaseId};
use crate::model::{Conflict, FileOffer, PartOffer, SentPart, SignedPart, UploadBatch, UploadLimits, UploadPlan};
use crate::upload_client::wire;

/// The portal reached through its server functions.
pub struct ServerFns;

impl Portal for ServerFns {
    async fn begin(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        files: u32,
        bytes: u64,
    ) -> Result<UploadLimits, AppError> {
        begin_upload(usecase_id, bucket, prefix, files, bytes).await
    }

    async fn plan(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        conflict: Conflict,
        files: Vec<FileOffer>,
    ) -> Result<UploadBatch, AppError> {
        batch_upload_urls(usecase_id, bucket, prefix, conflict, files).await
    }

    async fn sign_parts(&self, upload_id: UploadId, parts: Vec<PartOffer>) -> Result<Vec<SignedPart>, AppError> {
        sign_parts(upload_id, parts).await
    }

    async fn complete_single(&self, usecase_id: UsecaseId, bucket: String, key: String) -> Result<(), AppError> {
        complete_upload(usecase_id, bucket, key).await.map(|_| ())
    }

    async fn complete_multipart(&self, upload_id: UploadId, parts: Vec<SentPart>) -> Result<(), AppError> {
        complete_multipart(upload_id, parts).await.map(|_| ())
    }

    async fn abort(&self, upload_id: UploadId) -> Result<(), AppError> {
        abort_upload(upload_id).await
    }

    async fn cors_problem(&self, usecase_id: UsecaseId, bucket: String, prefix: String) -> Option<String> {
        let check = crate::api::uploads::check_upload_cors(usecase_id, bucket, prefix, true).await.ok()?;
        (!check.allows).then_some(check.message)
    }
}

/// Files the user picked, sent with XHR for its upload progress events.
pub struct Browser;

impl Transport for Browser {
    type Blob = web_sys::Blob;
    type Flights = wire::Flights;

    fn size(&self, blob: &web_sys::Blob) -> u64 {
        blob.size() as u64
    }

    fn content_type(&self, blob: &web_sys::Blob) -> String {
        blob.type_()
    }

    fn modified_ms(&self, blob: &web_sys::Blob) -> i64 {
        use wasm_bindgen::JsCast;
        blob.dyn_ref::<web_sys::File>().map(|f| f.last_modified() as i64).unwrap_or_default()
    }

    fn slice(&self, blob: &web_sys::Blob, start: u64, end: u64) -> Result<web_sys::Blob, String> {
        blob.slice_with_f64_and_f64(start as f64, end as f64).map_err(|e| format!("{e:?}"))
    }

    async fn crc32c(&self, blob: &web_sys::Blob) -> Result<String, String> {
        wire::crc32c_of(blob).await
    }

    async fn send(
        &self,
        plan: &UploadPlan,
        body: &web_sys::Blob,
        flights: &wire::Flights,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<String, SendError> {
        wire::send(plan, body, flights, on_progress).await
    }

    fn abort_all(&self, flights: &wire::Flights) {
        flights.abort_all();
    }

    async fn sleep(&self, ms: u32) {
        wire::sleep(ms).await
    }

    fn now_ms() -> f64 {
        wire::now_ms()
    }

    fn jitter(&self) -> f64 {
        js_sys::Math::random()
    }
}
