//! `shopdesk backup`: a consistent copy of a live database, finished even
//! while others write, and never a half file under the target's name.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::{APPLICATION_ID, side_file};
use crate::{Error, Result};

/// Copies the database behind `conn` to `dest`, which must not exist yet and
/// whose directory must.
///
/// Every page is copied in one backup step, which is one read transaction on
/// the source: in WAL mode writers carry on beside it and cannot make it
/// restart (copying in small steps restarts on every change another process
/// commits, so it never finished under a steady writer). The copy is written
/// to a temporary name in the target's directory and linked to the target
/// name only when complete and synced, so a killed backup leaves nothing
/// under that name.
pub fn backup(conn: &Connection, dest: &Path) -> Result<()> {
    let (dir, name) = target(dest)?;
    remove_stale_partials(&dir, &name);
    let partial = dir.join(partial_name(&name, std::process::id()));
    // A leftover of this pid can only be from a killed earlier run.
    remove_partial(&partial);
    // Created as the caller with the shared install's group and mode, like
    // the database it copies (SQLite keeps both when it writes the copy).
    crate::identity::create_for_caller(&partial, true)
        .map_err(|e| Error::input(format!("{}: cannot create: {e}", partial.display())))?;
    let done = copy_into(conn, &partial).and_then(|()| publish(&partial, dest, &dir));
    remove_partial(&partial);
    done
}

/// The target's directory and file name; a target that exists or whose
/// directory is missing is bad usage.
fn target(dest: &Path) -> Result<(PathBuf, String)> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::input(format!("{}: not a file name", dest.display())))?;
    if dest.symlink_metadata().is_ok() {
        return Err(Error::input(format!(
            "{} already exists; choose a new file",
            dest.display()
        )));
    }
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "{}: directory {} does not exist",
            dest.display(),
            dir.display()
        )));
    }
    Ok((dir, name))
}

fn copy_into(conn: &Connection, partial: &Path) -> Result<()> {
    let cannot = |e: rusqlite::Error| Error::Db(format!("backup to {}: {e}", partial.display()));
    let mut out = Connection::open(partial).map_err(cannot)?;
    {
        let b = Backup::new(conn, &mut out).map_err(cannot)?;
        // Busy only while another connection recovers the WAL: wait as a
        // writer would (the busy timeout), then give up.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match b.step(-1).map_err(cannot)? {
                StepResult::Done => break,
                StepResult::More => continue,
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    return Err(Error::Db(format!(
                        "backup to {}: the database stayed locked",
                        partial.display()
                    )));
                }
            }
        }
    }
    let id: i64 = out
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(cannot)?;
    if id != APPLICATION_ID {
        return Err(Error::Db(format!(
            "backup to {}: the copy is not a shopdesk database",
            partial.display()
        )));
    }
    // The copy's own commit synced it (synchronous=FULL, rollback journal).
    out.close().map_err(|(_, e)| cannot(e))
}

/// Gives the finished copy the target's name. A hard link cannot replace a
/// file that appeared there meanwhile; where links are not supported, a
/// rename does the same after one more look.
fn publish(partial: &Path, dest: &Path, dir: &Path) -> Result<()> {
    match std::fs::hard_link(partial, dest) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::input(format!(
                "{} already exists; choose a new file",
                dest.display()
            )));
        }
        Err(_) if !dest.exists() => std::fs::rename(partial, dest)
            .map_err(|e| Error::Db(format!("{}: cannot write: {e}", dest.display())))?,
        Err(e) => return Err(Error::Db(format!("{}: cannot write: {e}", dest.display()))),
    }
    // The new name survives a power cut only once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn partial_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.partial")
}

/// Removes what killed backups to the same name left (their process is
/// gone), so kills do not pile up full-size copies beside the target.
fn remove_stale_partials(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".partial"))
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone && pid > 0 {
            remove_partial(&dir.join(&file));
        }
    }
}

fn remove_partial(partial: &Path) {
    for p in [partial.to_path_buf(), side_file(partial, "-journal")] {
        let _ = std::fs::remove_file(p);
    }
}
