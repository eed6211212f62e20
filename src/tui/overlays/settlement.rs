//! The Settlement view (SPEC §4.6, docs/settlement.md; `$` on Merchants,
//! `settlement` in the palette): statements by period and state, a
//! statement's totals, lines and refund charges; `e` the statement's CSV,
//! `f` the state shown, `r` reload, `a` the action menu. Its verbs are the
//! verb table's `settlement` rows (`ops::settlement::VERBS`): their keys
//! come from the `[settlement]` keymap table, their labels, refusals (role,
//! state), confirmation and field checks from the rows, and they run on the
//! writer worker like every other verb ("saving…", then the view re-reads).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::domain::settlement::StatementStatus;
use crate::ops::settlement::{self as settle, Detail, Listed, Statement};
use crate::ops::verbs::{self, Entity, Target, Values, VerbSpec};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Overlay};
use crate::tui::keymap::Context;
use crate::tui::widgets::text::{fit, one_line};

/// What the keys do right now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Browse,
    /// The action menu, its cursor.
    Menu(usize),
    /// A verb without fields awaiting y/n (its row's `confirm`).
    Confirm(&'static VerbSpec, Box<Target>),
    /// Typing the one field of a verb (pay: the bank reference).
    Field(&'static VerbSpec, Box<Target>, String),
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
        matches!(self.mode, Mode::Field(..))
    }

    fn current(&self) -> Option<&Statement> {
        match &self.open {
            Some(d) => Some(&d.statement),
            None => self.rows.get(self.selected).map(|l| &l.statement),
        }
    }
}

/// One entry of the action menu: a verb of the table or the CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Verb(&'static VerbSpec),
    Export,
}

struct Entry {
    key: String,
    label: String,
    /// Why it cannot run on the current statement (role or state).
    why: Option<String>,
    pick: Pick,
}

/// The statement as the view shows it, for the availability check (no
/// read: the menu is drawn every frame).
fn shown_target(st: &Statement) -> Target {
    Target {
        entity: Entity::Settlement,
        id: st.id,
        version: st.version,
        name: format!("statement {}", st.id),
        note: String::new(),
        prefill: Vec::new(),
        state: vec![st.status.clone()],
    }
}

fn menu(app: &App, v: &SettlementView) -> Vec<Entry> {
    let role = app.session.actor.role;
    let shown = v.current().map(shown_target);
    let mut out: Vec<Entry> = verbs::of(Entity::Settlement)
        .map(|verb| Entry {
            key: Action::of_verb(verb)
                .and_then(|a| app.keymap.key_for(&[Context::Settlement], a))
                .unwrap_or_default(),
            label: verb.label.to_string(),
            why: shown
                .as_ref()
                .and_then(|t| verb.unavailable(role, t))
                .map(|r| super::super::verbs::refusal_why(&r)),
            pick: Pick::Verb(verb),
        })
        .collect();
    out.push(Entry {
        key: "e".into(),
        label: "export CSV for the merchant".into(),
        why: None,
        pick: Pick::Export,
    });
    out
}

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

/// A settlement verb chosen outside the view (the palette): the view opens
/// so a statement can be chosen.
pub fn host(app: &mut App, verb: &'static VerbSpec) {
    open(app, None);
    let key = Action::of_verb(verb)
        .and_then(|a| app.keymap.key_for(&[Context::Settlement], a))
        .map(|k| format!(", then {k}"))
        .unwrap_or_default();
    app.say(format!(
        "{}: choose a statement{key}",
        verb.label.trim_end_matches('…')
    ));
}

