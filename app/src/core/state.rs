//! Settings services need, and where a request came from.

/// Settings of the portal that services need at run time.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// The origin people use to reach the portal, e.g. `http://127.0.0.1:3000`.
    pub public_origin: String,
    /// Origins allowed to upload from the browser (the public origin and its loopback aliases).
    pub browser_origins: Vec<String>,
    /// Bucket created for the default usecase at first start.
    pub default_bucket: String,
    /// Region used when nothing else says.
    pub region: String,
    /// Account id shown for the default usecase.
    pub default_account_id: String,
    /// Files of at least this many bytes are uploaded in parts.
    pub multipart_threshold: u64,
    /// Parts or small files a browser sends at once.
    pub upload_concurrency: u32,
    /// How long a web session lasts after its sign-in, however active (ms).
    pub session_max_ms: i64,
    /// Origins of the S3 endpoints the portal signs requests for.
    pub s3_origins: Vec<String>,
    /// Calls of the REST API one access token may make per minute.
    pub api_calls_per_minute: u32,
}

impl PortalConfig {
    /// Whether cookies are `Secure`: always, unless the portal is served
    /// over plain http on a loopback address (a laptop).
    pub fn secure_cookies(&self) -> bool {
        let Some(rest) = self.public_origin.strip_prefix("http://") else { return true };
        let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
        !matches!(host, "localhost" | "[::1]") && !host.starts_with("127.")
    }

    /// The Content-Security-Policy of a page whose inline scripts carry
    /// `nonce`: scripts from the portal only, WebAssembly, connections to
    /// the portal and the S3 endpoints it signs for, and no framing. Forms
    /// may end at those S3 endpoints too: a share link's download is a plain
    /// form the portal answers with a redirect to a presigned GET.
    pub fn content_security_policy(&self, nonce: &str) -> String {
        let s3 = self.s3_origins.join(" ");
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: {s3}; connect-src 'self' {s3}; \
             font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self' {s3}; frame-ancestors 'none'"
        )
    }

    /// A cookie's name: `__Host-` prefixed under https, which browsers only
    /// accept from the host itself, `Secure`, for the whole site.
    pub fn cookie_name(&self, name: &str) -> String {
        if self.public_origin.starts_with("https://") { format!("__Host-{name}") } else { name.to_owned() }
    }
}

/// Where a request came from, recorded with every audit event.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The peer address of the connection.
    pub ip: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::PortalConfig;

    fn at(origin: &str) -> PortalConfig {
        PortalConfig {
            public_origin: origin.into(),
            browser_origins: vec![],
            default_bucket: String::new(),
            region: String::new(),
            default_account_id: String::new(),
            multipart_threshold: 0,
            upload_concurrency: 1,
            session_max_ms: 0,
            s3_origins: vec!["http://127.0.0.1:9000".into()],
            api_calls_per_minute: 600,
        }
    }

    #[test]
    fn cookies_are_secure_except_over_plain_http_on_loopback() {
        assert!(!at("http://127.0.0.1:3000").secure_cookies());
        assert!(!at("http://localhost:3000").secure_cookies());
        assert!(at("http://10.0.0.5:3000").secure_cookies());
        assert!(at("https://data.example.com").secure_cookies());
        assert_eq!(at("https://data.example.com").cookie_name("s"), "__Host-s");
        assert_eq!(at("http://127.0.0.1:3000").cookie_name("s"), "s");
    }

    #[test]
    fn the_policy_names_the_nonce_and_the_s3_endpoint() {
        let csp = at("http://127.0.0.1:3000").content_security_policy("abc");
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(csp.contains("connect-src 'self' http://127.0.0.1:9000"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
