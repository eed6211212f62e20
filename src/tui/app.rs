//! The application state (the Elm "model") and key handling: a key is
//! resolved through the keymap in the current context stack into an
//! [`Action`], `update` changes state and returns [`Effect`]s, and the runtime
//! (`runtime.rs`) executes them.

use std::sync::mpsc;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};

use super::action::Action;
use super::fmt::Fmt;
use super::keymap::{Context, Key, Keymap, Resolved};
use super::screens::{Detail, Tab};
use super::theme::Theme;
use super::widgets::table::ListView;
use crate::ops::Session;

/// Rows of chrome around the table body: tabs, filter bar, column header,
/// hint line, status bar.
pub const CHROME_ROWS: u16 = 5;
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Moves that need the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Shift the window `n` rows towards the end.
    Forward(usize),
    /// Shift the window `n` rows towards the start.
    Backward(usize),
    First,
    Last,
    /// Re-read the visible page in place, keeping the cursor on its record.
    Reload,
    /// Grow or shrink the window to the page size (after a resize).
    Fill,
}

/// What `update` asks the runtime to do.
pub enum Effect {
    Quit,
    Nav(Tab, Nav),
    /// Recount and read the first page (filters or sort changed).
    Requery(Tab),
    /// Read the status counts and open the status picker.
    Chips(Tab),
    OpenDetail(Tab, i64),
    ReloadDetail(Tab),
    /// Write the view to this file (the path the `e` prompt settled on).
    Export(Tab, std::path::PathBuf),
    /// A workflow verb (`tui::verbs`): load the record, run, report, reload.
    Verb(Box<super::verbs::Job>),
    /// Read the notices outbox (all, or only the unsent) and show it.
    Notices {
        unsent_only: bool,
    },
    /// Compute the figures of a screen that is not a list (`Screen::compute`).
    Compute(Tab),
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Quit => write!(f, "Quit"),
            Effect::Nav(t, n) => write!(f, "Nav({t:?}, {n:?})"),
            Effect::Requery(t) => write!(f, "Requery({t:?})"),
            Effect::Chips(t) => write!(f, "Chips({t:?})"),
            Effect::OpenDetail(t, id) => write!(f, "OpenDetail({t:?}, {id})"),
            Effect::ReloadDetail(t) => write!(f, "ReloadDetail({t:?})"),
            Effect::Export(t, p) => write!(f, "Export({t:?}, {p:?})"),
            Effect::Verb(j) => write!(f, "Verb({j:?})"),
            Effect::Notices { unsent_only } => write!(f, "Notices({unsent_only})"),
            Effect::Compute(t) => write!(f, "Compute({t:?})"),
        }
    }
}

/// One entry of the status picker: `None` is "all".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    pub status: Option<crate::store::lists::StatusFilter>,
    pub label: String,
    pub n: u64,
}

pub enum Overlay {
    /// `?` (the keys) or the message log (`messages`): a scrolled text.
    Help {
        scroll: usize,
        messages: bool,
    },
    Palette {
        input: String,
        selected: usize,
    },
    /// The text filter prompt of the current list.
    Prompt {
        input: String,
    },
    Picker {
        chips: Vec<Chip>,
        selected: usize,
    },
    Confirm {
        prompt: String,
        effect: Box<Effect>,
    },
    /// A verb's form (pack, ship, cancel, address, ...).
    Form(Box<super::verbs::VerbForm>),
    /// The `a` action menu or a verb's choices (keys of `[picker]`).
    Menu(Box<super::verbs::VerbMenu>),
    /// Where to save an export or a pick list (`tui::export`).
    SaveAs(Box<super::export::SaveAs>),
    /// The notices outbox (keys of `[picker]`, `s` and `a` typed).
    Notices(Box<super::overlays::notices::NoticesView>),
    /// The delist report and its period form (`overlays::report`).
    Report(Box<super::overlays::report::ReportView>),
    /// A screen's own period form (the dashboard's from/to).
    Period(Box<super::overlays::form::Form>),
    /// The Settlement view (`$` on Merchants; docs/settlement.md).
    Settlement(Box<super::overlays::settlement::SettlementView>),
}

