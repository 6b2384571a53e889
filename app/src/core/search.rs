//! Search by part of a name through a folder and everything below it: S3
//! listed without a delimiter, a stretch of keys at a time, so that a
//! page can show what each stretch found and go on (or stop) from there.

use super::CoreError;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::storage::{self, storage_error};
use crate::core::actions::AuditAction;
use crate::ids::UsecaseId;
use crate::model::SearchPage;
use crate::names::{BucketName, Prefix};

/// Keys one stretch of a search looks at: ten of S3's listing pages.
pub const KEYS_PER_STRETCH: u64 = 10_000;
/// Matches one stretch hands back at most; the next stretch starts after the last.
pub const MATCHES_PER_STRETCH: usize = 500;

/// What to search for, and where.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The usecase whose storage holds the bucket.
    pub usecase_id: UsecaseId,
    /// Bucket name.
    pub bucket: BucketName,
    /// The folder searched, with everything below it.
    pub prefix: Prefix,
    /// Part of a name, matched without regard to case.
    pub words: String,
    /// Where the previous stretch stopped.
    pub token: Option<String>,
}

/// One stretch of the search: the files it found that the principal may see.
pub async fn search(s: &Services, p: &Principal, q: SearchQuery) -> Result<SearchPage, CoreError> {
    let g = Guard::new(s, p, AuditAction::SearchObjects);
    let words = q.words.trim().to_lowercase();
    if words.is_empty() || words.chars().count() > 200 || words.chars().any(char::is_control) {
        let refused = Err(CoreError::Invalid("Type part of a name to search for (at most 200 characters).".into()));
        return g.screened(refused).await;
    }
    let (bucket, prefix) = (q.bucket.to_string(), q.prefix.to_string());
    let (usecase, target, scope) = g.object(&q.usecase_id, &bucket, &prefix).await?;
    let client = g.s3(&target, &usecase).await?;
    let rights = g.rights_at(&usecase, &bucket, &prefix).await?;
    // The token is S3's continuation token, or `after:<key>` when a stretch
    // stopped on its match limit inside one of S3's pages.
    let token = q.token.filter(|t| !t.is_empty());
    let (mut continuation, mut start_after) = match token.as_deref().map(|t| t.strip_prefix("after:")) {
        Some(Some(key)) => (None, Some(key.to_owned())),
        Some(None) => (token, None),
        None => (None, None),
    };
    let mut page = SearchPage { files: Vec::new(), scanned: 0, next_token: None, rights };
    let result = loop {
        let out = client
            .list_objects_v2()
            .bucket(&bucket)
            .prefix(&prefix)
            .set_start_after(start_after.take())
            .set_continuation_token(continuation.take())
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => break Err(storage_error("Searching the folder", e)),
        };
        for o in out.contents() {
            page.scanned += 1;
            let Some(found) = storage::entry(o) else { continue };
            if found.name.is_empty()
                || !found.name.to_lowercase().contains(&words)
                || !scope.shows_key(&bucket, &found.key)
            {
                continue;
            }
            page.files.push(found);
            if page.files.len() >= MATCHES_PER_STRETCH {
                page.next_token = page.files.last().map(|f| format!("after:{}", f.key));
                break;
            }
        }
        if page.next_token.is_some() {
            break Ok(page);
        }
        continuation = out.next_continuation_token().map(str::to_owned);
        if continuation.is_none() || page.scanned >= KEYS_PER_STRETCH {
            page.next_token = continuation;
            break Ok(page);
        }
    };
    g.finish(&target, result, |p| format!("“{words}”: {} found in {} keys", p.files.len(), p.scanned)).await
}
