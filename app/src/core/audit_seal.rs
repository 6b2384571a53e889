//! What makes the audit chain hard to forge from inside the database: each
//! link is an HMAC with a key kept outside it (a file in the data directory,
//! or one the operator provides), and the newest link is checkpointed in a
//! file beside it. Whoever can write the database but not the key cannot
//! recompute the chain after an edit, and deleting the newest events leaves
//! the checkpoint pointing past the end.

use super::CoreError;
use super::db::Conn;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The key and checkpoint of one portal's audit chain.
#[derive(Debug)]
pub struct AuditSeal {
    key: Vec<u8>,
    head_file: PathBuf,
    /// Events before this sequence number were written before the chain was
    /// keyed and are checked as plain SHA-256 links.
    keyed_from: i64,
    /// The newest checkpoint written by this process.
    written: Mutex<i64>,
}

/// The newest link as the checkpoint file keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// First keyed event.
    pub keyed_from: i64,
    /// Sequence number of the newest event at the time.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Config(format!("cannot {what} {}: {e}", path.display()))
}

/// Reads a checkpoint file (`keyed_from seq hash`), if there is one.
pub fn read_checkpoint(path: &Path) -> Result<Option<Checkpoint>, CoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("read", path, e)),
    };
    let mut parts = text.split_whitespace();
    let parse = |v: Option<&str>| v.and_then(|v| v.parse::<i64>().ok());
    match (parse(parts.next()), parse(parts.next()), parts.next()) {
        (Some(keyed_from), Some(seq), Some(hash)) => Ok(Some(Checkpoint { keyed_from, seq, hash: hash.to_owned() })),
        _ => Err(CoreError::Config(format!("{} is not an audit checkpoint", path.display()))),
    }
}

/// Loads the key at `key_file`, making a random one (owner-only) if there is none.
pub fn load_or_create_key(key_file: &Path) -> Result<Vec<u8>, CoreError> {
    match std::fs::read_to_string(key_file) {
        Ok(text) => {
            hex::decode(text.trim()).map_err(|_| CoreError::Config(format!("{} is no hex key", key_file.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            std::fs::write(key_file, hex::encode(key)).map_err(|e| io("write", key_file, e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let owner_only = std::fs::Permissions::from_mode(0o600);
                std::fs::set_permissions(key_file, owner_only).map_err(|e| io("protect", key_file, e))?;
            }
            Ok(key.to_vec())
        }
        Err(e) => Err(io("read", key_file, e)),
    }
}

impl AuditSeal {
    /// A seal with `key`, checkpointing to `head_file`, for a chain keyed
    /// from event `keyed_from` (see [`agree`]).
    pub fn new(key: Vec<u8>, head_file: PathBuf, keyed_from: i64) -> Result<Self, CoreError> {
        let seal = Self { key, head_file, keyed_from, written: Mutex::new(0) };
        if !seal.head_file.exists() {
            seal.write(&Checkpoint { keyed_from, seq: 0, hash: super::audit::GENESIS.to_owned() })?;
        }
        Ok(seal)
    }

    /// Where the checkpoint is kept.
    pub fn head_file(&self) -> &Path {
        &self.head_file
    }

    /// The first keyed event.
    pub fn keyed_from(&self) -> i64 {
        self.keyed_from
    }

    /// The link of an event: HMAC-SHA256 of the previous link and its
    /// fields, or plain SHA-256 for events written before the chain was keyed.
    pub fn link(&self, seq: i64, prev_hash: &str, fields: &str) -> String {
        if seq < self.keyed_from {
            use sha2::Digest;
            let mut h = Sha256::new();
            h.update(prev_hash.as_bytes());
            h.update(fields.as_bytes());
            return hex::encode(h.finalize());
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(prev_hash.as_bytes());
        mac.update(fields.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Records `seq` and `hash` as the newest link, unless a newer one was
    /// recorded already (appends of several requests finish in any order).
    pub fn advance(&self, seq: i64, hash: &str) -> Result<(), CoreError> {
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seq <= *written {
            return Ok(());
        }
        self.write(&Checkpoint { keyed_from: self.keyed_from, seq, hash: hash.to_owned() })?;
        *written = seq;
        Ok(())
    }

    fn write(&self, c: &Checkpoint) -> Result<(), CoreError> {
        // Written beside, then renamed: a crash never leaves half a checkpoint.
        let tmp = self.head_file.with_extension("tmp");
        std::fs::write(&tmp, format!("{} {} {}\n", c.keyed_from, c.seq, c.hash)).map_err(|e| io("write", &tmp, e))?;
        std::fs::rename(&tmp, &self.head_file).map_err(|e| io("write", &self.head_file, e))
    }
}

/// The first keyed event and the key's fingerprint, agreed by every process
/// on the database: the first to start records `proposed` (from its
/// checkpoint, or the event after the newest) and its key's fingerprint;
/// the others take the one recorded, and a process with another key is
/// refused, because its links would break the chain.
pub fn agree(conn: &mut Conn, key: &[u8], proposed: i64) -> Result<i64, CoreError> {
    use super::db::schema::portal_keys;
    use diesel::prelude::*;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"dataport audit key fingerprint");
    let fingerprint = hex::encode(mac.finalize().into_bytes());
    let now = super::now_ms();
    for (name, value) in [(KEYED_FROM, proposed.to_string()), (KEY_FINGERPRINT, fingerprint.clone())] {
        let row = (portal_keys::name.eq(name), portal_keys::value.eq(value), portal_keys::created_at.eq(now));
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(portal_keys::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    let stored = |c: &mut Conn, name: &str| -> Result<String, CoreError> {
        Ok(portal_keys::table.find(name).select(portal_keys::value).first(c)?)
    };
    if stored(conn, KEY_FINGERPRINT)? != fingerprint {
        return Err(CoreError::Config(
            "this audit key is not the one the audit trail is sealed with: give every replica the same \
             --audit-key-file"
                .into(),
        ));
    }
    stored(conn, KEYED_FROM)?.parse().map_err(|_| CoreError::Internal("the audit chain's start is not a number".into()))
}

const KEYED_FROM: &str = "audit-keyed-from";
const KEY_FINGERPRINT: &str = "audit-key-fingerprint";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_keyed_from_the_first_new_event_and_the_checkpoint_only_advances() {
        let dir = std::env::temp_dir().join(format!("dataport-seal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let seal = AuditSeal::new(b"key".to_vec(), dir.join("audit.head"), 8).unwrap();
        assert_eq!(seal.keyed_from(), 8);
        assert_ne!(seal.link(8, "p", "f"), seal.link(7, "p", "f"), "keyed and plain links differ");
        let other = AuditSeal::new(b"other".to_vec(), dir.join("other.head"), 8).unwrap();
        assert_ne!(seal.link(8, "p", "f"), other.link(8, "p", "f"), "another key, another link");
        seal.advance(9, "h9").unwrap();
        seal.advance(8, "h8").unwrap();
        let c = read_checkpoint(seal.head_file()).unwrap().unwrap();
        assert_eq!(c, Checkpoint { keyed_from: 8, seq: 9, hash: "h9".into() });
        std::fs::remove_dir_all(dir).unwrap();
    }
}
