//! The order pipeline.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{Count, Filter, Page, Paged, Query, Seek, SortKey, StatusFilter};
use crate::Result;
use crate::domain::order::{HoldReason, OrderStatus};
use crate::domain::ticket::TicketStatus;
use crate::store::enums::get as get_enum;

pub const ENTITY: &str = "order";

pub const SORT_KEYS: &[SortKey] = &[
    SortKey {
        name: "placed",
        expr: "o.placed_at",
        nullable: false,
        desc: true,
        index: "orders_placed",
        status_index: Some("orders_status_placed"),
    },
    // "Needs me" for the open statuses and late to ship: the earliest
    // ship-by first, so the latest orders lead (issue 10 item 12).
    SortKey {
        name: "ship by",
        expr: "o.ship_by_at",
        nullable: true,
        desc: false,
        index: "orders_ship_due",
        status_index: Some("orders_status_ship_due"),
    },
    SortKey {
        name: "external id",
        expr: "o.external_id",
        nullable: false,
        desc: false,
        index: "orders_external",
        status_index: None,
    },
    SortKey {
        name: "newest",
        expr: "o.id",
        nullable: false,
        desc: true,
        index: "",
        status_index: None,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub channel: String,
    pub external_id: String,
    pub placed_at: String,
    pub customer_name: String,
    pub merchant_code: String,
    /// Distinct merchants over the order's lines.
    pub merchants: i64,
    pub item_count: i64,
    pub total_minor: i64,
    pub status: OrderStatus,
    pub hold_reason: Option<HoldReason>,
    pub ship_by_at: Option<String>,
    /// The row version when read: an action started from the list acts on
    /// the order as the list showed it.
    pub version: i64,
}

const COLS: &str = "o.id, o.channel, o.external_id, o.placed_at, c.name, m.code, \
     (SELECT count(DISTINCT l.merchant_id) FROM order_lines l WHERE l.order_id = o.id), \
     o.item_count, o.items_minor + o.shipping_minor, o.status, o.hold_reason, o.ship_by_at, o.version";
const JOINS: &str =
    "FROM orders o JOIN customers c ON c.id = o.customer_id JOIN merchants m ON m.id = o.merchant_id";

fn map(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        channel: r.get(1)?,
        external_id: r.get(2)?,
        placed_at: r.get(3)?,
        customer_name: r.get(4)?,
        merchant_code: r.get(5)?,
        merchants: r.get(6)?,
        item_count: r.get(7)?,
        total_minor: r.get(8)?,
        status: get_enum(r, 9, "orders")?,
        hold_reason: get_enum(r, 10, "orders")?,
        ship_by_at: r.get(11)?,
        version: r.get(12)?,
    })
}

/// The text matches the start of the external id (as typed or upper-cased),
/// the start of the customer's name (张 finds 张伟), or with four or more
/// digits the end of the customer's phone, all through indexes.
///
/// The count uses the indexes (a multi-index OR, `for_ids`); pages come
/// from the match list or the index paths (`sources`); the `+` form (which
/// keeps SQLite on the sort index and tests each row) streams exports.
fn filter(q: &Query, for_ids: bool) -> Filter {
    let mut f = status_filter(q);
    if let Some(t) = q.text() {
        f.text = true;
        let terms = super::Terms::of(t);
        let mut conds = Vec::new();
        let mut params = Vec::new();
        let plus = if for_ids { "" } else { "+" };
        for p in &terms.prefixes {
            let (a, b) = super::prefix_range(p);
            conds.push(format!("({plus}o.external_id >= ? AND {plus}o.external_id < ?)"));
            params.extend([a, b]);
        }
        let (a, b) = super::prefix_range(t);
        if for_ids {
            conds.push("o.customer_id IN (SELECT id FROM customers WHERE name >= ? AND name < ?)".into());
        } else {
            // Page walks join customers anyway: test the joined name.
            conds.push("(+c.name >= ? AND +c.name < ?)".into());
        }
        params.extend([a, b]);
        if let Some((tail, like)) = terms.phone_tail() {
            if for_ids {
                conds.push(format!(
                    "o.customer_id IN (SELECT id FROM customers WHERE {})",
                    super::PHONE_TAIL_COND
                ));
            } else {
                conds.push("(+c.phone LIKE ? ESCAPE '\\')".into());
            }
            if for_ids {
                params.push(tail);
            }
            params.push(like);
        }
        f.push(conds.join(" OR "), params);
    }
    f
}

fn status_filter(q: &Query) -> Filter {
    let mut f = Filter::default();
    if let Some(s) = &q.status {
        let (cond, params) = super::order_queues::status_cond(s);
        f.push(cond, params);
        f.status = true;
        f.status_index = super::order_queues::queue_index(s, SORT_KEYS.get(q.sort).map(|k| k.name));
    }
    f
}

/// The index paths to a text filter's matches, each reading the sort key
/// (placed_at) from the index it scans: by order number, by customer name,
/// by phone digits.
fn sources(q: &Query) -> Vec<super::Source> {
    let Some(t) = q.text() else {
        return Vec::new();
    };
    let st = status_filter(q);
    let status = st.conds.first().map_or(String::new(), |c| format!(" AND ({c})"));
    let with_status = |mut params: Vec<Value>| {
        params.extend(st.params.iter().cloned());
        params
    };
    let terms = super::Terms::of(t);
    let mut out = Vec::new();
    for p in &terms.prefixes {
        let (a, b) = super::prefix_range(p);
        out.push(super::Source {
            from_where: format!(
                "FROM orders o INDEXED BY orders_external WHERE o.external_id >= ? AND o.external_id < ?{status}"
            ),
            params: with_status(vec![a, b]),
        });
    }
    let by_customer =
        "FROM customers c JOIN orders o INDEXED BY orders_customer ON o.customer_id = c.id WHERE";
    let (a, b) = super::prefix_range(t);
    out.push(super::Source {
        from_where: format!("{by_customer} c.name >= ? AND c.name < ?{status}"),
        params: with_status(vec![a, b]),
    });
    if let Some((tail, like)) = terms.phone_tail() {
        out.push(super::Source {
            from_where: format!(
                "{by_customer} c.id IN (SELECT id FROM customers WHERE {}){status}",
                super::PHONE_TAIL_COND
            ),
            params: with_status(vec![tail, like]),
        });
    }
    out
}

