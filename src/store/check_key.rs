//! The audit chain's key: with a key file beside the database, every audit
//! row's hash is HMAC-SHA256 under that key instead of plain SHA-256, so a
//! row written or rewritten by hand (with the public formula) no longer
//! verifies. Without a key file the chain is plain SHA-256: it still shows a
//! row edited in place, but anyone who can write the file can recompute it.
//!
//! One database per process (the CLI resolves one path), so the key is chosen
//! once, by `config::db_path`, and `audit::row_hash` asks `ChainHasher` for
//! the hash. A key file that exists but cannot be read is an error, never a
//! silent fall-back to unkeyed rows.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The key's file name, in the database's directory.
pub const KEY_FILE: &str = "audit.key";
/// Shorter keys are refused: a guessable key proves nothing.
const MIN_KEY_BYTES: usize = 16;

/// A loaded key and where it came from (for messages).
#[derive(Clone)]
pub struct Key {
    pub path: PathBuf,
    bytes: Vec<u8>,
    /// Keyed once; each row's MAC starts from a clone.
    mac: Hmac<Sha256>,
}

static KEY: OnceLock<Option<Key>> = OnceLock::new();

/// Chooses the key for this process: `audit.key` beside `db`, if there is
/// one. Later calls must name the same key (or none).
pub fn use_key_beside(db: &Path) -> Result<()> {
    let wanted = load_beside(db)?;
    let same = match (KEY.get_or_init(|| wanted.clone()), &wanted) {
        (None, None) => true,
        (Some(a), Some(b)) => a.bytes == b.bytes,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(Error::Db(format!(
            "{}: its audit key differs from the one this process already uses",
            db.display()
        )))
    }
}

/// The key in force, if any.
pub fn in_force() -> Option<&'static Key> {
    KEY.get().and_then(Option::as_ref)
}

fn load_beside(db: &Path) -> Result<Option<Key>> {
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let path = dir.join(KEY_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Db(format!(
                "cannot read the audit key {}: {e}",
                path.display()
            )));
        }
    };
    if bytes.len() < MIN_KEY_BYTES {
        return Err(Error::Db(format!(
            "the audit key {} is {} bytes; it needs at least {MIN_KEY_BYTES} random bytes",
            path.display(),
            bytes.len()
        )));
    }
    crate::identity::check_key_file(&path)?;
    let mac = Hmac::<Sha256>::new_from_slice(&bytes)
        .map_err(|e| Error::Db(format!("the audit key {}: {e}", path.display())))?;
    Ok(Some(Key { path, bytes, mac }))
}

/// SHA-256, or HMAC-SHA256 under the key in force: the one place the chain's
/// hash function is chosen.
pub enum ChainHasher {
    Plain(Sha256),
    Keyed(Box<Hmac<Sha256>>),
}

impl ChainHasher {
    pub fn new() -> ChainHasher {
        match in_force() {
            Some(k) => ChainHasher::Keyed(Box::new(k.mac.clone())),
            None => ChainHasher::Plain(Sha256::new()),
        }
    }

    pub fn update(&mut self, data: impl AsRef<[u8]>) {
        match self {
            ChainHasher::Plain(h) => h.update(data.as_ref()),
            ChainHasher::Keyed(m) => m.update(data.as_ref()),
        }
    }

    pub fn finalize(self) -> [u8; 32] {
        match self {
            ChainHasher::Plain(h) => h.finalize().into(),
            ChainHasher::Keyed(m) => m.finalize().into_bytes().into(),
        }
    }
}

impl Default for ChainHasher {
    fn default() -> Self {
        ChainHasher::new()
    }
}
