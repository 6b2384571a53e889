//! One usecase: its buckets.

use crate::api::data::{get_usecase, list_buckets};
use crate::api::usecases::ReverifyUsecase;
use crate::components::buckets::BucketCreator;
use crate::components::checklist::Checklist;
use crate::components::encode;
use crate::components::session::{ErrorNote, RequireUser, use_is_admin};
use crate::components::training::TrainingRoleForm;
use crate::ids::UsecaseId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The usecase page.
#[component]
pub fn UsecasePage() -> impl IntoView {
    view! {
        <RequireUser>
            <UsecaseBuckets />
        </RequireUser>
    }
}

#[component]
fn UsecaseBuckets() -> impl IntoView {
    let params = use_params_map();
    let id = move || UsecaseId::from(params.read().get("id").unwrap_or_default());
    let usecase = Resource::new(id, get_usecase);
    let refresh = RwSignal::new(0_u32);
    let buckets = Resource::new(move || (id(), refresh.get()), |(id, _)| list_buckets(id));
    let is_admin = use_is_admin();
    // The usecase's region once the page has loaded it. A server render must
    // not read the resource outside the Suspense that awaits it (the render
    // stalls until a timeout), and has nothing loaded yet anyway.
    let default_region = move || {
        let loaded = if cfg!(feature = "hydrate") { usecase.get_untracked().and_then(Result::ok) } else { None };
        loaded.map(|u| u.region).unwrap_or_else(|| "us-east-1".into())
    };
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let usecase = match usecase.await {
                    Ok(u) => u,
                    Err(error) => return view! { <ErrorNote error /> }.into_any(),
                };
                let list = buckets.await;
                let uc_id = usecase.id.clone();
                let source = format!("s3://{}/{}", usecase.data_bucket, usecase.data_prefix);
                // The training role form reads the usecase here, in the one Suspense that awaits it:
                // a resource awaited in two Suspense boundaries can leave a server render hanging
                // (leptos-rs/leptos#4851).
                let role = usecase.sagemaker_role_arn.clone();
                let training = move || {
                    is_admin.get().then(|| view! { <TrainingRoleForm usecase_id=Signal::derive(id) current=role.clone() /> })
                };
                view! {
                    <h1>{usecase.name.clone()}</h1>
                    <p>"Data source: " <code>{source}</code></p>
                    <h2>"Buckets"</h2>
                    {match list {
                        Ok(names) if names.is_empty() => view! { <p>"You have no buckets here yet."</p> }.into_any(),
                        Ok(names) => {
                            view! {
                                <ul class="cards">
                                    {names
                                        .into_iter()
                                        .map(|b| {
                                            let href = format!("/usecases/{}/buckets/{}", uc_id, encode(&b));
                                            view! {
                                                <li>
                                                    <a href=href>{b}</a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }}
                    {training}
                }
                    .into_any()
            })}
        </Suspense>
        // Outside the suspense, so that a refreshed bucket list keeps the checklist.
        <Show when=move || is_admin.get()>
            <VerifyAgain usecase_id=Signal::derive(id) />
            <BucketCreator
                usecase_id=Signal::derive(id)
                default_region=default_region()
                on_created=Callback::new(move |()| refresh.update(|n| *n += 1))
            />
        </Show>
    }
}

/// Settings link and a button that verifies the data access again.
#[component]
fn VerifyAgain(usecase_id: Signal<UsecaseId>) -> impl IntoView {
    let action = ServerAction::<ReverifyUsecase>::new();
    view! {
        <section class="panel" aria-labelledby="access-heading">
            <h2 id="access-heading">"Data access"</h2>
            <p>
                <a href=move || format!("/usecases/{}/settings", usecase_id.get())>"Usecase settings"</a>
            </p>
            <button
                type="button"
                disabled=move || action.pending().get()
                on:click=move |_| {
                    action.dispatch(ReverifyUsecase { usecase_id: usecase_id.get_untracked() });
                }
            >
                "Verify again"
            </button>
            {move || match action.value().get() {
                Some(Ok(checks)) => view! { <Checklist checks label="Verification" ok_word="passed" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
