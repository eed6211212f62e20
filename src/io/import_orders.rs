//! orders.csv (SPEC §7): one row per order line; the order's own fields repeat
//! on every line and must agree. This module parses rows, checks each order
//! on its own and groups lines by (channel, external_id). Resolving SKUs and
//! writing are the workflow layer's job.

use std::path::Path;
use std::sync::mpsc::SyncSender;

use chrono::{DateTime, Utc};

use super::csv_in::{self, Column, CsvIn, FieldResult, Problem, ReadOptions, Row, opt, req};
use crate::domain::limits::TextKind;
use crate::domain::order::{self, OrderStatus};

mod group;

pub use group::{Draft, Grouper};

pub const COLUMNS: &[Column] = &[
    req("channel").kind(TextKind::Token),
    req("external_id").kind(TextKind::Token),
    req("placed_at"),
    req("status"),
    req("customer_ref").kind(TextKind::Token),
    opt("customer_name"),
    opt("customer_phone").kind(TextKind::Phone),
    opt("ship_address"),
    opt("ship_city"),
    req("merchant_code").kind(TextKind::Token),
    req("sku").kind(TextKind::Token),
    req("qty").kind(TextKind::Number),
    req("unit_price").kind(TextKind::Number),
    opt("shipping_fee").kind(TextKind::Number),
    opt("paid_at"),
    opt("shipped_at"),
    opt("delivered_at"),
    opt("promised_at"),
    opt("carrier"),
    opt("tracking_no").kind(TextKind::Token),
];

const CHANNEL: usize = 0;
const EXTERNAL_ID: usize = 1;
const PLACED_AT: usize = 2;
const STATUS: usize = 3;
const CUSTOMER_REF: usize = 4;
const CUSTOMER_NAME: usize = 5;
const CUSTOMER_PHONE: usize = 6;
const SHIP_ADDRESS: usize = 7;
const SHIP_CITY: usize = 8;
const MERCHANT_CODE: usize = 9;
const SKU: usize = 10;
const QTY: usize = 11;
const UNIT_PRICE: usize = 12;
const SHIPPING_FEE: usize = 13;
const PAID_AT: usize = 14;
const SHIPPED_AT: usize = 15;
const DELIVERED_AT: usize = 16;
const PROMISED_AT: usize = 17;
const CARRIER: usize = 18;
const TRACKING_NO: usize = 19;

/// The status an order arrives in. `on_hold` and `merged` are shopdesk's own
/// states, not a channel's, and are refused.
pub fn parse_status(v: &str) -> FieldResult<OrderStatus> {
    let s: OrderStatus = v.parse().map_err(|e: crate::domain::Refusal| e.to_string())?;
    match s {
        OrderStatus::OnHold | OrderStatus::Merged => Err(format!(
            "{v:?} is shopdesk's own state and cannot be imported; give the channel's status (paid, shipped, ...)"
        )),
        s => Ok(s),
    }
}

/// Open orders hold stock: importing one reserves its lines.
pub fn is_open(status: OrderStatus) -> bool {
    order::holds_stock(status, None)
}

fn is_shipped(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Completed
    )
}

/// The fields of an order, as repeated on each of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub channel: String,
    pub external_id: String,
    pub placed_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub customer_ref: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub promised_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
}

impl Head {
    /// `channel:external_id`, how reports name an order.
    pub fn label(&self) -> String {
        format!("{}:{}", self.channel, self.external_id)
    }
}

/// One line as written in the file, before its SKU is resolved.
#[derive(Debug, Clone)]
pub struct LineIn {
    pub line: u64,
    pub merchant_code: String,
    pub sku: String,
    pub qty: i64,
    pub unit_price: i64,
    pub shipping: i64,
}

/// A resolved product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductRef {
    pub product_id: i64,
    pub merchant_id: i64,
}

