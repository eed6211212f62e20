//! A small form in a popup: text fields and list fields, checked as you
//! type. A field shows its problem under it once typed into (or after a
//! refused Enter), and Enter is refused while any field has one.
//!
//! The form knows nothing about what it is for; `tui::verbs` builds forms
//! from the verb table and turns their values into workflow calls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, one_line, truncate, width};

/// What a field's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Optional,
    Required,
    /// A whole number greater than 0 (fits in u32).
    PositiveInt,
    /// Required, with no spaces inside (tracking numbers).
    Token,
    /// A calendar date, YYYY-MM-DD (the dashboard's own period).
    Date,
    /// Checked by a verb field's own parser (the one the CLI uses too).
    Spec(&'static crate::ops::verbs::FieldSpec),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// One of these; ←/→ (or the option's number) chooses.
    Choice(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub choice: usize,
    pub rule: Rule,
    /// Shown under the field while it has no problem to show.
    pub hint: String,
    /// Shown only while field `.0` has choice `.1`.
    pub only_if: Option<(usize, usize)>,
    touched: bool,
}

impl Field {
    pub fn text(label: &str, rule: Rule, hint: &str) -> Field {
        Field {
            label: label.to_string(),
            kind: Kind::Text,
            value: String::new(),
            choice: 0,
            rule,
            hint: hint.to_string(),
            only_if: None,
            touched: false,
        }
    }

    pub fn choice(label: &str, options: &[&str], hint: &str) -> Field {
        Field {
            kind: Kind::Choice(options.iter().map(|s| s.to_string()).collect()),
            ..Field::text(label, Rule::Optional, hint)
        }
    }

    pub fn with_value(mut self, v: &str) -> Field {
        self.value = v.to_string();
        self
    }

    pub fn only_if(mut self, field: usize, choice: usize) -> Field {
        self.only_if = Some((field, choice));
        self
    }

    /// What is wrong with the value, if anything.
    pub fn problem(&self) -> Option<String> {
        if matches!(self.kind, Kind::Choice(_)) {
            return None;
        }
        let v = self.value.trim();
        match self.rule {
            Rule::Optional => None,
            Rule::Required if v.is_empty() => Some(format!("{} is required", self.label)),
            Rule::Required => None,
            Rule::PositiveInt => match v.parse::<u32>() {
                Ok(0) => Some("must be greater than 0".into()),
                Ok(_) => None,
                Err(_) if v.is_empty() => Some(format!("{} is required", self.label)),
                Err(_) if v.chars().all(|c| c.is_ascii_digit()) => Some("too large".into()),
                Err(_) => Some(format!("\"{v}\" is not a whole number (digits only, e.g. 850)")),
            },
            Rule::Token if v.is_empty() => Some(format!("{} is required", self.label)),
            Rule::Token if v.chars().any(char::is_whitespace) => Some("no spaces allowed".into()),
            Rule::Token => None,
            Rule::Date if v.is_empty() => Some(format!("{} is required", self.label)),
            Rule::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .err()
                .map(|_| format!("\"{v}\" is not a date: use YYYY-MM-DD (e.g. 2026-11-01)")),
            // The zone only matters for a time in a clock change; the verb
            // itself parses it again in the shop's zone.
            Rule::Spec(spec) => spec.parse(v, "UTC").err(),
        }
    }

    /// Replaces the value (from `$EDITOR`), shown checked at once.
    pub fn set_value(&mut self, v: String) {
        self.value = v;
        self.touched = true;
    }

    pub fn chosen(&self) -> Option<&str> {
        match &self.kind {
            Kind::Choice(opts) => opts.get(self.choice).map(String::as_str),
            Kind::Text => None,
        }
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Still editing (the key changed something or was refused).
    Stay,
    Cancel,
    /// Enter with every field valid.
    Submit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    /// One line of context under the title (the order and its state).
    pub note: String,
    /// The verb on Enter ("ship", "pack").
    pub verb: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A problem of the whole form (set by the owner after a refused submit).
    pub error: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, note: impl Into<String>, verb: &str, fields: Vec<Field>) -> Form {
        let mut f = Form {
            title: title.into(),
            note: note.into(),
            verb: verb.to_string(),
            fields,
            focus: 0,
            error: None,
        };
        if !f.visible(0) {
            f.step(1);
        }
        f
    }

