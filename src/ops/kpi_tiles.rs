//! The KPI tiles as words: what `kpi --format text` prints and the
//! dashboard shows, so the two cannot disagree. Each tile is a value and its
//! change against the previous period, in a symbol (▲ ▼ =) or a word
//! ("new", "–"), never in colour alone.

use super::kpi::{Report, Scalars};
use crate::domain::money::Money;

/// "▲ 12.4 %", "▼ 3.0 %", "= 0.0 %", or "new" / "–" without a base.
pub fn change(now: f64, before: f64) -> String {
    if before == 0.0 {
        return if now == 0.0 { "–".into() } else { "new".into() };
    }
    let pct = (now - before) / before.abs() * 100.0;
    let arrow = if pct > 0.05 {
        "▲"
    } else if pct < -0.05 {
        "▼"
    } else {
        "="
    };
    format!("{arrow} {:.1} %", pct.abs())
}

/// A share as a percentage with one decimal, "–" when undefined.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
}

/// A mean with two decimals, "–" when undefined.
pub fn num(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{x:.2}"))
}

/// Hours with one decimal ("3.5 h"), "–" when undefined.
pub fn hours(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{x:.1} h"))
}

/// One tile: its name, the value and the change against the previous period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub name: &'static str,
    pub value: String,
    /// A shorter form of `value` for a narrow tile (money in whole units).
    pub short: Option<String>,
    pub change: String,
}

/// The tiles of a report, in the order shown.
pub fn tiles(r: &Report, currency: &str) -> Vec<Tile> {
    let money = |m: i64| Money(m).format(currency);
    let (n, p): (&Scalars, &Scalars) = (&r.scalars, &r.previous);
    let f = |x: Option<f64>| x.unwrap_or(0.0);
    let count = |n: i64| crate::domain::money::thousands(n.unsigned_abs());
    let tile = |name, value: String, change| Tile {
        name,
        short: None,
        value,
        change,
    };
    let money_tile = |name, m: Option<i64>, change| Tile {
        name,
        value: m.map_or("–".into(), money),
        short: m.map(|m| Money(m).format_whole(currency)),
        change,
    };
    vec![
        money_tile(
            "GMV",
            Some(n.gmv_minor),
            change(n.gmv_minor as f64, p.gmv_minor as f64),
        ),
        tile(
            "orders",
            count(n.orders),
            change(n.orders as f64, p.orders as f64),
        ),
        tile(
            "paid orders",
            count(n.paid_orders),
            change(n.paid_orders as f64, p.paid_orders as f64),
        ),
        money_tile(
            "average order",
            n.aov_minor,
            change(n.aov_minor.unwrap_or(0) as f64, p.aov_minor.unwrap_or(0) as f64),
        ),
        tile(
            "conversion",
            pct(n.conversion_rate),
            change(f(n.conversion_rate), f(p.conversion_rate)),
        ),
        tile(
            "repurchase",
            pct(n.repurchase_rate),
            change(f(n.repurchase_rate), f(p.repurchase_rate)),
        ),
        tile(
            "refund rate",
            pct(n.refund_rate),
            change(f(n.refund_rate), f(p.refund_rate)),
        ),
        tile(
            "review score",
            num(n.avg_review_score),
            change(f(n.avg_review_score), f(p.avg_review_score)),
        ),
        tile(
            "ticket SLA met",
            pct(n.ticket_sla_met_share),
            change(f(n.ticket_sla_met_share), f(p.ticket_sla_met_share)),
        ),
        tile(
            "complaint rate",
            pct(n.complaint_rate),
            change(f(n.complaint_rate), f(p.complaint_rate)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_says_the_direction_in_a_symbol_not_only_a_colour() {
        assert_eq!(change(112.4, 100.0), "▲ 12.4 %");
        assert_eq!(change(97.0, 100.0), "▼ 3.0 %");
        assert_eq!(change(100.0, 100.0), "= 0.0 %");
        assert_eq!(change(5.0, 0.0), "new");
        assert_eq!(change(0.0, 0.0), "–");
    }
}