impl Overlay {
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help { .. } => Context::Help,
            Overlay::Palette { .. } => Context::Palette,
            Overlay::Prompt { .. } => Context::Prompt,
            Overlay::Picker { .. } => Context::Picker,
            Overlay::Confirm { .. } => Context::Confirm,
            Overlay::Form(_) => Context::Form,
            Overlay::Menu(_) | Overlay::Notices(_) => Context::Picker,
            Overlay::SaveAs(_) | Overlay::Period(_) => Context::Form,
            Overlay::Report(v) => v.context(),
            Overlay::Settlement(v) if v.takes_text() => Context::Form,
            Overlay::Settlement(_) => Context::Settlement,
        }
    }
}

pub struct DetailView {
    pub id: i64,
    pub data: Box<dyn Detail>,
    pub scroll: usize,
}

/// How many messages the log keeps.
pub const LOG_LEN: usize = 200;

/// One message as it was shown, for the message log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: DateTime<Utc>,
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// A finished background job.
pub(crate) enum JobResult {
    /// An export: the message to show, or the error.
    Message(Result<String, String>),
    /// The slow part of a detail view (`Detail::later`).
    Later {
        tab: Tab,
        id: i64,
        what: &'static str,
        value: Result<Box<dyn std::any::Any + Send>, String>,
    },
    /// A request overtaken by a newer one.
    Skipped,
    /// A verb run finished on the writer worker.
    Verb {
        verb: &'static crate::ops::verbs::VerbSpec,
        results: super::verbs::Results,
        form: Option<Box<super::verbs::VerbForm>>,
    },
    /// Scheduled effects the writer worker applied on its own (not asked
    /// for: no job waits on it): one line per change.
    Ticked(Vec<String>),
    /// The dashboard's figures from its worker (`screens::Board`).
    Board {
        generation: u64,
        result: Result<Box<super::screens::Figures>, String>,
    },
    /// A text filter resolved by the search worker.
    Search {
        tab: Tab,
        generation: u64,
        result: Result<super::search::Answer, String>,
    },
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub fmt: Fmt,
    pub tab: Tab,
    pub lists: [ListView; Tab::LISTS.len()],
    pub details: [Option<DetailView>; Tab::LISTS.len()],
    pub overlay: Option<Overlay>,
    pub pending: Vec<Key>,
    pub message: Option<Message>,
    /// Every message shown, oldest first (at most `LOG_LEN`).
    pub log: std::collections::VecDeque<Logged>,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    pub(crate) data_version: i64,
    pub(crate) fixed_now: Option<DateTime<Utc>>,
    /// Background results (exports, GMV) arrive here.
    pub(crate) results_tx: mpsc::Sender<JobResult>,
    results_rx: mpsc::Receiver<JobResult>,
    pub(crate) pending_jobs: usize,
    pub(crate) worker_tx: Option<mpsc::Sender<super::search::Request>>,
    /// Bumped for every text search, so a late answer to an old one is dropped.
    pub(crate) search_generation: [u64; Tab::LISTS.len()],
    /// Per list: a walk that stopped early, the list before `/` (for Esc).
    pub(crate) search: [super::search::SearchState; Tab::LISTS.len()],
    /// Resolve text filters on the search worker (the terminal and the
    /// benchmark) rather than in line (tests that want determinism).
    pub background_search: bool,
    /// Where exports go (default: the current directory).
    pub export_dir: Option<std::path::PathBuf>,
    /// The writer worker (the terminal); `None` runs verbs in line (tests).
    pub(crate) writer: Option<super::writer::Writer>,
    /// Verb runs sent to the writer and not yet answered.
    pub saving: usize,
    /// The screen that is not a list: its period, figures and worker.
    pub dashboard: super::screens::Board,
}

