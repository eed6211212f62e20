//! Bulk writes: set secondary indexes and per-row count triggers aside,
//! write, then rebuild them in one pass. Building an index from a sorted
//! scan costs far less than keeping it up to date row by row when the rows
//! arrive in random key order (buyer, merchant, product, time), and a
//! per-row trigger costs a sub-program run per row where one GROUP BY at the
//! end does the same work.
//!
//! Everything happens inside the caller's write transaction, so a rollback
//! (an error, a dry run, SIGKILL) puts the schema back as it was, and other
//! connections never see it without its indexes: they read the last
//! committed schema until the rebuilt one commits.

use rusqlite::Connection;

use crate::Result;

/// Whether a write of `incoming` rows into a table of `existing` rows is
/// cheaper with its indexes rebuilt afterwards. A rebuild reads every row,
/// old and new; keeping an index up to date costs per new row. Measured on
/// `import orders` (benches/import.rs, 2 cores): a rebuild costs about 4 µs
/// per order (its lines and customer included), row-by-row upkeep about
/// 10–20 µs per new order; rebuilding once the write at least doubles the
/// table stays on the safe side of both.
pub fn worth_rebuilding(existing: i64, incoming: usize) -> bool {
    incoming > 0 && i64::try_from(incoming).is_ok_and(|n| n >= existing)
}

/// A trigger that fires once per inserted row, and how to recompute in one
/// pass what it maintains.
#[derive(Debug, Clone, Copy)]
pub struct RowTrigger {
    pub name: &'static str,
    pub rebuild: &'static str,
}

const fn counts(name: &'static str, rebuild: &'static str) -> RowTrigger {
    RowTrigger { name, rebuild }
}

pub const MERCHANT_COUNTS: RowTrigger = counts(
    "merchants_count_ai",
    "DELETE FROM status_counts WHERE entity = 'merchant';
     INSERT INTO status_counts (entity, status, n) SELECT 'merchant', status, count(*) FROM merchants GROUP BY status;",
);
pub const PRODUCT_COUNTS: RowTrigger = counts(
    "products_count_ai",
    "DELETE FROM status_counts WHERE entity = 'product';
     INSERT INTO status_counts (entity, status, n) SELECT 'product', status, count(*) FROM products GROUP BY status;",
);
pub const ORDER_COUNTS: RowTrigger = counts(
    "orders_count_ai",
    "DELETE FROM status_counts WHERE entity = 'order';
     INSERT INTO status_counts (entity, status, n) SELECT 'order', status, count(*) FROM orders GROUP BY status;",
);
pub const TICKET_COUNTS: RowTrigger = counts(
    "tickets_count_ai",
    "DELETE FROM status_counts WHERE entity = 'ticket';
     INSERT INTO status_counts (entity, status, n) SELECT 'ticket', status, count(*) FROM tickets GROUP BY status;",
);
/// Each ticket's copies of its order's number and customer's name (schema
/// 17): the seed writes them as it inserts; the fill after mends any it
/// could not (an order inserted after its ticket).
pub const TICKET_REFS: RowTrigger = counts("tickets_refs_ai", super::migrate::v17::FILL);
/// The order columns of `kpi_order_facts` summed per hour (the view's
/// review and refund subqueries are not evaluated: the flattened view only
/// computes the columns a query names).
macro_rules! kpi_own_sums {
    () => {
        "INSERT INTO kpi_hours (hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor,
             delivered_orders, delivery_secs, promised_delivered, late_delivered)
         SELECT hour, sum(orders), sum(paid_orders), sum(cancelled_orders), sum(gmv_minor), sum(shipping_minor),
             sum(delivered_orders), sum(delivery_secs), sum(promised_delivered), sum(late_delivered)
         FROM kpi_order_facts"
    };
}
/// The KPI rollups (`kpi_hours`), summed once: the orders' own columns from
/// the view, then reviews and ticket refunds grouped by their order's hour
/// and added (a join of grouped rows instead of four lookups per order;
/// `check` compares the result with the view row by row).
pub const KPI_REBUILD: &str = concat!(
    "DELETE FROM kpi_hours;",
    kpi_own_sums!(),
    " GROUP BY hour;
     INSERT INTO kpi_hours (hour, reviews, review_score, negative_reviews)
     SELECT substr(o.placed_at, 1, 13) AS h, count(*), sum(v.score), sum(v.score <= 2)
     FROM reviews v JOIN orders o ON o.id = v.order_id WHERE o.status <> 'merged' GROUP BY h
     ON CONFLICT (hour) DO UPDATE SET reviews = reviews + excluded.reviews,
         review_score = review_score + excluded.review_score,
         negative_reviews = negative_reviews + excluded.negative_reviews;
     INSERT INTO kpi_hours (hour, refund_minor)
     SELECT substr(o.placed_at, 1, 13) AS h, sum(r.amount_minor)
     FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.status <> 'merged' AND r.ticket_id IS NOT NULL GROUP BY h
     ON CONFLICT (hour) DO UPDATE SET refund_minor = refund_minor + excluded.refund_minor;"
);
/// The paid-order chains (`kpi_paid_orders`), from one window over the
/// orders, written in order id order (the table's key: appended instead of
/// inserted at random, 12.5 s against 15.6 s on the large demo).
pub const CHAIN_REBUILD: &str = "DELETE FROM kpi_paid_orders;
     INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
     SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain ORDER BY order_id;";

