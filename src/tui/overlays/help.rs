//! `?`: every binding of the effective keymap, grouped by context, with
//! descriptions. Generated, so it is never out of date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::widgets::text::fit;

fn contexts(app: &App) -> Vec<Context> {
    let mut v = vec![
        Context::Global,
        Context::Table,
        Context::Detail,
        app.tab.context(),
    ];
    v.extend([
        Context::Palette,
        Context::Prompt,
        Context::Picker,
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

pub fn line_count(app: &App) -> usize {
    lines(app).len()
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, scroll: usize) {
    let popup = super::centered(area, 86, area.height.saturating_sub(2));
    let all = lines(app);
    let inner = popup.height.saturating_sub(2) as usize;
    let start = scroll.min(all.len().saturating_sub(inner.max(1)));
    let shown: Vec<Line<'static>> = all.into_iter().skip(start).take(inner).collect();
    super::popup(f, popup, "keys — j/k scroll, esc close", shown, &app.theme);
}