impl App {
    /// A new app on `session`. `now` fixes the clock (tests); `None` reads
    /// `clock::now()` on every refresh. `notes` are keymap errors/warnings.
    pub fn new(
        mut session: Session,
        keymap: Keymap,
        notes: Vec<String>,
        theme: Theme,
        now: Option<DateTime<Utc>>,
    ) -> App {
        if let Err(e) = crate::store::lists::install_budget(&mut session.conn) {
            tracing::warn!("cannot bound page queries: {e}");
        }
        let t = now.or_else(|| crate::clock::now().ok()).unwrap_or_else(Utc::now);
        let mut fmt = Fmt::new(
            &session.settings.timezone,
            &session.settings.currency,
            t,
            session.actor.role,
        );
        fmt.me = session.actor.id;
        let data_version = crate::store::lists::data_version(&session.conn).unwrap_or(0);
        let message = match notes.len() {
            0 => None,
            1 => Some(Message {
                text: notes[0].clone(),
                error: true,
            }),
            n => Some(Message {
                text: format!("{} (+{} more: run `shopdesk keys`)", notes[0], n - 1),
                error: true,
            }),
        };
        let (results_tx, results_rx) = mpsc::channel();
        App {
            session,
            keymap,
            theme,
            fmt,
            tab: Tab::ALL[0],
            lists: Default::default(),
            details: Default::default(),
            overlay: None,
            pending: Vec::new(),
            message,
            log: Default::default(),
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            quit: false,
            data_version,
            fixed_now: now,
            results_tx,
            results_rx,
            pending_jobs: 0,
            worker_tx: None,
            search_generation: [0; Tab::LISTS.len()],
            search: Default::default(),
            background_search: false,
            export_dir: None,
            writer: None,
            saving: 0,
            dashboard: Default::default(),
        }
    }

