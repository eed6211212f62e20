//! The command line (SPEC §6): clap definitions and the non-TUI commands.
//! Every command that changes data goes through `ops`.

/// `println!` with the text made safe for a terminal (see [`safe`]);
/// a closed pipe ends the command quietly (see [`out`]).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out(&format!("{}\n", $crate::cli::safe(&format!($($arg)*))))
    };
}

/// `eprintln!` with the text made safe for a terminal (see [`safe`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::cli::safe(&format!($($arg)*)))
    };
}

pub mod integrity;
pub mod io;
pub mod kpi;
pub mod merchant;
pub mod notices;
pub mod order;
pub mod product;
pub mod settlement;
pub mod ticket;
pub mod verbs;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::domain::Role;
use crate::ops::{self, Session};
use crate::{Error, Result, clock, config, store};

#[derive(Debug, Parser)]
#[command(
    name = "shopdesk",
    version,
    about = "A keyboard-driven terminal back office over one SQLite file"
)]
pub struct Cli {
    /// Database file (else $SHOPDESK_DB, else the data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Colour: auto honours NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new shop database; the login running it becomes the owner.
    Init {
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long, default_value = "Asia/Shanghai")]
        timezone: String,
        #[arg(long, default_value = "shopdesk")]
        name: String,
    },
    /// Create a demo shop with realistic data (replaces an earlier demo file).
    Demo {
        #[arg(long, value_enum, default_value_t = DemoScale::Small)]
        scale: DemoScale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Do not open the TUI afterwards.
        #[arg(long)]
        no_tui: bool,
    },
    /// Import merchants, products or orders from a CSV file (one transaction).
    Import(io::ImportArgs),
    /// Export merchants, products, orders or tickets as CSV or JSON.
    Export(io::ExportArgs),
    /// The KPIs of a period and the one before it (docs/kpi.md defines every key).
    Kpi(kpi::KpiArgs),
    /// Print the login and role in force.
    Whoami,
    /// Apply scheduled effects that are due (documents past their expiry, scheduled listings and delistings, orders past their return window) and print them.
    Tick,
    /// Merchant review: every merchant verb, show, doc export.
    Merchant {
        #[command(subcommand)]
        action: merchant::MerchantCmd,
    },
    /// Product listing and stock: every product verb, show, the inventory reports.
    Product {
        #[command(subcommand)]
        action: product::ProductCmd,
    },
    /// The notices outbox: list, export, mark-sent, send --via CMD.
    Notices {
        #[command(subcommand)]
        action: notices::NoticesCmd,
    },
    /// Order workflow: every order verb, show, pick-list.
    Order {
        #[command(subcommand)]
        action: order::OrderCmd,
    },
    /// After-sales tickets: every ticket verb, open, show, queues, macros, report.
    Ticket {
        #[command(subcommand)]
        action: ticket::TicketCmd,
    },
    /// Merchant settlement: run a period's statements, list, show, confirm, pay, export (docs/settlement.md).
    Settlement {
        #[command(subcommand)]
        action: settlement::SettlementCmd,
    },
    /// Manage staff (owner only).
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Integrity, foreign keys, stock ledger and audit chain.
    Check(integrity::CheckArgs),
    /// The audit chain: `audit head` prints LEN:HASH for `check --expect-head`.
    Audit {
        #[command(subcommand)]
        action: integrity::AuditCmd,
    },
    /// Online backup of a live database to a new file (owner only).
    Backup { file: PathBuf },
    /// Print the effective keymap.
    Keys,
    /// Time the TUI's keypress-to-frame on a database (120x40, off screen).
    Bench {
        /// Samples per action and screen.
        #[arg(long, default_value_t = 40)]
        rounds: usize,
        /// Also print the query plan of every list query.
        #[arg(long)]
        explain: bool,
        /// Count the bytes each key's frame writes (80x24 and 120x40) instead.
        #[arg(long)]
        bytes: bool,
        /// Only this screen (its title: merchants, products, orders, tickets, dashboard).
        #[arg(long, value_name = "NAME")]
        screen: Option<String>,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoScale {
    Small,
    Medium,
    Large,
}

#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Add a login with a role.
    Add {
        login: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Change a login's role (re-enables it).
    SetRole {
        login: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Disable a login.
    Disable { login: String },
    /// List staff.
    List,
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// Plain output for a terminal: every line through the TUI's `one_line`, so
/// a name, a file's value or a path cannot carry control characters (a
/// customer named `ESC ]2;…BEL` would retitle the terminal). Newlines
/// between lines are kept.
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&crate::tui::widgets::text::one_line(line));
    }
    out
}

