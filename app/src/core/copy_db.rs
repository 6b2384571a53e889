//! Moving an installation from one database to another (a laptop's SQLite
//! into PostgreSQL): every table, row for row, in one transaction on the
//! destination, so that a failure leaves it as empty as it was.

use super::CoreError;
use super::db::models::{AuditEvent, FileRecord, Grant, SessionRow, Tenant, UploadRecord, Usecase, User};
use super::db::rows::*;
use super::db::schema;
use super::db::{Conn, write_transaction};
use diesel::prelude::*;

/// Rows read and written at a time: a few hundred parameters per statement
/// on either backend, and little memory whatever the table's size.
const BATCH: i64 = 500;

/// Copies the rows of one table, a batch at a time, in primary key order.
macro_rules! copy_table {
    ($from:expr, $to:expr, $table:ident, $row:ty) => {{
        let mut copied = 0_i64;
        loop {
            let rows: Vec<$row> = schema::$table::table
                .select(<$row>::as_select())
                .order(schema::$table::table.primary_key())
                .limit(BATCH)
                .offset(copied)
                .load($from)?;
            if rows.is_empty() {
                break;
            }
            crate::on_backend!(&mut *$to, |c| diesel::insert_into(schema::$table::table).values(&rows).execute(c))?;
            copied += rows.len() as i64;
        }
        (stringify!($table), copied)
    }};
}

/// Copies every table of `from` into `to`, which must hold no organization
/// and no audit event yet (the portal's own keys there are replaced by the
/// source's). Returns each table with its row count.
pub fn copy_all(from: &mut Conn, to: &mut Conn) -> Result<Vec<(&'static str, i64)>, CoreError> {
    write_transaction(to, |to| {
        let tenants: i64 = schema::tenants::table.count().get_result(to)?;
        let events: i64 = schema::audit_events::table.count().get_result(to)?;
        if tenants + events > 0 {
            return Err(CoreError::Conflict(format!(
                "the destination already holds data ({tenants} organizations, {events} audit events); \
                 copy into an empty database"
            )));
        }
        diesel::delete(schema::portal_keys::table).execute(to)?;
        // Parents before children, so that every foreign key finds its row.
        Ok(vec![
            copy_table!(from, to, tenants, Tenant),
            copy_table!(from, to, users, User),
            copy_table!(from, to, usecases, Usecase),
            copy_table!(from, to, grants, Grant),
            copy_table!(from, to, password_links, PasswordLinkRow),
            copy_table!(from, to, files, FileRecord),
            copy_table!(from, to, uploads, UploadRecord),
            copy_table!(from, to, audit_events, AuditEvent),
            copy_table!(from, to, sessions, SessionRow),
            copy_table!(from, to, usecase_buckets, UsecaseBucketRow),
            copy_table!(from, to, tenant_buckets, TenantBucketRow),
            copy_table!(from, to, portal_keys, PortalKeyRow),
            copy_table!(from, to, access_tokens, AccessTokenRow),
            copy_table!(from, to, s3_credentials, S3CredentialRow),
            copy_table!(from, to, share_links, ShareLinkRow),
        ])
    })
}
