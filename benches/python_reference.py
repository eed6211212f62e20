#!/usr/bin/env python3
"""Machine-speed yardstick for the import target (issue 8, docs/PERFORMANCE.md).

The issue set the 100,000 lines/s target beside a plain Python script that
inserted the same rows into normalised orders/lines tables in one
transaction (67,000 lines/s on that week's machine). Machines here change
speed between sessions by up to three times, so this script reproduces
that comparison on whatever machine runs the bench: no validation, no
audit, no stock, only a primary key and the lines' foreign key.

    BENCH_CSV=/tmp/orders.csv BENCH_RUNS=1 cargo bench --bench import
    python3 benches/python_reference.py /tmp/orders.csv
"""

import csv
import os
import sqlite3
import sys
import tempfile
import time

SCHEMA = """
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL, external_id TEXT NOT NULL, placed_at TEXT NOT NULL,
  status TEXT NOT NULL, customer_ref TEXT, customer_name TEXT,
  customer_phone TEXT, ship_address TEXT, ship_city TEXT,
  shipping_fee TEXT, paid_at TEXT, shipped_at TEXT, delivered_at TEXT,
  promised_at TEXT, carrier TEXT, tracking_no TEXT
);
CREATE TABLE order_lines (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  merchant_code TEXT NOT NULL, sku TEXT NOT NULL,
  qty INTEGER NOT NULL, unit_price TEXT NOT NULL
);
"""


def load(path, db):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.executescript(SCHEMA)
    t = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    ids = {}
    lines = 0
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f)
        for r in rows:
            key = (r["channel"], r["external_id"])
            oid = ids.get(key)
            if oid is None:
                cur = con.execute(
                    "INSERT INTO orders (channel, external_id, placed_at, status,"
                    " customer_ref, customer_name, customer_phone, ship_address,"
                    " ship_city, shipping_fee, paid_at, shipped_at, delivered_at,"
                    " promised_at, carrier, tracking_no)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r["channel"], r["external_id"], r["placed_at"], r["status"],
                     r["customer_ref"], r["customer_name"], r["customer_phone"],
                     r["ship_address"], r["ship_city"], r["shipping_fee"],
                     r["paid_at"], r["shipped_at"], r["delivered_at"],
                     r["promised_at"], r["carrier"], r["tracking_no"]),
                )
                oid = cur.lastrowid
                ids[key] = oid
            con.execute(
                "INSERT INTO order_lines (order_id, merchant_code, sku, qty, unit_price)"
                " VALUES (?,?,?,?,?)",
                (oid, r["merchant_code"], r["sku"], int(r["qty"]), r["unit_price"]),
            )
            lines += 1
    con.execute("COMMIT")
    secs = time.perf_counter() - t
    con.close()
    return lines, secs


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python_reference.py ORDERS.csv")
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    best = None
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as d:
            lines, secs = load(sys.argv[1], os.path.join(d, "ref.db"))
        times.append(secs)
        best = secs if best is None else min(best, secs)
    print(
        f"python reference: {lines} lines in {best:.2f}s = {lines / best:.0f} lines/s"
        f" (all runs: {', '.join(f'{s:.2f}s' for s in times)})"
    )


if __name__ == "__main__":
    main()
