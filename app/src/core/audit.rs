//! The one audit writer. Events are append-only and chained: each row stores
//! the hash of the row before it, so that an edited or deleted row shows.

use super::actions::AuditAction;
use super::audit_seal::AuditSeal;
use super::db::models::AuditEvent;
use super::db::{Conn, schema::audit_events};
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use super::{ClientInfo, CoreError, now_ms};
use crate::ids::{UsecaseId, UserId};
use crate::model::{AuditFilter, AuditRow};
use diesel::prelude::*;

/// The hash that precedes the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was done.
    Success,
    /// Authorization refused it.
    Denied,
    /// It was allowed but failed.
    Error,
}

impl Outcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Error => "error",
        }
    }
}

/// An event about to be written.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    /// Tenant of the actor or resource.
    pub tenant_id: Option<String>,
    /// Acting user, if known.
    pub user_id: Option<UserId>,
    /// Acting user's email, or the email typed at a failed sign-in.
    pub user_email: Option<String>,
    /// What was done, e.g. `object.upload`.
    pub action: String,
    /// Usecase concerned.
    pub usecase_id: Option<UsecaseId>,
    /// Bucket concerned.
    pub bucket: Option<String>,
    /// Key or prefix concerned.
    pub object_key: Option<String>,
    /// Where the request came from.
    pub client: ClientInfo,
    /// More words.
    pub detail: String,
    /// How the actor proved who it is (`Credential::label`).
    pub credential: Option<String>,
}

/// The link of `e` after `prev_hash`, as `seal` makes it.
pub fn chain_hash(seal: &AuditSeal, prev_hash: &str, e: &AuditEvent) -> String {
    // A JSON array is an unambiguous encoding of the fields in a fixed order.
    let mut fields = serde_json::json!([
        e.seq,
        e.at,
        e.tenant_id,
        e.user_id,
        e.user_email,
        e.action,
        e.usecase_id,
        e.bucket,
        e.object_key,
        e.client_ip,
        e.user_agent,
        e.outcome,
        e.detail
    ]);
    // Events from before credentials were recorded hash as they always did.
    if let (Some(credential), Some(all)) = (&e.credential, fields.as_array_mut()) {
        all.push(credential.clone().into());
    }
    seal.link(e.seq, prev_hash, &fields.to_string())
}

/// At most `max` bytes of `text` (cut at a character boundary, marked with `…`).
fn capped(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut cut = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

/// Caps every field that comes from input, so that no request can make
/// the trail hold more than an event's worth.
fn cap_fields(mut e: NewEvent) -> NewEvent {
    // A NUL is shown as ␀: PostgreSQL keeps no NUL in text, and a hostile
    // input must be recorded on either backend.
    let cap = |v: Option<String>, max| v.map(|t| capped(t.replace('\0', "␀"), max));
    e.user_email = cap(e.user_email, 254);
    e.bucket = cap(e.bucket, 63);
    e.object_key = cap(e.object_key, 1024);
    e.client.ip = cap(e.client.ip, 64);
    e.client.user_agent = cap(e.client.user_agent, 512);
    e.detail = capped(e.detail.replace('\0', "␀"), 2000);
    e
}

/// Appends an event to the trail, sealed and checkpointed by `seal`, and
/// returns its sequence number.
pub fn record(conn: &mut Conn, seal: &AuditSeal, event: NewEvent, outcome: Outcome) -> Result<i64, CoreError> {
    let event = cap_fields(event);
    // The write lock comes first (SQLite's, or an advisory lock shared by
    // every replica on PostgreSQL), so two writers cannot both extend the
    // chain from the same tail.
    super::db::write_transaction(conn, |conn| {
        let tail: Option<(i64, String)> = audit_events::table
            .select((audit_events::seq, audit_events::hash))
            .order(audit_events::seq.desc())
            .first(conn)
            .optional()?;
        let (seq, prev_hash) = match tail {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_owned()),
        };
        let mut row = AuditEvent {
            seq,
            at: now_ms(),
            tenant_id: event.tenant_id,
            user_id: event.user_id,
            user_email: event.user_email,
            action: event.action,
            usecase_id: event.usecase_id,
            bucket: event.bucket,
            object_key: event.object_key,
            client_ip: event.client.ip,
            user_agent: event.client.user_agent,
            outcome: outcome.as_str().to_owned(),
            detail: event.detail,
            prev_hash: prev_hash.clone(),
            hash: String::new(),
            credential: event.credential,
        };
        row.hash = chain_hash(seal, &prev_hash, &row);
        diesel::insert_into(audit_events::table).values(&row).execute(conn)?;
        Ok((seq, row.hash))
    })
    .and_then(|(seq, hash)| seal.advance(seq, &hash).map(|()| seq))
}

