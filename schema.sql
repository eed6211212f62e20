-- shopdesk schema, version 6 (store/migrate.rs brings older files here).
--
-- The database is the source of truth: every rule the code enforces is backed
-- here by a CHECK, FOREIGN KEY, UNIQUE or NOT NULL. Money is integer minor
-- units (fen/cents). Timestamps are UTC RFC 3339 text ("2026-11-22T06:35:58Z"),
-- which sorts correctly as text. Dates are "YYYY-MM-DD" in the shop's zone.
-- Every row people edit carries `version` for optimistic concurrency.
--
-- This file runs once on an empty database inside one transaction; the store
-- stamps PRAGMA application_id and user_version after it.

-- One row: the shop's settings.
CREATE TABLE settings (
    id                          INTEGER PRIMARY KEY CHECK (id = 1),
    shop_name                   TEXT    NOT NULL DEFAULT 'shopdesk',
    currency                    TEXT    NOT NULL DEFAULT 'CNY' CHECK (length(currency) = 3 AND currency = upper(currency)),
    timezone                    TEXT    NOT NULL DEFAULT 'Asia/Shanghai' CHECK (length(timezone) > 0),
    -- ISO weekday numbers, Monday = 1: "1,2,3,4,5".
    business_days               TEXT    NOT NULL DEFAULT '1,2,3,4,5',
    business_start              TEXT    NOT NULL DEFAULT '09:00' CHECK (business_start GLOB '[0-2][0-9]:[0-5][0-9]'),
    business_end                TEXT    NOT NULL DEFAULT '18:00' CHECK (business_end GLOB '[0-2][0-9]:[0-5][0-9]' AND business_end > business_start),
    merchant_review_sla_days    INTEGER NOT NULL DEFAULT 5  CHECK (merchant_review_sla_days > 0),
    ticket_audit_sla_days       INTEGER NOT NULL DEFAULT 1  CHECK (ticket_audit_sla_days > 0),
    ticket_resolve_sla_days     INTEGER NOT NULL DEFAULT 3  CHECK (ticket_resolve_sla_days > 0),
    return_window_days          INTEGER NOT NULL DEFAULT 7  CHECK (return_window_days >= 0),
    reopen_window_days          INTEGER NOT NULL DEFAULT 7  CHECK (reopen_window_days >= 0),
    ship_by_hours               INTEGER NOT NULL DEFAULT 48 CHECK (ship_by_hours > 0),
    doc_expiry_warn_days        INTEGER NOT NULL DEFAULT 30 CHECK (doc_expiry_warn_days >= 0),
    violation_suspend_points    INTEGER NOT NULL DEFAULT 12 CHECK (violation_suspend_points > 0),
    -- Commission in basis points (500 = 5.00 %).
    default_commission_bp       INTEGER NOT NULL DEFAULT 500 CHECK (default_commission_bp BETWEEN 0 AND 10000),
    refund_limit_support_minor  INTEGER NOT NULL DEFAULT 20000  CHECK (refund_limit_support_minor >= 0),
    refund_limit_operator_minor INTEGER NOT NULL DEFAULT 200000 CHECK (refund_limit_operator_minor >= 0),
    version                     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE holidays (
    date TEXT PRIMARY KEY CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    login        TEXT    NOT NULL UNIQUE CHECK (length(login) > 0),
    display_name TEXT    NOT NULL DEFAULT '',
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'operator', 'support', 'viewer')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0
);

-- Merchant onboarding (SPEC 4.1).
CREATE TABLE merchants (
    id                   INTEGER PRIMARY KEY,
    code                 TEXT    NOT NULL UNIQUE CHECK (length(code) > 0),
    name                 TEXT    NOT NULL CHECK (length(name) > 0),
    legal_name           TEXT    NOT NULL DEFAULT '',
    contact_name         TEXT    NOT NULL DEFAULT '',
    phone                TEXT    NOT NULL DEFAULT '',
    email                TEXT    NOT NULL DEFAULT '',
    address              TEXT    NOT NULL DEFAULT '',
    city                 TEXT    NOT NULL DEFAULT '',
    license_no           TEXT    NOT NULL DEFAULT '',
    tax_id               TEXT    NOT NULL DEFAULT '',
    cooperation_mode     TEXT    NOT NULL CHECK (cooperation_mode IN ('direct', 'agency', 'joint')),
    -- Comma-separated category paths the merchant asked to sell in.
    requested_categories TEXT    NOT NULL DEFAULT '',
    status               TEXT    NOT NULL DEFAULT 'submitted' CHECK (status IN
                         ('submitted', 'under_review', 'needs_changes', 'approved', 'rejected', 'active', 'suspended', 'terminated')),
    status_reason        TEXT,
    commission_bp        INTEGER CHECK (commission_bp BETWEEN 0 AND 10000),
    platform_fee_minor   INTEGER NOT NULL DEFAULT 0 CHECK (platform_fee_minor >= 0),
    deposit_minor        INTEGER NOT NULL DEFAULT 0 CHECK (deposit_minor >= 0),
    deposit_paid         INTEGER NOT NULL DEFAULT 0 CHECK (deposit_paid IN (0, 1)),
    agreement_signed     INTEGER NOT NULL DEFAULT 0 CHECK (agreement_signed IN (0, 1)),
    credit_score         INTEGER NOT NULL DEFAULT 80 CHECK (credit_score BETWEEN 0 AND 100),
    violation_points     INTEGER NOT NULL DEFAULT 0 CHECK (violation_points >= 0),
    applied_at           TEXT    NOT NULL,
    review_due_at        TEXT,
    decided_at           TEXT,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    version              INTEGER NOT NULL DEFAULT 0,
    CHECK (status <> 'rejected' OR length(coalesce(status_reason, '')) > 0),
    CHECK (status <> 'active' OR (deposit_paid = 1 AND agreement_signed = 1))
);
CREATE INDEX merchants_status_due ON merchants (status, review_due_at);
CREATE INDEX merchants_due ON merchants (review_due_at);
CREATE INDEX merchants_name ON merchants (name);
-- The bad-record check (an applicant sharing a licence number, tax id or
-- legal representative id with a rejected or terminated merchant) looks
-- each one up instead of reading every merchant and document.
CREATE INDEX merchants_license ON merchants (license_no);
CREATE INDEX merchants_tax_id ON merchants (tax_id);

CREATE TABLE merchant_documents (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('business_licence', 'tax_registration', 'organisation_code',
                 'legal_rep_id', 'trademark_certificate', 'brand_authorisation', 'quality_inspection_report',
                 'quality_system_certificate', 'integrity_pledge')),
    number       TEXT    NOT NULL DEFAULT '',
    issuer       TEXT    NOT NULL DEFAULT '',
    expires_on   TEXT,
    check_status TEXT    NOT NULL DEFAULT 'pending' CHECK (check_status IN ('pending', 'verified', 'rejected', 'expired')),
    note         TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (merchant_id, kind)
);
CREATE INDEX merchant_documents_expiry ON merchant_documents (expires_on);
CREATE INDEX merchant_documents_number ON merchant_documents (kind, number);
-- What the expiry effect has still to do (SPEC 4.7): a process opening the
-- file asks it once, so the answer costs nothing when nothing is due.
CREATE INDEX merchant_documents_due ON merchant_documents (expires_on) WHERE check_status <> 'expired';

CREATE TABLE merchant_violations (
    id              INTEGER PRIMARY KEY,
    merchant_id     INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (length(kind) > 0),
    severity        TEXT    NOT NULL CHECK (severity IN ('minor', 'major', 'severe')),
    points          INTEGER NOT NULL CHECK (points >= 0),
    deduction_minor INTEGER NOT NULL DEFAULT 0 CHECK (deduction_minor >= 0),
    note            TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL
);
CREATE INDEX merchant_violations_merchant ON merchant_violations (merchant_id);

-- Which documents each cooperation mode must have verified before approval
-- (a setting; the default is the recruitment handbook's list, SPEC 4.1).
CREATE TABLE required_documents (
    cooperation_mode TEXT NOT NULL CHECK (cooperation_mode IN ('direct', 'agency', 'joint')),
    kind             TEXT NOT NULL CHECK (kind IN ('business_licence', 'tax_registration', 'organisation_code',
                     'legal_rep_id', 'trademark_certificate', 'brand_authorisation', 'quality_inspection_report',
                     'quality_system_certificate', 'integrity_pledge')),
    PRIMARY KEY (cooperation_mode, kind)
) WITHOUT ROWID;
INSERT INTO required_documents (cooperation_mode, kind)
    SELECT m.column1, k.column1
    FROM (VALUES ('direct'), ('agency'), ('joint')) m,
         (VALUES ('business_licence'), ('tax_registration'), ('organisation_code'), ('legal_rep_id'),
                 ('trademark_certificate'), ('brand_authorisation'), ('quality_inspection_report'),
                 ('quality_system_certificate'), ('integrity_pledge')) k
    WHERE NOT (m.column1 = 'direct' AND k.column1 = 'brand_authorisation');

-- A document's scan, kept in the database (at most 20 MB).
CREATE TABLE merchant_document_files (
    document_id INTEGER PRIMARY KEY REFERENCES merchant_documents (id) ON DELETE CASCADE,
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL CHECK (size_bytes BETWEEN 0 AND 20971520),
    sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
    added_at    TEXT    NOT NULL,
    added_by    TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    CHECK (length(content) = size_bytes)
);

-- Money between a merchant and the platform: the deposit is a ledger whose
-- balance is the sum of its entries (pay and top_up in, deduction and
-- refund out); the platform fee's payments are entries of account 'fee'.
CREATE TABLE merchant_ledger (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id),
    account      TEXT    NOT NULL CHECK (account IN ('deposit', 'fee')),
    kind         TEXT    NOT NULL CHECK (kind IN ('pay', 'top_up', 'deduction', 'refund')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    violation_id INTEGER REFERENCES merchant_violations (id),
    note         TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    CHECK ((kind IN ('pay', 'top_up')) = (amount_minor > 0)),
    CHECK (account = 'deposit' OR kind = 'pay')
);
CREATE INDEX merchant_ledger_merchant ON merchant_ledger (merchant_id, account);

-- The rounds of an application: round 1 is recorded when changes are first
-- requested (what the reviewer saw), round 2 is the first resubmission, ...
-- `snapshot` is the fields and documents as JSON, so a review shows what
-- changed since the last round.
CREATE TABLE merchant_submissions (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id),
    round        INTEGER NOT NULL CHECK (round >= 1),
    -- The needs-changes feedback given on this round.
    feedback     TEXT    NOT NULL DEFAULT '',
    snapshot     TEXT    NOT NULL CHECK (json_valid(snapshot)),
    submitted_at TEXT    NOT NULL,
    submitted_by TEXT    NOT NULL,
    UNIQUE (merchant_id, round)
);

-- Listed products hidden because their merchant was suspended; reinstating
-- lists them again.
CREATE TABLE merchant_hidden_products (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    PRIMARY KEY (merchant_id, product_id)
) WITHOUT ROWID;

-- The outbox (SPEC 4.8): messages to merchants and customers, sent only by
-- `notices send --via CMD` (or marked sent by hand).
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    entity     TEXT    NOT NULL CHECK (entity IN ('merchant', 'order', 'ticket')),
    entity_id  INTEGER NOT NULL,
    recipient  TEXT    NOT NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('email', 'sms')),
    subject    TEXT    NOT NULL CHECK (length(subject) > 0),
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT,
    sent_by    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT
);
CREATE INDEX notices_unsent ON notices (id) WHERE sent_at IS NULL;
CREATE INDEX notices_entity ON notices (entity, entity_id);

