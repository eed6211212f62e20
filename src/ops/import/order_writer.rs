//! Writing new orders: customers found or created, stock reserved for open
//! orders (or the order held when stock is short), each naming its import
//! (whose one audit row stands for them all). Rows
//! are buffered and written in batches; reservations wait until every order
//! is written (the ledger rows name them), then go one UPDATE per product.
//! Availability is read once per product and kept in memory as the import
//! reserves (it holds the write lock, so nobody else moves stock meanwhile;
//! the reserving UPDATE still checks), so nothing is ever oversold. What
//! the orders add to the rollups is summed as they are written
//! (`store::import::rollups`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::Ctx;
use super::orders::totals;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::io::import_orders::{self, Draft, Head};
use crate::store::import::orders::{self as st, NewLine, NewOrder, OrderWriter};
use crate::store::import::rollups::{OrderFacts, Rollups};
use crate::store::stock;
use crate::{Error, Result, clock};

/// Orders written per batch.
const BATCH_ORDERS: usize = 200;

/// A reservation waiting for its order to be written.
struct Pending {
    order_id: i64,
    product_id: i64,
    qty: i64,
    /// For the message if it fails: the draft (its index) and its line.
    draft: usize,
    line: usize,
}

/// Owns what it keeps (nothing borrowed from the drafts), so orders can be
/// written while the grouper still adds drafts.
pub(super) struct Writer {
    rows: OrderWriter,
    /// The import the new orders name.
    import_id: Option<i64>,
    /// Time spent reserving stock (the bench reports it).
    pub reserve_time: std::time::Duration,
    /// The ids of the first and last order written.
    pub first: Option<i64>,
    pub last: Option<i64>,
    customers: HashMap<String, i64>,
    pending: Vec<Pending>,
    /// Units each product seen so far can still reserve, net of `pending`.
    available: HashMap<i64, i64>,
    /// Orders held for stock, with what was short.
    pub held: Vec<String>,
    /// What the written orders add to the rollups.
    rollups: Rollups,
}

impl Writer {
    pub fn start(tx: &Connection, import_id: Option<i64>) -> Result<Writer> {
        Ok(Writer {
            rows: OrderWriter::start(tx)?,
            import_id,
            reserve_time: std::time::Duration::ZERO,
            first: None,
            last: None,
            customers: HashMap::new(),
            pending: Vec::new(),
            available: HashMap::new(),
            held: Vec::new(),
            rollups: Rollups::default(),
        })
    }

    /// Writes everything still buffered, then the reservations that
    /// waited for their orders; call before reading orders back. `drafts`
    /// are those the orders were written from, by the index `insert` got.
    pub fn finish(&mut self, tx: &Connection, ctx: &Ctx<'_>, drafts: &[Draft]) -> Result<()> {
        self.rows.flush(tx)?;
        let t = std::time::Instant::now();
        let lines: Vec<(i64, i64, i64)> = self
            .pending
            .iter()
            .map(|p| (p.product_id, p.qty, p.order_id))
            .collect();
        let origin = ctx.stock_origin();
        if let Err(product_id) = stock::reserve_lines(tx, &lines, &origin)? {
            let p = self.pending.iter().find(|p| p.product_id == product_id);
            let at = p.and_then(|p| {
                let d = drafts.get(p.draft)?;
                Some((d, d.lines.get(p.line)?))
            });
            return Err(Error::Db(match at {
                Some((d, l)) => format!("{} {}: stock changed during the import", d.head.label(), l.sku),
                None => format!("product {product_id}: stock changed during the import"),
            }));
        }
        self.pending.clear();
        self.reserve_time += t.elapsed();
        Ok(())
    }

    /// Writes the rollup sums of every order written (after `finish`);
    /// `bulk` when the import's indexes were set aside.
    pub fn write_rollups(&mut self, tx: &Connection, bulk: bool) -> Result<()> {
        std::mem::take(&mut self.rollups).write(tx, bulk)?;
        if let (Some(first), Some(last)) = (self.first, self.last) {
            crate::store::bulk::rechain_existing_customers(tx, first, last, self.rows.first_new_customer())?;
        }
        Ok(())
    }

    fn customer(&mut self, tx: &Connection, now: &str, h: &Head) -> Result<i64> {
        if let Some(id) = self.customers.get(h.customer_ref.as_str()) {
            return Ok(*id);
        }
        let stored = if self.rows.had_customers() {
            st::customer_by_ref(tx, &h.customer_ref)?
        } else {
            None
        };
        let id = match stored {
            Some(id) => id,
            None => self.rows.customer(&st::NewCustomer {
                external_ref: &h.customer_ref,
                name: &h.customer_name,
                phone: &h.customer_phone,
                address: &h.ship_address,
                city: &h.ship_city,
                now,
            }),
        };
        self.customers.insert(h.customer_ref.clone(), id);
        Ok(id)
    }

