//! The sync report of `import orders`: what the channel sent against what
//! shopdesk has (split from `orders.rs`).

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::{Ctx, Outcome};
use crate::io::import_orders::Draft;
use crate::io::import_sync::{self, Expect};
use crate::store::import::orders as st;
use crate::{Error, Result, clock};

/// Per channel: what the file held and what became of it.
#[derive(Debug, Default)]
pub(super) struct ChannelStats {
    pub orders: usize,
    pub new: usize,
    pub present: usize,
    pub changed: usize,
    pub rejected: usize,
    pub first: Option<chrono::DateTime<chrono::Utc>>,
    pub last: Option<chrono::DateTime<chrono::Utc>>,
}

/// The sync lines: per channel what the file held against what shopdesk
/// has, and with `--expect-range` the ids or days missing.
pub(super) fn report(
    tx: &Connection,
    ctx: &Ctx<'_>,
    drafts: &[Draft],
    channels: &BTreeMap<String, ChannelStats>,
    expect: Option<&Expect>,
    out: &mut Outcome,
) -> Result<()> {
    let tz = ctx.tz();
    let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&tz).date_naive().to_string())
            .unwrap_or_else(|| "-".into())
    };
    let sync = &mut out.report.sync;
    for (ch, c) in channels {
        sync.push(format!(
            "sync {ch}: {} orders in the file (placed {}..{}): {} new, {} already present, {} changed, {} rejected",
            c.orders,
            day(c.first),
            day(c.last),
            c.new,
            c.present,
            c.changed,
            c.rejected
        ));
    }
    let Some(expect) = expect else {
        return Ok(());
    };
    let channel = match (&ctx.opts.channel, channels.len()) {
        (Some(c), _) => Some(c.clone()),
        (None, 1) => channels.keys().next().cloned(),
        (None, _) => None,
    };
    match expect {
        Expect::Numbers {
            prefix,
            from,
            to,
            width,
        } => {
            let channel = channel.ok_or_else(|| {
                Error::input("--expect-range with order numbers needs --channel (the file has several channels, or none)")
            })?;
            let mut missing = Vec::new();
            for n in *from..=*to {
                let id = import_sync::id_for(prefix, n, *width);
                if st::order_id(tx, &channel, &id)?.is_none() {
                    missing.push(n);
                }
            }
            let runs = import_sync::runs(&missing);
            let (a, b) = (
                import_sync::id_for(prefix, *from, *width),
                import_sync::id_for(prefix, *to, *width),
            );
            let total = to - from + 1;
            if missing.is_empty() {
                sync.push(format!(
                    "expected {a}..{b} on {channel} ({total} ids): none missing"
                ));
            } else {
                sync.push(format!(
                    "expected {a}..{b} on {channel} ({total} ids): {} missing from shopdesk: {}",
                    missing.len(),
                    import_sync::describe_runs(prefix, *width, &runs, 200)
                ));
            }
        }
        Expect::Days { from, to } => {
            let mut in_file: HashMap<chrono::NaiveDate, usize> = HashMap::new();
            for d in drafts.iter().filter(|d| !d.headless) {
                if channel.as_ref().is_none_or(|c| *c == d.head.channel) {
                    *in_file
                        .entry(d.head.placed_at.with_timezone(&tz).date_naive())
                        .or_default() += 1;
                }
            }
            let which = channel.as_deref().unwrap_or("all channels");
            sync.push(format!(
                "orders per day on {which}, {from}..{to} (both included, {tz}):"
            ));
            sync.push(format!(
                "  {:<10}  {:>8}  {:>9}",
                "date", "in file", "in shopdesk"
            ));
            let mut empty = Vec::new();
            let mut day = *from;
            while day <= *to {
                let (start, end) = ctx.calendar.local_day_bounds(day);
                let db = st::count_placed(tx, &clock::stamp(start), &clock::stamp(end), channel.as_deref())?;
                let file = in_file.get(&day).copied().unwrap_or(0);
                let flag = if db == 0 { "  NONE" } else { "" };
                sync.push(format!("  {day}  {file:>8}  {db:>11}{flag}"));
                if db == 0 {
                    empty.push(day.to_string());
                }
                match day.succ_opt() {
                    Some(d) => day = d,
                    None => break,
                }
            }
            if empty.is_empty() {
                sync.push("every day has orders in shopdesk".to_string());
            } else {
                sync.push(format!("days with no orders in shopdesk: {}", empty.join(", ")));
            }
        }
    }
    Ok(())
}
