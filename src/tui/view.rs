//! `view`: draws the state. Reads only; never queries.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action::Action;
use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Overlay};
use super::keymap::Context;
use super::overlays;
use super::screens::Tab;
use super::widgets::table;
use super::widgets::text::{fit, truncate, width};

pub fn render(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, app);
        return;
    }
    let [tabs, bar, body, hint, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    tab_line(f, tabs, app);
    filter_bar(f, bar, app);
    match app.tab {
        tab if !tab.is_list() => tab.screen().render(f, body, app),
        tab => match app.detail(tab) {
            Some(d) => {
                let lines = d.data.lines(&app.fmt, body.width, &app.theme);
                let max = lines.len().saturating_sub(body.height as usize);
                let start = d.scroll.min(max);
                let shown: Vec<Line<'static>> =
                    lines.into_iter().skip(start).take(body.height as usize).collect();
                f.render_widget(Paragraph::new(shown), body);
            }
            None => {
                if let Some(lv) = app.list(tab) {
                    // A search that stopped early says how far it looked.
                    let note = app.search_note(tab);
                    let empty = match &note {
                        Some(n) => n.as_str(),
                        None if lv.query.text().is_some() || lv.query.status.is_some() => {
                            "nothing matches this filter (esc or x clears it)"
                        }
                        None => "no rows yet",
                    };
                    table::render(f, body, tab.screen().columns(), lv, &app.theme, empty);
                }
            }
        },
    }
    hint_line(f, hint, app);
    status_bar(f, status, app);
    match &app.overlay {
        Some(Overlay::Help { scroll, messages }) => overlays::help::render(f, area, app, *scroll, *messages),
        Some(Overlay::Palette { input, selected }) => {
            overlays::palette::render(f, area, app, input, *selected)
        }
        Some(Overlay::Picker { chips, selected }) => overlays::picker::render(f, area, app, chips, *selected),
        Some(Overlay::Confirm { prompt, .. }) => {
            let keys = format!(
                "{} yes · {} no",
                app.keymap
                    .key_for(&[Context::Confirm], Action::Submit)
                    .unwrap_or_default(),
                app.keymap
                    .key_for(&[Context::Confirm], Action::Cancel)
                    .unwrap_or_default()
            );
            overlays::confirm(f, area, prompt, &keys, &app.theme)
        }
        Some(Overlay::Form(o)) => {
            let keys = super::verbs::footer(app, &o.form);
            overlays::form::render(f, area, &o.form, &keys, &app.theme)
        }
        Some(Overlay::SaveAs(s)) => {
            let keys = super::verbs::footer(app, &s.form);
            overlays::form::render(f, area, &s.form, &keys, &app.theme)
        }
        Some(Overlay::Period(form)) => {
            let keys = super::verbs::footer(app, form);
            overlays::form::render(f, area, form, &keys, &app.theme)
        }
        Some(Overlay::Menu(m)) => overlays::menu::render(
            f,
            area,
            &m.menu,
            "the keys shown work without this menu too",
            &app.theme,
        ),
        Some(Overlay::Notices(v)) => overlays::notices::render(f, area, app, v),
        Some(Overlay::Report(v)) => overlays::report::render(f, area, app, v),
        Some(Overlay::Settlement(v)) => overlays::settlement::render(f, area, app, v),
        Some(Overlay::Prompt { .. }) | None => {}
    }
}

fn too_small(f: &mut Frame<'_>, area: Rect, app: &App) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let msg = format!("terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT})");
    let quit = app
        .keymap
        .key_for(&[Context::Global], Action::Quit)
        .unwrap_or_else(|| "ctrl-c".into());
    let lines = [msg, format!("now {}x{} · {quit} quits", area.width, area.height)];
    let y0 = area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        let y = area.y + y0 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let text = truncate(l, area.width as usize);
        let x = area.x + (area.width.saturating_sub(width(&text) as u16)) / 2;
        let w = (width(&text) as u16).min(area.width);
        f.render_widget(
            Paragraph::new(text).style(app.theme.warn),
            Rect {
                x,
                y,
                width: w,
                height: 1,
            },
        );
    }
}

