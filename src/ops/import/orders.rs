//! `import orders`: group lines into orders, resolve SKUs and customers,
//! skip orders already present (listing the changed ones), reserve stock for
//! open orders (or hold them when stock is short), record the import once
//! (an `imports` row that every new order names, and one audit row), and
//! report what the channel sent against what shopdesk has.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::order_early::Early;
use super::order_sync::{self, ChannelStats};
use super::order_writer::Writer;
use super::progress::{Phases, Progress};
use super::{Changed, Ctx, Outcome};
use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use crate::io::csv_in::Problem;
use crate::io::import_orders::{self, Draft, Grouper, Line, ProductRef};
use crate::io::import_sync::Expect;
use crate::store::audit;
use crate::store::bulk::SetAside;
use crate::store::import::imports;
use crate::store::import::orders::{self as st, StoredOrder};
use crate::{Error, Result, clock, store};

/// Merchant codes and SKUs seen so far (found or not), so each is looked up once.
#[derive(Default)]
struct Products {
    merchants: HashMap<String, Option<i64>>,
    skus: HashMap<i64, HashMap<String, Option<i64>>>,
}

impl Products {
    fn resolve(
        &mut self,
        conn: &Connection,
        line: u64,
        code: &str,
        sku: &str,
    ) -> Result<std::result::Result<ProductRef, Problem>> {
        let merchant = match self.merchants.get(code) {
            Some(m) => *m,
            None => {
                let m = store::import::merchant_by_code(conn, code)?.map(|(id, _)| id);
                self.merchants.insert(code.to_string(), m);
                m
            }
        };
        let Some(merchant_id) = merchant else {
            return Ok(Err(Problem::new(
                line,
                "merchant_code",
                format!("no merchant has code {code:?}"),
            )));
        };
        let skus = self.skus.entry(merchant_id).or_default();
        let product = match skus.get(sku) {
            Some(p) => *p,
            None => {
                let p = store::import::product_by_sku(conn, merchant_id, sku)?;
                skus.insert(sku.to_string(), p);
                p
            }
        };
        Ok(match product {
            Some(product_id) => Ok(ProductRef {
                product_id,
                merchant_id,
            }),
            None => Err(Problem::new(
                line,
                "sku",
                format!("merchant {code} has no product with SKU {sku:?}"),
            )),
        })
    }
}

