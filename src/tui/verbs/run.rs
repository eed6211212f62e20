//! Executes verb jobs (called by the runtime for `Effect::Verb`): loads the
//! record a verb starts on, hands runs to the writer worker (or runs them in
//! line where there is none: tests), and reports what happened.

use super::VerbForm;
use super::{open_menu, selection, start};
use crate::Error;
use crate::ops::verbs::{self, Outcome, Values, VerbSpec};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Nav, Overlay};
use crate::tui::screens::Tab;

/// What to do once the record is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Start(&'static VerbSpec),
    /// Start a verb whose one field refers to another record of its kind,
    /// pointed at that record (merge two selected orders).
    StartWith(&'static VerbSpec, i64),
    Menu,
    Extra(Action),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Read the record, then go on if it is still at the version the screen
    /// showed (`shown`).
    Load { id: i64, shown: Option<i64>, then: Then },
    /// Run a verb on each (id, version shown), one transaction each. `form`
    /// is the form it came from: a conflict reopens it with what was typed.
    Run {
        verb: &'static VerbSpec,
        targets: Vec<(i64, Option<i64>)>,
        values: Values,
        form: Option<Box<VerbForm>>,
    },
    /// A screen's extra action (the pick list) on these records.
    Extra { action: Action, ids: Vec<i64> },
}

/// A verb run's results, as the writer sends them back.
pub type Results = Vec<(i64, crate::Result<Outcome>)>;

impl App {
    pub(crate) fn run_verb_job(&mut self, job: Job) -> crate::Result<()> {
        match job {
            Job::Load { id, shown, then } => {
                let Some(entity) = self.tab.verb_entity() else {
                    return match then {
                        Then::Extra(a) => self.tab.screen().run_extra(self, a, vec![id]),
                        _ => {
                            self.say(format!(
                                "no actions on {} yet (this screen is read-only)",
                                self.tab.title()
                            ));
                            Ok(())
                        }
                    };
                };
                let t = match verbs::load_target(&self.session.conn, entity, id, shown) {
                    Ok(t) => t,
                    Err(e @ Error::NotFound { .. }) => {
                        self.warn(e.to_string());
                        return self.reload_after_write();
                    }
                    // A change since the row was shown: say who, keep the screen.
                    Err(e) => {
                        let m = self.error_text(&e);
                        self.warn(m);
                        return Ok(());
                    }
                };
                let fx = match then {
                    Then::Start(v) => start(self, v, t),
                    Then::StartWith(v, other) => {
                        let fx = start(self, v, t);
                        if let Some(Overlay::Form(f)) = &mut self.overlay {
                            f.point_at(&self.session.conn, other);
                        }
                        fx
                    }
                    Then::Menu => {
                        let ids = selection(self);
                        open_menu(self, Some(t), ids);
                        Vec::new()
                    }
                    Then::Extra(a) => return self.tab.screen().run_extra(self, a, vec![t.id]),
                };
                self.run(fx);
            }
            Job::Run {
                verb,
                targets,
                values,
                form,
            } => match &self.writer {
                Some(w) => {
                    // The status bar shows "saving…" while any is in flight.
                    if w.send(verb, targets, values, form) {
                        self.saving += 1;
                    } else {
                        self.warn("the writer has stopped: nothing was saved (see the log)");
                    }
                }
                None => {
                    let res = run_on(&mut self.session, verb, &targets, &values);
                    self.verb_done(verb, res, form)?;
                }
            },
            Job::Extra { action, ids } => self.tab.screen().run_extra(self, action, ids)?,
        }
        Ok(())
    }

