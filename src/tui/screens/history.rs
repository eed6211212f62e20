//! A detail view's History section: for each audit row, when (shop time),
//! who, the action and its reason or note, then each field it changed as
//! before → after, read from the row's images (`store::audit::changes`).

use ratatui::text::{Line, Span};
use serde_json::Value as Json;

use super::doc::Doc;
use crate::ops::history::{self as audit, Row};
use crate::tui::fmt::Fmt;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, one_line, wrap};

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
    let reason = audit::reason(r);
    let mut what = r.action.replace('_', " ");
    if let Some(why) = &reason {
        let why = why
            .split(audit::REASON_SEP)
            .map(|part| {
                if is_state_name(part) {
                    part.replace('_', " ")
                } else {
                    one_line(part)
                }
            })
            .collect::<Vec<_>>()
            .join(audit::REASON_SEP);
        what = format!("{what}: {why}");
    }
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
    for c in audit::changes(r) {
        // A reason set by this change is already on the entry line.
        let is_reason = audit::REASON_FIELDS.contains(&c.field.as_str())
            && c.after
                .as_ref()
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
        if is_reason {
            continue;
        }
        let text = format!(
            "{}: {} → {}",
            c.field.replace('_', " "),
            value(&c.field, c.before.as_ref(), fmt),
            value(&c.field, c.after.as_ref(), fmt)
        );
        for part in wrap(&text, room) {
            doc.lines.push(Line::from(Span::styled(
                format!("{}{part}", " ".repeat(INDENT)),
                theme.dim,
            )));
        }
    }
}

/// A field's value as people read it: times in shop time, amounts as
/// money, names of states without underscores, nothing as "—".
fn value(field: &str, v: Option<&Json>, fmt: &Fmt) -> String {
    match v {
        None | Some(Json::Null) => "—".to_string(),
        Some(Json::String(s)) if s.is_empty() => "—".to_string(),
        Some(Json::String(s)) if field.ends_with("_at") => fmt.time(s),
        Some(Json::String(s)) if is_state_name(s) => s.replace('_', " "),
        Some(Json::String(s)) => one_line(s),
        Some(Json::Number(n)) if field.ends_with("_minor") => {
            n.as_i64().map_or_else(|| n.to_string(), |m| fmt.money(m))
        }
        Some(Json::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        Some(other) => one_line(&other.to_string()),
    }
}

/// "on_hold", "customer_request": a machine name of a state or a reason.
fn is_state_name(s: &str) -> bool {
    s.contains('_') && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}
