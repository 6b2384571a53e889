//! A labelled text input that says what is wrong with its value while the
//! person types, using the same rule the server enforces.

use leptos::prelude::*;

/// A text field with a live check. Shows `hint` while the value is empty or fine.
#[component]
pub fn CheckedField(
    /// Element id (also used for the hint's id).
    id: &'static str,
    /// Visible label.
    label: &'static str,
    /// The value, shared with the form.
    value: RwSignal<String>,
    /// The rule: what is wrong with a non-empty value, if anything.
    check: fn(&str) -> Option<String>,
    /// What the hint says when nothing is wrong.
    #[prop(optional)]
    hint: &'static str,
    /// Extra class on the field, e.g. "wide".
    #[prop(optional)]
    class: &'static str,
    /// The input's name, when the field is part of a plain form.
    #[prop(optional)]
    name: &'static str,
) -> impl IntoView {
    let help_id = format!("{id}-help");
    let problem = move || value.with(|v| if v.is_empty() { None } else { check(v) });
    view! {
        <div class=format!("field {class}")>
            <label for=id>{label}</label>
            <input
                id=id
                name=(!name.is_empty()).then_some(name)
                type="text"
                autocomplete="off"
                aria-describedby=help_id.clone()
                aria-invalid=move || problem().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p id=help_id class="hint" aria-live="polite">
                {move || problem().unwrap_or_else(|| hint.to_owned())}
            </p>
        </div>
    }
}
