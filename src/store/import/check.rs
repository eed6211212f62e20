//! The `imported orders` check of `shopdesk check`: every order that names
//! an import names one that exists, and every import has its audit row and
//! exactly the orders it says it created. (An import audits itself once, so
//! these links are what ties an imported order to the audit log.)

use std::collections::BTreeMap;
use std::time::Duration;

use rusqlite::Connection;

use crate::Result;
use crate::store::check::CheckResult;

/// Listing this many problems is enough to act on.
const MAX_PROBLEMS: usize = 20;

/// (orders naming it, lowest id, highest id) per import id.
type Named = BTreeMap<i64, (i64, i64, i64)>;

pub fn imported_orders(conn: &Connection) -> Result<CheckResult> {
    // One pass over orders in storage order (there is no index on
    // import_id: imports never look orders up by it).
    let named: Named = conn
        .prepare(
            "SELECT import_id, count(*), min(id), max(id) FROM orders NOT INDEXED
             WHERE import_id IS NOT NULL GROUP BY import_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut problems = Vec::new();
    let mut st = conn.prepare(
        "SELECT i.id, i.file_name, i.orders_new, i.first_order_id, i.last_order_id,
                EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'import' AND a.entity_id = i.id)
         FROM imports i ORDER BY i.id",
    )?;
    let mut rows = st.query([])?;
    let mut known = std::collections::BTreeSet::new();
    while let Some(r) = rows.next()? {
        let (id, file): (i64, String) = (r.get(0)?, r.get(1)?);
        let (new, first, last): (i64, Option<i64>, Option<i64>) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let audited: bool = r.get(5)?;
        known.insert(id);
        if !audited {
            problems.push(format!("import {id} ({file}) has no audit row"));
        }
        let (n, lo, hi) = named.get(&id).copied().unwrap_or((0, 0, 0));
        if n != new {
            problems.push(format!(
                "import {id} ({file}) created {new} orders but {n} orders name it"
            ));
        } else if n > 0 && (Some(lo) != first || Some(hi) != last) {
            problems.push(format!(
                "import {id} ({file}) created orders {}..{} but the orders naming it are {lo}..{hi}",
                first.unwrap_or(0),
                last.unwrap_or(0)
            ));
        }
    }
    for (import, (n, lo, _)) in named.iter().filter(|(id, _)| !known.contains(*id)) {
        problems.push(format!(
            "{n} orders (order {lo} first) name import {import}, which does not exist"
        ));
    }
    problems.truncate(MAX_PROBLEMS);
    Ok(CheckResult {
        name: "imported orders",
        problems,
        elapsed: Duration::ZERO,
    })
}
