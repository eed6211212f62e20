//! One row struct and one insert per table the seed writes. Fields are the
//! columns as stored (text timestamps, status spellings); ids are given by
//! the generator, so the file is the same for the same seed.

use rusqlite::params;

use super::Load;
use crate::Result;
/// An order line to write: the import's struct (the same columns).
pub use crate::store::import::orders::NewLine as OrderLine;

pub struct Staff<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub created_at: &'a str,
}

pub struct Holiday<'a> {
    pub date: &'a str,
    pub name: &'a str,
}

pub struct Category<'a> {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub path: &'a str,
    pub commission_bp: Option<i64>,
}

/// A product with its opening stock on hand (nothing reserved yet).
pub struct Product<'a> {
    pub id: i64,
    pub merchant_id: i64,
    pub category_id: Option<i64>,
    pub sku: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub spec: &'a str,
    pub origin: &'a str,
    pub brand: Option<&'a str>,
    pub price_minor: i64,
    pub stock_on_hand: i64,
    pub low_stock_threshold: i64,
    pub status: &'a str,
    pub delist_reason: Option<&'a str>,
    pub reject_reason: Option<&'a str>,
    pub list_at: Option<&'a str>,
    pub delist_at: Option<&'a str>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

pub struct StockMovement<'a> {
    pub product_id: i64,
    pub kind: &'a str,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub note: &'a str,
    pub actor: &'a str,
    pub created_at: &'a str,
}

pub struct Customer<'a> {
    pub id: i64,
    pub external_ref: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub created_at: &'a str,
}

pub struct Merchant<'a> {
    pub id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub legal_name: &'a str,
    pub contact_name: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub city: &'a str,
    pub license_no: &'a str,
    pub tax_id: &'a str,
    pub cooperation_mode: &'a str,
    pub requested_categories: &'a str,
    pub status: &'a str,
    pub status_reason: Option<&'a str>,
    pub commission_bp: Option<i64>,
    pub platform_fee_minor: i64,
    pub deposit_minor: i64,
    pub deposit_paid: bool,
    pub agreement_signed: bool,
    pub credit_score: i64,
    pub violation_points: i64,
    pub applied_at: &'a str,
    pub review_due_at: &'a str,
    pub decided_at: Option<&'a str>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

pub struct MerchantViolation<'a> {
    pub merchant_id: i64,
    pub kind: &'a str,
    pub severity: &'a str,
    pub points: i64,
    pub deduction_minor: i64,
    pub note: &'a str,
    pub created_at: &'a str,
    pub created_by: &'a str,
}

pub struct MerchantDocument<'a> {
    pub merchant_id: i64,
    pub kind: &'a str,
    pub number: &'a str,
    pub issuer: &'a str,
    pub expires_on: Option<&'a str>,
    pub check_status: &'a str,
    pub note: &'a str,
}

/// An order; `created_at` is its `placed_at`.
pub struct Order<'a> {
    pub id: i64,
    pub channel: &'a str,
    pub external_id: &'a str,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub status: &'a str,
    pub hold_reason: Option<&'a str>,
    pub held_from: Option<&'a str>,
    pub cancel_reason: Option<&'a str>,
    pub merged_into: Option<i64>,
    pub ship_name: &'a str,
    pub ship_phone: &'a str,
    pub ship_address: &'a str,
    pub ship_city: &'a str,
    pub line_count: i64,
    pub item_count: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub weight_g: Option<i64>,
    pub carrier: Option<&'a str>,
    pub tracking_no: Option<&'a str>,
    pub placed_at: &'a str,
    pub paid_at: Option<&'a str>,
    pub approved_at: Option<&'a str>,
    pub shipped_at: Option<&'a str>,
    pub delivered_at: Option<&'a str>,
    pub completed_at: Option<&'a str>,
    pub cancelled_at: Option<&'a str>,
    pub promised_at: &'a str,
    pub ship_by_at: Option<&'a str>,
    pub updated_at: &'a str,
}

pub struct Refund<'a> {
    pub order_id: i64,
    pub ticket_id: Option<i64>,
    pub amount_minor: i64,
    pub reason: &'a str,
    pub actor: &'a str,
    pub created_at: &'a str,
}

pub struct ShipmentEvent<'a> {
    pub order_id: i64,
    pub at: &'a str,
    pub status: &'a str,
    pub location: &'a str,
    pub note: &'a str,
}

pub struct Review<'a> {
    pub order_id: i64,
    pub score: i64,
    pub comment: &'a str,
    pub created_at: &'a str,
}