-- Category tree; `path` ("Home > Kitchen") is the unique, human name.
CREATE TABLE categories (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES categories (id),
    name          TEXT    NOT NULL CHECK (length(name) > 0),
    path          TEXT    NOT NULL UNIQUE,
    commission_bp INTEGER CHECK (commission_bp BETWEEN 0 AND 10000),
    version       INTEGER NOT NULL DEFAULT 0,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX categories_parent ON categories (parent_id);

-- Product listing (SPEC 4.2).
CREATE TABLE products (
    id                  INTEGER PRIMARY KEY,
    merchant_id         INTEGER NOT NULL REFERENCES merchants (id),
    category_id         INTEGER REFERENCES categories (id),
    sku                 TEXT    NOT NULL CHECK (length(sku) > 0),
    title               TEXT    NOT NULL DEFAULT '',
    description         TEXT    NOT NULL DEFAULT '',
    spec                TEXT    NOT NULL DEFAULT '',
    origin              TEXT    NOT NULL DEFAULT '',
    brand               TEXT,
    price_minor         INTEGER NOT NULL DEFAULT 0 CHECK (price_minor BETWEEN 0 AND 10000000000),
    stock_on_hand       INTEGER NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    stock_reserved      INTEGER NOT NULL DEFAULT 0 CHECK (stock_reserved >= 0),
    low_stock_threshold INTEGER NOT NULL DEFAULT 0 CHECK (low_stock_threshold >= 0),
    status              TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending_review', 'listed', 'rejected', 'delisted')),
    delist_reason       TEXT    CHECK (delist_reason IN ('out_of_stock', 'seasonal', 'violation', 'merchant_request', 'replaced', 'other')),
    reject_reason       TEXT,
    list_at             TEXT,
    delist_at           TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 0, model TEXT NOT NULL DEFAULT '', branded INTEGER NOT NULL DEFAULT 0 CHECK (branded IN (0, 1)), cost_minor INTEGER CHECK (cost_minor BETWEEN 0 AND 10000000000), warranty_months INTEGER NOT NULL DEFAULT 0 CHECK (warranty_months BETWEEN 0 AND 1200), after_sales TEXT NOT NULL DEFAULT '7-day no-reason return', approved_at TEXT,
    UNIQUE (merchant_id, sku),
    -- Never oversold: available = on_hand - reserved is never negative.
    CHECK (stock_reserved <= stock_on_hand),
    CHECK (status <> 'delisted' OR delist_reason IS NOT NULL),
    CHECK (status <> 'listed' OR price_minor > 0)
);
CREATE INDEX products_status ON products (status);
CREATE INDEX products_merchant ON products (merchant_id);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_sku ON products (sku);
CREATE INDEX products_title ON products (title);
-- Scheduled listings and delistings, for the scheduled effects; the low
-- stock queue (available at or under the warning line, not delisted or
-- rejected: the restock list) by id, for its chip. Queries repeat its
-- condition word for word, with a constant on the right: SQLite does not
-- use a partial index whose condition compares two columns.
CREATE INDEX products_list_at ON products (list_at) WHERE list_at IS NOT NULL;
CREATE INDEX products_delist_at ON products (delist_at) WHERE delist_at IS NOT NULL;
CREATE INDEX products_low ON products (id) WHERE stock_on_hand - stock_reserved - low_stock_threshold <= 0 AND status NOT IN ('delisted', 'rejected');

-- Substring search over SKU, title and description that works for CJK text.
-- Trigram needs 3+ characters per term; two-character terms use
-- products_bigrams below, one-character terms fall back to LIKE.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    sku, title, description,
    content = 'products', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, sku, title, description) VALUES (new.id, new.sku, new.title, new.description);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, sku, title, description) VALUES ('delete', old.id, old.sku, old.title, old.description);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF sku, title, description ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, sku, title, description) VALUES ('delete', old.id, old.sku, old.title, old.description);
    INSERT INTO products_fts (rowid, sku, title, description) VALUES (new.id, new.sku, new.title, new.description);
END;

-- Two-character title terms (耳机, 5G), which the trigram index cannot
-- answer: every pair of adjacent title characters, lower-cased as LIKE folds
-- (ASCII only), pairs with a space left out (a term never holds one), with
-- the product. A term is one primary-key range; the triggers delete by the
-- old title's pairs, so no second index. Kept by the triggers below, built
-- in one pass by migration 12 and after a demo load (store::bulk
-- PRODUCT_BIGRAMS). No foreign key: like products_fts it is derived, and a
-- key would make every product delete scan it; `check` compares it.
CREATE TABLE products_bigrams (
    bigram     TEXT    NOT NULL,
    product_id INTEGER NOT NULL,
    PRIMARY KEY (bigram, product_id)
) WITHOUT ROWID;
CREATE TRIGGER products_bigrams_ai AFTER INSERT ON products BEGIN
    INSERT OR IGNORE INTO products_bigrams (bigram, product_id)
    SELECT b, new.id FROM (
        WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(new.title) - 1)
        SELECT lower(substr(new.title, n, 2)) AS b FROM i)
    WHERE length(b) = 2 AND instr(b, ' ') = 0;
END;
CREATE TRIGGER products_bigrams_ad AFTER DELETE ON products BEGIN
    DELETE FROM products_bigrams WHERE product_id = old.id AND bigram IN (
        WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(old.title) - 1)
        SELECT lower(substr(old.title, n, 2)) FROM i);
END;
CREATE TRIGGER products_bigrams_au AFTER UPDATE OF title ON products BEGIN
    DELETE FROM products_bigrams WHERE product_id = old.id AND bigram IN (
        WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(old.title) - 1)
        SELECT lower(substr(old.title, n, 2)) FROM i);
    INSERT OR IGNORE INTO products_bigrams (bigram, product_id)
    SELECT b, new.id FROM (
        WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(new.title) - 1)
        SELECT lower(substr(new.title, n, 2)) AS b FROM i)
    WHERE length(b) = 2 AND instr(b, ' ') = 0;
END;

-- The inventory ledger: for every product, stock_on_hand = SUM(on_hand_delta)
-- and stock_reserved = SUM(reserved_delta). `shopdesk check` verifies it.
CREATE TABLE stock_movements (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products (id),
    -- An OR chain, as in orders (schema 20): an import writes a row per reserved line.
    kind           TEXT    NOT NULL CHECK (kind = 'receive' OR kind = 'reserve' OR kind = 'release' OR kind = 'ship'
                   OR kind = 'return' OR kind = 'adjust'),
    on_hand_delta  INTEGER NOT NULL DEFAULT 0,
    reserved_delta INTEGER NOT NULL DEFAULT 0,
    order_id       INTEGER REFERENCES orders (id),
    ticket_id      INTEGER REFERENCES tickets (id),
    note           TEXT    NOT NULL DEFAULT '',
    actor          TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    CHECK (on_hand_delta <> 0 OR reserved_delta <> 0)
);
CREATE INDEX stock_movements_product ON stock_movements (product_id, id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);

-- Every time a product leaves sale (by a verb, a schedule, a merchant's
-- suspension or termination), with its reason and category then: the
-- delist report reads this, and the trigger makes it hold for every path.
CREATE TABLE product_delistings (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    category_id INTEGER REFERENCES categories (id),
    reason      TEXT    NOT NULL CHECK (reason IN ('out_of_stock', 'seasonal', 'violation', 'merchant_request', 'replaced', 'other')),
    at          TEXT    NOT NULL
);
CREATE INDEX product_delistings_at ON product_delistings (at);
CREATE TRIGGER products_delisted AFTER UPDATE OF status ON products
WHEN new.status = 'delisted' AND old.status <> 'delisted' BEGIN
    INSERT INTO product_delistings (product_id, merchant_id, category_id, reason, at)
    VALUES (new.id, new.merchant_id, new.category_id, coalesce(new.delist_reason, 'other'), new.updated_at);
END;

-- Sales figures per product over rolling windows (ABC class, slow movers,
-- turnover, restock), recomputed by the scheduled effects when older than
-- an hour so that no screen key waits on a scan of the order lines.
CREATE TABLE product_stats (
    product_id   INTEGER PRIMARY KEY REFERENCES products (id),
    units_30d    INTEGER NOT NULL DEFAULT 0 CHECK (units_30d >= 0),
    units_90d    INTEGER NOT NULL DEFAULT 0 CHECK (units_90d >= 0),
    revenue_90d  INTEGER NOT NULL DEFAULT 0,
    avg_on_hand  REAL    NOT NULL DEFAULT 0,
    last_sold_at TEXT,
    abc          TEXT    NOT NULL DEFAULT 'C' CHECK (abc IN ('A', 'B', 'C'))
);
CREATE INDEX product_stats_abc ON product_stats (abc, product_id);

-- One row: the inventory settings and when the stats were last computed.
CREATE TABLE inventory_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    restock_lead_days INTEGER NOT NULL DEFAULT 7 CHECK (restock_lead_days BETWEEN 1 AND 365),
    stats_at          TEXT,
    -- Products per ABC class as of stats_at (the chips read these, not a count).
    abc_a             INTEGER NOT NULL DEFAULT 0,
    abc_b             INTEGER NOT NULL DEFAULT 0,
    abc_c             INTEGER NOT NULL DEFAULT 0
);
INSERT INTO inventory_settings (id) VALUES (1);

CREATE TABLE customers (
    id           INTEGER PRIMARY KEY,
    external_ref TEXT    NOT NULL UNIQUE CHECK (length(external_ref) > 0),
    name         TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    address      TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customers_name ON customers (name);
-- A search by the last digits of a phone number ("5678") reads this index.
CREATE INDEX customers_phone_tail ON customers (substr(phone, -4));

-- One row per `import orders` that wrote orders: the file (its name and
-- SHA-256), who ran it, what it held, and the id range of the orders it
-- created. Each such order names its import (orders.import_id); the import's
-- one audit row (entity 'import') stands for all of them.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL CHECK (kind IN ('orders')),
    file_name      TEXT    NOT NULL CHECK (length(file_name) > 0),
    file_sha256    BLOB    NOT NULL CHECK (length(file_sha256) = 32),
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    lines          INTEGER NOT NULL DEFAULT 0 CHECK (lines >= 0),
    orders_new     INTEGER NOT NULL DEFAULT 0 CHECK (orders_new >= 0),
    orders_present INTEGER NOT NULL DEFAULT 0 CHECK (orders_present >= 0),
    orders_changed INTEGER NOT NULL DEFAULT 0 CHECK (orders_changed >= 0),
    rows_rejected  INTEGER NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    first_order_id INTEGER,
    last_order_id  INTEGER,
    CHECK ((first_order_id IS NULL) = (orders_new = 0)),
    CHECK (last_order_id IS NULL OR last_order_id - first_order_id + 1 = orders_new)
);

