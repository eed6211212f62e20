//! Drawing the dashboard: the period line, the tiles, the two daily charts
//! and the panels (alerts first, then service, tops and reasons, as many as
//! fit; `v` turns the rest into view). Every change says its direction in a
//! symbol or a word, and the chosen period is bracketed, so nothing depends
//! on colour (NO_COLOR reads the same).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

use super::dashboard::{Figures, Preset};
use crate::ops::kpi::Period;
use crate::ops::kpi_tiles::{self, change, hours, num, pct};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, one_line, thousands, width};

/// Columns one tile or one panel takes.
const CELL: usize = 40;

/// "2026-10-22 – 2026-11-20": both days included.
pub fn span_of(p: &Period) -> String {
    let last = p.to.pred_opt().unwrap_or(p.to);
    if last == p.from {
        p.from.to_string()
    } else {
        format!("{} – {last}", p.from)
    }
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App) {
    let [head, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    header(f, head, app);
    let b = &app.dashboard;
    let Some(fig) = b.current() else {
        let t = &app.theme;
        let text = match (&b.error, b.asked) {
            (Some(e), _) => Line::from(Span::styled(
                format!("cannot compute the figures: {}", one_line(e)),
                t.error,
            )),
            (None, Some(p)) => Line::from(format!("computing the figures for {} …", span_of(&p))),
            (None, None) => Line::from("no period chosen yet"),
        };
        f.render_widget(Paragraph::new(vec![Line::default(), text]), rest);
        return;
    };
    let w = area.width as usize;
    let cols = (w / CELL).max(1);
    let tiles = kpi_tiles::tiles(&fig.report, &app.fmt.currency);
    let tile_rows = tiles.len().div_ceil(cols) as u16;
    let left = rest.height.saturating_sub(tile_rows);
    // The charts take two fifths of what is left, at least six rows; the
    // panels keep seven (the alerts and their title).
    let chart = (left * 2 / 5).max(6).min(left.saturating_sub(7).max(3));
    let [tiles_area, chart_area, panels_area] = Layout::vertical([
        Constraint::Length(tile_rows),
        Constraint::Length(chart),
        Constraint::Min(0),
    ])
    .areas(rest);
    render_tiles(f, tiles_area, &tiles, cols, &app.theme);
    charts(f, chart_area, fig, app);
    panels(f, panels_area, fig, app);
}

fn key(app: &App, a: Action) -> String {
    app.keymap
        .key_for(&[Context::Dashboard], a)
        .unwrap_or_else(|| "·".into())
}

fn header(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let b = &app.dashboard;
    let mut picker = Vec::new();
    for p in Preset::ALL {
        let label = format!("{} {}", key(app, p.action()), p.label());
        if p == b.preset {
            picker.push(Span::styled(format!("[{label}]"), t.chip_active));
        } else {
            picker.push(Span::styled(format!(" {label} "), t.chip));
        }
    }
    let state = match (b.current(), b.computing, b.stale) {
        (None, _, _) => "computing…".to_string(),
        (Some(_), true, _) => "updating…".to_string(),
        (Some(fig), false, stale) => {
            let at = fig.at.with_timezone(&app.fmt.tz).format("%H:%M");
            if stale {
                format!(
                    "as of {at}; data changed since ({} recomputes)",
                    key(app, Action::DashRefresh)
                )
            } else {
                format!("as of {at}")
            }
        }
    };
    let period = match b.asked {
        Some(p) => format!(
            "{} ({} d) against {}",
            span_of(&p),
            p.days(),
            span_of(&p.previous())
        ),
        None => String::new(),
    };
    let line2 = Line::from(vec![
        Span::styled(period, t.title),
        Span::raw(" · "),
        Span::styled(state, if b.computing { t.warn } else { t.dim }),
    ]);
    f.render_widget(Paragraph::new(vec![Line::from(picker), line2]), area);
}

fn render_tiles(f: &mut Frame<'_>, area: Rect, tiles: &[kpi_tiles::Tile], cols: usize, t: &Theme) {
    let cw = (area.width as usize / cols.max(1)).max(30);
    let mut lines = Vec::new();
    for row in tiles.chunks(cols.max(1)) {
        let mut spans = Vec::new();
        for tile in row {
            let value_w = cw.saturating_sub(15 + 11);
            spans.push(Span::styled(fit(tile.name, 15, false), t.dim));
            // Money too long for the tile shows in whole units rather than
            // cut ("¥221,419,613", not "¥221,419,613.…").
            let value = match &tile.short {
                Some(short) if width(&tile.value) > value_w => short,
                _ => &tile.value,
            };
            spans.push(Span::styled(fit(value, value_w, true), t.title));
            spans.push(Span::raw(fit(&format!(" {}", tile.change), 11, false)));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The day of the most of `values` ("11-20") and the most.
fn peak(fig: &Figures, values: &[i64]) -> Option<(String, i64)> {
    let (i, v) = values
        .iter()
        .enumerate()
        .max_by_key(|(i, v)| (**v, usize::MAX - i))
        .filter(|(_, v)| **v > 0)?;
    let day = fig.report.daily.get(i)?.date.format("%m-%d").to_string();
    Some((day, *v))
}

fn charts(f: &mut Frame<'_>, area: Rect, fig: &Figures, app: &App) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let orders: Vec<i64> = fig.report.daily.iter().map(|d| d.orders).collect();
    let gmv: Vec<i64> = fig.report.daily.iter().map(|d| d.gmv_minor).collect();
    let total: i64 = orders.iter().sum();
    let orders_title = match peak(fig, &orders) {
        Some((day, n)) => format!(
            "orders/day · peak {} on {day} · total {}",
            thousands(n.max(0) as u64),
            thousands(total.max(0) as u64)
        ),
        None => "orders/day · none".into(),
    };
    let gmv_title = match peak(fig, &gmv) {
        Some((day, n)) => format!("GMV/day · peak {} on {day}", app.fmt.money(n)),
        None => "GMV/day · none".into(),
    };
    chart(f, left, fig, &orders, orders_title, &app.theme);
    chart(f, right, fig, &gmv, gmv_title, &app.theme);
}

/// One daily series as bars, its first and last day under it.
fn chart(f: &mut Frame<'_>, area: Rect, fig: &Figures, values: &[i64], title: String, t: &Theme) {
    // A day with nothing has no bar (a zero bar still draws a dot).
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| (i as f64, *v as f64))
        .collect();
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let day = |i: usize| {
        fig.report
            .daily
            .get(i)
            .map_or(String::new(), |d| d.date.format("%m-%d").to_string())
    };
    let labels = if values.len() > 1 {
        vec![Line::from(day(0)), Line::from(day(values.len() - 1))]
    } else {
        vec![Line::from(day(0))]
    };
    let data = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Bar)
        .style(t.title)
        .data(&points);
    let width = area.width.saturating_sub(1) as usize;
    let widget = Chart::new(vec![data])
        .block(Block::default().title(Span::styled(fit(&title, width, false), t.dim)))
        .x_axis(
            Axis::default()
                .bounds([-0.5, n - 0.5])
                .labels(labels)
                .style(t.dim),
        )
        .y_axis(Axis::default().bounds([0.0, max]).style(t.dim));
    f.render_widget(
        widget,
        Rect {
            width: area.width.saturating_sub(1),
            ..area
        },
    );
}

/// A titled block of lines in the lower part.
struct Panel {
    title: String,
    lines: Vec<Line<'static>>,
}

fn row(t: &Theme, left: String, right: String, w: usize) -> Line<'static> {
    let rw = right.chars().count().min(w);
    Line::from(vec![
        Span::raw(fit(&left, w.saturating_sub(rw + 1), false)),
        Span::raw(" "),
        Span::styled(right, t.title),
    ])
}

fn none_line(t: &Theme) -> Vec<Line<'static>> {
    vec![Line::from(Span::styled("none in this period", t.dim))]
}

