//! Merchant settlement (SPEC §4.6; the rules in docs/settlement.md):
//! `run` computes a draft statement per merchant for a period, `confirm`
//! freezes one, `pay` records its payout. Statements are audited as the
//! entity `settlement`.

mod compute;
pub mod export;
mod verbs;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Permission;
use crate::domain::money::Money;
use crate::domain::settlement::{self as rules, StatementStatus, Totals};
use crate::store::settlement as db;
use crate::{Error, Result, clock, store};

use super::{Session, Stamp, audit};

pub use crate::store::settlement::{Charge, LineView, Listed, Statement};
pub use compute::{Computed, compute};
pub use verbs::{OPS, VERBS, confirm_at, pay_at};

crate::ops::workflow::impl_record!(
    Statement,
    "settlement",
    "settlement_statements",
    crate::store::settlement
);

/// "statement 12 (M003 2026-11-01 – 2026-11-30, draft)".
pub fn label(conn: &rusqlite::Connection, s: &Statement) -> String {
    let code = store::merchants::get(conn, s.merchant_id)
        .ok()
        .flatten()
        .map(|m| m.code)
        .unwrap_or_else(|| format!("merchant {}", s.merchant_id));
    format!(
        "statement {} ({code} {} – {}, {})",
        s.id, s.period_from, s.period_to, s.status
    )
}

pub fn status_of(s: &Statement) -> Result<StatementStatus> {
    s.status
        .parse()
        .map_err(|_| Error::Db(format!("statement {}: unknown status {:?}", s.id, s.status)))
}

/// The UTC stamps bounding the shop-time dates `[from, to]`.
pub fn bounds(s: &Session, from: NaiveDate, to: NaiveDate) -> Result<(String, String)> {
    let cal = s.calendar()?;
    Ok((
        clock::stamp(cal.local_day_bounds(from).0),
        clock::stamp(cal.local_day_bounds(to).1),
    ))
}

/// What one merchant's statement did in a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunLine {
    pub statement_id: i64,
    pub merchant_code: String,
    /// `created`, `recomputed`, `unchanged`, `frozen` (confirmed or paid:
    /// left as it was), `discarded` (a draft with nothing left on it, or
    /// overlapping the period run).
    pub outcome: String,
    pub status: String,
    pub totals: Totals,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub from: String,
    pub to: String,
    pub statements: Vec<RunLine>,
}

impl RunReport {
    /// Nothing was written.
    pub fn changed_nothing(&self) -> bool {
        self.statements
            .iter()
            .all(|l| matches!(l.outcome.as_str(), "unchanged" | "frozen"))
    }
}

/// `run_at` with the session's clock.
pub fn run(s: &mut Session, from: NaiveDate, to: NaiveDate) -> Result<RunReport> {
    let now = s.now()?;
    run_at(s, from, to, now)
}

fn totals_of(s: &Statement) -> Totals {
    Totals {
        line_count: s.line_count,
        sales_minor: s.sales_minor,
        commission_minor: s.commission_minor,
        refunds_minor: s.refunds_minor,
        fee_minor: s.fee_minor,
        carried_in_minor: s.carried_in_minor,
        payable_minor: s.payable_minor,
    }
}

fn set_totals(s: &mut Statement, t: &Totals, carried_from: Option<i64>) {
    s.line_count = t.line_count;
    s.sales_minor = t.sales_minor;
    s.commission_minor = t.commission_minor;
    s.refunds_minor = t.refunds_minor;
    s.fee_minor = t.fee_minor;
    s.carried_in_minor = t.carried_in_minor;
    s.carried_from = carried_from;
    s.payable_minor = t.payable_minor;
}

