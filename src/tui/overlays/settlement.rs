//! The Settlement view (SPEC §4.6, docs/settlement.md; `$` on Merchants,
//! `settlement` in the palette): statements by period and state, a
//! statement's totals, lines and refund charges; `c` confirm, `p` pay (a
//! bank reference typed in), `a` the action menu, `e` the statement's CSV,
//! `f` the state shown, `r` reload. Writes run off the input path (a
//! thread with its own session, as the notices view does) and report back
//! as a message; the row shows the new state at once.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::domain::Permission;
use crate::domain::settlement::StatementStatus;
use crate::ops::settlement::{self as settle, Detail, Listed, Statement};
use crate::tui::action::Action;
use crate::tui::app::{App, JobResult, Overlay};
use crate::tui::widgets::text::{fit, one_line};

/// What the keys do right now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Browse,
    /// The action menu, its cursor.
    Menu(usize),
    /// "confirm statement N?" awaiting y/n.
    Confirm,
    /// Typing the bank reference of a payout.
    PayRef(String),
}

#[derive(Debug, Clone, Default)]
pub struct SettlementView {
    pub rows: Vec<Listed>,
    pub selected: usize,
    /// The state shown (`None`: all).
    pub filter: Option<StatementStatus>,
    /// The open statement.
    pub open: Option<Box<Detail>>,
    pub scroll: usize,
    pub mode: Mode,
}

impl SettlementView {
    /// Typing text (the bank reference) takes letters the list keys use.
    pub fn takes_text(&self) -> bool {
        matches!(self.mode, Mode::PayRef(_))
    }

    fn current(&self) -> Option<&Statement> {
        match &self.open {
            Some(d) => Some(&d.statement),
            None => self.rows.get(self.selected).map(|l| &l.statement),
        }
    }
}

const MENU: [(&str, &str); 3] = [
    ("c", "confirm (freeze)"),
    ("p", "pay (record the bank reference)"),
    ("e", "export CSV for the merchant"),
];

/// Opens the view (the statements list: one small table).
pub fn open(app: &mut App, filter: Option<StatementStatus>) {
    match settle::list(&app.session.conn, None, filter) {
        Ok(rows) => {
            app.overlay = Some(Overlay::Settlement(Box::new(SettlementView {
                rows,
                filter,
                ..SettlementView::default()
            })));
        }
        Err(e) => app.warn(format!("settlement: {e}")),
    }
}

/// Re-reads the list (and the open statement), keeping the selection.
fn reload(app: &mut App, mut v: Box<SettlementView>) -> Box<SettlementView> {
    let keep = v.rows.get(v.selected).map(|l| l.statement.id);
    match settle::list(&app.session.conn, None, v.filter) {
        Ok(rows) => {
            v.selected = keep
                .and_then(|id| rows.iter().position(|l| l.statement.id == id))
                .unwrap_or(0)
                .min(rows.len().saturating_sub(1));
            v.rows = rows;
        }
        Err(e) => app.warn(format!("settlement: {e}")),
    }
    if let Some(id) = v.open.as_ref().map(|d| d.statement.id) {
        v.open = settle::detail(&app.session.conn, id).ok().flatten().map(Box::new);
    }
    v
}

