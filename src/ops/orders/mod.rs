//! Order handling (SPEC §4.3): each public function is one transaction that
//! checks the role, loads the order, applies the domain transition, moves
//! stock through `store::stock`, writes with the version check, appends the
//! audit row and commits.
//!
//! Every function takes `expected_version`: the TUI passes the version it
//! displayed, so a concurrent change is reported as a conflict instead of
//! being overwritten; the CLI passes `None` (the freshly loaded version).
//! Functions ending in `_at` take the clock reading explicitly (tests); the
//! others read `Session::now` once.

mod batch;
mod detail;
pub mod due;
mod merge;
mod picking;
mod stock;
pub mod verbs;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::Connection;

use crate::domain::Permission;
use crate::domain::order::{self as rules, HoldReason, OrderAction, OrderStatus};
use crate::store::orders::Order;
use crate::store::{self};
use crate::{Error, Result, clock};

use super::workflow::{self, Applied, Step};
use super::{Session, audit};

pub use batch::{BatchResult, act_many, approve_many, pick_many};
pub use detail::{OrderDetail, detail, detail_at, read as read_detail};
pub use merge::{merge, merge_at};
pub use picking::{PickResult, pick_documents, pick_documents_at};

/// What a workflow did, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: i64,
    /// "order 1042 (tmall:TM123)".
    pub label: String,
    /// The action's name (as in the audit log).
    pub action: &'static str,
    pub status: OrderStatus,
    /// Set when the action ended with the order on hold (pay short of stock,
    /// approve with an incomplete address, or an explicit hold).
    pub hold_reason: Option<HoldReason>,
    /// The order's version after the change (pass it to the next call).
    pub version: i64,
    /// One line for people: what happened and, for a hold, why.
    pub message: String,
}

impl Outcome {
    /// The order went on hold although the caller asked for progress
    /// (pay or approve): worth a warning.
    pub fn held(&self) -> bool {
        self.status == OrderStatus::OnHold
    }
}

/// A new shipping address; `None` keeps a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressChange {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
}

/// A tracking-timeline entry to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub status: String,
    pub location: String,
    pub note: String,
}

/// "order 1042 (tmall:TM123)": how messages name an order.
pub fn label(o: &Order) -> String {
    format!("order {} ({}:{})", o.id, o.channel, o.external_id)
}

