//! Every `x-amz-*` header must be signed, as on S3. s3s checks a signature
//! over the headers it names and routes on the others: a presigned PUT
//! with an unsigned `x-amz-copy-source` would become a copy of any object.
//! S3 answers such a request with 403 and `HeadersNotSigned`; so does this.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The headers the request's signature covers, lower case: from the
/// `Authorization` header, or from `X-Amz-SignedHeaders` of a presigned URL.
fn signed_headers(headers: &HeaderMap, query: &str) -> Vec<String> {
    let from_authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|auth| {
        auth.split([',', ' ']).find_map(|part| part.trim().strip_prefix("SignedHeaders=")).map(str::to_owned)
    });
    let from_query = || {
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            // Header names need no escaping but the `;` between them.
            k.eq_ignore_ascii_case("X-Amz-SignedHeaders").then(|| v.replace("%3B", ";").replace("%3b", ";"))
        })
    };
    from_authorization
        .or_else(from_query)
        .map(|list| list.split(';').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect())
        .unwrap_or_default()
}

/// The `x-amz-*` headers of a request that its signature does not cover.
pub fn unsigned_amz_headers(headers: &HeaderMap, query: &str) -> Vec<String> {
    let signed = signed_headers(headers, query);
    let mut unsigned: Vec<String> = headers
        .keys()
        .map(|name| name.as_str().to_ascii_lowercase())
        .filter(|name| name.starts_with("x-amz-") && !signed.contains(name))
        .collect();
    unsigned.dedup();
    unsigned
}

fn headers_not_signed(names: &[String]) -> Response {
    let list: String = names.iter().map(|n| format!("<HeadersNotSigned>{n}</HeadersNotSigned>")).collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>\
         <Message>There were headers present in the request which were not signed</Message>{list}</Error>"
    );
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// Middleware in front of the S3 service: refuses a request that carries
/// an `x-amz-*` header its signature does not cover.
pub async fn require(req: Request<Body>, next: Next) -> Response {
    let unsigned = unsigned_amz_headers(req.headers(), req.uri().query().unwrap_or_default());
    if !unsigned.is_empty() {
        return headers_not_signed(&unsigned);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_presigned_url_covers_only_the_headers_it_names() {
        let query =
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=host%3Bx-amz-checksum-crc32c&X-Amz-Signature=ab";
        let h = headers(&[("host", "s3"), ("x-amz-checksum-crc32c", "AAAAAA==")]);
        assert!(unsigned_amz_headers(&h, query).is_empty());
        let h = headers(&[("host", "s3"), ("x-amz-checksum-crc32c", "AAAAAA=="), ("x-amz-copy-source", "/b/k")]);
        assert_eq!(unsigned_amz_headers(&h, query), vec!["x-amz-copy-source"]);
    }

    #[test]
    fn a_signed_request_covers_the_headers_of_its_authorization() {
        let h = headers(&[
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request, \
                 SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=ab",
            ),
            ("x-amz-date", "20260101T000000Z"),
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ]);
        assert!(unsigned_amz_headers(&h, "").is_empty());
        let mut more = h.clone();
        more.insert("x-amz-copy-source-range", HeaderValue::from_static("bytes=0-1"));
        assert_eq!(unsigned_amz_headers(&more, ""), vec!["x-amz-copy-source-range"]);
    }

    #[test]
    fn an_unsigned_request_may_carry_no_amz_header() {
        assert_eq!(unsigned_amz_headers(&headers(&[("x-amz-acl", "public-read")]), ""), vec!["x-amz-acl"]);
        assert!(unsigned_amz_headers(&headers(&[("content-type", "text/plain")]), "").is_empty());
    }
}
