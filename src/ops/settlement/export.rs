//! Settlement files: one statement as CSV for its merchant, and one CSV of
//! every payable awaiting payout for the bank (docs/settlement.md lists
//! the columns). Money is plain decimal text ("1234.50"); times are shop
//! time. The caller opens the file (`identity::create_for_caller`).

use std::io::Write;

use crate::domain::money::Money;
use crate::store::settlement as db;
use crate::{Error, Result, clock};

use super::{Detail, Session};

fn csv_err(e: csv::Error) -> Error {
    Error::Db(format!("cannot write the CSV: {e}"))
}

fn shop_time(s: &Session, stamp: &str) -> String {
    let tz: Option<chrono_tz::Tz> = s.settings.timezone.parse().ok();
    match (clock::parse_stamp(stamp), tz) {
        (Ok(t), Some(tz)) => crate::domain::calendar::shop_minute(t, tz),
        _ => stamp.to_string(),
    }
}

pub const STATEMENT_COLUMNS: [&str; 15] = [
    "kind",
    "order",
    "line",
    "sku",
    "title",
    "at",
    "qty",
    "unit_price",
    "goods",
    "shipping",
    "sales",
    "commission_rate_bp",
    "commission_source",
    "commission",
    "charged",
];

/// One statement: a `line` row per order line, a `refund` row per charge,
/// then `fee`, `carried_in` and `payable` rows. Returns the rows written.
pub fn statement_csv<W: Write>(s: &Session, d: &Detail, out: W) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(STATEMENT_COLUMNS).map_err(csv_err)?;
    let m = |v: i64| Money(v).plain();
    let mut n = 0;
    for l in &d.lines {
        w.write_record([
            "line".to_string(),
            l.order_key.clone(),
            l.line_no.to_string(),
            l.sku.clone(),
            l.title.clone(),
            shop_time(s, &l.line.completed_at),
            l.qty.to_string(),
            m(l.unit_price_minor),
            m(l.line.goods_minor),
            m(l.shipping_minor),
            m(l.line.sales_minor),
            l.line.commission_bp.to_string(),
            l.line.commission_source.clone(),
            m(l.line.commission_minor),
            String::new(),
        ])
        .map_err(csv_err)?;
        n += 1;
    }
    for c in &d.charges {
        let mut row = vec![String::new(); STATEMENT_COLUMNS.len()];
        row[0] = "refund".into();
        row[1] = c.order_id.to_string();
        row[4] = format!(
            "ticket {} refund {} of {}",
            c.ticket_id,
            c.refund_id,
            m(c.refund_minor)
        );
        row[5] = shop_time(s, &c.refunded_at);
        row[14] = m(c.amount_minor);
        w.write_record(&row).map_err(csv_err)?;
        n += 1;
    }
    let st = &d.statement;
    for (kind, value) in [
        ("sales", st.sales_minor),
        ("commission", st.commission_minor),
        ("refunds", st.refunds_minor),
        ("fee", st.fee_minor),
        ("carried_in", st.carried_in_minor),
        ("payable", st.payable_minor),
    ] {
        let mut row = vec![String::new(); STATEMENT_COLUMNS.len()];
        row[0] = kind.into();
        row[14] = m(value);
        w.write_record(&row).map_err(csv_err)?;
        n += 1;
    }
    w.flush().map_err(|e| csv_err(e.into()))?;
    Ok(n)
}

pub const BANK_COLUMNS: [&str; 8] = [
    "statement",
    "merchant_code",
    "merchant_name",
    "legal_name",
    "period_from",
    "period_to",
    "amount",
    "currency",
];

/// Every confirmed, unpaid statement with a positive payable (what the
/// bank is to pay out), oldest period first. Returns the rows written.
pub fn bank_csv<W: Write>(s: &Session, out: W) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BANK_COLUMNS).map_err(csv_err)?;
    let mut list = db::list(&s.conn, None, Some("confirmed"))?;
    list.reverse();
    let mut n = 0;
    for l in list.iter().filter(|l| l.statement.payable_minor > 0) {
        let legal = crate::store::merchants::get(&s.conn, l.statement.merchant_id)?
            .map(|m| m.legal_name)
            .unwrap_or_default();
        w.write_record([
            l.statement.id.to_string(),
            l.merchant_code.clone(),
            l.merchant_name.clone(),
            legal,
            l.statement.period_from.clone(),
            l.statement.period_to.clone(),
            Money(l.statement.payable_minor).plain(),
            s.settings.currency.clone(),
        ])
        .map_err(csv_err)?;
        n += 1;
    }
    w.flush().map_err(|e| csv_err(e.into()))?;
    Ok(n)
}
