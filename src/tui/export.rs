//! `e`: the filtered view to CSV, streamed row by row from one statement on
//! a second connection in a background thread, so a million rows neither
//! sit in memory nor freeze the keys.
//!
//! Nothing is written where the user did not say: `e` and the pick list
//! first ask for the path (`SaveAs`), offering a file in a `shopdesk`
//! folder of the user's documents (or data) directory, which is made if
//! missing; the message log then names the whole path.

use std::path::{Path, PathBuf};

use super::action::Action;
use super::app::{App, Effect, Overlay};
use super::fmt::Fmt;
use super::overlays::form::{self, Field, Form, Rule};
use super::screens::Tab;
use crate::store::lists::Query;
use crate::{Error, Result};

/// What the path prompt saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Save {
    /// The filtered view of a list, to one CSV file.
    Export(Tab),
    /// The files of a screen's extra action (the pick list and packing
    /// slips of these orders) into a folder; `title` heads the prompt.
    Extra {
        action: Action,
        ids: Vec<i64>,
        title: String,
    },
}

/// The path prompt: one field holding the whole path, prefilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveAs {
    pub form: Form,
    pub what: Save,
}

/// The folder offered: the app's own (tests), else `shopdesk` in the
/// user's documents or data directory.
pub fn default_dir(app: &App) -> PathBuf {
    app.export_dir
        .clone()
        .unwrap_or_else(crate::config::documents_dir)
}

/// Opens the path prompt for `what`.
pub fn ask(app: &mut App, what: Save) -> Vec<Effect> {
    let dir = default_dir(app);
    let (title, label, value, hint) = match &what {
        Save::Export(tab) => {
            if !tab.is_list() {
                return vec![];
            }
            app.refresh_clock();
            (
                format!("Export {} to CSV", tab.title()),
                "file",
                export_path(&dir, *tab, &app.fmt),
                "the filtered view, one row per line; a new file",
            )
        }
        Save::Extra { title, .. } => (
            title.clone(),
            "folder",
            dir,
            "the files are named by time; the folder is made if missing",
        ),
    };
    let field = Field::text(label, Rule::Required, hint).with_value(&value.display().to_string());
    let form = Form::new(
        title,
        "where to save (the folder is made if missing)",
        "save",
        vec![field],
    );
    app.overlay = Some(Overlay::SaveAs(Box::new(SaveAs { form, what })));
    vec![]
}

/// A key in the path prompt.
pub fn key(app: &mut App, mut s: Box<SaveAs>, a: Action) -> Vec<Effect> {
    match s.form.key(a) {
        form::Outcome::Stay => {
            app.overlay = Some(Overlay::SaveAs(s));
            vec![]
        }
        form::Outcome::Cancel => {
            app.say("nothing saved");
            vec![]
        }
        form::Outcome::Submit => {
            let path = absolute(s.form.value(0));
            match settle(&s.what, &path) {
                Ok(()) => match s.what {
                    Save::Export(tab) => vec![Effect::Export(tab, path)],
                    Save::Extra { action, ids, .. } => {
                        app.tab.screen().save_extra(app, action, &ids, &path);
                        vec![]
                    }
                },
                Err(why) => {
                    // Keep the prompt and what was typed; say what is wrong.
                    s.form.error = Some(why);
                    app.overlay = Some(Overlay::SaveAs(s));
                    vec![]
                }
            }
        }
    }
}

/// The typed path made whole: `~/` is the home directory, a relative path
/// is taken from the current directory (and shown whole afterwards).
fn absolute(typed: &str) -> PathBuf {
    let typed = typed.trim();
    let p = match typed.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(typed)),
        None => PathBuf::from(typed),
    };
    std::path::absolute(&p).unwrap_or(p)
}

/// Makes the folder the files go into (as the caller, like the files), and
/// refuses an export over an existing file.
fn settle(what: &Save, path: &Path) -> std::result::Result<(), String> {
    let dir = match what {
        Save::Export(_) => {
            if path.symlink_metadata().is_ok() {
                return Err(format!("{} already exists; choose another name", path.display()));
            }
            match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => return Err(format!("{} is not a file name", path.display())),
            }
        }
        Save::Extra { .. } => path.to_path_buf(),
    };
    crate::identity::as_caller(|| std::fs::create_dir_all(&dir))
        .map_err(|e| format!("cannot make the folder {}: {e}", dir.display()))
}

/// Writes the view to `path`; returns the number of data rows.
pub fn write_csv(
    conn: &crate::store::lists::Conn,
    fmt: &Fmt,
    tab: Tab,
    q: &Query,
    path: &Path,
) -> Result<u64> {
    let file = crate::identity::create_for_caller(path, true)
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let n = tab.screen().export(conn, fmt, q, &mut |rec: Vec<String>| {
        w.write_record(&rec)
            .map_err(|e| Error::input(format!("{}: {e}", path.display())))
    })?;
    w.flush()
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(n)
}

/// `shopdesk-orders-20261122-143500.csv` in the output directory.
pub fn export_path(dir: &Path, tab: Tab, fmt: &Fmt) -> PathBuf {
    let stamp = fmt.now.with_timezone(&fmt.tz).format("%Y%m%d-%H%M%S");
    let mut p = dir.join(format!("shopdesk-{}s-{stamp}.csv", tab.screen().entity()));
    let mut i = 2;
    while p.exists() {
        p = dir.join(format!("shopdesk-{}s-{stamp}-{i}.csv", tab.screen().entity()));
        i += 1;
    }
    p
}

impl App {
    pub(crate) fn start_export(&mut self, tab: Tab, path: PathBuf) -> Result<()> {
        if !tab.is_list() {
            return Ok(());
        }
        let db = self.session.path.clone();
        let fmt = self.fmt.clone();
        let q = self.lists[tab.index()].query.clone();
        let tx = self.results_tx.clone();
        self.say(format!("exporting to {} …", path.display()));
        std::thread::spawn(move || {
            let r = crate::store::lists::open_reader(&db)
                .and_then(|conn| write_csv(&conn, &fmt, tab, &q, &path))
                .map(|n| {
                    format!(
                        "exported {} rows to {}",
                        super::widgets::text::thousands(n),
                        path.display()
                    )
                })
                .map_err(|e| format!("export failed: {e}"));
            let _ = tx.send(super::app::JobResult::Message(r));
        });
        self.pending_jobs += 1;
        Ok(())
    }
}
