//! The browser's transfer pieces: sending a blob to a presigned URL with
//! byte progress, telling retryable failures from final ones, CRC32C of a
//! blob read slice by slice, and timers. XHR is used because `fetch` has no
//! upload progress events.

use crate::model::UploadPlan;
use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

/// Bytes read into WASM memory at a time when checksumming; the file itself
/// is never read whole.
const READ_CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

/// How a request to S3 ended badly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Stopped on purpose (pause or cancel).
    Aborted,
    /// Worth trying again: network failure, 5xx, SlowDown, an expired URL.
    Retryable(String),
    /// Trying again will not help; the message says why.
    Fatal(String),
}

/// The requests in flight for one file, so that pause and cancel can stop them.
#[derive(Clone, Default)]
pub struct Flights(Rc<RefCell<Vec<XmlHttpRequest>>>);

impl Flights {
    /// Aborts every request in flight.
    pub fn abort_all(&self) {
        let all: Vec<_> = self.0.borrow_mut().drain(..).collect();
        for xhr in all {
            let _ = xhr.abort();
        }
    }

    fn add(&self, xhr: &XmlHttpRequest) {
        self.0.borrow_mut().push(xhr.clone());
    }

    fn remove(&self, xhr: &XmlHttpRequest) {
        self.0.borrow_mut().retain(|x| x != xhr);
    }
}

fn js_err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Headers the browser sets itself and refuses to take from a script.
fn browser_managed(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "host" | "content-length")
}

fn tag(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    body.split(&open).nth(1).and_then(|s| s.split(&close).next()).map(str::to_owned)
}

/// Sorts an S3 answer into retry or give up, in words for a person.
pub fn classify(status: u16, body: &str) -> SendError {
    let code = tag(body, "Code").unwrap_or_default();
    let message = tag(body, "Message").unwrap_or_default();
    let retry = matches!(status, 408 | 429 | 500..=599)
        || matches!(code.as_str(), "SlowDown" | "RequestTimeout" | "ExpiredToken" | "RequestExpired" | "InternalError")
        || (code == "AccessDenied" && message.to_ascii_lowercase().contains("expired"));
    let shown = if code.is_empty() { "no error code".to_owned() } else { code.clone() };
    if retry {
        return SendError::Retryable(format!("the storage service answered HTTP {status} ({shown})"));
    }
    SendError::Fatal(match code.as_str() {
        "BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch" => {
            "S3 refused the bytes because their checksum did not match (BadDigest); the file may have changed \
             while it was read — upload it again"
                .to_owned()
        }
        "NoSuchUpload" => "S3 no longer has this upload; pick the file again to start over".to_owned(),
        "AccessDenied" | "SignatureDoesNotMatch" => {
            format!("S3 refused the upload ({shown}); ask an administrator to check the usecase's access")
        }
        _ => format!("the storage service answered HTTP {status} ({shown})"),
    })
}

/// Sends `body` as `plan` says, calling `on_progress(sent)` as bytes go out;
/// returns the ETag S3 answered.
pub async fn send(
    plan: &UploadPlan,
    body: &Blob,
    flights: &Flights,
    on_progress: impl Fn(f64) + 'static,
) -> Result<String, SendError> {
    let fatal = |e: JsValue| SendError::Fatal(js_err(e));
    let xhr = XmlHttpRequest::new().map_err(fatal)?;
    xhr.open_with_async(&plan.method, &plan.url, true).map_err(fatal)?;
    for (name, value) in &plan.headers {
        if !browser_managed(name) {
            xhr.set_request_header(name, value).map_err(fatal)?;
        }
    }
    let (tx, rx) = oneshot::channel::<Result<String, SendError>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = {
        let tx = tx.clone();
        move |result: Result<String, SendError>| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(result);
            }
        }
    };

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| on_progress(e.loaded()));
    xhr.upload().map_err(fatal)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let loaded = {
        let xhr = xhr.clone();
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            if (200..300).contains(&status) {
                let etag = xhr.get_response_header("ETag").ok().flatten().unwrap_or_default();
                finish(Ok(etag.trim_matches('"').to_owned()));
            } else {
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                finish(Err(classify(status, &body)));
            }
        })
    };
    xhr.set_onload(Some(loaded.as_ref().unchecked_ref()));
    let failed = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            finish(Err(SendError::Retryable("the connection to the storage service failed".into())))
        })
    };
    xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let aborted = Closure::<dyn FnMut()>::new(move || finish(Err(SendError::Aborted)));
    xhr.set_onabort(Some(aborted.as_ref().unchecked_ref()));

    flights.add(&xhr);
    let result = match xhr.send_with_opt_blob(Some(body)) {
        Ok(()) => rx.await.unwrap_or(Err(SendError::Aborted)),
        Err(e) => Err(SendError::Retryable(js_err(e))),
    };
    flights.remove(&xhr);
    // The callbacks must live until the request has ended.
    drop((progress, loaded, failed, aborted));
    result
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Base64 of a CRC32C, as S3's `x-amz-checksum-crc32c` header carries it.
pub fn crc32c_base64(crc: u32) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = crc.to_be_bytes();
    let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let mut out = String::with_capacity(8);
    for shift in [18, 12, 6, 0] {
        out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
    }
    let last = (b[3] as u32) << 16;
    out.push(ALPHABET[((last >> 18) & 63) as usize] as char);
    out.push(ALPHABET[((last >> 12) & 63) as usize] as char);
    out.push_str("==");
    out
}

/// CRC32C of `blob`, read a few MiB at a time.
pub async fn crc32c_of(blob: &Blob) -> Result<String, String> {
    let size = blob.size();
    let mut crc = 0u32;
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + READ_CHUNK).min(size);
        let slice = blob.slice_with_f64_and_f64(offset, end).map_err(js_err)?;
        let buffer = wasm_bindgen_futures::JsFuture::from(slice.array_buffer())
            .await
            .map_err(|e| format!("the file could not be read ({})", js_err(e)))?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let len = bytes.length() as usize;
        crc = SCRATCH.with_borrow_mut(|scratch| {
            scratch.resize(len, 0);
            bytes.copy_to(&mut scratch[..len]);
            crc32c::crc32c_append(crc, &scratch[..len])
        });
        offset = end;
    }
    Ok(crc32c_base64(crc))
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Milliseconds on the page's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Exponential backoff with jitter before retry number `attempt` (1-based):
/// half of 0.5 s · 2^(attempt-1), capped at 8 s, plus a random other half.
pub fn backoff_ms(attempt: u32) -> u32 {
    let cap = (500u32 << attempt.saturating_sub(1).min(4)).min(8000);
    cap / 2 + (js_sys::Math::random() * f64::from(cap / 2)) as u32
}
