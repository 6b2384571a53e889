//! What stands between a sign-in attempt and the password hash: a limit
//! on failed attempts per client address, a small semaphore so that
//! argon2 never runs more than a few at a time (and never while holding a
//! database connection), a dummy hash so that every path costs the same,
//! and device tokens, which let an owner in from a browser that signed in
//! before while their account is locked against everyone else (OWASP's
//! "device cookie").

use super::CoreError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::num::NonZeroU32;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Password checks that may run at once; more wait their turn.
const HASHING_AT_ONCE: usize = 2;
/// How long a device token is good for.
pub const DEVICE_TOKEN_DAYS: i64 = 180;

/// The shared state of every sign-in of one portal process.
pub struct SignInGate {
    failures: DefaultKeyedRateLimiter<String>,
    blocked: Mutex<std::collections::HashMap<String, Instant>>,
    hashing: Semaphore,
    dummy_hash: OnceLock<String>,
    device_key: Vec<u8>,
}

impl SignInGate {
    /// A gate allowing `failures_per_minute` failed attempts per client
    /// address (in a burst, then one more every `60 / n` seconds);
    /// `device_key` signs device tokens.
    pub fn new(failures_per_minute: u32, device_key: Vec<u8>) -> Self {
        let n = NonZeroU32::new(failures_per_minute.max(2)).unwrap_or(NonZeroU32::MIN);
        // The failure that finds the quota spent is itself one of the n.
        let burst = NonZeroU32::new(n.get() - 1).unwrap_or(NonZeroU32::MIN);
        Self {
            failures: RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst)),
            blocked: Mutex::new(Default::default()),
            hashing: Semaphore::new(HASHING_AT_ONCE),
            dummy_hash: OnceLock::new(),
            device_key,
        }
    }

    /// Seconds until `client` may try again, if it has failed too often.
    pub fn retry_after(&self, client: &str) -> Option<u64> {
        let mut blocked = self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match blocked.get(client) {
            Some(until) if *until > Instant::now() => Some((*until - Instant::now()).as_secs() + 1),
            Some(_) => {
                blocked.remove(client);
                None
            }
            None => None,
        }
    }

    /// Counts a failed attempt of `client`; past the limit, it is blocked for a while.
    pub fn failed(&self, client: &str) {
        if let Err(not_until) = self.failures.check_key(&client.to_owned()) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            blocked.insert(client.to_owned(), Instant::now() + wait.max(Duration::from_secs(1)));
        }
    }

    /// Checks `password` against `hash` (or against a dummy hash when there
    /// is no account to check, so that the answer takes as long), waiting
    /// for a turn, on a blocking thread.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, CoreError> {
        let _turn = self.hashing.acquire().await.map_err(|e| CoreError::Internal(e.to_string()))?;
        let real = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => self
                .dummy_hash
                .get_or_init(|| super::identity::hash_password("dummy password").unwrap_or_default())
                .clone(),
        };
        let matched = tokio::task::spawn_blocking(move || super::identity::verify_password(&hash, &password))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(real && matched)
    }

    /// Hashes a new password, waiting for a turn like a sign-in, on a
    /// blocking thread: choosing passwords cannot stall the portal either.
    pub async fn hash(&self, password: String) -> Result<String, CoreError> {
        let _turn = self.hashing.acquire().await.map_err(|e| CoreError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || super::identity::hash_password(&password))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
    }

    /// The MAC of a device token of `email` good until `expires`.
    fn mac(&self, email: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.device_key).expect("HMAC takes any key length");
        mac.update(format!("device|{email}|{expires}").as_bytes());
        mac
    }

    /// A token that says this browser signed in as `email`.
    pub fn device_token(&self, email: &str, now_ms: i64) -> String {
        let expires = now_ms + DEVICE_TOKEN_DAYS * 24 * 3600 * 1000;
        format!("{expires}.{}", hex::encode(self.mac(email, expires).finalize().into_bytes()))
    }

    /// True if `token` was made by this portal for `email` and has not expired.
    pub fn trusts_device(&self, token: &str, email: &str, now_ms: i64) -> bool {
        let Some((expires, signature)) = token.split_once('.') else { return false };
        let Ok(expires) = expires.parse::<i64>() else { return false };
        let Ok(given) = hex::decode(signature) else { return false };
        // verify_slice compares in constant time.
        expires > now_ms && self.mac(email, expires).verify_slice(&given).is_ok()
    }
}

/// The key that signs device tokens, made on first use and kept in the
/// database so that every replica trusts the same browsers.
pub fn device_key(conn: &mut super::db::Conn) -> Result<Vec<u8>, CoreError> {
    use super::db::schema::portal_keys;
    use diesel::prelude::*;
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let row = (
        portal_keys::name.eq("device-tokens"),
        portal_keys::value.eq(hex::encode(fresh)),
        portal_keys::created_at.eq(super::now_ms()),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(portal_keys::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    let stored: String = portal_keys::table.find("device-tokens").select(portal_keys::value).first(conn)?;
    hex::decode(stored).map_err(|e| CoreError::Internal(format!("device key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_is_good_for_its_email_only_and_until_it_expires() {
        let gate = SignInGate::new(10, b"key".to_vec());
        let token = gate.device_token("a@example.com", 1_000);
        assert!(gate.trusts_device(&token, "a@example.com", 2_000));
        assert!(!gate.trusts_device(&token, "b@example.com", 2_000));
        assert!(!gate.trusts_device(&token, "a@example.com", i64::MAX), "expired");
        let (expires, _) = token.split_once('.').unwrap();
        assert!(!gate.trusts_device(&format!("{expires}.00ff"), "a@example.com", 2_000), "forged");
        let other = SignInGate::new(10, b"other key".to_vec());
        assert!(!other.trusts_device(&token, "a@example.com", 2_000), "another portal's key");
    }

    #[test]
    fn a_client_that_fails_too_often_waits() {
        let gate = SignInGate::new(3, b"key".to_vec());
        for _ in 0..3 {
            assert_eq!(gate.retry_after("10.0.0.1"), None);
            gate.failed("10.0.0.1");
        }
        let wait = gate.retry_after("10.0.0.1").expect("blocked");
        assert!((1..=21).contains(&wait), "{wait}");
        assert_eq!(gate.retry_after("10.0.0.2"), None, "other addresses are not affected");
    }
}