fn other_panels(fig: &Figures, app: &App, w: usize) -> Vec<Panel> {
    let t = &app.theme;
    let r = &fig.report;
    let (n, p) = (&r.scalars, &r.previous);
    let money = |m: i64| app.fmt.money(m);
    let f0 = |x: Option<f64>| x.unwrap_or(0.0);
    let service = vec![
        row(
            t,
            "SLA met".into(),
            format!(
                "{} {}",
                pct(n.ticket_sla_met_share),
                change(f0(n.ticket_sla_met_share), f0(p.ticket_sla_met_share))
            ),
            w,
        ),
        row(
            t,
            "first response (avg)".into(),
            hours(n.first_response_hours_avg),
            w,
        ),
        row(
            t,
            "opened / resolved".into(),
            format!("{} / {}", n.tickets_opened, n.tickets_resolved),
            w,
        ),
        row(t, "CSAT attitude".into(), num(r.csat.attitude), w),
        row(t, "CSAT speed".into(), num(r.csat.speed), w),
        row(t, "CSAT resolution".into(), num(r.csat.resolution), w),
        row(t, "CSAT overall".into(), num(r.csat.overall), w),
    ];
    let list = |lines: Vec<Line<'static>>| if lines.is_empty() { none_line(t) } else { lines };
    let products = list(
        r.top_products
            .iter()
            .map(|x| {
                row(
                    t,
                    format!("{} {}", one_line(&x.sku), one_line(&x.title)),
                    format!("{} · {}", x.units, money(x.gmv_minor)),
                    w,
                )
            })
            .collect(),
    );
    let merchants = list(
        r.top_merchants
            .iter()
            .map(|x| {
                row(
                    t,
                    format!("{} {}", one_line(&x.code), one_line(&x.name)),
                    money(x.gmv_minor),
                    w,
                )
            })
            .collect(),
    );
    let categories = list(
        r.top_categories
            .iter()
            .map(|x| {
                row(
                    t,
                    one_line(&x.name),
                    format!("{} · {}", x.units, money(x.gmv_minor)),
                    w,
                )
            })
            .collect(),
    );
    let reasons = list(
        r.tickets_by_reason
            .iter()
            .map(|x| row(t, one_line(&x.reason), x.count.to_string(), w))
            .collect(),
    );
    vec![
        Panel {
            title: "Tickets: service".into(),
            lines: service,
        },
        Panel {
            title: "Top products (units · GMV)".into(),
            lines: products,
        },
        Panel {
            title: "Top merchants (GMV)".into(),
            lines: merchants,
        },
        Panel {
            title: "Top categories (units · GMV)".into(),
            lines: categories,
        },
        Panel {
            title: "Tickets by reason (opened)".into(),
            lines: reasons,
        },
    ]
}

