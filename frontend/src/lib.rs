//! The browser entry point: hydrates the server-rendered page.

/// Called by the generated JS once the WASM module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A flag that browser tests wait for before they click.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__dataport_hydrated".into(), &true.into());
    }
}