    /// Shows what a verb run did and re-reads what it changed.
    pub(crate) fn verb_done(
        &mut self,
        verb: &'static VerbSpec,
        res: Results,
        form: Option<Box<VerbForm>>,
    ) -> crate::Result<()> {
        if let [(id, r)] = res.as_slice() {
            match r {
                Ok(o) if o.attention => self.warn(short(&o.message)),
                Ok(o) => self.say(short(&o.message)),
                // What was typed is kept: the form comes back on the record
                // as it is now, saying who changed it; Enter saves again.
                Err(e @ Error::Conflict(_)) if form.is_some() && self.overlay.is_none() => {
                    let m = self.error_text(e);
                    match (
                        form,
                        verbs::load_target(&self.session.conn, verb.entity, *id, None),
                    ) {
                        (Some(f), Ok(t)) => {
                            self.overlay = Some(Overlay::Form(Box::new(super::forms::reopen(*f, t, &m))));
                            self.warn(m);
                        }
                        (_, Err(e2)) => self.warn(format!("{m}; {e2}")),
                        (None, _) => self.warn(m),
                    }
                    return self.reload_after_write();
                }
                // Keep the screen as it was: the person sees what they
                // acted on, and `r` reloads.
                Err(e @ Error::Conflict(_)) => {
                    let m = self.error_text(e);
                    self.warn(m);
                    return Ok(());
                }
                Err(e) => self.warn(short(&e.to_string())),
            }
            return self.reload_after_write();
        }
        let (msg, bad) = batch_message(verb.done, &res);
        for (id, r) in &res {
            if let Err(e) = r {
                tracing::info!("batch {}: {} {id}: {e}", verb.name, verb.entity);
            }
        }
        if bad {
            self.warn(msg)
        } else {
            self.say(msg)
        }
        // A batch is done with its selection: what it acted on may have left
        // the view, and acting on it again must be a new choice.
        let tab = self.tab;
        if let Some(lv) = self.list_mut(tab) {
            lv.selected.clear();
        }
        self.reload_after_write()
    }

    /// A refusal or conflict for the status bar: a conflict names who and
    /// when in shop time (just the clock time when it is today).
    pub(crate) fn error_text(&self, e: &Error) -> String {
        match e {
            Error::Conflict(c) => match &c.by {
                Some((actor, at)) => {
                    let full = self.fmt.time(at);
                    let today = self.fmt.today().format("%Y-%m-%d ").to_string();
                    let when = full.strip_prefix(&today).unwrap_or(&full);
                    format!(
                        "{} {} was changed by {actor} at {when} — r reloads",
                        c.entity, c.id
                    )
                }
                None => format!("{} {} was changed by someone else — r reloads", c.entity, c.id),
            },
            e => short(&e.to_string()),
        }
    }

    /// Re-reads the visible page and the open record at once; other lists
    /// (stock moved, a ticket's order changed) reload when next shown.
    pub(crate) fn reload_after_write(&mut self) -> crate::Result<()> {
        self.refresh_clock();
        let tab = self.tab;
        if let Some(lv) = self.list(tab)
            && lv.loaded
        {
            self.navigate(tab, Nav::Reload)?;
        }
        if self.detail(tab).is_some() {
            self.run(vec![Effect::ReloadDetail(tab)]);
        }
        for t in Tab::LISTS {
            let lv = &mut self.lists[t.index()];
            if t != tab && lv.loaded {
                lv.stale = true;
            }
        }
        // A view over the screen that shows what was written re-reads too.
        if matches!(self.overlay, Some(Overlay::Settlement(_)))
            && let Some(Overlay::Settlement(v)) = self.overlay.take()
        {
            let v = crate::tui::overlays::settlement::reload(self, v);
            self.overlay = Some(Overlay::Settlement(v));
        }
        Ok(())
    }
}

/// Runs `verb` on each target (the writer and the in-line path share it).
pub fn run_on(
    s: &mut crate::ops::Session,
    verb: &'static VerbSpec,
    targets: &[(i64, Option<i64>)],
    values: &Values,
) -> Results {
    verbs::run_many(s, verb, targets, values)
}

/// "approved 9 of 10; 1 refused: order 1042: cannot approve: …", and
/// whether anything went wrong (needs attention or refused).
pub fn batch_message(verb: &str, res: &Results) -> (String, bool) {
    let n = res.len();
    let mut held = Vec::new();
    let mut refused = Vec::new();
    let mut ok = 0;
    for (_, r) in res {
        match r {
            Ok(o) if o.attention => held.push(short(&o.message)),
            Ok(_) => ok += 1,
            Err(e) => refused.push(short(&e.to_string())),
        }
    }
    let mut msg = format!("{verb} {ok} of {n}");
    for (what, list) in [("need attention", &held), ("refused", &refused)] {
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
