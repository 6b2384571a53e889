//! CORS for the embedded endpoint, from each bucket's stored rules: answers
//! preflights and adds the headers to responses, so that the browser can
//! PUT to presigned URLs and read the `ETag`.

use super::settings::BucketSettings;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use s3s::dto::{CORSConfiguration, CORSRule};
use std::sync::Arc;

fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == origin,
        Some((head, tail)) => {
            origin.len() >= head.len() + tail.len() && origin.starts_with(head) && origin.ends_with(tail)
        }
    }
}

fn find_rule<'a>(config: &'a CORSConfiguration, origin: &str, method: &str) -> Option<&'a CORSRule> {
    config.cors_rules.iter().find(|r| {
        r.allowed_origins.iter().any(|o| origin_matches(o, origin)) && r.allowed_methods.iter().any(|m| m == method)
    })
}

fn headers_allowed(rule: &CORSRule, requested: &str) -> bool {
    let allowed = rule.allowed_headers.as_deref().unwrap_or_default();
    requested
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .all(|h| allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(&h)))
}

fn add_cors_headers(headers: &mut HeaderMap, rule: &CORSRule, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(expose) = rule.expose_headers.as_ref().filter(|e| !e.is_empty())
        && let Ok(v) = HeaderValue::from_str(&expose.join(", "))
    {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
}

/// The bucket a request names, if its first path segment is a valid bucket name.
fn bucket_of(path: &str) -> Option<&str> {
    path.trim_start_matches('/').split('/').next().filter(|b| app::rules::bucket_name_problem(b).is_none())
}

fn forbidden() -> Response {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>";
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// Middleware in front of the S3 service.
pub async fn apply(State(settings): State<Arc<BucketSettings>>, req: Request<Body>, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin else { return next.run(req).await };
    let origin_str = origin.to_str().unwrap_or_default().to_owned();
    let bucket = bucket_of(req.uri().path()).map(str::to_owned);
    let config = match &bucket {
        Some(b) => settings.cors(b).await,
        None => None,
    };

    let preflight_method = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD).cloned();
    if req.method() == Method::OPTIONS
        && let Some(method) = preflight_method
    {
        let method = method.to_str().unwrap_or_default();
        let requested = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let Some(rule) = config.as_ref().and_then(|c| find_rule(c, &origin_str, method)) else { return forbidden() };
        if !headers_allowed(rule, &requested) {
            return forbidden();
        }
        let mut resp = StatusCode::OK.into_response();
        let h = resp.headers_mut();
        add_cors_headers(h, rule, &origin);
        if let Ok(v) = HeaderValue::from_str(&rule.allowed_methods.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if !requested.is_empty()
            && let Ok(v) = HeaderValue::from_str(&requested)
        {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Some(age) = rule.max_age_seconds {
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        return resp;
    }

    let method = req.method().as_str().to_owned();
    let mut resp = next.run(req).await;
    if let Some(rule) = config.as_ref().and_then(|c| find_rule(c, &origin_str, &method)) {
        add_cors_headers(resp.headers_mut(), rule, &origin);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::origin_matches;

    #[test]
    fn origins_match_exactly_or_by_one_wildcard() {
        assert!(origin_matches("http://127.0.0.1:3000", "http://127.0.0.1:3000"));
        assert!(!origin_matches("http://127.0.0.1:3000", "http://127.0.0.1:3001"));
        assert!(origin_matches("*", "https://evil.example"));
        assert!(origin_matches("https://*.example.com", "https://a.example.com"));
        assert!(!origin_matches("https://*.example.com", "https://example.org"));
    }
}
