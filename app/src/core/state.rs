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
}

/// Where a request came from, recorded with every audit event.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The peer address of the connection.
    pub ip: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
}
