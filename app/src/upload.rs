//! The browser's upload engine: sends a file straight to S3 with a
//! presigned request and reports byte progress. XHR is used because `fetch`
//! has no upload progress events.

use crate::model::UploadPlan;
use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{ProgressEvent, XmlHttpRequest};

fn js_err(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Headers the browser sets itself and refuses to take from a script.
fn browser_managed(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "host" | "content-length")
}

/// PUTs `file` as `plan` says, calling `on_progress(sent, total)` as bytes go out.
pub async fn send_file(
    plan: &UploadPlan,
    file: &web_sys::File,
    on_progress: impl Fn(f64, f64) + 'static,
) -> Result<(), String> {
    let xhr = XmlHttpRequest::new().map_err(js_err)?;
    xhr.open_with_async(&plan.method, &plan.url, true).map_err(js_err)?;
    for (name, value) in &plan.headers {
        if !browser_managed(name) {
            xhr.set_request_header(name, value).map_err(js_err)?;
        }
    }
    let (tx, rx) = oneshot::channel::<Result<(), String>>();
    let tx = Rc::new(RefCell::new(Some(tx)));

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() {
            on_progress(e.loaded(), e.total());
        }
    });
    xhr.upload().map_err(js_err)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let done = {
        let tx = tx.clone();
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            let result = if (200..300).contains(&status) {
                Ok(())
            } else {
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                let code =
                    body.split("<Code>").nth(1).and_then(|s| s.split("</Code>").next()).unwrap_or("no error code");
                Err(format!("the storage service answered HTTP {status} ({code})"))
            };
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(result);
            }
        })
    };
    xhr.set_onload(Some(done.as_ref().unchecked_ref()));

    let failed = Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(Err("the connection to the storage service failed".into()));
        }
    });
    xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(failed.as_ref().unchecked_ref()));

    xhr.send_with_opt_blob(Some(file)).map_err(js_err)?;
    let result = rx.await.unwrap_or_else(|_| Err("the upload was interrupted".into()));
    // The callbacks must live until the request has ended.
    drop((progress, done, failed));
    result
}
