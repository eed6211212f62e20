//! The Dashboard tab (SPEC §4.5): a period picker, the KPI tiles with their
//! change against the previous period, the daily orders and GMV charts, the
//! top lists, the ticket service figures and the alerts, each of which opens
//! the list it counts. The figures are `ops::kpi::report` and
//! `ops::alerts::alerts`, the same as `shopdesk kpi`.
//!
//! The report is computed on a worker thread with its own session (as the
//! writer has), never on the input thread: a key that changes the period
//! asks for the new one and returns at once; until it lands the screen says
//! "computing…" for the new period and shows no figures, so no earlier
//! period's numbers are ever labelled as the new one. Only the newest ask
//! is answered; overtaken ones are skipped, and one still running when a
//! newer one comes is interrupted (`kpi::Canceller`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::{Screen, Tab};
use crate::ops::Session;
use crate::ops::alerts::{Alert, AlertKind};
use crate::ops::kpi::{self, Canceller, Period, Report};
use crate::store::lists::{MerchantQueue, ProductQueue, StatusFilter, TicketQueue};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, JobResult, Overlay};
use crate::tui::keymap::Context;
use crate::tui::overlays::form::{self, Field, Form, Rule};

/// The period choices, in picker order (left/right walk them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Today,
    Days7,
    Days30,
    Days90,
    ThisMonth,
    LastMonth,
    Custom,
}

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::Today,
        Preset::Days7,
        Preset::Days30,
        Preset::Days90,
        Preset::ThisMonth,
        Preset::LastMonth,
        Preset::Custom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Preset::Today => "today",
            Preset::Days7 => "7 days",
            Preset::Days30 => "30 days",
            Preset::Days90 => "90 days",
            Preset::ThisMonth => "this month",
            Preset::LastMonth => "last month",
            Preset::Custom => "from/to",
        }
    }

    /// The action that picks it.
    pub fn action(self) -> Action {
        match self {
            Preset::Today => Action::DashToday,
            Preset::Days7 => Action::Dash7d,
            Preset::Days30 => Action::Dash30d,
            Preset::Days90 => Action::Dash90d,
            Preset::ThisMonth => Action::DashThisMonth,
            Preset::LastMonth => Action::DashLastMonth,
            Preset::Custom => Action::DashCustom,
        }
    }

    /// The local dates `[from, to)` it means on `today`; `None` for a
    /// custom period not yet given.
    pub fn period(self, today: NaiveDate, custom: Option<Period>) -> Option<Period> {
        let tomorrow = today + Duration::days(1);
        let last = |n: i64| Period::new(tomorrow - Duration::days(n), tomorrow).ok();
        let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        match self {
            Preset::Today => last(1),
            Preset::Days7 => last(7),
            Preset::Days30 => last(30),
            Preset::Days90 => last(90),
            Preset::ThisMonth => Period::new(month_start(today), tomorrow).ok(),
            Preset::LastMonth => {
                let this = month_start(today);
                Period::new(month_start(this - Duration::days(1)), this).ok()
            }
            Preset::Custom => custom,
        }
    }
}

/// What one computation found: the report, the alerts at `at`.
pub struct Figures {
    pub report: Report,
    pub alerts: Vec<Alert>,
    pub at: DateTime<Utc>,
}

struct Ask {
    generation: u64,
    period: Period,
    now: DateTime<Utc>,
}

/// The worker's end on the app's side.
struct Worker {
    tx: mpsc::Sender<Ask>,
    cancel: Canceller,
    /// Bumped before every interrupt, so the worker can tell its query
    /// was stopped on purpose.
    interrupts: Arc<AtomicU64>,
}

/// The dashboard's state, kept in the app.
pub struct Board {
    pub preset: Preset,
    pub custom: Option<Period>,
    /// The period asked for last: what the screen is labelled with.
    pub asked: Option<Period>,
    generation: u64,
    /// An ask is out and not yet answered.
    pub computing: bool,
    /// The latest answer; shown only while its period is `asked`.
    pub figures: Option<Box<Figures>>,
    pub error: Option<String>,
    /// Another session wrote since the figures were computed.
    pub stale: bool,
    /// The alert under the cursor.
    pub alert: usize,
    /// The first of the panels after the alerts (`v` turns them).
    pub panel: usize,
    worker: Option<Worker>,
}

impl Default for Board {
    fn default() -> Board {
        Board {
            preset: Preset::Days30,
            custom: None,
            asked: None,
            generation: 0,
            computing: false,
            figures: None,
            error: None,
            stale: false,
            alert: 0,
            panel: 0,
            worker: None,
        }
    }
}

impl Board {
    /// The figures of the period asked for, if they are in.
    pub fn current(&self) -> Option<&Figures> {
        self.figures
            .as_deref()
            .filter(|f| Some(f.report.period) == self.asked)
    }

