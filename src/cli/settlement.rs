//! `shopdesk settlement run --from D --to D | list | show N [--json] |
//! confirm N | pay N --ref REF | export N -o FILE | export --bank -o FILE`
//! (SPEC §4.6, §6; docs/settlement.md).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;

use super::verbs::{self, VerbArgs};
use crate::domain::settlement::StatementStatus;
use crate::ops::verbs::Entity;
use crate::ops::{self, Session};
use crate::{Error, Result};

/// `confirm` and `pay` come from the verb table (`ops::settlement::VERBS`);
/// the rest are the statements' own subcommands.
#[derive(Debug)]
pub enum SettlementCmd {
    Verb(VerbArgs),
    Other(SettlementExtra),
}

verbs::verb_subcommand!(SettlementCmd, SettlementExtra, Entity::Settlement);

#[derive(Debug, Subcommand)]
pub enum SettlementExtra {
    /// Compute (or recompute) every merchant's draft statement for a period of shop-time dates.
    Run {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: NaiveDate,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: NaiveDate,
        /// The report as JSON (docs/settlement.md).
        #[arg(long)]
        json: bool,
    },
    /// Statements, the latest period first.
    List {
        /// Only this merchant's (its code).
        #[arg(long, value_name = "CODE")]
        merchant: Option<String>,
        /// Only this state: draft, confirmed or paid.
        #[arg(long, value_parser = parse_status)]
        status: Option<StatementStatus>,
        #[arg(long)]
        json: bool,
    },
    /// One statement with its lines and refund charges.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// A statement as CSV for its merchant, or (--bank) every payable awaiting payout as one CSV.
    Export {
        /// The statement (omit with --bank).
        id: Option<i64>,
        /// Every confirmed, unpaid payable, for the bank.
        #[arg(long, conflicts_with = "id")]
        bank: bool,
        /// Write here (a new file) instead of standard output.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn parse_status(s: &str) -> std::result::Result<StatementStatus, String> {
    s.parse::<StatementStatus>().map_err(|e| e.to_string())
}

pub fn run(path: &Path, cmd: SettlementCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    let cmd = match cmd {
        SettlementCmd::Verb(v) => return verbs::run(&mut s, v),
        SettlementCmd::Other(c) => c,
    };
    match cmd {
        SettlementExtra::Run { from, to, json } => {
            let report = ops::settlement::run(&mut s, from, to)?;
            if json {
                return super::out_json(&report);
            }
            for l in &report.statements {
                outln!(
                    "#{:<5} {:<10} {:<9} {:<10} {:>5} lines  sales {:>14}  payable {:>14}",
                    l.statement_id,
                    l.merchant_code,
                    l.status,
                    l.outcome,
                    l.totals.line_count,
                    ops::settlement::money(&s, l.totals.sales_minor),
                    ops::settlement::money(&s, l.totals.payable_minor)
                );
            }
            if report.statements.is_empty() {
                errln!("no merchant had completed orders or refunds in {from} – {to}: nothing to settle");
            } else if report.changed_nothing() {
                errln!(
                    "{from} – {to}: nothing changed (confirmed statements are frozen; drafts were already current)"
                );
            } else {
                errln!("{} statement(s) for {from} – {to}", report.statements.len());
            }
            Ok(())
        }
        SettlementExtra::List {
            merchant,
            status,
            json,
        } => {
            let m = match merchant {
                Some(code) => Some(
                    crate::store::merchants::id_by_code(&s.conn, &code)?
                        .ok_or_else(|| Error::not_found("merchant", &code))?,
                ),
                None => None,
            };
            let list = ops::settlement::list(&s.conn, m, status)?;
            if json {
                return super::out_json(&list);
            }
            for l in &list {
                let st = &l.statement;
                outln!(
                    "#{:<5} {} – {}  {:<10} {:<9} {:>5} lines  payable {:>14}{}",
                    st.id,
                    st.period_from,
                    st.period_to,
                    l.merchant_code,
                    st.status,
                    st.line_count,
                    ops::settlement::money(&s, st.payable_minor),
                    st.pay_ref
                        .as_deref()
                        .map(|r| format!("  ref {r}"))
                        .unwrap_or_default()
                );
            }
            errln!("{} statement(s)", list.len());
            Ok(())
        }
        SettlementExtra::Show { id, json } => {
            let d = ops::settlement::detail(&s.conn, id)?.ok_or_else(|| Error::not_found("statement", id))?;
            if json {
                return super::out_json(&d);
            }
            let st = &d.statement;
            let money = |v: i64| ops::settlement::money(&s, v);
            outln!(
                "statement {}  {} {}  {} – {}  {}",
                st.id,
                d.merchant_code,
                d.merchant_name,
                st.period_from,
                st.period_to,
                st.status
            );
            for l in &d.lines {
                outln!(
                    "  {:<22} #{:<2} {:<14} {:>3} × {:>10}  sales {:>12}  {:>6} ({})  commission {:>10}",
                    l.order_key,
                    l.line_no,
                    l.sku,
                    l.qty,
                    money(l.unit_price_minor),
                    money(l.line.sales_minor),
                    crate::domain::money::format_bp(l.line.commission_bp),
                    l.line.commission_source,
                    money(l.line.commission_minor)
                );
            }
            for c in &d.charges {
                outln!(
                    "  refund {} on order {} (ticket {}): {} of {}",
                    c.refund_id,
                    c.order_id,
                    c.ticket_id,
                    money(c.amount_minor),
                    money(c.refund_minor)
                );
            }
            outln!("  sales       {:>14}", money(st.sales_minor));
            outln!("  commission  {:>14}", money(-st.commission_minor));
            outln!("  refunds     {:>14}", money(-st.refunds_minor));
            outln!("  fee         {:>14}", money(-st.fee_minor));
            outln!(
                "  carried in  {:>14}{}",
                money(st.carried_in_minor),
                st.carried_from
                    .map(|c| format!("  (from statement {c})"))
                    .unwrap_or_default()
            );
            outln!("  payable     {:>14}", money(st.payable_minor));
            if let Some(r) = &st.pay_ref {
                outln!(
                    "  paid {} by {}, ref {r}",
                    st.paid_at.as_deref().unwrap_or("-"),
                    st.paid_by.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        SettlementExtra::Export { id, bank, out } => {
            let detail = match (id, bank) {
                (Some(id), false) => Some(
                    ops::settlement::detail(&s.conn, id)?.ok_or_else(|| Error::not_found("statement", id))?,
                ),
                (None, true) => None,
                _ => return Err(Error::input("export: name a statement (export N) or pass --bank")),
            };
            let write = |w: &mut dyn std::io::Write| -> Result<usize> {
                match &detail {
                    Some(d) => ops::settlement::export::statement_csv(&s, d, w),
                    None => ops::settlement::export::bank_csv(&s, w),
                }
            };
            match out {
                None => {
                    let mut buf = Vec::new();
                    write(&mut buf)?;
                    super::out(&super::safe(&String::from_utf8_lossy(&buf)));
                }
                Some(p) => {
                    let mut f = crate::identity::create_for_caller(&p, true)
                        .map_err(|e| Error::input(format!("{}: cannot create: {e}", p.display())))?;
                    let n = write(&mut f)?;
                    outln!("exported {n} row(s) to {}", p.display());
                }
            }
            Ok(())
        }
    }
}
