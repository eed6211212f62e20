//! The Settlement view (SPEC §4.6, docs/settlement.md; `$` on Merchants,
//! `settlement` in the palette): statements by period and state, a
//! statement's totals, lines and refund charges; `e` the statement's CSV,
//! `f` the state shown, `r` reload, `a` the action menu. Its verbs are the
//! verb table's `settlement` rows (`ops::settlement::VERBS`): their keys
//! come from the `[settlement]` keymap table, their labels, refusals (role,
//! state), confirmation and field checks from the rows, and they run on the
//! writer worker like every other verb ("saving…", then the view re-reads).

mod render;

pub use render::{lines, render};

use crate::domain::settlement::StatementStatus;
use crate::ops::settlement::{self as settle, Detail, Listed, Statement};
use crate::ops::verbs::{self, Entity, Target, Values, VerbSpec};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::keymap::Context;

/// What the keys do right now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Browse,
    /// The action menu, its cursor.
    Menu(usize),
    /// A verb without fields awaiting y/n (its row's `confirm`).
    Confirm(&'static VerbSpec, Box<Target>),
    /// Typing the one field of a verb (pay: the bank reference).
    Field(&'static VerbSpec, Box<Target>, String),
}

#[derive(Debug, Clone, Default)]
pub struct SettlementView {
    pub rows: Vec<Listed>,
    pub selected: usize,
    /// The state shown (`None`: all).
    pub filter: Option<StatementStatus>,
    /// The open statement.
    pub open: Option<Box<Detail>>,
    pub scroll: usize,
    pub mode: Mode,
}

impl SettlementView {
    /// Typing text (the bank reference) takes letters the list keys use.
    pub fn takes_text(&self) -> bool {
        matches!(self.mode, Mode::Field(..))
    }

    fn current(&self) -> Option<&Statement> {
        match &self.open {
            Some(d) => Some(&d.statement),
            None => self.rows.get(self.selected).map(|l| &l.statement),
        }
    }
}

/// One entry of the action menu: a verb of the table or the CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Verb(&'static VerbSpec),
    Export,
}

struct Entry {
    key: String,
    label: String,
    /// Why it cannot run on the current statement (role or state).
    why: Option<String>,
    pick: Pick,
}

/// The statement as the view shows it, for the availability check (no
/// read: the menu is drawn every frame).
fn shown_target(st: &Statement) -> Target {
    Target {
        entity: Entity::Settlement,
        id: st.id,
        version: st.version,
        name: format!("statement {}", st.id),
        note: String::new(),
        prefill: Vec::new(),
        state: vec![st.status.clone()],
    }
}

fn menu(app: &App, v: &SettlementView) -> Vec<Entry> {
    let role = app.session.actor.role;
    let shown = v.current().map(shown_target);
    let mut out: Vec<Entry> = verbs::of(Entity::Settlement)
        .map(|verb| Entry {
            key: Action::of_verb(verb)
                .and_then(|a| app.keymap.key_for(&[Context::Settlement], a))
                .unwrap_or_default(),
            label: verb.label.to_string(),
            why: shown
                .as_ref()
                .and_then(|t| verb.unavailable(role, t))
                .map(|r| super::super::verbs::refusal_why(&r)),
            pick: Pick::Verb(verb),
        })
        .collect();
    out.push(Entry {
        key: "e".into(),
        label: "export CSV for the merchant".into(),
        why: None,
        pick: Pick::Export,
    });
    out
}

/// Opens the view (the statements list: one small table).
pub fn open(app: &mut App, filter: Option<StatementStatus>) {
    match settle::list(&app.session.conn, None, filter) {
        Ok(rows) => {
            app.overlay = Some(Overlay::Settlement(Box::new(SettlementView {
                rows,
                filter,
                ..SettlementView::default()
            })));
        }
        Err(e) => app.warn(format!("settlement: {e}")),
    }
}

/// A settlement verb chosen outside the view (the palette): the view opens
/// so a statement can be chosen.
pub fn host(app: &mut App, verb: &'static VerbSpec) {
    open(app, None);
    let key = Action::of_verb(verb)
        .and_then(|a| app.keymap.key_for(&[Context::Settlement], a))
        .map(|k| format!(", then {k}"))
        .unwrap_or_default();
    app.say(format!(
        "{}: choose a statement{key}",
        verb.label.trim_end_matches('…')
    ));
}

