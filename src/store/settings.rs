//! The one settings row and the holiday list.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    pub shop_name: String,
    pub currency: String,
    pub timezone: String,
    pub business_days: String,
    pub business_start: String,
    pub business_end: String,
    pub merchant_review_sla_days: i64,
    pub ticket_audit_sla_days: i64,
    pub ticket_resolve_sla_days: i64,
    pub return_window_days: i64,
    pub reopen_window_days: i64,
    pub ship_by_hours: i64,
    pub doc_expiry_warn_days: i64,
    pub violation_suspend_points: i64,
    pub default_commission_bp: i64,
    pub refund_limit_support_minor: i64,
    pub refund_limit_operator_minor: i64,
    pub version: i64,
}

pub fn load(conn: &Connection) -> Result<Settings> {
    conn.query_row(
        "SELECT shop_name, currency, timezone, business_days, business_start, business_end,
                merchant_review_sla_days, ticket_audit_sla_days, ticket_resolve_sla_days,
                return_window_days, reopen_window_days, ship_by_hours, doc_expiry_warn_days,
                violation_suspend_points, default_commission_bp, refund_limit_support_minor,
                refund_limit_operator_minor, version
         FROM settings WHERE id = 1",
        [],
        |r| {
            Ok(Settings {
                shop_name: r.get(0)?,
                currency: r.get(1)?,
                timezone: r.get(2)?,
                business_days: r.get(3)?,
                business_start: r.get(4)?,
                business_end: r.get(5)?,
                merchant_review_sla_days: r.get(6)?,
                ticket_audit_sla_days: r.get(7)?,
                ticket_resolve_sla_days: r.get(8)?,
                return_window_days: r.get(9)?,
                reopen_window_days: r.get(10)?,
                ship_by_hours: r.get(11)?,
                doc_expiry_warn_days: r.get(12)?,
                violation_suspend_points: r.get(13)?,
                default_commission_bp: r.get(14)?,
                refund_limit_support_minor: r.get(15)?,
                refund_limit_operator_minor: r.get(16)?,
                version: r.get(17)?,
            })
        },
    )
    .map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => Error::Db("the settings row is missing".into()),
        e => e.into(),
    })
}

pub fn insert(conn: &Connection, shop_name: &str, currency: &str, timezone: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (id, shop_name, currency, timezone) VALUES (1, ?1, ?2, ?3)",
        params![shop_name, currency, timezone],
    )?;
    Ok(())
}

pub fn holidays(conn: &Connection) -> Result<Vec<NaiveDate>> {
    let mut st = conn.prepare_cached("SELECT date FROM holidays ORDER BY date")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        let s = r?;
        let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| Error::Db(format!("holiday {s:?}: {e}")))?;
        out.push(d);
    }
    Ok(out)
}
