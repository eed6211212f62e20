//! `kpi --by channel|merchant|category`: the period's scalars per group,
//! sorted by GMV (most first, ties by key). docs/kpi.md says which keys a
//! group has and how an order with several merchants counts.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::kpi::{Period, bounds, div_half_up, rate, round4};
use crate::Result;
use crate::domain::calendar::BusinessCalendar;
use crate::store::kpi_by::{self as st, GroupSums};

pub use crate::store::kpi_by::By;

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Channel => "channel",
            By::Merchant => "merchant",
            By::Category => "category",
        }
    }
}

/// One group's scalars: the keys of `kpi --json` that a group can have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Channel, merchant code or category path.
    pub key: String,
    pub name: String,
    pub orders: i64,
    pub paid_orders: i64,
    pub cancelled_orders: i64,
    pub gmv_minor: i64,
    pub shipping_minor: i64,
    pub aov_minor: Option<i64>,
    pub refund_minor: i64,
    pub refund_rate: Option<f64>,
    pub customers: i64,
    pub repeat_customers: i64,
    pub repurchase_rate: Option<f64>,
    /// By channel only (traffic is recorded per channel); null otherwise.
    pub visits: Option<i64>,
    pub conversion_rate: Option<f64>,
    pub reviews: i64,
    pub avg_review_score: Option<f64>,
    pub negative_review_share: Option<f64>,
    pub delivered_orders: i64,
    pub avg_delivery_days: Option<f64>,
    pub late_delivery_share: Option<f64>,
    pub tickets_opened: i64,
    pub complaint_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByReport {
    pub period: Period,
    pub by: &'static str,
    pub groups: Vec<Group>,
}

fn group(key: String, g: GroupSums) -> Group {
    Group {
        key,
        name: g.name,
        orders: g.orders,
        paid_orders: g.paid_orders,
        cancelled_orders: g.cancelled_orders,
        gmv_minor: g.gmv_minor,
        shipping_minor: g.shipping_minor,
        aov_minor: div_half_up(g.gmv_minor, g.paid_orders),
        refund_minor: g.refund_minor,
        refund_rate: rate(g.refund_minor, g.gmv_minor),
        customers: g.customers,
        repeat_customers: g.repeat_customers,
        repurchase_rate: rate(g.repeat_customers, g.customers),
        visits: g.visits,
        conversion_rate: g.visits.and_then(|v| rate(g.paid_orders, v)),
        reviews: g.reviews,
        avg_review_score: (g.reviews != 0).then(|| round4(g.review_score as f64 / g.reviews as f64)),
        negative_review_share: rate(g.negative_reviews, g.reviews),
        delivered_orders: g.delivered_orders,
        avg_delivery_days: (g.delivered_orders != 0)
            .then(|| round4(g.delivery_secs as f64 / 86_400.0 / g.delivered_orders as f64)),
        late_delivery_share: rate(g.late_delivered, g.promised_delivered),
        tickets_opened: g.tickets_opened,
        complaint_rate: rate(g.complaints, g.paid_orders),
    }
}

pub fn report(conn: &Connection, cal: &BusinessCalendar, p: Period, by: By) -> Result<ByReport> {
    let (from, to) = bounds(cal, &p);
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let sums = st::group_sums(conn, by, (&from, &to), (&date(p.from), &date(p.to)))?;
    let mut groups: Vec<Group> = sums.into_iter().map(|(k, g)| group(k, g)).collect();
    groups.sort_by(|a, b| b.gmv_minor.cmp(&a.gmv_minor).then_with(|| a.key.cmp(&b.key)));
    Ok(ByReport {
        period: p,
        by: by.as_str(),
        groups,
    })
}
