//! `shopdesk check` and `shopdesk audit head`: what the file can prove about
//! itself, and the chain head to keep outside it.

use std::path::Path;

use clap::{Args, Subcommand};

use crate::store::check::{self, Head};
use crate::{Error, Result, store};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A chain head recorded earlier with `shopdesk audit head` (LEN:HASH):
    /// fail unless the chain still holds it, i.e. nothing up to it was
    /// truncated or rewritten.
    #[arg(long, value_name = "LEN:HASH", value_parser = parse_head)]
    pub expect_head: Option<Head>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Print the chain's length and newest hash as LEN:HASH; keep it outside
    /// the file (e.g. in the backup log) for `check --expect-head`.
    Head,
}

fn parse_head(s: &str) -> std::result::Result<Head, String> {
    s.parse::<Head>().map_err(|e| e.to_string())
}

pub fn audit(path: &Path, cmd: AuditCmd) -> Result<()> {
    match cmd {
        AuditCmd::Head => {
            // Like `check`, any login may read it: it reveals no shop data.
            let conn = store::open(path)?;
            outln!("{}", check::audit_head::head(&conn)?);
            Ok(())
        }
    }
}

pub fn run_check(path: &Path, args: CheckArgs) -> Result<()> {
    // Any login may check: it reads only, and a damaged file may have no staff.
    let conn = store::open(path)?;
    let opts = check::Options {
        expect_head: args.expect_head,
    };
    let results = check::run_with(&conn, &opts)?;
    let mut failed = 0;
    for r in &results {
        if r.ok() {
            outln!("ok    {} ({:.1}s)", r.name, r.elapsed.as_secs_f64());
        } else {
            failed += 1;
            outln!("FAIL  {} ({:.1}s)", r.name, r.elapsed.as_secs_f64());
            for p in &r.problems {
                outln!("      {p}");
            }
        }
    }
    match check::key::in_force() {
        Some(k) => outln!("audit chain keyed with {}", k.path.display()),
        None => outln!(
            "audit chain not keyed (no {} beside the file): a row appended or rewritten with recomputed hashes is only caught by --expect-head",
            check::key::KEY_FILE
        ),
    }
    if failed > 0 {
        return Err(Error::Db(format!(
            "{failed} check(s) failed on {}",
            path.display()
        )));
    }
    Ok(())
}
