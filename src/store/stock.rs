//! The inventory ledger: every change to a product's stock is one of these
//! functions, each updating `products` and appending its `stock_movements`
//! row together, so `shopdesk check` can re-derive stock from movements.

use rusqlite::{Connection, params};

use crate::{Error, Result};

/// Where a movement came from, for the ledger row.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub note: &'a str,
    pub actor: &'a str,
    pub at: &'a str,
}

fn movement(
    conn: &Connection,
    product_id: i64,
    kind: &str,
    on_hand: i64,
    reserved: i64,
    o: &Origin<'_>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, order_id, ticket_id, note, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![product_id, kind, on_hand, reserved, o.order_id, o.ticket_id, o.note, o.actor, o.at])?;
    Ok(())
}

/// Reserves `qty` units if that many are available; `false` (and no change)
/// when they are not. The conditional UPDATE is what makes overselling
/// impossible even with many writers.
pub fn reserve(conn: &Connection, product_id: i64, qty: i64, o: &Origin<'_>) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE products SET stock_reserved = stock_reserved + ?2
             WHERE id = ?1 AND stock_on_hand - stock_reserved >= ?2",
        )?
        .execute(params![product_id, qty])?;
    if n == 0 {
        return Ok(false);
    }
    movement(conn, product_id, "reserve", 0, qty, o)?;
    Ok(true)
}

/// Reserves many lines at once (an import): one conditional UPDATE per
/// product for the sum of its lines, then one ledger row per line in the
/// given order, written as multi-row INSERTs. `lines` are (product id, qty,
/// order id); the origin's own order id is not used. `Err(product id)` (and
/// nothing reserved for that product) when one has too few units: the
/// caller rolls the whole transaction back.
pub fn reserve_lines(
    conn: &Connection,
    lines: &[(i64, i64, i64)],
    o: &Origin<'_>,
) -> Result<std::result::Result<(), i64>> {
    let mut per_product: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for &(product_id, qty, _) in lines {
        let sum = per_product.entry(product_id).or_default();
        *sum = sum
            .checked_add(qty)
            .ok_or_else(|| Error::Db(format!("product {product_id}: reserved units past any count")))?;
    }
    {
        let mut st = conn.prepare_cached(
            "UPDATE products SET stock_reserved = stock_reserved + ?2
             WHERE id = ?1 AND stock_on_hand - stock_reserved >= ?2",
        )?;
        for (product_id, qty) in per_product {
            if st.execute(params![product_id, qty])? == 0 {
                return Ok(Err(product_id));
            }
        }
    }
    use crate::store::import::batch::{Batch, int, owned, text};
    use rusqlite::types::Value;
    let mut rows = Batch::new(
        "INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, order_id, ticket_id, note, actor, created_at) VALUES ",
        9,
    );
    for &(product_id, qty, order_id) in lines {
        rows.push([
            int(product_id),
            text("reserve"),
            int(0),
            int(qty),
            int(order_id),
            owned(o.ticket_id.map_or(Value::Null, Value::Integer)),
            text(o.note),
            text(o.actor),
            text(o.at),
        ]);
        if rows.is_full() {
            rows.flush(conn)?;
        }
    }
    rows.flush(conn)?;
    Ok(Ok(()))
}

/// Gives back `qty` reserved units (cancel, hold for lack of stock, merge).
pub fn release(conn: &Connection, product_id: i64, qty: i64, o: &Origin<'_>) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE products SET stock_reserved = stock_reserved - ?2 WHERE id = ?1 AND stock_reserved >= ?2",
        )?
        .execute(params![product_id, qty])?;
    if n == 0 {
        return Err(Error::Db(format!(
            "product {product_id}: cannot release {qty} units, fewer are reserved"
        )));
    }
    movement(conn, product_id, "release", 0, -qty, o)
}

/// Ships `qty` reserved units: they leave on-hand and reserved together.
pub fn ship(conn: &Connection, product_id: i64, qty: i64, o: &Origin<'_>) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE products SET stock_on_hand = stock_on_hand - ?2, stock_reserved = stock_reserved - ?2
             WHERE id = ?1 AND stock_reserved >= ?2",
        )?
        .execute(params![product_id, qty])?;
    if n == 0 {
        return Err(Error::Db(format!(
            "product {product_id}: cannot ship {qty} units, fewer are reserved"
        )));
    }
    movement(conn, product_id, "ship", -qty, -qty, o)
}

/// Adds (receive, return) or removes (adjust with a negative delta) on-hand
/// units; refuses to take on-hand below what is reserved.
pub fn adjust_on_hand(
    conn: &Connection,
    product_id: i64,
    kind: &str,
    delta: i64,
    o: &Origin<'_>,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    let n = conn
        .prepare_cached(
            "UPDATE products SET stock_on_hand = stock_on_hand + ?2
             WHERE id = ?1 AND stock_on_hand + ?2 >= stock_reserved",
        )?
        .execute(params![product_id, delta])?;
    if n == 0 {
        return Err(Error::refused(format!(
            "product {product_id}: on-hand stock cannot go below what is reserved"
        )));
    }
    movement(conn, product_id, kind, delta, 0, o)
}