/// A ticket; `created_at` is its `opened_at`.
pub struct Ticket<'a> {
    pub id: i64,
    pub channel: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub order_id: i64,
    pub customer_id: i64,
    pub merchant_id: i64,
    pub kind: &'a str,
    pub status: &'a str,
    pub priority: &'a str,
    pub subject: &'a str,
    pub description: &'a str,
    pub quality_issue: bool,
    pub assignee_id: Option<i64>,
    pub opened_at: &'a str,
    pub audit_due_at: &'a str,
    pub approved_at: Option<&'a str>,
    pub resolve_due_at: Option<&'a str>,
    pub paused_since: Option<&'a str>,
    pub paused_secs: i64,
    pub resolved_at: Option<&'a str>,
    pub closed_at: Option<&'a str>,
    pub resolution: Option<&'a str>,
    pub refund_minor: i64,
    pub restock: bool,
    pub reject_reason: Option<&'a str>,
    /// Attitude, speed, resolution, overall.
    pub satisfaction: Option<(i64, i64, i64, i64)>,
    pub updated_at: &'a str,
}

pub struct TicketMessage<'a> {
    pub ticket_id: i64,
    pub author: &'a str,
    pub author_kind: &'a str,
    pub internal: bool,
    pub body: &'a str,
    pub created_at: &'a str,
}