/// Re-reads the list (and the open statement), keeping the selection.
pub fn reload(app: &mut App, mut v: Box<SettlementView>) -> Box<SettlementView> {
    let keep = v.rows.get(v.selected).map(|l| l.statement.id);
    match settle::list(&app.session.conn, None, v.filter) {
        Ok(rows) => {
            v.selected = keep
                .and_then(|id| rows.iter().position(|l| l.statement.id == id))
                .unwrap_or(0)
                .min(rows.len().saturating_sub(1));
            v.rows = rows;
        }
        Err(e) => app.warn(format!("settlement: {e}")),
    }
    if let Some(id) = v.open.as_ref().map(|d| d.statement.id) {
        v.open = settle::detail(&app.session.conn, id).ok().flatten().map(Box::new);
    }
    v
}

/// A key of `[settlement]` (or of `[form]` while typing a field).
pub fn key(app: &mut App, mut v: Box<SettlementView>, a: Action) -> Vec<Effect> {
    let n = v.rows.len();
    let entries = menu(app, &v).len();
    let mut fx = Vec::new();
    match (&mut v.mode, a) {
        (Mode::Field(..) | Mode::Confirm(..), Action::Cancel | Action::Back) => {
            v.mode = Mode::Browse;
            app.say("nothing changed");
        }
        (Mode::Field(_, _, r), Action::DeleteBack) => {
            r.pop();
        }
        (Mode::Field(_, _, r), Action::ClearInput) => r.clear(),
        (Mode::Field(verb, t, r), Action::Submit) => {
            let (verb, t, raw) = (*verb, t.clone(), r.clone());
            match field_values(app, verb, &raw) {
                Ok(values) => {
                    v.mode = Mode::Browse;
                    fx = run(verb, &t, values);
                }
                // The field stays open with what was typed.
                Err(e) => app.warn(e),
            }
        }
        (Mode::Confirm(verb, t), Action::Submit) => {
            fx = run(verb, t, Values::default());
            v.mode = Mode::Browse;
        }
        (Mode::Menu(i), Action::Down) => *i = (*i + 1).min(entries.saturating_sub(1)),
        (Mode::Menu(i), Action::Up) => *i = i.saturating_sub(1),
        (Mode::Menu(i), Action::Submit) => {
            let i = *i;
            v.mode = Mode::Browse;
            let entries = menu(app, &v);
            match entries.get(i) {
                Some(Entry { why: Some(why), .. }) => app.warn(why.clone()),
                Some(Entry {
                    pick: Pick::Verb(verb),
                    ..
                }) => (v, fx) = start(app, v, verb),
                Some(Entry {
                    pick: Pick::Export, ..
                }) => export(app, &v),
                None => {}
            }
        }
        (Mode::Menu(_), Action::Cancel | Action::Back) => v.mode = Mode::Browse,
        // A verb's key, on the list, the statement or its menu entry.
        (Mode::Browse | Mode::Menu(_), a)
            if a.verb().is_some_and(|verb| verb.entity == Entity::Settlement) =>
        {
            v.mode = Mode::Browse;
            if let Some(verb) = a.verb() {
                (v, fx) = start(app, v, verb);
            }
        }
        (Mode::Browse, Action::Cancel | Action::Back) if v.open.is_some() => {
            v.open = None;
            v.scroll = 0;
        }
        (Mode::Browse, Action::Cancel | Action::Back | Action::Quit) => return fx,
        (Mode::Browse, Action::Submit) if v.open.is_none() => {
            if let Some(id) = v.rows.get(v.selected).map(|l| l.statement.id) {
                match settle::detail(&app.session.conn, id) {
                    Ok(d) => v.open = d.map(Box::new),
                    Err(e) => app.warn(format!("statement {id}: {e}")),
                }
                v.scroll = 0;
            }
        }
        (Mode::Browse, Action::Down) if v.open.is_some() => v.scroll += 1,
        (Mode::Browse, Action::Up) if v.open.is_some() => v.scroll = v.scroll.saturating_sub(1),
        (Mode::Browse, Action::Down) => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
        (Mode::Browse, Action::Up) => v.selected = v.selected.saturating_sub(1),
        (Mode::Browse, Action::FirstRow) => v.selected = 0,
        (Mode::Browse, Action::LastRow) => v.selected = n.saturating_sub(1),
        _ => {}
    }
    app.overlay = Some(Overlay::Settlement(v));
    fx
}

/// The one field of `verb` as typed, checked by the table's parser (the
/// CLI's too).
fn field_values(app: &App, verb: &'static VerbSpec, raw: &str) -> Result<Values, String> {
    let Some(f) = verb.fields.first() else {
        return Ok(Values::default());
    };
    Values::parse(verb, &[(f.name, raw.to_string())], &app.session.settings.timezone)
        .map_err(|e| format!("{}: {e}", f.label))
}

