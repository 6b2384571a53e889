//! What the upload panel says before the first byte when the bucket's CORS
//! rules would stop the browser, and the administrators' button that adds
//! the portal's rule.

use crate::api::uploads::{AllowBrowserUploads, check_upload_cors};
use crate::components::session::ErrorNote;
use crate::ids::UsecaseId;
use leptos::prelude::*;

/// A notice shown only while the bucket refuses the portal's uploads.
#[component]
pub fn CorsNotice(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// Bucket name.
    bucket: Signal<String>,
    /// The folder uploads go to.
    prefix: Signal<String>,
) -> impl IntoView {
    let allow = ServerAction::<AllowBrowserUploads>::new();
    let check = Resource::new(
        move || (usecase_id.get(), bucket.get(), prefix.get(), allow.version().get()),
        |(u, b, p, _)| check_upload_cors(u, b, p, false),
    );
    view! {
        <Transition>
            {move || Suspend::new(async move {
                match check.await {
                    Ok(c) if !c.allows => {
                        view! {
                            <div class="notice" role="alert">
                                <p>{c.message}</p>
                                {c
                                    .can_fix
                                    .then(|| {
                                        view! {
                                            <ActionForm action=allow>
                                                <input type="hidden" name="usecase_id" value=usecase_id.get_untracked().to_string() />
                                                <input type="hidden" name="bucket" value=bucket.get_untracked() />
                                                <button type="submit">"Allow uploads from this portal"</button>
                                            </ActionForm>
                                        }
                                    })}
                                {move || allow.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
                            </div>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}
