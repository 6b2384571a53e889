//! Who may sign requests to the embedded endpoint: the portal with the
//! endpoint's own key, and command-line tools with the temporary keys the
//! portal issued (`core::s3_credentials`). A temporary key opens only what
//! `authorize` allows its owner at that moment, inside its one location.

use app::core::authz::Action;
use app::core::db::Db;
use app::core::s3_credentials::{self, EMBEDDED_KEY_PREFIX, KeyedRequest};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::dto::DeleteObjectsInput;
use s3s::path::S3Path;
use s3s::{S3Request, S3Result, s3_error};

/// The endpoint's key, and the issued temporary keys when a database is there.
pub struct Keys {
    access_key: String,
    secret_key: String,
    db: Option<Db>,
}

impl Keys {
    /// The endpoint's own key; temporary keys are looked up in `db`.
    pub fn new(access_key: String, secret_key: String, db: Option<Db>) -> Self {
        Keys { access_key, secret_key, db }
    }

    fn temporary(&self, access_key: &str) -> bool {
        access_key != self.access_key && access_key.starts_with(EMBEDDED_KEY_PREFIX)
    }

    async fn allow(&self, req: KeyedRequest) -> S3Result<()> {
        let Some(db) = &self.db else { return Err(s3_error!(AccessDenied)) };
        match db.run(move |c| s3_credentials::allows(c, &req)).await {
            Ok(()) => Ok(()),
            Err(e) => Err(s3_error!(AccessDenied, "{e}")),
        }
    }
}

#[async_trait::async_trait]
impl S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        if access_key == self.access_key {
            return Ok(SecretKey::from(self.secret_key.clone()));
        }
        if self.temporary(access_key) && self.db.is_some() {
            // Unknown or expired keys get a secret too, and are refused by the access check.
            return Ok(SecretKey::from(s3_credentials::embedded_secret(&self.secret_key, access_key)));
        }
        Err(s3_error!(InvalidAccessKeyId))
    }
}

/// What an operation does to its object (or, for a listing, its prefix).
fn action_of(op: &str) -> Option<Action> {
    Some(match op {
        "ListObjects" | "ListObjectsV2" => Action::ListObjects,
        "GetObject" | "HeadObject" | "GetObjectAttributes" => Action::ReadObject,
        "PutObject"
        | "CreateMultipartUpload"
        | "UploadPart"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts" => Action::WriteObject,
        "DeleteObject" | "DeleteObjects" => Action::DeleteObject,
        _ => return None,
    })
}

fn session_token(cx: &S3AccessContext<'_>) -> Option<String> {
    if let Some(v) = cx.headers().get("x-amz-security-token").and_then(|v| v.to_str().ok()) {
        return Some(v.to_owned());
    }
    let query = cx.uri().query().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "X-Amz-Security-Token").then(|| v.replace("%2F", "/").replace("%2B", "+").replace("%3D", "="))
    })
}

fn query_param(cx: &S3AccessContext<'_>, name: &str) -> Option<String> {
    let query = cx.uri().query().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| {
            let bytes = v.replace('+', " ");
            percent_decode(&bytes)
        })
    })
}

/// Decodes `%XX` escapes (as in a query or a copy source).
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait::async_trait]
impl S3Access for Keys {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(access_key) = cx.credentials().map(|c| c.access_key.clone()) else {
            return Err(s3_error!(AccessDenied, "Signature is required"));
        };
        if !self.temporary(&access_key) {
            return Ok(());
        }
        let op = cx.s3_op().name().to_owned();
        let Some(action) = action_of(&op) else {
            return Err(s3_error!(AccessDenied, "{op} is not allowed with temporary keys"));
        };
        let (bucket, key) = match cx.s3_path() {
            S3Path::Object { bucket, key } => (bucket.to_string(), key.to_string()),
            S3Path::Bucket { bucket } if action == Action::ListObjects => {
                (bucket.to_string(), query_param(cx, "prefix").unwrap_or_default())
            }
            // The keys of a multi-delete are in its body: checked one by one below.
            S3Path::Bucket { bucket } if op == "DeleteObjects" => (bucket.to_string(), String::new()),
            _ => return Err(s3_error!(AccessDenied)),
        };
        if op == "DeleteObjects" {
            return Ok(());
        }
        let token = session_token(cx);
        self.allow(KeyedRequest { access_key, session_token: token, action, bucket, key }).await
    }

    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        let Some(access_key) = req.credentials.as_ref().map(|c| c.access_key.clone()) else {
            return Err(s3_error!(AccessDenied));
        };
        if !self.temporary(&access_key) {
            return Ok(());
        }
        let token = req.headers.get("x-amz-security-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        for object in &req.input.delete.objects {
            let asked = KeyedRequest {
                access_key: access_key.clone(),
                session_token: token.clone(),
                action: Action::DeleteObject,
                bucket: req.input.bucket.clone(),
                key: object.key.clone(),
            };
            self.allow(asked).await?;
        }
        Ok(())
    }
}
