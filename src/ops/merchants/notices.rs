//! The notices outbox (SPEC §4.8): each review outcome leaves a notice to
//! the merchant; `send` pipes each unsent email notice to a
//! sendmail-compatible command and marks it sent only when it succeeds.

use std::io::Write;
use std::process::Stdio;

use rusqlite::Connection;

use crate::domain::Permission;
use crate::ops::{Session, Stamp, audit};
use crate::store::merchants::{self as db, Merchant, NewNotice, Notice};
use crate::{Error, Result, clock, store};

/// The outcomes a merchant hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    ChangesNeeded,
    Rejected,
    Approved,
    Activated,
    Suspended,
    Terminated,
}

/// Writes the notice of `kind` to merchant `m` (inside the verb's
/// transaction); `detail` is the feedback or reason.
pub(super) fn merchant(tx: &Connection, m: &Merchant, kind: Kind, detail: &str, at: &str) -> Result<i64> {
    let (subject, lead) = match kind {
        Kind::ChangesNeeded => (
            "Changes needed to your application",
            "Your application needs changes before we can decide:",
        ),
        Kind::Rejected => (
            "Your application was not accepted",
            "We cannot accept your application:",
        ),
        Kind::Approved => (
            "Your application is approved",
            "Your application is approved. To open your shop, pay the deposit and the platform fee and sign the agreement.",
        ),
        Kind::Activated => ("Your shop is open", "Your shop is now active on the platform."),
        Kind::Suspended => (
            "Your shop is suspended",
            "Your shop is suspended and its products are hidden:",
        ),
        Kind::Terminated => (
            "Your cooperation has ended",
            "Your cooperation with the platform is terminated; your products are delisted and the deposit balance is refunded:",
        ),
    };
    let (channel, recipient) = if !m.email.trim().is_empty() {
        ("email", m.email.trim())
    } else {
        ("sms", m.phone.trim())
    };
    let greeting = if m.contact_name.is_empty() {
        &m.name
    } else {
        &m.contact_name
    };
    let body = if detail.trim().is_empty() {
        format!("Dear {greeting},\n\n{lead}\n\nMerchant {} ({})\n", m.code, m.name)
    } else {
        format!(
            "Dear {greeting},\n\n{lead}\n\n{}\n\nMerchant {} ({})\n",
            detail.trim(),
            m.code,
            m.name
        )
    };
    db::add_notice(
        tx,
        &NewNotice {
            entity: "merchant",
            entity_id: m.id,
            recipient,
            channel,
            subject: &format!("{subject} ({})", m.code),
            body: &body,
            at,
        },
    )
}

/// One notice as a message for `sendmail -t` (headers, blank line, body).
pub fn message(n: &Notice) -> String {
    // Header values are single lines: a recipient or subject cannot add headers.
    let one = |s: &str| s.replace(['\r', '\n'], " ");
    format!(
        "To: {}\nSubject: {}\nContent-Type: text/plain; charset=utf-8\n\n{}",
        one(&n.recipient),
        one(&n.subject),
        n.body
    )
}

fn mark(tx: &Connection, who: Stamp<'_>, n: &Notice) -> Result<bool> {
    if !db::mark_sent(tx, n.id, who.at, who.actor)? {
        return Ok(false);
    }
    // The audit row is the notice's subject's (merchant M, action
    // notice_sent) with the notice as its before-image: the subject's own
    // row did not change, so there is no after-image to compare with it.
    audit(tx, who, &n.entity, n.entity_id, "notice_sent", Some(n), None)?;
    Ok(true)
}

/// Marks notices sent by hand (delivered some other way). Returns the ids
/// marked; an unknown id is bad input, one already sent is skipped.
pub fn mark_sent(s: &mut Session, ids: &[i64]) -> Result<Vec<i64>> {
    s.require(Permission::ManageMerchants)?;
    let at = clock::stamp(s.now()?);
    let actor = s.actor.login.clone();
    let who = Stamp {
        actor: &actor,
        at: &at,
    };
    let tx = store::write_tx(&mut s.conn)?;
    let mut done = Vec::new();
    for id in ids {
        let n = db::notice(&tx, *id)?.ok_or_else(|| Error::not_found("notice", *id))?;
        if mark(&tx, who, &n)? {
            done.push(*id);
        }
    }
    tx.commit()?;
    Ok(done)
}

/// What `send` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: Vec<i64>,
    /// (notice id, why) for each that stays unsent.
    pub failed: Vec<(i64, String)>,
    /// Unsent SMS notices: not for a mail command.
    pub skipped: usize,
}

/// Pipes each unsent email notice to `command` (run by `sh -c`, e.g.
/// `sendmail -t`) and marks it sent when the command exits 0. Each notice
/// is its own transaction after its command ends, so a later failure never
/// un-sends an earlier one and a failure leaves that notice unsent.
pub fn send(s: &mut Session, command: &str) -> Result<SendReport> {
    s.require(Permission::ManageMerchants)?;
    if command.trim().is_empty() {
        return Err(Error::input(
            "notices send: --via needs a command, e.g. 'sendmail -t'",
        ));
    }
    let mut report = SendReport::default();
    for n in db::notices(&s.conn, true)? {
        if n.channel != "email" || n.recipient.is_empty() {
            report.skipped += 1;
            continue;
        }
        match pipe(command, &message(&n)) {
            Ok(()) => {
                let at = clock::stamp(s.now()?);
                let actor = s.actor.login.clone();
                let tx = store::write_tx(&mut s.conn)?;
                mark(
                    &tx,
                    Stamp {
                        actor: &actor,
                        at: &at,
                    },
                    &n,
                )?;
                tx.commit()?;
                report.sent.push(n.id);
            }
            Err(why) => {
                let tx = store::write_tx(&mut s.conn)?;
                db::mark_failed(&tx, n.id, &why)?;
                tx.commit()?;
                report.failed.push((n.id, why));
            }
        }
    }
    Ok(report)
}

/// Runs `command` with `text` on its stdin; `Err(why)` unless it exits 0.
fn pipe(command: &str, text: &str) -> std::result::Result<(), String> {
    let mut child = crate::identity::child_command("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(text.as_bytes()).map_err(|e| e.to_string()),
        None => Err("no stdin".to_string()),
    };
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.trim();
        return Err(match out.status.code() {
            Some(c) if err.is_empty() => format!("{command:?} exited with {c}"),
            Some(c) => format!("{command:?} exited with {c}: {err}"),
            None => format!("{command:?} was killed by a signal"),
        });
    }
    written.map_err(|e| format!("{command:?} did not take the message: {e}"))
}