/// Recomputes the chains of the customers that existed before this
/// transaction (ids below `first_new_customer`) and have one of the orders
/// `first..=last`, all created in it: what `orders_chain_ai` and the
/// chain-day triggers do row by row, once for a batch (an import, with
/// `NEW_ORDER_KPIS` set aside). The import's own sums
/// (`store::import::rollups`) add the orders' KPI and sales shares and the
/// chains of the customers it created.
pub fn rechain_existing_customers(
    tx: &Connection,
    first: i64,
    last: i64,
    first_new_customer: i64,
) -> Result<()> {
    // The customers first (each with a handful of orders), then their
    // chains through the orders' customer index.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS kpi_touched (customer_id INTEGER PRIMARY KEY);
         DELETE FROM kpi_touched;",
    )?;
    let touched = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO kpi_touched (customer_id)
             SELECT customer_id FROM orders WHERE id BETWEEN ?1 AND ?2 AND customer_id < ?3
                 AND paid_at IS NOT NULL AND status NOT IN ('cancelled', 'merged')",
        )?
        .execute([first, last, first_new_customer])?;
    if touched == 0 {
        return Ok(());
    }
    super::kpi_chain::touched_chain_days(tx, -1)?;
    // The window of `kpi_paid_chain` over the touched customers' orders
    // only: SQLite does not push an IN filter into a window view, and the
    // view filtered from outside would order every order of the shop.
    // `check` (chain_differences) compares the result with the view.
    tx.execute_batch(
        "DELETE FROM kpi_paid_orders WHERE customer_id IN (SELECT customer_id FROM kpi_touched);
         INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
         SELECT id, customer_id, placed_at, lag(placed_at, 1) OVER w, lag(placed_at, 2) OVER w
         FROM orders WHERE customer_id IN (SELECT customer_id FROM kpi_touched)
             AND paid_at IS NOT NULL AND status NOT IN ('cancelled', 'merged')
         WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at, id);",
    )?;
    super::kpi_chain::touched_chain_days(tx, 1)?;
    tx.execute_batch("DELETE FROM kpi_touched;")?;
    Ok(())
}