pub(super) fn run(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let expect = ctx
        .opts
        .expect_range
        .as_deref()
        .map(Expect::parse)
        .transpose()
        .map_err(Error::input)?;
    let tz = ctx.tz();
    // Rows added past these marks are this import's: their references are
    // checked before commit when the per-row checks are off.
    let marks = (!store::import::refs::enforced(tx)?)
        .then(|| store::import::refs::mark(tx, &store::import::refs::ORDER_IMPORT_TABLES))
        .transpose()?;
    let mut groups = Grouper::default();
    let mut products = Products::default();
    let mut phase = Phases::start();
    let size = std::fs::metadata(ctx.file).map(|m| m.len()).unwrap_or(0);
    let mut progress = Progress::to_stderr(size);
    // Which orders shopdesk has already. A shop with no orders has none of
    // them: no lookups, and its new orders are written as the file is read.
    let existing = store::import::order_count(tx)?;
    let mut early = (existing == 0).then(Early::default);
    // The file is read and parsed on a second thread while this one
    // resolves SKUs (which needs the transaction), groups lines and (into
    // an empty shop) writes the orders that are complete.
    let sha = std::thread::scope(|scope| -> Result<Option<[u8; 32]>> {
        let (send, recv) = std::sync::mpsc::sync_channel(4);
        let (file, read) = (ctx.file, ctx.opts.read);
        let reader = scope.spawn(move || import_orders::parse_file(file, read, tz, &send));
        for chunk in recv {
            let chunk = chunk?;
            progress.reading(out.report.rows, chunk.bytes);
            for p in chunk.rows {
                out.report.rows += 1;
                let (head, l) = match p.row {
                    Ok(row) => row,
                    Err(ps) => {
                        groups.add_bad(p.key, p.line, ps);
                        continue;
                    }
                };
                let belongs = match products.resolve(tx, l.line, &l.merchant_code, &l.sku)? {
                    Err(problem) => groups.add_unresolved(head, l.line, problem),
                    Ok(product) => {
                        let line = Line {
                            line: l.line,
                            sku: l.sku,
                            merchant_code: l.merchant_code,
                            product,
                            qty: l.qty,
                            unit_price: l.unit_price,
                            shipping: l.shipping,
                        };
                        match head {
                            Some(head) => {
                                groups.add(head, line);
                                true
                            }
                            None => groups.add_same(line),
                        }
                    }
                };
                if !belongs {
                    return Err(Error::Db(format!(
                        "{}:{}: a line without its order (import bug)",
                        ctx.name, p.line
                    )));
                }
            }
            // Every order but the last one started may take more rows only
            // when the file's lines of one order are apart (`settle`).
            if let Some(e) = early.as_mut().filter(|_| !groups.reopened) {
                let upto = groups.drafts.len().saturating_sub(1);
                e.write_upto(tx, ctx, &mut groups, upto)?;
            }
        }
        Ok(reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;
    let sha = sha.ok_or_else(|| Error::Db(format!("{}: the file was not read to its end", ctx.name)))?;
    let mut begun = None;
    if let Some(mut e) = early.take()
        && e.settle(tx, &groups)?
    {
        let n = groups.drafts.len();
        e.write_upto(tx, ctx, &mut groups, n)?;
        if let Some(b) = &e.begun {
            imports::set_sha256(tx, b.import_id, &sha)?;
        }
        begun = Some(e.begun);
    }
    phase.done(
        &mut out.report,
        if begun.is_some() {
            "read, parse (second thread), resolve SKUs, group, write"
        } else {
            "read, parse (second thread), resolve SKUs, group"
        },
    );
    for p in std::mem::take(&mut groups.loose) {
        out.reject(p.line, std::slice::from_ref(&p));
    }
    for d in &mut groups.drafts {
        if d.ok()
            && let Err(p) = totals(d)
        {
            d.problems.push(p);
        }
        if !d.ok() {
            reject_draft(d, out);
        }
    }
    out.report.records = groups.drafts.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        progress.clear();
        return Ok(());
    }

    // Which orders shopdesk has already (drafts never share a key, so
    // writing one cannot change another's answer).
    let mut stored_ids = Vec::with_capacity(groups.drafts.len());
    for d in &groups.drafts {
        let id = if d.ok() && existing > 0 {
            st::order_id(tx, &d.head.channel, &d.head.external_id)?
        } else {
            None
        };
        stored_ids.push(id);
    }
    let incoming = groups
        .drafts
        .iter()
        .zip(&stored_ids)
        .filter(|(d, id)| d.ok() && id.is_none())
        .count();
    phase.done(&mut out.report, "look up which orders exist");
    // Orders written as the file was read come with their record, the
    // indexes and triggers set aside, and the writer that holds them.
    let written_early = begun.is_some();
    let (import_id, aside, kpis_aside, mut w) = match begun {
        Some(Some(b)) => (Some(b.import_id), Some(b.aside), Some(b.kpis_aside), b.w),
        Some(None) => (None, None, None, Writer::start(tx, None)?),
        None => {
            let (id, aside, kpis) = prepare(tx, ctx, &sha, existing, incoming)?;
            (id, aside, kpis, Writer::start(tx, id)?)
        }
    };
    phase.done(&mut out.report, "import record, set indexes aside");
    let mut channels: BTreeMap<String, ChannelStats> = BTreeMap::new();
    for (i, (d, stored_id)) in groups.drafts.iter().zip(stored_ids).enumerate() {
        let cs = channels.entry(d.head.channel.clone()).or_default();
        cs.orders += 1;
        if !d.ok() {
            cs.rejected += 1;
            continue;
        }
        let at = Some(d.head.placed_at);
        cs.first = cs.first.min(at).or(at);
        cs.last = cs.last.max(at);
        match stored_id {
            Some(id) => {
                let stored = st::load_order(tx, id)?
                    .ok_or_else(|| Error::Db(format!("order {id} vanished during import")))?;
                let fields = diff(d, &stored);
                if fields.is_empty() {
                    out.report.present += 1;
                    cs.present += 1;
                } else {
                    cs.changed += 1;
                    out.report.changed.push(Changed {
                        label: d.head.label(),
                        fields,
                    });
                }
            }
            None => {
                if !written_early {
                    w.insert(tx, ctx, d, i)?;
                }
                out.report.new += 1;
                cs.new += 1;
                progress.writing(out.report.new, incoming);
            }
        }
    }
    w.finish(tx, ctx, &groups.drafts)?;
    progress.clear();
    phase.done(
        &mut out.report,
        "orders, lines, customers (compare the present ones)",
    );
    out.report.phases.push(super::Phase {
        name: "  of which stock reservations (wall)",
        wall: w.reserve_time,
        cpu: w.reserve_time,
    });
    // Before the sync report: its per-day counts read orders_placed.
    let bulk = aside.is_some();
    if let Some(aside) = aside {
        aside.restore(tx)?;
        phase.done(&mut out.report, "rebuild indexes and status counts");
    }
    if let Some(aside) = kpis_aside {
        w.write_rollups(tx, bulk)?;
        aside.restore(tx)?;
        phase.done(&mut out.report, "add the new orders to the KPI rollups");
    }
    if let Some(id) = import_id {
        record_import(tx, ctx, id, &sha, &w, out)?;
        phase.done(&mut out.report, "import record and its audit row");
    }
    if let Some(marks) = &marks {
        store::import::refs::dangling(tx, marks)?;
        phase.done(&mut out.report, "check the new rows' references");
    }
    if !w.held.is_empty() {
        out.report.notes.push(format!(
            "{} open orders imported on_hold (insufficient_stock), nothing reserved for them:",
            w.held.len()
        ));
        out.report.notes.extend(w.held.iter().map(|h| format!("  {h}")));
    }
    order_sync::report(tx, ctx, &groups.drafts, &channels, expect.as_ref(), out)?;
    phase.done(&mut out.report, "sync report");
    // The drafts and the writer's maps are about a million small
    // allocations: freed on another thread, they do not hold up the
    // commit (64 ms of 1.97 s for 200,000 lines). Without a thread they
    // are freed here.
    let free = move || drop((groups, products, w, channels));
    if let Err(e) = std::thread::Builder::new().name("import-free".into()).spawn(free) {
        tracing::debug!("import: freeing on this thread ({e})");
    }
    Ok(())
}

/// The import record and what is set aside before the first write (when
/// the orders were not written as the file was read): the record only
/// when the import creates orders.
fn prepare(
    tx: &Connection,
    ctx: &Ctx<'_>,
    sha: &[u8; 32],
    existing: i64,
    incoming: usize,
) -> Result<(Option<i64>, Option<SetAside>, Option<SetAside>)> {
    // The record the new orders name; an import that creates nothing
    // changes nothing and leaves no record.
    let import_id = if incoming > 0 {
        Some(imports::begin(
            tx,
            &imports::NewImport {
                kind: "orders",
                file_name: &file_name(ctx),
                file_sha256: sha,
                actor: &ctx.actor,
                at: &ctx.now_stamp,
            },
        )?)
    } else {
        None
    };
    let aside = if store::bulk::worth_rebuilding(existing, incoming) {
        Some(store::bulk::set_aside(
            tx,
            &["orders", "order_lines", "customers"],
            &[store::bulk::ORDER_COUNTS],
        )?)
    } else {
        None
    };
    // The KPI triggers are set aside for any import that creates orders:
    // the new orders are added to the rollups and their customers' chains
    // once, after the writes and the indexes.
    let kpis_aside = if incoming > 0 {
        Some(store::bulk::set_aside(tx, &[], &store::bulk::NEW_ORDER_KPIS)?)
    } else {
        None
    };
    Ok((import_id, aside, kpis_aside))
}

/// The file's name without its directory, as the import record keeps it.
pub(super) fn file_name(ctx: &Ctx<'_>) -> String {
    ctx.file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ctx.name.clone())
}

/// Fills in the import record and writes the import's one audit row: the
/// file, its SHA-256, the counts and the ids of the orders it created.
fn record_import(
    tx: &Connection,
    ctx: &Ctx<'_>,
    id: i64,
    sha: &[u8; 32],
    w: &Writer,
    out: &mut Outcome,
) -> Result<()> {
    let t = std::time::Instant::now();
    let counts = imports::Counts {
        lines: out.report.rows,
        orders_new: out.report.new,
        orders_present: out.report.present,
        orders_changed: out.report.changed.len(),
        rows_rejected: out.rejects.len(),
        first_order_id: w.first,
        last_order_id: w.last,
    };
    imports::finish(tx, id, &counts)?;
    let stored = imports::get(tx, id)?.ok_or_else(|| Error::Db(format!("import {id} vanished")))?;
    let after = serde_json::json!({
        "kind": "orders",
        "file": stored.file_name,
        "sha256": hex::encode(sha),
        "counts": counts,
    });
    audit::append(
        tx,
        &audit::Entry {
            at: &ctx.now_stamp,
            actor: &ctx.actor,
            entity: "import",
            entity_id: id,
            action: "import",
            before: None,
            after: Some(after),
        },
    )?;
    out.report.import_id = Some(id);
    out.report.audit_rows = 1;
    out.report.audit_time = t.elapsed();
    Ok(())
}

/// Lines count, items and money of a good order. Every amount stays within
/// the ceiling (`money::MAX_MINOR`, so no sum here can overflow): a line
/// past it, or the line that takes the order's items, shipping or total past
/// it, is the problem.
pub(super) fn totals(d: &Draft) -> std::result::Result<(i64, i64, i64), Problem> {
    use crate::domain::money::{MAX_MINOR, Money};
    let over = |what: String| {
        format!(
            "{what} is more than {}, the most an order may come to",
            Money::MAX.plain()
        )
    };
    let within = |v: Option<i64>| v.filter(|v| (0..=MAX_MINOR).contains(v));
    let (mut items, mut money, mut ship) = (0_i64, 0_i64, 0_i64);
    for l in &d.lines {
        items = items
            .checked_add(l.qty)
            .ok_or_else(|| Problem::new(l.line, "qty", "the order's quantities add up past any count"))?;
        let line = within(l.unit_price.checked_mul(l.qty)).ok_or_else(|| {
            Problem::new(
                l.line,
                "qty",
                over(format!("qty × unit_price ({} × {})", l.qty, Money(l.unit_price))),
            )
        })?;
        money = within(money.checked_add(line))
            .ok_or_else(|| Problem::new(l.line, "unit_price", over("the order's items".into())))?;
        ship = within(ship.checked_add(l.shipping))
            .ok_or_else(|| Problem::new(l.line, "shipping_fee", over("the order's shipping".into())))?;
        within(money.checked_add(ship)).ok_or_else(|| {
            Problem::new(
                l.line,
                "unit_price",
                over("the order's total (items and shipping)".into()),
            )
        })?;
    }
    Ok((items, money, ship))
}

/// Every line of a bad order goes to the reject file; its problems are listed.
fn reject_draft(d: &Draft, out: &mut Outcome) {
    let label = d.head.label();
    let bad_lines: Vec<String> = {
        let mut v: Vec<u64> = d.problems.iter().map(|p| p.line).collect();
        v.dedup();
        v.iter().map(u64::to_string).collect()
    };
    for &line in &d.file_lines {
        let own: Vec<Problem> = d.problems.iter().filter(|p| p.line == line).cloned().collect();
        if own.is_empty() {
            out.rejects.insert(
                line,
                format!(
                    "order {label} is rejected because of line {}",
                    bad_lines.join(", ")
                ),
            );
        } else {
            out.reject(line, &own);
        }
    }
}

/// The fields where the file's order differs from the stored one.
fn diff(d: &Draft, s: &StoredOrder) -> Vec<(String, String, String)> {
    let h = &d.head;
    let mut out = Vec::new();
    let mut cmp = |k: &str, file: String, db: String| {
        if file != db {
            out.push((k.to_string(), file, db));
        }
    };
    let t = |v: Option<chrono::DateTime<chrono::Utc>>| v.map(clock::stamp).unwrap_or_default();
    // An order held on import for lack of stock is still in its channel status.
    let held_same =
        s.status == OrderStatus::OnHold.as_str() && s.held_from.as_deref() == Some(h.status.as_str());
    if !held_same {
        cmp("status", h.status.to_string(), s.status.clone());
    }
    cmp("placed_at", clock::stamp(h.placed_at), s.placed_at.clone());
    cmp("customer_ref", h.customer_ref.clone(), s.customer_ref.clone());
    cmp("customer_name", h.customer_name.clone(), s.ship_name.clone());
    cmp("customer_phone", h.customer_phone.clone(), s.ship_phone.clone());
    cmp("ship_address", h.ship_address.clone(), s.ship_address.clone());
    cmp("ship_city", h.ship_city.clone(), s.ship_city.clone());
    cmp("paid_at", t(h.paid_at), s.paid_at.clone().unwrap_or_default());
    cmp(
        "shipped_at",
        t(h.shipped_at),
        s.shipped_at.clone().unwrap_or_default(),
    );
    cmp(
        "delivered_at",
        t(h.delivered_at),
        s.delivered_at.clone().unwrap_or_default(),
    );
    cmp(
        "promised_at",
        t(h.promised_at),
        s.promised_at.clone().unwrap_or_default(),
    );
    cmp(
        "carrier",
        h.carrier.clone().unwrap_or_default(),
        s.carrier.clone().unwrap_or_default(),
    );
    cmp(
        "tracking_no",
        h.tracking_no.clone().unwrap_or_default(),
        s.tracking_no.clone().unwrap_or_default(),
    );
    if d.lines.len() != s.lines.len() {
        cmp(
            "lines",
            format!("{} lines", d.lines.len()),
            format!("{} lines", s.lines.len()),
        );
    } else {
        let show = |code: &str, sku: &str, qty: i64, price: i64, ship: i64| {
            format!("{code}/{sku} x{qty} @{} shipping {}", Money(price), Money(ship))
        };
        for (i, (f, s)) in d.lines.iter().zip(&s.lines).enumerate() {
            let file = show(&f.merchant_code, &f.sku, f.qty, f.unit_price, f.shipping);
            let db = show(
                &s.merchant_code,
                &s.sku,
                s.qty,
                s.unit_price_minor,
                s.shipping_minor,
            );
            cmp(&format!("line {}", i + 1), file, db);
        }
    }
    out
}
