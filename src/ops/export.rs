//! `shopdesk export`: merchants, products, orders (one row per line, the
//! columns of orders.csv) or tickets, filtered by status and a `[from, to)`
//! range of shop-local dates, streamed to a writer as CSV or JSON.

use std::io::Write;

use chrono::NaiveDate;

use super::Session;
use crate::domain::Role;
use crate::domain::calendar::BusinessCalendar;
use crate::domain::merchant::MerchantStatus;
use crate::domain::order::OrderStatus;
use crate::domain::product::ProductStatus;
use crate::domain::ticket::TicketStatus;
use crate::io::export::{self, Format, Sink, Style};
use crate::store::import::export::{self as st, Filter};
use crate::{Error, Result, clock, store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Merchants,
    Products,
    Orders,
    Tickets,
}

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub status: Option<String>,
    /// First shop-local day included.
    pub from: Option<NaiveDate>,
    /// First shop-local day not included.
    pub to: Option<NaiveDate>,
    pub format: Format,
}

fn check_status(what: What, s: &str) -> Result<String> {
    let r = match what {
        What::Merchants => s.parse::<MerchantStatus>().map(|v| v.as_str()),
        What::Products => s.parse::<ProductStatus>().map(|v| v.as_str()),
        What::Orders => s.parse::<OrderStatus>().map(|v| v.as_str()),
        What::Tickets => s.parse::<TicketStatus>().map(|v| v.as_str()),
    };
    r.map(str::to_string)
        .map_err(|e| Error::input(format!("--status: {e}")))
}

/// Streams the export to `out`; returns the number of rows written. Any
/// staff member may export, but only the owner's exports carry customer
/// phone numbers and addresses unmasked (SPEC §5): a file leaves the shop's
/// audit trail, so even an operator, who sees them on screen, gets them
/// masked.
pub fn export(s: &Session, what: What, opts: &ExportOptions, out: impl Write) -> Result<u64> {
    if let (Some(f), Some(t)) = (opts.from, opts.to)
        && t <= f
    {
        return Err(Error::input(format!(
            "--to {t} must be after --from {f} (to is exclusive)"
        )));
    }
    let cal = BusinessCalendar::new(
        &s.settings.timezone,
        &s.settings.business_days,
        &s.settings.business_start,
        &s.settings.business_end,
        [],
    )
    .map_err(|e| Error::Db(format!("settings: {e}")))?;
    let filter = Filter {
        status: opts
            .status
            .as_deref()
            .map(|v| check_status(what, v))
            .transpose()?,
        from: opts.from.map(|d| clock::stamp(cal.local_day_bounds(d).0)),
        to: opts.to.map(|d| clock::stamp(cal.local_day_bounds(d).0)),
    };
    let style = Style {
        tz: cal.tz,
        pii: crate::domain::pii::PiiMask::for_export(s.role()),
    };
    let conn = &s.conn;
    match what {
        What::Merchants => {
            let mut sink = Sink::new(opts.format, export::MERCHANT_COLUMNS, out)?;
            st::merchants(conn, &filter, |(r, credit)| {
                sink.row(&export::merchant(r, *credit, &style))
            })?;
            sink.finish()
        }
        What::Products => {
            let mut sink = Sink::new(opts.format, export::PRODUCT_COLUMNS, out)?;
            st::products(conn, &filter, |r| sink.row(&export::product(r)))?;
            sink.finish()
        }
        What::Orders => {
            let mut sink = Sink::new(opts.format, export::ORDER_COLUMNS, out)?;
            st::order_lines(conn, &filter, |r| sink.row(&export::order_line(r, &style)))?;
            sink.finish()
        }
        What::Tickets => {
            let mut sink = Sink::new(opts.format, export::TICKET_COLUMNS, out)?;
            st::tickets(conn, &filter, |r| sink.row(&export::ticket(r, &style)))?;
            sink.finish()
        }
    }
}

/// `shopdesk backup`: a copy of the whole file, every phone number and
/// address unmasked, so owner-only (SPEC §5).
pub fn backup(s: &Session, dest: &std::path::Path) -> Result<()> {
    if s.role() != Role::Owner {
        return Err(Error::refused(format!(
            "backup is owner-only: it copies every customer's phone and address unmasked, and {} is {}",
            s.actor.login,
            s.role()
        )));
    }
    store::backup(&s.conn, dest)
}
