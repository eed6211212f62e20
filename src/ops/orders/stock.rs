//! Stock moves for order workflows, always through `store::stock` so the
//! ledger (`stock_movements`) and `order_lines.reserved_qty` agree.

use rusqlite::{Connection, Transaction};

use crate::store::orders::Order;
use crate::store::{self, stock::Origin};
use crate::{Error, Result};

use super::super::Stamp;

/// A line that could not be reserved in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shortage {
    pub sku: String,
    pub title: String,
    pub need: i64,
    pub available: i64,
}

/// "BT-01 蓝牙耳机 needs 3, 1 available; ..."
pub(crate) fn describe(shortages: &[Shortage]) -> String {
    shortages
        .iter()
        .map(|s| {
            format!(
                "{} {} needs {}, {} available",
                s.sku,
                s.title,
                s.need,
                s.available.max(0)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn origin<'a>(o: &Order, who: Stamp<'a>, note: &'a str) -> Origin<'a> {
    Origin {
        order_id: Some(o.id),
        ticket_id: None,
        note,
        actor: who.actor,
        at: who.at,
    }
}

/// Reserves what each line still lacks. Lines that cannot be reserved are
/// returned; the ones that could are left reserved (callers roll back).
pub(crate) fn reserve_missing(conn: &Connection, o: &Order, who: Stamp<'_>) -> Result<Vec<Shortage>> {
    let mut short = Vec::new();
    for l in store::orders::lines(conn, o.id)? {
        let need = l.qty - l.reserved_qty;
        if need <= 0 {
            continue;
        }
        if store::stock::reserve(conn, l.product_id, need, &origin(o, who, "reserve for order"))? {
            store::orders::set_reserved(conn, l.id, l.qty)?;
        } else {
            short.push(Shortage {
                sku: l.sku,
                title: l.title,
                need,
                available: store::orders::available(conn, l.product_id)?,
            });
        }
    }
    Ok(short)
}

/// Reserves every line in full, or nothing at all: when any line is short,
/// the reservations made here are rolled back (a savepoint, so the ledger
/// shows no reserve/release pairs) and the shortages are returned.
pub(crate) fn reserve_all_or_nothing(
    tx: &mut Transaction<'_>,
    o: &Order,
    who: Stamp<'_>,
) -> Result<Vec<Shortage>> {
    let sp = tx.savepoint()?;
    let short = reserve_missing(&sp, o, who)?;
    if short.is_empty() {
        sp.commit()?;
    } else {
        sp.finish()?;
    }
    Ok(short)
}

/// Gives back every reserved unit of the order's lines.
pub(crate) fn release_all(conn: &Connection, o: &Order, who: Stamp<'_>, note: &str) -> Result<i64> {
    let mut units = 0;
    for l in store::orders::lines(conn, o.id)? {
        if l.reserved_qty > 0 {
            store::stock::release(conn, l.product_id, l.reserved_qty, &origin(o, who, note))?;
            store::orders::set_reserved(conn, l.id, 0)?;
            units += l.reserved_qty;
        }
    }
    Ok(units)
}

/// Consumes the reserved stock of every line (reserving first what a line
/// still lacks; refused when that is not possible).
pub(crate) fn ship_all(conn: &Connection, o: &Order, who: Stamp<'_>) -> Result<()> {
    let short = reserve_missing(conn, o, who)?;
    if !short.is_empty() {
        return Err(Error::refused(format!("short of stock: {}", describe(&short))));
    }
    for l in store::orders::lines(conn, o.id)? {
        store::stock::ship(conn, l.product_id, l.qty, &origin(o, who, "shipped"))?;
        store::orders::set_reserved(conn, l.id, 0)?;
    }
    Ok(())
}
