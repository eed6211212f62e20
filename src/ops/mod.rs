//! Workflows: where a person's intent becomes a change. Each public function
//! checks the role, loads, applies the domain rule, writes with the version
//! check, appends the audit row and commits, all in one transaction.

pub mod alerts;
pub mod export;
pub mod history;
pub mod import;
pub mod kpi;
pub mod kpi_by;
pub mod kpi_tiles;
pub mod merchants;
pub mod orders;
pub mod products;
pub mod schedule;
pub mod settlement;
pub mod staff;
pub mod tickets;
pub mod verbs;
pub mod workflow;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::calendar::BusinessCalendar;
use crate::domain::{Permission, Role};
use crate::store::settings::Settings;
use crate::store::staff::Staff;
use crate::store::{self, audit};
use crate::{Error, Result, clock};

/// An open database and the person working on it.
pub struct Session {
    pub conn: Connection,
    pub path: PathBuf,
    pub actor: Staff,
    pub settings: Settings,
}

impl Session {
    /// Opens `path` as the OS login of this process.
    pub fn open(path: &Path) -> Result<Session> {
        let login = crate::identity::os_login()?;
        Self::open_as(path, &login)
    }

    /// Opens `path` as `login`; refuses a login that is not active staff,
    /// naming the command the owner runs to add it.
    pub fn open_as(path: &Path, login: &str) -> Result<Session> {
        let conn = store::open(path)?;
        let actor = match store::staff::by_login(&conn, login)? {
            Some(s) if s.active => s,
            Some(_) => {
                return Err(Error::refused(format!(
                    "login {login:?} is disabled on this shop; the owner can re-enable it with: shopdesk --db {} staff set-role {login} --role support",
                    path.display()
                )));
            }
            None => {
                return Err(Error::refused(format!(
                    "login {login:?} is not staff of this shop; the owner can add it with: shopdesk --db {} staff add {login} --role support",
                    path.display()
                )));
            }
        };
        let settings = store::settings::load(&conn)?;
        Ok(Session {
            conn,
            path: path.to_path_buf(),
            actor,
            settings,
        })
    }

    /// The file opened read-only for this login (writes are refused).
    pub fn read_only(&self) -> bool {
        store::is_read_only(&self.conn)
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }

    pub fn require(&self, p: Permission) -> Result<()> {
        Ok(self.actor.role.require(p)?)
    }

    pub fn now(&self) -> Result<DateTime<Utc>> {
        clock::now()
    }

    /// The shop's business calendar from settings and holidays.
    pub fn calendar(&self) -> Result<BusinessCalendar> {
        let s = &self.settings;
        Ok(BusinessCalendar::new(
            &s.timezone,
            &s.business_days,
            &s.business_start,
            &s.business_end,
            store::settings::holidays(&self.conn)?,
        )?)
    }
}

/// Appends the audit row for a change made by `actor` inside `tx`.
/// Who made a change and when (the stored UTC stamp).
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    pub actor: &'a str,
    pub at: &'a str,
}

pub(crate) fn audit<T: serde::Serialize>(
    tx: &Connection,
    who: Stamp<'_>,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let to_json = |v: Option<&T>| -> Result<Option<serde_json::Value>> {
        v.map(|v| serde_json::to_value(v).map_err(|e| Error::Db(format!("audit json: {e}"))))
            .transpose()
    };
    audit::append(
        tx,
        &audit::Entry {
            at: who.at,
            actor: who.actor,
            entity,
            entity_id,
            action,
            before: to_json(before)?,
            after: to_json(after)?,
        },
    )?;
    Ok(())
}