/// A line whose product is known.
#[derive(Debug, Clone)]
pub struct Line {
    pub line: u64,
    pub sku: String,
    pub merchant_code: String,
    pub product: ProductRef,
    pub qty: i64,
    pub unit_price: i64,
    pub shipping: i64,
}

/// The key an order is grouped by, when the row has one.
pub fn key_of(row: &Row<'_>) -> Option<(String, String)> {
    let (c, e) = (row.get(CHANNEL), row.get(EXTERNAL_ID));
    (!c.is_empty() && !e.is_empty()).then(|| (c.to_string(), e.to_string()))
}

/// Parses one row; every field problem of the row is reported, not only the first.
pub fn parse_row(row: &Row<'_>, tz: chrono_tz::Tz) -> Result<(Head, LineIn), Vec<Problem>> {
    let line = row.line;
    let mut problems = Vec::new();
    let mut take = |col: usize, r: FieldResult<()>| {
        if let Err(p) = r {
            problems.push(Problem::new(line, COLUMNS[col].name, p));
        }
    };
    let text = |col: usize| row.get(col).to_string();
    let opt_text = |col: usize| csv_in::optional(row.get(col)).map(str::to_string);

    let mut placed_at = DateTime::<Utc>::UNIX_EPOCH;
    let mut status = OrderStatus::PendingPayment;
    let mut times = [None; 4];
    let (mut qty, mut unit_price, mut shipping) = (0, 0, 0);
    for col in [CHANNEL, EXTERNAL_ID, CUSTOMER_REF, MERCHANT_CODE, SKU] {
        take(col, csv_in::required(row.get(col)).map(|_| ()));
    }
    take(
        PLACED_AT,
        csv_in::required(row.get(PLACED_AT))
            .and_then(|v| csv_in::time(v, tz))
            .map(|t| placed_at = t),
    );
    take(
        STATUS,
        csv_in::required(row.get(STATUS))
            .and_then(parse_status)
            .map(|s| status = s),
    );
    for (k, col) in [PAID_AT, SHIPPED_AT, DELIVERED_AT, PROMISED_AT]
        .into_iter()
        .enumerate()
    {
        take(col, csv_in::opt_time(row.get(col), tz).map(|t| times[k] = t));
    }
    take(
        QTY,
        csv_in::required(row.get(QTY))
            .and_then(|v| csv_in::int(v, 1, 1_000_000))
            .map(|n| qty = n),
    );
    take(
        UNIT_PRICE,
        csv_in::required(row.get(UNIT_PRICE))
            .and_then(csv_in::money)
            .map(|m| unit_price = m),
    );
    take(
        SHIPPING_FEE,
        csv_in::optional(row.get(SHIPPING_FEE))
            .map_or(Ok(0), csv_in::money)
            .map(|m| shipping = m),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let head = Head {
        channel: text(CHANNEL),
        external_id: text(EXTERNAL_ID),
        placed_at,
        status,
        customer_ref: text(CUSTOMER_REF),
        customer_name: text(CUSTOMER_NAME),
        customer_phone: text(CUSTOMER_PHONE),
        ship_address: text(SHIP_ADDRESS),
        ship_city: text(SHIP_CITY),
        paid_at: times[0],
        shipped_at: times[1],
        delivered_at: times[2],
        promised_at: times[3],
        carrier: opt_text(CARRIER),
        tracking_no: opt_text(TRACKING_NO),
    };
    let line_in = LineIn {
        line,
        merchant_code: text(MERCHANT_CODE),
        sku: text(SKU),
        qty,
        unit_price,
        shipping,
    };
    Ok((head, line_in))
}

/// The columns of an order's own fields (repeated on each of its lines).
const HEAD_COLUMNS: [usize; 15] = [
    CHANNEL,
    EXTERNAL_ID,
    PLACED_AT,
    STATUS,
    CUSTOMER_REF,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    SHIP_ADDRESS,
    SHIP_CITY,
    PAID_AT,
    SHIPPED_AT,
    DELIVERED_AT,
    PROMISED_AT,
    CARRIER,
    TRACKING_NO,
];

/// Parses the line fields of a row whose order fields are, to the byte,
/// those of the row before it (which parsed): only these can be wrong.
/// Problems come in the order `parse_row` gives them.
pub fn parse_line(row: &Row<'_>) -> Result<LineIn, Vec<Problem>> {
    let line = row.line;
    let mut problems = Vec::new();
    let mut take = |col: usize, r: FieldResult<()>| {
        if let Err(p) = r {
            problems.push(Problem::new(line, COLUMNS[col].name, p));
        }
    };
    let (mut qty, mut unit_price, mut shipping) = (0, 0, 0);
    for col in [MERCHANT_CODE, SKU] {
        take(col, csv_in::required(row.get(col)).map(|_| ()));
    }
    take(
        QTY,
        csv_in::required(row.get(QTY))
            .and_then(|v| csv_in::int(v, 1, 1_000_000))
            .map(|n| qty = n),
    );
    take(
        UNIT_PRICE,
        csv_in::required(row.get(UNIT_PRICE))
            .and_then(csv_in::money)
            .map(|m| unit_price = m),
    );
    take(
        SHIPPING_FEE,
        csv_in::optional(row.get(SHIPPING_FEE))
            .map_or(Ok(0), csv_in::money)
            .map(|m| shipping = m),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LineIn {
        line,
        merchant_code: row.get(MERCHANT_CODE).to_string(),
        sku: row.get(SKU).to_string(),
        qty,
        unit_price,
        shipping,
    })
}

/// The order fields of the last row that parsed, as text, so the next
/// line of the same order is not parsed (and its strings not copied)
/// again. The buffers are reused.
#[derive(Default)]
struct LastHead {
    fields: Vec<String>,
    valid: bool,
}

impl LastHead {
    fn same(&self, row: &Row<'_>) -> bool {
        self.valid
            && HEAD_COLUMNS
                .iter()
                .zip(&self.fields)
                .all(|(&col, f)| row.get(col) == f.as_str())
    }

    fn remember(&mut self, row: &Row<'_>) {
        self.fields.resize(HEAD_COLUMNS.len(), String::new());
        for (&col, f) in HEAD_COLUMNS.iter().zip(self.fields.iter_mut()) {
            f.clear();
            f.push_str(row.get(col));
        }
        self.valid = true;
    }
}

/// A row read and checked on its own, before its SKU is resolved.
#[derive(Debug)]
pub struct Parsed {
    pub line: u64,
    /// The order a bad row belongs to, when it names one (good rows carry
    /// it in their head).
    pub key: Option<(String, String)>,
    /// The head is None when the row's order fields are exactly those of
    /// the row before it in the file, which parsed: the same order, with
    /// nothing to check or compare again.
    pub row: Result<(Option<Head>, LineIn), Vec<Problem>>,
}

/// Rows per message from `parse_file`. Large: on a busy machine every
/// hand-over between the two threads may wait for a core (512-row chunks
/// left both threads idle for a third of the reading phase).
const CHUNK: usize = 4096;

/// A message from `parse_file`: rows in file order, and the bytes of the
/// file read by the time they were.
#[derive(Debug)]
pub struct Chunk {
    pub rows: Vec<Parsed>,
    pub bytes: u64,
}

/// Reads and parses `file`, sending its rows in order, in chunks. Stops at
/// the first read error (which it sends) or when the receiver hangs up.
/// Runs on its own thread while the caller resolves and groups what it sent.
/// Returns the file's SHA-256 when it read the whole file.
pub fn parse_file(
    file: &Path,
    opts: ReadOptions,
    tz: chrono_tz::Tz,
    send: &SyncSender<crate::Result<Chunk>>,
) -> Option<[u8; 32]> {
    let mut csv = match CsvIn::open(file, COLUMNS, opts) {
        Ok(c) => c,
        Err(e) => {
            let _ = send.send(Err(e));
            return None;
        }
    };
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut last = LastHead::default();
    loop {
        let row = match csv.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                let _ = send.send(Err(e));
                return None;
            }
        };
        let parsed = match row.problem() {
            Some(p) => Err(vec![p]),
            None if last.same(&row) => parse_line(&row).map(|l| (None, l)),
            None => parse_row(&row, tz).map(|(h, l)| (Some(h), l)),
        };
        match &parsed {
            Ok((Some(_), _)) => last.remember(&row),
            Ok((None, _)) => {}
            Err(_) => last.valid = false,
        }
        chunk.push(Parsed {
            line: row.line,
            key: parsed.is_err().then(|| key_of(&row)).flatten(),
            row: parsed,
        });
        if chunk.len() == CHUNK {
            let full = Chunk {
                rows: std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)),
                bytes: csv.bytes_read(),
            };
            if send.send(Ok(full)).is_err() {
                return None;
            }
        }
    }
    let sha = csv.sha256();
    if !chunk.is_empty() {
        let last = Chunk {
            rows: chunk,
            bytes: csv.bytes_read(),
        };
        if send.send(Ok(last)).is_err() {
            return None;
        }
    }
    Some(sha)
}