/// The newest event's sequence number (0 for an empty trail).
pub fn last_seq(conn: &mut Conn) -> Result<i64, CoreError> {
    let last: Option<i64> = audit_events::table.select(diesel::dsl::max(audit_events::seq)).first(conn)?;
    Ok(last.unwrap_or(0))
}

/// Result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events checked.
    pub checked: u64,
    /// Sequence number of the first event that does not fit, if any.
    pub first_broken: Option<i64>,
    /// What is wrong with the chain against its checkpoint, if anything.
    pub checkpoint_problem: Option<String>,
}

/// Recomputes every link of the chain, oldest first, with `seal`'s key,
/// then holds the newest events against the checkpoint outside the database.
pub fn verify(conn: &mut Conn, seal: &AuditSeal) -> Result<ChainReport, CoreError> {
    let mut report = verify_links(conn, seal)?;
    let Some(head) = super::audit_seal::read_checkpoint(seal.head_file())? else {
        report.checkpoint_problem = Some(format!("the checkpoint {} is missing", seal.head_file().display()));
        return Ok(report);
    };
    let last = last_seq(conn)?;
    report.checkpoint_problem = if head.seq > last {
        Some(format!("the newest {} events are missing: the checkpoint names event {}", head.seq - last, head.seq))
    } else if head.seq > 0 {
        let stored: Option<String> =
            audit_events::table.find(head.seq).select(audit_events::hash).first(conn).optional()?;
        (stored.as_deref() != Some(head.hash.as_str()))
            .then(|| format!("event {} differs from the checkpoint: the chain was rewritten", head.seq))
    } else {
        None
    };
    Ok(report)
}

fn verify_links(conn: &mut Conn, seal: &AuditSeal) -> Result<ChainReport, CoreError> {
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut checked = 0;
    let mut after = 0_i64;
    loop {
        let batch: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.gt(after))
            .order(audit_events::seq.asc())
            .limit(1000)
            .select(AuditEvent::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            checked += 1;
            // A missing row shows as a gap in the sequence.
            if e.seq != expected_seq || e.prev_hash != prev_hash || chain_hash(seal, &prev_hash, e) != e.hash {
                let first_broken = Some(e.seq.min(expected_seq));
                return Ok(ChainReport { checked, first_broken, checkpoint_problem: None });
            }
            prev_hash = e.hash.clone();
            expected_seq += 1;
        }
    }
    Ok(ChainReport { checked, first_broken: None, checkpoint_problem: None })
}

/// Midnight (UTC) of a `YYYY-MM-DD` day, in ms; a clear refusal for anything else.
pub fn day_start_ms(day: &str) -> Result<i64, CoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format)
        .map_err(|_| CoreError::Invalid(format!("“{day}” is not a date; use the form 2026-01-31.")))?;
    Ok(date.midnight().assume_utc().unix_timestamp() * 1000)
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on SQLite and PostgreSQL.
    fn lower(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// `%value%` (or `value%` when `anywhere` is false) for LIKE, with the
/// wildcards of the value itself escaped by `\\`.
fn like_pattern(value: &str, anywhere: bool) -> String {
    let escaped = value.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if anywhere { format!("%{escaped}%") } else { format!("{escaped}%") }
}

/// Events of a tenant, newest first, filtered as the audit page asks;
/// `before` continues after the event of that sequence number.
pub fn query(
    conn: &mut Conn,
    tenant_id: &str,
    with_tenantless: bool,
    filter: &AuditFilter,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<AuditEvent>, CoreError> {
    let mut q = audit_events::table.select(AuditEvent::as_select()).into_boxed();
    q = if with_tenantless {
        q.filter(audit_events::tenant_id.eq(tenant_id).or(audit_events::tenant_id.is_null()))
    } else {
        q.filter(audit_events::tenant_id.eq(tenant_id))
    };
    if let Some(user) = filter.user.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::user_email.eq(user.trim().to_lowercase()));
    }
    if let Some(action) = filter.action.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::action.eq(action.trim().to_owned()));
    }
    if let Some(outcome) = filter.outcome.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::outcome.eq(outcome.trim().to_owned()));
    }
    if let Some(from) = filter.from.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::at.ge(day_start_ms(from.trim())?));
    }
    if let Some(to) = filter.to.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::at.lt(day_start_ms(to.trim())? + 86_400_000));
    }
    if let Some(bucket) = filter.bucket.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(audit_events::bucket.eq(bucket.trim().to_owned()));
    }
    if let Some(key) = filter.key.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_events::object_key.like(like_pattern(key, false)).escape('\\'));
    }
    if let Some(text) = filter.text.as_deref().filter(|s| !s.trim().is_empty()) {
        // Lower-cased on both sides: SQLite's LIKE ignores ASCII case and
        // PostgreSQL's does not; this way both find the same events.
        let p = like_pattern(&text.trim().to_lowercase(), true);
        q = q.filter(
            lower(audit_events::user_email)
                .like(p.clone())
                .escape('\\')
                .or(lower(audit_events::action.nullable()).like(p.clone()).escape('\\'))
                .or(lower(audit_events::bucket).like(p.clone()).escape('\\'))
                .or(lower(audit_events::object_key).like(p.clone()).escape('\\'))
                .or(lower(audit_events::detail.nullable()).like(p).escape('\\')),
        );
    }
    if let Some(before) = before {
        q = q.filter(audit_events::seq.lt(before));
    }
    Ok(q.order(audit_events::seq.desc()).limit(limit).load(conn)?)
}