-- Order handling (SPEC 4.3).
-- import_id sits on version's line because that is where ALTER TABLE ADD
-- COLUMN puts it (store/migrate.rs, schema 3): a migrated file's schema must
-- match a new file's to the byte.
CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    channel        TEXT    NOT NULL CHECK (length(channel) > 0),
    external_id    TEXT    NOT NULL CHECK (length(external_id) > 0),
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    -- The merchant of the first line (lists and merge); lines name their own.
    merchant_id    INTEGER NOT NULL REFERENCES merchants (id),
    -- OR chains, not IN lists, in this table's CHECKs (schema 20): SQLite
    -- tests a value against an IN list of three or more constants through
    -- a temporary index, per row written; a chain is a few compares. They
    -- were a tenth of an orders import (docs/PERFORMANCE.md "Import").
    status         TEXT    NOT NULL CHECK (status = 'pending_payment' OR status = 'paid' OR status = 'approved'
                   OR status = 'picking' OR status = 'packed' OR status = 'shipped' OR status = 'delivered'
                   OR status = 'completed' OR status = 'on_hold' OR status = 'cancelled' OR status = 'merged'),
    hold_reason    TEXT    CHECK (hold_reason = 'insufficient_stock' OR hold_reason = 'address_problem'
                   OR hold_reason = 'risk_review' OR hold_reason = 'customer_request' OR hold_reason = 'other'),
    -- The state an on_hold order returns to when released.
    held_from      TEXT    CHECK (held_from = 'pending_payment' OR held_from = 'paid' OR held_from = 'approved'
                   OR held_from = 'picking' OR held_from = 'packed'),
    cancel_reason  TEXT,
    merged_into    INTEGER REFERENCES orders (id),
    ship_name      TEXT    NOT NULL DEFAULT '',
    ship_phone     TEXT    NOT NULL DEFAULT '',
    ship_address   TEXT    NOT NULL DEFAULT '',
    ship_city      TEXT    NOT NULL DEFAULT '',
    line_count     INTEGER NOT NULL DEFAULT 0 CHECK (line_count >= 0),
    item_count     INTEGER NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    items_minor    INTEGER NOT NULL DEFAULT 0 CHECK (items_minor BETWEEN 0 AND 10000000000),
    shipping_minor INTEGER NOT NULL DEFAULT 0 CHECK (shipping_minor BETWEEN 0 AND 10000000000),
    weight_g       INTEGER CHECK (weight_g > 0),
    carrier        TEXT,
    tracking_no    TEXT,
    placed_at      TEXT    NOT NULL,
    paid_at        TEXT,
    approved_at    TEXT,
    shipped_at     TEXT,
    delivered_at   TEXT,
    completed_at   TEXT,
    cancelled_at   TEXT,
    promised_at    TEXT,
    ship_by_at     TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0, import_id INTEGER REFERENCES imports (id),
    UNIQUE (channel, external_id),
    CHECK ((status = 'on_hold') = (hold_reason IS NOT NULL AND held_from IS NOT NULL)),
    CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    CHECK (merged_into IS NULL OR merged_into <> id),
    CHECK (status <> 'cancelled' OR length(coalesce(cancel_reason, '')) > 0),
    CHECK (NOT (status = 'shipped' OR status = 'delivered' OR status = 'completed')
           OR (carrier IS NOT NULL AND tracking_no IS NOT NULL)),
    -- The money ceiling (domain/money.rs MAX_MINOR) holds for the total too.
    CHECK (items_minor + shipping_minor <= 10000000000)
);
CREATE INDEX orders_placed ON orders (placed_at);
CREATE INDEX orders_status_placed ON orders (status, placed_at);
-- Both carry placed_at so a search by order number or customer reads its
-- matches with their sort key from the index alone (store/lists/orders.rs).
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_merchant ON orders (merchant_id);
CREATE INDEX orders_external ON orders (external_id, placed_at);
-- The exception queues (store/lists/order_queues.rs) read these partial
-- indexes alone: open orders for late to ship, held orders by reason. Their
-- WHERE must match the queries word for word, or SQLite cannot use them;
-- OR chains, not IN lists, as in the table's CHECKs (schema 20).
CREATE INDEX orders_open ON orders (placed_at, ship_by_at)
    WHERE status = 'pending_payment' OR status = 'paid' OR status = 'approved' OR status = 'picking'
          OR status = 'packed' OR status = 'on_hold';
CREATE INDEX orders_hold ON orders (hold_reason, placed_at) WHERE status = 'on_hold';
-- "Needs me": orders by ship-by, the latest first (store/lists/orders.rs
-- SORT_KEYS); late to ship walks the open orders alone.
CREATE INDEX orders_ship_due ON orders (ship_by_at);
CREATE INDEX orders_status_ship_due ON orders (status, ship_by_at);
CREATE INDEX orders_late ON orders (ship_by_at)
    WHERE status = 'pending_payment' OR status = 'paid' OR status = 'approved' OR status = 'picking'
          OR status = 'packed' OR status = 'on_hold';
-- Settlement takes the orders completed in a period; the scheduled
-- completion walks delivered orders by delivery time (docs/settlement.md).
CREATE INDEX orders_completed ON orders (completed_at, status) WHERE status = 'completed';
CREATE INDEX orders_delivered ON orders (delivered_at) WHERE status = 'delivered';

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL CHECK (line_no > 0),
    product_id       INTEGER NOT NULL REFERENCES products (id),
    merchant_id      INTEGER NOT NULL REFERENCES merchants (id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor BETWEEN 0 AND 10000000000),
    shipping_minor   INTEGER NOT NULL DEFAULT 0 CHECK (shipping_minor BETWEEN 0 AND 10000000000),
    -- Units of this line currently held in products.stock_reserved.
    reserved_qty     INTEGER NOT NULL DEFAULT 0 CHECK (reserved_qty BETWEEN 0 AND qty),
    UNIQUE (order_id, line_no),
    CHECK (qty * unit_price_minor <= 10000000000)
);
CREATE INDEX order_lines_product ON order_lines (product_id);
CREATE INDEX order_lines_merchant ON order_lines (merchant_id);

-- Product sales rollup (issue 12): each product's units and revenue of
-- paid orders (not cancelled or merged away) per UTC day of placed_at,
-- with the last sale that day; kept by the product_sales_* triggers in the
-- transaction of every order and line write, so the 30/90-day figures
-- (ABC, slow movers, turnover) are sums of at most 90 rows per product
-- instead of a scan of the order lines. `check` recomputes it.
CREATE VIEW product_sale_facts AS
SELECT l.id AS line_id, l.order_id, l.product_id, substr(o.placed_at, 1, 10) AS day, o.placed_at,
       l.qty AS units, l.qty * l.unit_price_minor AS revenue_minor
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'merged');
CREATE TABLE product_sales_days (
    product_id    INTEGER NOT NULL,
    day           TEXT    NOT NULL,
    units         INTEGER NOT NULL CHECK (units >= 0),
    revenue_minor INTEGER NOT NULL CHECK (revenue_minor >= 0),
    last_at       TEXT,
    PRIMARY KEY (product_id, day)
) WITHOUT ROWID;
-- A day's products in GMV order (schema 19): the KPI top products of a
-- short period read its days' lists (store/kpi_tops.rs).
CREATE INDEX product_sales_days_rank ON product_sales_days (day, revenue_minor DESC, product_id);
CREATE TRIGGER product_sales_line_ai AFTER INSERT ON order_lines BEGIN
    INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)
    SELECT product_id, day, units, revenue_minor, placed_at FROM product_sale_facts WHERE line_id = new.id
    ON CONFLICT (product_id, day) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor, last_at = max(last_at, excluded.last_at);
END;
CREATE TRIGGER product_sales_line_bd BEFORE DELETE ON order_lines BEGIN
    UPDATE product_sales_days SET units = product_sales_days.units - f.units,
        revenue_minor = product_sales_days.revenue_minor - f.revenue_minor,
        last_at = (SELECT max(x.placed_at) FROM product_sale_facts x
                   WHERE x.product_id = f.product_id AND x.day = f.day AND x.line_id <> old.id)
    FROM (SELECT product_id, day, units, revenue_minor FROM product_sale_facts WHERE line_id = old.id) AS f
    WHERE product_sales_days.product_id = f.product_id AND product_sales_days.day = f.day;
    DELETE FROM product_sales_days WHERE product_id = old.product_id AND units = 0 AND last_at IS NULL;
END;
CREATE TRIGGER product_sales_line_bu BEFORE UPDATE OF order_id, product_id, qty, unit_price_minor ON order_lines BEGIN
    UPDATE product_sales_days SET units = product_sales_days.units - f.units,
        revenue_minor = product_sales_days.revenue_minor - f.revenue_minor,
        last_at = (SELECT max(x.placed_at) FROM product_sale_facts x
                   WHERE x.product_id = f.product_id AND x.day = f.day AND x.line_id <> old.id)
    FROM (SELECT product_id, day, units, revenue_minor FROM product_sale_facts WHERE line_id = old.id) AS f
    WHERE product_sales_days.product_id = f.product_id AND product_sales_days.day = f.day;
    DELETE FROM product_sales_days WHERE product_id = old.product_id AND units = 0 AND last_at IS NULL;
END;
CREATE TRIGGER product_sales_line_au AFTER UPDATE OF order_id, product_id, qty, unit_price_minor ON order_lines BEGIN
    INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)
    SELECT product_id, day, units, revenue_minor, placed_at FROM product_sale_facts WHERE line_id = new.id
    ON CONFLICT (product_id, day) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor, last_at = max(last_at, excluded.last_at);
END;
-- An order counts or stops counting (paid, cancelled, merged), or moves to
-- another day: its lines leave the old figures and join the new.
CREATE TRIGGER product_sales_order_bu BEFORE UPDATE OF status, paid_at, placed_at ON orders
WHEN (old.paid_at IS NOT NULL AND old.status NOT IN ('cancelled', 'merged'))
         IS NOT (new.paid_at IS NOT NULL AND new.status NOT IN ('cancelled', 'merged'))
     OR substr(old.placed_at, 1, 10) IS NOT substr(new.placed_at, 1, 10) BEGIN
    UPDATE product_sales_days SET units = product_sales_days.units - f.units,
        revenue_minor = product_sales_days.revenue_minor - f.revenue_minor,
        last_at = (SELECT max(x.placed_at) FROM product_sale_facts x
                   WHERE x.product_id = f.product_id AND x.day = f.day AND x.order_id <> old.id)
    FROM (SELECT product_id, day, sum(units) AS units, sum(revenue_minor) AS revenue_minor
          FROM product_sale_facts WHERE order_id = old.id GROUP BY product_id, day) AS f
    WHERE product_sales_days.product_id = f.product_id AND product_sales_days.day = f.day;
    DELETE FROM product_sales_days WHERE units = 0 AND last_at IS NULL
        AND product_id IN (SELECT product_id FROM order_lines WHERE order_id = old.id);
END;
CREATE TRIGGER product_sales_order_au AFTER UPDATE OF status, paid_at, placed_at ON orders
WHEN (old.paid_at IS NOT NULL AND old.status NOT IN ('cancelled', 'merged'))
         IS NOT (new.paid_at IS NOT NULL AND new.status NOT IN ('cancelled', 'merged'))
     OR substr(old.placed_at, 1, 10) IS NOT substr(new.placed_at, 1, 10) BEGIN
    INSERT INTO product_sales_days (product_id, day, units, revenue_minor, last_at)
    SELECT product_id, day, sum(units), sum(revenue_minor), max(placed_at)
    FROM product_sale_facts WHERE order_id = new.id GROUP BY product_id, day
    ON CONFLICT (product_id, day) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor, last_at = max(last_at, excluded.last_at);
END;

