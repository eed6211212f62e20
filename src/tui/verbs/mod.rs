//! The generic verb UI: every workflow verb of the verb table (`ops::verbs`)
//! on the cursor row, the record in the detail view, or the Space selection.
//! Nothing here names an entity: a screen offers verbs by having an entity
//! (`Tab::verb_entity`), and extra non-verb actions (`Tab::extras`).
//!
//! A verb's key resolves to `Action::Verb`; `update` loads the record as a
//! [`Target`] (refusing a change since the row was shown), then runs the
//! verb, or opens its form, its choice menu or its y/n confirmation. Runs
//! go to the writer worker (`writer.rs`) so a save waiting on another
//! session's lock never holds up the keys.

mod forms;
mod run;

pub use forms::{VerbForm, footer};
pub use run::{Job, Results, Then, batch_message, run_on, short};

use crate::domain::Refusal;
use crate::ops::verbs::{self, Entity, FieldKind, Target, VerbSpec};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::overlays::menu::{self, Item, Menu};

/// What a menu entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    One(&'static VerbSpec),
    Batch(&'static VerbSpec),
    /// A screen's extra action (not a verb), on the target or the selection.
    Extra(Action),
    /// A value of the verb's only field (the hold reasons).
    Choice(&'static VerbSpec, &'static str),
}

/// The `a` action menu or a verb's choice menu, with what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbMenu {
    pub menu: Menu<Pick>,
    pub target: Option<Target>,
    /// The selection: (id, version its row showed).
    pub ids: Vec<(i64, Option<i64>)>,
}

/// "3 selected", or "3 selected, 2 not shown" when some selected rows are
/// not in the rows on screen (another filter, another page): what a batch
/// will act on, said where the selection is shown. None without a selection.
pub fn selection_label(app: &App) -> Option<String> {
    let lv = app.list(app.tab)?;
    let n = lv.selected.len();
    if n == 0 {
        return None;
    }
    let shown = lv.rows.iter().filter(|r| lv.selected.contains_key(&r.id)).count();
    Some(if shown < n {
        format!("{n} selected, {} not shown", n - shown)
    } else {
        format!("{n} selected")
    })
}

/// The selection named for the action menu: "order 1 (TM…), order 12 (…)"
/// (the first few, read now), so the menu says what a batch acts on.
fn selection_names(app: &App, ids: &[(i64, Option<i64>)]) -> String {
    const NAMED: usize = 4;
    let Some(entity) = app.tab.verb_entity() else {
        return String::new();
    };
    let mut names: Vec<String> = ids
        .iter()
        .take(NAMED)
        .map(
            |(id, _)| match verbs::load_target(&app.session.conn, entity, *id, None) {
                Ok(t) => t.name,
                Err(_) => format!("{entity} {id} (gone)"),
            },
        )
        .collect();
    if ids.len() > NAMED {
        names.push(format!("and {} more", ids.len() - NAMED));
    }
    names.join(", ")
}

/// Whether `update` should hand `a` to this module.
pub fn handles(app: &App, a: Action) -> bool {
    a.verb().is_some()
        || (a == Action::BulkActions && has_actions(app))
        || app.tab.screen().extras().iter().any(|e| e.action == a)
}

/// Whether the current screen has verbs or extra actions.
pub fn has_actions(app: &App) -> bool {
    app.tab.verb_entity().is_some() || !app.tab.screen().extras().is_empty()
}

/// The selection of the current list with the version each row showed.
pub fn selection(app: &App) -> Vec<(i64, Option<i64>)> {
    app.list(app.tab)
        .map(|lv| lv.selected.iter().map(|(id, v)| (*id, *v)).collect())
        .unwrap_or_default()
}