/// An order from a key people type: the numeric id, `CHANNEL:EXTERNAL_ID`,
/// or the external id alone as the Orders screen shows it (when one
/// channel has it; several say which keys to use).
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>() {
        return match store::orders::get(conn, id)? {
            Some(_) => Ok(id),
            None => Err(Error::not_found("order", id)),
        };
    }
    let Some((channel, ext)) = key.split_once(':') else {
        return match store::orders::ids_by_external_id(conn, key, 4)?.as_slice() {
            [(id, _)] => Ok(*id),
            [] => Err(Error::input(format!(
                "{key:?} is not an order: expected its external id, CHANNEL:EXTERNAL_ID or a numeric id"
            ))),
            several => Err(Error::input(format!(
                "{key:?} is an external id on several channels: use {}",
                several
                    .iter()
                    .map(|(_, c)| format!("{c}:{key}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ))),
        };
    };
    store::orders::id_by_external(conn, channel, ext)?
        .ok_or_else(|| Error::not_found("order", format!("{channel}:{ext}")))
}

/// A time from the command line: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in the
/// shop's time zone.
pub fn parse_time(s: &str, timezone: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let tz: chrono_tz::Tz = timezone
        .parse()
        .map_err(|_| Error::Db(format!("the shop's time zone {timezone:?} is not valid")))?;
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| {
            Error::input(format!(
                "{s:?} is not a time: use RFC 3339 or YYYY-MM-DD HH:MM:SS ({timezone})"
            ))
        })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::input(format!("{s:?} does not exist in {timezone} (a clock change)")))
}

/// The shop's time zone, for messages people read.
fn shop_tz(s: &crate::store::settings::Settings) -> Result<chrono_tz::Tz> {
    s.timezone
        .parse()
        .map_err(|_| Error::Db(format!("the shop's time zone {:?} is not valid", s.timezone)))
}

/// Who may do an action: support may hold and change addresses only.
fn permission(action: &OrderAction) -> Permission {
    match action {
        OrderAction::Hold(_) | OrderAction::ChangeAddress => Permission::HoldOrChangeAddress,
        _ => Permission::ManageOrders,
    }
}

/// The order's status and the status a hold returns to.
pub(crate) fn status_of(o: &Order) -> (OrderStatus, Option<OrderStatus>) {
    (o.status, o.held_from)
}

/// A domain refusal, naming the order:
/// "order 1042 (tmall:TM123): cannot ship: it is picking (ship needs packed)".
pub(crate) fn refused(o: &Order, r: crate::domain::Refusal) -> Error {
    Error::Refused(r.about(label(o)))
}

/// "order 1042 (…): cannot {verb}: {why}" for rules checked outside the state machine.
pub(crate) fn blocked(o: &Order, verb: &str, why: impl Into<String>) -> Error {
    Error::Refused(crate::domain::Refusal::Blocked {
        verb: verb.to_string(),
        thing: "order".into(),
        subject: Some(label(o)),
        blockers: vec![why.into()],
    })
}

crate::ops::workflow::impl_record!(Order, "order", "orders", crate::store::orders);

pub(crate) fn load(conn: &Connection, id: i64) -> Result<Order> {
    store::orders::get(conn, id)?.ok_or_else(|| Error::not_found("order", id))
}

fn set_status(o: &mut Order, s: OrderStatus) {
    o.status = s;
}

fn put_on_hold(o: &mut Order, reason: HoldReason, from: OrderStatus) {
    set_status(o, OrderStatus::OnHold);
    o.hold_reason = Some(reason);
    o.held_from = Some(from);
}

pub(crate) fn outcome(o: &Order, action: &'static str, message: String) -> Result<Outcome> {
    let (status, _) = status_of(o);
    Ok(Outcome {
        id: o.id,
        label: label(o),
        action,
        status,
        hold_reason: o.hold_reason,
        version: o.version,
        message,
    })
}

/// Applies one state-machine action to an order (every action except
/// `MergeInto`, see `merge`, and `ChangeAddress`, see `change_address`).
pub fn act_at(
    s: &mut Session,
    id: i64,
    expected_version: Option<i64>,
    action: &OrderAction,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    match action {
        OrderAction::MergeInto(into) => return merge_at(s, id, *into, expected_version, now),
        OrderAction::ChangeAddress => {
            return Err(Error::input(
                "changing an address needs the new address: use change_address",
            ));
        }
        _ => {}
    }
    let name = action.name();
    let (after, applied) = workflow::run(
        s,
        permission(action),
        name,
        id,
        expected_version,
        now,
        |st, before, after| apply(st, action, before, after),
    )?;
    outcome(&after, name, applied.message)
}

/// The order's own part of a state-machine action: the transition, and
/// what goes with it (stock, deadlines, refunds).
fn apply(st: &mut Step<'_, '_>, action: &OrderAction, before: &Order, after: &mut Order) -> Result<Applied> {
    let (status, held_from) = status_of(before);
    let to = rules::next(status, held_from, action).map_err(|r| refused(before, r))?;
    let (who, now, at) = (st.who, st.now, st.who.at.to_string());
    let id = before.id;
    set_status(after, to);
    let lbl = label(before);
    let mut message = format!("{lbl}: {}", to.label());
    match action {
        OrderAction::Pay => {
            after.paid_at = Some(at.clone());
            after.ship_by_at = Some(clock::stamp(rules::ship_by(now, st.settings.ship_by_hours)));
            let shortages = stock::reserve_all_or_nothing(st.tx, before, who)?;
            if shortages.is_empty() {
                let due = rules::ship_by(now, st.settings.ship_by_hours);
                message = format!(
                    "{lbl}: paid; stock reserved, ship by {}",
                    crate::domain::calendar::shop_minute(due, shop_tz(st.settings)?)
                );
            } else {
                put_on_hold(after, HoldReason::InsufficientStock, OrderStatus::Paid);
                message = format!(
                    "{lbl}: paid but put on hold (insufficient stock): {}; nothing was reserved",
                    stock::describe(&shortages)
                );
            }
        }
        OrderAction::Approve => {
            let problems = rules::address_problems(
                &before.ship_name,
                &before.ship_phone,
                &before.ship_address,
                &before.ship_city,
            );
            if problems.is_empty() {
                after.approved_at = Some(at.clone());
                message = format!("{lbl}: approved");
            } else {
                put_on_hold(after, HoldReason::AddressProblem, status);
                message = format!(
                    "{lbl}: put on hold (address problem): {}; fix it with `order change-address` and release",
                    problems.join("; ")
                );
            }
        }
        OrderAction::Hold(reason) => {
            put_on_hold(after, *reason, status);
            message = format!("{lbl}: on hold ({}), was {status}", reason.label());
        }
        OrderAction::Release => {
            if rules::holds_stock(to, None) {
                let shortages = stock::reserve_missing(st.tx, before, who)?;
                if !shortages.is_empty() {
                    let why = format!("still short of stock: {}", stock::describe(&shortages));
                    return Err(blocked(before, "release", why));
                }
            }
            after.hold_reason = None;
            after.held_from = None;
            message = format!("{lbl}: released, back to {to}");
        }
        OrderAction::Pick => message = format!("{lbl}: picking"),
        OrderAction::Pack { weight_g } => {
            after.weight_g = Some(i64::from(*weight_g));
            message = format!("{lbl}: packed, {weight_g} g");
        }
        OrderAction::Ship { carrier, tracking } => {
            stock::ship_all(st.tx, before, who).map_err(|e| match e {
                Error::Refused(r) => blocked(before, "ship", r.to_string()),
                e => e,
            })?;
            after.carrier = Some(carrier.trim().to_string());
            after.tracking_no = Some(tracking.trim().to_string());
            after.shipped_at = Some(at.clone());
            message = format!("{lbl}: shipped with {} {}", carrier.trim(), tracking.trim());
        }
        OrderAction::Deliver => {
            after.delivered_at = Some(at.clone());
            message = format!("{lbl}: delivered");
        }
        OrderAction::Complete => {
            let delivered = before
                .delivered_at
                .as_deref()
                .map(clock::parse_stamp)
                .transpose()?;
            let open = store::orders::open_tickets(st.tx, id)?;
            if let Some(why) = rules::completion_blocker(
                delivered,
                st.settings.return_window_days,
                now,
                open,
                shop_tz(st.settings)?,
            ) {
                return Err(blocked(before, "complete", why));
            }
            after.completed_at = Some(at.clone());
            message = format!("{lbl}: completed");
        }
        OrderAction::Cancel { reason } => {
            let reason = reason.trim();
            stock::release_all(st.tx, before, who, "cancelled")?;
            after.hold_reason = None;
            after.held_from = None;
            after.cancel_reason = Some(reason.to_string());
            after.cancelled_at = Some(at.clone());
            message = format!("{lbl}: cancelled ({reason})");
            if before.paid_at.is_some() {
                let paid = before
                    .items_minor
                    .checked_add(before.shipping_minor)
                    .ok_or_else(|| Error::Db(format!("{lbl}: the order total overflows")))?;
                let mut earlier: i64 = 0;
                for r in store::orders::refunds(st.tx, id)? {
                    earlier = earlier
                        .checked_add(r.amount_minor)
                        .ok_or_else(|| Error::Db(format!("{lbl}: the refunds overflow")))?;
                }
                let amount = paid.saturating_sub(earlier);
                if amount > 0 {
                    store::orders::insert_refund(
                        st.tx,
                        id,
                        amount,
                        &format!("cancelled: {reason}"),
                        who.actor,
                        &at,
                    )?;
                    message.push_str(&format!(
                        "; refund of {} recorded",
                        crate::domain::money::Money(amount).format(&st.settings.currency)
                    ));
                }
            }
        }
        OrderAction::MergeInto(_) | OrderAction::ChangeAddress => {}
    }
    let held = to == OrderStatus::OnHold || after.status == OrderStatus::OnHold;
    Ok(Applied::saved(message).attention(held && !matches!(action, OrderAction::Hold(_))))
}

/// `act_at` with the session's clock.
pub fn act(s: &mut Session, id: i64, expected_version: Option<i64>, action: &OrderAction) -> Result<Outcome> {
    let now = s.now()?;
    act_at(s, id, expected_version, action, now)
}

pub fn pay(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Pay)
}

pub fn approve(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Approve)
}

