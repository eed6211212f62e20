//! The rollups a generator computes as it makes the orders (it knows each
//! one then), written straight into their tables in key order: the paid
//! order chains, the product sales days and the KPI top lists fed by them.
//! A bulk load would otherwise sum them at the end with a window over a
//! million orders and sorts over millions of lines (large demo: about a
//! minute of CPU). `check` compares each with its definition.

use rusqlite::types::Value;

use super::Load;
use super::batch::Batch;
use crate::Result;

/// A `kpi_paid_orders` row: a paid order, neither cancelled nor merged,
/// and the placing times of its customer's two paid orders before it.
pub struct PaidOrder<'a> {
    pub order_id: i64,
    pub customer_id: i64,
    pub placed_at: &'a str,
    pub prev_at: Option<&'a str>,
    pub prev2_at: Option<&'a str>,
}

/// A `product_sales_days` row.
pub struct SalesDay<'a> {
    pub product_id: i64,
    pub day: &'a str,
    pub units: i64,
    pub revenue_minor: i64,
    pub last_at: &'a str,
}

/// A `kpi_top_months` row.
pub struct TopMonth<'a> {
    pub product_id: i64,
    pub month: &'a str,
    pub units: i64,
    pub revenue_minor: i64,
}

/// A `kpi_group_sales` row: `grp` 'merchant' or 'category', `grain` 'd'
/// or 'm'.
pub struct GroupSales<'a> {
    pub grp: &'a str,
    pub grain: &'a str,
    pub period: &'a str,
    pub key: i64,
    pub units: i64,
    pub revenue_minor: i64,
}

/// The rollup rows not yet written.
pub struct Rollups {
    paid: Batch,
    sales: Batch,
    months: Batch,
    groups: Batch,
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

impl Load<'_> {
    pub fn rollups(&self) -> Rollups {
        Rollups {
            paid: Batch::new(
                "INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)",
                5,
            ),
            sales: Batch::new(
                "INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)",
                5,
            ),
            months: Batch::new(
                "INSERT INTO kpi_top_months (product_id, month, units, revenue_minor)",
                4,
            ),
            groups: Batch::new(
                "INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)",
                6,
            ),
        }
    }

    pub fn paid_order(&self, r: &mut Rollups, p: &PaidOrder<'_>) -> Result<()> {
        r.paid.push(
            self.conn,
            [
                Value::Integer(p.order_id),
                Value::Integer(p.customer_id),
                text(p.placed_at),
                p.prev_at.map_or(Value::Null, text),
                p.prev2_at.map_or(Value::Null, text),
            ],
        )
    }

    pub fn sales_day(&self, r: &mut Rollups, s: &SalesDay<'_>) -> Result<()> {
        r.sales.push(
            self.conn,
            [
                Value::Integer(s.product_id),
                text(s.day),
                Value::Integer(s.units),
                Value::Integer(s.revenue_minor),
                text(s.last_at),
            ],
        )
    }

    pub fn top_month(&self, r: &mut Rollups, m: &TopMonth<'_>) -> Result<()> {
        r.months.push(
            self.conn,
            [
                Value::Integer(m.product_id),
                text(m.month),
                Value::Integer(m.units),
                Value::Integer(m.revenue_minor),
            ],
        )
    }

    pub fn group_sales(&self, r: &mut Rollups, g: &GroupSales<'_>) -> Result<()> {
        r.groups.push(
            self.conn,
            [
                text(g.grp),
                text(g.grain),
                text(g.period),
                Value::Integer(g.key),
                Value::Integer(g.units),
                Value::Integer(g.revenue_minor),
            ],
        )
    }

    /// Writes the rows still buffered.
    pub fn finish_rollups(&self, mut r: Rollups) -> Result<()> {
        r.paid.flush(self.conn)?;
        r.sales.flush(self.conn)?;
        r.months.flush(self.conn)?;
        r.groups.flush(self.conn)
    }

    /// Every product's (id, merchant, category or 0 for none), in id
    /// order: the keys the group rollups sum under (its current ones).
    pub fn product_groups(&self) -> Result<Vec<(i64, i64, i64)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, merchant_id, coalesce(category_id, 0) FROM products ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