/// Computes every merchant's draft for `[from, to]` and writes it, in one
/// transaction with an audit row per statement that changed. Refused, with
/// nothing written, when the period is backwards or overlaps a confirmed or
/// paid statement of another period. A merchant whose statement for this
/// very period is confirmed keeps it as it is (`frozen`).
pub fn run_at(s: &mut Session, from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> Result<RunReport> {
    s.require(Permission::ManageMerchants)?;
    rules::check_period(from, to).map_err(Error::input)?;
    let (start, end) = bounds(s, from, to)?;
    let (f, t) = (from.to_string(), to.to_string());
    let at = clock::stamp(now);
    let actor = s.actor.login.clone();
    let who = Stamp {
        actor: &actor,
        at: &at,
    };
    let default_bp = s.settings.default_commission_bp;
    let tx = store::write_tx(&mut s.conn)?;
    let existing = db::overlapping(&tx, &f, &t)?;
    let codes: BTreeMap<i64, String> = db::merchant_terms(&tx)?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    let code = |id: i64| {
        codes
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("merchant {id}"))
    };
    let mut frozen: BTreeMap<i64, Statement> = BTreeMap::new();
    let mut drafts: BTreeMap<i64, Statement> = BTreeMap::new();
    let mut discard: Vec<Statement> = Vec::new();
    for st in existing {
        let exact = st.period_from == f && st.period_to == t;
        match (status_of(&st)?, exact) {
            (StatementStatus::Draft, true) => {
                drafts.insert(st.merchant_id, st);
            }
            (StatementStatus::Draft, false) => discard.push(st),
            (_, true) => {
                frozen.insert(st.merchant_id, st);
            }
            (_, false) => {
                return Err(Error::refused(format!(
                    "{} overlaps {f} – {t}: a confirmed statement is frozen; nothing was written (run a period that starts after {})",
                    label(&tx, &st),
                    st.period_to
                )));
            }
        }
    }
    let skip: BTreeSet<i64> = frozen.keys().copied().collect();
    let mut computed = compute(&tx, &start, &end, &f, default_bp, None, &skip)?;
    let mut report = RunReport {
        from: f.clone(),
        to: t.clone(),
        statements: Vec::new(),
    };
    for st in discard {
        db::delete_draft(&tx, st.id)?;
        audit(
            &tx,
            who,
            "settlement",
            st.id,
            "discard",
            Some(&st),
            None::<&Statement>,
        )?;
        report.statements.push(RunLine {
            statement_id: st.id,
            merchant_code: code(st.merchant_id),
            outcome: "discarded".into(),
            status: st.status.clone(),
            totals: totals_of(&st),
        });
    }
    let mut merchants: BTreeSet<i64> = computed.keys().copied().collect();
    merchants.extend(drafts.keys().copied());
    // Statements first, then every line in key order (one pass over the
    // lines' B-tree, not one per merchant), then totals and audit rows.
    let mut changed: Vec<Changed> = Vec::new();
    for m in merchants {
        let old = drafts.remove(&m);
        let Some(c) = computed.remove(&m) else {
            // A draft with nothing left on it (its orders or refunds moved).
            if let Some(st) = old {
                db::delete_draft(&tx, st.id)?;
                audit(
                    &tx,
                    who,
                    "settlement",
                    st.id,
                    "discard",
                    Some(&st),
                    None::<&Statement>,
                )?;
                report.statements.push(RunLine {
                    statement_id: st.id,
                    merchant_code: code(m),
                    outcome: "discarded".into(),
                    status: st.status.clone(),
                    totals: totals_of(&st),
                });
            }
            continue;
        };
        let (c, carried_from) = with_carry(&tx, who, m, &f, old.as_ref().map(|o| o.id), c)?;
        match old {
            Some(st)
                if totals_of(&st) == c.totals
                    && st.carried_from == carried_from
                    && db::fingerprint(&tx, st.id)? == fingerprint(&c) =>
            {
                report.statements.push(RunLine {
                    statement_id: st.id,
                    merchant_code: code(m),
                    outcome: "unchanged".into(),
                    status: "draft".into(),
                    totals: c.totals,
                });
            }
            Some(st) => {
                db::clear_draft(&tx, st.id)?;
                changed.push((st.id, m, c, carried_from, Some(st), "recomputed"));
            }
            None => {
                let id = db::insert_draft(
                    &tx,
                    &db::NewStatement {
                        merchant_id: m,
                        period_from: &f,
                        period_to: &t,
                        at: &at,
                    },
                )?;
                changed.push((id, m, c, carried_from, None, "created"));
            }
        }
    }
    let mut lines: Vec<(i64, &db::Line)> = changed
        .iter()
        .flat_map(|(id, _, c, ..)| c.lines.iter().map(move |l| (*id, l)))
        .collect();
    lines.sort_unstable_by_key(|(_, l)| l.order_line_id);
    for (id, l) in lines {
        db::insert_line(&tx, id, l)?;
    }
    for (id, m, c, carried_from, before, outcome) in changed {
        for ch in &c.charges {
            db::insert_charge(&tx, id, m, ch)?;
        }
        let mut row = db::get(&tx, id)?.ok_or_else(|| Error::not_found("statement", id))?;
        let expected = row.version;
        set_totals(&mut row, &c.totals, carried_from);
        row.computed_at = at.clone();
        row.updated_at = at.clone();
        if !db::update(&tx, &row, expected)? {
            return Err(store::conflict(&tx, "settlement", "settlement_statements", id));
        }
        row.version = expected + 1;
        audit(&tx, who, "settlement", id, "run", before.as_ref(), Some(&row))?;
        report.statements.push(RunLine {
            statement_id: id,
            merchant_code: code(m),
            outcome: outcome.into(),
            status: "draft".into(),
            totals: c.totals,
        });
    }
    for (m, st) in frozen {
        report.statements.push(RunLine {
            statement_id: st.id,
            merchant_code: code(m),
            outcome: "frozen".into(),
            status: st.status.clone(),
            totals: totals_of(&st),
        });
    }
    report.statements.sort_by(|a, b| {
        a.merchant_code
            .cmp(&b.merchant_code)
            .then(a.statement_id.cmp(&b.statement_id))
    });
    tx.commit()?;
    Ok(report)
}

