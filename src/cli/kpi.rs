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
use crate::ops::kpi_tiles::tiles;

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
