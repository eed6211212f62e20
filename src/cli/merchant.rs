//! `shopdesk merchant <action> CODE [options]`: each merchant workflow from
//! the command line (SPEC §4.1, §6), `merchant show CODE [--json]` and
//! `merchant doc export CODE KIND -o FILE`. Results go to stdout, refusals
//! to stderr with exit 1 (bad usage or a bad file 2).

use std::path::{Path, PathBuf};

use clap::{Arg, ArgMatches, FromArgMatches, Subcommand};

use crate::domain::money::Money;
use crate::ops::Session;
use crate::ops::merchants::{self, MerchantDetail};
use crate::ops::verbs::Entity;

use super::verbs::{self, VerbArgs};
use crate::{Error, Result};

/// `shopdesk merchant …`: the verbs from the table, plus `show` and `doc export`.
#[derive(Debug)]
pub enum MerchantCmd {
    Verb(VerbArgs),
    Other(MerchantExtra),
    DocExport {
        code: String,
        kind: String,
        out: PathBuf,
    },
}

/// The merchant subcommands that are not workflow verbs.
#[derive(Debug, Subcommand)]
pub enum MerchantExtra {
    /// Show a merchant: application, documents, deposit and fee, violations, notices.
    Show {
        code: String,
        /// The stable JSON object (docs/merchants.md).
        #[arg(long)]
        json: bool,
    },
    /// The re-verification queue: documents expiring within N days (default
    /// the setting, 30) or past their date, of merchants still open.
    Reverify {
        #[arg(long)]
        days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

fn doc_export_command() -> clap::Command {
    clap::Command::new("export")
        .about("write a document's stored scan to a file (a read: nothing changes)")
        .arg(
            Arg::new("code")
                .value_name("ID")
                .required(true)
                .help("merchant code"),
        )
        .arg(
            Arg::new("kind")
                .value_name("KIND")
                .required(true)
                .help("the document kind, e.g. business_licence"),
        )
        .arg(
            Arg::new("out")
                .short('o')
                .long("out")
                .value_name("FILE")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("the file to write (must not exist)"),
        )
}

impl FromArgMatches for MerchantCmd {
    fn from_arg_matches(m: &ArgMatches) -> std::result::Result<Self, clap::Error> {
        if let Some((name, sub)) = m.subcommand() {
            if name == "doc"
                && let Some(("export", em)) = sub.subcommand()
            {
                let get = |k: &str| em.get_one::<String>(k).cloned().unwrap_or_default();
                return Ok(MerchantCmd::DocExport {
                    code: get("code"),
                    kind: get("kind"),
                    out: em.get_one::<PathBuf>("out").cloned().unwrap_or_default(),
                });
            }
            if let Some(v) = verbs::from_matches(Entity::Merchant, name, sub) {
                return Ok(MerchantCmd::Verb(v));
            }
        }
        MerchantExtra::from_arg_matches(m).map(MerchantCmd::Other)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> std::result::Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Subcommand for MerchantCmd {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        verbs::augment(MerchantExtra::augment_subcommands(cmd), Entity::Merchant).mut_subcommand("doc", |d| {
            d.about("merchant doc: add, verify, reject, export")
                .subcommand(doc_export_command())
        })
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        verbs::is_verb(Entity::Merchant, name) || MerchantExtra::has_subcommand(name)
    }
}

pub fn run(path: &Path, cmd: MerchantCmd) -> Result<()> {
    let mut s = Session::open(path)?;
    match cmd {
        MerchantCmd::Verb(v) => verbs::run(&mut s, v),
        MerchantCmd::Other(MerchantExtra::Show { code, json }) => {
            let id = merchants::resolve(&s.conn, &code)?;
            let d = merchants::detail(&s, id)?;
            if json {
                super::out_json(&to_json(&d, &s))?;
            } else {
                super::out(&super::safe(&show_text(&d, &s.settings.timezone)));
            }
            Ok(())
        }
        MerchantCmd::Other(MerchantExtra::Reverify { days, json }) => {
            let now = s.now()?;
            let rows = merchants::reverification(&s, days.map(i64::from), now)?;
            if json {
                super::out_json(&rows)?;
                return Ok(());
            }
            let today = s.calendar()?.local_date(now);
            for r in &rows {
                let when = chrono::NaiveDate::parse_from_str(&r.expires_on, "%Y-%m-%d")
                    .map(|d| crate::domain::calendar::format_expiry(today, d))
                    .unwrap_or_default();
                outln!(
                    "{:<8} {:<12} {:<28} {:<9} {} ({when})  {}",
                    r.code,
                    r.status,
                    r.kind,
                    r.check_status,
                    r.expires_on,
                    r.name
                );
            }
            if rows.is_empty() {
                errln!("no document expires within the window");
            }
            Ok(())
        }
        MerchantCmd::DocExport { code, kind, out } => {
            let (meta, bytes) = merchants::document_file(&s, &code, &kind)?;
            write_new(&out, &bytes)?;
            outln!(
                "wrote {} ({} bytes, {}, sha256 {})",
                out.display(),
                bytes.len(),
                meta.media_type,
                meta.sha256
            );
            Ok(())
        }
    }
}

/// Writes `bytes` to a new file `out` (never over an existing one), as the
/// caller in a shared install, owner-only: a scan is personal data.
fn write_new(out: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let bad = |e: std::io::Error| Error::input(format!("{}: cannot write: {e}", out.display()));
    let mut f = crate::identity::as_caller(|| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
    })
    .map_err(bad)?;
    if let Err(e) = f.write_all(bytes).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(out);
        return Err(bad(e));
    }
    Ok(())
}

/// The stable `merchant show --json` object (docs/merchants.md).
fn to_json(d: &MerchantDetail, s: &Session) -> serde_json::Value {
    let m = &d.merchant;
    let pii = s.role().may(crate::domain::Permission::SeePii);
    let mask = |v: &str| {
        if pii || v.is_empty() {
            v.to_string()
        } else {
            "***".to_string()
        }
    };
    let notices: Vec<serde_json::Value> = d
        .notices
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id, "channel": n.channel, "subject": n.subject,
                "created_at": n.created_at, "sent_at": n.sent_at,
            })
        })
        .collect();
    serde_json::json!({
        "id": m.id,
        "code": m.code,
        "name": m.name,
        "legal_name": m.legal_name,
        "contact_name": m.contact_name,
        "phone": mask(&m.phone),
        "email": mask(&m.email),
        "address": mask(&m.address),
        "city": m.city,
        "license_no": m.license_no,
        "tax_id": m.tax_id,
        "cooperation_mode": m.cooperation_mode,
        "status": m.status,
        "status_reason": m.status_reason,
        "round": d.round,
        "applied_at": m.applied_at,
        "review_due_at": m.review_due_at,
        "decided_at": m.decided_at,
        "credit_score": d.credit_score_now,
        "credit_inputs": d.credit_inputs,
        "violation_points": d.points_12_months,
        "commission_bp": m.commission_bp,
        "commission": d.commission,
        "currency": d.currency,
        "deposit_required_minor": m.deposit_minor,
        "deposit_balance_minor": d.deposit_balance_minor,
        "deposit_short": d.deposit_short,
        "platform_fee_minor": m.platform_fee_minor,
        "fee_paid_minor": d.fee_paid_minor,
        "agreement_signed": m.agreement_signed,
        "required_documents": d.required_documents,
        "documents": d.documents,
        "approval_blockers": d.approval_blockers,
        "activation_blockers": d.activation_blockers,
        "ledger": d.ledger,
        "violations": d.violations,
        "notices": notices,
        "bad_records": d.bad_records,
        "changes_since_last_round": d.changes_since_last_round,
        "claim": d.claim,
        "version": m.version,
    })
}

