//! `import merchants` and `import products`.

use std::collections::HashMap;

use rusqlite::Connection;

use super::{Audit, Changed, Ctx, Outcome};
use crate::domain::merchant::MerchantStatus;
use crate::domain::money::{Money, format_bp};
use crate::domain::product::{self, DelistReason, ListingCheck, ProductStatus};
use crate::io::csv_in::{CsvIn, Problem};
use crate::io::import_merchants::{self, MerchantIn};
use crate::io::import_products::{self, ProductIn};
use crate::store::import::catalog::{self as st, MerchantExtra, MerchantRow, ProductRow};
use crate::store::stock;
use crate::{Result, clock, store};

fn changed_fields(pairs: &[(&str, String, String)]) -> Vec<(String, String, String)> {
    pairs
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(k, a, b)| (k.to_string(), a.clone(), b.clone()))
        .collect()
}

fn merchant_diff(m: &MerchantIn, s: &MerchantRow) -> Vec<(String, String, String)> {
    let f = &m.row;
    let rate = |bp: Option<i64>| bp.map(format_bp).unwrap_or_default();
    let mut pairs = vec![
        ("name", f.name.clone(), s.name.clone()),
        ("legal_name", f.legal_name.clone(), s.legal_name.clone()),
        ("contact_name", f.contact_name.clone(), s.contact_name.clone()),
        ("phone", f.phone.clone(), s.phone.clone()),
        ("email", f.email.clone(), s.email.clone()),
        ("address", f.address.clone(), s.address.clone()),
        ("city", f.city.clone(), s.city.clone()),
        ("license_no", f.license_no.clone(), s.license_no.clone()),
        ("tax_id", f.tax_id.clone(), s.tax_id.clone()),
        (
            "cooperation_mode",
            f.cooperation_mode.clone(),
            s.cooperation_mode.clone(),
        ),
        ("commission_rate", rate(f.commission_bp), rate(s.commission_bp)),
    ];
    if m.status_given {
        pairs.push(("status", f.status.clone(), s.status.clone()));
    }
    if m.applied_given {
        pairs.push(("applied_at", f.applied_at.clone(), s.applied_at.clone()));
    }
    changed_fields(&pairs)
}

pub(super) fn merchants(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let mut csv = CsvIn::open(ctx.file, import_merchants::COLUMNS, ctx.opts.read)?;
    let mut good: Vec<MerchantIn> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        match import_merchants::parse_row(&row, ctx.tz(), ctx.now) {
            Err(ps) => out.reject(row.line, &ps),
            Ok(m) => match seen.get(&m.row.code) {
                Some(first) => out.reject(
                    m.line,
                    &[Problem::new(
                        m.line,
                        "code",
                        format!("{:?} appears again (first on line {first})", m.row.code),
                    )],
                ),
                None => {
                    seen.insert(m.row.code.clone(), m.line);
                    good.push(m);
                }
            },
        }
    }
    out.report.records = seen.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    let mut audit = Audit::start(tx, ctx)?;
    let mut activated = 0;
    for m in &good {
        if let Some(stored) = st::merchant_by_code(tx, &m.row.code)? {
            let fields = merchant_diff(m, &stored);
            if fields.is_empty() {
                out.report.present += 1;
            } else {
                out.report.changed.push(Changed {
                    label: m.row.code.clone(),
                    fields,
                });
            }
            continue;
        }
        let was_active = import_merchants::was_activated(m.status);
        activated += usize::from(was_active);
        let due = import_merchants::awaits_review(m.status).then(|| {
            clock::stamp(
                ctx.calendar
                    .add_business_days(m.applied_at, ctx.settings.merchant_review_sla_days),
            )
        });
        let extra = MerchantExtra {
            status_reason: (m.status == MerchantStatus::Rejected).then_some("rejected before import"),
            deposit_paid: was_active,
            agreement_signed: was_active,
            review_due_at: due.as_deref(),
            now: &ctx.now_stamp,
        };
        let id = st::insert_merchant(tx, &m.row, &extra)?;
        audit.created(tx, "merchant", id, &m.row)?;
        out.report.new += 1;
    }
    audit.finish(tx)?;
    if activated > 0 {
        out.report.notes.push(format!(
            "{activated} merchants imported as active, suspended or terminated: recorded with deposit paid and agreement signed"
        ));
    }
    out.report.audit_rows = audit.rows;
    out.report.audit_time = audit.time;
    Ok(())
}

fn product_diff(p: &ProductIn, s: &ProductRow) -> Vec<(String, String, String)> {
    let f = &p.row;
    let mut pairs = vec![
        ("title", f.title.clone(), s.title.clone()),
        ("category", f.category.clone(), s.category.clone()),
        (
            "price",
            Money(f.price_minor).to_string(),
            Money(s.price_minor).to_string(),
        ),
        ("stock", f.stock.to_string(), s.stock.to_string()),
        (
            "low_stock_threshold",
            f.low_stock_threshold.to_string(),
            s.low_stock_threshold.to_string(),
        ),
        ("description", f.description.clone(), s.description.clone()),
    ];
    if p.status_given {
        pairs.push(("status", f.status.clone(), s.status.clone()));
    }
    // The master data columns count only where the file has them.
    if !f.model.is_empty() {
        pairs.push(("model", f.model.clone(), s.model.clone()));
    }
    if let Some(b) = &f.brand {
        pairs.push(("brand", b.clone(), s.brand.clone().unwrap_or_default()));
    }
    if f.branded {
        pairs.push((
            "branded",
            "yes".into(),
            if s.branded { "yes" } else { "no" }.into(),
        ));
    }
    if let Some(c) = f.cost_minor {
        let stored = s.cost_minor.map(|c| Money(c).to_string()).unwrap_or_default();
        pairs.push(("cost", Money(c).to_string(), stored));
    }
    if f.warranty_months > 0 {
        pairs.push((
            "warranty_months",
            f.warranty_months.to_string(),
            s.warranty_months.to_string(),
        ));
    }
    changed_fields(&pairs)
}

