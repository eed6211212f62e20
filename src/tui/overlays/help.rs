//! `?`: every binding of the effective keymap, grouped by context, with
//! descriptions. Generated, so it is never out of date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::widgets::text::fit;

fn contexts(app: &App) -> Vec<Context> {
    // A screen that is not a list has no table or detail keys: its own
    // come first.
    let mut v = if app.tab.is_list() {
        vec![
            Context::Global,
            Context::Table,
            Context::Detail,
            app.tab.context(),
        ]
    } else {
        vec![app.tab.context(), Context::Global]
    };
    v.extend([
        Context::Palette,
        Context::Prompt,
        Context::Picker,
        Context::Settlement,
        Context::Help,
        Context::Confirm,
        Context::Form,
    ]);
    v
}

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for ctx in contexts(app) {
        let groups = app.keymap.grouped(ctx);
        if groups.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(format!("[{}]", ctx.name()), t.header)));
        for (keys, action) in groups {
            out.push(Line::from(vec![
                Span::styled(format!("  {}", fit(&keys, 22, false)), t.hint_key),
                Span::raw(format!(" {} ", fit(action.name(), 16, false))),
                Span::styled(action.description().to_string(), t.dim),
            ]));
        }
    }
    out
}

/// The message log, oldest first, each message whole (wrapped to `cols`)
/// with its time in shop time and `!` for an error.
pub fn message_lines(app: &App, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    if app.log.is_empty() {
        return vec![Line::from(Span::styled("no messages yet", t.dim))];
    }
    let mut out = Vec::new();
    for m in &app.log {
        let when = app.fmt.time(&crate::clock::stamp(m.at));
        let mark = if m.error { "! " } else { "  " };
        let style = if m.error {
            t.error
        } else {
            ratatui::style::Style::default()
        };
        let text = crate::tui::widgets::text::one_line(&m.text);
        for (i, piece) in crate::tui::widgets::text::wrap(&text, cols.saturating_sub(19).max(10))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                format!("{when} {mark}")
            } else {
                " ".repeat(19)
            };
            out.push(Line::from(vec![
                Span::styled(head, t.dim),
                Span::styled(piece, style),
            ]));
        }
    }
    out
}

pub fn line_count(app: &App, messages: bool) -> usize {
    if messages {
        message_lines(app, 84).len()
    } else {
        lines(app).len()
    }
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, scroll: usize, messages: bool) {
    let popup = super::centered(area, 86, area.height.saturating_sub(2));
    let all = if messages {
        message_lines(app, popup.width.saturating_sub(2) as usize)
    } else {
        lines(app)
    };
    let inner = popup.height.saturating_sub(2) as usize;
    let start = scroll.min(all.len().saturating_sub(inner.max(1)));
    let shown: Vec<Line<'static>> = all.into_iter().skip(start).take(inner).collect();
    let title = if messages {
        "messages — j/k scroll, esc close"
    } else {
        "keys — j/k scroll, esc close"
    };
    super::popup(f, popup, title, shown, &app.theme);
}
