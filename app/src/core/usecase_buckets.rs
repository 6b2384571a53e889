//! Which buckets a usecase may touch: its data bucket and the buckets
//! created or adopted through it, nothing else, whatever a request names.
//! A same-account usecase acts with the portal's own credentials, so the
//! buckets it may attach are limited to those the platform administrator
//! assigned to its tenant (by name, by name prefix, or all of them).

use super::CoreError;
use super::aws::RoleRef;
use super::db::Conn;
use super::db::models::Usecase;
use super::db::schema::{tenant_buckets, usecase_buckets};
use diesel::prelude::*;

/// How a bucket came to a usecase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Created through the usecase.
    Created,
    /// An existing bucket taken over through the usecase.
    Adopted,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Created => "created",
            Origin::Adopted => "adopted",
        }
    }
}

/// The buckets a usecase names itself: its bucket and its data source's
/// bucket (the same one unless a data source elsewhere was chosen).
fn named(usecase: &Usecase) -> Vec<&str> {
    let mut named = vec![usecase.data_bucket(), usecase.s3_bucket.as_str()];
    named.dedup();
    named
}

/// True if `bucket` is one of the usecase's buckets.
pub fn belongs(conn: &mut Conn, usecase: &Usecase, bucket: &str) -> Result<bool, CoreError> {
    if named(usecase).contains(&bucket) {
        return Ok(true);
    }
    let found = usecase_buckets::table
        .filter(usecase_buckets::usecase_id.eq(&usecase.id))
        .filter(usecase_buckets::bucket.eq(bucket))
        .count()
        .get_result::<i64>(conn)?;
    Ok(found > 0)
}

/// The usecase's buckets: its data bucket and its own bucket first, then
/// the others by name.
pub fn list(conn: &mut Conn, usecase: &Usecase) -> Result<Vec<String>, CoreError> {
    let others: Vec<String> = usecase_buckets::table
        .filter(usecase_buckets::usecase_id.eq(&usecase.id))
        .select(usecase_buckets::bucket)
        .order(usecase_buckets::bucket.asc())
        .load(conn)?;
    let named = named(usecase);
    let mut all: Vec<String> = named.iter().map(|b| (*b).to_owned()).collect();
    all.extend(others.into_iter().filter(|b| !named.contains(&b.as_str())));
    Ok(all)
}

/// Records that `bucket` was created or adopted through the usecase.
pub fn record(conn: &mut Conn, usecase: &Usecase, bucket: &str, origin: Origin) -> Result<(), CoreError> {
    let row = (
        usecase_buckets::usecase_id.eq(&usecase.id),
        usecase_buckets::bucket.eq(bucket),
        usecase_buckets::origin.eq(origin.as_str()),
        usecase_buckets::created_at.eq(super::now_ms()),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(usecase_buckets::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// True if `pattern` (a name, `prefix*`, or `*`) covers `bucket`.
pub fn pattern_covers(pattern: &str, bucket: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => bucket.starts_with(prefix),
        None => pattern == bucket,
    }
}

/// True if the usecase may attach `bucket` (make it its data bucket,
/// create or adopt it). A usecase reached through its own role is limited
/// by what that role may do; one on the portal's credentials only by the
/// tenant's assigned buckets.
pub fn may_attach(conn: &mut Conn, usecase: &Usecase, bucket: &str) -> Result<bool, CoreError> {
    if RoleRef::of(usecase).is_some() {
        return Ok(true);
    }
    let patterns: Vec<String> = tenant_buckets::table
        .filter(tenant_buckets::tenant_id.eq(&usecase.tenant_id))
        .select(tenant_buckets::pattern)
        .load(conn)?;
    Ok(patterns.iter().any(|p| pattern_covers(p, bucket)))
}

/// Assigns buckets of the portal's account to a tenant: a name, a name
/// prefix ending in `*`, or `*` for all.
pub fn assign(conn: &mut Conn, tenant_id: &str, pattern: &str) -> Result<(), CoreError> {
    let name = pattern.strip_suffix('*').unwrap_or(pattern);
    let valid = pattern == "*"
        || (pattern.len() <= 64
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c)))
            && !name.is_empty();
    if !valid {
        return Err(CoreError::Invalid(format!(
            "“{pattern}” is neither a bucket name nor a name prefix ending in “*”."
        )));
    }
    let row = (
        tenant_buckets::tenant_id.eq(tenant_id),
        tenant_buckets::pattern.eq(pattern),
        tenant_buckets::created_at.eq(super::now_ms()),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(tenant_buckets::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Assigns `patterns` to the tenant named `tenant` (its name or id), all or
/// none, then audits it; the platform administrator's door is the
/// `dataport assign-buckets` command. Returns the tenant's name.
pub fn assign_from_command_line(
    conn: &mut Conn,
    seal: &super::audit_seal::AuditSeal,
    tenant: &str,
    patterns: &[String],
) -> Result<String, CoreError> {
    use super::actions::AuditAction;
    use super::audit::{self, NewEvent, Outcome};
    use super::db::schema::tenants;
    let (id, name) = super::db::write_transaction(conn, |conn| {
        let found: Option<(String, String)> = tenants::table
            .filter(tenants::id.eq(tenant).or(tenants::name.eq(tenant)))
            .select((tenants::id, tenants::name))
            .first(conn)
            .optional()?;
        let (id, name) = found.ok_or_else(|| CoreError::NotFound(format!("There is no organization “{tenant}”.")))?;
        for pattern in patterns {
            assign(conn, &id, pattern)?;
        }
        Ok::<_, CoreError>((id, name))
    })?;
    let event = NewEvent {
        tenant_id: Some(id),
        action: AuditAction::AssignBuckets.as_str().into(),
        credential: Some(super::principal::Credential::CommandLine.label()),
        detail: format!("assigned {}", patterns.join(", ")),
        ..NewEvent::default()
    };
    audit::record(conn, seal, event, Outcome::Success)?;
    Ok(name)
}

/// The refusal when a usecase names a bucket that is not its own.
pub fn not_its_bucket(usecase: &Usecase, bucket: &str) -> CoreError {
    CoreError::Denied(format!("bucket {bucket} is not a bucket of usecase “{}”", usecase.name))
}

#[cfg(test)]
mod tests {
    use super::pattern_covers;

    #[test]
    fn patterns_cover_a_name_a_prefix_or_everything() {
        assert!(pattern_covers("*", "anything"));
        assert!(pattern_covers("acme-*", "acme-training"));
        assert!(!pattern_covers("acme-*", "beta-acme-x"));
        assert!(pattern_covers("acme-data", "acme-data"));
        assert!(!pattern_covers("acme-data", "acme-data-2"));
    }
}