pub fn update(app: &mut App, a: Action) -> Vec<Effect> {
    // Statements have no screen of their own: their view opens to choose one.
    if let Some(v) = a.verb()
        && v.entity == Entity::Settlement
    {
        crate::tui::overlays::settlement::host(app, v);
        return vec![];
    }
    if let Some(v) = a.verb()
        && app.tab.verb_entity() != Some(v.entity)
    {
        let tab = crate::tui::screens::Tab::of_entity(v.entity);
        let key = app
            .keymap
            .key_for(&[crate::tui::keymap::Context::Global], tab.action());
        app.warn(format!(
            "{} actions work on the {} screen{}",
            v.entity,
            tab.title(),
            key.map(|k| format!(" (press {k})")).unwrap_or_default()
        ));
        return vec![];
    }
    let ids = selection(app);
    let batch_like = a.verb().is_some_and(|v| v.batch)
        || app
            .tab
            .screen()
            .extras()
            .iter()
            .any(|e| e.action == a && e.batch.is_some());
    if app.detail(app.tab).is_none() && batch_like && !ids.is_empty() {
        return batch(app, a, ids);
    }
    if app.detail(app.tab).is_none()
        && ids.len() > 1
        && let Some(v) = a.verb()
        && joins(v)
    {
        return join_selection(app, v, ids);
    }
    let then = match a.verb() {
        Some(v) => Then::Start(v),
        None if a == Action::BulkActions => Then::Menu,
        None => Then::Extra(a),
    };
    let shown = match app.detail(app.tab) {
        Some(d) => Some((d.id, d.data.version())),
        None => app
            .list(app.tab)
            .and_then(|lv| lv.current())
            .map(|r| (r.id, r.version)),
    };
    match shown {
        Some((id, shown)) => job(Job::Load { id, shown, then }),
        None if then == Then::Menu && !ids.is_empty() => {
            open_menu(app, None, ids);
            vec![]
        }
        None => {
            app.say("nothing here to act on (the list is empty)");
            vec![]
        }
    }
}

/// A verb that joins two records of its kind: its one field refers to its
/// own entity (merge).
fn joins(v: &VerbSpec) -> bool {
    matches!(v.fields, [f] if f.kind == FieldKind::Ref(v.entity))
}

/// A joining verb with rows selected acts on the selection, not on the
/// cursor row: with two selected, the one under the cursor (else the newer)
/// goes into the other; more than two are refused, naming the selection.
/// (Other one-record verbs act on the cursor row; batch verbs on the
/// selection.)
fn join_selection(app: &mut App, v: &'static VerbSpec, ids: Vec<(i64, Option<i64>)>) -> Vec<Effect> {
    let cursor = app.list(app.tab).and_then(|lv| lv.current()).map(|r| r.id);
    if let [a, b] = ids.as_slice() {
        let (this, other) = if cursor == Some(a.0) || (cursor != Some(b.0) && a.0 > b.0) {
            (a, b)
        } else {
            (b, a)
        };
        return job(Job::Load {
            id: this.0,
            shown: this.1,
            then: Then::StartWith(v, other.0),
        });
    }
    let clear = app
        .keymap
        .key_for(&app.context_stack(), Action::ClearSelection)
        .map(|k| format!(" ({k} clears it)"))
        .unwrap_or_default();
    let what = selection_label(app).unwrap_or_default();
    app.warn(format!(
        "{} works on one {e} or two selected {e}s: {what}{clear}",
        v.label.trim_end_matches('…'),
        e = v.entity
    ));
    vec![]
}

fn job(j: Job) -> Vec<Effect> {
    vec![Effect::Verb(Box::new(j))]
}

/// A batch verb or extra on the selection.
fn batch(app: &mut App, a: Action, ids: Vec<(i64, Option<i64>)>) -> Vec<Effect> {
    match a.verb() {
        Some(v) => {
            if let Some(r) = v.role_refusal(app.session.actor.role) {
                app.warn(r.to_string());
                return vec![];
            }
            job(Job::Run {
                verb: v,
                targets: ids,
                values: verbs::Values::default(),
                form: None,
            })
        }
        None => job(Job::Extra {
            action: a,
            ids: ids.into_iter().map(|(id, _)| id).collect(),
        }),
    }
}

