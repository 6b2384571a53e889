//! Temporary S3 keys for command-line tools (`aws`, `s5cmd`, `rclone`),
//! limited to one location the person may use and to what they may do
//! there, for at most an hour. On AWS they come from STS AssumeRole of the
//! usecase's role, with its external ID and a session policy built from the
//! rights; on the embedded endpoint the portal issues them itself, and the
//! endpoint asks `authorize` on every request, so that a revoked grant ends
//! them at once.

use super::actions::AuditAction;
use super::audit::format_ms;
use super::authz::{self, Action, Actor, Resource, Scope};
use super::aws::RoleRef;
use super::db::models::{Usecase, User};
use super::db::schema::{s3_credentials, tenants, usecases, users};
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, now_ms};
use crate::ids::UsecaseId;
use crate::model::{MAX_CREDENTIAL_MINUTES, Rights, TempCredentials};
use crate::names::{BucketName, Prefix};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// What the person asks for.
#[derive(Debug, Clone)]
pub struct CredentialRequest {
    /// The usecase whose storage holds the location.
    pub usecase_id: UsecaseId,
    /// Bucket.
    pub bucket: BucketName,
    /// The folder.
    pub prefix: Prefix,
    /// Minutes, 15 to 60.
    pub minutes: u32,
}

/// The prefix of access keys the embedded endpoint issued.
pub const EMBEDDED_KEY_PREFIX: &str = "DPT";

