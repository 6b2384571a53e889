//! A small folder browser inside a form: open folders one by one and use
//! the one shown. It needs the page's script; the typed field beside it
//! works without.

use crate::api::data::list_objects;
use crate::components::session::ErrorNote;
use crate::ids::UsecaseId;
use leptos::prelude::*;

/// Browses the folders of `bucket` and writes the chosen one into `chosen`.
#[component]
pub fn FolderPicker(
    /// The usecase whose bucket is browsed.
    usecase_id: Signal<UsecaseId>,
    /// The bucket browsed.
    bucket: Signal<String>,
    /// Where the chosen folder goes (the form's folder field).
    chosen: RwSignal<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let at = RwSignal::new(String::new());
    let folders = Resource::new(
        move || (open.get(), usecase_id.get(), bucket.get(), at.get()),
        |(open, u, b, p)| async move {
            if !open || b.is_empty() {
                return Ok(None);
            }
            list_objects(u, b, p, None, None).await.map(Some)
        },
    );
    let up = move || {
        at.update(|p| {
            let trimmed = p.trim_end_matches('/');
            *p = trimmed.rfind('/').map(|i| trimmed[..=i].to_owned()).unwrap_or_default();
        })
    };
    view! {
        <div class="picker">
            <button type="button" on:click=move |_| open.update(|o| *o = !*o) aria-expanded=move || open.get().to_string()>
                "Pick in the folder browser"
            </button>
            <Show when=move || open.get()>
                <div role="group" aria-label="Folder browser">
                    <p>
                        "In " <code>{move || format!("s3://{}/{}", bucket.get(), at.get())}</code> " "
                        <button type="button" on:click=move |_| { chosen.set(at.get_untracked()); open.set(false); }>
                            "Use this folder"
                        </button>
                        " "
                        <Show when=move || !at.get().is_empty()>
                            <button type="button" on:click=move |_| up()>"Up one folder"</button>
                        </Show>
                    </p>
                    <Transition fallback=|| view! { <p>"Loading folders…"</p> }>
                        {move || Suspend::new(async move {
                            match folders.await {
                                Ok(Some(l)) if l.folders.is_empty() => view! { <p>"No folders here."</p> }.into_any(),
                                Ok(Some(l)) => view! {
                                    <ul>
                                        {l.folders.into_iter().map(|f| {
                                            let name = f.trim_end_matches('/').rsplit('/').next().unwrap_or(&f).to_owned();
                                            view! {
                                                <li>
                                                    <button type="button" aria-label=format!("Open folder {name}") on:click=move |_| at.set(f.clone())>
                                                        {format!("{name}/")}
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(error) => view! { <ErrorNote error /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </Show>
        </div>
    }
}
