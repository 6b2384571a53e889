//! Creating and changing a usecase: where its data lives, the role the
//! portal assumes, and a verification that must pass before it is saved.

use crate::api::usecases::{SaveUsecase, load_usecase_setup};
use crate::components::checklist::Checklist;
use crate::components::session::{ErrorNote, RequireUser};
use crate::ids::UsecaseId;
use crate::model::{REGIONS, SaveOutcome, UsecaseForm, UsecaseSetup};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/usecases/new`.
#[component]
pub fn NewUsecasePage() -> impl IntoView {
    view! {
        <RequireUser admin=true>
            <EditorLoader id=None />
        </RequireUser>
    }
}

/// `/usecases/:id/settings`.
#[component]
pub fn UsecaseSettingsPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <RequireUser admin=true>
            {move || view! { <EditorLoader id=params.read().get("id").map(UsecaseId::from) /> }}
        </RequireUser>
    }
}

#[component]
fn EditorLoader(id: Option<UsecaseId>) -> impl IntoView {
    let setup = Resource::new(move || id.clone(), load_usecase_setup);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! { <UsecaseEditor setup /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

type Getter = fn(&UsecaseForm) -> String;
type Setter = fn(&mut UsecaseForm, String);

#[component]
fn TextField(
    form: RwSignal<UsecaseForm>,
    id: &'static str,
    label: &'static str,
    get: Getter,
    set: Setter,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field wide">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                aria-describedby=hint_id.clone()
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
            />
            <p id=hint_id class="hint">{hint}</p>
        </div>
    }
}

#[component]
fn UsecaseEditor(setup: UsecaseSetup) -> impl IntoView {
    let is_new = setup.form.id.is_none();
    let form = RwSignal::new(setup.form.clone());
    let save = ServerAction::<SaveUsecase>::new();
    Effect::new(move |_| {
        if let Some(Ok(SaveOutcome { saved: true, usecase_id: Some(id), .. })) = save.value().get() {
            let _ = window().location().set_href(&format!("/usecases/{id}"));
        }
    });
    let separate = move || form.with(|f| f.separate_data_account);
    let outcome = move || match save.value().get() {
        Some(Ok(o)) => {
            let words = if o.saved {
                "Verified and saved."
            } else {
                "Not saved: a verification step failed. Fix it and verify again."
            };
            view! {
                <p role="status">{words}</p>
                <Checklist checks=o.checks label="Verification" ok_word="passed" />
            }
            .into_any()
        }
        Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
        None => ().into_any(),
    };
    let last = setup.verified_at.clone().map(|when| {
        let checks = setup.checks.clone();
        view! {
            <h2>"Last verification"</h2>
            <p>{format!("Verified at {when}")}</p>
            <Checklist checks label="Last verification" ok_word="passed" />
        }
    });
    view! {
        <h1>{if is_new { "New usecase" } else { "Usecase settings" }}</h1>
        <TextField form id="uc-name" label="Name" get=|f| f.name.clone() set=|f, v| f.name = v />
        <TextField
            form
            id="uc-account"
            label="UseCase account id"
            get=|f| f.account_id.clone()
            set=|f, v| f.account_id = v
            hint="The 12-digit AWS account of the usecase."
        />
        <TextField
            form
            id="uc-bucket"
            label="UseCase bucket"
            get=|f| f.s3_bucket.clone()
            set=|f, v| f.s3_bucket = v
        />
        <TextField
            form
            id="uc-role"
            label="Cross-account role ARN"
            get=|f| f.cross_account_role_arn.clone()
            set=|f, v| f.cross_account_role_arn = v
            hint="Leave empty to use the portal's own credentials (the portal runs in this account)."
        />
        <div class="field">
            <label for="uc-region">"Region"</label>
            <select
                id="uc-region"
                prop:value=move || form.with(|f| f.region.clone())
                on:change=move |ev| form.update(|f| f.region = event_target_value(&ev))
            >
                {REGIONS.iter().map(|r| view! { <option value=*r>{*r}</option> }).collect_view()}
            </select>
        </div>
        <fieldset>
            <legend>"Data location"</legend>
            <label>
                <input
                    type="radio"
                    name="data-location"
                    checked=!setup.form.separate_data_account
                    prop:checked=move || !separate()
                    on:change=move |_| form.update(|f| f.separate_data_account = false)
                />
                "Same as UseCase account"
            </label>
            <label>
                <input
                    type="radio"
                    name="data-location"
                    checked=setup.form.separate_data_account
                    prop:checked=separate
                    on:change=move |_| form.update(|f| f.separate_data_account = true)
                />
                "Separate data account"
            </label>
        </fieldset>
        <Show when=separate>
            <TextField
                form
                id="uc-data-account"
                label="Data account id"
                get=|f| f.data_account_id.clone()
                set=|f, v| f.data_account_id = v
            />
            <TextField
                form
                id="uc-data-role"
                label="Data account role ARN"
                get=|f| f.data_account_role_arn.clone()
                set=|f, v| f.data_account_role_arn = v
            />
        </Show>
        <TextField
            form
            id="uc-data-bucket"
            label="Default data bucket"
            get=|f| f.data_s3_bucket.clone()
            set=|f, v| f.data_s3_bucket = v
            hint="Leave empty to keep the data in the UseCase bucket."
        />
        <TextField
            form
            id="uc-data-prefix"
            label="Default data prefix"
            get=|f| f.data_s3_prefix.clone()
            set=|f, v| f.data_s3_prefix = v
            hint="A folder such as training/ (ends with /), or empty for the whole bucket."
        />
        <TextField
            form
            id="uc-sagemaker"
            label="SageMaker execution role ARN"
            get=|f| f.sagemaker_role_arn.clone()
            set=|f, v| f.sagemaker_role_arn = v
        />
        <button
            type="button"
            disabled=move || save.pending().get()
            on:click=move |_| {
                save.dispatch(SaveUsecase { form: form.get_untracked() });
            }
        >
            "Verify and save"
        </button>
        {outcome}
        {last}
        <section class="panel" aria-labelledby="role-setup-heading">
            <h2 id="role-setup-heading">"Role setup"</h2>
            <p>
                "External ID of the cross-account role: " <code>{setup.external_id.clone()}</code>
            </p>
            <p>
                "External ID of the data-account role: " <code>{setup.data_account_external_id.clone()}</code>
            </p>
            <p class="hint">"Dataport generates these; every role assumption sends them."</p>
            <h3>"Trust policy of the cross-account role"</h3>
            <pre aria-label="Trust policy of the cross-account role">{setup.trust_policy.clone()}</pre>
            <h3>"Trust policy of the data-account role"</h3>
            <pre aria-label="Trust policy of the data-account role">{setup.data_trust_policy.clone()}</pre>
            <h3>"Permissions policy"</h3>
            <pre aria-label="Permissions policy">{setup.permissions_policy.clone()}</pre>
            <h3>"CloudFormation template for the data account"</h3>
            <pre aria-label="CloudFormation template">{setup.cloudformation.clone()}</pre>
        </section>
    }
}