/// Starts `v` on one record: refuses it (role, state), or runs it, or opens
/// its choice menu, form or confirmation.
pub fn start(app: &mut App, v: &'static VerbSpec, t: Target) -> Vec<Effect> {
    if let Some(r) = v.unavailable(app.session.actor.role, &t) {
        app.warn(refusal_text(&r, &t));
        return vec![];
    }
    if let [f] = v.fields
        && let FieldKind::Choice(options) = f.kind
    {
        let items = options
            .iter()
            .enumerate()
            .map(|(i, o)| Item::new((i + 1).to_string(), o.replace('_', " "), None, Pick::Choice(v, o)))
            .collect();
        let title = format!("{} {} — {}?", v.name.replace('_', " "), t.name, f.label);
        app.overlay = Some(Overlay::Menu(Box::new(VerbMenu {
            menu: Menu::new(title, items),
            target: Some(t),
            ids: Vec::new(),
        })));
        return vec![];
    }
    if v.fields.is_empty() {
        let run = Effect::Verb(Box::new(Job::Run {
            verb: v,
            targets: vec![(t.id, Some(t.version))],
            values: verbs::Values::default(),
            form: None,
        }));
        return confirm_or_run(app, v, &t, &verbs::Values::default(), run);
    }
    app.overlay = Some(Overlay::Form(Box::new(forms::build(app, v, t))));
    vec![]
}

/// Why a verb cannot run on `t`, for the status bar: "order 7 (…): cannot
/// pick: it is on hold, needs approved".
pub fn refusal_text(r: &Refusal, t: &Target) -> String {
    match r {
        r @ Refusal::NotAllowed { .. } => format!("{}: {r}", t.name),
        r => r.clone().about(t.name.clone()).to_string(),
    }
}

/// Why a verb is unavailable, for a menu entry beside it (shorter: the
/// menu's heading names the record).
pub fn refusal_why(r: &Refusal) -> String {
    match r {
        r @ Refusal::NotAllowed { .. } => r.to_string(),
        r => r.why(),
    }
}

/// Asks first when the verb is destructive, else runs `run`.
pub(crate) fn confirm_or_run(
    app: &mut App,
    v: &VerbSpec,
    t: &Target,
    values: &verbs::Values,
    run: Effect,
) -> Vec<Effect> {
    match v.confirm {
        Some(prompt) => {
            let mut text = prompt.replace("{name}", &t.name);
            for f in v.fields {
                if let Some(val) = values.text(f.name) {
                    text = text.replace(&format!("{{{}}}", f.name), val);
                }
            }
            app.overlay = Some(Overlay::Confirm {
                prompt: text,
                effect: Box::new(run),
            });
            vec![]
        }
        None => vec![run],
    }
}