    pub fn visible(&self, i: usize) -> bool {
        let Some(f) = self.fields.get(i) else {
            return false;
        };
        match f.only_if {
            Some((j, c)) => self.fields.get(j).is_some_and(|g| g.choice == c),
            None => true,
        }
    }

    /// The trimmed text of field `i` ("" when hidden).
    pub fn value(&self, i: usize) -> &str {
        if !self.visible(i) {
            return "";
        }
        self.fields.get(i).map_or("", |f| f.value.trim())
    }

    pub fn choice(&self, i: usize) -> usize {
        self.fields.get(i).map_or(0, |f| f.choice)
    }

    /// The problem shown under field `i`: only once touched.
    pub fn shown_problem(&self, i: usize) -> Option<String> {
        let f = self.fields.get(i)?;
        if !self.visible(i) || !f.touched {
            return None;
        }
        f.problem()
    }

    /// The first visible field with a problem.
    pub fn first_problem(&self) -> Option<(usize, String)> {
        (0..self.fields.len())
            .filter(|&i| self.visible(i))
            .find_map(|i| self.fields[i].problem().map(|p| (i, p)))
    }

    fn step(&mut self, delta: isize) {
        let n = self.fields.len() as isize;
        if n == 0 {
            return;
        }
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + delta).rem_euclid(n);
            if self.visible(i as usize) {
                self.focus = i as usize;
                return;
            }
        }
    }

    fn focused(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// Typed or pasted text: into a text field; a digit chooses an option.
    pub fn type_text(&mut self, s: &str) {
        self.error = None;
        let Some(f) = self.focused() else { return };
        match &f.kind {
            Kind::Text => {
                f.value.push_str(&one_line(s));
                f.touched = true;
            }
            Kind::Choice(opts) => {
                if let Some(n) = s.chars().last().and_then(|c| c.to_digit(10))
                    && n >= 1
                    && (n as usize) <= opts.len()
                {
                    f.choice = n as usize - 1;
                }
            }
        }
    }

    /// Applies a form key.
    pub fn key(&mut self, a: Action) -> Outcome {
        match a {
            Action::Cancel | Action::Back => return Outcome::Cancel,
            Action::Submit => {
                for f in &mut self.fields {
                    f.touched = true;
                }
                return match self.first_problem() {
                    Some((i, _)) => {
                        self.focus = i;
                        Outcome::Stay
                    }
                    None => Outcome::Submit,
                };
            }
            Action::NextField | Action::Down => self.step(1),
            Action::PrevField | Action::Up => self.step(-1),
            Action::ChoiceNext | Action::ChoicePrev => {
                let fwd = a == Action::ChoiceNext;
                if let Some(f) = self.focused()
                    && let Kind::Choice(opts) = &f.kind
                {
                    let n = opts.len().max(1);
                    f.choice = if fwd {
                        (f.choice + 1) % n
                    } else {
                        (f.choice + n - 1) % n
                    };
                }
            }
            Action::DeleteBack => {
                if let Some(f) = self.focused() {
                    f.value.pop();
                    f.touched = true;
                }
            }
            Action::ClearInput => {
                if let Some(f) = self.focused() {
                    f.value.clear();
                    f.touched = true;
                }
            }
            _ => {}
        }
        self.error = None;
        Outcome::Stay
    }
}

const LABEL: usize = 13;