    /// Why an open order cannot have all its stock: "SKU (need 3, available 1)".
    fn shortages(&mut self, tx: &Connection, d: &Draft) -> Result<Vec<String>> {
        let mut need: Vec<(i64, i64, &str)> = Vec::new();
        for l in &d.lines {
            match need.iter_mut().find(|n| n.0 == l.product.product_id) {
                Some(n) => n.1 += l.qty,
                None => need.push((l.product.product_id, l.qty, &l.sku)),
            }
        }
        let mut short = Vec::new();
        for (pid, qty, sku) in need {
            let avail = match self.available.get(&pid) {
                Some(n) => *n,
                None => {
                    let n = st::available(tx, pid)?;
                    self.available.insert(pid, n);
                    n
                }
            };
            if avail < qty {
                short.push(format!("{sku} (need {qty}, available {avail})"));
            }
        }
        Ok(short)
    }

    /// Writes a good new order; `index` is its draft's, for `finish`.
    pub fn insert(&mut self, tx: &Connection, ctx: &Ctx<'_>, d: &Draft, index: usize) -> Result<()> {
        let import_id = self
            .import_id
            .ok_or_else(|| Error::Db("an order to write but no import record".into()))?;
        if self.rows.buffered_orders() >= BATCH_ORDERS {
            self.rows.flush(tx)?;
        }
        let h = &d.head;
        let (items, items_minor, shipping_minor) =
            totals(d).map_err(|p| Error::input(p.render(&ctx.name)))?;
        let customer_id = self.customer(tx, &ctx.now_stamp, h)?;
        let open = import_orders::is_open(h.status);
        let short = if open { self.shortages(tx, d)? } else { Vec::new() };
        let reserve = open && short.is_empty();
        let (status, hold) = if short.is_empty() {
            (h.status.as_str(), None)
        } else {
            self.held.push(format!("{}: {}", h.label(), short.join(", ")));
            (
                OrderStatus::OnHold.as_str(),
                Some((HoldReason::InsufficientStock.as_str(), h.status.as_str())),
            )
        };
        let stamp = |t: Option<DateTime<Utc>>| t.map(clock::stamp);
        let placed_at = clock::stamp(h.placed_at);
        let (paid_at, shipped_at, delivered_at, promised_at) = (
            stamp(h.paid_at),
            stamp(h.shipped_at),
            stamp(h.delivered_at),
            stamp(h.promised_at),
        );
        let ship_by_at = stamp(import_orders::ship_by(h, ctx.settings.ship_by_hours));
        self.rollups.order(
            &OrderFacts {
                id: self.rows.next_order_id(),
                customer_id,
                new_customer: self.rows.is_new_customer(customer_id),
                status,
                placed_at: &placed_at,
                placed: h.placed_at,
                paid_at: paid_at.as_deref(),
                delivered: h.delivered_at,
                delivered_at: delivered_at.as_deref(),
                promised_at: promised_at.as_deref(),
                items_minor,
                shipping_minor,
            },
            d.lines
                .iter()
                .map(|l| (l.product.product_id, l.qty, l.unit_price)),
        )?;
        let id = self.rows.order(NewOrder {
            channel: &h.channel,
            external_id: &h.external_id,
            customer_id,
            merchant_id: d.lines[0].product.merchant_id,
            status,
            hold,
            cancel_reason: (h.status == OrderStatus::Cancelled).then_some("cancelled on the sales channel"),
            ship_name: &h.customer_name,
            ship_phone: &h.customer_phone,
            ship_address: &h.ship_address,
            ship_city: &h.ship_city,
            line_count: d.lines.len() as i64,
            item_count: items,
            items_minor,
            shipping_minor,
            carrier: h.carrier.as_deref(),
            tracking_no: h.tracking_no.as_deref(),
            placed_at,
            paid_at,
            shipped_at,
            delivered_at,
            promised_at,
            ship_by_at,
            now: &ctx.now_stamp,
            import_id,
        });
        self.first = self.first.or(Some(id));
        self.last = Some(id);
        for (i, l) in d.lines.iter().enumerate() {
            if reserve {
                *self.available.entry(l.product.product_id).or_default() -= l.qty;
                self.pending.push(Pending {
                    order_id: id,
                    product_id: l.product.product_id,
                    qty: l.qty,
                    draft: index,
                    line: i,
                });
            }
            self.rows.line(
                id,
                &NewLine {
                    line_no: i as i64 + 1,
                    product_id: l.product.product_id,
                    merchant_id: l.product.merchant_id,
                    qty: l.qty,
                    unit_price_minor: l.unit_price,
                    shipping_minor: l.shipping,
                    reserved_qty: if reserve { l.qty } else { 0 },
                },
            );
        }
        Ok(())
    }
}
