//! Leases that let one replica at a time run a background job: whoever
//! holds a job's unexpired lease runs it and renews it; when the holder
//! stops renewing (it crashed or was stopped), the lease lapses and the
//! next replica to ask takes it over.

use super::db::schema::job_leases;
use super::db::{Conn, write_transaction};
use super::{CoreError, now_ms};
use diesel::prelude::*;

/// Takes or renews the lease on `job` for `holder` until `ttl_ms` from now;
/// returns whether `holder` holds it (false while another's is unexpired).
pub fn acquire(conn: &mut Conn, job: &str, holder: &str, ttl_ms: i64) -> Result<bool, CoreError> {
    write_transaction(conn, |c| {
        let now = now_ms();
        let current: Option<(String, i64)> =
            job_leases::table.find(job).select((job_leases::holder, job_leases::expires_at)).first(c).optional()?;
        let until = now + ttl_ms;
        match current {
            None => {
                diesel::insert_into(job_leases::table)
                    .values((job_leases::name.eq(job), job_leases::holder.eq(holder), job_leases::expires_at.eq(until)))
                    .execute(c)?;
            }
            Some((other, expires_at)) if other != holder && expires_at > now => return Ok(false),
            Some(_) => {
                diesel::update(job_leases::table.find(job))
                    .set((job_leases::holder.eq(holder), job_leases::expires_at.eq(until)))
                    .execute(c)?;
            }
        }
        Ok(true)
    })
}

/// Gives the lease up (at shutdown), so that another replica need not wait for it to lapse.
pub fn release(conn: &mut Conn, job: &str, holder: &str) -> Result<(), CoreError> {
    diesel::delete(job_leases::table.find(job).filter(job_leases::holder.eq(holder))).execute(conn)?;
    Ok(())
}