/// Re-reads the list (and the open statement), keeping the selection.
pub fn reload(app: &mut App, mut v: Box<SettlementView>) -> Box<SettlementView> {
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

/// A key of `[settlement]` (or of `[form]` while typing a field).
pub fn key(app: &mut App, mut v: Box<SettlementView>, a: Action) -> Vec<Effect> {
    let n = v.rows.len();
    let entries = menu(app, &v).len();
    let mut fx = Vec::new();
    match (&mut v.mode, a) {
        (Mode::Field(..) | Mode::Confirm(..), Action::Cancel | Action::Back) => {
            v.mode = Mode::Browse;
            app.say("nothing changed");
        }
        (Mode::Field(_, _, r), Action::DeleteBack) => {
            r.pop();
        }
        (Mode::Field(_, _, r), Action::ClearInput) => r.clear(),
        (Mode::Field(verb, t, r), Action::Submit) => {
            let (verb, t, raw) = (*verb, t.clone(), r.clone());
            match field_values(app, verb, &raw) {
                Ok(values) => {
                    v.mode = Mode::Browse;
                    fx = run(verb, &t, values);
                }
                // The field stays open with what was typed.
                Err(e) => app.warn(e),
            }
        }
        (Mode::Confirm(verb, t), Action::Submit) => {
            fx = run(verb, t, Values::default());
            v.mode = Mode::Browse;
        }
        (Mode::Menu(i), Action::Down) => *i = (*i + 1).min(entries.saturating_sub(1)),
        (Mode::Menu(i), Action::Up) => *i = i.saturating_sub(1),
        (Mode::Menu(i), Action::Submit) => {
            let i = *i;
            v.mode = Mode::Browse;
            let entries = menu(app, &v);
            match entries.get(i) {
                Some(Entry { why: Some(why), .. }) => app.warn(why.clone()),
                Some(Entry {
                    pick: Pick::Verb(verb),
                    ..
                }) => (v, fx) = start(app, v, verb),
                Some(Entry {
                    pick: Pick::Export, ..
                }) => export(app, &v),
                None => {}
            }
        }
        (Mode::Menu(_), Action::Cancel | Action::Back) => v.mode = Mode::Browse,
        // A verb's key, on the list, the statement or its menu entry.
        (Mode::Browse | Mode::Menu(_), a)
            if a.verb().is_some_and(|verb| verb.entity == Entity::Settlement) =>
        {
            v.mode = Mode::Browse;
            if let Some(verb) = a.verb() {
                (v, fx) = start(app, v, verb);
            }
        }
        (Mode::Browse, Action::Cancel | Action::Back) if v.open.is_some() => {
            v.open = None;
            v.scroll = 0;
        }
        (Mode::Browse, Action::Cancel | Action::Back | Action::Quit) => return fx,
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
    fx
}

/// The one field of `verb` as typed, checked by the table's parser (the
/// CLI's too).
fn field_values(app: &App, verb: &'static VerbSpec, raw: &str) -> Result<Values, String> {
    let Some(f) = verb.fields.first() else {
        return Ok(Values::default());
    };
    Values::parse(verb, &[(f.name, raw.to_string())], &app.session.settings.timezone)
        .map_err(|e| format!("{}: {e}", f.label))
}

/// Starts `verb` on the current statement: loads it at the version shown
/// (a change since is a conflict naming who), refuses it (role, state), or
/// asks for its field or its confirmation.
fn start(
    app: &mut App,
    mut v: Box<SettlementView>,
    verb: &'static VerbSpec,
) -> (Box<SettlementView>, Vec<Effect>) {
    let Some((id, shown)) = v.current().map(|st| (st.id, st.version)) else {
        app.say("no statement here to act on");
        return (v, Vec::new());
    };
    // The role first: it needs no read, and its message names no statement.
    if let Some(r) = verb.role_refusal(app.session.actor.role) {
        app.warn(r.to_string());
        return (v, Vec::new());
    }
    let t = match verbs::load_target(&app.session.conn, Entity::Settlement, id, Some(shown)) {
        Ok(t) => t,
        Err(e) => {
            let m = app.error_text(&e);
            app.warn(m);
            return (v, Vec::new());
        }
    };
    if let Some(r) = verb.unavailable(app.session.actor.role, &t) {
        app.warn(super::super::verbs::refusal_text(&r, &t));
        return (v, Vec::new());
    }
    match (verb.fields, verb.confirm) {
        ([], Some(_)) => v.mode = Mode::Confirm(verb, Box::new(t)),
        ([], None) => return (v, run(verb, &t, Values::default())),
        ([_], _) => v.mode = Mode::Field(verb, Box::new(t), String::new()),
        _ => app.warn(format!(
            "{}: the settlement view takes one field; use `shopdesk settlement {}`",
            verb.label,
            verb.cli_path()
        )),
    }
    (v, Vec::new())
}

/// The run, on the writer worker, at the version the view showed.
fn run(verb: &'static VerbSpec, t: &Target, values: Values) -> Vec<Effect> {
    vec![Effect::Verb(Box::new(super::super::verbs::Job::Run {
        verb,
        targets: vec![(t.id, Some(t.version))],
        values,
        form: None,
    }))]
}

/// A typed key: the letters of the view, or the field being typed.
pub fn typed(app: &mut App, s: &str) {
    let Some(Overlay::Settlement(mut v)) = app.overlay.take() else {
        return;
    };
    let has_current = v.current().is_some();
    let mut fx = Vec::new();
    match (&mut v.mode, s) {
        (Mode::Field(_, _, r), _) => r.push_str(s),
        (Mode::Confirm(verb, t), "y") => {
            fx = run(verb, t, Values::default());
            v.mode = Mode::Browse;
        }
        (Mode::Confirm(..), "n") => {
            v.mode = Mode::Browse;
            app.say("answered no: nothing changed");
        }
        (Mode::Menu(_), k) => {
            let hit = menu(app, &v).iter().position(|e| !e.key.is_empty() && e.key == k);
            if let Some(i) = hit {
                v.mode = Mode::Menu(i);
                app.overlay = Some(Overlay::Settlement(v));
                return app.dispatch(Action::Submit);
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
    app.run(fx);
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

/// The lines above the list while a verb asks something: the answer keys
/// and what is typed first, so they survive at 80 columns; wrapped, never cut.
fn prompt(app: &App, v: &SettlementView, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let payable = v
        .current()
        .map(|st| format!("payable {}", money(app, st.payable_minor)))
        .unwrap_or_default();
    let text = match &v.mode {
        Mode::Confirm(verb, target) => {
            let question = verb.confirm.unwrap_or("{name}?").replace("{name}", &target.name);
            format!("y/n · {question} ({payable})")
        }
        Mode::Field(verb, target, r) => {
            let f = verb.fields.first();
            let label = f.map_or("value", |f| f.label);
            // Checked as typed, by the parser the CLI uses.
            let problem = f
                .filter(|_| !r.is_empty())
                .and_then(|f| f.parse(r, &app.session.settings.timezone).err())
                .map(|e| format!(" ! {e}"))
                .unwrap_or_default();
            format!(
                "{label}: {}_{problem} · enter saves, esc cancels · {} {} ({payable})",
                one_line(r),
                verb.name,
                target.name
            )
        }
        _ => return Vec::new(),
    };
    crate::tui::widgets::text::wrap(&text, cols.max(1))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, t.warn)))
        .collect()
}

pub fn lines(app: &App, v: &SettlementView, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = prompt(app, v, cols);
    match &v.mode {
        Mode::Menu(sel) => {
            for (i, e) in menu(app, v).iter().enumerate() {
                let style = if i == *sel {
                    t.cursor
                } else if e.why.is_some() {
                    t.dim
                } else {
                    t.base
                };
                let why = e.why.as_deref().map(|w| format!("  — {w}")).unwrap_or_default();
                out.push(Line::from(Span::styled(
                    fit(&format!("  {:<2} {}{why}", e.key, e.label), cols, false),
                    style,
                )));
            }
            out.push(Line::default());
        }
        Mode::Browse | Mode::Confirm(..) | Mode::Field(..) => {}
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
        Mode::Menu(_) => menu(app, v).len() + 1,
        _ => prompt(app, v, cols).len(),
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
    // The verbs' keys as the keymap binds them.
    let verb_keys: String = menu(app, v)
        .iter()
        .filter_map(|e| match e.pick {
            Pick::Verb(verb) if !e.key.is_empty() => Some(format!(" · {} {}", e.key, verb.name)),
            _ => None,
        })
        .collect();
    let title = if v.open.is_some() {
        format!("statement — j/k scroll{verb_keys} · a actions · e CSV · esc back")
    } else {
        format!(
            "settlement ({} {filter}) — enter open{verb_keys} · a actions · e CSV · f state · r reload · esc close",
            v.rows.len()
        )
    };
    super::popup(f, popup, &fit(&title, cols, false), shown, &app.theme);
}