/// A key of `[picker]` (or of `[form]` while typing a reference).
pub fn key(app: &mut App, mut v: Box<SettlementView>, a: Action) {
    let n = v.rows.len();
    match (&mut v.mode, a) {
        (Mode::PayRef(_), Action::Cancel | Action::Back) | (Mode::Confirm, Action::Cancel | Action::Back) => {
            v.mode = Mode::Browse;
            app.say("nothing changed");
        }
        (Mode::PayRef(r), Action::DeleteBack) => {
            r.pop();
        }
        (Mode::PayRef(r), Action::ClearInput) => r.clear(),
        (Mode::PayRef(r), Action::Submit) => {
            let reference = r.clone();
            v.mode = Mode::Browse;
            v = write(app, v, Some(reference));
        }
        (Mode::Confirm, Action::Submit) => {
            v.mode = Mode::Browse;
            v = write(app, v, None);
        }
        (Mode::Menu(i), Action::Down) => *i = (*i + 1).min(MENU.len() - 1),
        (Mode::Menu(i), Action::Up) => *i = i.saturating_sub(1),
        (Mode::Menu(i), Action::Submit) => {
            let k = MENU[*i].0;
            v.mode = Mode::Browse;
            app.overlay = Some(Overlay::Settlement(v));
            return typed(app, k);
        }
        (Mode::Menu(_), Action::Cancel | Action::Back) => v.mode = Mode::Browse,
        (Mode::Browse, Action::Cancel | Action::Back) if v.open.is_some() => {
            v.open = None;
            v.scroll = 0;
        }
        (Mode::Browse, Action::Cancel | Action::Back | Action::Quit) => return,
        (Mode::Browse, Action::Submit) if v.open.is_none() => {
            if let Some(id) = v.rows.get(v.selected).map(|l| l.statement.id) {
                match settle::detail(&app.session.conn, id) {
                    Ok(d) => v.open = d.map(Box::new),
                    Err(e) => app.warn(format!("statement {id}: {e}")),
                }
                v.scroll = 0;
            }
        }
        (Mode::Browse, Action::Down) if v.open.is_some() => v.scroll += 1,
        (Mode::Browse, Action::Up) if v.open.is_some() => v.scroll = v.scroll.saturating_sub(1),
        (Mode::Browse, Action::Down) => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
        (Mode::Browse, Action::Up) => v.selected = v.selected.saturating_sub(1),
        (Mode::Browse, Action::FirstRow) => v.selected = 0,
        (Mode::Browse, Action::LastRow) => v.selected = n.saturating_sub(1),
        _ => {}
    }
    app.overlay = Some(Overlay::Settlement(v));
}

/// A typed key: the letters of the view, or the reference being typed.
pub fn typed(app: &mut App, s: &str) {
    let Some(Overlay::Settlement(mut v)) = app.overlay.take() else {
        return;
    };
    let has_current = v.current().is_some();
    match (&mut v.mode, s) {
        (Mode::PayRef(r), _) => r.push_str(s),
        (Mode::Confirm, "y") => {
            v.mode = Mode::Browse;
            v = write(app, v, None);
        }
        (Mode::Confirm, "n") => {
            v.mode = Mode::Browse;
            app.say("answered no: nothing changed");
        }
        (Mode::Menu(_), k) if MENU.iter().any(|m| m.0 == k) => {
            v.mode = Mode::Browse;
            app.overlay = Some(Overlay::Settlement(v));
            return typed(app, k);
        }
        (Mode::Browse, "c" | "p") => {
            if let Err(r) = app.session.actor.role.require(Permission::SettleMerchants) {
                app.warn(r.to_string());
            } else if let Some(st) = v.current() {
                let want = if s == "c" { "draft" } else { "confirmed" };
                if st.status != want {
                    app.warn(format!(
                        "statement {} is {}: {} needs {want}",
                        st.id,
                        st.status,
                        if s == "c" { "confirm" } else { "pay" }
                    ));
                } else {
                    v.mode = if s == "c" {
                        Mode::Confirm
                    } else {
                        Mode::PayRef(String::new())
                    };
                }
            }
        }
        (Mode::Browse, "a") if has_current => v.mode = Mode::Menu(0),
        (Mode::Browse, "e") => export(app, &v),
        (Mode::Browse, "f") => {
            v.filter = match v.filter {
                None => Some(StatementStatus::Draft),
                Some(StatementStatus::Draft) => Some(StatementStatus::Confirmed),
                Some(StatementStatus::Confirmed) => Some(StatementStatus::Paid),
                Some(StatementStatus::Paid) => None,
            };
            v.selected = 0;
            v.open = None;
            v = reload(app, v);
        }
        (Mode::Browse, "r") => v = reload(app, v),
        _ => {}
    }
    app.overlay = Some(Overlay::Settlement(v));
}

/// Confirms (`reference` None) or pays the current statement at the
/// version shown.
fn write(app: &mut App, mut v: Box<SettlementView>, reference: Option<String>) -> Box<SettlementView> {
    let Some(st) = v.current().cloned() else {
        return v;
    };
    let (id, version) = (st.id, st.version);
    let status = if reference.is_some() { "paid" } else { "confirmed" };
    let now = app.fmt.now;
    let run = move |s: &mut crate::ops::Session| match &reference {
        None => settle::confirm_at(s, id, Some(version), now).map(|r| r.1),
        Some(r) => settle::pay_at(s, id, Some(version), r, now).map(|r| r.1),
    };
    if app.writer.is_none() {
        // Tests run writes in line.
        match run(&mut app.session) {
            Ok(m) => app.say(m),
            Err(e) => app.warn(format!("statement {id}: {e}")),
        }
        return reload(app, v);
    }
    // Shown at once; the message says whether it was saved ("r" re-reads).
    for l in v.rows.iter_mut().filter(|l| l.statement.id == id) {
        l.statement.status = status.into();
    }
    if let Some(d) = v.open.as_mut() {
        d.statement.status = status.into();
    }
    let (path, login) = (app.session.path.clone(), app.session.actor.login.clone());
    let results = app.results_tx.clone();
    std::thread::spawn(move || {
        let r = crate::ops::Session::open_as(&path, &login).and_then(|mut s| run(&mut s));
        let _ = results.send(JobResult::Message(
            r.map_err(|e| format!("statement {id}: {e} (r reloads)")),
        ));
    });
    v
}

