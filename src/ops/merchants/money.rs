//! Money before opening: the deposit ledger (pay, top-up, refund; violation
//! deductions are written by `violations`), the platform fee, the agreement.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::Permission;
use crate::domain::merchant::Opening;
use crate::domain::money::Money;
use crate::ops::Session;
use crate::ops::workflow::{self, Applied};
use crate::store::merchants::{self as db, Merchant, NewEntry};
use crate::{Error, Result};

use super::{Outcome, blocked, label, outcome, require_open};

/// What a deposit entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositKind {
    Pay,
    TopUp,
    Refund,
}

impl DepositKind {
    pub fn parse(s: &str) -> Result<DepositKind> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "pay" => Ok(DepositKind::Pay),
            "top-up" | "topup" => Ok(DepositKind::TopUp),
            "refund" => Ok(DepositKind::Refund),
            other => Err(Error::input(format!(
                "{other:?} is not a deposit entry: pay, top-up or refund"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            DepositKind::Pay => "pay",
            DepositKind::TopUp => "top_up",
            DepositKind::Refund => "refund",
        }
    }
}

/// The deposit, fee and agreement as `approved → active` sees them.
pub(super) fn opening(conn: &Connection, m: &Merchant) -> Result<Opening> {
    let (deposit_entries, deposit_balance) = db::account(conn, m.id, "deposit")?;
    let (fee_entries, fee_paid) = db::account(conn, m.id, "fee")?;
    Ok(Opening {
        deposit_entries,
        deposit_balance,
        deposit_required: m.deposit_minor,
        fee_entries,
        fee_paid,
        fee_required: m.platform_fee_minor,
        agreement_signed: m.agreement_signed,
    })
}

/// Records a deposit entry of `amount` (minor units, > 0).
pub fn deposit_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    kind: DepositKind,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if amount <= 0 {
        return Err(Error::input("--amount must be greater than 0"));
    }
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "deposit",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            require_open(before, "deposit")?;
            let tx: &Connection = st.tx;
            let fmt = |n: i64| Money(n).format(&st.settings.currency);
            let (_, balance) = db::account(tx, before.id, "deposit")?;
            let signed = match kind {
                DepositKind::Refund if amount > balance => {
                    return Err(blocked(
                        before,
                        "refund the deposit",
                        vec![format!(
                            "the refund {} is more than the balance {}",
                            fmt(amount),
                            fmt(balance)
                        )],
                    ));
                }
                DepositKind::Refund => -amount,
                _ => amount,
            };
            let new_balance = balance
                .checked_add(signed)
                .ok_or_else(|| Error::input(format!("{}: the deposit would overflow", label(before))))?;
            let entry = db::add_entry(
                tx,
                before.id,
                &NewEntry {
                    account: "deposit",
                    kind: kind.as_str(),
                    amount_minor: signed,
                    violation_id: None,
                    note: "",
                    at: st.who.at,
                    by: st.who.actor,
                },
            )?;
            if new_balance >= before.deposit_minor {
                after.deposit_paid = true;
            }
            after.change = Some(serde_json::json!({
                "ledger_entry": entry, "account": "deposit", "kind": kind.as_str(),
                "amount_minor": signed, "balance_minor": new_balance,
            }));
            let short = new_balance < before.deposit_minor;
            let message = format!(
                "{}: deposit {} {}; balance {} of required {}{}",
                label(before),
                kind.as_str().replace('_', "-"),
                fmt(amount),
                fmt(new_balance),
                fmt(before.deposit_minor),
                if short {
                    " (below the required deposit)"
                } else {
                    ""
                }
            );
            Ok(Applied::saved(message).attention(short))
        },
    )?;
    outcome(&after, "deposit", applied)
}

/// Records a platform fee payment.
pub fn fee_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if amount <= 0 {
        return Err(Error::input("--amount must be greater than 0"));
    }
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "fee",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            require_open(before, "fee")?;
            let tx: &Connection = st.tx;
            let fmt = |n: i64| Money(n).format(&st.settings.currency);
            let (_, paid) = db::account(tx, before.id, "fee")?;
            let paid = paid
                .checked_add(amount)
                .ok_or_else(|| Error::input(format!("{}: the fee total would overflow", label(before))))?;
            let entry = db::add_entry(
                tx,
                before.id,
                &NewEntry {
                    account: "fee",
                    kind: "pay",
                    amount_minor: amount,
                    violation_id: None,
                    note: "",
                    at: st.who.at,
                    by: st.who.actor,
                },
            )?;
            after.change = Some(serde_json::json!({
                "ledger_entry": entry, "account": "fee", "amount_minor": amount, "paid_minor": paid,
            }));
            Ok(Applied::saved(format!(
                "{}: platform fee payment {} recorded; paid {} of {}",
                label(before),
                fmt(amount),
                fmt(paid),
                fmt(before.platform_fee_minor)
            )))
        },
    )?;
    outcome(&after, "fee", applied)
}