-- KPI top-list rollups (issue 14, docs/kpi.md "top lists"), fed by the
-- product sales rollup above so they share its one definition of a paid
-- line: each product's paid units and GMV per UTC month (read in GMV order
-- by the threshold algorithm of store/kpi_tops.rs), and each merchant's and
-- category's per UTC day ('d') and month ('m'). A product's merchant and
-- category are its current ones (the top lists name them so); category 0
-- is "(none)". Zero rows are left in place: they rank last and cost
-- nothing. Bulk loads set these triggers aside and run `kpi_tops::REBUILD`.
CREATE TABLE kpi_top_months (
    product_id    INTEGER NOT NULL,
    month         TEXT    NOT NULL CHECK (length(month) = 7),
    units         INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (product_id, month)
) WITHOUT ROWID;
CREATE INDEX kpi_top_months_rank ON kpi_top_months (month, revenue_minor DESC, product_id);
CREATE TABLE kpi_group_sales (
    grp           TEXT    NOT NULL CHECK (grp IN ('merchant', 'category')),
    grain         TEXT    NOT NULL CHECK (grain IN ('d', 'm')),
    period        TEXT    NOT NULL,
    key           INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (grp, grain, period, key)
) WITHOUT ROWID;
CREATE TRIGGER kpi_tops_sales_ai AFTER INSERT ON product_sales_days BEGIN
    INSERT INTO kpi_top_months (product_id, month, units, revenue_minor)
    VALUES (new.product_id, substr(new.day, 1, 7), new.units, new.revenue_minor)
    ON CONFLICT (product_id, month) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, s.period, CASE s.grp WHEN 'merchant' THEN p.merchant_id ELSE coalesce(p.category_id, 0) END,
           new.units, new.revenue_minor
    FROM products p JOIN (SELECT 'merchant' AS grp, 'd' AS grain, new.day AS period
        UNION ALL SELECT 'merchant', 'm', substr(new.day, 1, 7) UNION ALL SELECT 'category', 'd', new.day
        UNION ALL SELECT 'category', 'm', substr(new.day, 1, 7)) AS s
    WHERE p.id = new.product_id
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
END;
CREATE TRIGGER kpi_tops_sales_ad AFTER DELETE ON product_sales_days BEGIN
    INSERT INTO kpi_top_months (product_id, month, units, revenue_minor)
    VALUES (old.product_id, substr(old.day, 1, 7), -old.units, -old.revenue_minor)
    ON CONFLICT (product_id, month) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, s.period, CASE s.grp WHEN 'merchant' THEN p.merchant_id ELSE coalesce(p.category_id, 0) END,
           -old.units, -old.revenue_minor
    FROM products p JOIN (SELECT 'merchant' AS grp, 'd' AS grain, old.day AS period
        UNION ALL SELECT 'merchant', 'm', substr(old.day, 1, 7) UNION ALL SELECT 'category', 'd', old.day
        UNION ALL SELECT 'category', 'm', substr(old.day, 1, 7)) AS s
    WHERE p.id = old.product_id
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
END;
CREATE TRIGGER kpi_tops_sales_au AFTER UPDATE ON product_sales_days BEGIN
    INSERT INTO kpi_top_months (product_id, month, units, revenue_minor)
    VALUES (old.product_id, substr(old.day, 1, 7), -old.units, -old.revenue_minor)
    ON CONFLICT (product_id, month) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, s.period, CASE s.grp WHEN 'merchant' THEN p.merchant_id ELSE coalesce(p.category_id, 0) END,
           -old.units, -old.revenue_minor
    FROM products p JOIN (SELECT 'merchant' AS grp, 'd' AS grain, old.day AS period
        UNION ALL SELECT 'merchant', 'm', substr(old.day, 1, 7) UNION ALL SELECT 'category', 'd', old.day
        UNION ALL SELECT 'category', 'm', substr(old.day, 1, 7)) AS s
    WHERE p.id = old.product_id
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_top_months (product_id, month, units, revenue_minor)
    VALUES (new.product_id, substr(new.day, 1, 7), new.units, new.revenue_minor)
    ON CONFLICT (product_id, month) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, s.period, CASE s.grp WHEN 'merchant' THEN p.merchant_id ELSE coalesce(p.category_id, 0) END,
           new.units, new.revenue_minor
    FROM products p JOIN (SELECT 'merchant' AS grp, 'd' AS grain, new.day AS period
        UNION ALL SELECT 'merchant', 'm', substr(new.day, 1, 7) UNION ALL SELECT 'category', 'd', new.day
        UNION ALL SELECT 'category', 'm', substr(new.day, 1, 7)) AS s
    WHERE p.id = new.product_id
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
END;
-- A product moved to another merchant or category takes its sales along.
CREATE TRIGGER kpi_tops_products_au AFTER UPDATE OF merchant_id, category_id ON products
WHEN old.merchant_id IS NOT new.merchant_id OR old.category_id IS NOT new.category_id BEGIN
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, CASE s.grain WHEN 'd' THEN d.day ELSE substr(d.day, 1, 7) END AS period, s.key,
           -sum(d.units), -sum(d.revenue_minor)
    FROM product_sales_days d JOIN (SELECT 'merchant' AS grp, 'd' AS grain, old.merchant_id AS key
        UNION ALL SELECT 'merchant', 'm', old.merchant_id UNION ALL SELECT 'category', 'd', coalesce(old.category_id, 0)
        UNION ALL SELECT 'category', 'm', coalesce(old.category_id, 0)) AS s
    WHERE d.product_id = old.id
    GROUP BY s.grp, s.grain, period, s.key
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
    INSERT INTO kpi_group_sales (grp, grain, period, key, units, revenue_minor)
    SELECT s.grp, s.grain, CASE s.grain WHEN 'd' THEN d.day ELSE substr(d.day, 1, 7) END AS period, s.key,
           sum(d.units), sum(d.revenue_minor)
    FROM product_sales_days d JOIN (SELECT 'merchant' AS grp, 'd' AS grain, new.merchant_id AS key
        UNION ALL SELECT 'merchant', 'm', new.merchant_id UNION ALL SELECT 'category', 'd', coalesce(new.category_id, 0)
        UNION ALL SELECT 'category', 'm', coalesce(new.category_id, 0)) AS s
    WHERE d.product_id = new.id
    GROUP BY s.grp, s.grain, period, s.key
    ON CONFLICT (grp, grain, period, key) DO UPDATE SET units = units + excluded.units,
        revenue_minor = revenue_minor + excluded.revenue_minor;
END;

CREATE TABLE shipment_events (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    at       TEXT    NOT NULL,
    status   TEXT    NOT NULL CHECK (length(status) > 0),
    location TEXT    NOT NULL DEFAULT '',
    note     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX shipment_events_order ON shipment_events (order_id, at);

CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment    TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);
CREATE INDEX reviews_order ON reviews (order_id);

-- After-sales (SPEC 4.4).
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    channel         TEXT,
    external_id     TEXT,
    order_id        INTEGER REFERENCES orders (id),
    customer_id     INTEGER REFERENCES customers (id),
    merchant_id     INTEGER REFERENCES merchants (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('return', 'exchange', 'repair', 'refund_only', 'complaint', 'dispute', 'logistics', 'inquiry')),
    status          TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'approved', 'in_progress', 'waiting_customer',
                    'waiting_merchant', 'escalated', 'resolved', 'reopened', 'closed', 'rejected')),
    priority        TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject         TEXT    NOT NULL DEFAULT '',
    description     TEXT    NOT NULL DEFAULT '',
    quality_issue   INTEGER NOT NULL DEFAULT 0 CHECK (quality_issue IN (0, 1)),
    assignee_id     INTEGER REFERENCES staff (id),
    opened_at       TEXT    NOT NULL,
    audit_due_at    TEXT,
    approved_at     TEXT,
    resolve_due_at  TEXT,
    -- SLA clock pause: when waiting_customer began, and seconds paused so far.
    paused_since    TEXT,
    paused_secs     INTEGER NOT NULL DEFAULT 0 CHECK (paused_secs >= 0),
    resolved_at     TEXT,
    closed_at       TEXT,
    resolution      TEXT    CHECK (resolution IN ('refund', 'replace', 'repair', 'compensation', 'no_action')),
    refund_minor    INTEGER NOT NULL DEFAULT 0 CHECK (refund_minor BETWEEN 0 AND 10000000000),
    restock         INTEGER NOT NULL DEFAULT 0 CHECK (restock IN (0, 1)),
    reject_reason   TEXT,
    sat_attitude    INTEGER CHECK (sat_attitude BETWEEN 1 AND 5),
    sat_speed       INTEGER CHECK (sat_speed BETWEEN 1 AND 5),
    sat_resolution  INTEGER CHECK (sat_resolution BETWEEN 1 AND 5),
    sat_overall     INTEGER CHECK (sat_overall BETWEEN 1 AND 5),
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 0, reason TEXT, return_shipping TEXT CHECK (return_shipping IN ('buyer', 'merchant', 'platform')), first_response_at TEXT, respond_due_at TEXT, responded_at TEXT, ruling_payer TEXT CHECK (ruling_payer IN ('merchant', 'platform', 'split')), merchant_share_minor INTEGER NOT NULL DEFAULT 0 CHECK (merchant_share_minor BETWEEN 0 AND 10000000000), pending_refund_minor INTEGER CHECK (pending_refund_minor BETWEEN 1 AND 10000000000), pending_restock INTEGER NOT NULL DEFAULT 0 CHECK (pending_restock IN (0, 1)), pending_by TEXT, order_external_id TEXT, customer_name TEXT,
    UNIQUE (channel, external_id),
    CHECK (status <> 'rejected' OR length(coalesce(reject_reason, '')) > 0),
    CHECK (status NOT IN ('resolved', 'closed') OR resolution IS NOT NULL OR reject_reason IS NOT NULL)
);
CREATE INDEX tickets_status_opened ON tickets (status, opened_at);
CREATE INDEX tickets_opened ON tickets (opened_at);
CREATE INDEX tickets_order ON tickets (order_id, opened_at);
-- A search's matches by order number, customer name or subject come with
-- either sort key (opened, or the SLA due computed from status and the two
-- due times) from one index range alone, so no ticket row is read to sort
-- them (store/lists/tickets.rs; order_external_id and customer_name are
-- copies of the order's and the customer's, kept by the *_ref triggers).
CREATE INDEX tickets_order_ref ON tickets (order_external_id, opened_at, status, audit_due_at, resolve_due_at)
    WHERE order_external_id IS NOT NULL;
CREATE INDEX tickets_customer_name ON tickets (customer_name, opened_at, status, audit_due_at, resolve_due_at)
    WHERE customer_name IS NOT NULL;
CREATE INDEX tickets_customer ON tickets (customer_id, opened_at, status, audit_due_at, resolve_due_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_resolve_due ON tickets (resolve_due_at);
-- The KPI ticket figures (store/kpi.rs) from indexes alone: opened ones
-- by kind and reason, resolved ones with their due time and CSAT scores
-- (without it every ticket was read).
CREATE INDEX tickets_kpi_opened ON tickets (opened_at, kind, reason);
CREATE INDEX tickets_kpi_resolved ON tickets (resolved_at, resolve_due_at, sat_attitude, sat_speed, sat_resolution, sat_overall)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_subject ON tickets (subject, opened_at, status, audit_due_at, resolve_due_at);
-- "Needs me": tickets by the SLA deadline that matters now (store/lists/
-- tickets.rs SLA_DUE, word for word); the open queue has its own.
CREATE INDEX tickets_sla ON tickets ((CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END));
CREATE INDEX tickets_status_sla ON tickets (status, (CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END));
CREATE INDEX tickets_open_sla ON tickets ((CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END))
    WHERE status IN ('new', 'approved', 'in_progress', 'waiting_merchant', 'escalated', 'reopened');
-- The "needs me" and "unassigned" queues: open tickets by who holds them, in
-- SLA order (store/lists/ticket_queues.rs; the same WHERE as tickets_open_sla).
CREATE INDEX tickets_assignee_sla ON tickets (assignee_id, (CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END))
    WHERE status IN ('new', 'approved', 'in_progress', 'waiting_merchant', 'escalated', 'reopened');
-- The "waiting" queue in SLA order (two statuses: (status, due) would sort).
CREATE INDEX tickets_waiting_sla ON tickets ((CASE WHEN status = 'new' THEN audit_due_at ELSE resolve_due_at END))
    WHERE status IN ('waiting_customer', 'waiting_merchant');
-- Resolved tickets by resolution time: closing them once the reopen window
-- has passed (a scheduled effect, ops/tickets/autoclose.rs) reads this alone.
CREATE INDEX tickets_resolved ON tickets (resolved_at) WHERE status = 'resolved';
-- Disputes waiting for the merchant's response (the deadline's scheduled effect).
CREATE INDEX tickets_respond_due ON tickets (respond_due_at) WHERE responded_at IS NULL AND respond_due_at IS NOT NULL;

