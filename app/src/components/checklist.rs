//! A list of steps or settings, each applied/passed or failed, with what was found.

use crate::model::SettingCheck;
use leptos::prelude::*;

/// Shows `checks` as a labelled list; `ok_word` is what a good step is called.
#[component]
pub fn Checklist(
    /// The steps.
    checks: Vec<SettingCheck>,
    /// Accessible name of the list.
    label: &'static str,
    /// Word for a step that went well ("applied", "passed").
    ok_word: &'static str,
) -> impl IntoView {
    view! {
        <ul class="checklist" aria-label=label>
            {checks
                .into_iter()
                .map(|c| {
                    let state = if c.ok { ok_word } else { "failed" };
                    let class = if c.ok { "ok" } else { "failed" };
                    view! {
                        <li class=class>
                            <strong>{format!("{}: {state}", c.setting)}</strong>
                            {format!(" — {}", c.message)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