/// New orders' KPI shares and paid-order chains; an import writes orders only.
pub const ORDER_KPIS: [RowTrigger; 2] = [
    RowTrigger {
        name: "orders_kpi_ai",
        rebuild: KPI_REBUILD,
    },
    RowTrigger {
        name: "orders_chain_ai",
        rebuild: CHAIN_REBUILD,
    },
];
/// The same two triggers set aside with nothing rebuilt: an import sums
/// its new orders' shares itself (`store::import::rollups`) and
/// recomputes existing customers' chains (`rechain_existing_customers`).
pub const NEW_ORDER_KPIS: [RowTrigger; 8] = [
    aside("orders_kpi_ai"),
    // The product sales rollup's line trigger: one upsert per line, where
    // the import sums per product and day once; and the top lists' triggers
    // on those rows, which the import's sums feed directly.
    aside("product_sales_line_ai"),
    aside("kpi_tops_sales_ai"),
    aside("kpi_tops_sales_au"),
    aside("orders_chain_ai"),
    aside("kpi_paid_orders_ai"),
    aside("kpi_paid_orders_ad"),
    aside("kpi_paid_orders_au"),
];
const fn aside(name: &'static str) -> RowTrigger {
    RowTrigger { name, rebuild: "" }
}
/// Every KPI trigger, for a load that also updates orders and writes
/// reviews and refunds with their indexes set aside (the demo): a trigger
/// left in place would look each row's reviews up without an index. Set
/// aside together, summed once at the end.
pub const ALL_KPIS: [RowTrigger; 16] = [
    aside("orders_kpi_bu"),
    aside("orders_kpi_au"),
    aside("orders_kpi_bd"),
    aside("reviews_kpi_ai"),
    aside("reviews_kpi_ad"),
    aside("reviews_kpi_au"),
    aside("refunds_kpi_ai"),
    aside("refunds_kpi_ad"),
    aside("refunds_kpi_au"),
    aside("orders_chain_au"),
    aside("orders_chain_ad"),
    ORDER_KPIS[0],
    ORDER_KPIS[1],
    // After the chains are rebuilt (restore goes in this order), or their
    // triggers would fire for every chain row.
    aside("kpi_paid_orders_ad"),
    aside("kpi_paid_orders_au"),
    RowTrigger {
        name: "kpi_paid_orders_ai",
        rebuild: super::kpi_chain::CHAIN_DAYS_REBUILD,
    },
];
/// The refund cap (schema.sql `refunds_within_paid`) sums an order's
/// refunds by index; a load that sets that index aside (the demo) sets the
/// trigger aside too, or each refund would scan every refund before it
/// (106,771 refunds in the large demo: minutes). What the demo writes
/// stays within it by construction, and `check` ("refunds") verifies it.
pub const REFUND_CAP: RowTrigger = aside("refunds_within_paid");
/// The product sales rollup's triggers (`store::products::sales`): set
/// aside by a load that writes orders and lines in bulk, the rollup summed
/// once at the end (the last entry carries the rebuild, so it runs once).
///
/// The KPI top-list rollups (`store::kpi_tops`), fed by the product sales
/// rows, go aside with them and are summed after them.
pub const PRODUCT_SALES: [RowTrigger; 10] = [
    aside("product_sales_line_bd"),
    aside("product_sales_line_bu"),
    aside("product_sales_line_au"),
    aside("product_sales_order_bu"),
    aside("product_sales_order_au"),
    aside("kpi_tops_sales_ad"),
    aside("kpi_tops_sales_au"),
    aside("kpi_tops_products_au"),
    RowTrigger {
        name: "product_sales_line_ai",
        rebuild: super::products::sales::REBUILD,
    },
    RowTrigger {
        name: "kpi_tops_sales_ai",
        rebuild: super::kpi_tops::REBUILD,
    },
];
/// The ticket first-response rollup's triggers (`store::kpi_tickets`): a
/// load that writes tickets and messages with their indexes set aside (the
/// demo) sets them aside too, or each message would look its ticket's
/// replies up without an index; summed once after the indexes are back.
pub const TICKET_KPIS: [RowTrigger; 10] = [
    aside("kpi_tickets_bu"),
    aside("kpi_tickets_au"),
    aside("kpi_tickets_bd"),
    aside("kpi_replies_bi"),
    aside("kpi_replies_ai"),
    aside("kpi_replies_bu"),
    aside("kpi_replies_au"),
    aside("kpi_replies_bd"),
    aside("kpi_replies_ad"),
    RowTrigger {
        name: "kpi_tickets_ai",
        rebuild: super::kpi_tickets::REBUILD,
    },
];
/// The ticket count rollups' triggers: set aside with the tickets'
/// indexes (the demo) and summed once after.
pub const TICKET_KPI_COUNTS: [RowTrigger; 6] = [
    aside("kpi_ticket_opened_bu"),
    aside("kpi_ticket_opened_au"),
    aside("kpi_ticket_resolved_bu"),
    aside("kpi_ticket_resolved_au"),
    aside("kpi_ticket_counts_bd"),
    RowTrigger {
        name: "kpi_ticket_counts_ai",
        rebuild: super::kpi_tickets::COUNTS_REBUILD,
    },
];
pub const PRODUCT_SEARCH: RowTrigger = RowTrigger {
    name: "products_fts_ai",
    rebuild: "INSERT INTO products_fts (products_fts) VALUES ('rebuild');",
};
/// `WITH` clause naming every product's title pairs `title_pairs (bigram,
/// product_id)`: the pairs the `products_bigrams` triggers write
/// (schema.sql), for the rebuild and for `check`.
macro_rules! title_pairs {
    () => {
        // Positions joined once to every title: cheaper than a recursive
        // walk per title. Pairs repeat where a title repeats one.
        "WITH RECURSIVE n (n) AS (
             SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < (SELECT max(length(title)) FROM products) - 1),
         title_pairs (bigram, product_id) AS (
             SELECT b, id FROM (SELECT lower(substr(p.title, n.n, 2)) AS b, p.id AS id FROM products p JOIN n ON n.n < length(p.title))
             WHERE length(b) = 2 AND instr(b, ' ') = 0)"
    };
}
pub const TITLE_PAIRS: &str = title_pairs!();
/// The two-character title index from every title in one sorted pass.
pub const BIGRAMS_REBUILD: &str = concat!(
    "DELETE FROM products_bigrams; INSERT OR IGNORE INTO products_bigrams (bigram, product_id) ",
    title_pairs!(),
    " SELECT bigram, product_id FROM title_pairs ORDER BY 1, 2;"
);
pub const PRODUCT_BIGRAMS: RowTrigger = RowTrigger {
    name: "products_bigrams_ai",
    rebuild: BIGRAMS_REBUILD,
};

