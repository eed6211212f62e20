//! The numbers the owner runs the shop by (SPEC §4.5, §6 "`kpi --json`
//! keys" and "Definitions"; docs/kpi.md defines every key). A period is a
//! range of the shop's local dates `[from, to)`; it becomes UTC instants
//! here, day by day, so a day is the shop's day whatever its offset.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::domain::calendar::BusinessCalendar;
use crate::store::kpi as st;
use crate::{Error, Result, clock};

/// Longest period accepted: a mistyped year must not make a query plan a
/// century of days.
pub const MAX_DAYS: i64 = 366 * 20;
/// Rows in each top list.
pub const TOP: usize = 10;

/// Local dates `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Checks the order and the length; the message names both dates.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if from >= to {
            return Err(Error::input(format!(
                "--from {from} is not before --to {to} (the period is [from, to): to is the first day after it)"
            )));
        }
        if (to - from).num_days() > MAX_DAYS {
            return Err(Error::input(format!(
                "the period {from} to {to} is longer than {MAX_DAYS} days"
            )));
        }
        Ok(Period { from, to })
    }

    /// `from` and `to` as given, else the 30 days that end with `today`
    /// (or the 30 days before `to`, or `from` up to and including today).
    pub fn resolve(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> Result<Period> {
        let tomorrow = today + Duration::days(1);
        match (from, to) {
            (Some(f), Some(t)) => Period::new(f, t),
            (Some(f), None) => Period::new(f, tomorrow.max(f + Duration::days(1))),
            (None, Some(t)) => Period::new(t - Duration::days(30), t),
            (None, None) => Period::new(tomorrow - Duration::days(30), tomorrow),
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        Period {
            from: self.from - Duration::days(self.days()),
            to: self.from,
        }
    }

    /// The local dates in it, in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let from = self.from;
        (0..self.days()).map(move |i| from + Duration::days(i))
    }
}

