//! "Use with command-line tools": temporary S3 keys for one location, to
//! paste into a shell for `aws`, `s5cmd` or `rclone`.

use crate::api::tokens::{IssueCredentials, take_credentials};
use crate::components::session::{ErrorNote, RequireUser};
use crate::model::{MAX_CREDENTIAL_MINUTES, TempCredentials};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page of temporary keys for the location its query names.
#[component]
pub fn KeysPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Keys />
        </RequireUser>
    }
}

#[component]
fn Keys() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let (usecase, bucket, prefix) = (get("usecase"), get("bucket"), get("prefix"));
    let issue = ServerAction::<IssueCredentials>::new();
    let fresh = Resource::new(|| (), |_| take_credentials());
    let place = format!("s3://{bucket}/{prefix}");
    view! {
        <h1>"Use with command-line tools"</h1>
        <p>
            "Temporary keys open " <code>{place.clone()}</code>
            " to tools such as aws, s5cmd or rclone, with your rights there, for at most "
            {MAX_CREDENTIAL_MINUTES} " minutes. They work nowhere else."
        </p>
        <Suspense>
            {move || Suspend::new(async move {
                fresh.await.ok().flatten().map(|keys| view! { <IssuedKeys keys /> })
            })}
        </Suspense>
        <ActionForm action=issue>
            <input type="hidden" name="usecase_id" value=usecase />
            <input type="hidden" name="bucket" value=bucket />
            <input type="hidden" name="prefix" value=prefix />
            <div class="field">
                <label for="keys-minutes">"Valid for"</label>
                <select id="keys-minutes" name="minutes">
                    <option value="15">"15 minutes"</option>
                    <option value="30">"30 minutes"</option>
                    <option value="60" selected>"1 hour"</option>
                </select>
            </div>
            <button type="submit" disabled=move || issue.pending().get()>
                "Create temporary keys"
            </button>
        </ActionForm>
        {move || {
            issue
                .value()
                .get()
                .map(|outcome| match outcome {
                    Ok(keys) => view! { <IssuedKeys keys /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })
        }}
    }
}

/// Keys just made: shown once, ready to copy.
#[component]
fn IssuedKeys(keys: TempCredentials) -> impl IntoView {
    let rows = keys.shell.lines().count().max(4);
    view! {
        <section class="notice" role="status" aria-labelledby="issued-keys">
            <h2 id="issued-keys">"Temporary keys for s3://" {keys.bucket.clone()} "/" {keys.prefix.clone()}</h2>
            <p>
                "They allow " {keys.rights.describe()} " until " {keys.expires.clone()}
                ". Copy them now: they are not shown again."
            </p>
            <label for="keys-shell">"Shell lines"</label>
            <textarea id="keys-shell" readonly rows=rows class="wide">
                {keys.shell.clone()}
            </textarea>
            <label for="keys-example">"Example command"</label>
            <input id="keys-example" type="text" readonly value=keys.example.clone() class="wide" />
            <details>
                <summary>"Each key on its own"</summary>
                <label for="keys-id">"Access key ID"</label>
                <input id="keys-id" type="text" readonly value=keys.access_key_id.clone() class="wide" />
                <label for="keys-secret">"Secret access key"</label>
                <input id="keys-secret" type="text" readonly value=keys.secret_access_key.clone() class="wide" />
                <label for="keys-token">"Session token"</label>
                <input id="keys-token" type="text" readonly value=keys.session_token.clone() class="wide" />
            </details>
        </section>
    }
}
