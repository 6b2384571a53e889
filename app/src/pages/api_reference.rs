//! "API": the REST API's reference, read from its OpenAPI document at
//! render time, so that it always describes the running portal and loads
//! nothing from elsewhere.

use crate::api::tokens::api_reference;
use crate::components::session::ErrorNote;
use crate::model::ApiOperation;
use leptos::prelude::*;

/// The API reference page.
#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let operations = Resource::new(|| (), |_| api_reference());
    view! {
        <h1>"Dataport API"</h1>
        <p>
            "Every call takes an access token, made on the "
            <a href="/tokens">"API tokens"</a>
            " page, as "
            <code>"Authorization: Bearer dpt_…"</code>
            ". Answers are JSON; errors are problem details ("
            <code>"application/problem+json"</code>
            ") with a "
            <code>"type"</code>
            " per kind of error and a "
            <code>"detail"</code>
            " that says what to do. Lists return a "
            <code>"next"</code>
            " cursor while there is more. "
            <a href="/api/v1/openapi.json" download="dataport-openapi.json">
                "Download the OpenAPI document"
            </a>
        </p>
        <Suspense fallback=|| view! { <p>"Loading the reference…"</p> }>
            {move || Suspend::new(async move {
                match operations.await {
                    Ok(ops) => view! { <Reference ops /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reference(ops: Vec<ApiOperation>) -> impl IntoView {
    let mut tags: Vec<String> = ops.iter().map(|o| o.tag.clone()).collect();
    tags.dedup();
    tags.sort();
    tags.dedup();
    tags.into_iter()
        .map(|tag| {
            let of_tag: Vec<ApiOperation> = ops.iter().filter(|o| o.tag == tag).cloned().collect();
            view! {
                <section aria-label=format!("{tag} calls")>
                    <h2>{tag.clone()}</h2>
                    {of_tag.into_iter().map(|op| view! { <Operation op /> }).collect_view()}
                </section>
            }
        })
        .collect_view()
}

#[component]
fn Operation(op: ApiOperation) -> impl IntoView {
    let title = format!("{} {}", op.method, op.path);
    view! {
        <article class="operation">
            <h3>
                <code>{title}</code>
            </h3>
            <p>{op.summary}</p>
            {(!op.parameters.is_empty())
                .then(|| {
                    let rows = op.parameters.into_iter().map(|p| [p.name, p.place, yes_no(p.required), p.description]);
                    view! { <Fields caption="Parameters" heads=["Name", "In", "Required", "What it is"] rows=rows.collect() /> }
                })}
            {(!op.request.is_empty())
                .then(|| {
                    let rows = op.request.into_iter().map(|f| [f.name, f.kind, yes_no(f.required), f.description]);
                    view! {
                        <Fields caption="Request body (JSON)" heads=["Field", "Type", "Required", "What it is"] rows=rows.collect() />
                    }
                })}
            <dl class="responses">
                {op
                    .responses
                    .into_iter()
                    .map(|(status, what)| view! {
                        <dt>{status}</dt>
                        <dd>{what}</dd>
                    })
                    .collect_view()}
            </dl>
        </article>
    }
}

fn yes_no(required: bool) -> String {
    if required { "yes" } else { "no" }.to_owned()
}

/// A table of named things: parameters or the fields of a body.
#[component]
fn Fields(caption: &'static str, heads: [&'static str; 4], rows: Vec<[String; 4]>) -> impl IntoView {
    view! {
        <table>
            <caption>{caption}</caption>
            <thead>
                <tr>{heads.map(|h| view! { <th scope="col">{h}</th> })}</tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|[name, b, c, d]| {
                        view! {
                            <tr>
                                <td>
                                    <code>{name}</code>
                                </td>
                                <td>{b}</td>
                                <td>{c}</td>
                                <td>{d}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
