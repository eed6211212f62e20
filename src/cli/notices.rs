//! `shopdesk notices list|export|mark-sent|send --via CMD`: the outbox
//! (SPEC §4.8).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::ops::Session;
use crate::ops::merchants;
use crate::store::merchants as db;
use crate::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum NoticesCmd {
    /// List the outbox, oldest first.
    List {
        /// Only the notices not sent yet.
        #[arg(long)]
        unsent: bool,
        /// One JSON array (docs/merchants.md).
        #[arg(long)]
        json: bool,
    },
    /// Write every notice with its body as JSON (to stdout or -o FILE).
    Export {
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Mark notices sent by hand (delivered some other way).
    MarkSent {
        #[arg(required = true, num_args = 1..)]
        ids: Vec<i64>,
    },
    /// Pipe each unsent email notice to CMD (e.g. 'sendmail -t'); marked sent when CMD exits 0.
    Send {
        #[arg(long, value_name = "CMD")]
        via: String,
    },
}

pub fn run(path: &Path, cmd: NoticesCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    match cmd {
        NoticesCmd::List { unsent, json } => {
            let list = db::notices(&s.conn, unsent)?;
            if json {
                super::out_json(&list)?;
            } else {
                for n in &list {
                    outln!(
                        "#{:<5} {}  {:<6} {:<5} {:<30} {}{}",
                        n.id,
                        n.created_at,
                        if n.sent_at.is_some() { "sent" } else { "unsent" },
                        n.channel,
                        n.recipient,
                        n.subject,
                        n.last_error
                            .as_deref()
                            .map(|e| format!("  (last try: {e})"))
                            .unwrap_or_default()
                    );
                }
                errln!("{} notice(s)", list.len());
            }
            Ok(())
        }
        NoticesCmd::Export { out } => {
            let list = db::notices(&s.conn, false)?;
            let text = serde_json::to_string_pretty(&list).map_err(|e| Error::Db(format!("json: {e}")))?;
            match out {
                None => super::out(&format!("{text}\n")),
                Some(p) => {
                    crate::identity::as_caller(|| std::fs::write(&p, format!("{text}\n")))
                        .map_err(|e| Error::input(format!("{}: cannot write: {e}", p.display())))?;
                    outln!("exported {} notice(s) to {}", list.len(), p.display());
                }
            }
            Ok(())
        }
        NoticesCmd::MarkSent { ids } => {
            let done = merchants::mark_sent(&mut s, &ids)?;
            for id in &ids {
                if done.contains(id) {
                    outln!("notice {id}: marked sent");
                } else {
                    outln!("notice {id}: already sent");
                }
            }
            Ok(())
        }
        NoticesCmd::Send { via } => {
            let r = merchants::send(&mut s, &via)?;
            for id in &r.sent {
                outln!("notice {id}: sent");
            }
            for (id, why) in &r.failed {
                errln!("notice {id}: not sent: {why}");
            }
            if r.skipped > 0 {
                errln!(
                    "{} SMS or addressless notice(s) left for another channel",
                    r.skipped
                );
            }
            if r.failed.is_empty() {
                Ok(())
            } else {
                Err(Error::refused(format!(
                    "{} of {} notice(s) not sent; they stay in the outbox for the next send",
                    r.failed.len(),
                    r.failed.len() + r.sent.len()
                )))
            }
        }
    }
}
