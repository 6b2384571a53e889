//! The built site's files (`pkg/`): served precompressed, cached for a year
//! when their name carries a hash of their content, revalidated otherwise.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use leptos::config::LeptosOptions;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// The file in which `cargo leptos build` records the hashes in the site's file names.
pub const HASH_FILE: &str = "hash.txt";

/// Leptos options for a site root: hashed file names whenever the site's
/// build recorded them, so pages name the files they were built with.
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    let hash_file = hash_file(site_root);
    LeptosOptions::builder()
        .output_name("dataport")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_file.exists())
        // Leptos joins this to the binary's folder; an absolute path keeps it with the site.
        .hash_file(hash_file.to_string_lossy().into_owned().into())
        .build()
}

/// Where the site's hash file lives (absolute, wherever the portal was started).
fn hash_file(site_root: &str) -> PathBuf {
    let path = Path::new(site_root).join(HASH_FILE);
    std::path::absolute(&path).unwrap_or(path)
}

/// Serves `site_root/pkg` with the gzip and brotli copies `make` writes beside each file.
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    Router::new()
        .fallback_service(ServeDir::new(format!("{site_root}/pkg")).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn(cache_by_name))
}

/// A hashed name never changes content, so browsers keep it for a year;
/// anything else is checked with the portal on every use.
async fn cache_by_name(req: Request<Body>, next: Next) -> Response {
    let hashed = is_hashed_name(req.uri().path());
    let mut resp = next.run(req).await;
    if resp.status().is_success() {
        let policy = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    resp
}

/// `dataport.<hash>.js`: a name of three dot-separated parts whose middle is
/// the base64url content hash `cargo leptos` inserts (22 characters of MD5).
pub fn is_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    matches!(parts.as_slice(), [_, hash, "js" | "wasm" | "css"]
        if hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_name;

    #[test]
    fn only_names_with_a_content_hash_count_as_hashed() {
        assert!(is_hashed_name("/dataport.Zx3k_9QvN-2fYp1wT8sLbA.js"));
        assert!(is_hashed_name("/dataport.Zx3k_9QvN-2fYp1wT8sLbA.wasm"));
        assert!(!is_hashed_name("/dataport.js"));
        assert!(!is_hashed_name("/dataport_bg.wasm"));
        assert!(!is_hashed_name("/dataport.Zx3k_9QvN-2fYp1wT8sLbA.d.ts"));
        assert!(!is_hashed_name("/dataport.short.css"));
    }
}
