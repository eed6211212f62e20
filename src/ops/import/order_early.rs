//! Writing new orders while the file is still read: into a shop with no
//! orders every good order is new, so the thread that owns the transaction
//! writes each order as soon as a later order has started (instead of
//! waiting for the parser to reach the end of the file). An order is
//! complete once the next one starts unless the file's lines of one order
//! are apart; when a row joins an order already written (`Grouper::reopened`)
//! everything written early is rolled back to a savepoint and the import
//! writes the normal way, after the whole file. Either way nothing is
//! committed before every row is checked, and a problem anywhere still
//! rolls back the whole transaction.

use rusqlite::Connection;

use super::Ctx;
use super::order_writer::Writer;
use super::orders::totals;
use crate::io::import_orders::Grouper;
use crate::store::bulk::SetAside;
use crate::store::import::imports;
use crate::{Result, store};

const SAVEPOINT: &str = "import_early";

/// What the early writes set up, on the first order written.
pub(super) struct Begun {
    pub import_id: i64,
    pub aside: SetAside,
    pub kpis_aside: SetAside,
    pub w: Writer,
}

#[derive(Default)]
pub(super) struct Early {
    pub begun: Option<Begun>,
    /// Drafts before this one were looked at (and written when good).
    pub next: usize,
}

impl Early {
    /// Writes the good drafts before `upto`, in file order, and freezes
    /// them in `groups`.
    pub fn write_upto(
        &mut self,
        tx: &Connection,
        ctx: &Ctx<'_>,
        groups: &mut Grouper,
        upto: usize,
    ) -> Result<()> {
        while self.next < upto {
            let i = self.next;
            self.next += 1;
            let Some(d) = groups.drafts.get(i) else { break };
            if !d.ok() || totals(d).is_err() {
                // Rejected after the file is read, like any bad order.
                continue;
            }
            let begun = match &mut self.begun {
                Some(b) => b,
                None => self.begun.insert(begin(tx, ctx)?),
            };
            begun.w.insert(tx, ctx, d, i)?;
        }
        groups.frozen = self.next;
        Ok(())
    }

    /// After the whole file: keeps what was written (true), or, when a row
    /// joined an order written already, rolls it back (false: write the
    /// normal way).
    pub fn settle(&mut self, tx: &Connection, groups: &Grouper) -> Result<bool> {
        if self.begun.is_none() {
            return Ok(!groups.reopened);
        }
        if groups.reopened {
            // The indexes and triggers set aside come back with the rollback.
            self.begun = None;
            tx.execute_batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT};"))?;
            return Ok(false);
        }
        tx.execute_batch(&format!("RELEASE {SAVEPOINT};"))?;
        Ok(true)
    }
}

/// What `orders::run` does before its first write, for a shop with no
/// orders: the import record (its SHA-256 is set when the file is read),
/// the indexes and KPI triggers set aside, the writer.
fn begin(tx: &Connection, ctx: &Ctx<'_>) -> Result<Begun> {
    tx.execute_batch(&format!("SAVEPOINT {SAVEPOINT};"))?;
    let import_id = imports::begin(
        tx,
        &imports::NewImport {
            kind: "orders",
            file_name: &super::orders::file_name(ctx),
            file_sha256: &[0; 32],
            actor: &ctx.actor,
            at: &ctx.now_stamp,
        },
    )?;
    let aside = store::bulk::set_aside(
        tx,
        &["orders", "order_lines", "customers"],
        &[store::bulk::ORDER_COUNTS],
    )?;
    let kpis_aside = store::bulk::set_aside(tx, &[], &store::bulk::NEW_ORDER_KPIS)?;
    let w = Writer::start(tx, Some(import_id))?;
    Ok(Begun {
        import_id,
        aside,
        kpis_aside,
        w,
    })
}
