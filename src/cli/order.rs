//! `shopdesk order <action> ID [options]`: each order workflow from the
//! command line (SPEC §4.3, §6). ID is the numeric id or CHANNEL:EXTERNAL_ID.
//! Results go to stdout, refusals to stderr with exit 1 (bad usage 2).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::domain::money::Money;
use crate::io::picking::{fit, truncate};
use crate::ops::Session;
use crate::ops::orders::{self, OrderDetail};
use crate::ops::verbs::Entity;

use super::verbs::{self, VerbArgs};
use crate::{Result, config};

/// `shopdesk order …`: the verbs from the table, plus `show` and `pick-list`.
#[derive(Debug)]
pub enum OrderCmd {
    Verb(VerbArgs),
    Other(OrderExtra),
}

/// The order subcommands that are not workflow verbs.
#[derive(Debug, Subcommand)]
pub enum OrderExtra {
    /// Show an order: lines, address, tracking timeline and history.
    Show {
        id: String,
        /// The stable JSON object (docs/orders.md).
        #[arg(long)]
        json: bool,
    },
    /// Write a pick list and packing slips (text and CSV) for approved/picking orders.
    PickList {
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
        /// Directory for the files (default: the current directory).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Also move the approved ones to picking first.
        #[arg(long)]
        pick: bool,
    },
}

verbs::verb_subcommand!(OrderCmd, OrderExtra, Entity::Order);

pub fn run(path: &Path, cmd: OrderCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    match cmd {
        OrderCmd::Verb(v) => verbs::run(&mut s, v),
        OrderCmd::Other(OrderExtra::Show { id, json }) => {
            let id = orders::resolve(&s.conn, &id)?;
            let d = orders::detail(&s, id)?;
            if json {
                super::out_json(&d.to_json())?;
            } else {
                super::out(&super::safe(&show_text(&d, &s.settings.timezone)));
            }
            Ok(())
        }
        OrderCmd::Other(OrderExtra::PickList { ids, dir, pick }) => pick_list(&mut s, &ids, dir, pick),
    }
}

fn pick_list(s: &mut Session, keys: &[String], dir: Option<PathBuf>, pick: bool) -> Result<()> {
    let mut ids = Vec::new();
    for k in keys {
        ids.push(orders::resolve(&s.conn, k)?);
    }
    if pick {
        let approved: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| {
                orders::detail(s, *id)
                    .is_ok_and(|d| d.order.status == crate::domain::order::OrderStatus::Approved)
            })
            .collect();
        for (_, r) in orders::pick_many(s, &approved) {
            match r {
                Ok(o) => outln!("{}", o.message),
                Err(e) => errln!("shopdesk: {e}"),
            }
        }
    }
    let dir = dir.unwrap_or_else(config::output_dir);
    let r = orders::pick_documents(s, &ids, &dir)?;
    for (_, why) in &r.skipped {
        errln!("skipped {why}");
    }
    for p in &r.paths {
        outln!("wrote {}", p.display());
    }
    Ok(())
}

/// The human `order show`.
pub fn show_text(d: &OrderDetail, timezone: &str) -> String {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let o = &d.order;
    let money = |m: i64| Money(m).format(&d.currency);
    let mut out = String::new();
    let mut status = d.status.as_str().to_string();
    if let (Some(r), Some(f)) = (&o.hold_reason, &o.held_from) {
        status = format!("on_hold ({r}, from {f})");
    }
    if let Some(into) = o.merged_into {
        status = format!("merged into order {into}");
    }
    out.push_str(&format!(
        "{}  {status}{}\n",
        d.label(),
        if d.late { "  LATE (past ship-by)" } else { "" }
    ));
    if let Some(c) = &d.customer {
        let line = format!("customer  {} {}  {}", c.external_ref, c.name, c.phone);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("merchant  {}\n", d.merchant_code));
    out.push_str(&format!(
        "ship to   {}  {}  {}, {}{}\n",
        o.ship_name,
        o.ship_phone,
        o.ship_address,
        o.ship_city,
        if d.pii_masked { "  (masked)" } else { "" }
    ));
    out.push_str(&format!(
        "placed {}  paid {}  ship by {}  shipped {}  delivered {}\n",
        super::local(Some(&o.placed_at), &tz),
        super::local(o.paid_at.as_deref(), &tz),
        super::local(o.ship_by_at.as_deref(), &tz),
        super::local(o.shipped_at.as_deref(), &tz),
        super::local(o.delivered_at.as_deref(), &tz)
    ));
    if let Some(r) = &o.cancel_reason {
        out.push_str(&format!(
            "cancelled {}: {r}\n",
            super::local(o.cancelled_at.as_deref(), &tz)
        ));
    }
    if o.carrier.is_some() || o.weight_g.is_some() {
        out.push_str(&format!(
            "carrier {}  tracking {}  weight {}\n",
            o.carrier.as_deref().unwrap_or("-"),
            o.tracking_no.as_deref().unwrap_or("-"),
            o.weight_g.map_or("-".into(), |w| format!("{w} g"))
        ));
    }
    out.push_str(&format!(
        "\n{:>3} {} {} {} {:>5} {:>12} {:>8}\n",
        "No",
        fit("Merchant", 8),
        fit("SKU", 14),
        fit("Title", 24),
        "Qty",
        "Unit",
        "Reserved"
    ));
    for l in &d.lines {
        out.push_str(&format!(
            "{:>3} {} {} {} {:>5} {:>12} {:>8}\n",
            l.line_no,
            fit(&l.merchant_code, 8),
            fit(&l.sku, 14),
            fit(&l.title, 24),
            l.qty,
            money(l.unit_price_minor),
            l.reserved_qty
        ));
    }
    out.push_str(&format!(
        "items {}  shipping {}  total {}  ({} line(s), {} item(s))\n",
        money(o.items_minor),
        money(o.shipping_minor),
        money(d.total_minor()),
        o.line_count,
        o.item_count
    ));
    if !d.events.is_empty() {
        out.push_str("\ntracking\n");
        for e in &d.events {
            out.push_str(&format!(
                "  {}  {}  {}\n",
                super::local(Some(&e.at), &tz),
                fit(&e.status, 20),
                truncate(&e.location, 30)
            ));
        }
    }
    if !d.refunds.is_empty() {
        out.push_str("\nrefunds\n");
        for r in &d.refunds {
            out.push_str(&format!(
                "  {}  {}  {}  by {}\n",
                super::local(Some(&r.created_at), &tz),
                money(r.amount_minor),
                r.reason,
                r.actor
            ));
        }
    }
    if !d.history.is_empty() {
        out.push('\n');
        out.push_str(&super::history_text(&d.history, &tz, &d.currency));
        if d.pii_masked {
            out.push_str(
                "  (the fields each change made are not shown to your role: they may hold personal data)\n",
            );
        }
    }
    out
}
