//! Executes order jobs (called by the runtime for `Effect::Order`): loads
//! the order an action starts on, calls the workflow, says what happened and
//! reloads the list row and the detail view.

use super::{Op, Target, open_menu, start};
use crate::ops::orders::{self, AddressChange, BatchResult, NewEvent, Outcome};
use crate::tui::app::{App, Effect, Nav};
use crate::tui::screens::Tab;
use crate::{Error, Result};

/// What to do once the cursor order is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Start(Op),
    Menu,
}

/// One workflow call on one order, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneAct {
    Pay,
    Approve,
    Hold(crate::domain::order::HoldReason),
    Release,
    Pick,
    Pack(u32),
    Ship(String, String),
    Event {
        status: String,
        location: String,
        note: String,
    },
    Deliver,
    Complete,
    Cancel(String),
    Address(AddressChange),
    Merge(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Read the order under the cursor, then go on if it is still the
    /// version the list showed (`shown`).
    Load { id: i64, shown: Option<i64>, then: Then },
    One {
        id: i64,
        version: Option<i64>,
        act: OneAct,
    },
    /// Approve or pick each of `ids`, one transaction each.
    Batch { op: Op, ids: Vec<i64> },
    /// Pick list and packing slips for `ids`.
    Print { ids: Vec<i64> },
}

impl App {
    pub(crate) fn run_order(&mut self, job: Job) -> Result<()> {
        match job {
            Job::Load { id, shown, then } => {
                let d = crate::store::lists::orders::detail(&self.session.conn, id)?;
                let Some(t) = d.as_ref().and_then(Target::from_detail) else {
                    self.warn(format!("order {id} no longer exists or has an unknown status"));
                    return self.reload_orders();
                };
                if shown.is_some_and(|v| v != t.version) {
                    let e = crate::store::conflict(&self.session.conn, "order", "orders", id);
                    let m = self.conflict_text(&e.to_string());
                    self.warn(m);
                    return Ok(());
                }
                let fx = match then {
                    Then::Start(op) => start(self, op, t),
                    Then::Menu => {
                        let ids = super::selection(self);
                        open_menu(self, Some(t), ids);
                        Vec::new()
                    }
                };
                self.run(fx);
            }
            Job::One { id, version, act } => {
                let s = &mut self.session;
                let r = match act {
                    OneAct::Pay => orders::pay(s, id, version),
                    OneAct::Approve => orders::approve(s, id, version),
                    OneAct::Hold(reason) => orders::hold(s, id, version, reason),
                    OneAct::Release => orders::release(s, id, version),
                    OneAct::Pick => orders::pick(s, id, version),
                    OneAct::Pack(g) => orders::pack(s, id, version, g),
                    OneAct::Ship(carrier, tracking) => orders::ship(s, id, version, &carrier, &tracking),
                    OneAct::Event {
                        status,
                        location,
                        note,
                    } => s.now().and_then(|at| {
                        let ev = NewEvent {
                            at,
                            status,
                            location,
                            note,
                        };
                        orders::add_event(s, id, version, &ev)
                    }),
                    OneAct::Deliver => orders::deliver(s, id, version),
                    OneAct::Complete => orders::complete(s, id, version),
                    OneAct::Cancel(reason) => orders::cancel(s, id, version, &reason),
                    OneAct::Address(change) => orders::change_address(s, id, version, &change),
                    OneAct::Merge(into) => orders::merge(s, id, into, version),
                };
                match r {
                    Ok(o) => {
                        self.tell(&o);
                        self.reload_orders()?;
                    }
                    // Keep the screen as it was: the person sees what they
                    // acted on, and `r` reloads.
                    Err(Error::Conflict(m)) => {
                        let m = self.conflict_text(&m);
                        self.warn(m)
                    }
                    Err(e) => {
                        self.warn(short(&e.to_string()));
                        self.reload_orders()?;
                    }
                }
            }
            Job::Batch { op, ids } => {
                let res = match op {
                    Op::Pick => orders::pick_many(&mut self.session, &ids),
                    _ => orders::approve_many(&mut self.session, &ids),
                };
                let verb = if op == Op::Pick {
                    "moved to picking"
                } else {
                    "approved"
                };
                let (msg, bad) = batch_message(verb, &res);
                for (id, r) in &res {
                    if let Err(e) = r {
                        tracing::info!("batch {verb}: order {id}: {e}");
                    }
                }
                if bad {
                    self.warn(msg)
                } else {
                    self.say(msg)
                }
                self.reload_orders()?;
            }
            Job::Print { ids } => {
                let dir = self.export_dir.clone().unwrap_or_else(crate::config::output_dir);
                match orders::pick_documents(&self.session, &ids, &dir) {
                    Ok(r) => {
                        let first = r
                            .paths
                            .first()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        let mut msg = format!(
                            "pick list for {} order{} written to {first} (+{} more files in {})",
                            r.included.len(),
                            if r.included.len() == 1 { "" } else { "s" },
                            r.paths.len().saturating_sub(1),
                            dir.display()
                        );
                        if let Some((_, why)) = r.skipped.first() {
                            msg.push_str(&format!("; {} skipped: {}", r.skipped.len(), short(why)));
                            self.warn(msg);
                        } else {
                            self.say(msg);
                        }
                    }
                    Err(e) => self.warn(short(&e.to_string())),
                }
            }
        }
        Ok(())
    }

