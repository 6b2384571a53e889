//! Adding files to the queue: from the file and folder pickers, and from
//! drops, walking dropped folders entry by entry.

use super::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

impl BrowserEngine {
    /// Queues the files of a file or folder input, keeping folder paths.
    pub fn add_from_input(&self, ev: &leptos::ev::Event) {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(list) = input.files() else { return };
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .filter(|p| !p.is_empty());
                let path = relative.unwrap_or_else(|| file.name());
                self.add(file.into(), path);
            }
        }
        // The same files can be picked again (to resume, say).
        input.set_value("");
        self.error.set(None);
    }

    /// Queues dropped files and walks dropped folders; `then` runs once
    /// everything dropped is in the queue.
    pub fn add_from_drop(self: &Rc<Self>, ev: &leptos::ev::DragEvent, then: Option<Box<dyn FnOnce()>>) {
        let Some(transfer) = ev.data_transfer() else { return };
        let items = transfer.items();
        let mut entries = Vec::new();
        let mut loose = Vec::new();
        // Entries must be taken while the event is being handled.
        for i in 0..items.length() {
            let Some(item) = items.get(i) else { continue };
            if item.kind() != "file" {
                continue;
            }
            match item.webkit_get_as_entry() {
                Ok(Some(entry)) => entries.push(entry),
                _ => {
                    if let Ok(Some(file)) = item.get_as_file() {
                        loose.push(file);
                    }
                }
            }
        }
        for file in loose {
            let name = file.name();
            self.add(file.into(), name);
        }
        let this = self.clone();
        leptos::task::spawn_local(async move {
            for entry in entries {
                if let Err(e) = this.walk(entry).await {
                    this.error.set(Some(AppError::Invalid(format!("A dropped item could not be read: {e}"))));
                }
            }
            if let Some(then) = then {
                then();
            }
        });
    }

    pub(super) async fn walk(&self, root: web_sys::FileSystemEntry) -> Result<(), String> {
        let mut stack = vec![root];
        while let Some(entry) = stack.pop() {
            if entry.is_file() {
                let file_entry: web_sys::FileSystemFileEntry = entry.clone().unchecked_into();
                let file = callback_value(|ok, err| file_entry.file_with_callback_and_callback(ok, err)).await?;
                self.add(file.unchecked_into::<web_sys::File>().into(), entry.full_path());
            } else if entry.is_directory() {
                let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
                let reader = dir.create_reader();
                // readEntries answers in batches until it answers with none.
                loop {
                    let batch = callback_value(|ok, err| {
                        let _ = reader.read_entries_with_callback_and_callback(ok, err);
                    })
                    .await?;
                    let batch: js_sys::Array = batch.unchecked_into();
                    if batch.length() == 0 {
                        break;
                    }
                    stack.extend(batch.iter().map(|e| e.unchecked_into::<web_sys::FileSystemEntry>()));
                }
            }
        }
        Ok(())
    }
}

/// Runs an API that answers through a success and an error callback.
pub(super) async fn callback_value(
    call: impl FnOnce(&js_sys::Function, &js_sys::Function),
) -> Result<wasm_bindgen::JsValue, String> {
    let (tx, rx) = futures::channel::oneshot::channel::<Result<wasm_bindgen::JsValue, String>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let ok = {
        let tx = tx.clone();
        Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |v| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(Ok(v));
            }
        })
    };
    let err = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |v: wasm_bindgen::JsValue| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(Err(v.as_string().unwrap_or_else(|| format!("{v:?}"))));
        }
    });
    call(ok.as_ref().unchecked_ref(), err.as_ref().unchecked_ref());
    let result = rx.await.unwrap_or_else(|_| Err("the browser gave no answer".into()));
    drop((ok, err));
    result
}