/// The secret of an embedded temporary key: derived from the endpoint's
/// own secret, so that it is stored nowhere.
pub fn embedded_secret(endpoint_secret: &str, access_key: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(endpoint_secret.as_bytes()).expect("any key length");
    mac.update(b"dataport temporary key\n");
    mac.update(access_key.as_bytes());
    hex::encode(mac.finalize().into_bytes())[..40].to_owned()
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

/// The IAM session policy that limits assumed credentials to `rights` on
/// `bucket`/`prefix`: listing only below the prefix, objects only under it.
pub fn session_policy(bucket: &str, prefix: &str, rights: Rights) -> serde_json::Value {
    let mut statements = Vec::new();
    if rights.list {
        statements.push(serde_json::json!({
            "Sid": "ListTheLocation",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": { "StringLike": { "s3:prefix": [format!("{prefix}*")] } }
        }));
    }
    let mut actions = Vec::new();
    if rights.read {
        actions.push("s3:GetObject");
    }
    if rights.write {
        actions.extend(["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);
    }
    if rights.delete {
        actions.push("s3:DeleteObject");
    }
    if !actions.is_empty() {
        statements.push(serde_json::json!({
            "Sid": "ObjectsInTheLocation",
            "Effect": "Allow",
            "Action": actions,
            "Resource": format!("arn:aws:s3:::{bucket}/{prefix}*")
        }));
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

fn shell_lines(c: &TempCredentials) -> String {
    let mut lines = vec![
        format!("export AWS_ACCESS_KEY_ID={}", c.access_key_id),
        format!("export AWS_SECRET_ACCESS_KEY={}", c.secret_access_key),
        format!("export AWS_SESSION_TOKEN={}", c.session_token),
        format!("export AWS_DEFAULT_REGION={}", c.region),
    ];
    if let Some(url) = &c.endpoint_url {
        lines.push(format!("export AWS_ENDPOINT_URL_S3={url}"));
    }
    lines.join("\n")
}

/// Issues temporary keys for a location the principal may list or read.
pub async fn issue(s: &Services, p: &Principal, req: CredentialRequest) -> Result<TempCredentials, CoreError> {
    let g = Guard::new(s, p, AuditAction::IssueCredentials);
    let minutes = g
        .screened(if (15..=MAX_CREDENTIAL_MINUTES).contains(&req.minutes) {
            Ok(req.minutes)
        } else {
            Err(CoreError::Invalid(format!("Temporary keys last from 15 to {MAX_CREDENTIAL_MINUTES} minutes.")))
        })
        .await?;
    let (usecase, target, scope) = g.object(&req.usecase_id, &req.bucket, &req.prefix).await?;
    let actor = g.actor().await?.clone();
    if scope != Scope::All {
        // Listing above a grant shows only the way down to it; keys open one whole location.
        let mut event = g.event();
        target.describe(&mut event);
        event.detail = "keys are only for a whole granted folder".into();
        g.audit(event, super::audit::Outcome::Denied).await;
        return Err(CoreError::Denied("not a whole granted folder".into()));
    }
    let (bucket, prefix) = (req.bucket.to_string(), req.prefix.to_string());
    let rights = {
        let (u, b, k, a) = (usecase.clone(), bucket.clone(), prefix.clone(), actor.clone());
        s.db.run(move |c| authz::rights_at(c, &a, &u, &b, &k)).await?
    };
    let expires_at = now_ms() + i64::from(minutes) * 60_000;
    let settings = s.s3.settings();
    let issued = if settings.embedded {
        issue_embedded(s, &actor, &usecase, &bucket, &prefix, rights, expires_at).await
    } else {
        issue_on_aws(s, &usecase, &bucket, &prefix, rights, minutes).await
    };
    let issued = issued.map(|(access_key_id, secret_access_key, session_token)| {
        let mut c = TempCredentials {
            access_key_id,
            secret_access_key,
            session_token,
            expires: format_ms(expires_at),
            region: if usecase.region.is_empty() { settings.region.clone() } else { usecase.region.clone() },
            endpoint_url: settings.endpoint.clone(),
            example: format!("aws s3 sync ./data s3://{bucket}/{prefix}"),
            bucket: bucket.clone(),
            prefix: prefix.clone(),
            rights,
            shell: String::new(),
        };
        c.shell = shell_lines(&c);
        c
    });
    g.finish(&target, issued, |c| {
        format!("temporary keys {} for {}, until {}", c.access_key_id, c.rights.describe(), c.expires)
    })
    .await
}

async fn issue_embedded(
    s: &Services,
    actor: &Actor,
    usecase: &Usecase,
    bucket: &str,
    prefix: &str,
    rights: Rights,
    expires_at: i64,
) -> Result<(String, String, String), CoreError> {
    let Some((_, endpoint_secret)) = s.s3.settings().static_credentials.clone() else {
        return Err(CoreError::Internal("the embedded endpoint has no key".into()));
    };
    let access_key = format!("{EMBEDDED_KEY_PREFIX}{}", random_hex(10).to_uppercase());
    let token = random_hex(32);
    let secret = embedded_secret(&endpoint_secret, &access_key);
    let row = (
        s3_credentials::access_key.eq(access_key.clone()),
        s3_credentials::token_hash.eq(digest(&token)),
        s3_credentials::tenant_id.eq(actor.tenant_id.clone()),
        s3_credentials::user_id.eq(actor.user_id.to_string()),
        s3_credentials::usecase_id.eq(usecase.id.to_string()),
        s3_credentials::bucket.eq(bucket.to_owned()),
        s3_credentials::prefix.eq(prefix.to_owned()),
        s3_credentials::can_list.eq(rights.list),
        s3_credentials::can_read.eq(rights.read),
        s3_credentials::can_write.eq(rights.write),
        s3_credentials::can_delete.eq(rights.delete),
        s3_credentials::created_at.eq(now_ms()),
        s3_credentials::expires_at.eq(expires_at),
    );
    s.db.run(move |c| {
        diesel::insert_into(s3_credentials::table).values(row).execute(c)?;
        Ok(())
    })
    .await?;
    Ok((access_key, secret, token))
}

async fn issue_on_aws(
    s: &Services,
    usecase: &Usecase,
    bucket: &str,
    prefix: &str,
    rights: Rights,
    minutes: u32,
) -> Result<(String, String, String), CoreError> {
    let Some(role) = RoleRef::of(usecase) else {
        return Err(CoreError::Conflict(
            "This usecase reaches its data without a role, so Dataport cannot hand out limited keys for it. An \
             administrator can set a cross-account or data-account role in the usecase's settings."
                .into(),
        ));
    };
    let policy = session_policy(bucket, prefix, rights).to_string();
    // STS gives at least 15 minutes.
    let seconds = (minutes * 60).max(900) as i32;
    let c = s.s3.assume_scoped(&role, Some(&policy), seconds).await?;
    Ok((c.access_key_id().to_owned(), c.secret_access_key().to_owned(), c.session_token().unwrap_or("").to_owned()))
}

/// One S3 request made with embedded temporary keys, as the endpoint sees it.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    /// The access key it was signed with.
    pub access_key: String,
    /// The session token it carried.
    pub session_token: Option<String>,
    /// What it does.
    pub action: Action,
    /// The bucket.
    pub bucket: String,
    /// The key (or, for a listing, the prefix).
    pub key: String,
}

/// Whether the embedded endpoint should serve a request made with
/// temporary keys: the keys known, unexpired and used with their token,
/// the request inside their location and rights, and `authorize` allowing
/// it for their owner as things are now.
pub fn allows(conn: &mut super::db::Conn, req: &KeyedRequest) -> Result<(), CoreError> {
    type Row = (String, String, String, String, String, bool, bool, bool, bool, i64);
    let found: Option<Row> = s3_credentials::table
        .find(&req.access_key)
        .select((
            s3_credentials::token_hash,
            s3_credentials::user_id,
            s3_credentials::usecase_id,
            s3_credentials::bucket,
            s3_credentials::prefix,
            s3_credentials::can_list,
            s3_credentials::can_read,
            s3_credentials::can_write,
            s3_credentials::can_delete,
            s3_credentials::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((token_hash, user_id, usecase_id, bucket, prefix, list, read, write, delete, expires_at)) = found else {
        return Err(CoreError::Denied("unknown temporary key".into()));
    };
    if req.session_token.as_deref().map(digest).as_deref() != Some(token_hash.as_str()) {
        return Err(CoreError::Denied("the session token does not belong to this key".into()));
    }
    if expires_at <= now_ms() {
        return Err(CoreError::Denied("the temporary key has expired".into()));
    }
    let granted = match req.action {
        Action::ListObjects => list,
        Action::ReadObject => read,
        Action::WriteObject => write,
        Action::DeleteObject => delete,
        _ => false,
    };
    if !granted || req.bucket != bucket || !req.key.starts_with(&prefix) {
        return Err(CoreError::Denied(format!("outside the key's location s3://{bucket}/{prefix}")));
    }
    let row: Option<(User, bool)> = users::table
        .inner_join(tenants::table)
        .filter(users::id.eq(&user_id))
        .select((User::as_select(), tenants::disabled))
        .first(conn)
        .optional()?;
    let actor = row
        .filter(|(u, tenant_disabled)| !tenant_disabled && u.deleted_at.is_none())
        .and_then(|(u, _)| Actor::from_user(&u))
        .ok_or_else(|| CoreError::Denied("the key's owner may no longer act".into()))?;
    let usecase: Usecase = usecases::table.find(&usecase_id).select(Usecase::as_select()).first(conn)?;
    let resource = Resource::Object { usecase: &usecase, bucket: &req.bucket, key: &req.key };
    authz::authorize(conn, Some(&actor), req.action, resource).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_policy_is_the_grant_and_no_more() {
        let rights = Rights { list: true, read: true, write: false, delete: false };
        let policy = session_policy("data", "partner-acme/", rights);
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0]["Condition"]["StringLike"]["s3:prefix"][0], "partner-acme/*");
        assert_eq!(statements[1]["Action"], serde_json::json!(["s3:GetObject"]));
        assert_eq!(statements[1]["Resource"], "arn:aws:s3:::data/partner-acme/*");
        let all = Rights { list: true, read: true, write: true, delete: true };
        let text = session_policy("data", "x/", all).to_string();
        assert!(text.contains("s3:PutObject") && text.contains("s3:DeleteObject"));
        assert!(!text.contains("s3:*") && !text.contains("\"arn:aws:s3:::data/*\""));
    }

    #[test]
    fn a_derived_secret_depends_on_both_keys() {
        let a = embedded_secret("endpoint secret", "DPTAAA");
        assert_eq!(a.len(), 40);
        assert_ne!(a, embedded_secret("endpoint secret", "DPTAAB"));
        assert_ne!(a, embedded_secret("other secret", "DPTAAA"));
    }
}