    /// "order 1042 was changed by lin at 14:03 — r reloads": the store's
    /// conflict message with the time in the shop's zone (just the clock
    /// time when it is today), short enough for an 80-column status bar.
    fn conflict_text(&self, m: &str) -> String {
        let Some((head, rest)) = m.split_once(" at ") else {
            return m.to_string();
        };
        let stamp = rest.split(' ').next().unwrap_or("");
        if chrono::DateTime::parse_from_rfc3339(stamp).is_err() {
            return m.to_string();
        }
        let full = self.fmt.time(stamp);
        let today = self.fmt.today().format("%Y-%m-%d ").to_string();
        let when = full.strip_prefix(&today).unwrap_or(&full);
        format!("{head} at {when} — r reloads")
    }

    /// The workflow's own message; a hold (asked for or not) is a warning.
    fn tell(&mut self, o: &Outcome) {
        if o.held() && o.action != "hold" {
            self.warn(short(&o.message));
        } else {
            self.say(short(&o.message));
        }
    }

    /// Re-reads the visible orders page and the open order, at once; other
    /// lists (stock moved) reload when next shown.
    fn reload_orders(&mut self) -> Result<()> {
        self.refresh_clock();
        let tab = Tab::Orders;
        if self.lists[tab.index()].loaded {
            self.navigate(tab, Nav::Reload)?;
        }
        if self.detail(tab).is_some() {
            self.run(vec![Effect::ReloadDetail(tab)]);
        }
        for t in [Tab::Products, Tab::Merchants, Tab::Tickets] {
            let lv = &mut self.lists[t.index()];
            if lv.loaded {
                lv.stale = true;
            }
        }
        Ok(())
    }
}

/// "approved 9 of 10; 1 refused: order 1042 (…): cannot approve: …", and
/// whether anything went wrong (held or refused).
pub fn batch_message(verb: &str, res: &BatchResult) -> (String, bool) {
    let n = res.len();
    let mut held = Vec::new();
    let mut refused = Vec::new();
    let mut ok = 0;
    for (_, r) in res {
        match r {
            Ok(o) if o.held() => held.push(short(&o.message)),
            Ok(_) => ok += 1,
            Err(e) => refused.push(short(&e.to_string())),
        }
    }
    let mut msg = format!("{verb} {ok} of {n}");
    for (what, list) in [("put on hold", &held), ("refused", &refused)] {
        if let Some(first) = list.first() {
            msg.push_str(&format!("; {} {what}: {first}", list.len()));
            if list.len() > 1 {
                msg.push_str(&format!(" (+{} more, see the log)", list.len() - 1));
            }
        }
    }
    (msg, !held.is_empty() || !refused.is_empty())
}

/// Drops the channel and external id from workflow messages, which the
/// status bar has no room for: "order 1042 (tmall:TM123): shipped" becomes
/// "order 1042: shipped" (the row and the detail view show the rest).
pub fn short(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("order ") {
        let (head, tail) = rest.split_at(i + "order ".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let (id, after) = tail.split_at(digits);
        out.push_str(id);
        rest = after;
        if digits > 0
            && let Some(inner) = after.strip_prefix(" (")
            && let Some(end) = inner.find(')')
            && inner[..end].contains(':')
        {
            rest = &inner[end + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_drops_channel_and_external_id() {
        assert_eq!(
            short("order 7 (jd:JD1): cannot merge into order 9 (jd:JD2): differ (phone)"),
            "order 7: cannot merge into order 9: differ (phone)"
        );
        assert_eq!(
            short("order 12 was changed by lin"),
            "order 12 was changed by lin"
        );
        assert_eq!(short("order (x)"), "order (x)");
    }
}