/// The scalar keys, for a period and for `previous`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scalars {
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
    pub new_customers: i64,
    pub visits: i64,
    pub conversion_rate: Option<f64>,
    pub reviews: i64,
    pub avg_review_score: Option<f64>,
    pub negative_review_share: Option<f64>,
    pub delivered_orders: i64,
    pub avg_delivery_days: Option<f64>,
    pub late_delivery_share: Option<f64>,
    pub tickets_opened: i64,
    pub tickets_resolved: i64,
    pub ticket_sla_met_share: Option<f64>,
    pub complaint_rate: Option<f64>,
    pub first_response_hours_avg: Option<f64>,
    pub low_stock_products: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Csat {
    pub attitude: Option<f64>,
    pub speed: Option<f64>,
    pub resolution: Option<f64>,
    pub overall: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopMerchant {
    pub code: String,
    pub name: String,
    pub gmv_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopCategory {
    pub name: String,
    pub units: i64,
    pub gmv_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopProduct {
    pub sku: String,
    pub title: String,
    pub units: i64,
    pub gmv_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub orders: i64,
    pub paid_orders: i64,
    pub gmv_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

/// `kpi --json`: the scalars flattened beside the lists, and `previous`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    #[serde(flatten)]
    pub scalars: Scalars,
    pub csat: Csat,
    pub top_merchants: Vec<TopMerchant>,
    pub top_categories: Vec<TopCategory>,
    pub top_products: Vec<TopProduct>,
    pub daily: Vec<Day>,
    pub tickets_by_reason: Vec<ReasonCount>,
    pub previous: Scalars,
}

/// Stops the query running on a session's connection from another thread
/// (the dashboard's worker, when a newer period is asked for): the query
/// fails at once with "interrupted".
pub struct Canceller(rusqlite::InterruptHandle);

impl Canceller {
    pub fn of(s: &crate::ops::Session) -> Canceller {
        Canceller(s.conn.get_interrupt_handle())
    }

    pub fn cancel(&self) {
        self.0.interrupt();
    }
}

/// A fraction rounded to 4 places; None when the denominator is 0.
pub fn rate(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| round4(num as f64 / den as f64))
}

pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `num / den` rounded half up, for money (non-negative sums).
pub(crate) fn div_half_up(num: i64, den: i64) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let (q, r) = (num / den, num % den);
    Some(if r.checked_mul(2).is_some_and(|r2| r2 >= den) {
        q + 1
    } else {
        q
    })
}

/// The period's `[from, to)` as UTC instants.
fn instants(cal: &BusinessCalendar, p: &Period) -> (DateTime<Utc>, DateTime<Utc>) {
    (cal.local_day_bounds(p.from).0, cal.local_day_bounds(p.to).0)
}

/// The period's `[from, to)` as stored UTC stamps.
pub(crate) fn bounds(cal: &BusinessCalendar, p: &Period) -> (String, String) {
    let (f, t) = instants(cal, p);
    (clock::stamp(f), clock::stamp(t))
}

pub fn scalars(conn: &Connection, cal: &BusinessCalendar, p: &Period) -> Result<Scalars> {
    Ok(period_sums(conn, cal, p, st::low_stock_products(conn)?)?.0)
}

/// The scalars and the CSAT averages of a period (both read the tickets);
/// `low_stock` is a figure of now, read once for a period and its previous.
fn period_sums(
    conn: &Connection,
    cal: &BusinessCalendar,
    p: &Period,
    low_stock: i64,
) -> Result<(Scalars, Csat)> {
    let (from, to) = bounds(cal, p);
    let (f, t_) = instants(cal, p);
    let o = st::facts(conn, f, t_)?;
    let c = st::customer_sums(conn, &from, &to)?;
    let (visits, has_traffic) = st::visits(conn, &p.from.to_string(), &p.to.to_string())?;
    let t = st::ticket_sums(conn, &from, &to)?;
    let per_hour = |secs: i64, n: i64| (n != 0).then(|| round4(secs as f64 / 3600.0 / n as f64));
    let avg = |(n, sum): (i64, i64)| (n != 0).then(|| round4(sum as f64 / n as f64));
    let csat = Csat {
        attitude: avg(t.csat[0]),
        speed: avg(t.csat[1]),
        resolution: avg(t.csat[2]),
        overall: avg(t.csat[3]),
    };
    let scalars = Scalars {
        orders: o.orders,
        paid_orders: o.paid_orders,
        cancelled_orders: o.cancelled_orders,
        gmv_minor: o.gmv_minor,
        shipping_minor: o.shipping_minor,
        aov_minor: div_half_up(o.gmv_minor, o.paid_orders),
        refund_minor: o.refund_minor,
        refund_rate: rate(o.refund_minor, o.gmv_minor),
        customers: c.customers,
        repeat_customers: c.repeat_customers,
        repurchase_rate: rate(c.repeat_customers, c.customers),
        new_customers: c.new_customers,
        visits,
        conversion_rate: if has_traffic {
            rate(o.paid_orders, visits)
        } else {
            None
        },
        reviews: o.reviews,
        avg_review_score: (o.reviews != 0).then(|| round4(o.review_score as f64 / o.reviews as f64)),
        negative_review_share: rate(o.negative_reviews, o.reviews),
        delivered_orders: o.delivered_orders,
        avg_delivery_days: (o.delivered_orders != 0)
            .then(|| round4(o.delivery_secs as f64 / 86_400.0 / o.delivered_orders as f64)),
        late_delivery_share: rate(o.late_delivered, o.promised_delivered),
        tickets_opened: t.opened,
        tickets_resolved: t.resolved,
        ticket_sla_met_share: rate(t.sla_met, t.with_due),
        complaint_rate: rate(t.complaints, o.paid_orders),
        first_response_hours_avg: per_hour(t.response_secs, t.responded),
        low_stock_products: low_stock,
    };
    Ok((scalars, csat))
}

pub fn daily(conn: &Connection, cal: &BusinessCalendar, p: &Period) -> Result<Vec<Day>> {
    p.dates()
        .map(|date| {
            let (f, t) = cal.local_day_bounds(date);
            let d = st::facts(conn, f, t)?;
            Ok(Day {
                date,
                orders: d.orders,
                paid_orders: d.paid_orders,
                gmv_minor: d.gmv_minor,
            })
        })
        .collect()
}

/// The whole report for a period.
pub fn report(conn: &Connection, cal: &BusinessCalendar, p: Period) -> Result<Report> {
    let (from, to) = bounds(cal, &p);
    let tops = crate::store::kpi_tops::tops(conn, &from, &to, TOP)?;
    let low_stock = st::low_stock_products(conn)?;
    let (scalars, csat) = period_sums(conn, cal, &p, low_stock)?;
    Ok(Report {
        period: p,
        scalars,
        csat,
        top_merchants: tops
            .merchants
            .into_iter()
            .map(|t| TopMerchant {
                code: t.key,
                name: t.name,
                gmv_minor: t.gmv_minor,
            })
            .collect(),
        top_categories: tops
            .categories
            .into_iter()
            .map(|t| TopCategory {
                name: t.name,
                units: t.units,
                gmv_minor: t.gmv_minor,
            })
            .collect(),
        top_products: tops
            .products
            .into_iter()
            .map(|t| TopProduct {
                sku: t.key,
                title: t.name,
                units: t.units,
                gmv_minor: t.gmv_minor,
            })
            .collect(),
        daily: daily(conn, cal, &p)?,
        tickets_by_reason: st::tickets_by_reason(conn, &from, &to)?
            .into_iter()
            .map(|(reason, count)| ReasonCount { reason, count })
            .collect(),
        previous: period_sums(conn, cal, &p.previous(), low_stock)?.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_from_before_to_and_previous_has_its_length() {
        assert!(Period::new(d("2026-11-02"), d("2026-11-01")).is_err());
        assert!(Period::new(d("2026-11-01"), d("2026-11-01")).is_err());
        let p = Period::new(d("2026-11-01"), d("2026-12-01")).unwrap();
        assert_eq!(p.days(), 30);
        assert_eq!(
            p.previous(),
            Period::new(d("2026-10-02"), d("2026-11-01")).unwrap()
        );
        let today = d("2026-11-20");
        assert_eq!(
            Period::resolve(None, None, today).unwrap(),
            Period::new(d("2026-10-22"), d("2026-11-21")).unwrap()
        );
    }

    #[test]
    fn rates_round_to_four_places_and_are_none_without_a_denominator() {
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(2, 3), Some(0.6667));
        assert_eq!(rate(5, 0), None);
        assert_eq!(div_half_up(5, 2), Some(3));
        assert_eq!(div_half_up(7, 3), Some(2));
        assert_eq!(div_half_up(1, 0), None);
    }
}
