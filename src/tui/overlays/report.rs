//! The delist report (SPEC §4.2; `R` on Products, `delist_report` in the
//! palette): delistings by reason and category over a period of shop days.
//! It opens on the period (from, to; the last 30 days filled in), Enter
//! shows the report, `p` asks for another period. The figures come from
//! `ops::products::reports::delist_report`, as `product delist-report`'s do.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form::{self, Field, Form, Rule};
use crate::ops::products::reports::{self, DelistReport};
use crate::tui::action::Action;
use crate::tui::app::{App, Overlay};
use crate::tui::widgets::text::{fit, one_line, width};

/// The open report, or its period being asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub report: DelistReport,
    /// The period form while it is open.
    pub period: Option<Form>,
    /// The first line shown.
    pub scroll: usize,
}

impl ReportView {
    /// Keys of `[form]` while the period is asked for, else of `[picker]`.
    pub fn context(&self) -> crate::tui::keymap::Context {
        if self.period.is_some() {
            crate::tui::keymap::Context::Form
        } else {
            crate::tui::keymap::Context::Picker
        }
    }
}

fn period_form(from: NaiveDate, to: NaiveDate) -> Form {
    let hint = "a shop day, YYYY-MM-DD (included)";
    Form::new(
        "Delist report",
        "delistings by reason and category over these shop days",
        "show",
        vec![
            Field::text("from", Rule::Required, hint).with_value(&from.to_string()),
            Field::text("to", Rule::Required, hint).with_value(&to.to_string()),
        ],
    )
}

fn compute(app: &App, from: Option<NaiveDate>, to: Option<NaiveDate>) -> crate::Result<DelistReport> {
    let cal = app.session.calendar()?;
    reports::delist_report(&app.session.conn, &cal, app.fmt.now, from, to)
}

/// Opens the view on its period form (the default period filled in).
pub fn open(app: &mut App) {
    app.refresh_clock();
    match compute(app, None, None) {
        Ok(report) => {
            let period = Some(period_form(report.from, report.to));
            app.overlay = Some(Overlay::Report(Box::new(ReportView {
                report,
                period,
                scroll: 0,
            })));
        }
        Err(e) => app.warn(format!("delist report: {e}")),
    }
}

/// A key: the form's while the period is open, else scrolling and closing.
pub fn key(app: &mut App, mut v: Box<ReportView>, a: Action) {
    if let Some(mut f) = v.period.take() {
        match f.key(a) {
            form::Outcome::Stay => v.period = Some(f),
            // Back to the report shown before (or closed if none was asked for yet).
            form::Outcome::Cancel => {}
            form::Outcome::Submit => {
                let days = reports::report_day("from", f.value(0))
                    .and_then(|from| reports::report_day("to", f.value(1)).map(|to| (from, to)));
                match days.and_then(|(from, to)| compute(app, Some(from), Some(to))) {
                    Ok(r) => {
                        v.report = r;
                        v.scroll = 0;
                    }
                    Err(e) => {
                        // Keep what was typed; say what is wrong.
                        f.error = Some(e.to_string());
                        v.period = Some(f);
                    }
                }
            }
        }
        app.overlay = Some(Overlay::Report(v));
        return;
    }
    match a {
        Action::Cancel | Action::Back | Action::Quit => return,
        Action::Down => v.scroll += 1,
        Action::Up => v.scroll = v.scroll.saturating_sub(1),
        Action::PageDown => v.scroll += 10,
        Action::PageUp => v.scroll = v.scroll.saturating_sub(10),
        Action::FirstRow => v.scroll = 0,
        Action::Submit => v.period = Some(period_form(v.report.from, v.report.to)),
        _ => {}
    }
    app.overlay = Some(Overlay::Report(v));
}

/// Typed text: into the period form, or `p` to ask for another period.
pub fn typed(app: &mut App, s: &str) {
    let Some(Overlay::Report(v)) = &mut app.overlay else {
        return;
    };
    match &mut v.period {
        Some(f) => f.type_text(s),
        None if s == "p" => v.period = Some(period_form(v.report.from, v.report.to)),
        None => {}
    }
}

/// The report's lines at `cols` columns: per reason its total, then each
/// category with its count, the counts in a right-hand column.
pub fn lines(app: &App, r: &DelistReport, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::from(Span::styled(
        fit(
            &format!("{} to {} · {} delistings", r.from, r.to, r.total()),
            cols,
            false,
        ),
        t.title,
    ))];
    if r.rows.is_empty() {
        out.push(Line::from(Span::styled("no delistings in this period", t.dim)));
        return out;
    }
    let n = 6;
    let name = cols.saturating_sub(n + 1).max(8);
    for (reason, total, rows) in r.by_reason() {
        out.push(Line::default());
        out.push(Line::from(vec![
            Span::styled(fit(&reason.replace('_', " "), name, false), t.title),
            Span::styled(format!(" {total:>n$}"), t.title),
        ]));
        for c in rows {
            let cat = one_line(c.category.as_deref().unwrap_or("(no category)"));
            out.push(Line::from(vec![
                Span::styled(fit(&format!("  {cat}"), name, false), t.base),
                Span::styled(format!(" {:>n$}", c.n), t.base),
            ]));
        }
    }
    out
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, v: &ReportView) {
    if let Some(form) = &v.period {
        let keys = crate::tui::verbs::footer(app, form);
        return form::render(f, area, form, &keys, &app.theme);
    }
    let popup = super::centered(area, 90, area.height.saturating_sub(2));
    let cols = popup.width.saturating_sub(2) as usize;
    let inner = popup.height.saturating_sub(2) as usize;
    let all = lines(app, &v.report, cols);
    let start = v.scroll.min(all.len().saturating_sub(inner.max(1)));
    let shown: Vec<Line<'static>> = all.into_iter().skip(start).take(inner).collect();
    let title = "delist report — j/k scroll · p period · esc close";
    let title = if width(title) > cols {
        "delist report"
    } else {
        title
    };
    super::popup(f, popup, title, shown, &app.theme);
}