fn tab_line(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let active = *tab == app.tab;
        let text = if active {
            format!("[{} {}]", i + 1, tab.title())
        } else {
            format!(" {} {} ", i + 1, tab.title())
        };
        spans.push(Span::styled(text, if active { t.tab_active } else { t.tab }));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let shop = &app.session.settings.shop_name;
    let room = (area.width as usize).saturating_sub(used + 1);
    if room > 4 {
        spans.push(Span::styled(fit(shop, room, true), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn filter_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(lv) = app.list(app.tab) else {
        f.render_widget(Paragraph::new(Span::styled(" KPIs and alerts", t.dim)), area);
        return;
    };
    if let Some(Overlay::Prompt { input }) = &app.overlay {
        let hint = format!("  {} · enter apply · esc cancel", app.tab.screen().text_hint());
        let room = (area.width as usize).saturating_sub(width(&hint) + 4);
        let line = Line::from(vec![
            Span::styled("/ ", t.hint_key),
            Span::raw(truncate(input, room.max(1))),
            Span::styled("█", t.hint_key),
            Span::styled(hint, t.dim),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let key = app.tab.screen().sort_keys().get(lv.query.sort);
    let desc = key.is_some_and(|k| k.desc != lv.query.reversed);
    let mut spans = vec![
        Span::styled(" status: ", t.dim),
        Span::styled(
            lv.query.status.as_ref().map_or("all".to_string(), |s| s.label()),
            if lv.query.status.is_some() {
                t.chip_active
            } else {
                t.chip
            },
        ),
        Span::styled("  text: ", t.dim),
        match lv.query.text() {
            Some(x) => Span::styled(format!("/{x}"), t.chip_active),
            None => Span::styled("—", t.chip),
        },
        Span::styled("  sort: ", t.dim),
        Span::raw(format!(
            "{} {}",
            key.map_or("", |k| k.name),
            if desc { "↓" } else { "↑" }
        )),
    ];
    if let Some(label) = super::verbs::selection_label(app) {
        spans.push(Span::styled(format!("  {label}"), t.selected));
    }
    // No rows on screen is "nothing matches" only when the count says so:
    // a walk that stopped early shows the count and how far it looked.
    let counted = format!(
        "{}{} matches",
        super::widgets::text::thousands(lv.count.n),
        if lv.count.capped { "+" } else { "" }
    );
    let label = match (app.detail(app.tab).is_some(), app.search_note(app.tab)) {
        (true, _) => format!("{} · detail", lv.label()),
        (false, _) if lv.rows.is_empty() && lv.count.n > 0 && !lv.searching => counted,
        (false, Some(n)) => format!("{} · {n}", lv.label()),
        (false, None) => lv.label(),
    };
    let left: usize = spans.iter().map(|s| width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(left);
    spans.push(Span::styled(fit(&format!("{label} "), room, true), t.title));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn hints(app: &App) -> Vec<(Action, &'static str)> {
    use Action::*;
    match &app.overlay {
        Some(Overlay::Prompt { .. }) => {
            return vec![(Submit, "apply"), (Cancel, "cancel"), (ClearInput, "clear")];
        }
        Some(Overlay::Palette { .. }) => return vec![(Submit, "run"), (Down, "next"), (Cancel, "close")],
        Some(Overlay::Picker { .. }) => return vec![(Submit, "apply"), (Down, "next"), (Cancel, "close")],
        Some(Overlay::Help { .. }) => return vec![(Down, "scroll"), (Back, "close")],
        Some(Overlay::Confirm { .. }) => return vec![(Submit, "yes"), (Cancel, "no")],
        Some(Overlay::Menu(_)) => return vec![(Submit, "choose"), (Down, "next"), (Cancel, "close")],
        Some(Overlay::SaveAs(_)) => return vec![(Submit, "save"), (Cancel, "cancel"), (ClearInput, "clear")],
        Some(Overlay::Period(_)) => {
            return vec![(Submit, "show"), (NextField, "next field"), (Cancel, "cancel")];
        }
        Some(Overlay::Notices(_)) => return vec![(Submit, "read"), (Down, "next"), (Cancel, "close")],
        Some(Overlay::Report(v)) if v.period.is_some() => {
            return vec![(Submit, "show"), (NextField, "next field"), (Cancel, "cancel")];
        }
        Some(Overlay::Report(_)) => return vec![(Down, "scroll"), (Submit, "period"), (Cancel, "close")],
        Some(Overlay::Settlement(v)) if v.takes_text() => {
            return vec![(Submit, "record"), (Cancel, "cancel")];
        }
        Some(Overlay::Settlement(_)) => return vec![(Submit, "open"), (Down, "next"), (Cancel, "back")],
        Some(Overlay::Form(_)) => {
            return vec![(Submit, "accept"), (NextField, "next field"), (Cancel, "cancel")];
        }
        None => {}
    }
    if !app.tab.is_list() {
        return vec![
            (DashNextPeriod, "period"),
            (DashCustom, "from/to"),
            (DashOpenAlert, "open alert"),
            (DashPanels, "panels"),
            (NextTab, "next screen"),
            (Palette, "commands"),
            (Help, "help"),
            (Quit, "quit"),
        ];
    }
    if app.detail(app.tab).is_some() {
        return vec![
            (Back, "back"),
            (BulkActions, "actions"),
            (Down, "scroll"),
            (PageDown, "page"),
            (Refresh, "reload"),
            (Help, "help"),
        ];
    }
    vec![
        (Open, "open"),
        (BulkActions, "actions"),
        (FilterText, "filter"),
        (FilterStatus, "status"),
        (SortNext, "sort"),
        (ToggleSelect, "select"),
        (Export, "export"),
        (Palette, "commands"),
        (Help, "help"),
        (Quit, "quit"),
    ]
}

fn hint_line(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let stack = app.context_stack();
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    // The action menu is for screens with actions (others are read-only).
    let shown = hints(app)
        .into_iter()
        .filter(|(a, _)| *a != Action::BulkActions || super::verbs::has_actions(app));
    for (a, label) in shown {
        let Some(k) = app.keymap.key_for(&stack, a) else {
            continue;
        };
        let w = width(&k) + width(label) + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(k, t.hint_key));
        spans.push(Span::styled(format!(" {label}   "), t.hint));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn status_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let db = app
        .session
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| app.session.path.display().to_string());
    // A file this login may not write opened read-only: say so before any
    // save is refused.
    let read_only = if app.session.read_only() {
        "read-only │ "
    } else {
        ""
    };
    let who = format!(
        " {} ({}) │ {db} │ {read_only}",
        app.session.actor.login, app.session.actor.role
    );
    let mut pending = if app.pending.is_empty() {
        String::new()
    } else {
        format!(" {}… ", super::keymap::chord_text(&app.pending))
    };
    // Writes in flight on the writer worker (another session may hold the lock).
    if app.saving > 0 {
        pending.push_str(" saving… ");
    }
    let room = (area.width as usize).saturating_sub(width(&who) + width(&pending));
    let (msg, style) = match &app.message {
        Some(m) if m.error => (format!("! {}", m.text), t.error),
        Some(m) => (m.text.clone(), t.status_bar),
        None => (String::new(), t.status_bar),
    };
    let line = Line::from(vec![
        Span::styled(who, t.status_bar),
        Span::styled(
            fit(&super::widgets::text::one_line(&msg), room, false),
            t.status_bar.patch(style),
        ),
        Span::styled(pending, t.status_bar),
    ]);
    f.render_widget(Paragraph::new(line).style(t.status_bar), area);
}
