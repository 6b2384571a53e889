//! Objects served by the endpoint never render as pages of its origin,
//! which shares cookies with the portal (cookies ignore ports): every
//! answer says `nosniff`, an object without a stored type goes out as
//! `application/octet-stream`, and a sandboxing policy keeps even a stored
//! `text/html` object from running script.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// Middleware in front of the S3 service.
pub async fn protect(req: Request<Body>, next: Next) -> Response {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    if reads && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    }
    resp
}
