//! The keyboard in a listing: arrows move between rows, Space selects (the
//! checkbox's own), Enter opens, Delete asks to delete the selection.

use crate::components::encode;
use leptos::prelude::*;

/// The keydown handler of one row, which opens `open` on Enter and sends
/// the selection to `delete_page` on Delete.
pub fn row_keys(
    open: String,
    delete_page: String,
    selected: RwSignal<Vec<String>>,
) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    // Taken while the row is made: an event handler has no router to ask.
    let navigate = leptos_router::hooks::use_navigate();
    move |ev| {
        let go = |href: String| {
            ev.prevent_default();
            navigate(&href, Default::default());
        };
        match ev.key().as_str() {
            "ArrowDown" => focus_row(&ev, true),
            "ArrowUp" => focus_row(&ev, false),
            "Enter" if is_checkbox(&ev) => go(open.clone()),
            "Delete" if selected.with_untracked(|s| !s.is_empty()) => {
                let picks: String =
                    selected.with_untracked(|s| s.iter().map(|k| format!("&pick={}", encode(k))).collect());
                go(format!("{delete_page}{picks}"));
            }
            _ => {}
        }
    }
}

#[cfg(feature = "hydrate")]
fn is_checkbox(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.type_() == "checkbox")
}

#[cfg(not(feature = "hydrate"))]
fn is_checkbox(_: &leptos::ev::KeyboardEvent) -> bool {
    false
}

/// Moves the focus to the checkbox (or link) of the row below or above.
#[cfg(feature = "hydrate")]
fn focus_row(ev: &leptos::ev::KeyboardEvent, down: bool) {
    use wasm_bindgen::JsCast;
    let Some(row) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let next = if down { row.next_element_sibling() } else { row.previous_element_sibling() };
    let target = next
        .and_then(|r| r.query_selector("input[type=checkbox], a").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        ev.prevent_default();
        let _ = target.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
fn focus_row(_: &leptos::ev::KeyboardEvent, _: bool) {}
