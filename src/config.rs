//! Where things live: the database, the config directory (keymap overrides),
//! the log file. `directories` honours XDG_DATA_HOME / XDG_CONFIG_HOME.
//!
//! In a shared install (setgid, see `identity`) the database comes from
//! `--db`/`SHOPDESK_DB` only if it lies in a directory of the install's
//! group, else from `SHARED_DB`; never from the caller's data directory.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

pub const DB_ENV: &str = "SHOPDESK_DB";

/// The shared install's database (set at build time with
/// `SHOPDESK_SHARED_DB=... cargo build --release`).
pub const SHARED_DB: &str = match option_env!("SHOPDESK_SHARED_DB") {
    Some(p) => p,
    None => "/var/lib/shopdesk/shop.db",
};

fn dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "shopdesk")
        .ok_or_else(|| Error::input("cannot find a home directory; pass --db or set SHOPDESK_DB"))
}

/// `--db`, else `SHOPDESK_DB`, else the data directory's `shopdesk.db`
/// (the shared directory's database in a shared install). Also chooses the
/// audit key beside it (one shop per process).
pub fn db_path(flag: Option<&Path>) -> Result<PathBuf> {
    resolve(flag, "shopdesk.db")
}

/// Where `shopdesk demo` writes when no path is given, so a demo never
/// replaces the real shop.
pub fn demo_db_path(flag: Option<&Path>) -> Result<PathBuf> {
    resolve(flag, "demo.db")
}

fn resolve(flag: Option<&Path>, default_name: &str) -> Result<PathBuf> {
    let named = flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(DB_ENV)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    });
    let path = if crate::identity::is_privileged() {
        crate::identity::harden();
        let p = crate::identity::shared_db_path(named.as_deref().unwrap_or(Path::new(SHARED_DB)))?;
        crate::identity::share_files(&p);
        p
    } else {
        match named {
            Some(p) => p,
            None => dirs()?.data_dir().join(default_name),
        }
    };
    crate::store::check::key::use_key_beside(&path)?;
    Ok(path)
}

/// The user's keymap override file.
pub fn keymap_path() -> Result<PathBuf> {
    Ok(dirs()?.config_dir().join("keymap.toml"))
}

/// Where the TUI offers to save exports and pick lists: a `shopdesk`
/// folder in the user's documents directory, else in their data directory
/// (never the current directory, which may be a checkout).
pub fn documents_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.join("shopdesk")))
        .or_else(|| directories::BaseDirs::new().map(|b| b.data_dir().join("shopdesk")))
        .unwrap_or_else(output_dir)
}

/// Where the command line writes pick-list files unless told otherwise.
pub fn output_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Sends tracing output to a log file in the data directory, never to the
/// terminal. Logging is best effort: failing to open the file is not fatal.
pub fn init_logging() {
    let Ok(d) = dirs() else { return };
    let dir = d.data_local_dir();
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("shopdesk.log"))
    else {
        return;
    };
    let filter = std::env::var("SHOPDESK_LOG").unwrap_or_else(|_| "info".into());
    let level = filter.parse::<tracing::Level>().unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
}
