//! Refusals that come before anyone is known (requests from other sites,
//! for one) are audited too, without a tenant; but a client that repeats
//! them cannot flood the trail: past a few a minute per address they are
//! only counted, and the next event written for that address says how many
//! were not.

use super::actions::AuditAction;
use super::audit::Outcome;
use super::guard::{Guard, Services};
use super::principal::Principal;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

/// Refusal events written per client address and minute before the rest are summarised.
const PER_MINUTE: u32 = 10;

/// The per-address budget of refusal events.
pub struct RefusalLog {
    budget: DefaultKeyedRateLimiter<String>,
    unwritten: Mutex<HashMap<String, u64>>,
}

impl Default for RefusalLog {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Self { budget: RateLimiter::keyed(Quota::per_minute(per_minute)), unwritten: Mutex::new(HashMap::new()) }
    }
}

impl RefusalLog {
    /// Whether a refusal of `client` is written: `Some(n)` with the number
    /// of its refusals left unwritten since the last one, or `None` when
    /// this one is only counted.
    pub fn admit(&self, client: &str) -> Option<u64> {
        let mut unwritten = self.unwritten.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.budget.check_key(&client.to_owned()).is_ok() {
            Some(unwritten.remove(client).unwrap_or(0))
        } else {
            *unwritten.entry(client.to_owned()).or_insert(0) += 1;
            None
        }
    }
}

/// Audits a refusal of `action` that no tenant owns, within the client's budget.
pub async fn record(s: &Services, p: &Principal, action: AuditAction, detail: String) {
    let client = p.client.ip.clone().unwrap_or_default();
    let Some(unwritten) = s.refusals.admit(&client) else { return };
    let g = Guard::new(s, p, action);
    let mut event = g.event();
    event.detail = match unwritten {
        0 => detail,
        n => format!("{detail} (and {n} more refusals from this address, not recorded one by one)"),
    };
    g.audit(event, Outcome::Denied).await;
}

#[cfg(test)]
mod tests {
    use super::RefusalLog;

    #[test]
    fn a_client_that_repeats_itself_is_summarised() {
        let log = RefusalLog::default();
        for _ in 0..10 {
            assert_eq!(log.admit("10.0.0.1"), Some(0));
        }
        for _ in 0..25 {
            assert_eq!(log.admit("10.0.0.1"), None);
        }
        assert_eq!(log.admit("10.0.0.2"), Some(0), "another address has its own budget");
    }
}
