//! Drawing the Settlement view: the statements list, one statement's
//! totals, lines and charges, the action menu and a verb's prompt.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{Mode, Pick, SettlementView, menu};
use crate::ops::settlement::Detail;
use crate::tui::app::App;
use crate::tui::widgets::text::{fit, one_line};

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
    let popup = crate::tui::overlays::centered(area, area.width, area.height.saturating_sub(2));
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
    crate::tui::overlays::popup(f, popup, &fit(&title, cols, false), shown, &app.theme);
}
