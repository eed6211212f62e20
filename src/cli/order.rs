//! `shopdesk order <action> ID [options]`: each order workflow from the
//! command line (SPEC §4.3, §6). ID is the numeric id or CHANNEL:EXTERNAL_ID.
//! Results go to stdout, refusals to stderr with exit 1 (bad usage 2).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::domain::money::Money;
use crate::domain::order::HoldReason;
use crate::io::picking::{fit, truncate};
use crate::ops::Session;
use crate::ops::orders::{self, AddressChange, BatchResult, NewEvent, OrderDetail, Outcome};
use crate::{Error, Result, clock, config};

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Record payment and reserve stock (the order goes on hold when stock is short).
    Pay { id: String },
    /// Audit paid orders (address check) and approve them for picking.
    Approve {
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
    },
    /// Put an order on hold with a reason.
    Hold {
        id: String,
        /// insufficient_stock, address_problem, risk_review, customer_request or other.
        #[arg(long, value_parser = parse_hold_reason)]
        reason: HoldReason,
    },
    /// Release a hold: the order returns to where it was.
    Release { id: String },
    /// Start picking approved orders.
    Pick {
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
    },
    /// Record the packed parcel's weight.
    Pack {
        id: String,
        #[arg(long)]
        weight_g: u32,
    },
    /// Hand the parcel to a carrier; consumes the reserved stock.
    Ship {
        id: String,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking: String,
    },
    /// Add a tracking event to a shipped or delivered order.
    Event {
        id: String,
        #[arg(long)]
        status: String,
        #[arg(long, default_value = "")]
        location: String,
        /// RFC 3339 or "YYYY-MM-DD HH:MM:SS" in the shop's time zone (default: now).
        #[arg(long)]
        at: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record delivery.
    Deliver { id: String },
    /// Close a delivered order after the return window, with no open ticket.
    Complete { id: String },
    /// Cancel an order that has not shipped (releases stock; refunds a paid order).
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Change the shipping address of an order that has not shipped.
    Address {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        city: Option<String>,
    },
    /// Merge an order into another of the same customer, address and merchant.
    Merge {
        id: String,
        #[arg(long, value_name = "SURVIVOR")]
        into: String,
    },
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

fn parse_hold_reason(s: &str) -> std::result::Result<HoldReason, String> {
    s.parse::<HoldReason>().map_err(|e| e.to_string())
}

pub fn run(path: &Path, cmd: OrderCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    let one = |s: &Session, key: &str| orders::resolve(&s.conn, key);
    match cmd {
        OrderCmd::Pay { id } => {
            let id = one(&s, &id)?;
            report(orders::pay(&mut s, id, None)?)
        }
        OrderCmd::Approve { ids } => many(&mut s, &ids, "approved", orders::approve_many),
        OrderCmd::Hold { id, reason } => {
            let id = one(&s, &id)?;
            report(orders::hold(&mut s, id, None, reason)?)
        }
        OrderCmd::Release { id } => {
            let id = one(&s, &id)?;
            report(orders::release(&mut s, id, None)?)
        }
        OrderCmd::Pick { ids } => many(&mut s, &ids, "moved to picking", orders::pick_many),
        OrderCmd::Pack { id, weight_g } => {
            let id = one(&s, &id)?;
            report(orders::pack(&mut s, id, None, weight_g)?)
        }
        OrderCmd::Ship {
            id,
            carrier,
            tracking,
        } => {
            let id = one(&s, &id)?;
            report(orders::ship(&mut s, id, None, &carrier, &tracking)?)
        }
        OrderCmd::Event {
            id,
            status,
            location,
            at,
            note,
        } => {
            let id = one(&s, &id)?;
            let at = match at {
                Some(t) => orders::parse_time(&t, &s.settings.timezone)?,
                None => s.now()?,
            };
            let ev = NewEvent {
                at,
                status,
                location,
                note,
            };
            report(orders::add_event(&mut s, id, None, &ev)?)
        }
        OrderCmd::Deliver { id } => {
            let id = one(&s, &id)?;
            report(orders::deliver(&mut s, id, None)?)
        }
        OrderCmd::Complete { id } => {
            let id = one(&s, &id)?;
            report(orders::complete(&mut s, id, None)?)
        }
        OrderCmd::Cancel { id, reason } => {
            let id = one(&s, &id)?;
            report(orders::cancel(&mut s, id, None, &reason)?)
        }
        OrderCmd::Address {
            id,
            name,
            phone,
            address,
            city,
        } => {
            let id = one(&s, &id)?;
            let change = AddressChange {
                name,
                phone,
                address,
                city,
            };
            report(orders::change_address(&mut s, id, None, &change)?)
        }
        OrderCmd::Merge { id, into } => {
            let id = one(&s, &id)?;
            let into = one(&s, &into)?;
            report(orders::merge(&mut s, id, into, None)?)
        }
        OrderCmd::Show { id, json } => {
            let id = one(&s, &id)?;
            let d = orders::detail(&s, id)?;
            if json {
                let text = serde_json::to_string_pretty(&d.to_json())
                    .map_err(|e| Error::Db(format!("json: {e}")))?;
                println!("{text}");
            } else {
                print!("{}", super::safe(&show_text(&d, &s.settings.timezone)));
            }
            Ok(())
        }
        OrderCmd::PickList { ids, dir, pick } => pick_list(&mut s, &ids, dir, pick),
    }
}

fn report(o: Outcome) -> Result<()> {
    outln!("{}", o.message);
    if o.held() && matches!(o.action, "pay" | "approve") {
        errln!(
            "warning: {} is on hold; see `shopdesk order show {}`",
            o.label,
            o.id
        );
    }
    Ok(())
}

/// Runs a batch action; each order is its own transaction. Fails (with the
/// first failure's exit code) when any order failed.
fn many(
    s: &mut Session,
    keys: &[String],
    done: &str,
    f: fn(&mut Session, &[i64]) -> BatchResult,
) -> Result<()> {
    let mut ids = Vec::new();
    for k in keys {
        ids.push(orders::resolve(&s.conn, k)?);
    }
    let mut first_err: Option<Error> = None;
    let mut failed = 0;
    for (_, r) in f(s, &ids) {
        match r {
            Ok(o) => report(o)?,
            Err(e) => {
                failed += 1;
                if ids.len() > 1 {
                    errln!("shopdesk: {e}");
                }
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        None => Ok(()),
        Some(e) if ids.len() == 1 => Err(e),
        Some(e) => {
            let msg = format!("{failed} of {} orders were not {done}", ids.len());
            Err(match e {
                Error::Refused(_) => Error::Refused(msg),
                Error::Conflict(_) => Error::Conflict(msg),
                Error::Input(_) => Error::Input(msg),
                Error::Db(_) => Error::Db(msg),
            })
        }
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
            .filter(|id| orders::detail(s, *id).is_ok_and(|d| d.order.status == "approved"))
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

fn local(stamp: Option<&str>, tz: &chrono_tz::Tz) -> String {
    match stamp {
        None => "-".into(),
        Some(s) => clock::parse_stamp(s)
            .map(|t| t.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| s.to_string()),
    }
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
        local(Some(&o.placed_at), &tz),
        local(o.paid_at.as_deref(), &tz),
        local(o.ship_by_at.as_deref(), &tz),
        local(o.shipped_at.as_deref(), &tz),
        local(o.delivered_at.as_deref(), &tz)
    ));
    if let Some(r) = &o.cancel_reason {
        out.push_str(&format!(
            "cancelled {}: {r}\n",
            local(o.cancelled_at.as_deref(), &tz)
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
                local(Some(&e.at), &tz),
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
                local(Some(&r.created_at), &tz),
                money(r.amount_minor),
                r.reason,
                r.actor
            ));
        }
    }
    if !d.history.is_empty() {
        out.push_str("\nhistory\n");
        for h in &d.history {
            out.push_str(&format!(
                "  {}  {:<12} {}\n",
                local(Some(&h.at), &tz),
                h.actor,
                h.action
            ));
        }
    }
    out
}
