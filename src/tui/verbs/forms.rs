//! A verb's form, built from its fields: text fields checked as you type by
//! the field's own parser, choices, suggestions with "other…", values the
//! record already has filled in. Submitting turns the values into a job.

use super::confirm_or_run;
use super::run::Job;
use crate::ops::verbs::{self, FieldKind, Target, Values, VerbSpec};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::keymap::Context;
use crate::tui::overlays::form::{self, Field, Form, Rule};

const OTHER: &str = "Other…";

/// A form with the record and the verb it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbForm {
    pub form: Form,
    pub target: Target,
    pub verb: &'static VerbSpec,
    /// The form field each verb field starts at (a suggestion takes two).
    starts: Vec<usize>,
    /// The keys behind a reference field's pick list, by verb field.
    picks: Vec<Vec<String>>,
    /// The values the form started with (only what changed is sent).
    initial: Vec<String>,
}

impl VerbForm {
    /// Points the first reference field at record `other`: its entry in
    /// the pick list when it is a valid candidate, else its key typed in,
    /// so Enter shows why it is not one.
    pub fn point_at(&mut self, conn: &crate::store::lists::Conn, other: i64) {
        for (k, spec) in self.verb.fields.iter().enumerate() {
            let FieldKind::Ref(e) = spec.kind else { continue };
            let i = self.starts[k];
            let resolve = verbs::ops_of(e).resolve;
            let hit = self.picks[k]
                .iter()
                .position(|key| resolve(conn, key).is_ok_and(|id| id == other));
            match hit {
                Some(p) => self.form.fields[i].choice = p,
                None if !self.picks[k].is_empty() => {
                    self.form.fields[i].choice = self.picks[k].len();
                    self.form.fields[i + 1].set_value(other.to_string());
                }
                None => self.form.fields[i].set_value(other.to_string()),
            }
            return;
        }
    }
}

/// The form of `v` on `t`. Personal data the role may not see starts empty
/// ("empty keeps it").
pub fn build(app: &App, v: &'static VerbSpec, t: Target) -> VerbForm {
    let masked = !app.fmt.sees_pii();
    let editor_key = app.keymap.key_for(&[Context::Form], Action::EditExternal);
    let long_hint = editor_key.map_or_else(
        || "bind edit_external to use $EDITOR".to_string(),
        |k| format!("{k} opens $EDITOR"),
    );
    let mut fields = Vec::new();
    let mut starts = Vec::new();
    let mut picks = Vec::new();
    for f in v.fields {
        starts.push(fields.len());
        // A reference offers its entity's candidates; a suggestion with no
        // fixed list, the values the verb's entity offers (a reason code
        // from the taxonomy).
        let offer = match f.kind {
            FieldKind::Ref(e) => Some(e),
            FieldKind::Suggest([]) => Some(v.entity),
            _ => None,
        };
        let found = match offer {
            Some(e) => (verbs::ops_of(e).candidates)(&app.session.conn, v, f, &t).unwrap_or_else(|e| {
                tracing::warn!("candidates for {} {}: {e}", v.name, f.name);
                Vec::new()
            }),
            None => Vec::new(),
        };
        picks.push(found.iter().map(|(k, _)| k.clone()).collect());
        let prefill = t
            .prefill
            .iter()
            .find(|(n, _)| *n == f.name)
            .map(|(_, v)| if masked && f.pii { String::new() } else { v.clone() });
        let hint = if masked && f.pii {
            "masked for your role; empty keeps it"
        } else if f.kind == FieldKind::LongText {
            long_hint.as_str()
        } else {
            f.help
        };
        match f.kind {
            FieldKind::Suggest([]) if !found.is_empty() => {
                let mut opts: Vec<&str> = found.iter().map(|(_, l)| l.as_str()).collect();
                opts.push(OTHER);
                let n = opts.len();
                fields.push(Field::choice(f.label, &opts, &format!("←/→ or 1–{n} to choose")));
                let name = format!("{} (code)", f.label);
                fields.push(Field::text(&name, Rule::Spec(f), f.help).only_if(fields.len() - 1, n - 1));
            }
            FieldKind::Suggest(options) => {
                let mut opts: Vec<&str> = options.to_vec();
                opts.push(OTHER);
                let n = opts.len();
                fields.push(Field::choice(f.label, &opts, &format!("←/→ or 1–{n} to choose")));
                let name = format!("{} name", f.label);
                fields.push(Field::text(&name, Rule::Spec(f), f.help).only_if(fields.len() - 1, n - 1));
            }
            FieldKind::Ref(_) if !found.is_empty() => {
                let mut opts: Vec<&str> = found.iter().map(|(_, l)| l.as_str()).collect();
                opts.push(OTHER);
                let n = opts.len();
                fields.push(Field::choice(
                    f.label,
                    &opts,
                    &format!("←/→ or 1–{n}: the ones it may go into"),
                ));
                let name = format!("{} (key)", f.label);
                fields.push(Field::text(&name, Rule::Spec(f), f.help).only_if(fields.len() - 1, n - 1));
            }
            FieldKind::Choice(options) => {
                let labels: Vec<String> = options.iter().map(|o| o.replace('_', " ")).collect();
                let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
                let mut field = Field::choice(f.label, &labels, "←/→ or a digit to choose");
                // A prefilled choice starts on its value (and counts as unchanged there).
                if let Some(at) = prefill
                    .as_deref()
                    .and_then(|p| options.iter().position(|o| *o == p))
                {
                    field.choice = at;
                    field.value = options[at].to_string();
                }
                fields.push(field);
            }
            _ => fields
                .push(Field::text(f.label, Rule::Spec(f), hint).with_value(&prefill.unwrap_or_default())),
        }
    }
    let initial = fields.iter().map(|f| f.value.clone()).collect();
    let title = format!("{} {}", v.label.trim_end_matches('…'), t.name);
    let form = Form::new(title, t.note.clone(), v.name.replace('_', " ").as_str(), fields);
    VerbForm {
        form,
        target: t,
        verb: v,
        starts,
        picks,
        initial,
    }
}

