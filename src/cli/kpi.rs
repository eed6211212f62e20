//! `shopdesk kpi [--from D] [--to D] [--json | --format text]` (SPEC §6;
//! every key is defined in docs/kpi.md).

use std::path::Path;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use crate::Result;
use crate::domain::money::Money;
use crate::io::picking::fit;
use crate::ops::Session;
use crate::ops::alerts::Alert;
use crate::ops::kpi::{self, Period, Report};
use crate::ops::kpi_by::{By, ByReport};
use crate::ops::kpi_tiles::{pct, tiles};

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
    /// The same scalars per channel, merchant or category, sorted by GMV.
    #[arg(long, value_enum, value_name = "GROUP")]
    pub by: Option<ByArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Channel,
    Merchant,
    Category,
}

impl From<ByArg> for By {
    fn from(b: ByArg) -> By {
        match b {
            ByArg::Channel => By::Channel,
            ByArg::Merchant => By::Merchant,
            ByArg::Category => By::Category,
        }
    }
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
    if let Some(by) = a.by {
        let r = crate::ops::kpi_by::report(&s.conn, &cal, period, by.into())?;
        if a.json || a.format == Format::Json {
            crate::cli::out_json(&r)?;
        } else {
            crate::cli::out(&crate::cli::safe(&by_text(&r, &s.settings.currency)));
        }
        return Ok(());
    }
    let report = kpi::report(&s.conn, &cal, period)?;
    if a.json || a.format == Format::Json {
        crate::cli::out_json(&report)?;
    } else {
        let alerts = crate::ops::alerts::alerts(&s.conn, today, s.now()?)?;
        crate::cli::out(&crate::cli::safe(&text(&report, &alerts, &s.settings.currency)));
    }
    Ok(())
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

/// The per-group report: one line a group, most GMV first.
pub fn by_text(r: &ByReport, currency: &str) -> String {
    let money = |m: i64| Money(m).format(currency);
    let mut out = format!(
        "KPIs by {} {} to {} ({} days)\n\n  {} {:>7} {:>7} {:>16} {:>12} {:>8} {:>8} {:>8} {:>7}\n",
        r.by,
        r.period.from,
        r.period.to.pred_opt().unwrap_or(r.period.to),
        r.period.days(),
        fit(r.by, 30),
        "orders",
        "paid",
        "GMV",
        "avg order",
        "refund",
        "repeat",
        "convert",
        "tickets",
    );
    for g in &r.groups {
        let label = if g.name == g.key {
            g.key.clone()
        } else {
            format!("{} {}", g.key, g.name)
        };
        out.push_str(&format!(
            "  {} {:>7} {:>7} {:>16} {:>12} {:>8} {:>8} {:>8} {:>7}\n",
            fit(&label, 30),
            g.orders,
            g.paid_orders,
            money(g.gmv_minor),
            g.aov_minor.map_or("–".into(), money),
            pct(g.refund_rate),
            pct(g.repurchase_rate),
            pct(g.conversion_rate),
            g.tickets_opened,
        ));
    }
    if r.groups.is_empty() {
        out.push_str("  (no orders in this period)\n");
    }
    out
}

/// The plain-text report.
pub fn text(r: &Report, alerts: &[Alert], currency: &str) -> String {
    let money = |m: i64| Money(m).format(currency);
    let mut out = format!(
        "KPIs {} to {} ({} days; change against the {} days before)\n\n",
        r.period.from,
        r.period.to.pred_opt().unwrap_or(r.period.to),
        r.period.days(),
        r.period.days()
    );
    for t in tiles(r, currency) {
        out.push_str(&format!("  {:<15} {:>16}  {}\n", t.name, t.value, t.change));
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
    out.push_str("\nAlerts (now)\n");
    for a in alerts {
        out.push_str(&format!(
            "  {:<34} {:>6}\n",
            format!("{}:", a.kind.label()),
            a.count
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_largest_day() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▄█");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
        assert_eq!(sparkline(&[]), "");
    }
}