/// A stored UTC stamp in shop time, `2026-11-20 09:01` ("-" for none; a
/// stamp that does not parse is shown as stored).
/// "history": for each audit row, when (shop time), who, the action and
/// its reason, then each field it changed as before → after, as the TUI's
/// detail views show it (`ops::history::headline`, `changed_fields`).
pub fn history_text(rows: &[crate::ops::history::Row], tz: &chrono_tz::Tz, currency: &str) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from("history\n");
    let time = |s: &str| local(Some(s), tz);
    let money = |m: i64| crate::domain::money::Money(m).format(currency);
    for h in rows {
        out.push_str(&format!(
            "  {}  {:<12} {}\n",
            time(&h.at),
            h.actor,
            crate::ops::history::headline(h)
        ));
        for field in crate::ops::history::changed_fields(h, &time, &money) {
            out.push_str(&format!("      {field}\n"));
        }
    }
    out
}

pub fn local(stamp: Option<&str>, tz: &chrono_tz::Tz) -> String {
    match stamp {
        None => "-".into(),
        Some(s) => crate::clock::parse_stamp(s)
            .map(|t| t.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| s.to_string()),
    }
}

/// `text` made safe (see [`safe`]) in a column `cols` terminal cells wide:
/// padded by display width, so CJK names line up (a 华 is two cells), and
/// cut with "…" when longer.
pub fn col(text: &str, cols: usize) -> String {
    crate::tui::widgets::text::fit(&safe(text), cols, false)
}

/// Writes to stdout. When the reader has gone (`shopdesk kpi | head`) the
/// command stops quietly with status 0, as it would by SIGPIPE, instead of
/// panicking in `println!`; everything it wrote to the database is already
/// committed by the time it prints. SIGPIPE itself stays ignored so that a
/// child that closes its stdin early (`notices send --via`) is an error to
/// report, not the end of shopdesk.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let res = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    if let Err(e) = res {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("shopdesk: cannot write to standard output: {e}");
        std::process::exit(3);
    }
}

/// Writes `value` as pretty JSON. serde_json escapes C0 controls but
/// leaves C1 ones (U+0080–U+009F, which some terminals obey) raw; they can
/// only stand inside strings, so writing them as `\u` escapes keeps the
/// JSON valid and the value exact.
pub fn out_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Db(format!("json: {e}")))?;
    let mut esc = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            esc.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            esc.push(c);
        }
    }
    esc.push('\n');
    out(&esc);
    Ok(())
}

/// The commands that apply due scheduled effects when they open the
/// database (SPEC §4.7; `ops::schedule`). Not the TUI (its writer worker
/// does, off the input path), `tick` (its own job), nor `check`, `audit`
/// and `backup`, which look at the file as it is.
fn applies_due_on_open(c: &Command) -> bool {
    matches!(
        c,
        Command::Import(_)
            | Command::Export(_)
            | Command::Whoami
            | Command::Merchant { .. }
            | Command::Notices { .. }
            | Command::Order { .. }
            | Command::Settlement { .. }
            | Command::Staff { .. }
    )
}