-- The status log (issue 13): one row per status a ticket entered, so the SLA
-- clock (paused while waiting for the customer) is computed from it on the
-- calendar in force, not from stored due times.
CREATE TABLE ticket_log (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at        TEXT    NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('new', 'approved', 'in_progress', 'waiting_customer',
              'waiting_merchant', 'escalated', 'resolved', 'reopened', 'closed', 'rejected')),
    actor     TEXT    NOT NULL
);
CREATE INDEX ticket_log_ticket ON ticket_log (ticket_id, id);

-- Ticket settings beside the shop's (schema 6): the business days a
-- merchant has to respond to a dispute.
CREATE TABLE ticket_settings (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    dispute_response_days INTEGER NOT NULL DEFAULT 2 CHECK (dispute_response_days > 0)
);
INSERT INTO ticket_settings (id) VALUES (1);

-- The two-level reason taxonomy (a setting): `quality` and its children
-- `quality.damaged`, ...; a ticket's `reason` is one of these codes.
CREATE TABLE ticket_reasons (
    code   TEXT PRIMARY KEY CHECK (length(code) > 0),
    parent TEXT REFERENCES ticket_reasons (code),
    label  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO ticket_reasons (code, parent, label) VALUES
    ('quality', NULL, 'quality'), ('quality.damaged', 'quality', 'damaged in transit'),
    ('quality.defective', 'quality', 'defective'), ('quality.wrong_item', 'quality', 'wrong item sent'),
    ('logistics', NULL, 'logistics'), ('logistics.late', 'logistics', 'late'), ('logistics.lost', 'logistics', 'lost'),
    ('description', NULL, 'description'), ('description.not_as_described', 'description', 'not as described'),
    ('description.size', 'description', 'size or colour differs'),
    ('service', NULL, 'service'), ('service.attitude', 'service', 'attitude'), ('service.slow', 'service', 'slow reply'),
    ('price', NULL, 'price'), ('price.dropped', 'price', 'price dropped'), ('price.overcharged', 'price', 'overcharged'),
    ('other', NULL, 'other'), ('other.no_reason', 'other', 'no reason (7-day return)'), ('other.changed_mind', 'other', 'changed mind');

CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author      TEXT    NOT NULL,
    author_kind TEXT    NOT NULL CHECK (author_kind IN ('staff', 'customer', 'merchant', 'system')),
    internal    INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    body        TEXT    NOT NULL CHECK (length(body) > 0),
    created_at  TEXT    NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
-- A ticket's first public staff reply in one seek (the KPI first response).
CREATE INDEX ticket_messages_first_reply ON ticket_messages (ticket_id, created_at)
    WHERE author_kind = 'staff' AND internal = 0;

-- Ticket first-response rollup (issue 14): per UTC hour of opened_at, the
-- tickets with a first public staff reply and the seconds to it, kept by
-- triggers on tickets and messages (a message changes its ticket's first
-- reply: the ticket's share is taken out before and put back after). The
-- view is the one definition; `check` and the bulk rebuild read it.
CREATE VIEW kpi_ticket_reply_facts AS
SELECT id, substr(opened_at, 1, 13) AS hour, (f IS NOT NULL) AS responded,
       coalesce(unixepoch(f) - unixepoch(opened_at), 0) AS response_secs
FROM (SELECT t.id, t.opened_at,
             (SELECT min(m.created_at) FROM ticket_messages m
              WHERE m.ticket_id = t.id AND m.author_kind = 'staff' AND m.internal = 0) AS f
      FROM tickets t);
CREATE TABLE kpi_ticket_hours (
    hour          TEXT    NOT NULL PRIMARY KEY CHECK (length(hour) = 13),
    responded     INTEGER NOT NULL DEFAULT 0,
    response_secs INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TRIGGER kpi_tickets_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, responded, response_secs FROM kpi_ticket_reply_facts WHERE id IN (new.id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_tickets_bu BEFORE UPDATE OF opened_at ON tickets BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, -responded, -response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_tickets_au AFTER UPDATE OF opened_at ON tickets BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, responded, response_secs FROM kpi_ticket_reply_facts WHERE id IN (new.id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_tickets_bd BEFORE DELETE ON tickets BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, -responded, -response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_bi BEFORE INSERT ON ticket_messages WHEN new.author_kind = 'staff' AND new.internal = 0 BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, -responded, -response_secs FROM kpi_ticket_reply_facts WHERE id IN (new.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_ai AFTER INSERT ON ticket_messages WHEN new.author_kind = 'staff' AND new.internal = 0 BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, responded, response_secs FROM kpi_ticket_reply_facts WHERE id IN (new.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_bu BEFORE UPDATE OF ticket_id, author_kind, internal, created_at ON ticket_messages BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, -responded, -response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.ticket_id, new.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_au AFTER UPDATE OF ticket_id, author_kind, internal, created_at ON ticket_messages BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, responded, response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.ticket_id, new.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_bd BEFORE DELETE ON ticket_messages WHEN old.author_kind = 'staff' AND old.internal = 0 BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, -responded, -response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;
CREATE TRIGGER kpi_replies_ad AFTER DELETE ON ticket_messages WHEN old.author_kind = 'staff' AND old.internal = 0 BEGIN
    INSERT INTO kpi_ticket_hours (hour, responded, response_secs)
    SELECT hour, responded, response_secs FROM kpi_ticket_reply_facts WHERE id IN (old.ticket_id) AND true
    ON CONFLICT (hour) DO UPDATE SET responded = responded + excluded.responded,
        response_secs = response_secs + excluded.response_secs;
END;

-- Ticket count rollups (issue 14, schema 19), per UTC hour: the tickets
-- opened and the complaints among them (by opened_at), the tickets
-- resolved, those with a resolution due time and those resolved by it,
-- and each CSAT score's count and sum (by resolved_at); and the tickets
-- opened per UTC day and reason ('' for none; a day, not an hour: a
-- period's part days are read from the tickets' covering index). A period's ticket figures read
-- its hours instead of one index entry per ticket. The views are the one
-- definition of a ticket's share: the triggers take it out before a change
-- and put it back after (as kpi_ticket_hours' do); `check` and the bulk
-- rebuild sum them.
CREATE VIEW kpi_ticket_open_facts AS
SELECT id, substr(opened_at, 1, 13) AS hour, substr(opened_at, 1, 10) AS day,
       coalesce(reason, '') AS reason, 1 AS opened, (kind = 'complaint') AS complaints
FROM tickets;
CREATE VIEW kpi_ticket_resolve_facts AS
SELECT id, substr(resolved_at, 1, 13) AS hour, 1 AS resolved,
       (resolve_due_at IS NOT NULL) AS with_due, coalesce(resolved_at <= resolve_due_at, 0) AS sla_met,
       (sat_attitude IS NOT NULL) AS attitude_n, coalesce(sat_attitude, 0) AS attitude_sum,
       (sat_speed IS NOT NULL) AS speed_n, coalesce(sat_speed, 0) AS speed_sum,
       (sat_resolution IS NOT NULL) AS resolution_n, coalesce(sat_resolution, 0) AS resolution_sum,
       (sat_overall IS NOT NULL) AS overall_n, coalesce(sat_overall, 0) AS overall_sum
FROM tickets WHERE resolved_at IS NOT NULL;
CREATE TABLE kpi_ticket_counts (
    hour           TEXT    NOT NULL PRIMARY KEY CHECK (length(hour) = 13),
    opened         INTEGER NOT NULL DEFAULT 0,
    complaints     INTEGER NOT NULL DEFAULT 0,
    resolved       INTEGER NOT NULL DEFAULT 0,
    with_due       INTEGER NOT NULL DEFAULT 0,
    sla_met        INTEGER NOT NULL DEFAULT 0,
    attitude_n     INTEGER NOT NULL DEFAULT 0,
    attitude_sum   INTEGER NOT NULL DEFAULT 0,
    speed_n        INTEGER NOT NULL DEFAULT 0,
    speed_sum      INTEGER NOT NULL DEFAULT 0,
    resolution_n   INTEGER NOT NULL DEFAULT 0,
    resolution_sum INTEGER NOT NULL DEFAULT 0,
    overall_n      INTEGER NOT NULL DEFAULT 0,
    overall_sum    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE kpi_ticket_reasons (
    day    TEXT    NOT NULL CHECK (length(day) = 10),
    reason TEXT    NOT NULL,
    opened INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, reason)
) WITHOUT ROWID;
CREATE TRIGGER kpi_ticket_counts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO kpi_ticket_counts (hour, opened, complaints)
    SELECT hour, opened, complaints FROM kpi_ticket_open_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET opened = opened + excluded.opened, complaints = complaints + excluded.complaints;
    INSERT INTO kpi_ticket_reasons (day, reason, opened)
    SELECT day, reason, opened FROM kpi_ticket_open_facts WHERE id = new.id
    ON CONFLICT (day, reason) DO UPDATE SET opened = opened + excluded.opened;
    INSERT INTO kpi_ticket_counts (hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum)
    SELECT hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum FROM kpi_ticket_resolve_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET resolved = resolved + excluded.resolved, with_due = with_due + excluded.with_due, sla_met = sla_met + excluded.sla_met, attitude_n = attitude_n + excluded.attitude_n, attitude_sum = attitude_sum + excluded.attitude_sum, speed_n = speed_n + excluded.speed_n, speed_sum = speed_sum + excluded.speed_sum, resolution_n = resolution_n + excluded.resolution_n, resolution_sum = resolution_sum + excluded.resolution_sum, overall_n = overall_n + excluded.overall_n, overall_sum = overall_sum + excluded.overall_sum;
END;
CREATE TRIGGER kpi_ticket_opened_bu BEFORE UPDATE OF opened_at, kind, reason ON tickets
WHEN old.opened_at IS NOT new.opened_at OR old.kind IS NOT new.kind OR old.reason IS NOT new.reason BEGIN
    INSERT INTO kpi_ticket_counts (hour, opened, complaints)
    SELECT hour, -opened, -complaints FROM kpi_ticket_open_facts WHERE id = old.id
    ON CONFLICT (hour) DO UPDATE SET opened = opened + excluded.opened, complaints = complaints + excluded.complaints;
    INSERT INTO kpi_ticket_reasons (day, reason, opened)
    SELECT day, reason, -opened FROM kpi_ticket_open_facts WHERE id = old.id
    ON CONFLICT (day, reason) DO UPDATE SET opened = opened + excluded.opened;
END;
CREATE TRIGGER kpi_ticket_opened_au AFTER UPDATE OF opened_at, kind, reason ON tickets
WHEN old.opened_at IS NOT new.opened_at OR old.kind IS NOT new.kind OR old.reason IS NOT new.reason BEGIN
    INSERT INTO kpi_ticket_counts (hour, opened, complaints)
    SELECT hour, opened, complaints FROM kpi_ticket_open_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET opened = opened + excluded.opened, complaints = complaints + excluded.complaints;
    INSERT INTO kpi_ticket_reasons (day, reason, opened)
    SELECT day, reason, opened FROM kpi_ticket_open_facts WHERE id = new.id
    ON CONFLICT (day, reason) DO UPDATE SET opened = opened + excluded.opened;
END;
CREATE TRIGGER kpi_ticket_resolved_bu BEFORE UPDATE OF resolved_at, resolve_due_at, sat_attitude, sat_speed, sat_resolution, sat_overall ON tickets
WHEN old.resolved_at IS NOT NULL AND (old.resolved_at IS NOT new.resolved_at OR old.resolve_due_at IS NOT new.resolve_due_at OR old.sat_attitude IS NOT new.sat_attitude OR old.sat_speed IS NOT new.sat_speed OR old.sat_resolution IS NOT new.sat_resolution OR old.sat_overall IS NOT new.sat_overall) BEGIN
    INSERT INTO kpi_ticket_counts (hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum)
    SELECT hour, -resolved, -with_due, -sla_met, -attitude_n, -attitude_sum, -speed_n, -speed_sum, -resolution_n, -resolution_sum, -overall_n, -overall_sum FROM kpi_ticket_resolve_facts WHERE id = old.id
    ON CONFLICT (hour) DO UPDATE SET resolved = resolved + excluded.resolved, with_due = with_due + excluded.with_due, sla_met = sla_met + excluded.sla_met, attitude_n = attitude_n + excluded.attitude_n, attitude_sum = attitude_sum + excluded.attitude_sum, speed_n = speed_n + excluded.speed_n, speed_sum = speed_sum + excluded.speed_sum, resolution_n = resolution_n + excluded.resolution_n, resolution_sum = resolution_sum + excluded.resolution_sum, overall_n = overall_n + excluded.overall_n, overall_sum = overall_sum + excluded.overall_sum;
END;
CREATE TRIGGER kpi_ticket_resolved_au AFTER UPDATE OF resolved_at, resolve_due_at, sat_attitude, sat_speed, sat_resolution, sat_overall ON tickets
WHEN new.resolved_at IS NOT NULL AND (old.resolved_at IS NOT new.resolved_at OR old.resolve_due_at IS NOT new.resolve_due_at OR old.sat_attitude IS NOT new.sat_attitude OR old.sat_speed IS NOT new.sat_speed OR old.sat_resolution IS NOT new.sat_resolution OR old.sat_overall IS NOT new.sat_overall) BEGIN
    INSERT INTO kpi_ticket_counts (hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum)
    SELECT hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum FROM kpi_ticket_resolve_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET resolved = resolved + excluded.resolved, with_due = with_due + excluded.with_due, sla_met = sla_met + excluded.sla_met, attitude_n = attitude_n + excluded.attitude_n, attitude_sum = attitude_sum + excluded.attitude_sum, speed_n = speed_n + excluded.speed_n, speed_sum = speed_sum + excluded.speed_sum, resolution_n = resolution_n + excluded.resolution_n, resolution_sum = resolution_sum + excluded.resolution_sum, overall_n = overall_n + excluded.overall_n, overall_sum = overall_sum + excluded.overall_sum;
END;
CREATE TRIGGER kpi_ticket_counts_bd BEFORE DELETE ON tickets BEGIN
    INSERT INTO kpi_ticket_counts (hour, opened, complaints)
    SELECT hour, -opened, -complaints FROM kpi_ticket_open_facts WHERE id = old.id
    ON CONFLICT (hour) DO UPDATE SET opened = opened + excluded.opened, complaints = complaints + excluded.complaints;
    INSERT INTO kpi_ticket_reasons (day, reason, opened)
    SELECT day, reason, -opened FROM kpi_ticket_open_facts WHERE id = old.id
    ON CONFLICT (day, reason) DO UPDATE SET opened = opened + excluded.opened;
    INSERT INTO kpi_ticket_counts (hour, resolved, with_due, sla_met, attitude_n, attitude_sum, speed_n, speed_sum, resolution_n, resolution_sum, overall_n, overall_sum)
    SELECT hour, -resolved, -with_due, -sla_met, -attitude_n, -attitude_sum, -speed_n, -speed_sum, -resolution_n, -resolution_sum, -overall_n, -overall_sum FROM kpi_ticket_resolve_facts WHERE id = old.id
    ON CONFLICT (hour) DO UPDATE SET resolved = resolved + excluded.resolved, with_due = with_due + excluded.with_due, sla_met = sla_met + excluded.sla_met, attitude_n = attitude_n + excluded.attitude_n, attitude_sum = attitude_sum + excluded.attitude_sum, speed_n = speed_n + excluded.speed_n, speed_sum = speed_sum + excluded.speed_sum, resolution_n = resolution_n + excluded.resolution_n, resolution_sum = resolution_sum + excluded.resolution_sum, overall_n = overall_n + excluded.overall_n, overall_sum = overall_sum + excluded.overall_sum;
END;

-- Canned replies with {customer}, {order}, {ticket} placeholders.
CREATE TABLE canned_replies (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    body    TEXT    NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);

-- Money returned to a buyer: from a cancelled paid order or a ticket.
CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    ticket_id    INTEGER REFERENCES tickets (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND 10000000000),
    reason       TEXT    NOT NULL DEFAULT '',
    actor        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_ticket ON refunds (ticket_id);
CREATE INDEX refunds_created ON refunds (created_at) WHERE ticket_id IS NOT NULL;
-- Refunds on an order never add up to more than it was paid (issue 13: a
-- ticket refund racing a cancellation), whatever writes them.
CREATE TRIGGER refunds_within_paid BEFORE INSERT ON refunds
WHEN (SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE order_id = new.order_id) + new.amount_minor
     > (SELECT items_minor + shipping_minor FROM orders WHERE id = new.order_id) BEGIN
    SELECT RAISE(ABORT, 'refunds on an order cannot add up to more than it was paid');
END;

CREATE TABLE traffic_daily (
    date    TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    channel TEXT    NOT NULL CHECK (length(channel) > 0),
    visits  INTEGER NOT NULL CHECK (visits >= 0),
    PRIMARY KEY (date, channel)
) WITHOUT ROWID;

-- Every change, chained by hash: hash = SHA-256(prev_hash || this row's
-- content), stored as 32 raw bytes (store/audit.rs has the exact input).
-- No UNIQUE index on hash: walking the chain (`shopdesk check`) already
-- catches a copied or duplicated row, and the index cost every write a
-- random b-tree insert.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    entity      TEXT    NOT NULL CHECK (entity IN ('merchant', 'product', 'order', 'ticket', 'staff', 'settings', 'import', 'settlement')),
    entity_id   INTEGER NOT NULL,
    action      TEXT    NOT NULL CHECK (length(action) > 0),
    before_json TEXT,
    after_json  TEXT,
    prev_hash   BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB    NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

-- Row counts per status, kept by triggers so list screens can show
-- "1-40 of 1,000,000" and status chips without counting a million rows.
CREATE TABLE status_counts (
    entity TEXT    NOT NULL,
    status TEXT    NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity, status)
) WITHOUT ROWID;
CREATE TRIGGER merchants_count_ai AFTER INSERT ON merchants BEGIN
    INSERT INTO status_counts (entity, status, n) VALUES ('merchant', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER merchants_count_ad AFTER DELETE ON merchants BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'merchant' AND status = old.status;
END;
CREATE TRIGGER merchants_count_au AFTER UPDATE OF status ON merchants WHEN old.status <> new.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'merchant' AND status = old.status;
    INSERT INTO status_counts (entity, status, n) VALUES ('merchant', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER products_count_ai AFTER INSERT ON products BEGIN
    INSERT INTO status_counts (entity, status, n) VALUES ('product', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER products_count_ad AFTER DELETE ON products BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'product' AND status = old.status;
END;
CREATE TRIGGER products_count_au AFTER UPDATE OF status ON products WHEN old.status <> new.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'product' AND status = old.status;
    INSERT INTO status_counts (entity, status, n) VALUES ('product', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orders_count_ai AFTER INSERT ON orders BEGIN
    INSERT INTO status_counts (entity, status, n) VALUES ('order', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orders_count_ad AFTER DELETE ON orders BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'order' AND status = old.status;
END;
CREATE TRIGGER orders_count_au AFTER UPDATE OF status ON orders WHEN old.status <> new.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'order' AND status = old.status;
    INSERT INTO status_counts (entity, status, n) VALUES ('order', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tickets_count_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO status_counts (entity, status, n) VALUES ('ticket', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tickets_count_ad AFTER DELETE ON tickets BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'ticket' AND status = old.status;
END;
CREATE TRIGGER tickets_count_au AFTER UPDATE OF status ON tickets WHEN old.status <> new.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE entity = 'ticket' AND status = old.status;
    INSERT INTO status_counts (entity, status, n) VALUES ('ticket', new.status, 1)
        ON CONFLICT (entity, status) DO UPDATE SET n = n + 1;
END;

-- A ticket's copies of its order's number and its customer's name (schema
-- 17), so a search by either is one range of an index of tickets instead
-- of a range of orders or customers joined to their tickets. `check`
-- compares the copies with the originals ("ticket search copies").
CREATE TRIGGER tickets_refs_ai AFTER INSERT ON tickets BEGIN
    UPDATE tickets SET order_external_id = (SELECT external_id FROM orders WHERE id = new.order_id),
                       customer_name = (SELECT name FROM customers WHERE id = new.customer_id)
        WHERE id = new.id;
END;
CREATE TRIGGER tickets_refs_au AFTER UPDATE OF order_id, order_external_id, customer_id, customer_name ON tickets
    WHEN new.order_external_id IS NOT (SELECT external_id FROM orders WHERE id = new.order_id)
      OR new.customer_name IS NOT (SELECT name FROM customers WHERE id = new.customer_id) BEGIN
    UPDATE tickets SET order_external_id = (SELECT external_id FROM orders WHERE id = new.order_id),
                       customer_name = (SELECT name FROM customers WHERE id = new.customer_id)
        WHERE id = new.id;
END;
CREATE TRIGGER orders_ticket_ref_au AFTER UPDATE OF external_id ON orders
    WHEN new.external_id IS NOT old.external_id BEGIN
    UPDATE tickets SET order_external_id = new.external_id WHERE order_id = new.id;
END;
CREATE TRIGGER customers_ticket_ref_au AFTER UPDATE OF name ON customers
    WHEN new.name IS NOT old.name BEGIN
    UPDATE tickets SET customer_name = new.name WHERE customer_id = new.id;
END;

-- KPI rollups (issue 14, docs/kpi.md): what each order adds to the UTC hour
-- of its placed_at; merged orders add nothing. A shop-local day is a run of
-- whole UTC hours in every zone with a whole-hour offset, and the KPI code
-- reads the base rows for a part hour (zones at :30 or :45). The view is
-- the one definition of an order's share: the order triggers, the rebuild
-- after a bulk load (store/bulk.rs) and `shopdesk check` all read it.
CREATE VIEW kpi_order_facts AS
SELECT o.id AS id, o.placed_at AS placed_at, substr(o.placed_at, 1, 13) AS hour,
       1 AS orders,
       (o.paid_at IS NOT NULL AND o.status <> 'cancelled') AS paid_orders,
       (o.status = 'cancelled') AS cancelled_orders,
       CASE WHEN o.paid_at IS NOT NULL AND o.status <> 'cancelled' THEN o.items_minor ELSE 0 END AS gmv_minor,
       CASE WHEN o.paid_at IS NOT NULL AND o.status <> 'cancelled' THEN o.shipping_minor ELSE 0 END AS shipping_minor,
       (o.delivered_at IS NOT NULL) AS delivered_orders,
       coalesce(unixepoch(o.delivered_at) - unixepoch(o.placed_at), 0) AS delivery_secs,
       (o.delivered_at IS NOT NULL AND o.promised_at IS NOT NULL) AS promised_delivered,
       coalesce(o.delivered_at > o.promised_at, 0) AS late_delivered,
       (SELECT count(*) FROM reviews v WHERE v.order_id = o.id) AS reviews,
       (SELECT coalesce(sum(v.score), 0) FROM reviews v WHERE v.order_id = o.id) AS review_score,
       (SELECT count(*) FROM reviews v WHERE v.order_id = o.id AND v.score <= 2) AS negative_reviews,
       (SELECT coalesce(sum(r.amount_minor), 0) FROM refunds r WHERE r.order_id = o.id AND r.ticket_id IS NOT NULL) AS refund_minor
FROM orders o WHERE o.status <> 'merged';

CREATE TABLE kpi_hours (
    hour               TEXT    NOT NULL PRIMARY KEY CHECK (length(hour) = 13),
    orders             INTEGER NOT NULL DEFAULT 0,
    paid_orders        INTEGER NOT NULL DEFAULT 0,
    cancelled_orders   INTEGER NOT NULL DEFAULT 0,
    gmv_minor          INTEGER NOT NULL DEFAULT 0,
    shipping_minor     INTEGER NOT NULL DEFAULT 0,
    delivered_orders   INTEGER NOT NULL DEFAULT 0,
    delivery_secs      INTEGER NOT NULL DEFAULT 0,
    promised_delivered INTEGER NOT NULL DEFAULT 0,
    late_delivered     INTEGER NOT NULL DEFAULT 0,
    reviews            INTEGER NOT NULL DEFAULT 0,
    review_score       INTEGER NOT NULL DEFAULT 0,
    negative_reviews   INTEGER NOT NULL DEFAULT 0,
    refund_minor       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TRIGGER orders_kpi_ai AFTER INSERT ON orders BEGIN
    INSERT INTO kpi_hours (hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor, delivered_orders, delivery_secs, promised_delivered, late_delivered, reviews, review_score, negative_reviews, refund_minor)
    SELECT hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor, delivered_orders, delivery_secs, promised_delivered, late_delivered, reviews, review_score, negative_reviews, refund_minor FROM kpi_order_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET
        orders = orders + excluded.orders,
        paid_orders = paid_orders + excluded.paid_orders,
        cancelled_orders = cancelled_orders + excluded.cancelled_orders,
        gmv_minor = gmv_minor + excluded.gmv_minor,
        shipping_minor = shipping_minor + excluded.shipping_minor,
        delivered_orders = delivered_orders + excluded.delivered_orders,
        delivery_secs = delivery_secs + excluded.delivery_secs,
        promised_delivered = promised_delivered + excluded.promised_delivered,
        late_delivered = late_delivered + excluded.late_delivered,
        reviews = reviews + excluded.reviews,
        review_score = review_score + excluded.review_score,
        negative_reviews = negative_reviews + excluded.negative_reviews,
        refund_minor = refund_minor + excluded.refund_minor;
END;
-- An update takes the old share out before and puts the new one in after.
CREATE TRIGGER orders_kpi_bu BEFORE UPDATE OF status, placed_at, paid_at, items_minor, shipping_minor, delivered_at, promised_at ON orders BEGIN
    UPDATE kpi_hours SET
        orders = kpi_hours.orders - f.orders,
        paid_orders = kpi_hours.paid_orders - f.paid_orders,
        cancelled_orders = kpi_hours.cancelled_orders - f.cancelled_orders,
        gmv_minor = kpi_hours.gmv_minor - f.gmv_minor,
        shipping_minor = kpi_hours.shipping_minor - f.shipping_minor,
        delivered_orders = kpi_hours.delivered_orders - f.delivered_orders,
        delivery_secs = kpi_hours.delivery_secs - f.delivery_secs,
        promised_delivered = kpi_hours.promised_delivered - f.promised_delivered,
        late_delivered = kpi_hours.late_delivered - f.late_delivered,
        reviews = kpi_hours.reviews - f.reviews,
        review_score = kpi_hours.review_score - f.review_score,
        negative_reviews = kpi_hours.negative_reviews - f.negative_reviews,
        refund_minor = kpi_hours.refund_minor - f.refund_minor
    FROM (SELECT * FROM kpi_order_facts WHERE id = old.id) AS f WHERE kpi_hours.hour = f.hour;
END;
CREATE TRIGGER orders_kpi_au AFTER UPDATE OF status, placed_at, paid_at, items_minor, shipping_minor, delivered_at, promised_at ON orders BEGIN
    INSERT INTO kpi_hours (hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor, delivered_orders, delivery_secs, promised_delivered, late_delivered, reviews, review_score, negative_reviews, refund_minor)
    SELECT hour, orders, paid_orders, cancelled_orders, gmv_minor, shipping_minor, delivered_orders, delivery_secs, promised_delivered, late_delivered, reviews, review_score, negative_reviews, refund_minor FROM kpi_order_facts WHERE id = new.id
    ON CONFLICT (hour) DO UPDATE SET
        orders = orders + excluded.orders,
        paid_orders = paid_orders + excluded.paid_orders,
        cancelled_orders = cancelled_orders + excluded.cancelled_orders,
        gmv_minor = gmv_minor + excluded.gmv_minor,
        shipping_minor = shipping_minor + excluded.shipping_minor,
        delivered_orders = delivered_orders + excluded.delivered_orders,
        delivery_secs = delivery_secs + excluded.delivery_secs,
        promised_delivered = promised_delivered + excluded.promised_delivered,
        late_delivered = late_delivered + excluded.late_delivered,
        reviews = reviews + excluded.reviews,
        review_score = review_score + excluded.review_score,
        negative_reviews = negative_reviews + excluded.negative_reviews,
        refund_minor = refund_minor + excluded.refund_minor;
END;
CREATE TRIGGER orders_kpi_bd BEFORE DELETE ON orders BEGIN
    UPDATE kpi_hours SET
        orders = kpi_hours.orders - f.orders,
        paid_orders = kpi_hours.paid_orders - f.paid_orders,
        cancelled_orders = kpi_hours.cancelled_orders - f.cancelled_orders,
        gmv_minor = kpi_hours.gmv_minor - f.gmv_minor,
        shipping_minor = kpi_hours.shipping_minor - f.shipping_minor,
        delivered_orders = kpi_hours.delivered_orders - f.delivered_orders,
        delivery_secs = kpi_hours.delivery_secs - f.delivery_secs,
        promised_delivered = kpi_hours.promised_delivered - f.promised_delivered,
        late_delivered = kpi_hours.late_delivered - f.late_delivered,
        reviews = kpi_hours.reviews - f.reviews,
        review_score = kpi_hours.review_score - f.review_score,
        negative_reviews = kpi_hours.negative_reviews - f.negative_reviews,
        refund_minor = kpi_hours.refund_minor - f.refund_minor
    FROM (SELECT * FROM kpi_order_facts WHERE id = old.id) AS f WHERE kpi_hours.hour = f.hour;
END;
-- Reviews and ticket refunds move their order's hour by their own amounts.
CREATE TRIGGER reviews_kpi_ai AFTER INSERT ON reviews BEGIN
    UPDATE kpi_hours SET reviews = reviews + 1, review_score = review_score + new.score,
        negative_reviews = negative_reviews + (new.score <= 2)
    WHERE hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = new.order_id AND status <> 'merged');
END;
CREATE TRIGGER reviews_kpi_ad AFTER DELETE ON reviews BEGIN
    UPDATE kpi_hours SET reviews = reviews - 1, review_score = review_score - old.score,
        negative_reviews = negative_reviews - (old.score <= 2)
    WHERE hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = old.order_id AND status <> 'merged');
END;
CREATE TRIGGER reviews_kpi_au AFTER UPDATE OF order_id, score ON reviews BEGIN
    UPDATE kpi_hours SET reviews = reviews - 1, review_score = review_score - old.score,
        negative_reviews = negative_reviews - (old.score <= 2)
    WHERE hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = old.order_id AND status <> 'merged');
    UPDATE kpi_hours SET reviews = reviews + 1, review_score = review_score + new.score,
        negative_reviews = negative_reviews + (new.score <= 2)
    WHERE hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = new.order_id AND status <> 'merged');
END;
CREATE TRIGGER refunds_kpi_ai AFTER INSERT ON refunds BEGIN
    UPDATE kpi_hours SET refund_minor = refund_minor + new.amount_minor
    WHERE new.ticket_id IS NOT NULL AND hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = new.order_id AND status <> 'merged');
END;
CREATE TRIGGER refunds_kpi_ad AFTER DELETE ON refunds BEGIN
    UPDATE kpi_hours SET refund_minor = refund_minor - old.amount_minor
    WHERE old.ticket_id IS NOT NULL AND hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = old.order_id AND status <> 'merged');
END;
CREATE TRIGGER refunds_kpi_au AFTER UPDATE OF order_id, ticket_id, amount_minor ON refunds BEGIN
    UPDATE kpi_hours SET refund_minor = refund_minor - old.amount_minor
    WHERE old.ticket_id IS NOT NULL AND hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = old.order_id AND status <> 'merged');
    UPDATE kpi_hours SET refund_minor = refund_minor + new.amount_minor
    WHERE new.ticket_id IS NOT NULL AND hour = (SELECT substr(placed_at, 1, 13) FROM orders WHERE id = new.order_id AND status <> 'merged');
END;

-- Distinct customers over any period without grouping (issue 14): one row
-- per paid order (paid, not cancelled, not merged) with the placed times of
-- the same customer's previous two paid orders. In [F, T): a customer is
-- counted once, on the first of its orders there (the one whose previous is
-- before F); a repeat customer on its second (previous inside, the one
-- before that not); a new customer on an order with no previous at all.
CREATE TABLE kpi_paid_orders (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    placed_at   TEXT    NOT NULL,
    prev_at     TEXT,
    prev2_at    TEXT
);
CREATE INDEX kpi_paid_orders_placed ON kpi_paid_orders (placed_at, prev_at, prev2_at);
-- The chain times in the customer index (schema 19): a period's part day
-- counts its customers' later orders from the index alone.
CREATE INDEX kpi_paid_orders_customer ON kpi_paid_orders (customer_id, prev_at, prev2_at, placed_at);
-- The chains counted per (UTC day placed, UTC day of an earlier paid order)
-- (issue 14, store/kpi_chain.rs): `prev` counts the orders whose previous
-- paid order was placed on `back`, `prev2` those whose one-before was;
-- `back` is '' when there is none. Customer figures for whole days read
-- these instead of every paid order. Kept by the triggers below from the
-- chain rows; zeros stay (check ignores them).
CREATE TABLE kpi_chain_days (
    day   TEXT    NOT NULL CHECK (length(day) = 10),
    back  TEXT    NOT NULL CHECK (back = '' OR length(back) = 10),
    prev  INTEGER NOT NULL DEFAULT 0,
    prev2 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, back)
) WITHOUT ROWID;
CREATE TRIGGER kpi_paid_orders_ai AFTER INSERT ON kpi_paid_orders BEGIN
    INSERT INTO kpi_chain_days (day, back, prev) VALUES (substr(new.placed_at, 1, 10), coalesce(substr(new.prev_at, 1, 10), ''), 1)
        ON CONFLICT (day, back) DO UPDATE SET prev = prev + 1;
    INSERT INTO kpi_chain_days (day, back, prev2) VALUES (substr(new.placed_at, 1, 10), coalesce(substr(new.prev2_at, 1, 10), ''), 1)
        ON CONFLICT (day, back) DO UPDATE SET prev2 = prev2 + 1;
END;
CREATE TRIGGER kpi_paid_orders_ad AFTER DELETE ON kpi_paid_orders BEGIN
    UPDATE kpi_chain_days SET prev = prev - 1
    WHERE day = substr(old.placed_at, 1, 10) AND back = coalesce(substr(old.prev_at, 1, 10), '');
    UPDATE kpi_chain_days SET prev2 = prev2 - 1
    WHERE day = substr(old.placed_at, 1, 10) AND back = coalesce(substr(old.prev2_at, 1, 10), '');
END;
CREATE TRIGGER kpi_paid_orders_au AFTER UPDATE ON kpi_paid_orders BEGIN
    UPDATE kpi_chain_days SET prev = prev - 1
    WHERE day = substr(old.placed_at, 1, 10) AND back = coalesce(substr(old.prev_at, 1, 10), '');
    UPDATE kpi_chain_days SET prev2 = prev2 - 1
    WHERE day = substr(old.placed_at, 1, 10) AND back = coalesce(substr(old.prev2_at, 1, 10), '');
    INSERT INTO kpi_chain_days (day, back, prev) VALUES (substr(new.placed_at, 1, 10), coalesce(substr(new.prev_at, 1, 10), ''), 1)
        ON CONFLICT (day, back) DO UPDATE SET prev = prev + 1;
    INSERT INTO kpi_chain_days (day, back, prev2) VALUES (substr(new.placed_at, 1, 10), coalesce(substr(new.prev2_at, 1, 10), ''), 1)
        ON CONFLICT (day, back) DO UPDATE SET prev2 = prev2 + 1;
END;
-- A customer's chain, recomputed whole (a few rows) when one of its orders
-- changes in a way that matters.
CREATE VIEW kpi_paid_chain AS
SELECT id AS order_id, customer_id, placed_at,
       lag(placed_at, 1) OVER w AS prev_at, lag(placed_at, 2) OVER w AS prev2_at
FROM orders WHERE paid_at IS NOT NULL AND status NOT IN ('cancelled', 'merged')
WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at, id);
CREATE TRIGGER orders_chain_ai AFTER INSERT ON orders
WHEN new.paid_at IS NOT NULL AND new.status NOT IN ('cancelled', 'merged') BEGIN
    DELETE FROM kpi_paid_orders WHERE customer_id = new.customer_id;
    INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
    SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain WHERE customer_id = new.customer_id;
END;
CREATE TRIGGER orders_chain_au AFTER UPDATE OF status, paid_at, placed_at, customer_id ON orders
WHEN (old.paid_at IS NOT NULL AND old.status NOT IN ('cancelled', 'merged'))
         <> (new.paid_at IS NOT NULL AND new.status NOT IN ('cancelled', 'merged'))
     OR old.placed_at <> new.placed_at OR old.customer_id <> new.customer_id BEGIN
    DELETE FROM kpi_paid_orders WHERE customer_id = old.customer_id;
    INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
    SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain WHERE customer_id = old.customer_id;
    DELETE FROM kpi_paid_orders WHERE customer_id = new.customer_id;
    INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
    SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain WHERE customer_id = new.customer_id;
END;
CREATE TRIGGER orders_chain_ad AFTER DELETE ON orders BEGIN
    DELETE FROM kpi_paid_orders WHERE customer_id = old.customer_id;
    INSERT INTO kpi_paid_orders (order_id, customer_id, placed_at, prev_at, prev2_at)
    SELECT order_id, customer_id, placed_at, prev_at, prev2_at FROM kpi_paid_chain WHERE customer_id = old.customer_id;
END;
-- A reviewer's claim on an application awaiting review (issue 11), so two
-- reviewers do not take the same one: `merchant claim` or `start-review`
-- takes it, a decision or `release` ends it. Another reviewer's review
-- verbs are refused while it is fresh, unless the owner's.
CREATE TABLE merchant_claims (
    merchant_id INTEGER PRIMARY KEY REFERENCES merchants (id),
    claimed_by  TEXT    NOT NULL CHECK (length(claimed_by) > 0),
    claimed_at  TEXT    NOT NULL
);

-- Merchant review settings beside `settings` (one row): after how many
-- minutes another reviewer may take a claim over.
CREATE TABLE merchant_review_settings (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    claim_takeover_minutes INTEGER NOT NULL DEFAULT 240 CHECK (claim_takeover_minutes > 0)
);
INSERT INTO merchant_review_settings (id) VALUES (1);

-- Merchant settlement (SPEC 4.6, docs/settlement.md). A statement is one
-- merchant's figures for one period of shop-time dates [period_from,
-- period_to]; its payable is the formula below, to the fen.
CREATE TABLE settlement_statements (
    id               INTEGER PRIMARY KEY,
    merchant_id      INTEGER NOT NULL REFERENCES merchants (id),
    period_from      TEXT    NOT NULL CHECK (period_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    period_to        TEXT    NOT NULL CHECK (period_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    status           TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'confirmed', 'paid')),
    line_count       INTEGER NOT NULL DEFAULT 0 CHECK (line_count >= 0),
    sales_minor      INTEGER NOT NULL DEFAULT 0 CHECK (sales_minor >= 0),
    commission_minor INTEGER NOT NULL DEFAULT 0 CHECK (commission_minor BETWEEN 0 AND sales_minor),
    refunds_minor    INTEGER NOT NULL DEFAULT 0 CHECK (refunds_minor >= 0),
    fee_minor        INTEGER NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
    -- A negative payable of the statement just before, carried once.
    carried_in_minor INTEGER NOT NULL DEFAULT 0 CHECK (carried_in_minor <= 0),
    carried_from     INTEGER UNIQUE REFERENCES settlement_statements (id),
    payable_minor    INTEGER NOT NULL DEFAULT 0,
    pay_ref          TEXT    CHECK (pay_ref IS NULL OR length(pay_ref) > 0),
    computed_at      TEXT    NOT NULL,
    confirmed_at     TEXT,
    confirmed_by     TEXT,
    paid_at          TEXT,
    paid_by          TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (merchant_id, period_from, period_to),
    CHECK (period_from <= period_to),
    CHECK (carried_from IS NOT NULL OR carried_in_minor = 0),
    CHECK (carried_from IS NULL OR carried_from <> id),
    CHECK (payable_minor = sales_minor - commission_minor - refunds_minor - fee_minor + carried_in_minor),
    CHECK ((status = 'draft') = (confirmed_at IS NULL)),
    CHECK ((status = 'paid') = (pay_ref IS NOT NULL AND paid_at IS NOT NULL)),
    CHECK (status <> 'paid' OR payable_minor > 0)
);
CREATE INDEX settlement_statements_period ON settlement_statements (period_from, period_to);
-- Statements of one merchant never overlap.
CREATE TRIGGER settlement_statements_no_overlap BEFORE INSERT ON settlement_statements
WHEN EXISTS (SELECT 1 FROM settlement_statements s WHERE s.merchant_id = new.merchant_id
             AND s.period_from <= new.period_to AND s.period_to >= new.period_from) BEGIN
    SELECT RAISE(ABORT, 'statements of a merchant cannot overlap');
END;
CREATE TRIGGER settlement_statements_no_overlap_update BEFORE UPDATE OF merchant_id, period_from, period_to ON settlement_statements
WHEN EXISTS (SELECT 1 FROM settlement_statements s WHERE s.merchant_id = new.merchant_id AND s.id <> new.id
             AND s.period_from <= new.period_to AND s.period_to >= new.period_from) BEGIN
    SELECT RAISE(ABORT, 'statements of a merchant cannot overlap');
END;
-- Confirmed is frozen; states only go forward; only a draft is deleted.
CREATE TRIGGER settlement_statements_frozen BEFORE UPDATE ON settlement_statements
WHEN old.status <> 'draft' AND (new.merchant_id <> old.merchant_id OR new.period_from <> old.period_from
     OR new.period_to <> old.period_to OR new.line_count <> old.line_count OR new.sales_minor <> old.sales_minor
     OR new.commission_minor <> old.commission_minor OR new.refunds_minor <> old.refunds_minor
     OR new.fee_minor <> old.fee_minor OR new.carried_in_minor <> old.carried_in_minor
     OR new.carried_from IS NOT old.carried_from OR new.payable_minor <> old.payable_minor
     OR new.status = 'draft' OR (old.status = 'paid' AND new.status <> 'paid')) BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_statements_keep BEFORE DELETE ON settlement_statements
WHEN old.status <> 'draft' BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;

-- One order line of a merchant's completed order on a statement: at most
-- once, ever (the order line is the key: a month of a large shop is
-- 700,000 rows, and the key costs no index of its own).
CREATE TABLE settlement_lines (
    order_line_id     INTEGER PRIMARY KEY REFERENCES order_lines (id),
    statement_id      INTEGER NOT NULL REFERENCES settlement_statements (id),
    order_id          INTEGER NOT NULL REFERENCES orders (id),
    completed_at      TEXT    NOT NULL,
    goods_minor       INTEGER NOT NULL CHECK (goods_minor BETWEEN 0 AND 10000000000),
    sales_minor       INTEGER NOT NULL CHECK (sales_minor BETWEEN goods_minor AND 20000000000),
    commission_bp     INTEGER NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000),
    commission_source TEXT    NOT NULL CHECK (commission_source IN ('merchant', 'category', 'default')),
    commission_minor  INTEGER NOT NULL CHECK (commission_minor BETWEEN 0 AND goods_minor)
);
CREATE INDEX settlement_lines_statement ON settlement_lines (statement_id);

-- A merchant's part of one refund (ticket refunds and dispute rulings; a
-- cancellation's refund is not charged): once per refund and merchant.
CREATE TABLE settlement_charges (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES settlement_statements (id),
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id),
    refund_id    INTEGER NOT NULL REFERENCES refunds (id),
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    refunded_at  TEXT    NOT NULL,
    refund_minor INTEGER NOT NULL CHECK (refund_minor BETWEEN 1 AND 10000000000),
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND refund_minor),
    UNIQUE (refund_id, merchant_id)
);
CREATE INDEX settlement_charges_statement ON settlement_charges (statement_id);
-- A confirmed statement's lines and charges cannot change.
CREATE TRIGGER settlement_lines_frozen_insert BEFORE INSERT ON settlement_lines
WHEN (SELECT status FROM settlement_statements WHERE id = new.statement_id) <> 'draft' BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_lines_frozen_update BEFORE UPDATE ON settlement_lines
WHEN (SELECT status FROM settlement_statements WHERE id IN (old.statement_id, new.statement_id) AND status <> 'draft') IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_lines_frozen_delete BEFORE DELETE ON settlement_lines
WHEN (SELECT status FROM settlement_statements WHERE id = old.statement_id) <> 'draft' BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_charges_frozen_insert BEFORE INSERT ON settlement_charges
WHEN (SELECT status FROM settlement_statements WHERE id = new.statement_id) <> 'draft' BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_charges_frozen_update BEFORE UPDATE ON settlement_charges
WHEN (SELECT status FROM settlement_statements WHERE id IN (old.statement_id, new.statement_id) AND status <> 'draft') IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
CREATE TRIGGER settlement_charges_frozen_delete BEFORE DELETE ON settlement_charges
WHEN (SELECT status FROM settlement_statements WHERE id = old.statement_id) <> 'draft' BEGIN
    SELECT RAISE(ABORT, 'a confirmed statement is frozen');
END;
