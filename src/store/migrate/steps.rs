//! Every schema step, oldest first (`super::run` applies the ones a file
//! lacks, in one transaction).

use rusqlite::Connection;

use super::later::{to_v6, to_v7, to_v11, to_v13, to_v14, to_v15};
use super::{to_v3, to_v5, to_v20, v16, v17, v18, v19};
use crate::Result;

/// A step: what it drops, then the indexes it creates as schema.sql has
/// them (so a migrated file's schema matches a new file's to the byte).
pub(super) struct Step {
    /// The version the step produces.
    pub to: i64,
    pub drop: &'static [&'static str],
    /// Anything else, after the drops and before the indexes.
    pub change: Option<fn(&Connection) -> Result<()>>,
    /// Tables brought to schema.sql's shape: created when missing, rebuilt
    /// (rows copied by column name) when their definition differs, left
    /// alone when it already matches.
    pub tables: &'static [&'static str],
    /// Statements run after the tables (seed rows; each must be idempotent).
    pub then: &'static [&'static str],
    pub create_indexes: &'static [&'static str],
}

/// Oldest first. Every change to schema.sql bumps `SCHEMA_VERSION` and adds
/// a step here.
pub(super) const STEPS: &[Step] = &[
    // The exception queues read their own partial indexes alone: on hold by
    // reason, and open orders by placed time with their ship-by deadline
    // (late to ship).
    Step {
        to: 2,
        drop: &[
            "DROP INDEX IF EXISTS orders_ship_by;",
            "DROP INDEX IF EXISTS orders_hold;",
        ],
        tables: &[],
        then: &[],
        create_indexes: &["orders_hold", "orders_open"],
        change: None,
    },
    // An import audits itself once: the `imports` table, orders naming
    // their import, and audit hashes as 32-byte BLOBs without the UNIQUE
    // index (the chain walk catches duplicates).
    Step {
        to: 3,
        drop: &[],
        change: Some(to_v3),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Merchant review (issue 11): the organisation code certificate joins
    // the document kinds (merchant_documents rebuilt for its CHECK), the
    // required documents per cooperation mode as a setting, document scans,
    // the deposit and fee ledger, resubmissions, products hidden by a
    // suspension, and the notices outbox.
    Step {
        to: 4,
        change: None,
        drop: &[
            "DROP INDEX IF EXISTS merchant_documents_expiry;",
            "DROP INDEX IF EXISTS merchant_ledger_merchant;",
            "DROP INDEX IF EXISTS notices_unsent;",
            "DROP INDEX IF EXISTS notices_entity;",
        ],
        tables: &[
            "merchant_documents",
            "required_documents",
            "merchant_document_files",
            "merchant_ledger",
            "merchant_submissions",
            "merchant_hidden_products",
            "notices",
        ],
        then: &[
            "INSERT OR IGNORE INTO required_documents (cooperation_mode, kind)
                SELECT m.column1, k.column1
                FROM (VALUES ('direct'), ('agency'), ('joint')) m,
                     (VALUES ('business_licence'), ('tax_registration'), ('organisation_code'), ('legal_rep_id'),
                             ('trademark_certificate'), ('brand_authorisation'), ('quality_inspection_report'),
                             ('quality_system_certificate'), ('integrity_pledge')) k
                WHERE NOT (m.column1 = 'direct' AND k.column1 = 'brand_authorisation')
                  AND NOT EXISTS (SELECT 1 FROM required_documents);",
        ],
        create_indexes: &[
            "merchant_documents_expiry",
            "merchant_ledger_merchant",
            "notices_unsent",
            "notices_entity",
        ],
    },
    // The money ceiling (domain/money.rs MAX_MINOR) in the CHECKs of every
    // table that holds amounts (issue 9).
    Step {
        to: 5,
        drop: &[],
        change: Some(to_v5),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Product listing and inventory (issue 12): master data columns on
    // products (added in place, not a rebuild: other tables' foreign keys
    // and the FTS triggers name products), the delistings record with its
    // trigger, the sales figures and the inventory settings.
    Step {
        to: 6,
        drop: &[
            "DROP INDEX IF EXISTS product_delistings_at;",
            "DROP INDEX IF EXISTS product_stats_abc;",
            "DROP INDEX IF EXISTS products_list_at;",
            "DROP INDEX IF EXISTS products_delist_at;",
            "DROP INDEX IF EXISTS products_low;",
        ],
        change: Some(to_v6),
        tables: &["product_delistings", "product_stats", "inventory_settings"],
        then: &["INSERT OR IGNORE INTO inventory_settings (id) VALUES (1);"],
        create_indexes: &[
            "product_delistings_at",
            "product_stats_abc",
            "products_list_at",
            "products_delist_at",
            "products_low",
        ],
    },
    // The KPI rollups (issue 14): per UTC hour of placed_at, kept by
    // triggers from one view, filled once from the orders already there.
    Step {
        to: 7,
        drop: &[],
        change: Some(to_v7),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Claiming a review (issue 11): one claim per merchant, and the
    // setting after which another reviewer may take it over; the partial
    // index that tells an opening process whether any expiry is due.
    Step {
        to: 8,
        drop: &["DROP INDEX IF EXISTS merchant_documents_due;"],
        change: None,
        tables: &["merchant_claims", "merchant_review_settings"],
        then: &["INSERT OR IGNORE INTO merchant_review_settings (id) VALUES (1);"],
        create_indexes: &["merchant_documents_due"],
    },
    // Searches answered from indexes (issue 10 item 1): order number and
    // customer carry placed_at (matches read with their sort key, no table
    // reads), tickets by order, customer and subject with opened_at,
    // customers by the last four phone digits.
    Step {
        to: 9,
        drop: &[
            "DROP INDEX IF EXISTS orders_external;",
            "DROP INDEX IF EXISTS orders_customer;",
            "DROP INDEX IF EXISTS tickets_order;",
            "DROP INDEX IF EXISTS tickets_customer;",
            "DROP INDEX IF EXISTS tickets_subject;",
            "DROP INDEX IF EXISTS customers_phone_tail;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &[
            "orders_external",
            "orders_customer",
            "tickets_order",
            "tickets_customer",
            "tickets_subject",
            "customers_phone_tail",
        ],
    },
    // "Needs me" orderings (issue 10 item 12): orders by ship-by, tickets by
    // the SLA deadline that matters now, each with its queue's index.
    // (Dropped first: a file made from a new one, as tests do, has them.)
    Step {
        to: 10,
        drop: &[
            "DROP INDEX IF EXISTS orders_ship_due;",
            "DROP INDEX IF EXISTS orders_status_ship_due;",
            "DROP INDEX IF EXISTS orders_late;",
            "DROP INDEX IF EXISTS tickets_sla;",
            "DROP INDEX IF EXISTS tickets_status_sla;",
            "DROP INDEX IF EXISTS tickets_open_sla;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &[
            "orders_ship_due",
            "orders_status_ship_due",
            "orders_late",
            "tickets_sla",
            "tickets_status_sla",
            "tickets_open_sla",
        ],
    },
    // After-sales tickets (issue 13): the reason code, return shipping,
    // first response, the dispute's response and ruling, a refund waiting
    // for an owner (columns added where ALTER TABLE puts them), the
    // merchant's dispute response days (ticket_settings), the status log
    // the SLA clock is computed from, the reason taxonomy, and refunds capped at what was paid.
    Step {
        to: 11,
        drop: &[
            "DROP INDEX IF EXISTS tickets_respond_due;",
            "DROP INDEX IF EXISTS ticket_log_ticket;",
        ],
        change: Some(to_v11),
        tables: &["ticket_log", "ticket_reasons", "ticket_settings"],
        then: &["INSERT OR IGNORE INTO ticket_settings (id) VALUES (1);", "INSERT INTO ticket_reasons (code, parent, label)
                 SELECT column1, column2, column3 FROM (VALUES
                    ('quality', NULL, 'quality'), ('quality.damaged', 'quality', 'damaged in transit'),
                    ('quality.defective', 'quality', 'defective'), ('quality.wrong_item', 'quality', 'wrong item sent'),
                    ('logistics', NULL, 'logistics'), ('logistics.late', 'logistics', 'late'), ('logistics.lost', 'logistics', 'lost'),
                    ('description', NULL, 'description'), ('description.not_as_described', 'description', 'not as described'),
                    ('description.size', 'description', 'size or colour differs'),
                    ('service', NULL, 'service'), ('service.attitude', 'service', 'attitude'), ('service.slow', 'service', 'slow reply'),
                    ('price', NULL, 'price'), ('price.dropped', 'price', 'price dropped'), ('price.overcharged', 'price', 'overcharged'),
                    ('other', NULL, 'other'), ('other.no_reason', 'other', 'no reason (7-day return)'), ('other.changed_mind', 'other', 'changed mind'))
                 WHERE NOT EXISTS (SELECT 1 FROM ticket_reasons);"],
        create_indexes: &["tickets_respond_due", "ticket_log_ticket"],
    },
    // Resolved tickets close by themselves after the reopen window (SPEC
    // §4.7): the scheduled effect's index; the ticket queue chips "needs
    // me" and "unassigned" read open tickets by holder in SLA order.
    Step {
        to: 12,
        drop: &[
            "DROP INDEX IF EXISTS tickets_resolved;",
            "DROP INDEX IF EXISTS tickets_assignee_sla;",
            "DROP INDEX IF EXISTS tickets_waiting_sla;",
        ],
        change: None,
        tables: &[],
        then: &[],
        create_indexes: &["tickets_resolved", "tickets_assignee_sla", "tickets_waiting_sla"],
    },
    // The product sales rollup (issue 12): per product and UTC day, kept by
    // triggers on orders and lines, summed from the orders already there.
    Step {
        to: 13,
        drop: &[],
        change: Some(to_v13),
        tables: &[],
        then: &[],
        create_indexes: &[],
    },
    // Customer figures by day (issue 14): the paid-order chains counted per
    // (day placed, day of the previous ones), kept by triggers on the chains;
    // the KPI ticket figures read by index.
    Step {
        to: 14,
        drop: &[
            "DROP INDEX IF EXISTS tickets_kpi_opened;",
            "DROP INDEX IF EXISTS tickets_kpi_resolved;",
            "DROP INDEX IF EXISTS ticket_messages_first_reply;",
        ],
        change: Some(to_v14),
        tables: &[],
        then: &[],
        create_indexes: &[
            "tickets_kpi_opened",
            "tickets_kpi_resolved",
            "ticket_messages_first_reply",
        ],
    },
    // Two-character product title terms from an index (issue 10 item 1):
    // the title pairs table, its triggers, filled from every title. The
    // bad-record check by index (issue 11: a merchant's review detail).
    Step {
        to: 15,
        drop: &[
            "DROP INDEX IF EXISTS merchants_license;",
            "DROP INDEX IF EXISTS merchants_tax_id;",
            "DROP INDEX IF EXISTS merchant_documents_number;",
        ],
        change: Some(to_v15),
        tables: &[],
        then: &[],
        create_indexes: &["merchants_license", "merchants_tax_id", "merchant_documents_number"],
    },
    // Merchant settlement: statements, their lines and refund charges, the
    // audit log's `settlement` entity, the completed/delivered order indexes.
    Step {
        to: 16,
        drop: &[
            "DROP INDEX IF EXISTS orders_completed;",
            "DROP INDEX IF EXISTS orders_delivered;",
            "DROP INDEX IF EXISTS refunds_created;",
            "DROP INDEX IF EXISTS settlement_statements_period;",
            "DROP INDEX IF EXISTS settlement_lines_statement;",
            "DROP INDEX IF EXISTS settlement_charges_statement;",
        ],
        change: Some(v16::to_v16),
        tables: &[],
        then: &[],
        create_indexes: v16::INDEXES,
    },
    // Tickets search by order number from an index: each ticket's copy of
    // its order's number, and wider search indexes (issue 10).
    Step {
        to: 17,
        drop: v17::DROP,
        change: Some(v17::to_v17),
        tables: &[],
        then: &[],
        create_indexes: v17::INDEXES,
    },
    // The KPI top-list rollups (issue 14): product months, merchant and
    // category days and months, kept from the product sales rollup.
    Step {
        to: 18,
        drop: &["DROP INDEX IF EXISTS kpi_top_months_rank;"],
        change: Some(v18::to_v18),
        tables: &[],
        then: &[],
        create_indexes: v18::INDEXES,
    },
    // The ticket count rollups (issue 14): a period's ticket figures from
    // its hours, not one index entry per ticket; the customer index of the
    // paid-order chains holds their times; a day's products in GMV order.
    Step {
        to: 19,
        drop: &[
            "DROP INDEX IF EXISTS kpi_paid_orders_customer;",
            "DROP INDEX IF EXISTS product_sales_days_rank;",
        ],
        change: Some(v19::to_v19),
        tables: &[],
        then: &[],
        create_indexes: &["kpi_paid_orders_customer", "product_sales_days_rank"],
    },
    // The orders' and stock movements' CHECK lists and the open-order
    // indexes' WHERE as OR chains: the same values, an eighth less import
    // time.
    Step {
        to: 20,
        drop: &["DROP INDEX IF EXISTS orders_open;", "DROP INDEX IF EXISTS orders_late;"],
        change: Some(to_v20),
        tables: &[],
        then: &[],
        create_indexes: &["orders_open", "orders_late"],
    },
];