/// Rules an order must satisfy on its own: the times its status implies, in order.
pub fn check_head(h: &Head, line: u64) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut need = |ok: bool, col: &str, msg: &str| {
        if !ok {
            out.push(Problem::new(line, col, msg.replace("{s}", h.status.as_str())));
        }
    };
    let s = h.status;
    let paid_needed = is_open(s) || is_shipped(s);
    need(
        !paid_needed || h.paid_at.is_some(),
        "paid_at",
        "is required for a {s} order",
    );
    need(
        s != OrderStatus::PendingPayment || h.paid_at.is_none(),
        "paid_at",
        "is set but the order is pending_payment",
    );
    need(
        !is_shipped(s) || h.shipped_at.is_some(),
        "shipped_at",
        "is required for a {s} order",
    );
    need(
        is_shipped(s) || h.shipped_at.is_none(),
        "shipped_at",
        "is set but the order is {s} (not shipped)",
    );
    need(
        !is_shipped(s) || h.carrier.is_some(),
        "carrier",
        "is required for a {s} order",
    );
    need(
        !is_shipped(s) || h.tracking_no.is_some(),
        "tracking_no",
        "is required for a {s} order",
    );
    let delivered = matches!(s, OrderStatus::Delivered | OrderStatus::Completed);
    need(
        !delivered || h.delivered_at.is_some(),
        "delivered_at",
        "is required for a {s} order",
    );
    need(
        delivered || h.delivered_at.is_none(),
        "delivered_at",
        "is set but the order is {s} (not delivered)",
    );
    let before = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    };
    need(
        before(Some(h.placed_at), h.paid_at),
        "paid_at",
        "is before placed_at",
    );
    need(before(h.paid_at, h.shipped_at), "shipped_at", "is before paid_at");
    need(
        before(h.shipped_at, h.delivered_at),
        "delivered_at",
        "is before shipped_at",
    );
    out
}