/// Applies what is due before the command runs; problems are the
/// command's to report when it opens the file itself.
fn apply_due_on_open(path: &Path) {
    let Ok(mut s) = Session::open(path) else {
        return;
    };
    match ops::schedule::on_open(&mut s) {
        Ok(Some(done)) => done.iter().for_each(|d| tracing::info!("on open: {d}")),
        Ok(None) => {}
        Err(e) => tracing::warn!("scheduled effects on open: {e}"),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = cli.db.as_deref();
    if let Some(c) = &cli.command
        && applies_due_on_open(c)
        && let Ok(path) = config::db_path(db)
    {
        apply_due_on_open(&path);
    }
    match cli.command {
        None => {
            let path = config::db_path(db)?;
            crate::tui::run(Session::open(&path)?, tui_options(cli.color))
        }
        Some(Command::Init {
            currency,
            timezone,
            name,
        }) => {
            let path = config::db_path(db)?;
            let login = crate::identity::os_login()?;
            ops::staff::init(&path, &login, &name, &currency, &timezone)?;
            outln!("created {} with {login} as owner", path.display());
            Ok(())
        }
        Some(Command::Demo { scale, seed, no_tui }) => {
            let path = config::demo_db_path(db)?;
            demo(&path, scale, seed)?;
            if no_tui {
                Ok(())
            } else if !std::io::stdout().is_terminal() {
                // A script or a pipe asked for the file, not a screen.
                outln!("open it with: shopdesk --db {}", path.display());
                Ok(())
            } else {
                crate::tui::run(Session::open(&path)?, tui_options(cli.color))
            }
        }
        Some(Command::Import(a)) => io::import(&config::db_path(db)?, a),
        Some(Command::Export(a)) => io::export(&config::db_path(db)?, a),
        Some(Command::Kpi(a)) => kpi::run(&config::db_path(db)?, a),
        Some(Command::Whoami) => {
            let s = Session::open(&config::db_path(db)?)?;
            outln!("{} {}", s.actor.login, s.actor.role);
            Ok(())
        }
        Some(Command::Tick) => {
            let mut s = Session::open(&config::db_path(db)?)?;
            let now = s.now()?;
            let done = ops::schedule::tick(&mut s, now)?;
            for line in &done {
                outln!("{line}");
            }
            if done.is_empty() {
                errln!("nothing due");
            }
            Ok(())
        }
        Some(Command::Merchant { action }) => merchant::run(&config::db_path(db)?, action),
        Some(Command::Product { action }) => product::run(&config::db_path(db)?, action),
        Some(Command::Notices { action }) => notices::run(&config::db_path(db)?, action),
        Some(Command::Order { action }) => order::run(&config::db_path(db)?, action),
        Some(Command::Ticket { action }) => ticket::run(&config::db_path(db)?, action),
        Some(Command::Settlement { action }) => settlement::run(&config::db_path(db)?, action),
        Some(Command::Staff { action }) => staff(&config::db_path(db)?, action),
        Some(Command::Check(a)) => integrity::run_check(&config::db_path(db)?, a),
        Some(Command::Audit { action }) => integrity::audit(&config::db_path(db)?, action),
        Some(Command::Backup { file }) => {
            let s = Session::open(&config::db_path(db)?)?;
            ops::export::backup(&s, &file)?;
            outln!("backed up {} to {}", s.path.display(), file.display());
            Ok(())
        }
        Some(Command::Keys) => {
            let (keymap, warnings) = crate::tui::keymap::load_effective();
            for w in warnings {
                errln!("{w}");
            }
            out(&safe(&keymap.describe()));
            Ok(())
        }
        Some(Command::Bench {
            rounds,
            explain,
            bytes,
            screen,
        }) => {
            let report = if bytes {
                crate::tui::bytes::run(&config::db_path(db)?, rounds)?
            } else {
                crate::tui::bench::run(&config::db_path(db)?, rounds, explain, screen.as_deref())?
            };
            out(&safe(&report));
            Ok(())
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "shopdesk", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            std::io::stdout().write_all(&out)?;
            Ok(())
        }
    }
}

fn tui_options(color: ColorChoice) -> crate::tui::Options {
    let monochrome = match color {
        ColorChoice::Always => false,
        ColorChoice::Never => true,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    crate::tui::Options { monochrome }
}

fn staff(path: &Path, action: StaffAction) -> Result<()> {
    let mut s = Session::open(path)?;
    match action {
        StaffAction::Add { login, role } => {
            let st = ops::staff::add(&mut s, &login, role)?;
            outln!("added {} as {}", st.login, st.role);
        }
        StaffAction::SetRole { login, role } => {
            let st = ops::staff::set_role(&mut s, &login, role)?;
            outln!("{} is now {}", st.login, st.role);
        }
        StaffAction::Disable { login } => {
            let st = ops::staff::disable(&mut s, &login)?;
            outln!("disabled {}", st.login);
        }
        StaffAction::List => {
            for st in store::staff::all(&s.conn)? {
                outln!(
                    "{:<20} {:<9} {}",
                    st.login,
                    st.role,
                    if st.active { "active" } else { "disabled" }
                );
            }
        }
    }
    Ok(())
}

fn demo(path: &Path, scale: DemoScale, seed: u64) -> Result<()> {
    if path.exists() {
        let is_demo = store::open(path)
            .and_then(|c| store::settings::load(&c))
            .map(|s| s.shop_name == crate::demo::DEMO_SHOP_NAME)
            .unwrap_or(false);
        if !is_demo {
            return Err(Error::refused(format!(
                "{} exists and is not a demo database; pass --db NEW_FILE",
                path.display()
            )));
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::Db(format!("cannot replace {}: {e}", path.display()))),
            }
        }
    }
    let login = crate::identity::os_login()?;
    ops::staff::init(path, &login, crate::demo::DEMO_SHOP_NAME, "CNY", "Asia/Shanghai")?;
    let mut conn = store::open(path)?;
    let started = std::time::Instant::now();
    let opts = crate::demo::DemoOptions {
        scale: match scale {
            DemoScale::Small => crate::demo::Scale::Small,
            DemoScale::Medium => crate::demo::Scale::Medium,
            DemoScale::Large => crate::demo::Scale::Large,
        },
        seed,
        now: clock::now()?,
        owner: login,
    };
    let summary = crate::demo::generate(&mut conn, &opts)?;
    drop(conn);
    // Orders past their return window complete now, as in a shop that had
    // been running (docs/settlement.md): the first command after the demo
    // has none to catch up on. The load already completes those due at
    // `opts.now` (demo::history), so this finds none: it stays as the guard
    // that no demo is left with one due.
    let mut s = Session::open(path)?;
    ops::orders::due::complete_due_at(&mut s, opts.now, None)?;
    // The product sales figures, as `tick` and the TUI's worker keep them:
    // the demo opens with its ABC classes (the Products queues read them;
    // with none stored a class page looks at every product to find none).
    ops::products::reports::refresh_stats_at(&mut s, opts.now, true)?;
    errln!(
        "demo written to {} in {:.1}s: {summary}",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Report columns line up by display width: 数码 is four cells wide.
    #[test]
    fn columns_pad_cjk_by_display_width_and_cut_what_is_longer() {
        assert_eq!(col("数码", 6), "数码  ");
        assert_eq!(col("Home", 6), "Home  ");
        assert_eq!(col("数码 > 手机配件", 8).chars().last(), Some('…'));
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(col("数码 > 手机配件", 8).as_str()),
            8
        );
        assert!(!col("a\u{1b}]2;x", 10).contains('\u{1b}'));
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        assert_eq!(local(Some("2026-11-01T16:57:08Z"), &tz), "2026-11-02 00:57");
        assert_eq!(local(None, &tz), "-");
    }
}
