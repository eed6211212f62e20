//! `shopdesk product <action> PRODUCT [options]`: each listing and stock
//! workflow from the command line (SPEC §4.2, §6), `product show`, and the
//! inventory reports (delist-report, restock-list, abc, slow, turnover).
//! Results go to stdout, refusals to stderr with exit 1 (bad usage or bad
//! input 2).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::domain::money::Money;
use crate::domain::product::{available, is_low_stock, margin};
use crate::ops::Session;
use crate::ops::products::{self, reports};
use crate::ops::verbs::Entity;
use crate::store::products as db;

use super::verbs::{self, VerbArgs};
use crate::{Error, Result};

/// `shopdesk product …`: the verbs from the table, plus show and the reports.
#[derive(Debug)]
pub enum ProductCmd {
    Verb(VerbArgs),
    Other(ProductExtra),
}

/// The product subcommands that are not workflow verbs.
#[derive(Debug, Subcommand)]
pub enum ProductExtra {
    /// Show a product: master data, listing state and checklist, stock and its ledger.
    Show {
        /// MERCHANT_CODE:SKU or numeric id
        product: String,
        #[arg(long)]
        json: bool,
    },
    /// Delistings by reason and category over a period (shop dates, default the last 30 days).
    DelistReport {
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (included)
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every product at or under its warning line with a suggested quantity, by merchant.
    RestockList {
        /// Also write DIR/restock.csv
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print CSV instead of text
        #[arg(long)]
        csv: bool,
    },
    /// ABC classes from the last 90 days' revenue (A: top 80 %, B: next 15 %, C: the rest).
    Abc {
        #[arg(long)]
        json: bool,
        /// Only this class
        #[arg(long, value_parser = ["A", "B", "C", "a", "b", "c"])]
        class: Option<String>,
    },
    /// Slow movers: listed products with stock and no sale in N days.
    Slow {
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: i64,
        #[arg(long)]
        json: bool,
    },
    /// Inventory turnover per category (and per product with --products):
    /// units sold in 90 days ÷ average on hand.
    Turnover {
        #[arg(long)]
        products: bool,
        #[arg(long)]
        json: bool,
    },
}

verbs::verb_subcommand!(ProductCmd, ProductExtra, Entity::Product);

pub fn run(path: &Path, cmd: ProductCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    let now = s.now()?;
    let money = |m: i64| Money(m).format(&s.settings.currency);
    match cmd {
        ProductCmd::Verb(v) => verbs::run(&mut s, v),
        ProductCmd::Other(ProductExtra::Show { product, json }) => show(&s, &product, json),
        ProductCmd::Other(ProductExtra::DelistReport { from, to, json }) => {
            let day = |flag: &str, v: Option<String>| {
                v.map(|d| reports::report_day(&format!("--{flag}"), &d))
                    .transpose()
            };
            let (from, to) = (day("from", from)?, day("to", to)?);
            let rep = reports::delist_report(&s.conn, &s.calendar()?, now, from, to)?;
            if json {
                return super::out_json(&serde_json::json!({
                    "from": rep.from.to_string(), "to": rep.to.to_string(), "rows": rep.rows
                }));
            }
            outln!("delistings {} to {}", rep.from, rep.to);
            for (reason, total, rows) in rep.by_reason() {
                outln!("{} ({total})", reason.replace('_', " "));
                for r in rows {
                    outln!(
                        "  {} {:>5}",
                        super::col(r.category.as_deref().unwrap_or("(no category)"), 40),
                        r.n
                    );
                }
            }
            if rep.rows.is_empty() {
                outln!("  none");
            }
            Ok(())
        }
        ProductCmd::Other(ProductExtra::RestockList { out, csv }) => {
            let rows = reports::restock_list(&s.conn, now)?;
            if let Some(dir) = out {
                let file = dir.join("restock.csv");
                let mut w = csv::Writer::from_writer(Vec::new());
                write_restock_csv(&mut w, &rows)?;
                let bytes = w.into_inner().map_err(|e| Error::Db(format!("csv: {e}")))?;
                std::fs::write(&file, bytes)
                    .map_err(|e| Error::input(format!("{}: cannot write: {e}", file.display())))?;
                errln!("wrote {} ({} products)", file.display(), rows.len());
            }
            if csv {
                let mut w = csv::Writer::from_writer(std::io::stdout());
                return write_restock_csv(&mut w, &rows);
            }
            let mut last = String::new();
            for r in &rows {
                if r.merchant_code != last {
                    outln!("{} {}", r.merchant_code, super::safe(&r.merchant_name));
                    last = r.merchant_code.clone();
                }
                outln!(
                    "  {} {} available {:>5}  line {:>4}  30d sold {:>5}  suggest {:>5}",
                    super::col(&r.sku, 16),
                    super::col(&r.title, 30),
                    r.available,
                    r.threshold,
                    r.units_30d,
                    r.suggested
                );
            }
            if rows.is_empty() {
                outln!("nothing at or under its warning line");
            }
            Ok(())
        }
        ProductCmd::Other(ProductExtra::Abc { json, class }) => {
            let want = class.map(|c| c.to_ascii_uppercase());
            let rows: Vec<_> = reports::abc(&s.conn, now)?
                .into_iter()
                .filter(|l| want.as_deref().is_none_or(|w| l.class.to_string() == w))
                .collect();
            if json {
                return super::out_json(&rows);
            }
            for l in &rows {
                outln!(
                    "{} {:<8} {} {} {:>14} {:>6} units",
                    l.class,
                    l.merchant_code,
                    super::col(&l.sku, 16),
                    super::col(&l.title, 30),
                    money(l.revenue_90d_minor),
                    l.units_90d
                );
            }
            Ok(())
        }
        ProductCmd::Other(ProductExtra::Slow { days, json }) => {
            let rows = reports::slow_movers(&s.conn, now, days)?;
            if json {
                return super::out_json(&rows);
            }
            let tz: chrono_tz::Tz = s.settings.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
            for l in &rows {
                outln!(
                    "{:<8} {} {} available {:>5}  last sale {}",
                    l.merchant_code,
                    super::col(&l.sku, 16),
                    super::col(&l.title, 30),
                    l.available,
                    match l.last_sold_at.as_deref() {
                        None => "never".to_string(),
                        t => super::local(t, &tz),
                    }
                );
            }
            if rows.is_empty() {
                outln!("no listed product with stock has gone {days} days without a sale");
            }
            Ok(())
        }
        ProductCmd::Other(ProductExtra::Turnover { products, json }) => {
            let rows = reports::abc(&s.conn, now)?;
            let cats = reports::category_turnover(&rows);
            if json {
                let cats: Vec<_> = cats
                    .iter()
                    .map(|(c, u, t)| serde_json::json!({"category": c, "units_90d": u, "turnover_90d": t}))
                    .collect();
                return super::out_json(&if products {
                    serde_json::json!({"categories": cats, "products": rows})
                } else {
                    serde_json::json!({"categories": cats})
                });
            }
            let fmt_t = |t: Option<f64>| t.map_or("—".to_string(), |t| format!("{t:.2}"));
            for (c, u, t) in &cats {
                outln!("{} {:>7} units  turnover {}", super::col(c, 40), u, fmt_t(*t));
            }
            if products {
                for l in &rows {
                    outln!(
                        "  {:<8} {} {:>6} units  avg on hand {:>8.1}  turnover {}",
                        l.merchant_code,
                        super::col(&l.sku, 16),
                        l.units_90d,
                        l.avg_on_hand,
                        fmt_t(l.turnover_90d)
                    );
                }
            }
            Ok(())
        }
    }
}

fn write_restock_csv<W: std::io::Write>(w: &mut csv::Writer<W>, rows: &[reports::Restock]) -> Result<()> {
    let e = |e: csv::Error| Error::Db(format!("csv: {e}"));
    w.write_record([
        "merchant_code",
        "merchant_name",
        "sku",
        "title",
        "available",
        "low_stock_threshold",
        "units_30d",
        "suggested_qty",
    ])
    .map_err(e)?;
    for r in rows {
        w.write_record([
            r.merchant_code.clone(),
            r.merchant_name.clone(),
            r.sku.clone(),
            r.title.clone(),
            r.available.to_string(),
            r.threshold.to_string(),
            r.units_30d.to_string(),
            r.suggested.to_string(),
        ])
        .map_err(e)?;
    }
    w.flush().map_err(|e| Error::Db(format!("csv: {e}")))?;
    Ok(())
}

fn show(s: &Session, key: &str, json: bool) -> Result<()> {
    let id = products::resolve(&s.conn, key)?;
    let p = db::get(&s.conn, id)?.ok_or_else(|| Error::not_found("product", key.to_string()))?;
    let name = products::label(&s.conn, id)?;
    let checklist = products::checklist(&s.conn, &p)?;
    let facts = db::listing_facts(&s.conn, &p)?;
    let category = match p.category_id {
        Some(c) => db::category_path(&s.conn, c)?,
        None => None,
    };
    let d = crate::store::lists::products::detail(&s.conn, id)?;
    let movements = d.map(|d| d.movements).unwrap_or_default();
    let avail = available(p.stock_on_hand, p.stock_reserved);
    if json {
        let moves: Vec<_> = movements
            .iter()
            .map(|m| {
                serde_json::json!({"kind": m.kind, "on_hand_delta": m.on_hand_delta, "reserved_delta": m.reserved_delta,
                    "order": m.order_external_id, "note": m.note, "actor": m.actor, "at": m.created_at})
            })
            .collect();
        return super::out_json(&serde_json::json!({
            "id": p.id, "key": name, "sku": p.sku, "title": p.title, "status": p.status,
            "category": category, "price_minor": p.price_minor, "cost_minor": p.cost_minor,
            "margin_minor": margin(p.price_minor, p.cost_minor), "brand": p.brand, "branded": p.branded,
            "model": p.model, "warranty_months": p.warranty_months, "after_sales": p.after_sales,
            "stock_on_hand": p.stock_on_hand, "stock_reserved": p.stock_reserved, "available": avail,
            "low_stock_threshold": p.low_stock_threshold,
            "low_stock": is_low_stock(avail, p.low_stock_threshold),
            "delist_reason": p.delist_reason, "reject_reason": p.reject_reason,
            "list_at": p.list_at, "delist_at": p.delist_at, "approved_at": p.approved_at,
            "hidden_by_suspension": facts.hidden, "checklist": checklist,
            "version": p.version, "movements": moves,
        }));
    }
    let money = |m: i64| Money(m).format(&s.settings.currency);
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<16} {v}\n"));
    line("product", name.clone());
    line("status", p.status.replace('_', " "));
    if let Some(r) = &p.delist_reason
        && p.status == "delisted"
    {
        line("delist reason", r.replace('_', " "));
    }
    if facts.hidden {
        line("hidden", "while the merchant is suspended".into());
    }
    if let Some(r) = &p.reject_reason {
        line("reject reason", r.clone());
    }
    line("category", category.unwrap_or_else(|| "—".into()));
    line("price", money(p.price_minor));
    if let Some(c) = p.cost_minor {
        line("cost", money(c));
        line("margin", money(p.price_minor - c));
    }
    line(
        "brand",
        format!(
            "{}{}",
            p.brand.clone().unwrap_or_else(|| "—".into()),
            if p.branded { " (branded)" } else { "" }
        ),
    );
    line("model", p.model.clone());
    line("warranty", format!("{} months", p.warranty_months));
    line("after-sales", p.after_sales.clone());
    line(
        "stock",
        format!(
            "{} on hand, {} reserved, {avail} available (warning line {}){}",
            p.stock_on_hand,
            p.stock_reserved,
            p.low_stock_threshold,
            if is_low_stock(avail, p.low_stock_threshold) {
                " — LOW"
            } else {
                ""
            }
        ),
    );
    if let Some(t) = &p.list_at {
        line(
            "list at",
            format!(
                "{t}{}",
                if p.approved_at.is_some() {
                    " (approved)"
                } else {
                    " (needs approval)"
                }
            ),
        );
    }
    if let Some(t) = &p.delist_at {
        line("delist at", t.clone());
    }
    if checklist.is_empty() {
        line("checklist", "passes".into());
    } else {
        line("checklist", format!("fails: {}", checklist.join("; ")));
    }
    out.push_str("ledger (newest first)\n");
    for m in &movements {
        out.push_str(&format!(
            "  {} {:<8} {:>+6} {:>+6} {:<10} {}{}\n",
            m.created_at,
            m.kind,
            m.on_hand_delta,
            m.reserved_delta,
            m.actor,
            m.order_external_id
                .as_deref()
                .map(|o| format!("order {o} "))
                .unwrap_or_default(),
            m.note
        ));
    }
    super::out(&super::safe(&out));
    Ok(())
}