/// Formats a stored time for people and CSV files.
pub fn format_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The event as the audit page shows it.
pub fn to_row(e: &AuditEvent) -> AuditRow {
    let resource = match (&e.bucket, &e.object_key, &e.usecase_id) {
        (Some(b), Some(k), _) => format!("s3://{b}/{k}"),
        (Some(b), None, _) => format!("s3://{b}"),
        (None, _, Some(u)) => format!("usecase {u}"),
        _ => String::new(),
    };
    AuditRow {
        seq: e.seq,
        at: format_ms(e.at),
        user: e.user_email.clone().unwrap_or_else(|| "anonymous".into()),
        action: e.action.clone(),
        resource,
        client_ip: e.client_ip.clone().unwrap_or_default(),
        user_agent: e.user_agent.clone().unwrap_or_default(),
        outcome: e.outcome.clone(),
        detail: e.detail.clone(),
    }
}

/// Most events one page or export shows.
pub const PAGE_LIMIT: i64 = 500;

/// A page of the organization's audit events, newest first, for its
/// administrators: up to `limit` events older than `before`, and the cursor
/// of the next page; the read itself is audited as `action`.
pub async fn read_trail(
    s: &Services,
    p: &Principal,
    action: AuditAction,
    filter: AuditFilter,
    limit: i64,
    before: Option<i64>,
) -> Result<(Vec<AuditRow>, Option<i64>), CoreError> {
    let limit = limit.clamp(1, PAGE_LIMIT);
    let g = Guard::new(s, p, action);
    let tenant = g.actor().await?.tenant_id.clone();
    let target = Target::Tenant(tenant.clone());
    g.authorize(&target).await?;
    // Events of no tenant (failed sign-ins of unknown emails, anonymous and
    // cross-site requests) are the platform administrator's to see.
    let result =
        s.db.run(move |c| {
            let platform = super::identity::is_platform_tenant(c, &tenant)?;
            let mut events = query(c, &tenant, platform, &filter, limit + 1, before)?;
            let more = events.len() as i64 > limit;
            events.truncate(limit as usize);
            let next = if more { events.last().map(|e| e.seq) } else { None };
            Ok((events.iter().map(to_row).collect(), next))
        })
        .await;
    g.finish(&target, result, |(rows, _): &(Vec<AuditRow>, Option<i64>)| format!("{} events", rows.len())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_input_are_capped() {
        let e = cap_fields(NewEvent {
            user_email: Some("é".repeat(1000)),
            detail: "x".repeat(1_000_000),
            client: ClientInfo { ip: None, user_agent: Some("u".repeat(10_000)) },
            ..NewEvent::default()
        });
        assert!(e.user_email.unwrap().len() <= 254);
        assert!(e.detail.len() <= 2000 && e.detail.ends_with('…'));
        assert!(e.client.user_agent.unwrap().len() <= 512);
    }
}
