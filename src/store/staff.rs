//! Staff rows.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::Role;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Staff {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    #[serde(serialize_with = "ser_role")]
    pub role: Role,
    pub active: bool,
    pub version: i64,
}

fn ser_role<S: serde::Serializer>(r: &Role, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String, bool, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_staff(t: (i64, String, String, String, bool, i64)) -> Result<Staff> {
    let role =
        t.3.parse::<Role>()
            .map_err(|e| Error::Db(format!("staff {}: {e}", t.1)))?;
    Ok(Staff {
        id: t.0,
        login: t.1,
        display_name: t.2,
        role,
        active: t.4,
        version: t.5,
    })
}

pub fn by_login(conn: &Connection, login: &str) -> Result<Option<Staff>> {
    let row = conn
        .query_row(
            "SELECT id, login, display_name, role, active, version FROM staff WHERE login = ?1",
            [login],
            map,
        )
        .optional()?;
    row.map(to_staff).transpose()
}

pub fn all(conn: &Connection) -> Result<Vec<Staff>> {
    let mut st =
        conn.prepare("SELECT id, login, display_name, role, active, version FROM staff ORDER BY login")?;
    let rows = st.query_map([], map)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(to_staff).collect()
}

pub fn insert(conn: &Connection, login: &str, display_name: &str, role: Role, now: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO staff (login, display_name, role, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
        params![login, display_name, role.as_str(), now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Writes role and active flag if the row is still at `version`.
pub fn update(conn: &Connection, s: &Staff) -> Result<bool> {
    let n = conn.execute(
        "UPDATE staff SET role = ?1, active = ?2, display_name = ?3, version = version + 1
         WHERE id = ?4 AND version = ?5",
        params![s.role.as_str(), s.active, s.display_name, s.id, s.version],
    )?;
    Ok(n == 1)
}

pub fn active_owners(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM staff WHERE role = 'owner' AND active = 1",
        [],
        |r| r.get(0),
    )?)
}