    /// Takes a worker's answer; one to an overtaken ask is dropped.
    pub(crate) fn done(&mut self, generation: u64, result: Result<Box<Figures>, String>) {
        if generation != self.generation {
            return;
        }
        self.computing = false;
        match result {
            Ok(f) => {
                self.figures = Some(f);
                self.error = None;
                self.stale = false;
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// The report and the alerts of `period` at `now`.
fn compute(s: &Session, period: Period, now: DateTime<Utc>) -> crate::Result<Figures> {
    let cal = s.calendar()?;
    let report = kpi::report(&s.conn, &cal, period)?;
    let alerts = crate::ops::alerts::alerts(&s.conn, cal.local_date(now), now)?;
    Ok(Figures {
        report,
        alerts,
        at: now,
    })
}

/// The worker: answers the newest ask of each burst, skips the rest. A
/// query interrupted for a newer ask gives way to it; one interrupted with
/// no newer ask queued was itself the newest (the interrupt came as it
/// started), so it runs again.
fn serve(
    session: Session,
    rx: mpsc::Receiver<Ask>,
    results: mpsc::Sender<JobResult>,
    interrupts: Arc<AtomicU64>,
) {
    while let Ok(first) = rx.recv() {
        let mut ask = first;
        let result = loop {
            while let Ok(newer) = rx.try_recv() {
                let _ = results.send(JobResult::Skipped);
                ask = newer;
            }
            let before = interrupts.load(Ordering::SeqCst);
            let r = compute(&session, ask.period, ask.now);
            if r.is_err() && interrupts.load(Ordering::SeqCst) != before {
                continue;
            }
            break r.map(Box::new).map_err(|e| e.to_string());
        };
        let done = JobResult::Board {
            generation: ask.generation,
            result,
        };
        if results.send(done).is_err() {
            return;
        }
    }
}

/// Opens the worker's own session (here, so its connection can be
/// interrupted from here) and starts it.
fn start_worker(app: &App) -> crate::Result<Worker> {
    let session = Session::open_as(&app.session.path, &app.session.actor.login)?;
    let cancel = Canceller::of(&session);
    let interrupts = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel::<Ask>();
    let results = app.results_tx.clone();
    let count = interrupts.clone();
    std::thread::spawn(move || serve(session, rx, results, count));
    Ok(Worker {
        tx,
        cancel,
        interrupts,
    })
}

/// Asks for the figures of the chosen period: on the worker (the terminal,
/// the bench), else here at once (tests that want determinism).
fn ask(app: &mut App) {
    app.refresh_clock();
    let now = app.fmt.now;
    let b = &mut app.dashboard;
    let Some(period) = b.preset.period(app.fmt.today(), b.custom) else {
        return;
    };
    let running = b.computing;
    b.generation += 1;
    b.asked = Some(period);
    b.computing = true;
    b.error = None;
    let generation = b.generation;
    if !app.background_search {
        let result = compute(&app.session, period, now)
            .map(Box::new)
            .map_err(|e| e.to_string());
        app.dashboard.done(generation, result);
        return;
    }
    if app.dashboard.worker.is_none() {
        match start_worker(app) {
            Ok(w) => app.dashboard.worker = Some(w),
            Err(e) => {
                app.dashboard
                    .done(generation, Err(format!("cannot read the figures: {e}")));
                return;
            }
        }
    }
    let sent = app.dashboard.worker.as_ref().is_some_and(|w| {
        let sent =
            w.tx.send(Ask {
                generation,
                period,
                now,
            })
            .is_ok();
        // The ask is queued before the interrupt, so the worker finds it.
        if sent && running {
            w.interrupts.fetch_add(1, Ordering::SeqCst);
            w.cancel.cancel();
        }
        sent
    });
    if sent {
        app.pending_jobs += 1;
    } else {
        app.dashboard.worker = None;
        app.dashboard
            .done(generation, Err("the figures worker stopped".into()));
    }
}

/// The list an alert opens, with the queue that holds its rows.
pub fn alert_list(kind: &AlertKind) -> (Tab, StatusFilter) {
    match kind {
        AlertKind::OverdueTickets => (Tab::Tickets, StatusFilter::Tickets(TicketQueue::SlaRunning)),
        AlertKind::OverdueReviews => (
            Tab::Merchants,
            StatusFilter::Merchants(MerchantQueue::AwaitingReview),
        ),
        AlertKind::LateShipments { cutoff } => (
            Tab::Orders,
            StatusFilter::Queue(crate::store::lists::OrderQueue::LateToShip {
                cutoff: cutoff.clone(),
            }),
        ),
        AlertKind::LowStock => (Tab::Products, StatusFilter::Products(ProductQueue::LowStock)),
        AlertKind::ExpiringDocuments { until } => (
            Tab::Merchants,
            StatusFilter::Merchants(MerchantQueue::Reverify { until: *until }),
        ),
        AlertKind::UnderDeposit => (
            Tab::Merchants,
            StatusFilter::Merchants(MerchantQueue::UnderDeposit),
        ),
    }
}

/// What the list shows first, for the message ("overdue first").
fn alert_note(kind: &AlertKind) -> &'static str {
    match kind {
        AlertKind::OverdueTickets => "open tickets by SLA due: the overdue ones are at the top",
        AlertKind::OverdueReviews => "awaiting review by review due: the overdue ones are at the top",
        _ => "",
    }
}

fn open_alert(app: &mut App) -> Vec<Effect> {
    let Some(alert) = app
        .dashboard
        .current()
        .and_then(|f| f.alerts.get(app.dashboard.alert))
        .cloned()
    else {
        app.say("no alerts yet: the figures are being computed");
        return vec![];
    };
    let (tab, filter) = alert_list(&alert.kind);
    if let Some(lv) = app.list_mut(tab) {
        lv.query.text.clear();
    }
    app.details[tab.index()] = None;
    app.tab = tab;
    let fx = crate::tui::update::apply_status(app, tab, Some(filter));
    let note = alert_note(&alert.kind);
    app.say(if note.is_empty() {
        format!("{}: {}", alert.kind.label(), alert.count)
    } else {
        format!("{}: {} — {note}", alert.kind.label(), alert.count)
    });
    fx
}

/// The custom period form, prefilled with the period shown (inclusive).
fn custom_form(app: &App) -> Form {
    let p = app
        .dashboard
        .asked
        .or_else(|| Preset::Days30.period(app.fmt.today(), None));
    let (from, to) = p.map_or((String::new(), String::new()), |p| {
        (p.from.to_string(), (p.to - Duration::days(1)).to_string())
    });
    Form::new(
        "Dashboard period",
        "both days are included; compared with as many days just before",
        "show",
        vec![
            Field::text("from", Rule::Date, "first day, YYYY-MM-DD").with_value(&from),
            Field::text("to", Rule::Date, "last day, included, YYYY-MM-DD").with_value(&to),
        ],
    )
}

/// The period the form's two days mean, or what is wrong with them.
pub fn custom_period(from: &str, to: &str) -> Result<Period, String> {
    let day = |label: &str, s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{label} \"{}\" is not a date: use YYYY-MM-DD", s.trim()))
    };
    let (f, t) = (day("from", from)?, day("to", to)?);
    if f > t {
        return Err(format!("from {f} is after to {t}"));
    }
    let end = t
        .succ_opt()
        .ok_or_else(|| format!("to {t} is the last day there is"))?;
    Period::new(f, end).map_err(|e| e.to_string())
}