    /// Sets the terminal size and reads the first page of the current tab.
    pub fn start(&mut self, width: u16, height: u16) {
        self.resize(width, height);
        self.refresh_clock();
        if self.tab.is_list() {
            self.run(vec![Effect::Requery(self.tab)]);
        } else {
            let fx = self.tab.screen().shown(self);
            self.run(fx);
        }
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    pub fn page_size(&self) -> usize {
        self.height.saturating_sub(CHROME_ROWS).max(1) as usize
    }

    /// Body width and height (detail views wrap to it).
    pub fn body_size(&self) -> (u16, u16) {
        (self.width, self.height.saturating_sub(CHROME_ROWS - 1))
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        let ps = self.page_size();
        let mut fx = Vec::new();
        for (i, tab) in Tab::LISTS.iter().enumerate() {
            let lv = &mut self.lists[i];
            if lv.page_size != ps {
                lv.page_size = ps;
                if lv.loaded {
                    fx.push(Effect::Nav(*tab, Nav::Fill));
                }
            }
        }
        self.run(fx);
    }

    pub(crate) fn refresh_clock(&mut self) {
        let t = self
            .fixed_now
            .or_else(|| crate::clock::now().ok())
            .unwrap_or_else(Utc::now);
        self.fmt.now = t;
    }

    pub fn list(&self, tab: Tab) -> Option<&ListView> {
        tab.is_list().then(|| &self.lists[tab.index()])
    }

    pub fn list_mut(&mut self, tab: Tab) -> Option<&mut ListView> {
        if tab.is_list() {
            Some(&mut self.lists[tab.index()])
        } else {
            None
        }
    }

    pub fn detail(&self, tab: Tab) -> Option<&DetailView> {
        if tab.is_list() {
            self.details[tab.index()].as_ref()
        } else {
            None
        }
    }

    /// Where keys are looked up, most specific first.
    pub fn context_stack(&self) -> Vec<Context> {
        if let Some(o) = &self.overlay {
            return vec![o.context(), Context::Global];
        }
        self.screen_stack()
    }

    /// The stack without any overlay (what the palette runs actions in).
    pub fn screen_stack(&self) -> Vec<Context> {
        if !self.tab.is_list() {
            return vec![self.tab.context(), Context::Global];
        }
        let inner = if self.detail(self.tab).is_some() {
            Context::Detail
        } else {
            Context::Table
        };
        vec![self.tab.context(), inner, Context::Global]
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.tell(text.into(), false);
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.tell(text.into(), true);
    }

    /// The status bar's message, kept whole in the message log too (the bar
    /// cuts long ones to its width).
    fn tell(&mut self, text: String, error: bool) {
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(Logged {
            at: self.fmt.now,
            text: text.clone(),
            error,
        });
        self.message = Some(Message { text, error });
    }

    /// Handles one key event; returns whether anything may have changed.
    pub fn handle_key(&mut self, ev: KeyEvent) -> bool {
        if ev.kind == KeyEventKind::Release {
            return false;
        }
        let key = Key::from_event(&ev);
        self.pending.push(key);
        let stack = self.context_stack();
        match self.keymap.resolve(&stack, &self.pending) {
            Resolved::Action(a) => {
                self.pending.clear();
                self.dispatch(a);
                true
            }
            Resolved::Pending => true,
            Resolved::Unbound => {
                let was_chord = self.pending.len() > 1;
                self.pending.clear();
                if was_chord {
                    return self.handle_key(ev);
                }
                // Esc then a quick key arrives as one Alt-key sequence
                // (tmux's escape-time, slow links): unbound Alt-x is Esc, x.
                if ev.modifiers.contains(crossterm::event::KeyModifiers::ALT) {
                    let mut rest = ev;
                    rest.modifiers.remove(crossterm::event::KeyModifiers::ALT);
                    self.handle_key(KeyEvent::new(
                        crossterm::event::KeyCode::Esc,
                        crossterm::event::KeyModifiers::NONE,
                    ));
                    self.handle_key(rest);
                    return true;
                }
                if stack.first().is_some_and(|c| c.takes_text())
                    && let Some(c) = key.text_char()
                {
                    self.input_text(&c.to_string());
                    return true;
                }
                false
            }
        }
    }

    /// Bracketed paste goes into an open text field, one line of it.
    pub fn handle_paste(&mut self, text: &str) -> bool {
        let line: String = text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        match &self.overlay {
            Some(
                Overlay::Prompt { .. }
                | Overlay::Palette { .. }
                | Overlay::Form(_)
                | Overlay::SaveAs(_)
                | Overlay::Period(_),
            ) => {
                self.input_text(&line);
                true
            }
            Some(Overlay::Report(v)) if v.period.is_some() => {
                self.input_text(&line);
                true
            }
            _ => false,
        }
    }

    fn input_text(&mut self, s: &str) {
        if matches!(self.overlay, Some(Overlay::Menu(_))) {
            return super::verbs::menu_typed(self, s);
        }
        if matches!(self.overlay, Some(Overlay::Notices(_))) {
            return super::overlays::notices::typed(self, s);
        }
        if matches!(self.overlay, Some(Overlay::Report(_))) {
            return super::overlays::report::typed(self, s);
        }
        if matches!(self.overlay, Some(Overlay::Settlement(_))) {
            return super::overlays::settlement::typed(self, s);
        }
        match &mut self.overlay {
            Some(Overlay::Prompt { input }) => {
                input.push_str(s);
                let input = input.clone();
                self.prompt_changed(&input);
            }
            Some(Overlay::Palette { input, selected }) => {
                input.push_str(s);
                *selected = 0;
            }
            Some(Overlay::Form(f)) => f.form.type_text(s),
            Some(Overlay::SaveAs(f)) => f.form.type_text(s),
            Some(Overlay::Period(f)) => f.type_text(s),
            _ => {}
        }
    }

    /// Runs one action: update, then its effects.
    pub fn dispatch(&mut self, a: Action) {
        let fx = super::update::update(self, a);
        self.run(fx);
    }

    /// Types a sequence of keys written like the keymap ("j j G g g", "/耳机 enter"
    /// is two tokens: see `tests/tui_keys.rs`). For tests and the benchmark.
    pub fn press(&mut self, chord: &str) -> bool {
        match super::keymap::parse_chord(chord) {
            Ok(keys) => {
                for k in keys {
                    self.handle_key(KeyEvent::new(k.code, k.mods));
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Types text into the open prompt or palette.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.handle_key(KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            ));
        }
    }

    /// Checks for other sessions' writes and finished jobs; returns whether
    /// the screen must be redrawn.
    pub fn poll_external(&mut self) -> bool {
        let mut changed = false;
        while let Ok(r) = self.results_rx.try_recv() {
            changed = true;
            self.job_done(r);
        }
        let v = crate::store::lists::data_version(&self.session.conn).unwrap_or(self.data_version);
        // "due in 2h" is written when rows are read: re-read the visible
        // page when the clock passes a minute, so deadlines stay true.
        let minute = self.fmt.now.timestamp() / 60;
        self.refresh_clock();
        let minute_passed = self.fmt.now.timestamp() / 60 != minute;
        if v == self.data_version
            && minute_passed
            && self.tab.is_list()
            && self.lists[self.tab.index()].loaded
        {
            self.run(vec![Effect::Nav(self.tab, Nav::Reload)]);
            changed = true;
        }
        if v != self.data_version {
            self.data_version = v;
            for tab in Tab::ALL.into_iter().filter(|t| !t.is_list()) {
                tab.screen().data_changed(self);
            }
            for (i, lv) in self.lists.iter_mut().enumerate() {
                if lv.loaded && Tab::LISTS[i] != self.tab {
                    lv.stale = true;
                }
            }
            let mut fx = Vec::new();
            if self.tab.is_list() && self.lists[self.tab.index()].loaded {
                fx.push(Effect::Nav(self.tab, Nav::Reload));
                if self.detail(self.tab).is_some() {
                    fx.push(Effect::ReloadDetail(self.tab));
                }
            }
            self.run(fx);
            changed = true;
        }
        changed
    }

    /// Waits for background jobs (tests, bench).
    pub fn wait_jobs(&mut self) {
        while self.pending_jobs > 0 || self.saving > 0 {
            match self.results_rx.recv() {
                Ok(r) => self.job_done(r),
                Err(_) => break,
            }
        }
    }

    fn job_done(&mut self, r: JobResult) {
        if let JobResult::Ticked(done) = r {
            return self.ticked(done);
        }
        self.pending_jobs = self.pending_jobs.saturating_sub(1);
        match r {
            JobResult::Ticked(_) => {}
            JobResult::Skipped => {}
            JobResult::Verb { verb, results, form } => {
                self.saving = self.saving.saturating_sub(1);
                if let Err(e) = self.verb_done(verb, results, form) {
                    self.warn(e.to_string());
                }
            }
            JobResult::Search {
                tab,
                generation,
                result,
            } => self.search_done(tab, generation, result),
            JobResult::Board { generation, result } => self.dashboard.done(generation, result),
            JobResult::Message(Ok(m)) => self.say(m),
            JobResult::Message(Err(e)) => self.warn(e),
            JobResult::Later { tab, id, what, value } => match value {
                Ok(v) => {
                    if let Some(Some(d)) = self.details.get_mut(tab.index())
                        && d.id == id
                    {
                        d.data.fill(v);
                    }
                }
                Err(e) => self.warn(format!("{what} of {} {id}: {e}", tab.screen().entity())),
            },
        }
    }

    /// The writer applied scheduled effects (a product listed or delisted at
    /// its time, a document expired): said, and the list and an open detail
    /// re-read now, so the record on screen is never the one from before.
    fn ticked(&mut self, done: Vec<String>) {
        let Some(last) = done.last() else {
            return;
        };
        let text = match done.len() {
            1 => format!("scheduled: {last}"),
            n => format!("scheduled: {n} changes (the message log has each); last: {last}"),
        };
        for d in &done[..done.len() - 1] {
            // Each in the log; the bar shows the summary.
            self.say(format!("scheduled: {d}"));
        }
        self.say(text);
        if let Err(e) = self.reload_after_write() {
            self.warn(e.to_string());
        }
    }

    /// Runs verbs on the writer worker from now on (the terminal, the bench).
    pub fn start_writer(&mut self) {
        let login = self.session.actor.login.clone();
        let w = super::writer::Writer::start(self.session.path.clone(), login, self.results_tx.clone());
        self.writer = Some(w);
    }

    pub fn has_jobs(&self) -> bool {
        self.pending_jobs > 0 || self.saving > 0
    }
}
