//! `e`: the filtered view to CSV, streamed row by row from one statement on
//! a second connection in a background thread, so a million rows neither
//! sit in memory nor freeze the keys.

use std::path::{Path, PathBuf};

use super::app::App;
use super::fmt::Fmt;
use super::screens::Tab;
use crate::store::lists::Query;
use crate::{Error, Result};

/// Writes the view to `path`; returns the number of data rows.
pub fn write_csv(
    conn: &crate::store::lists::Conn,
    fmt: &Fmt,
    tab: Tab,
    q: &Query,
    path: &Path,
) -> Result<u64> {
    let file = crate::identity::create_for_caller(path, false)
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
    pub(crate) fn start_export(&mut self, tab: Tab) -> Result<()> {
        if !tab.is_list() {
            return Ok(());
        }
        self.refresh_clock();
        let dir = self.export_dir.clone().unwrap_or_else(crate::config::output_dir);
        let path = export_path(&dir, tab, &self.fmt);
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
