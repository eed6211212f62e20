//! Where things live: the database, the config directory (keymap overrides),
//! the log file. `directories` honours XDG_DATA_HOME / XDG_CONFIG_HOME.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

pub const DB_ENV: &str = "SHOPDESK_DB";

fn dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "shopdesk")
        .ok_or_else(|| Error::input("cannot find a home directory; pass --db or set SHOPDESK_DB"))
}

/// `--db`, else `SHOPDESK_DB`, else the data directory's `shopdesk.db`.
pub fn db_path(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Ok(p) = std::env::var(DB_ENV)
        && !p.is_empty()
    {
        return Ok(PathBuf::from(p));
    }
    Ok(dirs()?.data_dir().join("shopdesk.db"))
}

/// Where `shopdesk demo` writes when no path is given, so a demo never
/// replaces the real shop.
pub fn demo_db_path(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Ok(p) = std::env::var(DB_ENV)
        && !p.is_empty()
    {
        return Ok(PathBuf::from(p));
    }
    Ok(dirs()?.data_dir().join("demo.db"))
}

/// The user's keymap override file.
pub fn keymap_path() -> Result<PathBuf> {
    Ok(dirs()?.config_dir().join("keymap.toml"))
}

/// Where export and pick-list files go unless told otherwise.
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
