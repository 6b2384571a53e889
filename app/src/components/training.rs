//! Training access (US-5): the usecase's SageMaker execution role, and the
//! bucket-policy statements that let it read a bucket.

use crate::api::buckets::{ApplyTrainingAccess, SetTrainingRole, show_training_access};
use crate::components::field::CheckedField;
use crate::components::session::ErrorNote;
use crate::ids::UsecaseId;
use crate::rules::role_arn_problem;
use leptos::prelude::*;

/// The form that sets the usecase's SageMaker execution role.
#[component]
pub fn TrainingRoleForm(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// The role set now (may be empty).
    current: String,
) -> impl IntoView {
    let arn = RwSignal::new(current);
    let action = ServerAction::<SetTrainingRole>::new();
    let problem = move || arn.with(|a| if a.is_empty() { None } else { role_arn_problem(a) });
    view! {
        <section class="panel" aria-labelledby="training-role-heading">
            <h2 id="training-role-heading">"Training access"</h2>
            <CheckedField
                id="training-role"
                label="SageMaker execution role ARN"
                value=arn
                check=role_arn_problem
                hint="The role that trains on this usecase's data; leave empty for none."
                class="wide"
            />
            <button
                type="button"
                disabled=move || problem().is_some() || action.pending().get()
                on:click=move |_| {
                    action
                        .dispatch(SetTrainingRole {
                            usecase_id: usecase_id.get_untracked(),
                            role_arn: arn.get_untracked(),
                        });
                }
            >
                "Save role"
            </button>
            <p role="status">
                {move || {
                    action
                        .value()
                        .get()
                        .and_then(Result::ok)
                        .map(|u| {
                            if u.sagemaker_role_arn.is_empty() {
                                "No SageMaker role is set.".to_owned()
                            } else {
                                format!("Saved: {}", u.sagemaker_role_arn)
                            }
                        })
                }}
            </p>
            {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}

/// Shows the statements a bucket needs for training, and applies them.
#[component]
pub fn TrainingAccessPanel(
    /// Usecase id.
    usecase_id: Signal<UsecaseId>,
    /// Bucket name.
    bucket: Signal<String>,
) -> impl IntoView {
    let access = Resource::new(move || (usecase_id.get(), bucket.get()), |(u, b)| show_training_access(u, b));
    let apply = ServerAction::<ApplyTrainingAccess>::new();
    view! {
        <section class="panel" aria-labelledby="training-access-heading">
            <h2 id="training-access-heading">"Training access to this bucket"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match access.await {
                        Ok(a) if a.role_arn.is_none() => {
                            view! {
                                <p>
                                    "This usecase has no SageMaker execution role. Set one on the usecase page first."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(a) => {
                            view! {
                                <p>"Bucket-policy statements for " <code>{a.role_arn.unwrap_or_default()}</code> ":"</p>
                                <pre aria-label="Policy statements">{a.statements}</pre>
                                <button
                                    type="button"
                                    disabled=move || apply.pending().get()
                                    on:click=move |_| {
                                        apply
                                            .dispatch(ApplyTrainingAccess {
                                                usecase_id: usecase_id.get_untracked(),
                                                bucket: bucket.get_untracked(),
                                            });
                                    }
                                >
                                    "Apply to this bucket"
                                </button>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })}
            </Suspense>
            <p role="status">
                {move || {
                    apply
                        .value()
                        .get()
                        .and_then(Result::ok)
                        .map(|c| format!("{}: applied — {}. Other statements were kept.", c.setting, c.message))
                }}
            </p>
            {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}