/// Writes the current statement's CSV beside the other exports.
fn export(app: &mut App, v: &SettlementView) {
    let Some(id) = v.current().map(|s| s.id) else {
        return;
    };
    let dir = app
        .export_dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let path = dir.join(format!("statement-{id}.csv"));
    let r = settle::detail(&app.session.conn, id).and_then(|d| {
        let d = d.ok_or_else(|| crate::Error::not_found("statement", id))?;
        let f = crate::identity::create_for_caller(&path, true)
            .map_err(|e| crate::Error::input(format!("{}: cannot create: {e}", path.display())))?;
        settle::export::statement_csv(&app.session, &d, f)
    });
    match r {
        Ok(n) => app.say(format!("statement {id}: {n} rows written to {}", path.display())),
        Err(e) => app.warn(format!("statement {id}: {e}")),
    }
}

fn money(app: &App, v: i64) -> String {
    app.fmt.money(v)
}

fn statement_lines(app: &App, d: &Detail, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let st = &d.statement;
    let mut out = vec![Line::from(Span::styled(
        fit(
            &format!(
                "statement {} · {} {} · {} – {} · {}",
                st.id,
                d.merchant_code,
                one_line(&d.merchant_name),
                st.period_from,
                st.period_to,
                st.status
            ),
            cols,
            false,
        ),
        t.title,
    ))];
    let row =
        |label: &str, v: i64| Line::from(fit(&format!("  {label:<12}{:>16}", money(app, v)), cols, false));
    out.push(row("sales", st.sales_minor));
    out.push(row("commission", -st.commission_minor));
    out.push(row("refunds", -st.refunds_minor));
    out.push(row("fee", -st.fee_minor));
    out.push(row("carried in", st.carried_in_minor));
    out.push(Line::from(Span::styled(
        fit(
            &format!("  {:<12}{:>16}", "payable", money(app, st.payable_minor)),
            cols,
            false,
        ),
        t.title,
    )));
    if let Some(r) = &st.pay_ref {
        out.push(Line::from(fit(
            &format!(
                "  paid {} by {} · ref {}",
                app.fmt.opt_time(st.paid_at.as_deref()),
                st.paid_by.as_deref().unwrap_or("?"),
                one_line(r)
            ),
            cols,
            false,
        )));
    } else if let Some(at) = &st.confirmed_at {
        out.push(Line::from(fit(
            &format!(
                "  confirmed {} by {}",
                app.fmt.time(at),
                st.confirmed_by.as_deref().unwrap_or("?")
            ),
            cols,
            false,
        )));
    }
    out.push(Line::from(Span::styled(
        format!("lines ({})", d.lines.len()),
        t.dim,
    )));
    for l in &d.lines {
        // The figures first, so they survive at 80 columns; the SKU and
        // title fill what is left.
        let text = format!(
            "  {}#{} {}×{}={} {} {} −{}  {} {}",
            l.order_key,
            l.line_no,
            l.qty,
            money(app, l.unit_price_minor),
            money(app, l.line.sales_minor),
            crate::domain::money::format_bp(l.line.commission_bp),
            &l.line.commission_source[..3.min(l.line.commission_source.len())],
            money(app, l.line.commission_minor),
            one_line(&l.sku),
            one_line(&l.title)
        );
        out.push(Line::from(fit(&text, cols, false)));
    }
    out.push(Line::from(Span::styled(
        format!("refunds charged ({})", d.charges.len()),
        t.dim,
    )));
    for c in &d.charges {
        out.push(Line::from(fit(
            &format!(
                "  {} order {} ticket {}: {} of {}",
                app.fmt.time(&c.refunded_at),
                c.order_id,
                c.ticket_id,
                money(app, c.amount_minor),
                money(app, c.refund_minor)
            ),
            cols,
            false,
        )));
    }
    out
}

