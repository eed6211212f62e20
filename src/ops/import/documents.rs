//! `import merchant-documents`: `merchant_code,kind,number,issuer,
//! expires_on,status`, one row per document, the same all-or-nothing rules
//! and `file:line: column: problem` errors as the other imports. A document
//! the merchant has already is never overwritten (reported as present or
//! changed). Each merchant that gets documents gets one audited change
//! (`doc_import`, its version + 1) naming them, so `check` sees the
//! merchant row as its last audit row says.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::Connection;

use super::{Changed, Ctx, Outcome};
use crate::domain::limits::TextKind;
use crate::domain::merchant::{DocKind, DocStatus, MerchantStatus};
use crate::io::csv_in::{self, Column, CsvIn, Problem, Row, opt, req};
use crate::ops::Stamp;
use crate::ops::workflow;
use crate::store::import::documents::{self as st, DocumentRow};
use crate::store::merchants as db;
use crate::{Error, Result};

pub const COLUMNS: &[Column] = &[
    req("merchant_code").kind(TextKind::Token),
    req("kind").kind(TextKind::Token),
    opt("number"),
    opt("issuer"),
    opt("expires_on").kind(TextKind::Token),
    opt("status").kind(TextKind::Token),
];

const MERCHANT_CODE: usize = 0;
const KIND: usize = 1;
const NUMBER: usize = 2;
const ISSUER: usize = 3;
const EXPIRES_ON: usize = 4;
const STATUS: usize = 5;

struct DocIn {
    line: u64,
    row: DocumentRow,
    status_given: bool,
}

/// Checks one row on its own (the merchant is looked up after).
fn parse_row(row: &Row<'_>, today: NaiveDate) -> std::result::Result<DocIn, Vec<Problem>> {
    let line = row.line;
    let mut problems = Vec::new();
    let mut bad = |col: usize, p: String| problems.push(Problem::new(line, COLUMNS[col].name, p));
    if row.get(MERCHANT_CODE).is_empty() {
        bad(MERCHANT_CODE, "is required".into());
    }
    let kind = match csv_in::required(row.get(KIND)).map(|k| k.parse::<DocKind>()) {
        Err(e) => {
            bad(KIND, e);
            None
        }
        Ok(Err(e)) => {
            bad(KIND, e.to_string());
            None
        }
        Ok(Ok(k)) => Some(k),
    };
    let expires = match csv_in::optional(row.get(EXPIRES_ON)) {
        None => None,
        Some(v) => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                bad(
                    EXPIRES_ON,
                    format!(
                        "{} is not a date like 2027-06-30",
                        crate::domain::limits::quote(v)
                    ),
                );
                None
            }
        },
    };
    let status_text = row.get(STATUS);
    let status = match csv_in::optional(status_text).map(str::parse::<DocStatus>) {
        None => DocStatus::Pending,
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            bad(STATUS, e.to_string());
            DocStatus::Pending
        }
    };
    if status == DocStatus::Verified
        && let Some(d) = expires
        && d < today
    {
        bad(
            STATUS,
            format!("cannot be verified: it expired on {d} (import it as expired)"),
        );
    }
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return Err(problems);
    };
    Ok(DocIn {
        line,
        row: DocumentRow {
            merchant_code: row.get(MERCHANT_CODE).to_string(),
            kind: kind.as_str().to_string(),
            number: row.get(NUMBER).to_string(),
            issuer: row.get(ISSUER).to_string(),
            expires_on: expires.map(|d| d.format("%Y-%m-%d").to_string()),
            check_status: status.as_str().to_string(),
            note: if status == DocStatus::Rejected {
                "rejected before import".into()
            } else {
                String::new()
            },
        },
        status_given: !status_text.is_empty(),
    })
}

fn diff(d: &DocIn, stored: &db::Document) -> Vec<(String, String, String)> {
    let f = &d.row;
    let mut pairs = vec![
        ("number", f.number.clone(), stored.number.clone()),
        ("issuer", f.issuer.clone(), stored.issuer.clone()),
        (
            "expires_on",
            f.expires_on.clone().unwrap_or_default(),
            stored.expires_on.clone().unwrap_or_default(),
        ),
    ];
    if d.status_given {
        pairs.push(("status", f.check_status.clone(), stored.check_status.clone()));
    }
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(k, a, b)| (k.to_string(), a, b))
        .collect()
}

pub(super) fn run(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let today = ctx.calendar.local_date(ctx.now);
    let mut csv = CsvIn::open(ctx.file, COLUMNS, ctx.opts.read)?;
    let mut merchants: HashMap<String, Option<db::Merchant>> = HashMap::new();
    let mut seen: HashMap<(i64, String), u64> = HashMap::new();
    // By merchant, so each gets one audited change.
    let mut good: BTreeMap<i64, Vec<DocIn>> = BTreeMap::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        let d = match parse_row(&row, today) {
            Ok(d) => d,
            Err(ps) => {
                out.reject(row.line, &ps);
                continue;
            }
        };
        let code = d.row.merchant_code.clone();
        if !merchants.contains_key(&code) {
            let m = match db::id_by_code(tx, &code)? {
                Some(id) => db::get(tx, id)?,
                None => None,
            };
            merchants.insert(code.clone(), m);
        }
        let problem = |why: String| Problem::new(d.line, "merchant_code", why);
        let m = match merchants.get(&code) {
            Some(Some(m)) => m,
            _ => {
                out.reject(d.line, &[problem(format!("no merchant has code {code:?}"))]);
                continue;
            }
        };
        if let Ok(s) = m.status.parse::<MerchantStatus>()
            && s.is_final()
        {
            out.reject(
                d.line,
                &[problem(format!(
                    "merchant {code} is {s}: its documents are closed"
                ))],
            );
            continue;
        }
        let key = (m.id, d.row.kind.clone());
        if let Some(first) = seen.get(&key) {
            let p = Problem::new(
                d.line,
                "kind",
                format!("{code}/{} appears again (first on line {first})", d.row.kind),
            );
            out.reject(d.line, &[p]);
            continue;
        }
        seen.insert(key, d.line);
        good.entry(m.id).or_default().push(d);
    }
    out.report.records = seen.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    let who = Stamp {
        actor: &ctx.actor,
        at: &ctx.now_stamp,
    };
    let mut audit_rows = 0;
    for (merchant_id, docs) in &good {
        let stored = db::documents(tx, *merchant_id)?;
        let mut added = Vec::new();
        for d in docs {
            if let Some(s) = stored.iter().find(|s| s.kind == d.row.kind) {
                let fields = diff(d, s);
                if fields.is_empty() {
                    out.report.present += 1;
                } else {
                    out.report.changed.push(Changed {
                        label: format!("{}/{}", d.row.merchant_code, d.row.kind),
                        fields,
                    });
                }
                continue;
            }
            let id = st::insert_document(tx, *merchant_id, &d.row)?;
            added.push(
                serde_json::json!({"document": id, "kind": d.row.kind, "check_status": d.row.check_status}),
            );
            out.report.new += 1;
        }
        if added.is_empty() {
            continue;
        }
        let before = db::get(tx, *merchant_id)?.ok_or_else(|| Error::not_found("merchant", merchant_id))?;
        let mut after = before.clone();
        after.change = Some(serde_json::json!({ "documents": added }));
        workflow::save(tx, who, "doc_import", &before, &mut after)?;
        audit_rows += 1;
    }
    out.report.audit_rows = audit_rows;
    Ok(())
}
