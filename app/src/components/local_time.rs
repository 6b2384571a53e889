//! Times shown in the reader's own time zone and locale.

use leptos::prelude::*;

/// `2026-12-02T21:55:13Z` as `2026-12-02 21:55 UTC`: what the page says
/// before its script knows the reader's time zone.
pub fn utc_text(rfc3339: &str) -> String {
    match rfc3339.split_once('T') {
        Some((date, time)) => format!("{date} {} UTC", time.get(..5).unwrap_or(time)),
        None => rfc3339.to_owned(),
    }
}

/// A moment, in UTC from the server and in the reader's locale and time
/// zone once the page's script runs; the UTC form stays in its title.
#[component]
pub fn LocalTime(
    /// The moment, RFC 3339.
    at: String,
) -> impl IntoView {
    let utc = utc_text(&at);
    let shown = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move |_| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&at));
            if !date.get_time().is_nan() {
                shown.set(String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)));
            }
        });
    }
    view! {
        <time datetime=at title=utc>
            {move || shown.get()}
        </time>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_text_keeps_the_minute() {
        assert_eq!(super::utc_text("2026-12-02T21:55:13Z"), "2026-12-02 21:55 UTC");
    }
}