/// What `set_aside` took away, for `restore` to put back.
#[must_use = "restore the indexes and triggers before commit"]
pub struct SetAside {
    /// `CREATE INDEX` statements as the file had them, in name order.
    indexes: Vec<String>,
    triggers: Vec<RowTrigger>,
}

/// Drops the secondary indexes of `tables` (not the UNIQUE constraints:
/// those keep checking every row) and the given triggers.
pub fn set_aside(tx: &Connection, tables: &[&str], triggers: &[RowTrigger]) -> Result<SetAside> {
    for t in triggers {
        tx.execute_batch(&format!("DROP TRIGGER \"{}\";", t.name))?;
    }
    let mut indexes = Vec::new();
    for table in tables {
        let list: Vec<(String, String)> = tx
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = ?1 ORDER BY name",
            )?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sql) in list {
            tx.execute_batch(&format!("DROP INDEX \"{name}\";"))?;
            indexes.push(format!("{sql};"));
        }
    }
    Ok(SetAside {
        indexes,
        triggers: triggers.to_vec(),
    })
}

/// Runs one rebuild step and logs how long it took (the demo's and a large
/// import's phase timings; `SHOPDESK_LOG=info`, the default).
fn timed(what: &str, f: impl FnOnce() -> rusqlite::Result<()>) -> Result<()> {
    let started = std::time::Instant::now();
    f()?;
    let name: String = what.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    tracing::info!("rebuilt {name} in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}

impl SetAside {
    /// Rebuilds the indexes, then recomputes what the triggers maintain and
    /// puts them back exactly as schema.sql has them. Indexes first: the
    /// KPI rebuild looks up each order's reviews and refunds by index.
    pub fn restore(self, tx: &Connection) -> Result<()> {
        for sql in &self.indexes {
            timed(sql, || tx.execute_batch(sql))?;
        }
        for t in &self.triggers {
            if !t.rebuild.is_empty() {
                timed(t.name, || tx.execute_batch(t.rebuild))?;
            }
            tx.execute_batch(super::schema_statement("TRIGGER", t.name)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(conn: &Connection) -> Vec<(String, Option<String>)> {
        conn.prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn rebuild_only_when_the_write_at_least_doubles_the_table() {
        assert!(worth_rebuilding(0, 100_000));
        assert!(worth_rebuilding(100_000, 100_000));
        assert!(!worth_rebuilding(1_000_000, 5_000));
        assert!(!worth_rebuilding(0, 0));
    }

    #[test]
    fn every_trigger_is_in_the_schema() {
        for t in [
            MERCHANT_COUNTS,
            PRODUCT_COUNTS,
            ORDER_COUNTS,
            TICKET_COUNTS,
            TICKET_REFS,
            PRODUCT_SEARCH,
            PRODUCT_BIGRAMS,
        ]
        .into_iter()
        .chain(ALL_KPIS)
        .chain(PRODUCT_SALES)
        .chain(TICKET_KPIS)
        .chain(TICKET_KPI_COUNTS)
        {
            let sql = crate::store::schema_statement("TRIGGER", t.name).unwrap();
            assert!(sql.starts_with(&format!("CREATE TRIGGER {} ", t.name)));
            assert!(sql.ends_with("END;"));
        }
    }

    #[test]
    fn restore_gives_back_the_same_schema_and_counts() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::SCHEMA).unwrap();
        let before = schema_of(&conn);
        let aside = set_aside(&conn, &["orders", "customers"], &[ORDER_COUNTS]).unwrap();
        let during = schema_of(&conn);
        assert!(
            during.len() < before.len(),
            "indexes and the trigger were dropped"
        );
        assert!(
            during
                .iter()
                .all(|(n, _)| n != "orders_placed" && n != "orders_count_ai")
        );
        // The UNIQUE constraints stay.
        assert!(during.iter().any(|(n, _)| n == "sqlite_autoindex_orders_1"));
        aside.restore(&conn).unwrap();
        assert_eq!(schema_of(&conn), before);
    }
}
