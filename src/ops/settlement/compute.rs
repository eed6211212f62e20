//! What a period's statements hold, computed from the orders and refunds
//! (docs/settlement.md): the lines of orders completed in the period, the
//! merchants' parts of the ticket refunds issued in it, the fee due.
//! Reads only; `run` writes what this returns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;

use crate::domain::settlement::{self as rules, Totals};
use crate::domain::ticket::RulingPayer;
use crate::store::settlement::{self as db, Charge, Line};
use crate::{Error, Result};

/// One merchant's statement as computed (before the balance carried in).
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub lines: Vec<Line>,
    pub charges: Vec<Charge>,
    pub totals: Totals,
}

fn overflow(what: &str) -> Error {
    Error::Db(format!("settlement: {what} overflows"))
}

/// The nearest rate up a category's parents (`None`: no category has one).
/// A cycle in the tree (which `check` reports) ends the walk.
fn category_rate(cats: &HashMap<i64, (Option<i64>, Option<i64>)>, start: Option<i64>) -> Option<i64> {
    let mut at = start;
    for _ in 0..64 {
        let (parent, bp) = cats.get(&at?)?;
        if bp.is_some() {
            return *bp;
        }
        at = *parent;
    }
    None
}

/// Every merchant's figures for the period `[start, end)` (UTC stamps;
/// `from` is its first date, for the fee), except the merchants in `skip`;
/// only `merchant`'s when given. Merchants with no line and no charge are
/// absent.
pub fn compute(
    conn: &Connection,
    start: &str,
    end: &str,
    from: &str,
    default_bp: i64,
    merchant: Option<i64>,
    skip: &BTreeSet<i64>,
) -> Result<BTreeMap<i64, Computed>> {
    let terms: HashMap<i64, db::MerchantTerms> =
        db::merchant_terms(conn)?.into_iter().map(|m| (m.id, m)).collect();
    let cats: HashMap<i64, (Option<i64>, Option<i64>)> = db::category_rates(conn)?
        .into_iter()
        .map(|(id, parent, bp)| (id, (parent, bp)))
        .collect();
    let mut rate_memo: HashMap<Option<i64>, Option<i64>> = HashMap::new();
    let product_cat = db::product_categories(conn)?;
    let mut out: BTreeMap<i64, Computed> = BTreeMap::new();
    for d in db::completed_lines(conn, start, end, merchant)? {
        if skip.contains(&d.merchant_id) {
            continue;
        }
        let merchant_bp = terms.get(&d.merchant_id).and_then(|m| m.commission_bp);
        let category = product_cat.get(&d.product_id).copied().flatten();
        let cat_bp = *rate_memo
            .entry(category)
            .or_insert_with(|| category_rate(&cats, category));
        let (bp, source) = rules::commission_rate(merchant_bp, &[cat_bp], default_bp);
        let m = rules::line_money(d.qty, d.unit_price_minor, d.shipping_minor, bp)
            .map_err(|r| Error::Db(format!("order line {}: {r}", d.order_line_id)))?;
        let c = out.entry(d.merchant_id).or_default();
        c.totals.line_count += 1;
        c.totals.sales_minor = c
            .totals
            .sales_minor
            .checked_add(m.sales_minor)
            .ok_or_else(|| overflow("sales"))?;
        c.totals.commission_minor = c
            .totals
            .commission_minor
            .checked_add(m.commission_minor)
            .ok_or_else(|| overflow("commission"))?;
        c.lines.push(Line {
            order_line_id: d.order_line_id,
            order_id: d.order_id,
            completed_at: d.completed_at,
            goods_minor: m.goods_minor,
            sales_minor: m.sales_minor,
            commission_bp: bp,
            commission_source: source.as_str().to_string(),
            commission_minor: m.commission_minor,
        });
    }
    for r in db::ticket_refunds(conn, start, end)? {
        let payer = r
            .ruling_payer
            .as_deref()
            .map(|p| p.parse::<RulingPayer>())
            .transpose()
            .map_err(|e| Error::Db(format!("ticket {}: {e}", r.ticket_id)))?;
        let part = rules::charged_part(r.amount_minor, payer);
        let sales: BTreeMap<i64, i64> = db::order_sales_by_merchant(conn, r.order_id)?
            .into_iter()
            .collect();
        for (m, amount) in rules::allocate(part, &sales) {
            if skip.contains(&m) || merchant.is_some_and(|only| only != m) {
                continue;
            }
            let c = out.entry(m).or_default();
            c.totals.refunds_minor = c
                .totals
                .refunds_minor
                .checked_add(amount)
                .ok_or_else(|| overflow("refunds"))?;
            c.charges.push(Charge {
                refund_id: r.refund_id,
                order_id: r.order_id,
                ticket_id: r.ticket_id,
                refunded_at: r.created_at.clone(),
                refund_minor: r.amount_minor,
                amount_minor: amount,
            });
        }
    }
    for (m, c) in out.iter_mut() {
        let t = terms.get(m);
        let fee = match t {
            Some(t) if t.platform_fee_minor > 0 => rules::fee_due(
                t.platform_fee_minor,
                t.fee_paid_minor,
                db::fee_elsewhere(conn, *m, None, from)?,
            ),
            _ => 0,
        };
        c.totals.fee_minor = fee;
        c.totals.payable_minor = rules::payable(
            c.totals.sales_minor,
            c.totals.commission_minor,
            c.totals.refunds_minor,
            fee,
            0,
        )
        .ok_or_else(|| overflow("payable"))?;
    }
    Ok(out)
}
