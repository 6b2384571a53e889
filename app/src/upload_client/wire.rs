//! The browser's transfer pieces: sending a blob to a presigned URL with
//! byte progress, telling retryable failures from final ones, CRC32C of a
//! blob read slice by slice, and timers. XHR is used because `fetch` has no
//! upload progress events.

pub use super::rules::{SendError, classify, crc32c_base64};
use crate::model::UploadPlan;
use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

/// Bytes read at a time when checksumming; the file itself is never read whole.
const READ_CHUNK: f64 = 1024.0 * 1024.0;

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

/// CRC32C of `blob`, read a slice at a time into one reused buffer, so that
/// checksumming a large file leaves no garbage behind for the page to hold.
pub async fn crc32c_of(blob: &Blob) -> Result<String, String> {
    match web_sys::ReadableStreamByobReader::new(&blob.stream()) {
        Ok(reader) => crc32c_by_stream(reader).await,
        // Browsers without byte streams: one new buffer per slice.
        Err(_) => crc32c_by_slices(blob).await,
    }
}

fn unreadable(e: JsValue) -> String {
    format!("the file could not be read ({})", js_err(e))
}

async fn crc32c_by_stream(reader: web_sys::ReadableStreamByobReader) -> Result<String, String> {
    let capacity = READ_CHUNK as u32;
    let mut view = js_sys::Uint8Array::new_with_length(capacity);
    let mut crc = 0u32;
    loop {
        let step = wasm_bindgen_futures::JsFuture::from(reader.read_with_array_buffer_view(&view))
            .await
            .map_err(unreadable)?;
        let done = js_sys::Reflect::get(&step, &"done".into()).map_err(unreadable)?.as_bool().unwrap_or(true);
        let value = js_sys::Reflect::get(&step, &"value".into()).map_err(unreadable)?;
        if value.is_undefined() {
            break;
        }
        let filled: js_sys::Uint8Array = value.unchecked_into();
        crc = crc32c_update(crc, &filled);
        if done {
            break;
        }
        // The read moved the buffer into `filled`; the next read reuses it whole.
        view = js_sys::Uint8Array::new_with_byte_offset_and_length(&filled.buffer(), 0, capacity);
    }
    Ok(crc32c_base64(crc))
}

async fn crc32c_by_slices(blob: &Blob) -> Result<String, String> {
    let size = blob.size();
    let mut crc = 0u32;
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + READ_CHUNK).min(size);
        let slice = blob.slice_with_f64_and_f64(offset, end).map_err(js_err)?;
        let buffer = wasm_bindgen_futures::JsFuture::from(slice.array_buffer()).await.map_err(unreadable)?;
        crc = crc32c_update(crc, &js_sys::Uint8Array::new(&buffer));
        offset = end;
    }
    Ok(crc32c_base64(crc))
}

fn crc32c_update(crc: u32, bytes: &js_sys::Uint8Array) -> u32 {
    let len = bytes.length() as usize;
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.resize(len, 0);
        bytes.copy_to(&mut scratch[..len]);
        crc32c::crc32c_append(crc, &scratch[..len])
    })
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
