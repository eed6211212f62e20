//! The notices outbox (SPEC §4.8; `notices` in the palette, `N` on
//! Merchants): every notice, newest first, with its recipient, subject and
//! whether it was sent; Enter shows the selected one's whole text, `s`
//! marks it sent (delivered some other way: the mark is audited, like
//! `shopdesk notices mark-sent`), `a` shows all or only the unsent.
//! Marking runs off the input path (a thread with its own session, like
//! the writer worker) and reports back as a message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::ops::merchants::Notice;
use crate::tui::app::{App, JobResult, Overlay};
use crate::tui::widgets::text::{fit, one_line, wrap};

/// The open outbox.
#[derive(Debug, Clone, Default)]
pub struct NoticesView {
    pub rows: Vec<Notice>,
    pub selected: usize,
    /// Showing the selected notice's whole text.
    pub open: bool,
    pub unsent_only: bool,
    /// The first line of the text shown (the open notice scrolls).
    pub scroll: usize,
}

/// Reads the outbox and opens the view (a read of one small table).
pub fn open(app: &mut App, unsent_only: bool) {
    match crate::ops::merchants::outbox(&app.session.conn, unsent_only) {
        Ok(mut rows) => {
            rows.reverse();
            app.overlay = Some(Overlay::Notices(Box::new(NoticesView {
                rows,
                unsent_only,
                ..NoticesView::default()
            })));
        }
        Err(e) => app.warn(format!("notices: {e}")),
    }
}

/// A navigation key (the picker's keys).
pub fn key(app: &mut App, mut v: Box<NoticesView>, a: crate::tui::action::Action) {
    use crate::tui::action::Action as A;
    let n = v.rows.len();
    match a {
        A::Cancel | A::Back if v.open => {
            v.open = false;
            v.scroll = 0;
        }
        A::Cancel | A::Back | A::Quit => return,
        A::Submit => {
            v.open = !v.open && n > 0;
            v.scroll = 0;
        }
        A::Down if v.open => v.scroll += 1,
        A::Up if v.open => v.scroll = v.scroll.saturating_sub(1),
        A::Down => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
        A::Up => v.selected = v.selected.saturating_sub(1),
        A::FirstRow => v.selected = 0,
        A::LastRow => v.selected = n.saturating_sub(1),
        _ => {}
    }
    app.overlay = Some(Overlay::Notices(v));
}

/// A typed key: `s` marks the selected notice sent, `a` toggles unsent only.
pub fn typed(app: &mut App, s: &str) {
    let Some(Overlay::Notices(v)) = &mut app.overlay else {
        return;
    };
    match s {
        "a" => {
            let unsent_only = !v.unsent_only;
            app.run(vec![crate::tui::app::Effect::Notices { unsent_only }]);
        }
        "s" => mark_selected(app),
        _ => {}
    }
}

fn mark_selected(app: &mut App) {
    if let Err(r) = app
        .session
        .actor
        .role
        .require(crate::domain::Permission::ManageMerchants)
    {
        app.warn(r.to_string());
        return;
    }
    let (now, login) = (app.fmt.now, app.session.actor.login.clone());
    let Some(Overlay::Notices(v)) = &mut app.overlay else {
        return;
    };
    let Some(n) = v.rows.get_mut(v.selected) else {
        return;
    };
    if n.sent_at.is_some() {
        let id = n.id;
        app.warn(format!("notice {id} was sent already"));
        return;
    }
    let id = n.id;
    // Shown as sent at once; the message says when it is saved.
    n.sent_at = Some(crate::clock::stamp(now));
    n.sent_by = Some(login);
    let say = move |r: crate::Result<Vec<i64>>| match r {
        Ok(done) if done.contains(&id) => Ok(format!("notice {id} marked sent")),
        Ok(_) => Ok(format!("notice {id} was sent already")),
        Err(e) => Err(format!("notice {id}: {e}")),
    };
    if app.writer.is_none() {
        // Tests run writes in line.
        let r = crate::ops::merchants::mark_sent(&mut app.session, &[id]);
        match say(r) {
            Ok(m) => app.say(m),
            Err(e) => app.warn(e),
        }
        return;
    }
    let (path, login) = (app.session.path.clone(), app.session.actor.login.clone());
    let results = app.results_tx.clone();
    std::thread::spawn(move || {
        let r = crate::ops::Session::open_as(&path, &login)
            .and_then(|mut s| crate::ops::merchants::mark_sent(&mut s, &[id]));
        let _ = results.send(JobResult::Message(say(r)));
    });
}

/// The recipient as this reader may see it.
fn recipient(app: &App, n: &Notice) -> String {
    let pii = app.fmt.pii();
    if n.channel == "email" {
        pii.email(&n.recipient)
    } else {
        pii.phone(&n.recipient)
    }
}

pub fn lines(app: &App, v: &NoticesView, cols: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    if v.rows.is_empty() {
        let what = if v.unsent_only {
            "unsent notices"
        } else {
            "notices"
        };
        return vec![Line::from(Span::styled(format!("no {what} yet"), t.dim))];
    }
    if v.open
        && let Some(n) = v.rows.get(v.selected)
    {
        let mut out = vec![
            Line::from(Span::styled(
                format!("notice {} · {}", n.id, one_line(&n.subject)),
                t.title,
            )),
            Line::from(format!("to      {} ({})", recipient(app, n), n.channel)),
            Line::from(format!("created {}", app.fmt.time(&n.created_at))),
            Line::from(match (&n.sent_at, &n.sent_by) {
                (Some(at), by) => format!("sent    {} by {}", app.fmt.time(at), by.as_deref().unwrap_or("?")),
                (None, _) => format!(
                    "sent    not yet ({} attempts{})",
                    n.attempts,
                    n.last_error
                        .as_deref()
                        .map(|e| format!(", last error: {}", one_line(e)))
                        .unwrap_or_default()
                ),
            }),
            Line::default(),
        ];
        for para in n.body.split('\n') {
            for piece in wrap(&one_line(para), cols.max(10)) {
                out.push(Line::from(piece));
            }
        }
        return out;
    }
    v.rows
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let sent = if n.sent_at.is_some() { "sent  " } else { "UNSENT" };
            let text = format!(
                "{:>5} {} {} {:<6} {}",
                n.id,
                sent,
                app.fmt.time_short(&n.created_at),
                n.channel,
                one_line(&n.subject)
            );
            let style = if i == v.selected {
                t.cursor
            } else if n.sent_at.is_none() {
                t.base
            } else {
                t.dim
            };
            Line::from(Span::styled(fit(&text, cols, false), style))
        })
        .collect()
}

pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, v: &NoticesView) {
    let popup = super::centered(area, 100, area.height.saturating_sub(2));
    let cols = popup.width.saturating_sub(2) as usize;
    let inner = popup.height.saturating_sub(2) as usize;
    let all = lines(app, v, cols);
    let start = if v.open {
        v.scroll.min(all.len().saturating_sub(inner.max(1)))
    } else {
        // Keep the selection on screen.
        v.selected.saturating_sub(inner.saturating_sub(1))
    };
    let shown: Vec<Line<'static>> = all.into_iter().skip(start).take(inner).collect();
    let unsent = v.rows.iter().filter(|n| n.sent_at.is_none()).count();
    let title = if v.open {
        "notice — j/k scroll, esc back".to_string()
    } else {
        format!(
            "notices ({} shown, {unsent} unsent) — enter read · s mark sent · a {} · esc close",
            v.rows.len(),
            if v.unsent_only { "all" } else { "unsent only" }
        )
    };
    super::popup(f, popup, &fit(&title, cols, false), shown, &app.theme);
}
