//! Pieces of pages shared between them.

pub mod buckets;
pub mod charts;
pub mod checklist;
pub mod events;
pub mod field;
pub mod folder_picker;
pub mod folders;
pub mod grants;
pub mod header;
pub mod local_time;
pub mod session;
pub mod training;

/// Percent-encodes a value for a URL query or path segment.
pub fn encode(value: &str) -> String {
    crate::url::percent_encode(value, b"-._~")
}

/// True once the page's script has taken over (effects run only in the
/// browser), so that a control that needs the script shows only then and
/// the server's render and the first hydrated render agree.
pub fn use_hydrated() -> leptos::prelude::Signal<bool> {
    use leptos::prelude::*;
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated.into()
}

/// Human-readable size, e.g. `1.5 MiB`.
pub fn format_size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} bytes") } else { format!("{value:.1} {}", UNITS[unit]) }
}
