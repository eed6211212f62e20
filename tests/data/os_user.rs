//! A second real OS user for tests that need one (root ignores file
//! permissions), included with `#[path]`. Created if missing, run through
//! `setpriv`; without root or `setpriv` the caller skips, saying why.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

// The including test has `mod cli` (cli_support.rs) at its root.
use super::cli::{self, text};

pub const READER: &str = "sdreader";

/// The reader's uid, creating the user if needed; `None` (with the reason
/// printed) where this machine cannot run a second user.
pub fn reader() -> Option<u32> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: not root, so cannot run commands as a second OS user");
        return None;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: setpriv (util-linux) is not installed");
        return None;
    }
    let uid = || {
        Command::new("id")
            .args(["-u", READER])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| text(&o.stdout).trim().parse::<u32>().ok())
    };
    if uid().is_none() {
        // A parallel test may create it at the same moment: look again after.
        let _ = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                READER,
            ])
            .output();
    }
    let found = uid();
    if found.is_none() {
        eprintln!("skipped: cannot create the OS user {READER} (useradd failed)");
    }
    found
}

/// `shopdesk --db DB ARGS` as the reader.
pub fn as_reader(d: &Path, db: &str, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid", READER, "--regid", READER, "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_shopdesk"))
        .args(["--db", db])
        .args(args)
        .env("HOME", d.join("reader-home"))
        .env("XDG_DATA_HOME", d.join("reader-home/data"))
        .env("XDG_CONFIG_HOME", d.join("reader-home/config"))
        .env("SHOPDESK_NOW", cli::NOW)
        .env_remove("SHOPDESK_DB")
        .output()
        .unwrap()
}
