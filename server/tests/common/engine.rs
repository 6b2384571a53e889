//! The browser's upload engine on the host: the engine's own code over
//! the portal's server functions (HTTP, a signed-in session) and presigned
//! requests to the S3 endpoint, so its queue, retries, resume and cancel
//! are tested against the running portal without a browser.

use super::caller::Caller;
use app::api::uploads::{
    AbortUpload, BatchUploadUrls, BeginUpload, CheckUploadCors, CompleteMultipart, CompleteUpload, SignParts,
};
use app::error::AppError;
use app::ids::{UploadId, UsecaseId};
use app::model::{Conflict, FileOffer, PartOffer, SentPart, SignedPart, UploadBatch, UploadLimits, UploadPlan};
use app::upload_client::engine::ports::SendError;
use app::upload_client::engine::{Portal, Transport};
use app::upload_client::rules::classify;
use futures::future::{AbortHandle, Abortable};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The portal reached over HTTP by one caller.
pub struct HttpPortal(pub Caller);

fn answer<T>(r: Result<T, (u16, AppError)>) -> Result<T, AppError> {
    r.map_err(|(_, e)| e)
}

impl Portal for HttpPortal {
    async fn begin(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        files: u32,
        bytes: u64,
    ) -> Result<UploadLimits, AppError> {
        answer(self.0.call(BeginUpload { usecase_id, bucket, prefix, files, bytes }).await)
    }

    async fn plan(
        &self,
        usecase_id: UsecaseId,
        bucket: String,
        prefix: String,
        conflict: Conflict,
        files: Vec<FileOffer>,
    ) -> Result<UploadBatch, AppError> {
        answer(self.0.call(BatchUploadUrls { usecase_id, bucket, prefix, conflict, files }).await)
    }

    async fn sign_parts(&self, upload_id: UploadId, parts: Vec<PartOffer>) -> Result<Vec<SignedPart>, AppError> {
        answer(self.0.call(SignParts { upload_id, parts }).await)
    }

    async fn complete_single(&self, usecase_id: UsecaseId, bucket: String, key: String) -> Result<(), AppError> {
        answer(self.0.call(CompleteUpload { usecase_id, bucket, key }).await).map(|_| ())
    }

    async fn complete_multipart(&self, upload_id: UploadId, parts: Vec<SentPart>) -> Result<(), AppError> {
        answer(self.0.call(CompleteMultipart { upload_id, parts }).await).map(|_| ())
    }

    async fn abort(&self, upload_id: UploadId) -> Result<(), AppError> {
        answer(self.0.call(AbortUpload { upload_id }).await)
    }

    async fn cors_problem(&self, usecase_id: UsecaseId, bucket: String, prefix: String) -> Option<String> {
        let check: app::model::CorsCheck =
            answer(self.0.call(CheckUploadCors { usecase_id, bucket, prefix, fresh: true }).await).ok()?;
        (!check.allows).then_some(check.message)
    }
}

/// A file in memory, or a slice of one.
#[derive(Clone)]
pub struct MemFile {
    bytes: Arc<Vec<u8>>,
    start: usize,
    end: usize,
}

impl MemFile {
    /// A whole file of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        let end = bytes.len();
        Self { bytes: Arc::new(bytes), start: 0, end }
    }

    fn data(&self) -> &[u8] {
        &self.bytes[self.start..self.end]
    }
}

/// A rule that makes some sends fail before they leave, as a dropped
/// connection would: `(part or file number, attempts to fail)`.
pub type Faults = Rc<RefCell<Vec<(u32, u32, SendError)>>>;

/// Sends bytes with reqwest; `faults` lets a test lose chosen requests.
#[derive(Default)]
pub struct HttpTransport {
    /// Requests to fail, by the part number in their URL (1 for a single PUT).
    pub faults: Faults,
    /// How many requests reached S3.
    pub sent: Cell<u32>,
}

/// The requests of one file that are in flight.
#[derive(Default)]
pub struct Flights(RefCell<Vec<AbortHandle>>);

fn part_number(url: &str) -> u32 {
    url.split(['?', '&']).find_map(|kv| kv.strip_prefix("partNumber=")).and_then(|n| n.parse().ok()).unwrap_or(1)
}

impl Transport for HttpTransport {
    type Blob = MemFile;
    type Flights = Flights;

    fn size(&self, blob: &MemFile) -> u64 {
        blob.data().len() as u64
    }

    fn content_type(&self, _: &MemFile) -> String {
        "application/octet-stream".into()
    }

    fn modified_ms(&self, _: &MemFile) -> i64 {
        1_700_000_000_000
    }

    fn slice(&self, blob: &MemFile, start: u64, end: u64) -> Result<MemFile, String> {
        let (start, end) = (blob.start + start as usize, blob.start + end as usize);
        if end > blob.end || start > end {
            return Err(format!("bytes {start}..{end} are outside the file"));
        }
        Ok(MemFile { bytes: blob.bytes.clone(), start, end })
    }

    async fn crc32c(&self, blob: &MemFile) -> Result<String, String> {
        Ok(super::crc32c_b64(blob.data()))
    }

    async fn send(
        &self,
        plan: &UploadPlan,
        body: &MemFile,
        flights: &Flights,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<String, SendError> {
        let number = part_number(&plan.url);
        let injected = {
            let mut faults = self.faults.borrow_mut();
            faults.iter_mut().find(|(n, left, _)| *n == number && *left > 0).map(|(_, left, error)| {
                *left -= 1;
                error.clone()
            })
        };
        if let Some(error) = injected {
            return Err(error);
        }
        let mut request =
            reqwest::Client::new().request(plan.method.parse().unwrap(), &plan.url).body(body.data().to_vec());
        for (name, value) in plan.headers.iter().filter(|(k, _)| !super::client_managed(k)) {
            request = request.header(name, value);
        }
        let (handle, registration) = AbortHandle::new_pair();
        flights.0.borrow_mut().push(handle);
        let answer = Abortable::new(request.send(), registration).await;
        self.sent.set(self.sent.get() + 1);
        let response = match answer {
            Err(_) => return Err(SendError::Aborted),
            Ok(Err(e)) => return Err(SendError::Retryable(e.to_string())),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = response.text().await.unwrap_or_default();
        if status != 200 {
            return Err(classify(status, &text));
        }
        on_progress(body.data().len() as f64);
        Ok(etag)
    }

    fn abort_all(&self, flights: &Flights) {
        for handle in flights.0.borrow_mut().drain(..) {
            handle.abort();
        }
    }

    async fn sleep(&self, ms: u32) {
        // Backoffs are kept short so that the tests do not wait for them.
        tokio::time::sleep(Duration::from_millis(u64::from(ms.min(50)))).await;
    }

    fn now_ms() -> f64 {
        thread_local!(static START: Instant = Instant::now());
        START.with(|s| s.elapsed().as_secs_f64() * 1000.0)
    }

    fn jitter(&self) -> f64 {
        0.5
    }
}
