//! Whether a browser may upload into a bucket straight from the portal's
//! pages: the bucket's CORS rules must let the portal's origin PUT with the
//! headers the upload signs, and show the browser each part's ETag. A
//! bucket the portal did not create often has no such rule; the upload
//! panel asks before the first byte, and an administrator adds the
//! portal's rule (keeping every other rule) with one button.

use super::actions::AuditAction;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, storage};
use crate::ids::UsecaseId;
use crate::model::CorsCheck;
use crate::names::{BucketName, Prefix};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::CorsRule;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an answer about a bucket's rules is trusted.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// Buckets' answers, by bucket, with when they were read.
static CHECKED: Mutex<Option<HashMap<String, (Instant, bool)>>> = Mutex::new(None);

/// Headers an upload sends that a rule must allow.
const SENT_HEADERS: [&str; 2] = ["content-type", "x-amz-checksum-crc32c"];

fn matches(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        Some((start, end)) => {
            value.len() >= start.len() + end.len() && value.starts_with(start) && value.ends_with(end)
        }
        None => pattern.eq_ignore_ascii_case(value),
    }
}

/// True when one of `rules` lets `origin` PUT the upload's headers and read the ETag.
pub fn lets_browser_upload(rules: &[CorsRule], origin: &str) -> bool {
    rules.iter().any(|r| {
        r.allowed_origins().iter().any(|o| matches(o, origin))
            && r.allowed_methods().iter().any(|m| m == "PUT")
            && SENT_HEADERS.iter().all(|h| r.allowed_headers().iter().any(|a| matches(&a.to_ascii_lowercase(), h)))
            && r.expose_headers().iter().any(|e| e.eq_ignore_ascii_case("etag"))
    })
}

async fn read_rules(client: &Client, bucket: &str) -> Result<Vec<CorsRule>, CoreError> {
    match client.get_bucket_cors().bucket(bucket).send().await {
        Ok(out) => Ok(out.cors_rules().to_vec()),
        Err(e) if e.code() == Some("NoSuchCORSConfiguration") => Ok(Vec::new()),
        Err(e) => Err(storage::storage_error("Reading the bucket's CORS rules", e)),
    }
}

fn cached(bucket: &str) -> Option<bool> {
    let guard = CHECKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    guard.as_ref()?.get(bucket).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, ok)| *ok)
}

fn remember(bucket: &str, ok: bool) {
    let mut guard = CHECKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    guard.get_or_insert_with(HashMap::new).insert(bucket.to_owned(), (Instant::now(), ok));
}

/// Whether the browser may upload into `prefix` of `bucket`; `fresh` skips the cache
/// (a first part failed like a network error).
pub async fn check(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
    prefix: &Prefix,
    fresh: bool,
) -> Result<CorsCheck, CoreError> {
    let g = Guard::new(s, p, AuditAction::CheckUploadCors);
    let (usecase, target, _) = g.object(usecase_id, bucket, prefix).await?;
    let is_admin = g.actor().await?.role == crate::model::Role::Admin;
    let allows = match cached(bucket.as_str()).filter(|_| !fresh) {
        Some(ok) => ok,
        None => {
            let client = g.s3(&target, &usecase).await?;
            let origins = &s.config.browser_origins;
            let ok = match read_rules(&client, bucket.as_str()).await {
                Ok(rules) => origins.iter().all(|o| lets_browser_upload(&rules, o)),
                Err(e) => return Err(g.fail(&target, e).await),
            };
            remember(bucket.as_str(), ok);
            ok
        }
    };
    let message = match (allows, is_admin) {
        (true, _) => String::new(),
        (false, true) => format!(
            "Browsers may not upload into {bucket} yet: its CORS rules do not let this portal send files. \
             “Allow uploads from this portal” adds the portal's rule and keeps the bucket's other rules."
        ),
        (false, false) => format!(
            "Browsers may not upload into {bucket} yet: its CORS rules do not let this portal send files. Ask an \
             administrator of your organization to allow uploads from this portal."
        ),
    };
    Ok(CorsCheck { allows, can_fix: is_admin && !allows, message })
}

/// Adds the portal's CORS rule to `bucket`, keeping its other rules.
pub async fn allow_uploads(
    s: &Services,
    p: &Principal,
    usecase_id: &UsecaseId,
    bucket: &BucketName,
) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::AllowUploadCors);
    let (usecase, target, _) = g.object(usecase_id, bucket, "").await?;
    let client = g.s3(&target, &usecase).await?;
    let done = storage::put_browser_cors(&client, bucket.as_str(), &s.config.browser_origins)
        .await
        .map_err(CoreError::Conflict);
    if done.is_ok() {
        remember(bucket.as_str(), true);
    }
    g.finish(&target, done, |_| format!("the portal's CORS rule added to {bucket}; other rules kept")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(origin: &str, headers: &[&str], expose: &[&str]) -> CorsRule {
        CorsRule::builder()
            .allowed_origins(origin)
            .allowed_methods("PUT")
            .set_allowed_headers(Some(headers.iter().map(|h| (*h).to_owned()).collect()))
            .set_expose_headers(Some(expose.iter().map(|h| (*h).to_owned()).collect()))
            .build()
            .unwrap()
    }

    #[test]
    fn a_rule_must_cover_the_origin_the_signed_headers_and_the_etag() {
        let portal = "https://data.example.com";
        assert!(lets_browser_upload(&[rule(portal, &["*"], &["ETag"])], portal));
        assert!(lets_browser_upload(&[rule("https://*.example.com", &["*"], &["ETag"])], portal));
        assert!(!lets_browser_upload(&[rule("https://other.example", &["*"], &["ETag"])], portal));
        assert!(!lets_browser_upload(&[rule(portal, &["content-type"], &["ETag"])], portal), "no checksum header");
        assert!(!lets_browser_upload(&[rule(portal, &["*"], &[])], portal), "no ETag for multipart");
        assert!(!lets_browser_upload(&[], portal));
    }
}
