//! The demo's audit history: the facts its generator reads back once every
//! record is final (orders change again in the ticket phase), and the
//! chain it appends to. The generator decides the steps (`demo::history`).

use rusqlite::Row;
use rusqlite::types::Value;

use super::Load;
use super::batch::Batch;
use crate::domain::order::OrderStatus;
use crate::domain::ticket::TicketStatus;
use crate::store::audit::{Chain, Text};
use crate::store::{enums, orders};
use crate::{Error, Result};

/// What an order's history is made from: its state and the times it
/// reached each stage (UTC stamps as stored).
#[derive(Debug, Clone, Default)]
pub struct OrderFacts {
    pub id: i64,
    pub status: String,
    pub hold_reason: Option<String>,
    pub held_from: Option<String>,
    pub cancel_reason: Option<String>,
    pub merged_into: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub placed_at: String,
    pub paid_at: Option<String>,
    pub approved_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub completed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub updated_at: String,
}

/// A merchant's state and the times of its application and decision.
#[derive(Debug, Clone, Default)]
pub struct MerchantFacts {
    pub id: i64,
    pub status: String,
    pub status_reason: Option<String>,
    pub applied_at: String,
    pub decided_at: Option<String>,
    pub updated_at: String,
}

fn order_facts(r: &Row<'_>) -> rusqlite::Result<OrderFacts> {
    Ok(OrderFacts {
        id: r.get(0)?,
        status: r.get(1)?,
        hold_reason: r.get(2)?,
        held_from: r.get(3)?,
        cancel_reason: r.get(4)?,
        merged_into: r.get(5)?,
        carrier: r.get(6)?,
        tracking_no: r.get(7)?,
        placed_at: r.get(8)?,
        paid_at: r.get(9)?,
        approved_at: r.get(10)?,
        shipped_at: r.get(11)?,
        delivered_at: r.get(12)?,
        completed_at: r.get(13)?,
        cancelled_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

/// The audit rows being appended: the chain's head and the rows not yet
/// written (multi-row INSERTs). `finish_history` writes the rest.
pub struct History {
    chain: Chain,
    rows: Batch,
}

impl Load<'_> {
    /// The audit history, continuing the chain from its current head.
    pub fn history(&self) -> Result<History> {
        Ok(History {
            chain: Chain::start(self.conn)?,
            rows: Batch::new(
                "INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash)",
                10,
            ),
        })
    }

    /// Appends one audit row (its images already JSON text): the same row
    /// and hash as `audit::append` would write.
    pub fn audit(&self, h: &mut History, t: &Text<'_>) -> Result<()> {
        let (id, prev, hash) = h.chain.link(t);
        let text = |s: &str| Value::Text(s.to_string());
        h.rows.push(
            self.conn,
            [
                Value::Integer(id),
                text(t.at),
                text(t.actor),
                text(t.entity),
                Value::Integer(t.entity_id),
                text(t.action),
                t.before_json.map_or(Value::Null, text),
                t.after_json.map_or(Value::Null, text),
                Value::Blob(prev.to_vec()),
                Value::Blob(hash.to_vec()),
            ],
        )
    }

    /// Writes the audit rows still buffered.
    pub fn finish_history(&self, mut h: History) -> Result<()> {
        h.rows.flush(self.conn)
    }

    /// Every order, in id order. `f` may append audit rows meanwhile
    /// (another table).
    pub fn each_order(&self, mut f: impl FnMut(&OrderFacts) -> Result<()>) -> Result<()> {
        let mut st = self.conn.prepare(
            "SELECT id, status, hold_reason, held_from, cancel_reason, merged_into, carrier, tracking_no,
                    placed_at, paid_at, approved_at, shipped_at, delivered_at, completed_at, cancelled_at, updated_at
             FROM orders ORDER BY id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(&order_facts(r)?)?;
        }
        Ok(())
    }

    /// Delivered orders whose return window closed by `cutoff` (a stamp)
    /// with no open ticket, oldest delivery first: what
    /// `store::orders::due_completions` finds, read without the indexes the
    /// load has set aside (one pass over the open tickets, not one per order).
    pub fn due_completions(&self, cutoff: &str) -> Result<Vec<i64>> {
        let done: Vec<TicketStatus> = TicketStatus::ALL.into_iter().filter(|s| !s.is_open()).collect();
        let done = enums::literals(&done, TicketStatus::as_str);
        let mut st = self.conn.prepare(&format!(
            "SELECT o.id FROM orders o WHERE o.status = 'delivered' AND o.delivered_at <= ?1
               AND o.id NOT IN (SELECT t.order_id FROM tickets t WHERE t.order_id IS NOT NULL AND t.status NOT IN ({done}))
             ORDER BY o.delivered_at, o.id"
        ))?;
        let rows = st.query_map([cutoff], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Completes delivered order `id` at `at` as `actor`: the row and its
    /// audit row as the workflow's versioned save writes them (full images,
    /// the version moved on), so the demo leaves no order for the first
    /// command to complete.
    pub fn complete_order(&self, h: &mut History, id: i64, at: &str, actor: &str) -> Result<()> {
        let before = orders::get(self.conn, id)?.ok_or_else(|| Error::not_found("order", id))?;
        let mut after = before.clone();
        after.status = OrderStatus::Completed;
        after.completed_at = Some(at.to_string());
        after.updated_at = at.to_string();
        if !orders::update(self.conn, &after, before.version)? {
            return Err(Error::Db(format!("seed: order {id} moved while completing it")));
        }
        after.version = before.version + 1;
        let image =
            |o: &orders::Order| serde_json::to_value(o).map_err(|e| Error::Db(format!("audit json: {e}")));
        let (before, after) = (image(&before)?.to_string(), image(&after)?.to_string());
        self.audit(
            h,
            &Text {
                at,
                actor,
                entity: "order",
                entity_id: id,
                action: "complete",
                before_json: Some(&before),
                after_json: Some(&after),
            },
        )
    }

    /// Every merchant, in id order.
    pub fn each_merchant(&self, mut f: impl FnMut(&MerchantFacts) -> Result<()>) -> Result<()> {
        let mut st = self.conn.prepare(
            "SELECT id, status, status_reason, applied_at, decided_at, updated_at FROM merchants ORDER BY id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(&MerchantFacts {
                id: r.get(0)?,
                status: r.get(1)?,
                status_reason: r.get(2)?,
                applied_at: r.get(3)?,
                decided_at: r.get(4)?,
                updated_at: r.get(5)?,
            })?;
        }
        Ok(())
    }
}