pub fn hold(s: &mut Session, id: i64, expected_version: Option<i64>, reason: HoldReason) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Hold(reason))
}

pub fn release(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Release)
}

pub fn pick(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Pick)
}

pub fn pack(s: &mut Session, id: i64, expected_version: Option<i64>, weight_g: u32) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Pack { weight_g })
}

pub fn ship(
    s: &mut Session,
    id: i64,
    expected_version: Option<i64>,
    carrier: &str,
    tracking: &str,
) -> Result<Outcome> {
    let action = OrderAction::Ship {
        carrier: carrier.to_string(),
        tracking: tracking.to_string(),
    };
    act(s, id, expected_version, &action)
}

pub fn deliver(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Deliver)
}

pub fn complete(s: &mut Session, id: i64, expected_version: Option<i64>) -> Result<Outcome> {
    act(s, id, expected_version, &OrderAction::Complete)
}

pub fn cancel(s: &mut Session, id: i64, expected_version: Option<i64>, reason: &str) -> Result<Outcome> {
    let action = OrderAction::Cancel {
        reason: reason.to_string(),
    };
    act(s, id, expected_version, &action)
}

/// Changes the shipping address of an order that has not shipped.
pub fn change_address(
    s: &mut Session,
    id: i64,
    expected_version: Option<i64>,
    change: &AddressChange,
) -> Result<Outcome> {
    let now = s.now()?;
    change_address_at(s, id, expected_version, change, now)
}