impl Load<'_> {
    /// Inserts a staff member (no audit row: a seed) and returns its id.
    pub fn staff(&self, s: &Staff<'_>) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO staff (login, display_name, role, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
            )?
            .execute(params![s.login, s.display_name, s.role, s.created_at])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A date already listed is kept as it is.
    pub fn holiday(&self, h: &Holiday<'_>) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO holidays (date, name) VALUES (?1, ?2)")?
            .execute(params![h.date, h.name])?;
        Ok(())
    }

    pub fn category(&self, c: &Category<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO categories (id, parent_id, name, path, commission_bp) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![c.id, c.parent_id, c.name, c.path, c.commission_bp])?;
        Ok(())
    }

    pub fn product(&self, p: &Product<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO products (id, merchant_id, category_id, sku, title, description, spec, origin, brand,
                     price_minor, stock_on_hand, stock_reserved, low_stock_threshold, status, delist_reason, reject_reason,
                     list_at, delist_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                p.id,
                p.merchant_id,
                p.category_id,
                p.sku,
                p.title,
                p.description,
                p.spec,
                p.origin,
                p.brand,
                p.price_minor,
                p.stock_on_hand,
                p.low_stock_threshold,
                p.status,
                p.delist_reason,
                p.reject_reason,
                p.list_at,
                p.delist_at,
                p.created_at,
                p.updated_at,
            ])?;
        Ok(())
    }

    /// Sets a product's stock to what the later phases left (the ledger
    /// rows are written as they happen).
    pub fn product_stock(&self, id: i64, on_hand: i64, reserved: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE products SET stock_on_hand = ?2, stock_reserved = ?3 WHERE id = ?1")?
            .execute(params![id, on_hand, reserved])?;
        Ok(())
    }

    pub fn stock_movement(&self, m: &StockMovement<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, order_id, ticket_id,
                     note, actor, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                m.product_id,
                m.kind,
                m.on_hand_delta,
                m.reserved_delta,
                m.order_id,
                m.ticket_id,
                m.note,
                m.actor,
                m.created_at
            ])?;
        Ok(())
    }

    pub fn customer(&self, c: &Customer<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO customers (id, external_ref, name, phone, email, address, city, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                c.id,
                c.external_ref,
                c.name,
                c.phone,
                c.email,
                c.address,
                c.city,
                c.created_at
            ])?;
        Ok(())
    }

    pub fn merchant(&self, m: &Merchant<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchants (id, code, name, legal_name, contact_name, phone, email, address, city,
                     license_no, tax_id, cooperation_mode, requested_categories, status, status_reason, commission_bp,
                     platform_fee_minor, deposit_minor, deposit_paid, agreement_signed, credit_score, violation_points,
                     applied_at, review_due_at, decided_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?
            .execute(params![
                m.id,
                m.code,
                m.name,
                m.legal_name,
                m.contact_name,
                m.phone,
                m.email,
                m.address,
                m.city,
                m.license_no,
                m.tax_id,
                m.cooperation_mode,
                m.requested_categories,
                m.status,
                m.status_reason,
                m.commission_bp,
                m.platform_fee_minor,
                m.deposit_minor,
                m.deposit_paid,
                m.agreement_signed,
                m.credit_score,
                m.violation_points,
                m.applied_at,
                m.review_due_at,
                m.decided_at,
                m.created_at,
                m.updated_at,
            ])?;
        Ok(())
    }

    /// Sets a merchant's credit score once its history is written.
    pub fn merchant_credit(&self, id: i64, score: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE merchants SET credit_score = ?2 WHERE id = ?1")?
            .execute(params![id, score])?;
        Ok(())
    }

    pub fn merchant_violation(&self, v: &MerchantViolation<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchant_violations (merchant_id, kind, severity, points, deduction_minor, note,
                     created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                v.merchant_id,
                v.kind,
                v.severity,
                v.points,
                v.deduction_minor,
                v.note,
                v.created_at,
                v.created_by
            ])?;
        Ok(())
    }

    pub fn merchant_document(&self, d: &MerchantDocument<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchant_documents (merchant_id, kind, number, issuer, expires_on, check_status, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                d.merchant_id,
                d.kind,
                d.number,
                d.issuer,
                d.expires_on,
                d.check_status,
                d.note
            ])?;
        Ok(())
    }

    pub fn order(&self, o: &Order<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO orders (id, channel, external_id, customer_id, merchant_id, status, hold_reason, held_from,
                     cancel_reason, merged_into, ship_name, ship_phone, ship_address, ship_city, line_count, item_count,
                     items_minor, shipping_minor, weight_g, carrier, tracking_no, placed_at, paid_at, approved_at,
                     shipped_at, delivered_at, completed_at, cancelled_at, promised_at, ship_by_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                         ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?22, ?31)",
            )?
            .execute(params![
                o.id,
                o.channel,
                o.external_id,
                o.customer_id,
                o.merchant_id,
                o.status,
                o.hold_reason,
                o.held_from,
                o.cancel_reason,
                o.merged_into,
                o.ship_name,
                o.ship_phone,
                o.ship_address,
                o.ship_city,
                o.line_count,
                o.item_count,
                o.items_minor,
                o.shipping_minor,
                o.weight_g,
                o.carrier,
                o.tracking_no,
                o.placed_at,
                o.paid_at,
                o.approved_at,
                o.shipped_at,
                o.delivered_at,
                o.completed_at,
                o.cancelled_at,
                o.promised_at,
                o.ship_by_at,
                o.updated_at,
            ])?;
        Ok(())
    }

    /// An order whose completion moved because a ticket was open at it:
    /// completed at `completed_at`, or (none yet) delivered.
    pub fn order_completion(&self, order_id: i64, completed_at: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE orders SET status = CASE WHEN ?2 IS NULL THEN 'delivered' ELSE 'completed' END,
                     completed_at = ?2, updated_at = max(updated_at, coalesce(?2, updated_at))
                 WHERE id = ?1",
            )?
            .execute(params![order_id, completed_at])?;
        Ok(())
    }

    pub fn order_line(&self, order_id: i64, l: &OrderLine) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO order_lines (order_id, line_no, product_id, merchant_id, qty, unit_price_minor,
                     shipping_minor, reserved_qty)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                order_id,
                l.line_no,
                l.product_id,
                l.merchant_id,
                l.qty,
                l.unit_price_minor,
                l.shipping_minor,
                l.reserved_qty
            ])?;
        Ok(())
    }

    pub fn refund(&self, r: &Refund<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO refunds (order_id, ticket_id, amount_minor, reason, actor, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                r.order_id,
                r.ticket_id,
                r.amount_minor,
                r.reason,
                r.actor,
                r.created_at
            ])?;
        Ok(())
    }

    pub fn shipment_event(&self, e: &ShipmentEvent<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO shipment_events (order_id, at, status, location, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![e.order_id, e.at, e.status, e.location, e.note])?;
        Ok(())
    }

    pub fn review(&self, r: &Review<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO reviews (order_id, score, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![r.order_id, r.score, r.comment, r.created_at])?;
        Ok(())
    }

    pub fn ticket(&self, t: &Ticket<'_>) -> Result<()> {
        let sat = t.satisfaction;
        self.conn
            .prepare_cached(
                "INSERT INTO tickets (id, channel, external_id, order_id, customer_id, merchant_id, kind, status, priority,
                     subject, description, quality_issue, assignee_id, opened_at, audit_due_at, approved_at, resolve_due_at,
                     paused_since, paused_secs, resolved_at, closed_at, resolution, refund_minor, restock, reject_reason,
                     sat_attitude, sat_speed, sat_resolution, sat_overall, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?14, ?30)",
            )?
            .execute(params![
                t.id,
                t.channel,
                t.external_id,
                t.order_id,
                t.customer_id,
                t.merchant_id,
                t.kind,
                t.status,
                t.priority,
                t.subject,
                t.description,
                t.quality_issue,
                t.assignee_id,
                t.opened_at,
                t.audit_due_at,
                t.approved_at,
                t.resolve_due_at,
                t.paused_since,
                t.paused_secs,
                t.resolved_at,
                t.closed_at,
                t.resolution,
                t.refund_minor,
                t.restock,
                t.reject_reason,
                sat.map(|x| x.0),
                sat.map(|x| x.1),
                sat.map(|x| x.2),
                sat.map(|x| x.3),
                t.updated_at,
            ])?;
        Ok(())
    }

    pub fn ticket_message(&self, m: &TicketMessage<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO ticket_messages (ticket_id, author, author_kind, internal, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                m.ticket_id,
                m.author,
                m.author_kind,
                m.internal,
                m.body,
                m.created_at
            ])?;
        Ok(())
    }

    pub fn traffic(&self, date: &str, channel: &str, visits: i64) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO traffic_daily (date, channel, visits) VALUES (?1, ?2, ?3)")?
            .execute(params![date, channel, visits])?;
        Ok(())
    }
}