/// Category ids by path, creating missing levels.
#[derive(Default)]
struct Categories {
    ids: HashMap<String, i64>,
    created: usize,
}

impl Categories {
    fn id(&mut self, tx: &Connection, path: &str) -> Result<Option<i64>> {
        if path.is_empty() {
            return Ok(None);
        }
        if let Some(id) = self.ids.get(path) {
            return Ok(Some(*id));
        }
        let mut parent = None;
        let mut so_far = String::new();
        for level in path.split(" > ") {
            if !so_far.is_empty() {
                so_far.push_str(" > ");
            }
            so_far.push_str(level);
            let id = match self.ids.get(&so_far) {
                Some(id) => *id,
                None => {
                    let id = match st::category_by_path(tx, &so_far)? {
                        Some(id) => id,
                        None => {
                            self.created += 1;
                            st::insert_category(tx, parent, level, &so_far)?
                        }
                    };
                    self.ids.insert(so_far.clone(), id);
                    id
                }
            };
            parent = Some(id);
        }
        Ok(parent)
    }
}

pub(super) fn products(tx: &Connection, ctx: &Ctx<'_>, out: &mut Outcome) -> Result<()> {
    let mut csv = CsvIn::open(ctx.file, import_products::COLUMNS, ctx.opts.read)?;
    let mut merchants: HashMap<String, Option<(i64, String)>> = HashMap::new();
    let mut good: Vec<(i64, ProductIn)> = Vec::new();
    let mut seen: HashMap<(i64, String), u64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        out.report.rows += 1;
        if let Some(p) = row.problem() {
            out.reject(row.line, &[p]);
            continue;
        }
        let p = match import_products::parse_row(&row) {
            Ok(p) => p,
            Err(ps) => {
                out.reject(row.line, &ps);
                continue;
            }
        };
        let code = &p.row.merchant_code;
        if !merchants.contains_key(code) {
            merchants.insert(code.clone(), store::import::merchant_by_code(tx, code)?);
        }
        let Some(Some((merchant_id, merchant_status))) = merchants.get(code) else {
            let problem = Problem::new(p.line, "merchant_code", format!("no merchant has code {code:?}"));
            out.reject(p.line, &[problem]);
            continue;
        };
        if p.status == ProductStatus::Listed {
            let blockers = product::listing_blockers(&ListingCheck {
                title: &p.row.title,
                description: &p.row.description,
                price_minor: p.row.price_minor,
                has_category: !p.row.category.is_empty(),
                merchant_active: merchant_status == MerchantStatus::Active.as_str(),
                // The merchant's documents are not read here: a branded
                // product cannot arrive listed; it goes through review.
                branded: p.row.branded,
                brand_owned: false,
                brand_authorisation_verified: false,
            });
            if !blockers.is_empty() {
                let problem = Problem::new(
                    p.line,
                    "status",
                    format!("cannot be listed: {}; import it as draft", blockers.join(", ")),
                );
                out.reject(p.line, &[problem]);
                continue;
            }
        }
        let key = (*merchant_id, p.row.sku.clone());
        if let Some(first) = seen.get(&key) {
            let problem = Problem::new(
                p.line,
                "sku",
                format!("{code}/{} appears again (first on line {first})", p.row.sku),
            );
            out.reject(p.line, &[problem]);
            continue;
        }
        seen.insert(key, p.line);
        good.push((*merchant_id, p));
    }
    out.report.records = seen.len();
    if !out.problems.is_empty() && !ctx.opts.skip_invalid {
        return Ok(());
    }
    let mut audit = Audit::start(tx, ctx)?;
    let mut categories = Categories::default();
    for (merchant_id, p) in &good {
        if let Some(stored) = st::product_by_sku(tx, *merchant_id, &p.row.sku)? {
            let fields = product_diff(p, &stored);
            if fields.is_empty() {
                out.report.present += 1;
            } else {
                out.report.changed.push(Changed {
                    label: format!("{}/{}", p.row.merchant_code, p.row.sku),
                    fields,
                });
            }
            continue;
        }
        let category_id = categories.id(tx, &p.row.category)?;
        let delist = (p.status == ProductStatus::Delisted).then_some(DelistReason::Other.as_str());
        let id = st::insert_product(tx, *merchant_id, category_id, &p.row, delist, &ctx.now_stamp)?;
        let origin = ctx.stock_origin();
        stock::adjust_on_hand(tx, id, "receive", p.row.stock, &origin)?;
        audit.created(tx, "product", id, &p.row)?;
        out.report.new += 1;
    }
    audit.finish(tx)?;
    if categories.created > 0 {
        out.report
            .notes
            .push(format!("created {} categories", categories.created));
    }
    out.report.audit_rows = audit.rows;
    out.report.audit_time = audit.time;
    Ok(())
}