/// Opens the action menu: batch entries for the selection, then every verb
/// on `target` with its key, unavailable ones marked with the reason.
pub fn open_menu(app: &mut App, target: Option<Target>, ids: Vec<(i64, Option<i64>)>) {
    let role = app.session.actor.role;
    let stack = [app.tab.context()];
    let key = |a: Action| app.keymap.key_for(&stack, a).unwrap_or_default();
    let entity_verbs: Vec<&'static VerbSpec> = app
        .tab
        .verb_entity()
        .map(|e| verbs::of(e).collect())
        .unwrap_or_default();
    let extras = app.tab.screen().extras();
    let mut items = Vec::new();
    let n = ids.len();
    if n > 0 {
        let label = selection_label(app).unwrap_or_else(|| format!("{n} selected"));
        items.push(Item::heading(format!("{label}: {}", selection_names(app, &ids))));
        for v in entity_verbs.iter().filter(|v| v.batch) {
            let k = Action::of_verb(v).map(key).unwrap_or_default();
            let why = v.role_refusal(role).map(|r| r.to_string());
            items.push(Item::new(
                k,
                format!("{} {n} selected", v.label),
                why,
                Pick::Batch(v),
            ));
        }
        for e in extras {
            if let Some(label) = e.batch {
                let why = role.require(e.permission).err().map(|r| r.to_string());
                items.push(Item::new(
                    key(e.action),
                    format!("{label} ({n})"),
                    why,
                    Pick::Extra(e.action),
                ));
            }
        }
    }
    if let Some(t) = &target {
        items.push(Item::heading(t.note.clone()));
        for v in &entity_verbs {
            // With a selection, a batch verb's key acts on it; the entry acts on this record.
            let k = if n > 0 && v.batch {
                String::new()
            } else {
                Action::of_verb(v).map(key).unwrap_or_default()
            };
            let why = v.unavailable(role, t).map(|r| refusal_why(&r));
            items.push(Item::new(k, v.label, why, Pick::One(v)));
        }
        for e in extras {
            let k = if n > 0 && e.batch.is_some() {
                String::new()
            } else {
                key(e.action)
            };
            let why = role
                .require(e.permission)
                .err()
                .map(|r| r.to_string())
                .or_else(|| (e.state_refusal)(t));
            items.push(Item::new(k, e.label, why, Pick::Extra(e.action)));
        }
    }
    let mut menu = Menu::new("actions — enter runs, esc closes", items);
    // Without a selection, start on the record's next step.
    if n == 0
        && let Some(i) = menu.items.iter().position(|i| {
            i.unavailable.is_none() && i.pick.is_some_and(|p| matches!(p, Pick::One(v) if v.forward))
        })
    {
        menu.selected = i;
    }
    app.overlay = Some(Overlay::Menu(Box::new(VerbMenu { menu, target, ids })));
}

/// A key in a verb menu.
pub fn menu_key(app: &mut App, mut m: Box<VerbMenu>, a: Action) -> Vec<Effect> {
    match m.menu.key(a) {
        menu::Outcome::Stay => {
            app.overlay = Some(Overlay::Menu(m));
            vec![]
        }
        menu::Outcome::Close => vec![],
        menu::Outcome::Chosen(Err(why)) => {
            app.warn(why);
            app.overlay = Some(Overlay::Menu(m));
            vec![]
        }
        menu::Outcome::Chosen(Ok(pick)) => match (pick, m.target) {
            (Pick::Batch(v), _) => batch(app, Action::of_verb(v).unwrap_or(Action::BulkActions), m.ids),
            (Pick::Extra(a), t) if m.ids.is_empty() => match t {
                Some(t) => job(Job::Extra {
                    action: a,
                    ids: vec![t.id],
                }),
                None => vec![],
            },
            (Pick::Extra(a), _) => batch(app, a, m.ids),
            (Pick::One(v), Some(t)) => start(app, v, t),
            (Pick::Choice(v, value), Some(t)) => {
                let mut values = verbs::Values::default();
                if let Some(f) = v.fields.first() {
                    values.set(f.name, verbs::Value::Text(value.to_string()));
                }
                let run = Effect::Verb(Box::new(Job::Run {
                    verb: v,
                    targets: vec![(t.id, Some(t.version))],
                    values: values.clone(),
                    form: None,
                }));
                confirm_or_run(app, v, &t, &values, run)
            }
            (_, None) => vec![],
        },
    }
}

/// A key in a verb form.
pub fn form_key(app: &mut App, f: Box<VerbForm>, a: Action) -> Vec<Effect> {
    forms::key(app, f, a)
}

/// A character typed in a verb menu: the entry with that key is chosen, as
/// if it were selected and Enter pressed.
pub fn menu_typed(app: &mut App, s: &str) {
    let Some(Overlay::Menu(m)) = &mut app.overlay else {
        return;
    };
    let hit = m
        .menu
        .items
        .iter()
        .position(|it| it.pick.is_some() && !it.key.is_empty() && it.key == s);
    if let Some(i) = hit {
        m.menu.selected = i;
        app.dispatch(Action::Submit);
    }
}