fn alert_panel(fig: &Figures, app: &App, w: usize, hidden: usize) -> Panel {
    let t = &app.theme;
    let b = &app.dashboard;
    let lines = fig
        .alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let on = i == b.alert;
            let mark = if on { "▸ " } else { "  " };
            let count = thousands(a.count.max(0) as u64);
            let style = match (on, a.count) {
                (true, _) => t.cursor,
                (false, 0) => t.dim,
                _ => Style::default(),
            };
            Line::from(Span::styled(
                format!(
                    "{mark}{}{}",
                    fit(a.kind.label(), w.saturating_sub(2 + 7), false),
                    fit(&count, 7, true)
                ),
                style,
            ))
        })
        .collect();
    let more = if hidden > 0 {
        format!(" · {} {hidden} more", key(app, Action::DashPanels))
    } else {
        String::new()
    };
    Panel {
        title: format!("Alerts now · {} opens{more}", key(app, Action::DashOpenAlert)),
        lines,
    }
}

fn panels(f: &mut Frame<'_>, area: Rect, fig: &Figures, app: &App) {
    let ncols = (area.width as usize / CELL).max(2);
    let cw = area.width as usize / ncols;
    let w = cw.saturating_sub(2);
    let h = area.height as usize;
    let mut others = other_panels(fig, app, w);
    if !others.is_empty() {
        let k = app.dashboard.panel % others.len();
        others.rotate_left(k);
    }
    // One panel a column after the alerts'; the rest each go to the
    // column with the most room, whole if they fit, else cut where their
    // title and three rows fit (a top list shows its first rows).
    let mut columns: Vec<Vec<Line<'static>>> = vec![Vec::new(); ncols.saturating_sub(1)];
    let mut placed = 0;
    for (i, p) in others.iter().enumerate() {
        let room = |col: &Vec<Line<'static>>| h.saturating_sub(col.len() + usize::from(!col.is_empty()));
        let target = if i < columns.len() {
            Some(i)
        } else {
            (0..columns.len())
                .max_by_key(|&c| (room(&columns[c]), usize::MAX - c))
                .filter(|&c| room(&columns[c]) >= 4)
        };
        let Some(c) = target else { continue };
        let col = &mut columns[c];
        if !col.is_empty() {
            col.push(Line::default());
        }
        col.push(Line::from(Span::styled(p.title.clone(), app.theme.title)));
        col.extend(p.lines.iter().cloned());
        col.truncate(h);
        placed += 1;
    }
    let hidden = others.len() - placed;
    let alerts = alert_panel(fig, app, w, hidden);
    let mut first = vec![Line::from(Span::styled(alerts.title, app.theme.title))];
    first.extend(alerts.lines);
    let areas = Layout::horizontal(vec![Constraint::Length(cw as u16); ncols]).split(area);
    for (i, lines) in std::iter::once(first).chain(columns).enumerate() {
        if let Some(a) = areas.get(i) {
            f.render_widget(
                Paragraph::new(lines),
                Rect {
                    width: a.width.saturating_sub(2),
                    ..*a
                },
            );
        }
    }
}