/// Starts `verb` on the current statement: loads it at the version shown
/// (a change since is a conflict naming who), refuses it (role, state), or
/// asks for its field or its confirmation.
fn start(
    app: &mut App,
    mut v: Box<SettlementView>,
    verb: &'static VerbSpec,
) -> (Box<SettlementView>, Vec<Effect>) {
    let Some((id, shown)) = v.current().map(|st| (st.id, st.version)) else {
        app.say("no statement here to act on");
        return (v, Vec::new());
    };
    // The role first: it needs no read, and its message names no statement.
    if let Some(r) = verb.role_refusal(app.session.actor.role) {
        app.warn(r.to_string());
        return (v, Vec::new());
    }
    let t = match verbs::load_target(&app.session.conn, Entity::Settlement, id, Some(shown)) {
        Ok(t) => t,
        Err(e) => {
            let m = app.error_text(&e);
            app.warn(m);
            return (v, Vec::new());
        }
    };
    if let Some(r) = verb.unavailable(app.session.actor.role, &t) {
        app.warn(super::super::verbs::refusal_text(&r, &t));
        return (v, Vec::new());
    }
    match (verb.fields, verb.confirm) {
        ([], Some(_)) => v.mode = Mode::Confirm(verb, Box::new(t)),
        ([], None) => return (v, run(verb, &t, Values::default())),
        ([_], _) => v.mode = Mode::Field(verb, Box::new(t), String::new()),
        _ => app.warn(format!(
            "{}: the settlement view takes one field; use `shopdesk settlement {}`",
            verb.label,
            verb.cli_path()
        )),
    }
    (v, Vec::new())
}

/// The run, on the writer worker, at the version the view showed.
fn run(verb: &'static VerbSpec, t: &Target, values: Values) -> Vec<Effect> {
    vec![Effect::Verb(Box::new(super::super::verbs::Job::Run {
        verb,
        targets: vec![(t.id, Some(t.version))],
        values,
        form: None,
    }))]
}

/// A typed key: the letters of the view, or the field being typed.
pub fn typed(app: &mut App, s: &str) {
    let Some(Overlay::Settlement(mut v)) = app.overlay.take() else {
        return;
    };
    let has_current = v.current().is_some();
    let mut fx = Vec::new();
    match (&mut v.mode, s) {
        (Mode::Field(_, _, r), _) => r.push_str(s),
        (Mode::Confirm(verb, t), "y") => {
            fx = run(verb, t, Values::default());
            v.mode = Mode::Browse;
        }
        (Mode::Confirm(..), "n") => {
            v.mode = Mode::Browse;
            app.say("answered no: nothing changed");
        }
        (Mode::Menu(_), k) => {
            let hit = menu(app, &v).iter().position(|e| !e.key.is_empty() && e.key == k);
            if let Some(i) = hit {
                v.mode = Mode::Menu(i);
                app.overlay = Some(Overlay::Settlement(v));
                return app.dispatch(Action::Submit);
            }
        }
        (Mode::Browse, "a") if has_current => v.mode = Mode::Menu(0),
        (Mode::Browse, "e") => export(app, &v),
        (Mode::Browse, "f") => {
            v.filter = match v.filter {
                None => Some(StatementStatus::Draft),
                Some(StatementStatus::Draft) => Some(StatementStatus::Confirmed),
                Some(StatementStatus::Confirmed) => Some(StatementStatus::Paid),
                Some(StatementStatus::Paid) => None,
            };
            v.selected = 0;
            v.open = None;
            v = reload(app, v);
        }
        (Mode::Browse, "r") => v = reload(app, v),
        _ => {}
    }
    app.overlay = Some(Overlay::Settlement(v));
    app.run(fx);
}

/// Writes the current statement's CSV beside the other exports.
fn export(app: &mut App, v: &SettlementView) {
    let Some(id) = v.current().map(|s| s.id) else {
        return;
    };
    let dir = app
        .export_dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let path = dir.join(format!("statement-{id}.csv"));
    let r = settle::detail(&app.session.conn, id).and_then(|d| {
        let d = d.ok_or_else(|| crate::Error::not_found("statement", id))?;
        let f = crate::identity::create_for_caller(&path, true)
            .map_err(|e| crate::Error::input(format!("{}: cannot create: {e}", path.display())))?;
        settle::export::statement_csv(&app.session, &d, f)
    });
    match r {
        Ok(n) => app.say(format!("statement {id}: {n} rows written to {}", path.display())),
        Err(e) => app.warn(format!("statement {id}: {e}")),
    }
}
