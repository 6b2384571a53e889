//! Share links: a portal URL (`/s/{token}`) that lets people without an
//! account download one file, or the files of one folder, for a while. A
//! link acts with its owner's rights as they are at each visit, so that a
//! revoked or expired grant ends it; it can be revoked at once, carries an
//! optional password and download limit, and every visit is audited with
//! the visitor's address.

use super::actions::AuditAction;
use super::audit::{Outcome, format_ms};
use super::authz::{self, Actor};
use super::browse::{self, FolderQuery};
use super::db::Conn;
use super::db::models::{Grant, User};
use super::db::schema::{grants, share_links, tenants, users};
use super::guard::{Guard, Services};
use super::principal::{Credential, Principal};
use super::{ClientInfo, CoreError, identity, new_id, now_ms};
use crate::ids::UsecaseId;
use crate::model::{Listing, NewShare, Role, ShareRow, TokenState};
use crate::names::{BucketName, ObjectKey, Prefix};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// Days a link lasts unless its owner says otherwise.
pub const DEFAULT_DAYS: u32 = 7;
/// The longest a link lasts.
pub const MAX_DAYS: u32 = 90;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// What the owner shares, and how.
#[derive(Debug, Clone)]
pub struct ShareRequest {
    /// The usecase whose storage holds it.
    pub usecase_id: UsecaseId,
    /// Bucket.
    pub bucket: BucketName,
    /// A key (a file) or a prefix ending in `/` (a folder).
    pub path: String,
    /// Days it lasts (capped by the owner's grant).
    pub days: u32,
    /// A password visitors must give, if any.
    pub password: Option<String>,
    /// Most downloads, if limited.
    pub max_downloads: Option<u32>,
    /// A drop box: visitors upload into the folder and see nothing of it.
    pub upload_only: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = share_links)]
struct LinkRecord {
    id: String,
    owner_id: String,
    usecase_id: String,
    bucket: String,
    path: String,
    password_hash: Option<String>,
    max_downloads: Option<i64>,
    downloads: i64,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    upload_only: bool,
}

impl LinkRecord {
    fn folder(&self) -> bool {
        self.path.is_empty() || self.path.ends_with('/')
    }

