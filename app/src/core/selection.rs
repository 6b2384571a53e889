//! What a person picks in a folder: keys named one by one and folders with
//! everything under them, of one bucket. Deleting and downloading as one
//! archive both take a selection: every name is authorized before anything
//! happens, and the folders are expanded into the keys S3 holds under them.

use super::CoreError;
use super::db::models::Usecase;
use super::guard::{Guard, Target};
use super::storage::storage_error;
use crate::ids::UsecaseId;
use crate::names::{BucketName, ObjectKey, Prefix};
use aws_sdk_s3::Client;

/// Keys and folders of one bucket.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The usecase whose storage holds them.
    pub usecase_id: UsecaseId,
    /// Bucket.
    pub bucket: BucketName,
    /// Objects named one by one.
    pub keys: Vec<ObjectKey>,
    /// Folders, with everything under them.
    pub folders: Vec<Prefix>,
}

impl Selection {
    /// Every name, keys first.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.keys.iter().map(ObjectKey::to_string).chain(self.folders.iter().map(Prefix::to_string))
    }
}

/// Authorizes the guard's action on every named key and folder (a folder's
/// right covers everything under it); `nothing_chosen` is the message for
/// an empty selection. One refused name refuses the whole selection.
pub async fn authorize_all(
    g: &Guard<'_>,
    sel: &Selection,
    nothing_chosen: &str,
) -> Result<(Usecase, Target), CoreError> {
    let Some(first) = sel.names().next() else {
        return g.screened(Err(CoreError::Invalid(nothing_chosen.into()))).await;
    };
    let (usecase, target, _) = g.object(&sel.usecase_id, sel.bucket.as_str(), &first).await?;
    for name in sel.names().skip(1) {
        let each = Target::Object { usecase: usecase.clone(), bucket: sel.bucket.to_string(), key: name };
        g.authorize(&each).await?;
    }
    Ok((usecase, target))
}

/// Every key the selection reaches, with its size, read from S3, sorted;
/// more than `max` keys is refused with `too_many`.
pub async fn expand(
    client: &Client,
    sel: &Selection,
    max: usize,
    too_many: &str,
) -> Result<Vec<(String, i64)>, CoreError> {
    let mut found: Vec<(String, i64)> = Vec::new();
    for key in &sel.keys {
        let head = client.head_object().bucket(sel.bucket.as_str()).key(key.as_str()).send().await;
        match head {
            Ok(h) => found.push((key.to_string(), h.content_length().unwrap_or(0))),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(storage_error("Reading the object", e)),
        }
    }
    for folder in &sel.folders {
        let mut token = None;
        loop {
            let page = client
                .list_objects_v2()
                .bucket(sel.bucket.as_str())
                .prefix(folder.as_str())
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| storage_error("Listing the folder", e))?;
            found.extend(page.contents().iter().filter_map(|o| Some((o.key()?.to_owned(), o.size().unwrap_or(0)))));
            if found.len() > max {
                return Err(CoreError::Invalid(too_many.into()));
            }
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
