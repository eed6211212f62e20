//! The audit chain's head: its length and newest hash. The chain alone
//! cannot show that its newest rows were deleted or that everything from
//! some row on was rewritten with recomputed hashes; a head recorded earlier
//! and kept outside the file (`shopdesk audit head`, e.g. in the backup log)
//! can: the row it names must still be there with the same hash.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::{CheckResult, finding};
use crate::{Error, Result};

/// `LEN:HASH`: the chain had `len` rows and row `len` had `hash` (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub len: i64,
    pub hash: String,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.len, self.hash)
    }
}

impl FromStr for Head {
    type Err = Error;

    fn from_str(s: &str) -> Result<Head> {
        let bad = || {
            Error::input(format!(
                "{s:?} is not a chain head: expected LEN:HASH as `shopdesk audit head` prints it"
            ))
        };
        let (len, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let len: i64 = len.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if len < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Head { len, hash })
    }
}

/// A stored hash as hex, whether the column holds hex text or 32 raw bytes.
fn hash_hex(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(t) => String::from_utf8_lossy(t).to_ascii_lowercase(),
        ValueRef::Blob(b) => hex::encode(b),
        _ => String::new(),
    }
}

fn hash_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
            Ok(hash_hex(r.get_ref(0)?))
        })
        .optional()?)
}

/// The chain's current head (`0:` and the genesis hash when it is empty).
pub fn head(conn: &Connection) -> Result<Head> {
    let last: Option<i64> = conn.query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))?;
    match last {
        Some(len) => Ok(Head {
            len,
            hash: hash_of(conn, len)?.unwrap_or_default(),
        }),
        None => Ok(Head {
            len: 0,
            hash: hex::encode(super::super::audit::GENESIS),
        }),
    }
}

/// The chain still holds the recorded head: nothing up to it was truncated
/// or rewritten. (Together with the chain check, which proves every later
/// row chains to it.)
pub(super) fn expect(conn: &Connection, want: &Head) -> Result<CheckResult> {
    let now = head(conn)?;
    let mut problems = Vec::new();
    if now.len < want.len {
        problems.push(format!(
            "audit_log was truncated: it has {} rows, but {} were recorded (head {want})",
            now.len, want.len
        ));
    } else if want.len > 0 {
        match hash_of(conn, want.len)? {
            Some(h) if h == want.hash => {}
            Some(h) => problems.push(format!(
                "audit_log row {} was rewritten: its hash is {h}, the recorded head says {}",
                want.len, want.hash
            )),
            None => problems.push(format!("audit_log row {} is missing", want.len)),
        }
    }
    Ok(finding("audit head", problems))
}