/// Records the cooperation agreement as signed.
pub fn sign_at(s: &mut Session, id: i64, shown: Option<i64>, now: DateTime<Utc>) -> Result<Outcome> {
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "sign",
        id,
        shown,
        now,
        |_, before: &Merchant, after: &mut Merchant| {
            require_open(before, "sign")?;
            if before.agreement_signed {
                return Err(blocked(
                    before,
                    "sign",
                    vec!["the agreement is already signed".into()],
                ));
            }
            after.agreement_signed = true;
            Ok(Applied::saved(format!("{}: agreement signed", label(before))))
        },
    )?;
    outcome(&after, "sign", applied)
}

/// What `merchant terms` was given; `None` leaves that term as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    /// The required deposit (minor units, ≥ 0).
    pub deposit: Option<i64>,
    /// The platform (annual) fee (minor units, ≥ 0).
    pub fee: Option<i64>,
    /// `Some(None)`: back to the category's or the shop's rate.
    pub commission_bp: Option<Option<i64>>,
}

impl Terms {
    /// Parses the CLI / form texts: money as decimal text ("5000.00", "0"),
    /// the commission as "5.5%", "0.055" or "default".
    pub fn parse(deposit: Option<&str>, fee: Option<&str>, commission: Option<&str>) -> Result<Terms> {
        let money = |flag: &str, v: &str| -> Result<i64> {
            let m = Money::parse(v).map_err(|e| Error::input(format!("--{flag}: {e}")))?;
            if m.0 < 0 {
                return Err(Error::input(format!("--{flag}: must not be negative")));
            }
            Ok(m.0)
        };
        let commission_bp = commission
            .map(|c| match c.trim().to_ascii_lowercase().as_str() {
                "default" | "none" | "inherit" => Ok(None),
                _ => crate::domain::money::parse_rate_bp(c)
                    .map(Some)
                    .map_err(|e| Error::input(format!("--commission: {e}"))),
            })
            .transpose()?;
        let t = Terms {
            deposit: deposit.map(|d| money("deposit", d)).transpose()?,
            fee: fee.map(|f| money("fee", f)).transpose()?,
            commission_bp,
        };
        if t == Terms::default() {
            return Err(Error::input(
                "merchant terms: give at least one of --deposit, --fee, --commission",
            ));
        }
        Ok(t)
    }
}

/// Sets the merchant's required deposit, platform fee and commission rate.
pub fn terms_at(
    s: &mut Session,
    id: i64,
    shown: Option<i64>,
    terms: Terms,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let (after, applied) = workflow::run(
        s,
        Permission::ManageMerchants,
        "terms",
        id,
        shown,
        now,
        |st, before: &Merchant, after: &mut Merchant| {
            require_open(before, "terms")?;
            let fmt = |n: i64| Money(n).format(&st.settings.currency);
            let rate = |bp: Option<i64>| {
                bp.map(crate::domain::money::format_bp)
                    .unwrap_or_else(|| "category / shop default".into())
            };
            let mut said = Vec::new();
            if let Some(d) = terms.deposit {
                after.deposit_minor = d;
                said.push(format!("deposit {} → {}", fmt(before.deposit_minor), fmt(d)));
            }
            if let Some(f) = terms.fee {
                after.platform_fee_minor = f;
                said.push(format!(
                    "platform fee {} → {}",
                    fmt(before.platform_fee_minor),
                    fmt(f)
                ));
            }
            if let Some(c) = terms.commission_bp {
                after.commission_bp = c;
                said.push(format!("commission {} → {}", rate(before.commission_bp), rate(c)));
            }
            let (entries, balance) = db::account(st.tx, before.id, "deposit")?;
            let short = entries > 0 && balance < after.deposit_minor;
            Ok(Applied::saved(format!(
                "{}: {}{}",
                label(before),
                said.join(", "),
                if short {
                    format!("; the deposit balance {} is below it", fmt(balance))
                } else {
                    String::new()
                }
            ))
            .attention(short))
        },
    )?;
    outcome(&after, "terms", applied)
}
