//! A detail view's History section: for each audit row, when (shop time),
//! who, the action and its reason or note, then each field it changed as
//! before → after, read from the row's images (`store::audit::changes`).

use ratatui::text::{Line, Span};

use super::doc::Doc;
use crate::ops::history::{self as audit, Row};
use crate::tui::fmt::Fmt;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, wrap};

/// Columns of the entry line: time, then who.
const WHEN: usize = 16;
const WHO: usize = 10;
/// Indent of the changed fields under their entry.
const INDENT: usize = 6;

/// Appends "History" and one entry per row, oldest first. Images a role may
/// not see (masked personal data) were removed before: such rows show no
/// fields, and the section says why.
pub fn section(doc: &mut Doc<'_>, rows: &[Row], fmt: &Fmt, theme: &Theme) {
    section_with(doc, rows, fmt, theme, true);
}

/// [`section`] for an entity whose audit images hold no personal data
/// (`holds_pii` false: a ticket's row names its customer and order by id,
/// never a phone, address or email), so every role sees what changed.
pub fn section_with(doc: &mut Doc<'_>, rows: &[Row], fmt: &Fmt, theme: &Theme, holds_pii: bool) {
    doc.section("History");
    if rows.is_empty() {
        doc.note("(none)");
        return;
    }
    let mask = if holds_pii {
        fmt.pii()
    } else {
        crate::domain::pii::PiiMask::for_role(crate::domain::Role::Owner)
    };
    let mut hidden = false;
    for r in rows {
        let mut r = r.clone();
        r.before_json = mask.audit_json(r.before_json.take());
        r.after_json = mask.audit_json(r.after_json.take());
        hidden |= r.before_json.is_none() && r.after_json.is_none() && mask.is_on();
        entry(doc, &r, fmt, theme);
    }
    if hidden {
        doc.note("(the fields each change made are not shown to your role: they may hold personal data)");
    }
}

/// The entry line and its changed fields.
pub fn entry(doc: &mut Doc<'_>, r: &Row, fmt: &Fmt, theme: &Theme) {
    let what = audit::headline(r);
    let head = format!(
        "{} {} ",
        fit(&fmt.time(&r.at), WHEN, false),
        fit(&r.actor, WHO, false)
    );
    let room = doc.width.saturating_sub(2 + WHEN + 1 + WHO + 1).max(8);
    for (i, part) in wrap(&what, room).into_iter().enumerate() {
        let lead = if i == 0 {
            head.clone()
        } else {
            " ".repeat(WHEN + 1 + WHO + 1)
        };
        doc.lines.push(Line::from(vec![
            Span::styled(format!("  {lead}"), theme.dim),
            Span::styled(part, theme.base),
        ]));
    }
    let room = doc.width.saturating_sub(INDENT).max(8);
    for text in audit::changed_fields(r, &|s| fmt.time(s), &|m| fmt.money(m)) {
        for part in wrap(&text, room) {
            doc.lines.push(Line::from(Span::styled(
                format!("{}{part}", " ".repeat(INDENT)),
                theme.dim,
            )));
        }
    }
}
