//! `shopdesk import`: one CSV file, one transaction. With any bad row nothing
//! is written and every problem is listed; `--skip-invalid` writes the good
//! rows and puts the bad ones in a reject file; `--dry-run` does everything,
//! then rolls back. Existing records (same key) are never overwritten: they
//! are reported as already present, or as changed with the differing fields.

mod after_sales;
mod catalog;
mod documents;
mod order_early;
mod order_sync;
mod order_writer;
mod orders;
mod progress;

pub use progress::Phase;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::Session;
use crate::domain::Permission;
use crate::domain::calendar::BusinessCalendar;
use crate::io::csv_in::{self, Problem, ReadOptions};
use crate::store::import::AuditBatch;
use crate::store::settings::Settings;
use crate::{Error, Result, clock, store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Merchants,
    Products,
    Orders,
    MerchantDocuments,
    Reviews,
    Tickets,
    Traffic,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MerchantDocuments => "merchant-documents",
            Kind::Merchants => "merchants",
            Kind::Products => "products",
            Kind::Orders => "orders",
            Kind::Reviews => "reviews",
            Kind::Tickets => "tickets",
            Kind::Traffic => "traffic",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub read: ReadOptions,
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// Where rejected rows go with `skip_invalid`; default `FILE.rejects.csv`.
    pub reject_file: Option<PathBuf>,
    /// Orders only: `--expect-range` (see `io::import_sync`).
    pub expect_range: Option<String>,
    /// Orders only: the channel `--expect-range` is about.
    pub channel: Option<String>,
}

/// A record that exists already and differs from the file (not overwritten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// `channel:external_id`, a merchant code, or `merchant_code/sku`.
    pub label: String,
    /// (field, in the file, in shopdesk)
    pub fields: Vec<(String, String, String)>,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub kind: &'static str,
    pub file: String,
    pub dry_run: bool,
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// Records in the file (orders group their lines).
    pub records: usize,
    pub new: usize,
    pub present: usize,
    pub changed: Vec<Changed>,
    /// Rows rejected with `--skip-invalid`, and where they went.
    pub rejected_rows: usize,
    pub reject_file: Option<PathBuf>,
    /// The problems behind the rejected rows, as `file:line: column: problem`.
    pub problems: Vec<String>,
    /// Facts worth knowing (orders held for stock, categories created, ...).
    pub notes: Vec<String>,
    /// The sync report (orders).
    pub sync: Vec<String>,
    pub audit_rows: usize,
    pub audit_time: Duration,
    /// `import orders`: the import record the new orders name (its batch
    /// number), when it created any.
    pub import_id: Option<i64>,
    /// Where the time went, phase by phase (benches/import.rs prints it).
    pub phases: Vec<Phase>,
    pub elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.kind == "orders" {
            "order lines"
        } else {
            "rows"
        };
        writeln!(
            f,
            "{}{}: {} {unit}, {} {}: {} new, {} already present, {} changed, {} rows rejected",
            if self.dry_run { "dry run: " } else { "" },
            self.file,
            self.rows,
            self.records,
            self.kind,
            self.new,
            self.present,
            self.changed.len(),
            self.rejected_rows
        )?;
        if !self.changed.is_empty() {
            writeln!(
                f,
                "changed in the file but not overwritten (shopdesk keeps what it has):"
            )?;
            for c in &self.changed {
                let fields: Vec<String> = c
                    .fields
                    .iter()
                    .map(|(k, file, db)| format!("{k} (file {file:?}, shopdesk {db:?})"))
                    .collect();
                writeln!(f, "  {}: {}", c.label, fields.join(", "))?;
            }
        }
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        if self.rejected_rows > 0 {
            match (&self.reject_file, self.dry_run) {
                (Some(p), false) => writeln!(
                    f,
                    "rejected {} rows, written to {} with a reason column:",
                    self.rejected_rows,
                    p.display()
                )?,
                _ => writeln!(f, "would reject {} rows:", self.rejected_rows)?,
            }
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
        }
        for s in &self.sync {
            writeln!(f, "{s}")?;
        }
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        Ok(())
    }
}

/// What the kind-specific runners share.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub name: String,
    pub opts: &'a Options,
    pub settings: &'a Settings,
    pub calendar: BusinessCalendar,
    pub now: chrono::DateTime<chrono::Utc>,
    pub now_stamp: String,
    pub actor: String,
}

impl Ctx<'_> {
    /// The stock ledger's origin of a movement this import makes.
    pub(crate) fn stock_origin(&self) -> crate::store::stock::Origin<'_> {
        crate::store::stock::Origin {
            order_id: None,
            ticket_id: None,
            note: "import",
            actor: &self.actor,
            at: &self.now_stamp,
        }
    }
}

impl Ctx<'_> {
    pub fn tz(&self) -> chrono_tz::Tz {
        self.calendar.tz
    }
}

/// A runner's result: the report so far, the problems found (by line), and
/// the reject reason for every line that is not imported.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub report: Report,
    pub problems: Vec<Problem>,
    pub rejects: BTreeMap<u64, String>,
}

impl Outcome {
    /// Records a bad row: its problems, and its reason for the reject file.
    pub fn reject(&mut self, line: u64, problems: &[Problem]) {
        let reason: Vec<String> = problems.iter().map(Problem::reason).collect();
        self.rejects.insert(line, reason.join("; "));
        self.problems.extend_from_slice(problems);
    }
}

