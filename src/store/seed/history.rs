//! The demo's audit history: the facts its generator reads back once every
//! record is final (orders change again in the ticket phase), and the
//! chain it appends to. The generator decides the steps (`demo::history`).

use rusqlite::Row;

use super::Load;
use crate::Result;
use crate::store::audit::{Chain, Entry};

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

impl Load<'_> {
    /// The audit chain, continuing from its current head.
    pub fn audit_chain(&self) -> Result<Chain> {
        Chain::start(self.conn)
    }

    pub fn audit(&self, chain: &mut Chain, e: &Entry<'_>) -> Result<()> {
        chain.push(self.conn, e)
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