/// The human `merchant show`.
pub fn show_text(d: &MerchantDetail, timezone: &str) -> String {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let m = &d.merchant;
    let money = |n: i64| Money(n).format(&d.currency);
    let mut out = format!(
        "merchant {} {}  {}{}\n",
        m.code,
        m.name,
        d.status_label,
        m.status_reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    out.push_str(&format!(
        "mode {}  credit {}  points (12 months) {}  submission round {}\n",
        m.cooperation_mode, d.credit_score_now, d.points_12_months, d.round
    ));
    out.push_str(&format!(
        "applied {}  review due {}  decided {}\n",
        super::local(Some(&m.applied_at), &tz),
        super::local(m.review_due_at.as_deref(), &tz),
        super::local(m.decided_at.as_deref(), &tz)
    ));
    if let Some(c) = &d.claim {
        out.push_str(&format!(
            "claimed by {}{}\n",
            c.ago,
            if c.stale { " (may be taken over)" } else { "" }
        ));
    }
    let rates: Vec<String> = d
        .commission
        .iter()
        .map(|c| {
            let pct = format!("{}.{:02} %", c.bp / 100, c.bp % 100);
            match &c.category {
                Some(cat) => format!("{cat} {pct} ({})", c.source),
                None => format!("{pct} ({})", c.source),
            }
        })
        .collect();
    out.push_str(&format!("commission {}\n", rates.join(", ")));
    out.push_str(&format!(
        "deposit {} of {}{}  fee paid {} of {}  agreement {}\n",
        money(d.deposit_balance_minor),
        money(m.deposit_minor),
        if d.deposit_short { " (BELOW REQUIRED)" } else { "" },
        money(d.fee_paid_minor),
        money(m.platform_fee_minor),
        if m.agreement_signed {
            "signed"
        } else {
            "not signed"
        }
    ));
    for b in &d.bad_records {
        out.push_str(&format!(
            "FLAGGED: the {} matches {} merchant {} (see `shopdesk merchant show {}`)\n",
            b.matched, b.status, b.code, b.code
        ));
    }
    if !d.changes_since_last_round.is_empty() {
        out.push_str(&format!("\nchanged since round {}\n", d.round - 1));
        for c in &d.changes_since_last_round {
            out.push_str(&format!("  {c}\n"));
        }
    }
    out.push_str("\ndocuments\n");
    for k in &d.required_documents {
        if !d.documents.iter().any(|x| &x.kind == k) {
            out.push_str(&format!("  {k:<28} MISSING (required)\n"));
        }
    }
    for x in &d.documents {
        let req = if d.required_documents.contains(&x.kind) {
            "required"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {:<28} {:<9} {:<8} no {}  issuer {}  expires {}{}{}\n",
            x.kind,
            x.check_status,
            req,
            if x.number.is_empty() { "-" } else { &x.number },
            if x.issuer.is_empty() { "-" } else { &x.issuer },
            x.expires_on.as_deref().unwrap_or("-"),
            x.file
                .as_ref()
                .map(|f| format!(
                    "  scan {} bytes {} sha256 {}",
                    f.size_bytes, f.media_type, f.sha256
                ))
                .unwrap_or_default(),
            if x.note.is_empty() {
                String::new()
            } else {
                format!("  ({})", x.note)
            }
        ));
    }
    for (what, list) in [
        ("approval", &d.approval_blockers),
        ("activation", &d.activation_blockers),
    ] {
        if !list.is_empty() {
            out.push_str(&format!("\n{what} blocked by\n"));
            for b in list {
                out.push_str(&format!("  - {b}\n"));
            }
        }
    }
    if !d.ledger.is_empty() {
        out.push_str("\nledger\n");
        for e in &d.ledger {
            out.push_str(&format!(
                "  {}  {:<7} {:<9} {:>14}  by {}\n",
                super::local(Some(&e.created_at), &tz),
                e.account,
                e.kind,
                money(e.amount_minor),
                e.created_by
            ));
        }
    }
    if !d.violations.is_empty() {
        out.push_str("\nviolations\n");
        for v in &d.violations {
            out.push_str(&format!(
                "  {}  {:<8} {:<20} {} pt  deducted {}  {}\n",
                super::local(Some(&v.created_at), &tz),
                v.severity,
                v.kind,
                v.points,
                money(v.deduction_minor),
                v.note
            ));
        }
    }
    if !d.notices.is_empty() {
        out.push_str("\nnotices\n");
        for n in &d.notices {
            out.push_str(&format!(
                "  #{} {}  {}  {}\n",
                n.id,
                super::local(Some(&n.created_at), &tz),
                if n.sent_at.is_some() { "sent  " } else { "unsent" },
                n.subject
            ));
        }
    }
    out
}
