//! Finding data: the usecases of an organization, their buckets, the
//! folders and files inside, and presigned downloads — each shown only as
//! far as the principal's rights reach.

use super::db::models::Usecase;
use super::db::schema::usecases;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::usecase_buckets;
use super::{CoreError, storage};
use crate::core::actions::AuditAction;
use crate::ids::UsecaseId;
use crate::model::{Listing, UsecaseSummary};
use crate::names::{BucketName, ObjectKey, Prefix};
use diesel::prelude::*;

/// What a page shows of a usecase.
pub fn summary(u: &Usecase) -> UsecaseSummary {
    UsecaseSummary {
        id: u.id.clone(),
        name: u.name.clone(),
        data_bucket: u.data_bucket().to_owned(),
        region: u.region.clone(),
        data_prefix: u.data_s3_prefix.clone().unwrap_or_default(),
        sagemaker_role_arn: u.sagemaker_execution_role_arn.clone().unwrap_or_default(),
    }
}

/// The usecases of the principal's organization that it may open.
pub async fn list_usecases(s: &Services, p: &Principal) -> Result<Vec<UsecaseSummary>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListUsecases);
    let actor = g.actor().await?;
    let target = Target::Tenant(actor.tenant_id.clone());
    let tenant = actor.tenant_id.clone();
    let found =
        s.db.run(move |c| {
            Ok(usecases::table
                .filter(usecases::tenant_id.eq(tenant))
                .order(usecases::name.asc())
                .select(Usecase::as_select())
                .load(c)?)
        })
        .await?;
    let mut visible = Vec::new();
    for u in found {
        if g.authorize(&Target::Usecase(u.clone())).await.is_ok() {
            visible.push(summary(&u));
        }
    }
    g.finish(&target, Ok(visible), |v| format!("{} usecases", v.len())).await
}

/// One usecase.
pub async fn get_usecase(s: &Services, p: &Principal, usecase_id: &UsecaseId) -> Result<UsecaseSummary, CoreError> {
    let g = Guard::new(s, p, AuditAction::ViewUsecase);
    let usecase = g.usecase(usecase_id).await?;
    let target = Target::Usecase(usecase.clone());
    g.authorize(&target).await?;
    g.finish(&target, Ok(summary(&usecase)), |_| String::new()).await
}

/// The buckets of a usecase that the principal may see.
pub async fn list_buckets(s: &Services, p: &Principal, usecase_id: &UsecaseId) -> Result<Vec<String>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListBuckets);
    let usecase = g.usecase(usecase_id).await?;
    let target = Target::Usecase(usecase.clone());
    let scope = g.authorize(&target).await?;
    let u = usecase.clone();
    let result =
        s.db.run(move |c| usecase_buckets::list(c, &u))
            .await
            .map(|all| all.into_iter().filter(|b| scope.shows_bucket(b)).collect::<Vec<_>>());
    g.finish(&target, result, |v| format!("{} buckets", v.len())).await
}

/// Which folder to list, and how.
#[derive(Debug, Clone)]
pub struct FolderQuery {
    /// The usecase whose storage holds the bucket.
    pub usecase_id: UsecaseId,
    /// Bucket name.
    pub bucket: BucketName,
    /// The folder.
    pub prefix: Prefix,
    /// S3's continuation token for the next page.
    pub token: Option<String>,
    /// Only names starting with this.
    pub filter: Option<String>,
}

/// One page of a folder: the sub-folders and files the principal may see.
pub async fn list_objects(s: &Services, p: &Principal, q: FolderQuery) -> Result<Listing, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListObjects);
    // S3 filters by key prefix only, so a name filter matches the start of a name.
    let filter = q.filter.unwrap_or_default();
    if filter.contains('/') || filter.chars().any(char::is_control) {
        let refused = Err(CoreError::Invalid("A name filter cannot contain “/”; open the folder instead.".into()));
        return g.screened(refused).await;
    }
    let (bucket, prefix) = (q.bucket.to_string(), q.prefix.to_string());
    let (usecase, target, scope) = g.object(&q.usecase_id, &bucket, &prefix).await?;
    let client = g.s3(&target, &usecase).await?;
    let rights = g.rights_at(&usecase, &bucket, &prefix).await?;
    let result = storage::list_folder(&client, &bucket, &format!("{prefix}{filter}"), q.token).await.map(|mut l| {
        l.prefix = prefix.clone();
        l.rights = rights;
        l.folders.retain(|f| scope.shows_folder(&bucket, f));
        l.files.retain(|f| scope.shows_key(&bucket, &f.key));
        l
    });
    g.finish(&target, result, |l| format!("{} folders, {} files", l.folders.len(), l.files.len())).await
}

/// A short-lived URL that downloads one object (its latest version, or
/// `version`) straight from S3.
pub async fn download_url(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    key: &ObjectKey,
    version: Option<&str>,
) -> Result<String, CoreError> {
    let g = Guard::new(s, p, AuditAction::Download);
    if let Some(version) = version {
        g.screened(super::versions::checked_version(version)).await?;
    }
    let (usecase, target, _) = g.object(usecase_id, bucket, key).await?;
    let client = g.s3(&target, &usecase).await?;
    let result = storage::presign_download(&client, bucket, key, version).await;
    g.finish(&target, result, |_| match version {
        Some(v) => format!("presigned download of version {v} issued"),
        None => "presigned download issued".into(),
    })
    .await
}