fn choose(app: &mut App, p: Preset) -> Vec<Effect> {
    if p == Preset::Custom {
        app.overlay = Some(Overlay::Period(Box::new(custom_form(app))));
        return vec![];
    }
    app.dashboard.preset = p;
    vec![Effect::Compute(Tab::Dashboard)]
}

fn step_preset(app: &mut App, by: isize) -> Vec<Effect> {
    let n = Preset::ALL.len() as isize;
    let at = Preset::ALL
        .iter()
        .position(|p| *p == app.dashboard.preset)
        .unwrap_or(0) as isize;
    let next = Preset::ALL[(at + by).rem_euclid(n) as usize];
    if next == Preset::Custom && app.dashboard.custom.is_some() {
        app.dashboard.preset = next;
        return vec![Effect::Compute(Tab::Dashboard)];
    }
    choose(app, next)
}

/// The Dashboard.
pub struct Dashboard;

impl Screen for Dashboard {
    fn title(&self) -> &'static str {
        "Dashboard"
    }

    fn context(&self) -> Context {
        Context::Dashboard
    }

    fn entity(&self) -> &'static str {
        "dashboard"
    }

    fn is_list(&self) -> bool {
        false
    }

    fn render(&self, f: &mut ratatui::Frame<'_>, area: ratatui::layout::Rect, app: &App) {
        super::dashboard_view::render(f, area, app)
    }

    fn shown(&self, app: &mut App) -> Vec<Effect> {
        let b = &app.dashboard;
        let today = b.preset.period(app.fmt.today(), b.custom);
        if !b.computing && (b.asked.is_none() || b.stale || b.asked != today) {
            vec![Effect::Compute(Tab::Dashboard)]
        } else {
            vec![]
        }
    }

    /// Each period, a custom range (the 30 days before the last 30) and a
    /// recomputation of the 30 days.
    fn bench_steps(&self, today: NaiveDate) -> Vec<(String, Vec<super::BenchStep>)> {
        use super::BenchStep::{Act, Keys, Text};
        let mut steps: Vec<(String, Vec<super::BenchStep>)> = Preset::ALL
            .into_iter()
            .filter(|p| *p != Preset::Custom)
            .map(|p| (format!("period {}", p.label()), vec![Act(p.action())]))
            .collect();
        let from = (today - Duration::days(59)).to_string();
        let to = (today - Duration::days(30)).to_string();
        steps.push((
            "custom range (30 d)".into(),
            vec![
                Act(Action::DashCustom),
                Keys("ctrl-u"),
                Text(from),
                Keys("tab"),
                Keys("ctrl-u"),
                Text(to),
                Keys("enter"),
            ],
        ));
        steps.push((
            "recompute (30 d)".into(),
            vec![Act(Action::Dash30d), Act(Action::DashRefresh)],
        ));
        steps
    }

    fn compute(&self, app: &mut App) {
        ask(app)
    }

    fn data_changed(&self, app: &mut App) {
        if app.dashboard.asked.is_some() {
            app.dashboard.stale = true;
        }
    }

    fn key(&self, app: &mut App, a: Action) -> Vec<Effect> {
        if let Some(p) = Preset::ALL.into_iter().find(|p| p.action() == a) {
            return choose(app, p);
        }
        let n = app.dashboard.current().map_or(0, |f| f.alerts.len());
        let b = &mut app.dashboard;
        match a {
            Action::DashPrevPeriod => step_preset(app, -1),
            Action::DashNextPeriod => step_preset(app, 1),
            Action::DashNextAlert => {
                b.alert = (b.alert + 1).min(n.saturating_sub(1));
                vec![]
            }
            Action::DashPrevAlert => {
                b.alert = b.alert.saturating_sub(1);
                vec![]
            }
            Action::DashOpenAlert => open_alert(app),
            Action::DashPanels => {
                b.panel += 1;
                vec![]
            }
            Action::DashRefresh => {
                app.say("computing the figures again");
                vec![Effect::Compute(Tab::Dashboard)]
            }
            _ => vec![],
        }
    }

    fn form_key(&self, app: &mut App, mut f: Box<Form>, a: Action) -> Vec<Effect> {
        match f.key(a) {
            form::Outcome::Stay => {
                app.overlay = Some(Overlay::Period(f));
                vec![]
            }
            form::Outcome::Cancel => {
                app.say("period unchanged");
                vec![]
            }
            form::Outcome::Submit => match custom_period(f.value(0), f.value(1)) {
                Ok(p) => {
                    app.dashboard.custom = Some(p);
                    app.dashboard.preset = Preset::Custom;
                    vec![Effect::Compute(Tab::Dashboard)]
                }
                Err(why) => {
                    // Keep the form and what was typed; say what is wrong.
                    f.error = Some(why);
                    app.overlay = Some(Overlay::Period(f));
                    vec![]
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn presets_end_with_today_and_months_are_calendar_months() {
        let today = d("2026-03-15");
        let p = |x: Preset| x.period(today, None).unwrap();
        assert_eq!(p(Preset::Today), Period::new(today, d("2026-03-16")).unwrap());
        assert_eq!(p(Preset::Days7).from, d("2026-03-09"));
        assert_eq!(p(Preset::Days30).days(), 30);
        assert_eq!(p(Preset::Days90).days(), 90);
        assert_eq!(
            p(Preset::ThisMonth),
            Period::new(d("2026-03-01"), d("2026-03-16")).unwrap()
        );
        assert_eq!(
            p(Preset::LastMonth),
            Period::new(d("2026-02-01"), d("2026-03-01")).unwrap()
        );
        assert_eq!(Preset::Custom.period(today, None), None);
        // January's last month is December of the year before.
        assert_eq!(
            Preset::LastMonth.period(d("2026-01-10"), None).unwrap(),
            Period::new(d("2025-12-01"), d("2026-01-01")).unwrap()
        );
    }

    #[test]
    fn a_custom_period_includes_both_days_and_says_what_is_wrong() {
        assert_eq!(
            custom_period("2026-11-01", "2026-11-30").unwrap(),
            Period::new(d("2026-11-01"), d("2026-12-01")).unwrap()
        );
        assert_eq!(custom_period("2026-11-05", "2026-11-05").unwrap().days(), 1);
        let e = custom_period("2026-11-05", "2026-11-01").unwrap_err();
        assert!(e.contains("from 2026-11-05 is after to 2026-11-01"), "{e}");
        let e = custom_period("2026-02-30", "2026-03-01").unwrap_err();
        assert!(e.contains("\"2026-02-30\" is not a date"), "{e}");
        let e = custom_period("1900-01-01", "2026-01-01").unwrap_err();
        assert!(e.contains("longer than"), "{e}");
    }
}
