//! Usecases, buckets, folders and the presigned transfers of files.

use crate::error::AppError;
use crate::model::{Listing, UsecaseSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::{Ctx, Target};
#[cfg(feature = "ssr")]
use crate::core::authz::Action;
#[cfg(feature = "ssr")]
use crate::core::db::models::Usecase;
#[cfg(feature = "ssr")]
use crate::core::storage;

#[cfg(feature = "ssr")]
pub(crate) fn summary(u: &Usecase) -> UsecaseSummary {
    UsecaseSummary {
        id: u.id.clone(),
        name: u.name.clone(),
        data_bucket: u.data_bucket().to_owned(),
        region: u.region.clone(),
        data_prefix: u.data_s3_prefix.clone().unwrap_or_default(),
        sagemaker_role_arn: u.sagemaker_execution_role_arn.clone().unwrap_or_default(),
    }
}

/// The usecases of the signed-in user's organization.
#[server(endpoint = "list_usecases")]
pub async fn list_usecases() -> Result<Vec<UsecaseSummary>, AppError> {
    use crate::core::db::schema::usecases;
    use diesel::prelude::*;
    let cx = Ctx::load().await?;
    let actor = cx.require_actor("usecase.list").await?;
    let target = Target::Tenant(actor.tenant_id.clone());
    let tenant = actor.tenant_id.clone();
    let found = cx
        .state
        .db
        .run(move |c| {
            Ok(usecases::table
                .filter(usecases::tenant_id.eq(tenant))
                .order(usecases::name.asc())
                .select(Usecase::as_select())
                .load(c)?)
        })
        .await?;
    let mut visible = Vec::new();
    for u in found {
        if cx.authorize("usecase.list", Action::ViewUsecase, &Target::Usecase(u.clone())).await.is_ok() {
            visible.push(summary(&u));
        }
    }
    cx.finish("usecase.list", &target, Ok(visible), |v| format!("{} usecases", v.len())).await
}

/// One usecase.
#[server(endpoint = "get_usecase")]
pub async fn get_usecase(usecase_id: String) -> Result<UsecaseSummary, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("usecase.view", &usecase_id).await?;
    let target = Target::Usecase(usecase.clone());
    cx.authorize("usecase.view", Action::ViewUsecase, &target).await?;
    cx.finish("usecase.view", &target, Ok(summary(&usecase)), |_| String::new()).await
}

/// Buckets of a usecase that the user may see.
#[server(endpoint = "list_buckets")]
pub async fn list_buckets(usecase_id: String) -> Result<Vec<String>, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("bucket.list", &usecase_id).await?;
    let target = Target::Usecase(usecase.clone());
    let scope = cx.authorize("bucket.list", Action::ListBuckets, &target).await?;
    let client = cx.s3("bucket.list", &target, &usecase).await?;
    let result = storage::list_buckets(&client)
        .await
        .map(|all| all.into_iter().filter(|b| scope.shows_bucket(b)).collect::<Vec<_>>());
    cx.finish("bucket.list", &target, result, |v| format!("{} buckets", v.len())).await
}

/// One page of a folder: sub-folders and files the user may see.
#[server(endpoint = "list_objects")]
pub async fn list_objects(
    usecase_id: String,
    bucket: String,
    prefix: String,
    token: Option<String>,
    filter: Option<String>,
) -> Result<Listing, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("object.list", &usecase_id).await?;
    storage::validate_prefix(&prefix)?;
    // S3 filters by key prefix only, so a name filter matches the start of a name.
    let filter = filter.unwrap_or_default();
    if filter.contains('/') || filter.chars().any(char::is_control) {
        return Err(AppError::Invalid("A name filter cannot contain “/”; open the folder instead.".into()));
    }
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: prefix.clone() };
    let scope = cx.authorize("object.list", Action::ListObjects, &target).await?;
    let search = format!("{prefix}{filter}");
    let client = cx.s3("object.list", &target, &usecase).await?;
    let result = storage::list_folder(&client, &bucket, &search, token).await.map(|mut l| {
        l.prefix = prefix.clone();
        l.folders.retain(|f| scope.shows_folder(&bucket, f));
        l.files.retain(|f| scope.shows_key(&bucket, &f.key));
        l
    });
    cx.finish("object.list", &target, result, |l| format!("{} folders, {} files", l.folders.len(), l.files.len())).await
}

/// A short-lived URL that downloads one object straight from S3.
#[server(endpoint = "download_url")]
pub async fn download_url(usecase_id: String, bucket: String, key: String) -> Result<String, AppError> {
    let cx = Ctx::load().await?;
    let usecase = cx.usecase("object.download", &usecase_id).await?;
    storage::validate_key(&key)?;
    let target = Target::Object { usecase: usecase.clone(), bucket: bucket.clone(), key: key.clone() };
    cx.authorize("object.download", Action::ReadObject, &target).await?;
    let client = cx.s3("object.download", &target, &usecase).await?;
    let result = storage::presign_download(&client, &bucket, &key).await;
    cx.finish("object.download", &target, result, |_| "presigned download issued".into()).await
}
