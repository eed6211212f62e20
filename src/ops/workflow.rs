//! The one workflow runner: role check → `BEGIN IMMEDIATE` → load at the
//! version the caller showed → the entity's `apply` (domain transition,
//! stock, refunds, child rows) → versioned save → audit row → commit.
//! Every entity's verbs go through [`run`]; none writes its own transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};

use crate::domain::Permission;
use crate::store::settings::Settings;
use crate::{Result, clock, store};

use super::{Session, Stamp, audit};

/// A table people edit through workflows: versioned, audited.
pub trait Record: Clone + serde::Serialize {
    /// The audit log's entity ("order").
    const ENTITY: &'static str;
    /// The table (for the conflict check).
    const TABLE: &'static str;
    fn load(conn: &Connection, id: i64) -> Result<Option<Self>>;
    fn id(&self) -> i64;
    fn version(&self) -> i64;
    /// Sets `version` and `updated_at` after a save.
    fn saved(&mut self, version: i64, at: &str);
    /// `UPDATE … WHERE id = ? AND version = ?`; false when the row moved on.
    fn update(conn: &Connection, after: &Self, expected_version: i64) -> Result<bool>;
}

/// `impl Record` for a row type with `id`, `version` and `updated_at`
/// fields whose store module has `get(conn, id)` and
/// `update(conn, row, expected_version)`: every workflow's row is one.
macro_rules! impl_record {
    ($ty:ty, $entity:literal, $table:literal, $store:path) => {
        impl $crate::ops::workflow::Record for $ty {
            const ENTITY: &'static str = $entity;
            const TABLE: &'static str = $table;

            fn load(conn: &rusqlite::Connection, id: i64) -> $crate::Result<Option<$ty>> {
                use $store as store_of;
                store_of::get(conn, id)
            }

            fn id(&self) -> i64 {
                self.id
            }

            fn version(&self) -> i64 {
                self.version
            }

            fn saved(&mut self, version: i64, at: &str) {
                self.version = version;
                self.updated_at = at.to_string();
            }

            fn update(
                conn: &rusqlite::Connection,
                after: &$ty,
                expected_version: i64,
            ) -> $crate::Result<bool> {
                use $store as store_of;
                store_of::update(conn, after, expected_version)
            }
        }
    };
}
pub(crate) use impl_record;

/// What `apply` may use: the open transaction, who and when, the settings.
pub struct Step<'a, 'c> {
    pub tx: &'a mut Transaction<'c>,
    pub who: Stamp<'a>,
    pub now: DateTime<Utc>,
    pub settings: &'a Settings,
}

/// What `apply` decided.
pub struct Applied {
    pub message: String,
    /// Landed, but not as asked (e.g. held for stock): the face warns.
    pub attention: bool,
    /// Save the row (version + 1, audit row). False: nothing of the row
    /// changed (the apply may have written and audited a child row itself).
    pub save: bool,
}

impl Applied {
    pub fn saved(message: String) -> Applied {
        Applied {
            message,
            attention: false,
            save: true,
        }
    }

    pub fn unchanged(message: String) -> Applied {
        Applied {
            message,
            attention: false,
            save: false,
        }
    }

    pub fn attention(mut self, yes: bool) -> Applied {
        self.attention = yes;
        self
    }
}

/// Loads record `id` and checks it is still at `shown` (when given).
pub fn load_checked<R: Record>(conn: &Connection, id: i64, shown: Option<i64>) -> Result<R> {
    let r = R::load(conn, id)?.ok_or_else(|| crate::Error::not_found(static_entity::<R>(), id))?;
    match shown {
        Some(v) if v != r.version() => Err(store::conflict(conn, R::ENTITY, R::TABLE, id)),
        _ => Ok(r),
    }
}

fn static_entity<R: Record>() -> &'static str {
    R::ENTITY
}

/// Writes `after` if the row is still at `before`'s version, then its audit
/// row under `action`.
pub fn save<R: Record>(
    tx: &Connection,
    who: Stamp<'_>,
    action: &str,
    before: &R,
    after: &mut R,
) -> Result<()> {
    after.saved(before.version(), who.at);
    if !R::update(tx, after, before.version())? {
        return Err(store::conflict(tx, R::ENTITY, R::TABLE, before.id()));
    }
    after.saved(before.version() + 1, who.at);
    audit(
        tx,
        who,
        R::ENTITY,
        before.id(),
        action,
        Some(before),
        Some(&*after),
    )
}

/// Runs one verb on record `id` as one transaction. `apply` gets the row as
/// loaded and a copy to change; the runner saves the copy (version checked)
/// and writes the audit row named `action`. Returns the row after, with what
/// `apply` said.
pub fn run<R: Record>(
    s: &mut Session,
    permission: Permission,
    action: &str,
    id: i64,
    shown: Option<i64>,
    now: DateTime<Utc>,
    apply: impl FnOnce(&mut Step<'_, '_>, &R, &mut R) -> Result<Applied>,
) -> Result<(R, Applied)> {
    s.require(permission)?;
    let at = clock::stamp(now);
    let actor = s.actor.login.clone();
    let settings = s.settings.clone();
    let mut tx = store::write_tx(&mut s.conn)?;
    let before: R = load_checked(&tx, id, shown)?;
    let mut after = before.clone();
    let who = Stamp {
        actor: &actor,
        at: &at,
    };
    let mut step = Step {
        tx: &mut tx,
        who,
        now,
        settings: &settings,
    };
    let applied = apply(&mut step, &before, &mut after)?;
    if applied.save {
        save(&tx, who, action, &before, &mut after)?;
    }
    tx.commit()?;
    Ok((if applied.save { after } else { before }, applied))
}