/// The ship-by deadline: paid time plus the shop's ship-by hours.
pub fn ship_by(h: &Head, ship_by_hours: i64) -> Option<DateTime<Utc>> {
    h.paid_at.map(|p| order::ship_by(p, ship_by_hours))
}

/// Where two lines of one order say different things: (column, first, other).
pub fn disagreements(first: &Head, other: &Head) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    if first == other {
        return out;
    }
    let t = |v: &Option<DateTime<Utc>>| v.map(crate::clock::stamp).unwrap_or_default();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    macro_rules! cmp {
        ($col:literal, $field:ident, $show:expr) => {
            if first.$field != other.$field {
                out.push(($col, $show(&first.$field), $show(&other.$field)));
            }
        };
    }
    cmp!("placed_at", placed_at, |v: &DateTime<Utc>| crate::clock::stamp(
        *v
    ));
    cmp!("status", status, |v: &OrderStatus| v.to_string());
    cmp!("customer_ref", customer_ref, String::clone);
    cmp!("customer_name", customer_name, String::clone);
    cmp!("customer_phone", customer_phone, String::clone);
    cmp!("ship_address", ship_address, String::clone);
    cmp!("ship_city", ship_city, String::clone);
    cmp!("paid_at", paid_at, t);
    cmp!("shipped_at", shipped_at, t);
    cmp!("delivered_at", delivered_at, t);
    cmp!("promised_at", promised_at, t);
    cmp!("carrier", carrier, o);
    cmp!("tracking_no", tracking_no, o);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: OrderStatus) -> Head {
        let t = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        Head {
            channel: "TM".into(),
            external_id: "1".into(),
            placed_at: "2026-11-01T00:00:00Z".parse().unwrap(),
            status,
            customer_ref: "c1".into(),
            customer_name: String::new(),
            customer_phone: String::new(),
            ship_address: String::new(),
            ship_city: String::new(),
            paid_at: t("2026-11-01T01:00:00Z"),
            shipped_at: None,
            delivered_at: None,
            promised_at: None,
            carrier: None,
            tracking_no: None,
        }
    }

    #[test]
    fn status_implies_times() {
        assert!(check_head(&head(OrderStatus::Paid), 2).is_empty());
        let p = check_head(&head(OrderStatus::Shipped), 7);
        let cols: Vec<_> = p.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(cols, ["shipped_at", "carrier", "tracking_no"]);
        assert_eq!(
            p[0].render("o.csv"),
            "o.csv:7: shipped_at: is required for a shipped order"
        );
        let mut h = head(OrderStatus::PendingPayment);
        assert_eq!(check_head(&h, 1).len(), 1);
        h.paid_at = None;
        assert!(check_head(&h, 1).is_empty());
    }

    #[test]
    fn a_line_repeating_the_order_fields_of_the_line_before_carries_no_head() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("o.csv");
        let row = |id: &str, city: &str, sku: &str| {
            format!(
                "TM,{id},2026-11-01 10:00:00,paid,c1,Li,138,addr,{city},M1,{sku},1,5.00,,2026-11-01 10:05:00,,,,,\n"
            )
        };
        let header = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price,shipping_fee,paid_at,shipped_at,delivered_at,promised_at,carrier,tracking_no\n";
        let text = [
            header.to_string(),
            row("1", "HZ", "A"),
            // The same order fields: no head.
            row("1", "HZ", "B"),
            // A field differs: its own head.
            row("1", "SH", "C"),
            row("2", "SH", "A").replace(",1,5.00,", ",0,5.00,"),
            // After a bad row: its own head.
            row("2", "SH", "B"),
            // The same head, a bad line field.
            row("2", "SH", "B").replace(",1,5.00,", ",x,5.00,"),
        ]
        .concat();
        std::fs::write(&f, text).unwrap();
        let (send, recv) = std::sync::mpsc::sync_channel(4);
        let sha = parse_file(&f, ReadOptions::default(), chrono_tz::Asia::Shanghai, &send);
        drop(send);
        assert!(sha.is_some());
        let rows: Vec<Parsed> = recv.into_iter().flat_map(|c| c.unwrap().rows).collect();
        let shape: Vec<&str> = rows
            .iter()
            .map(|p| match &p.row {
                Ok((Some(_), _)) => "head",
                Ok((None, _)) => "same",
                Err(_) => "bad",
            })
            .collect();
        assert_eq!(shape, ["head", "same", "head", "bad", "head", "bad"]);
        let Err(ps) = &rows[5].row else { unreachable!() };
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].column, "qty");
        assert_eq!(rows[5].key, Some(("TM".into(), "2".into())));
    }

    #[test]
    fn disagreement_names_the_field() {
        let a = head(OrderStatus::Paid);
        let mut b = head(OrderStatus::Paid);
        b.ship_city = "Hangzhou".into();
        let d = disagreements(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "ship_city");
    }
}