pub fn lines(app: &App, v: &SettlementView, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    match &v.mode {
        Mode::Confirm => {
            if let Some(st) = v.current() {
                out.push(Line::from(Span::styled(
                    fit(
                        &format!(
                            "confirm statement {} (payable {})? it is frozen after · y/n",
                            st.id,
                            money(app, st.payable_minor)
                        ),
                        cols,
                        false,
                    ),
                    t.warn,
                )));
            }
        }
        Mode::PayRef(r) => {
            if let Some(st) = v.current() {
                out.push(Line::from(Span::styled(
                    fit(
                        &format!(
                            "pay statement {} ({}) · bank reference: {}_  (enter records, esc cancels)",
                            st.id,
                            money(app, st.payable_minor),
                            one_line(r)
                        ),
                        cols,
                        false,
                    ),
                    t.warn,
                )));
            }
        }
        Mode::Menu(sel) => {
            for (i, (k, label)) in MENU.iter().enumerate() {
                let style = if i == *sel { t.cursor } else { t.base };
                out.push(Line::from(Span::styled(
                    fit(&format!("  {k}  {label}"), cols, false),
                    style,
                )));
            }
            out.push(Line::default());
        }
        Mode::Browse => {}
    }
    if let Some(d) = &v.open {
        out.extend(statement_lines(app, d, cols));
        return out;
    }
    if v.rows.is_empty() {
        let text = match v.filter {
            Some(f) => format!("no {f} statements (f shows another state)"),
            None => "no statements yet: `shopdesk settlement run --from D --to D` makes a period's drafts"
                .to_string(),
        };
        out.push(Line::from(Span::styled(text, t.dim)));
        return out;
    }
    out.push(Line::from(Span::styled(
        fit(
            &format!(
                "{:>5} {:<23} {:<9} {:>5} {:>14}  merchant",
                "#", "period", "state", "lines", "payable"
            ),
            cols,
            false,
        ),
        t.dim,
    )));
    for (i, l) in v.rows.iter().enumerate() {
        let st = &l.statement;
        let text = format!(
            "{:>5} {} – {} {:<9} {:>5} {:>14}  {} {}",
            st.id,
            st.period_from,
            st.period_to,
            st.status,
            st.line_count,
            money(app, st.payable_minor),
            l.merchant_code,
            one_line(&l.merchant_name)
        );
        let style = if i == v.selected {
            t.cursor
        } else if st.status == "paid" {
            t.dim
        } else {
            t.base
        };
        out.push(Line::from(Span::styled(fit(&text, cols, false), style)));
    }
    out
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, v: &SettlementView) {
    // The whole width: a popup edge beside a wide (CJK) character of the
    // list behind it would leave half a character on screen.
    let popup = super::centered(area, area.width, area.height.saturating_sub(2));
    let cols = popup.width.saturating_sub(2) as usize;
    let inner = popup.height.saturating_sub(2) as usize;
    let all = lines(app, v, cols);
    let head = match v.mode {
        Mode::Browse => 0,
        Mode::Menu(_) => MENU.len() + 1,
        _ => 1,
    };
    let start = if v.open.is_some() {
        v.scroll.min(all.len().saturating_sub(inner.max(1)))
    } else {
        // Keep the selection (after the header line) on screen.
        (v.selected + head + 1).saturating_sub(inner.saturating_sub(1))
    };
    let shown: Vec<Line<'static>> = if start > 0 && head > 0 {
        // The prompt stays on top.
        all.iter()
            .take(head)
            .cloned()
            .chain(
                all.iter()
                    .skip(start + head)
                    .take(inner.saturating_sub(head))
                    .cloned(),
            )
            .collect()
    } else {
        all.into_iter().skip(start).take(inner).collect()
    };
    let filter = v.filter.map(|s| s.as_str()).unwrap_or("all");
    let title = if v.open.is_some() {
        "statement — j/k scroll · c confirm · p pay · a actions · e CSV · esc back".to_string()
    } else {
        format!(
            "settlement ({} {filter}) — enter open · c confirm · p pay · a actions · e CSV · f state · r reload · esc close",
            v.rows.len()
        )
    };
    super::popup(f, popup, &fit(&title, cols, false), shown, &app.theme);
}