const TABLE: super::Table = super::Table {
    cols: COLS,
    from: JOINS,
    id_expr: "o.id",
    sort_keys: SORT_KEYS,
};

/// A page: by id from the match list, or for a broad text filter (more
/// than `MATCH_CAP` matches) from its index paths (order number and
/// customer indexes hold placed_at), never a walk of the whole list.
pub fn page(conn: &Connection, q: &Query, seek: &Seek, limit: usize) -> Result<Page<Paged<Row>>> {
    let f = filter(q, false);
    let v = TABLE.view(q, &f);
    if q.text().is_some() && q.matches.is_none() {
        return super::page_probed(conn, &v, q, || Ok(sources(q)), seek, limit, map);
    }
    super::page_for(conn, &v, q, seek, limit, map)
}

/// The count and, for a selective text filter, the matching ids.
pub fn resolve(conn: &Connection, q: &Query) -> Result<super::Resolution> {
    if let (None, Some(StatusFilter::Queue(queue))) = (q.text(), &q.status) {
        let n = super::order_queues::count(conn, queue)?;
        return Ok((Count { n, capped: false }, None));
    }
    let f = filter(q, true);
    super::resolve_from(
        conn,
        ENTITY,
        q,
        &TABLE.view(q, &f),
        "FROM orders o",
        &sources(q),
        q.match_cap(),
    )
}

pub fn stream(conn: &Connection, q: &Query, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64> {
    let filt = filter(q, false);
    super::stream(conn, &TABLE.view(q, &filt), map, f)
}

/// The detail's lines and tracking events are the workflows' own row
/// structs (one per table), read by the same queries.
pub use crate::store::orders::{Line, ShipmentEvent};

/// Tracking events a detail shows at most.
const EVENT_ROWS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    pub id: i64,
    pub kind: String,
    pub status: TicketStatus,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub row: Row,
    pub customer_ref: String,
    pub customer_phone: String,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_address: String,
    pub ship_city: String,
    pub held_from: Option<OrderStatus>,
    pub cancel_reason: Option<String>,
    pub merged_into: Option<i64>,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub weight_g: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    /// (label, time) for paid, approved, shipped, delivered, completed, cancelled, promised.
    pub times: Vec<(&'static str, String)>,
    /// The same as `row.version`.
    pub version: i64,
    pub lines: Vec<Line>,
    pub events: Vec<ShipmentEvent>,
    pub tickets: Vec<TicketRef>,
}

const TIMES: [&str; 7] = [
    "paid",
    "approved",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "promised",
];

pub fn detail(conn: &Connection, id: i64) -> Result<Option<Detail>> {
    let sql = format!(
        "SELECT {COLS}, 0, c.external_ref, c.phone, o.ship_name, o.ship_phone, o.ship_address, o.ship_city, o.held_from,
         o.cancel_reason, o.merged_into, o.items_minor, o.shipping_minor, o.weight_g, o.carrier, o.tracking_no,
         o.paid_at, o.approved_at, o.shipped_at, o.delivered_at, o.completed_at, o.cancelled_at, o.promised_at
         {JOINS} WHERE o.id = ?1"
    );
    let d = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            let mut times = Vec::new();
            for (i, label) in TIMES.iter().enumerate() {
                if let Some(t) = r.get::<_, Option<String>>(28 + i)? {
                    times.push((*label, t));
                }
            }
            let row = map(r)?;
            Ok(Detail {
                version: row.version,
                row,
                customer_ref: r.get(14)?,
                customer_phone: r.get(15)?,
                ship_name: r.get(16)?,
                ship_phone: r.get(17)?,
                ship_address: r.get(18)?,
                ship_city: r.get(19)?,
                held_from: get_enum(r, 20, "orders")?,
                cancel_reason: r.get(21)?,
                merged_into: r.get(22)?,
                items_minor: r.get(23)?,
                shipping_minor: r.get(24)?,
                weight_g: r.get(25)?,
                carrier: r.get(26)?,
                tracking_no: r.get(27)?,
                times,
                lines: Vec::new(),
                events: Vec::new(),
                tickets: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut d) = d else { return Ok(None) };
    d.lines = crate::store::orders::lines(conn, id)?;
    d.events = crate::store::orders::events(conn, id)?;
    d.events.truncate(EVENT_ROWS);
    d.tickets = tickets(conn, id)?;
    Ok(Some(d))
}

/// The first 50 tickets on an order, by id.
pub fn tickets(conn: &Connection, order_id: i64) -> Result<Vec<TicketRef>> {
    crate::store::rows_of(
        conn,
        "SELECT id, kind, status, subject FROM tickets WHERE order_id = ?1 ORDER BY id LIMIT 50",
        order_id,
        |r| {
            Ok(TicketRef {
                id: r.get(0)?,
                kind: r.get(1)?,
                status: get_enum(r, 2, "tickets")?,
                subject: r.get(3)?,
            })
        },
    )
}