/// The footer of a form: its keys as bound now.
pub fn footer(app: &App, form: &Form) -> String {
    let stack = [Context::Form];
    let k = |a: Action| app.keymap.key_for(&stack, a).unwrap_or_default();
    format!(
        "{} {} · {} next field · {} cancel",
        k(Action::Submit),
        form.verb,
        k(Action::NextField),
        k(Action::Cancel)
    )
}

pub fn key(app: &mut App, mut f: Box<VerbForm>, a: Action) -> Vec<Effect> {
    if a == Action::EditExternal {
        edit_external(app, &mut f);
        app.overlay = Some(Overlay::Form(f));
        return vec![];
    }
    match f.form.key(a) {
        form::Outcome::Stay => {
            app.overlay = Some(Overlay::Form(f));
            vec![]
        }
        form::Outcome::Cancel => {
            app.say(format!("{}: nothing changed", f.target.name));
            vec![]
        }
        form::Outcome::Submit => submit(app, f),
    }
}

/// The form `f` again on `fresh` (the record as it is now), with what was
/// typed kept and `why` (who changed it) shown; Enter saves on the new version.
pub fn reopen(mut f: VerbForm, fresh: Target, why: &str) -> VerbForm {
    f.form.note = fresh.note.clone();
    f.form.error = Some(format!(
        "{why}; what you typed is kept, enter saves on the new version"
    ));
    f.target = fresh;
    f
}

/// Opens the focused long-text field in `$EDITOR`.
fn edit_external(app: &mut App, f: &mut VerbForm) {
    let i = f.form.focus;
    let spec = f
        .starts
        .iter()
        .position(|&s| s == i)
        .and_then(|k| f.verb.fields.get(k));
    if !spec.is_some_and(|s| s.kind == FieldKind::LongText) {
        app.warn("only long text fields open in the editor");
        return;
    }
    let current = f.form.fields.get(i).map(|x| x.value.clone()).unwrap_or_default();
    match crate::tui::editor::edit(&current) {
        Ok(text) => {
            if let Some(field) = f.form.fields.get_mut(i) {
                field.set_value(text);
            }
        }
        Err(why) => app.warn(why),
    }
}

/// The text of each verb field as the form holds it; prefilled fields left
/// as they were (or masked and left empty) are not sent.
fn raw_values(app: &App, f: &VerbForm) -> Vec<(&'static str, String)> {
    let masked = !app.fmt.sees_pii();
    let mut raw = Vec::new();
    for (k, (spec, &i)) in f.verb.fields.iter().zip(&f.starts).enumerate() {
        let picks = &f.picks[k];
        let text = match spec.kind {
            FieldKind::Ref(_) | FieldKind::Suggest([]) if !picks.is_empty() => {
                match picks.get(f.form.choice(i)) {
                    Some(key) => key.clone(),
                    None => f.form.value(i + 1).to_string(),
                }
            }
            FieldKind::Suggest(_) => match f.form.fields[i].chosen() {
                Some(OTHER) | None => f.form.value(i + 1).to_string(),
                Some(c) => c.to_string(),
            },
            FieldKind::Choice(options) => options.get(f.form.choice(i)).map_or("", |o| *o).to_string(),
            _ => f.form.value(i).to_string(),
        };
        let prefilled = f.target.prefill.iter().any(|(n, _)| *n == spec.name);
        let unchanged = prefilled && text == f.initial[i].trim();
        if unchanged || (masked && spec.pii && text.is_empty()) || (prefilled && text.is_empty()) {
            continue;
        }
        raw.push((spec.name, text));
    }
    raw
}

fn submit(app: &mut App, f: Box<VerbForm>) -> Vec<Effect> {
    let raw = raw_values(app, &f);
    if raw.is_empty() && !f.target.prefill.is_empty() && f.verb.fields.iter().all(|s| !s.required) {
        return refuse(app, f, "nothing changed: edit a field, or esc to leave");
    }
    let values = match Values::parse(f.verb, &raw, &app.session.settings.timezone) {
        Ok(v) => v,
        Err(e) => return refuse(app, f, &e.to_string()),
    };
    if let Some(why) = self_reference(app, &f, &values) {
        return refuse(app, f, &why);
    }
    let (verb, target) = (f.verb, f.target.clone());
    let run = Effect::Verb(Box::new(Job::Run {
        verb,
        targets: vec![(target.id, Some(target.version))],
        values: values.clone(),
        form: Some(f),
    }));
    confirm_or_run(app, verb, &target, &values, run)
}

/// A reference to a record of the same kind must name another one that exists.
fn self_reference(app: &App, f: &VerbForm, values: &Values) -> Option<String> {
    for spec in f.verb.fields {
        if let FieldKind::Ref(e) = spec.kind
            && e == f.target.entity
            && let Some(key) = values.text(spec.name)
        {
            match (verbs::ops_of(e).resolve)(&app.session.conn, key) {
                Ok(id) if id == f.target.id => {
                    return Some(format!("{} cannot be {} itself", f.target.name, spec.label));
                }
                Ok(_) => {}
                Err(e) => return Some(e.to_string()),
            }
        }
    }
    None
}

fn refuse(app: &mut App, mut f: Box<VerbForm>, why: &str) -> Vec<Effect> {
    f.form.error = Some(why.to_string());
    app.overlay = Some(Overlay::Form(f));
    vec![]
}