    fn state(&self, now: i64) -> TokenState {
        let spent = self.max_downloads.is_some_and(|m| self.downloads >= m);
        match (self.revoked_at, self.expires_at <= now || spent) {
            (Some(_), _) => TokenState::Revoked,
            (None, true) => TokenState::Expired,
            (None, false) => TokenState::Active,
        }
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The latest end of the owner's grants that reach `path`: `None` when one never ends.
fn grant_end(
    conn: &mut Conn,
    actor: &Actor,
    usecase: &str,
    bucket: &str,
    path: &str,
) -> Result<Option<i64>, CoreError> {
    if actor.role == Role::Admin {
        return Ok(None);
    }
    let now = now_ms();
    let reaching: Vec<Grant> = grants::table
        .filter(grants::user_id.eq(&actor.user_id))
        .filter(grants::usecase_id.eq(usecase))
        .filter(grants::bucket.eq(bucket))
        .select(Grant::as_select())
        .load(conn)?
        .into_iter()
        .filter(|g| path.starts_with(&g.prefix) && g.expires_at.is_none_or(|e| e > now))
        .collect();
    if reaching.iter().any(|g| g.expires_at.is_none()) {
        return Ok(None);
    }
    Ok(reaching.iter().filter_map(|g| g.expires_at).max().or(Some(now)))
}

fn checked(req: &ShareRequest) -> Result<(), CoreError> {
    if req.days == 0 || req.days > MAX_DAYS {
        return Err(CoreError::Invalid(format!("A link lasts from 1 to {MAX_DAYS} days.")));
    }
    if req.password.as_deref().is_some_and(|p| p.chars().count() < 8) {
        return Err(CoreError::Invalid("A link's password needs at least 8 characters.".into()));
    }
    if req.max_downloads == Some(0) {
        return Err(CoreError::Invalid("Allow at least one download, or leave the limit empty.".into()));
    }
    let valid = if req.path.is_empty() || req.path.ends_with('/') {
        Prefix::new(req.path.clone()).map(|_| ())
    } else {
        ObjectKey::new(req.path.clone()).map(|_| ())
    };
    valid.map_err(CoreError::Invalid)
}

/// Makes a link to a file or folder the principal may read (and list, for a folder).
pub async fn create(s: &Services, p: &Principal, req: ShareRequest) -> Result<NewShare, CoreError> {
    let g = Guard::new(s, p, AuditAction::CreateShare);
    g.screened(checked(&req)).await?;
    let (usecase, target, scope) = g.object(&req.usecase_id, &req.bucket, &req.path).await?;
    let actor = g.actor().await?.clone();
    let folder = req.path.is_empty() || req.path.ends_with('/');
    let (u, b, path, a) = (usecase.clone(), req.bucket.to_string(), req.path.clone(), actor.clone());
    let (rights, end) =
        s.db.run(move |c| Ok((authz::rights_at(c, &a, &u, &b, &path)?, grant_end(c, &a, u.id.as_str(), &b, &path)?)))
            .await?;
    let refused = if req.upload_only { !folder || !rights.write } else { folder && !rights.list };
    if scope != authz::Scope::All || refused {
        let mut event = g.event();
        target.describe(&mut event);
        event.detail = if req.upload_only {
            "a drop box is a whole folder the owner may write to".into()
        } else {
            "a folder is shared only where it may be listed as a whole".into()
        };
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Denied("no list grant on the whole folder".into()));
    }
    let password_hash = match req.password.clone() {
        Some(pw) => Some(
            tokio::task::spawn_blocking(move || identity::hash_password(&pw))
                .await
                .map_err(|e| CoreError::Internal(e.to_string()))??,
        ),
        None => None,
    };
    let now = now_ms();
    let wanted = now + i64::from(req.days) * DAY_MS;
    let expires_at = end.map_or(wanted, |e| e.min(wanted));
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let token = hex::encode(bytes);
    let id = new_id();
    let row = (
        share_links::id.eq(id.clone()),
        share_links::token_hash.eq(digest(&token)),
        share_links::tenant_id.eq(actor.tenant_id.clone()),
        share_links::owner_id.eq(actor.user_id.to_string()),
        share_links::usecase_id.eq(usecase.id.to_string()),
        share_links::bucket.eq(req.bucket.to_string()),
        share_links::path.eq(req.path.clone()),
        share_links::password_hash.eq(password_hash),
        share_links::max_downloads.eq(req.max_downloads.map(i64::from)),
        share_links::created_at.eq(now),
        share_links::upload_only.eq(req.upload_only),
        share_links::expires_at.eq(expires_at),
    );
    let stored = s.db.run(move |c| Ok(diesel::insert_into(share_links::table).values(row).execute(c)?)).await;
    let made = stored.map(|_| NewShare {
        id,
        url: format!("{}/s/{token}", s.config.public_origin),
        expires: format_ms(expires_at),
    });
    g.finish(&target, made, |m| {
        let limit = req.max_downloads.map(|n| format!(", at most {n} downloads")).unwrap_or_default();
        let pw = if req.password.is_some() { ", with a password" } else { "" };
        format!("link {} until {}{limit}{pw}", m.id, m.expires)
    })
    .await
}

/// The principal's links; an administrator's list has the organization's.
pub async fn list(s: &Services, p: &Principal) -> Result<Vec<ShareRow>, CoreError> {
    let g = Guard::new(s, p, AuditAction::ListShares);
    let (actor, _) = g.own_tenant().await?;
    let viewer = actor.clone();
    s.db.run(move |c| {
        let mut q = share_links::table
            .inner_join(users::table)
            .filter(share_links::tenant_id.eq(&viewer.tenant_id))
            .select((LinkRecord::as_select(), users::email))
            .order(share_links::created_at.desc())
            .into_boxed();
        if viewer.role != Role::Admin {
            q = q.filter(share_links::owner_id.eq(viewer.user_id.to_string()));
        }
        let now = now_ms();
        Ok(q.load::<(LinkRecord, String)>(c)?
            .into_iter()
            .map(|(l, owner)| ShareRow {
                state: l.state(now),
                folder: l.folder(),
                what: format!("s3://{}/{}", l.bucket, l.path),
                expires: format_ms(l.expires_at),
                created: format_ms(l.created_at),
                password: l.password_hash.is_some(),
                downloads: l.downloads,
                max_downloads: l.max_downloads,
                mine: l.owner_id == viewer.user_id.as_str(),
                upload_only: l.upload_only,
                id: l.id,
                owner,
            })
            .collect())
    })
    .await
}

/// Revokes a link of one's own, or (administrators) any of the organization's.
pub async fn revoke(s: &Services, p: &Principal, link_id: &str) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::RevokeShare);
    let (actor, target) = g.own_tenant().await?;
    let (id, tenant) = (link_id.to_owned(), actor.tenant_id.clone());
    let found: Option<LinkRecord> =
        s.db.run(move |c| {
            Ok(share_links::table
                .find(&id)
                .filter(share_links::tenant_id.eq(&tenant))
                .select(LinkRecord::as_select())
                .first(c)
                .optional()?)
        })
        .await?;
    let mine_or_admin = |l: &LinkRecord| l.owner_id == actor.user_id.as_str() || actor.role == Role::Admin;
    let Some(link) = found.filter(mine_or_admin) else {
        let mut event = g.event();
        event.detail = format!("no link {link_id} of this person or organization");
        g.audit(event, Outcome::Denied).await;
        return Err(CoreError::Denied("no such link".into()));
    };
    let id = link.id.clone();
    let done =
        s.db.run(move |c| {
            diesel::update(share_links::table.find(&id)).set(share_links::revoked_at.eq(now_ms())).execute(c)?;
            Ok(())
        })
        .await;
    g.finish(&target, done, |()| format!("link {} to s3://{}/{}", link.id, link.bucket, link.path)).await
}