/// Audit rows for imported records, timed (the cost is reported).
pub(crate) struct Audit {
    batch: AuditBatch,
    pub rows: usize,
    pub time: Duration,
}

impl Audit {
    pub fn start(conn: &Connection, ctx: &Ctx<'_>) -> Result<Audit> {
        Ok(Audit {
            batch: AuditBatch::start(conn, &ctx.actor, &ctx.now_stamp)?,
            rows: 0,
            time: Duration::ZERO,
        })
    }

    pub fn created<T: serde::Serialize>(
        &mut self,
        conn: &Connection,
        entity: &str,
        id: i64,
        after: &T,
    ) -> Result<()> {
        let t = Instant::now();
        let json = serde_json::to_string(after).map_err(|e| Error::Db(format!("audit json: {e}")))?;
        self.batch.created(conn, entity, id, "import", json)?;
        self.rows += 1;
        self.time += t.elapsed();
        Ok(())
    }

    /// Writes the rows still buffered.
    pub fn finish(&mut self, conn: &Connection) -> Result<()> {
        let t = Instant::now();
        self.batch.finish(conn)?;
        self.time += t.elapsed();
        Ok(())
    }
}

/// The default reject file: next to the input, `FILE.rejects.csv`.
pub fn default_reject_file(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".rejects.csv");
    PathBuf::from(s)
}

/// Imports `file` as `kind` for the session's user.
pub fn import(s: &mut Session, kind: Kind, file: &Path, opts: &Options) -> Result<Report> {
    s.require(Permission::ImportData)?;
    if kind != Kind::Orders && (opts.expect_range.is_some() || opts.channel.is_some()) {
        return Err(Error::input(
            "--expect-range and --channel apply to `import orders` only",
        ));
    }
    let started = Instant::now();
    let now = s.now()?;
    let settings = s.settings.clone();
    let holidays = store::settings::holidays(&s.conn)?;
    let calendar = BusinessCalendar::new(
        &settings.timezone,
        &settings.business_days,
        &settings.business_start,
        &settings.business_end,
        holidays,
    )
    .map_err(|e| Error::Db(format!("settings: {e}")))?;
    let ctx = Ctx {
        file,
        name: file.display().to_string(),
        opts,
        settings: &settings,
        calendar,
        now,
        now_stamp: clock::stamp(now),
        actor: s.actor.login.clone(),
    };
    let tuned = store::import::tune_for_bulk(&s.conn)?;
    // An orders import checks its references once, before commit
    // (`store::import::refs`), instead of row by row.
    let enforced = store::import::refs::enforced(&s.conn)?;
    if kind == Kind::Orders && enforced {
        store::import::refs::enforce(&s.conn, false)?;
    }
    let result = run(&mut s.conn, kind, &ctx, started);
    let restored = store::import::refs::enforce(&s.conn, enforced);
    store::import::end_bulk(&s.conn, tuned)?;
    restored?;
    result
}

/// The transaction: read, check, write, then commit (or roll back).
fn run(conn: &mut Connection, kind: Kind, ctx: &Ctx<'_>, started: Instant) -> Result<Report> {
    let (file, opts) = (ctx.file, ctx.opts);
    let tx = store::write_tx(conn)?;
    let mut out = Outcome::default();
    out.report.kind = kind.as_str();
    out.report.file = ctx.name.clone();
    out.report.dry_run = opts.dry_run;
    match kind {
        Kind::Orders => orders::run(&tx, ctx, &mut out)?,
        Kind::Merchants => catalog::merchants(&tx, ctx, &mut out)?,
        Kind::Products => catalog::products(&tx, ctx, &mut out)?,
        Kind::MerchantDocuments => documents::run(&tx, ctx, &mut out)?,
        Kind::Reviews => after_sales::reviews(&tx, ctx, &mut out)?,
        Kind::Tickets => after_sales::tickets(&tx, ctx, &mut out)?,
        Kind::Traffic => after_sales::traffic(&tx, ctx, &mut out)?,
    }
    if !out.problems.is_empty() && !opts.skip_invalid {
        // Dropping the transaction rolls back whatever was begun.
        return Err(Error::input(failure_message(&ctx.name, kind, &out)));
    }
    let mut report = out.report;
    report.rejected_rows = out.rejects.len();
    report.problems = out.problems.iter().map(|p| p.render(&ctx.name)).collect();
    if opts.dry_run {
        drop(tx);
    } else {
        if !out.rejects.is_empty() {
            let path = opts
                .reject_file
                .clone()
                .unwrap_or_else(|| default_reject_file(file));
            csv_in::write_rejects(file, opts.read, &out.rejects, &path)?;
            report.reject_file = Some(path);
        }
        let mut phase = progress::Phases::start();
        tx.commit()?;
        phase.done(&mut report, "commit (WAL write, checkpoint)");
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn failure_message(name: &str, kind: Kind, out: &Outcome) -> String {
    let rows = out
        .problems
        .iter()
        .map(|p| p.line)
        .collect::<std::collections::BTreeSet<_>>();
    let mut msg = format!(
        "import {}: {} problem(s) in {} row(s) of {name}; nothing was written",
        kind.as_str(),
        out.problems.len(),
        rows.len()
    );
    for p in &out.problems {
        msg.push('\n');
        msg.push_str(&p.render(name));
    }
    msg.push_str(
        "\nfix these rows, or pass --skip-invalid to import the good rows and write the bad ones to a reject file",
    );
    msg
}
