//! One file: what S3 knows of it, its `s3://` address to copy, Download,
//! and a preview of its content.

use crate::api::data::file_details;
use crate::api::versions::RestoreVersion;
use crate::components::local_time::LocalTime;
use crate::components::session::{ErrorNote, NoAccess, RequireUser};
use crate::components::{encode, format_size};
use crate::error::AppError;
use crate::ids::UsecaseId;
use crate::model::{ObjectDetails, Preview};
use crate::pages::file_versions::VersionsOf;
use crate::url::folder_href;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The details page of one file.
#[component]
pub fn FileDetailsPage() -> impl IntoView {
    view! {
        <RequireUser>
            <FileDetails />
        </RequireUser>
    }
}

#[component]
fn FileDetails() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let usecase_id = UsecaseId::from(params.read_untracked().get("id").unwrap_or_default());
    let bucket = params.read_untracked().get("bucket").unwrap_or_default();
    let key = query.read_untracked().get("key").unwrap_or_default();
    let restore = ServerAction::<RestoreVersion>::new();
    let details = {
        let (u, b, k) = (usecase_id.clone(), bucket.clone(), key.clone());
        // Read again after a restore: the file's content and versions changed.
        Resource::new(move || restore.version().get(), move |_| file_details(u.clone(), b.clone(), k.clone()))
    };
    let name = key.rsplit('/').next().unwrap_or(&key).to_owned();
    let folder = key[..key.len() - name.len()].to_owned();
    let back = folder_href(&usecase_id, &bucket, &folder);
    let download = crate::url::bucket_href(&usecase_id, &bucket, &format!("download?key={}", encode(&key)));
    view! {
        <h1>{name}</h1>
        <p>
            <a href=back>"Back to the folder"</a>
        </p>
        <Transition fallback=|| view! { <p>"Reading the file's details…"</p> }>
            {move || {
                let download = download.clone();
                let (u, b, k) = (usecase_id.clone(), bucket.clone(), key.clone());
                Suspend::new(async move {
                    match details.await {
                        Ok(d) => {
                            let may_write = d.rights.write;
                            view! {
                                <Facts d=d.clone() download />
                                <PreviewOf preview=d.preview />
                                <VersionsOf usecase_id=u bucket=b key=k versions=d.versions may_write restore />
                            }
                            .into_any()
                        }
                        Err(AppError::Denied) => view! { <NoAccess /> }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn Facts(d: ObjectDetails, download: String) -> impl IntoView {
    let uri = d.s3_uri();
    let copied = RwSignal::new(false);
    let copy = {
        let uri = uri.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().navigator().clipboard().write_text(&uri);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &uri;
        }
    };
    let pairs = |pairs: Vec<(String, String)>| {
        pairs.into_iter().map(|(k, v)| view! { <li><code>{k}</code> " = " {v}</li> }).collect_view()
    };
    let tags = match d.tags {
        None => view! { <p>"This storage keeps no tags."</p> }.into_any(),
        Some(t) if t.is_empty() => view! { <p>"None."</p> }.into_any(),
        Some(t) => view! { <ul aria-label="Tags">{pairs(t)}</ul> }.into_any(),
    };
    let metadata = if d.metadata.is_empty() {
        view! { <p>"None."</p> }.into_any()
    } else {
        view! { <ul aria-label="Metadata">{pairs(d.metadata)}</ul> }.into_any()
    };
    view! {
        <div class="toolbar" role="group" aria-label="File actions">
            {d.rights.read.then(|| view! { <a href=download download="">"Download"</a> })}
        </div>
        <div class="field">
            <label for="s3-uri">"S3 URI"</label>
            <input id="s3-uri" readonly value=uri.clone() />
            <button type="button" on:click=copy>"Copy S3 URI"</button>
            <span role="status">{move || copied.get().then_some("Copied.")}</span>
        </div>
        <dl class="facts" aria-label="File details">
            <dt>"Key"</dt>
            <dd><code>{d.key.clone()}</code></dd>
            <dt>"Size"</dt>
            <dd>{format!("{} ({} bytes)", format_size(d.size), d.size)}</dd>
            <dt>"Content type"</dt>
            <dd>{d.content_type.unwrap_or_else(|| "not set".into())}</dd>
            <dt>"Last modified"</dt>
            <dd>{d.last_modified.map(|at| view! { <LocalTime at /> })}</dd>
            <dt>"ETag"</dt>
            <dd><code>{d.etag.unwrap_or_default()}</code></dd>
            <dt>"Checksum"</dt>
            <dd>{d.checksum.unwrap_or_else(|| "none kept".into())}</dd>
            <dt>"Storage class"</dt>
            <dd>{d.storage_class}</dd>
        </dl>
        <h2>"Metadata"</h2>
        {metadata}
        <h2>"Tags"</h2>
        {tags}
    }
}

#[component]
fn PreviewOf(preview: Preview) -> impl IntoView {
    let cut_note = |cut: bool| {
        cut.then(|| view! { <p>"The preview shows the first 256 KiB; download the file for the rest."</p> })
    };
    let body = match preview {
        Preview::Image { url } => view! { <img src=url alt="Preview of the image" class="preview" /> }.into_any(),
        Preview::Pdf { url } => view! {
            <p><a href=url target="_blank" rel="noopener">"Open the PDF in the browser's viewer"</a></p>
        }
        .into_any(),
        Preview::Text { text, cut } => view! {
            <pre class="preview" tabindex="0" aria-label="Text preview">{text}</pre>
            {cut_note(cut)}
        }
        .into_any(),
        Preview::Table { rows, cut } => {
            let mut rows = rows.into_iter();
            let head = rows.next().unwrap_or_default();
            view! {
                <div class="preview" tabindex="0">
                    <table aria-label="Table preview">
                        <thead><tr>{head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {rows.map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {cut_note(cut)}
            }
            .into_any()
        }
        Preview::None { reason } => view! { <p>{reason}</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview"</h2>
            {body}
        </section>
    }
}