fn field_lines(form: &Form, i: usize, inner: usize, t: &Theme, out: &mut Vec<Line<'static>>) {
    let f = &form.fields[i];
    let focused = i == form.focus;
    let mark = if focused { "▶ " } else { "  " };
    let room = inner.saturating_sub(LABEL + 3);
    let value = match &f.kind {
        Kind::Text => {
            let cursor = if focused { "█" } else { "" };
            let shown = format!("{}{cursor}", one_line(&f.value));
            // Keep the end (where typing happens) in view.
            let w = width(&shown);
            if w > room {
                let tail: String = shown.chars().rev().collect();
                let cut: String = truncate(&tail, room).chars().rev().collect();
                cut
            } else {
                shown
            }
        }
        Kind::Choice(opts) => {
            let c = opts.get(f.choice).map_or("", String::as_str);
            format!("◀ {c} ▶  ({}/{})", f.choice + 1, opts.len())
        }
    };
    let vstyle = if focused { t.cursor } else { t.base };
    out.push(Line::from(vec![
        Span::styled(format!(" {mark}"), t.hint_key),
        Span::styled(
            fit(&f.label, LABEL, false),
            if focused { t.title } else { t.base },
        ),
        Span::styled(truncate(&value, room), vstyle),
    ]));
    let pad = " ".repeat(LABEL + 3);
    let under = match form.shown_problem(i) {
        Some(p) => Span::styled(truncate(&format!("! {p}"), room), t.error),
        None => Span::styled(truncate(&f.hint, room), t.dim),
    };
    out.push(Line::from(vec![Span::raw(pad), under]));
}

/// The popup's height for `form` (before clamping to the screen).
pub fn height(form: &Form) -> u16 {
    let shown = (0..form.fields.len()).filter(|&i| form.visible(i)).count();
    (shown * 2 + 6) as u16
}

/// Draws the form; `keys` is the footer ("enter ship · tab next · esc cancel").
pub fn render(f: &mut Frame<'_>, area: Rect, form: &Form, keys: &str, t: &Theme) {
    let popup = super::centered(area, 66, height(form));
    let inner = popup.width.saturating_sub(2) as usize;
    let mut lines = vec![Line::from(Span::styled(
        fit(&format!(" {}", one_line(&form.note)), inner, false),
        t.dim,
    ))];
    lines.push(Line::default());
    for i in 0..form.fields.len() {
        if form.visible(i) {
            field_lines(form, i, inner, t, &mut lines);
        }
    }
    match &form.error {
        Some(e) => lines.push(Line::from(Span::styled(
            truncate(&format!(" ! {}", one_line(e)), inner),
            t.error,
        ))),
        None => lines.push(Line::default()),
    }
    lines.push(Line::from(Span::styled(
        truncate(&format!(" {keys}"), inner),
        t.hint,
    )));
    super::popup(f, popup, &form.title, lines, t);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_must_be_a_positive_whole_number() {
        let mut f = Field::text("weight (g)", Rule::PositiveInt, "");
        for (v, ok) in [
            ("abc", false),
            ("0", false),
            ("", false),
            ("850", true),
            ("12a", false),
        ] {
            f.value = v.into();
            assert_eq!(f.problem().is_none(), ok, "{v}");
        }
    }

    #[test]
    fn enter_is_refused_until_valid_and_hidden_fields_do_not_count() {
        let mut form = Form::new(
            "t",
            "",
            "go",
            vec![
                Field::choice("carrier", &["A", "Other…"], ""),
                Field::text("name", Rule::Required, "").only_if(0, 1),
                Field::text("tracking", Rule::Token, ""),
            ],
        );
        assert_eq!(form.key(Action::Submit), Outcome::Stay);
        assert_eq!(form.focus, 2);
        assert!(form.shown_problem(2).is_some());
        form.type_text("SF 1");
        assert_eq!(form.shown_problem(2).as_deref(), Some("no spaces allowed"));
        form.key(Action::ClearInput);
        form.type_text("SF1");
        assert_eq!(form.key(Action::Submit), Outcome::Submit);
        form.focus = 0;
        form.key(Action::ChoiceNext);
        assert!(form.visible(1));
        assert_eq!(form.key(Action::Submit), Outcome::Stay);
        assert_eq!(form.focus, 1);
    }
}