/// A statement a run rewrites: (id, merchant, figures, carried from, the
/// row before, outcome).
type Changed = (i64, i64, Computed, Option<i64>, Option<Statement>, &'static str);

/// `db::fingerprint` of what was computed.
fn fingerprint(c: &Computed) -> [i64; 7] {
    let sum = |it: &mut dyn Iterator<Item = i64>| it.fold(0i64, i64::saturating_add);
    [
        c.lines.len() as i64,
        sum(&mut c.lines.iter().map(|l| l.order_line_id)),
        sum(&mut c.lines.iter().map(|l| l.sales_minor)),
        sum(&mut c.lines.iter().map(|l| l.commission_minor)),
        c.charges.len() as i64,
        sum(&mut c.charges.iter().map(|x| x.refund_id)),
        sum(&mut c.charges.iter().map(|x| x.amount_minor)),
    ]
}

/// The statement whose balance a statement of `merchant` starting `from`
/// carries in: the one just before it, when confirmed or paid with a
/// negative payable, and not carried already by another frozen statement.
pub(crate) fn carry_source(
    tx: &rusqlite::Connection,
    merchant: i64,
    from: &str,
    this: Option<i64>,
) -> Result<Option<Statement>> {
    let Some(prev) = db::previous(tx, merchant, from)? else {
        return Ok(None);
    };
    if status_of(&prev)? == StatementStatus::Draft || prev.payable_minor >= 0 {
        return Ok(None);
    }
    if let Some(other) = db::carried_by(tx, prev.id)?
        && Some(other.id) != this
        && status_of(&other)? != StatementStatus::Draft
    {
        return Ok(None);
    }
    Ok(Some(prev))
}

/// Adds the balance carried in ([`carry_source`]). A later draft that
/// carried it gives it up (recomputed without it, audited).
fn with_carry(
    tx: &rusqlite::Connection,
    who: Stamp<'_>,
    merchant: i64,
    from: &str,
    this: Option<i64>,
    mut c: Computed,
) -> Result<(Computed, Option<i64>)> {
    let Some(prev) = carry_source(tx, merchant, from, this)? else {
        return Ok((c, None));
    };
    if let Some(other) = db::carried_by(tx, prev.id)?
        && Some(other.id) != this
    {
        let mut after = other.clone();
        let mut t = totals_of(&other);
        t.carried_in_minor = 0;
        t.payable_minor = rules::payable(t.sales_minor, t.commission_minor, t.refunds_minor, t.fee_minor, 0)
            .ok_or_else(|| Error::Db(format!("statement {}: the payable overflows", other.id)))?;
        set_totals(&mut after, &t, None);
        after.updated_at = who.at.to_string();
        if !db::update(tx, &after, other.version)? {
            return Err(store::conflict(
                tx,
                "settlement",
                "settlement_statements",
                other.id,
            ));
        }
        after.version = other.version + 1;
        audit(tx, who, "settlement", other.id, "run", Some(&other), Some(&after))?;
    }
    c.totals.carried_in_minor = prev.payable_minor;
    c.totals.payable_minor = c
        .totals
        .payable_minor
        .checked_add(prev.payable_minor)
        .ok_or_else(|| Error::Db(format!("statement {}: the payable overflows", prev.id)))?;
    Ok((c, Some(prev.id)))
}

/// One statement with its merchant, lines and charges (`show`, the TUI).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub statement: Statement,
    pub merchant_code: String,
    pub merchant_name: String,
    pub lines: Vec<db::LineView>,
    pub charges: Vec<db::Charge>,
}

pub fn detail(conn: &rusqlite::Connection, id: i64) -> Result<Option<Detail>> {
    let Some(st) = db::get(conn, id)? else {
        return Ok(None);
    };
    let m = store::merchants::get(conn, st.merchant_id)?;
    Ok(Some(Detail {
        merchant_code: m.as_ref().map(|m| m.code.clone()).unwrap_or_default(),
        merchant_name: m.map(|m| m.name).unwrap_or_default(),
        lines: db::lines_of(conn, id)?,
        charges: db::charges_of(conn, id)?,
        statement: st,
    }))
}

/// The statements list (latest period first).
pub fn list(
    conn: &rusqlite::Connection,
    merchant: Option<i64>,
    status: Option<StatementStatus>,
) -> Result<Vec<db::Listed>> {
    db::list(conn, merchant, status.map(StatementStatus::as_str))
}

/// The merchant's open balance (docs/settlement.md).
pub fn open_balance(conn: &rusqlite::Connection, merchant: i64) -> Result<i64> {
    db::open_balance(conn, merchant)
}

/// "¥1,234.50".
pub fn money(s: &Session, minor: i64) -> String {
    Money(minor).format(&s.settings.currency)
}