pub fn change_address_at(
    s: &mut Session,
    id: i64,
    expected_version: Option<i64>,
    change: &AddressChange,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let action = OrderAction::ChangeAddress;
    if change == &AddressChange::default() {
        return Err(Error::input(
            "nothing to change: give at least one of --name, --phone, --address, --city",
        ));
    }
    let name = action.name();
    let (after, applied) = workflow::run(
        s,
        permission(&action),
        name,
        id,
        expected_version,
        now,
        |_, before: &Order, after| {
            let (status, held_from) = status_of(before);
            rules::next(status, held_from, &action).map_err(|r| refused(before, r))?;
            let set = |field: &mut String, v: &Option<String>| {
                if let Some(v) = v {
                    *field = v.trim().to_string();
                }
            };
            set(&mut after.ship_name, &change.name);
            set(&mut after.ship_phone, &change.phone);
            set(&mut after.ship_address, &change.address);
            set(&mut after.ship_city, &change.city);
            let lbl = label(before);
            let same = after.ship_name == before.ship_name
                && after.ship_phone == before.ship_phone
                && after.ship_address == before.ship_address
                && after.ship_city == before.ship_city;
            if same {
                return Ok(Applied::unchanged(format!("{lbl}: address unchanged")));
            }
            let problems = rules::address_problems(
                &after.ship_name,
                &after.ship_phone,
                &after.ship_address,
                &after.ship_city,
            );
            let mut message = format!("{lbl}: address changed");
            if !problems.is_empty() {
                message.push_str(&format!("; still incomplete: {}", problems.join("; ")));
            }
            if after.hold_reason == Some(HoldReason::AddressProblem) {
                message.push_str("; release the hold when it is right");
            }
            Ok(Applied::saved(message))
        },
    )?;
    outcome(&after, name, applied.message)
}

/// Adds a tracking-timeline entry to a shipped or delivered order. The order
/// row does not change (its version stays); the audit row holds the event.
pub fn add_event(s: &mut Session, id: i64, expected_version: Option<i64>, ev: &NewEvent) -> Result<Outcome> {
    let now = s.now()?;
    add_event_at(s, id, expected_version, ev, now)
}

pub fn add_event_at(
    s: &mut Session,
    id: i64,
    expected_version: Option<i64>,
    ev: &NewEvent,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let (o, applied) = workflow::run(
        s,
        Permission::ManageOrders,
        "event",
        id,
        expected_version,
        now,
        |st, o: &Order, _| {
            let (status, _) = status_of(o);
            let lbl = label(o);
            if !status.has_tracking() {
                let why = format!("it is {status} (events need shipped or delivered)");
                return Err(blocked(o, "add a shipment event", why));
            }
            if ev.status.trim().is_empty() {
                return Err(Error::input(format!("{lbl}: a shipment event needs a status")));
            }
            let when = clock::stamp(ev.at);
            let row = store::orders::insert_event(
                st.tx,
                id,
                &when,
                ev.status.trim(),
                ev.location.trim(),
                ev.note.trim(),
            )?;
            audit(st.tx, st.who, "order", id, "event", None, Some(&row))?;
            let local = crate::domain::calendar::shop_minute(ev.at, shop_tz(st.settings)?);
            let message = format!("{lbl}: event at {local}: {} {}", row.status, row.location);
            Ok(Applied::unchanged(message.trim_end().to_string()))
        },
    )?;
    outcome(&o, "event", applied.message)
}
