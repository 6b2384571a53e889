//! The audit trail as a CSV file, streamed: rows are read a batch at a time
//! (newest first, by sequence number), so an export of any size holds one
//! batch in memory. Every cell that a spreadsheet would read as a formula
//! is neutralised.

use super::CoreError;
use super::actions::AuditAction;
use super::audit::{query, to_row};
use super::db::Conn;
use super::guard::{Guard, Services, Target};
use super::principal::Principal;
use crate::model::{AuditFilter, AuditRow};

/// Events read from the database at a time.
pub const BATCH: i64 = 1000;

/// The CSV header line.
pub const HEADER: &str = "seq,time,user,action,resource,client_ip,user_agent,outcome,detail\n";

/// An authorized export: whose events, filtered how.
#[derive(Debug, Clone)]
pub struct Export {
    tenant: String,
    platform: bool,
    filter: AuditFilter,
}

/// Authorizes an export of the actor's organization's trail and records it.
pub async fn begin(s: &Services, p: &Principal, filter: AuditFilter) -> Result<Export, CoreError> {
    let g = Guard::new(s, p, AuditAction::ExportAudit);
    let tenant = g.actor().await?.tenant_id.clone();
    let target = Target::Tenant(tenant.clone());
    g.authorize(&target).await?;
    let (t, f) = (tenant.clone(), filter.clone());
    // A filter that cannot be read (a date that is no date) refuses the export before it starts.
    let checked = s.db.run(move |c| query(c, &t, false, &f, 0, None).map(|_| ())).await;
    g.screened(checked).await?;
    let platform = s.db.run({
        let t = tenant.clone();
        move |c| super::identity::is_platform_tenant(c, &t)
    });
    let export = Export { tenant, platform: platform.await?, filter };
    g.finish(&target, Ok(export), |e| format!("export started, filters: {:?}", e.filter)).await
}

impl Export {
    /// The CSV lines of the next batch of events older than `before`
    /// (from the newest when `None`), and the cursor of the batch after it.
    pub fn batch(&self, conn: &mut Conn, before: Option<i64>) -> Result<(String, Option<i64>), CoreError> {
        let events = query(conn, &self.tenant, self.platform, &self.filter, BATCH, before)?;
        let next = (events.len() as i64 == BATCH).then(|| events.last().map(|e| e.seq)).flatten();
        let mut out = String::new();
        for e in &events {
            push_line(&mut out, &to_row(e));
        }
        Ok((out, next))
    }
}

/// One cell, quoted; a value that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, so that a
/// spreadsheet shows it instead of running it.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Appends one event as a CSV line.
pub fn push_line(out: &mut String, r: &AuditRow) {
    let fields = [
        r.seq.to_string(),
        r.at.clone(),
        r.user.clone(),
        r.action.clone(),
        r.resource.clone(),
        r.client_ip.clone(),
        r.user_agent.clone(),
        r.outcome.clone(),
        r.detail.clone(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_shown_never_run() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_field(start).starts_with("\"'"), "{start:?}");
        }
        assert_eq!(csv_field("plain, text"), "\"plain, text\"");
    }
}