/// A link as a visitor opens it: the link, and the principal it acts as.
pub struct Opened {
    link: LinkRecord,
    /// Who the link acts as: its owner, through the link, from the visitor's address.
    pub principal: Principal,
}

impl Opened {
    /// The link's id.
    pub fn id(&self) -> &str {
        &self.link.id
    }

    /// True for a drop box: visitors upload and see nothing.
    pub fn upload_only(&self) -> bool {
        self.link.upload_only
    }

    /// Where a drop box puts files: usecase, bucket and folder.
    pub fn place(&self) -> (String, String, String) {
        (self.link.usecase_id.clone(), self.link.bucket.clone(), self.link.path.clone())
    }

    /// True for a folder link.
    pub fn folder(&self) -> bool {
        self.link.folder()
    }

    /// What is shared, `s3://bucket/path`.
    pub fn what(&self) -> String {
        format!("s3://{}/{}", self.link.bucket, self.link.path)
    }

    /// When the link ends.
    pub fn expires(&self) -> String {
        format_ms(self.link.expires_at)
    }
}

/// Why a link with a password is refused until it is given.
pub const PASSWORD: &str = "the link's password";

/// Opens a link for a visitor: unknown, revoked, expired or spent links
/// are "not found" alike, a link with a password wants it (unless its id
/// is among the `unlocked`), and the owner must still be able to act.
/// Every refusal is audited.
pub async fn open(
    s: &Services,
    client: ClientInfo,
    token: &str,
    password: Option<&str>,
    unlocked: &[String],
) -> Result<Opened, CoreError> {
    let hash = digest(token);
    let found: Option<(LinkRecord, User, bool)> =
        s.db.run(move |c| {
            Ok(share_links::table
                .filter(share_links::token_hash.eq(&hash))
                .inner_join(users::table.inner_join(tenants::table))
                .select((LinkRecord::as_select(), User::as_select(), tenants::disabled))
                .first(c)
                .optional()?)
        })
        .await?;
    let anonymous = Principal::anonymous(client.clone());
    let Some((link, owner, tenant_disabled)) = found else {
        super::refusals::record(s, &anonymous, AuditAction::VisitShare, "unknown share link".into()).await;
        return Err(CoreError::NotFound("This link does not exist, has expired or was revoked.".into()));
    };
    let credential = Credential::ShareLink(link.id.clone());
    // A link only ever reads, whatever its owner may do.
    let actor = Actor::from_user(&owner)
        .filter(|_| !tenant_disabled && owner.deleted_at.is_none())
        .map(|a| Actor { read_only: true, ..a });
    let refusal = match (link.state(now_ms()), &actor) {
        (TokenState::Revoked, _) => Some("the link was revoked"),
        (TokenState::Expired, _) => Some("the link has expired or its downloads are spent"),
        (TokenState::Active, None) => Some("the link's owner may no longer act"),
        (TokenState::Active, Some(_)) => None,
    };
    let principal = Principal { actor: actor.clone(), client, credential };
    let audited = |why: String| async {
        let who = Principal { actor: Some(owner_actor(&owner)), ..principal.clone() };
        let g = Guard::new(s, &who, AuditAction::VisitShare);
        let mut event = g.event();
        event.bucket = Some(link.bucket.clone());
        event.object_key = Some(link.path.clone());
        event.detail = why;
        g.audit(event, Outcome::Denied).await;
    };
    if let Some(why) = refusal {
        audited(why.into()).await;
        return Err(CoreError::NotFound("This link does not exist, has expired or was revoked.".into()));
    }
    if let Some(hash) = link.password_hash.clone().filter(|_| !unlocked.contains(&link.id)) {
        let given = password.unwrap_or_default().to_owned();
        let ok = tokio::task::spawn_blocking(move || identity::verify_password(&hash, &given)).await.unwrap_or(false);
        if !ok {
            audited(if password.is_some() { "wrong password" } else { "no password given" }.into()).await;
            return Err(CoreError::Denied(PASSWORD.into()));
        }
    }
    Ok(Opened { link, principal })
}

