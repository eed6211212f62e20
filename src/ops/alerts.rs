//! The alerts of the dashboard and of `kpi --format text` (SPEC §4.5): one
//! definition for both. Each alert is a count of the list queue it opens
//! (`store::alerts`), taken now, not over the report's period.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::store::alerts as st;
use crate::store::lists::MerchantQueue;
use crate::{Result, clock};

/// What an alert counts, with what its list needs to show the same rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertKind {
    /// SLA running and past due (the "open, by SLA due" queue's head).
    OverdueTickets,
    /// Awaiting review past the review due time.
    OverdueReviews,
    /// Open and past ship-by at `cutoff` (an RFC 3339 stamp).
    LateShipments {
        cutoff: String,
    },
    LowStock,
    /// A document of a merchant not final expiring on or before `until`
    /// (today plus the `doc_expiry_warn_days` setting), or expired.
    ExpiringDocuments {
        until: NaiveDate,
    },
    /// Active or suspended with the deposit balance under the required one.
    UnderDeposit,
}

impl AlertKind {
    pub fn label(&self) -> &'static str {
        match self {
            AlertKind::OverdueTickets => "overdue tickets",
            AlertKind::OverdueReviews => "overdue merchant reviews",
            AlertKind::LateShipments { .. } => "late shipments",
            AlertKind::LowStock => "low stock products",
            AlertKind::ExpiringDocuments { .. } => "merchants with docs expiring",
            AlertKind::UnderDeposit => "merchants under their deposit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub count: i64,
}

/// Every alert at `now` (`today` is its local date), in the order shown.
pub fn alerts(conn: &Connection, today: NaiveDate, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    let stamp = clock::stamp(now);
    let until = crate::ops::merchants::reverify_until(conn, today)?;
    Ok(vec![
        Alert {
            kind: AlertKind::OverdueTickets,
            count: st::overdue_tickets(conn, &stamp)?,
        },
        Alert {
            kind: AlertKind::OverdueReviews,
            count: st::overdue_reviews(conn, &stamp)?,
        },
        Alert {
            count: st::late_shipments(conn, &stamp)?,
            kind: AlertKind::LateShipments { cutoff: stamp },
        },
        Alert {
            kind: AlertKind::LowStock,
            count: st::low_stock(conn)?,
        },
        Alert {
            kind: AlertKind::ExpiringDocuments { until },
            count: st::merchants_in(conn, MerchantQueue::Reverify { until })?,
        },
        Alert {
            kind: AlertKind::UnderDeposit,
            count: st::merchants_in(conn, MerchantQueue::UnderDeposit)?,
        },
    ])
}
