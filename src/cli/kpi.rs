//! `shopdesk kpi [--from D] [--to D] [--json | --format text]` (SPEC §6;
//! every key is defined in docs/kpi.md).

use std::path::Path;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use crate::Result;
use crate::domain::money::Money;
use crate::io::picking::fit;
use crate::ops::Session;
use crate::ops::kpi::{self, Period, Report, Scalars};

#[derive(Debug, Args)]
pub struct KpiArgs {
    /// First day of the period (shop time zone); default: 30 days before --to.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// The day after the period (exclusive); default: tomorrow.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Every key as JSON (docs/kpi.md); the same as --format json.
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A plain report for mail: tiles, a daily sparkline, top lists.
    Text,
    Json,
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date: use YYYY-MM-DD (e.g. 2026-11-01)"))
}

pub fn run(path: &Path, a: KpiArgs) -> Result<()> {
    let s = Session::open(path)?;
    let cal = s.calendar()?;
    let today = cal.local_date(s.now()?);
    let period = Period::resolve(a.from, a.to, today)?;
    let report = kpi::report(&s.conn, &cal, period)?;
    if a.json || a.format == Format::Json {
        crate::cli::out_json(&report)?;
    } else {
        crate::cli::out(&crate::cli::safe(&text(&report, &s.settings.currency)));
    }
    Ok(())
}

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

/// Eight-level bars, one per value, scaled to the largest.
pub fn sparkline(values: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| {
            let i = (v.max(0) as i128 * 7 / max as i128) as usize;
            BARS[i.min(7)]
        })
        .collect()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.1} %", x * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{x:.2}"))
}

/// The plain-text report.
pub fn text(r: &Report, currency: &str) -> String {
    let money = |m: i64| Money(m).format(currency);
    let (n, p): (&Scalars, &Scalars) = (&r.scalars, &r.previous);
    let f = |x: Option<f64>| x.unwrap_or(0.0);
    let tiles: Vec<(&str, String, String)> = vec![
        (
            "GMV",
            money(n.gmv_minor),
            change(n.gmv_minor as f64, p.gmv_minor as f64),
        ),
        (
            "orders",
            n.orders.to_string(),
            change(n.orders as f64, p.orders as f64),
        ),
        (
            "paid orders",
            n.paid_orders.to_string(),
            change(n.paid_orders as f64, p.paid_orders as f64),
        ),
        (
            "average order",
            n.aov_minor.map_or("–".into(), money),
            change(n.aov_minor.unwrap_or(0) as f64, p.aov_minor.unwrap_or(0) as f64),
        ),
        (
            "conversion",
            pct(n.conversion_rate),
            change(f(n.conversion_rate), f(p.conversion_rate)),
        ),
        (
            "repurchase",
            pct(n.repurchase_rate),
            change(f(n.repurchase_rate), f(p.repurchase_rate)),
        ),
        (
            "refund rate",
            pct(n.refund_rate),
            change(f(n.refund_rate), f(p.refund_rate)),
        ),
        (
            "review score",
            num(n.avg_review_score),
            change(f(n.avg_review_score), f(p.avg_review_score)),
        ),
        (
            "ticket SLA met",
            pct(n.ticket_sla_met_share),
            change(f(n.ticket_sla_met_share), f(p.ticket_sla_met_share)),
        ),
    ];
    let mut out = format!(
        "KPIs {} to {} ({} days; change against the {} days before)\n\n",
        r.period.from,
        r.period.to.pred_opt().unwrap_or(r.period.to),
        r.period.days(),
        r.period.days()
    );
    for (name, value, ch) in &tiles {
        out.push_str(&format!("  {name:<15} {value:>16}  {ch}\n"));
    }
    let gmv: Vec<i64> = r.daily.iter().map(|d| d.gmv_minor).collect();
    out.push_str(&format!("\nDaily GMV  {}\n", sparkline(&gmv)));
    out.push_str("\nTop merchants\n");
    for t in &r.top_merchants {
        out.push_str(&format!(
            "  {} {} {:>16}\n",
            fit(&t.code, 10),
            fit(&t.name, 28),
            money(t.gmv_minor)
        ));
    }
    out.push_str("\nTop categories\n");
    for t in &r.top_categories {
        out.push_str(&format!(
            "  {} {:>6} units {:>16}\n",
            fit(&t.name, 34),
            t.units,
            money(t.gmv_minor)
        ));
    }
    out.push_str("\nTop products\n");
    for t in &r.top_products {
        out.push_str(&format!(
            "  {} {} {:>6} units {:>16}\n",
            fit(&t.sku, 14),
            fit(&t.title, 28),
            t.units,
            money(t.gmv_minor)
        ));
    }
    out.push_str(&format!(
        "\nAlerts\n  low stock products: {}\n",
        r.scalars.low_stock_products
    ));
    out
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

    #[test]
    fn sparkline_scales_to_the_largest_day() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▄█");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
        assert_eq!(sparkline(&[]), "");
    }
}