fn owner_actor(u: &User) -> Actor {
    Actor {
        user_id: u.id.clone(),
        tenant_id: u.tenant_id.clone(),
        email: u.email.clone(),
        role: u.role,
        read_only: true,
        drop_into: None,
    }
}

/// Who a visitor of the drop box `link_id` acts as, as things are now: its
/// owner, confined to uploading into its folder; `None` once the link or
/// its owner may no longer be used.
pub fn drop_actor(conn: &mut Conn, link_id: &str) -> Result<Option<Actor>, CoreError> {
    let found: Option<(LinkRecord, User, bool)> = share_links::table
        .find(link_id)
        .filter(share_links::upload_only.eq(true))
        .inner_join(users::table.inner_join(tenants::table))
        .select((LinkRecord::as_select(), User::as_select(), tenants::disabled))
        .first(conn)
        .optional()?;
    let Some((link, owner, tenant_disabled)) = found else { return Ok(None) };
    if link.state(now_ms()) != TokenState::Active || tenant_disabled || owner.deleted_at.is_some() {
        return Ok(None);
    }
    let drop = authz::DropBox { usecase_id: link.usecase_id, bucket: link.bucket, prefix: link.path };
    Ok(Actor::from_user(&owner).map(|a| Actor { drop_into: Some(drop), ..a }))
}

/// Records a visitor opening the link's page, with their address.
pub async fn visited(s: &Services, opened: &Opened) -> Result<(), CoreError> {
    let g = Guard::new(s, &opened.principal, AuditAction::VisitShare);
    let mut event = g.event();
    event.usecase_id = Some(UsecaseId::from(opened.link.usecase_id.clone()));
    event.bucket = Some(opened.link.bucket.clone());
    event.object_key = Some(opened.link.path.clone());
    event.detail = format!("link {} opened", opened.link.id);
    g.record(event, Outcome::Success).await
}

/// A page of a shared folder (or of a folder below it), as its owner may list it now.
pub async fn listing(s: &Services, opened: &Opened, sub: &str, token: Option<String>) -> Result<Listing, CoreError> {
    let l = &opened.link;
    let inside = if sub.starts_with(&l.path) { sub.to_owned() } else { l.path.clone() };
    let query = FolderQuery {
        usecase_id: UsecaseId::from(l.usecase_id.clone()),
        bucket: BucketName::new(l.bucket.clone()).map_err(CoreError::Invalid)?,
        prefix: Prefix::new(inside).map_err(CoreError::Invalid)?,
        token,
        filter: None,
    };
    browse::list_objects(s, &opened.principal, query).await
}

/// A short presigned GET of one shared file, counted against the link's limit.
pub async fn download(s: &Services, opened: &Opened, key: &str) -> Result<String, CoreError> {
    let l = &opened.link;
    if l.upload_only {
        return Err(CoreError::NotFound("This link only takes uploads.".into()));
    }
    let key = if l.folder() { key.to_owned() } else { l.path.clone() };
    if !key.starts_with(&l.path) || key.ends_with('/') {
        return Err(CoreError::NotFound("That file is not part of this link.".into()));
    }
    let (usecase_id, bucket) = (UsecaseId::from(l.usecase_id.clone()), BucketName::new(l.bucket.clone()));
    let key = ObjectKey::new(key).map_err(CoreError::Invalid)?;
    let bucket = bucket.map_err(CoreError::Invalid)?;
    // Counted first, so that a spent link hands out nothing and audits no download.
    let id = l.id.clone();
    let counted =
        s.db.run(move |c| {
            let open = share_links::max_downloads
                .is_null()
                .or(share_links::downloads.lt(share_links::max_downloads.assume_not_null()));
            Ok(diesel::update(share_links::table.find(&id).filter(open))
                .set(share_links::downloads.eq(share_links::downloads + 1))
                .execute(c)?)
        })
        .await?;
    if counted == 0 {
        return Err(CoreError::NotFound("This link's downloads are spent.".into()));
    }
    let url = browse::download_url(s, &opened.principal, &usecase_id, &bucket, &key, None).await;
    if url.is_err() {
        let id = l.id.clone();
        s.db.run(move |c| {
            let back = share_links::downloads.eq(share_links::downloads - 1);
            diesel::update(share_links::table.find(&id)).set(back).execute(c)?;
            Ok(())
        })
        .await?;
    }
    url
}
