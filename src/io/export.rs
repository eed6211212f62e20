//! Writing exports: CSV with the import files' columns (so an export
//! re-imports), or JSON (an array of objects whose keys are those same
//! column names, in that order). Rows are written as they arrive.

use std::io::Write;

use chrono::{DateTime, SecondsFormat};

use crate::domain::money::{Money, format_bp};
use crate::domain::pii::PiiMask;
use crate::store::import::catalog::{MerchantRow, ProductRow};
use crate::store::import::export::{OrderLineRow, TicketRow};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Csv,
    Json,
}

/// One field's value: text, a whole number, money (decimal text in both
/// formats, so it stays exact), or nothing (empty in CSV, null in JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Int(i64),
    Money(i64),
    Null,
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::Text(s.clone()))
}

/// How values are shown: times in the shop's zone, personal data as the
/// reader's role may see it (`domain::pii`, the policy every face uses).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub tz: chrono_tz::Tz,
    pub pii: PiiMask,
}

impl Style {
    /// A stored UTC stamp as RFC 3339 with the shop's offset
    /// ("2026-11-01T10:00:00+08:00"); imports read it back exactly.
    fn time(&self, stamp: &str) -> Value {
        match DateTime::parse_from_rfc3339(stamp) {
            Ok(t) => Value::Text(
                t.with_timezone(&self.tz)
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
            Err(_) => text(stamp),
        }
    }

    fn opt_time(&self, stamp: &Option<String>) -> Value {
        stamp.as_deref().map_or(Value::Null, |s| self.time(s))
    }
}

pub const MERCHANT_COLUMNS: &[&str] = &[
    "code",
    "name",
    "legal_name",
    "contact_name",
    "phone",
    "email",
    "address",
    "city",
    "license_no",
    "tax_id",
    "cooperation_mode",
    "commission_rate",
    "status",
    "applied_at",
    "credit_score",
];

pub fn merchant(m: &MerchantRow, credit_score: i64, st: &Style) -> Vec<Value> {
    vec![
        text(&m.code),
        text(&m.name),
        text(&m.legal_name),
        text(&m.contact_name),
        Value::Text(st.pii.phone(&m.phone)),
        Value::Text(st.pii.email(&m.email)),
        Value::Text(st.pii.address(&m.address)),
        text(&m.city),
        text(&m.license_no),
        text(&m.tax_id),
        text(&m.cooperation_mode),
        m.commission_bp
            .map_or(Value::Null, |bp| Value::Text(format_bp(bp))),
        text(&m.status),
        st.time(&m.applied_at),
        Value::Int(credit_score),
    ]
}

pub const PRODUCT_COLUMNS: &[&str] = &[
    "merchant_code",
    "sku",
    "title",
    "category",
    "price",
    "stock",
    "low_stock_threshold",
    "status",
    "description",
];

pub fn product(p: &ProductRow) -> Vec<Value> {
    vec![
        text(&p.merchant_code),
        text(&p.sku),
        text(&p.title),
        text(&p.category),
        Value::Money(p.price_minor),
        Value::Int(p.stock),
        Value::Int(p.low_stock_threshold),
        text(&p.status),
        text(&p.description),
    ]
}

pub const ORDER_COLUMNS: &[&str] = &[
    "channel",
    "external_id",
    "placed_at",
    "status",
    "customer_ref",
    "customer_name",
    "customer_phone",
    "ship_address",
    "ship_city",
    "merchant_code",
    "sku",
    "qty",
    "unit_price",
    "shipping_fee",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "promised_at",
    "carrier",
    "tracking_no",
];

pub fn order_line(o: &OrderLineRow, st: &Style) -> Vec<Value> {
    vec![
        text(&o.channel),
        text(&o.external_id),
        st.time(&o.placed_at),
        text(&o.status),
        text(&o.customer_ref),
        text(&o.customer_name),
        Value::Text(st.pii.phone(&o.customer_phone)),
        Value::Text(st.pii.address(&o.ship_address)),
        text(&o.ship_city),
        text(&o.merchant_code),
        text(&o.sku),
        Value::Int(o.qty),
        Value::Money(o.unit_price_minor),
        Value::Money(o.shipping_minor),
        st.opt_time(&o.paid_at),
        st.opt_time(&o.shipped_at),
        st.opt_time(&o.delivered_at),
        st.opt_time(&o.promised_at),
        opt(&o.carrier),
        opt(&o.tracking_no),
    ]
}

pub const TICKET_COLUMNS: &[&str] = &[
    "id",
    "channel",
    "external_id",
    "order_channel",
    "order_external_id",
    "kind",
    "status",
    "priority",
    "opened_at",
    "subject",
    "description",
    "resolution",
    "refund",
    "resolved_at",
    "closed_at",
];

pub fn ticket(t: &TicketRow, st: &Style) -> Vec<Value> {
    vec![
        Value::Int(t.id),
        opt(&t.channel),
        opt(&t.external_id),
        opt(&t.order_channel),
        opt(&t.order_external_id),
        text(&t.kind),
        text(&t.status),
        text(&t.priority),
        st.time(&t.opened_at),
        text(&t.subject),
        text(&t.description),
        opt(&t.resolution),
        Value::Money(t.refund_minor),
        st.opt_time(&t.resolved_at),
        st.opt_time(&t.closed_at),
    ]
}

/// Writes rows as they come; `finish` closes the JSON array and flushes.
pub struct Sink<W: Write> {
    format: Format,
    columns: &'static [&'static str],
    csv: Option<csv::Writer<W>>,
    json: Option<W>,
    rows: u64,
}

/// The message of the error an export stops with when its reader went away
/// (`shopdesk export orders | head`): the caller treats it as success.
pub const OUTPUT_CLOSED: &str = "the export's output was closed";

fn io_err(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::input(OUTPUT_CLOSED)
    } else {
        write_err(e)
    }
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_err(io),
        other => write_err(format!("{other:?}")),
    }
}

fn write_err(e: impl std::fmt::Display) -> Error {
    Error::input(format!("cannot write the export: {e}"))
}

impl<W: Write> Sink<W> {
    pub fn new(format: Format, columns: &'static [&'static str], out: W) -> Result<Sink<W>> {
        let mut sink = Sink {
            format,
            columns,
            csv: None,
            json: None,
            rows: 0,
        };
        match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(columns).map_err(csv_err)?;
                sink.csv = Some(w);
            }
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(io_err)?;
                sink.json = Some(out);
            }
        }
        Ok(sink)
    }

    pub fn row(&mut self, values: &[Value]) -> Result<()> {
        if let Some(w) = &mut self.csv {
            for v in values {
                match v {
                    Value::Text(s) => w.write_field(s),
                    Value::Int(n) => w.write_field(n.to_string()),
                    Value::Money(m) => w.write_field(Money(*m).to_string()),
                    Value::Null => w.write_field(""),
                }
                .map_err(csv_err)?;
            }
            w.write_record(None::<&[u8]>).map_err(csv_err)?;
        }
        if let Some(w) = &mut self.json {
            let mut obj = String::with_capacity(256);
            obj.push_str(if self.rows == 0 { "\n{" } else { ",\n{" });
            for (i, (k, v)) in self.columns.iter().zip(values).enumerate() {
                if i > 0 {
                    obj.push(',');
                }
                obj.push('"');
                obj.push_str(k);
                obj.push_str("\":");
                match v {
                    Value::Text(s) => obj.push_str(&serde_json::to_string(s).map_err(write_err)?),
                    Value::Int(n) => obj.push_str(&n.to_string()),
                    Value::Money(m) => {
                        obj.push('"');
                        obj.push_str(&Money(*m).to_string());
                        obj.push('"');
                    }
                    Value::Null => obj.push_str("null"),
                }
            }
            obj.push('}');
            w.write_all(obj.as_bytes()).map_err(io_err)?;
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<u64> {
        if let Some(mut w) = self.csv.take() {
            w.flush().map_err(io_err)?;
        }
        if let Some(mut w) = self.json.take() {
            w.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })
                .map_err(io_err)?;
            w.flush().map_err(io_err)?;
        }
        Ok(self.rows)
    }

    pub fn format(&self) -> Format {
        self.format
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_keep_column_order_and_exact_money() {
        let mut buf = Vec::new();
        let mut s = Sink::new(Format::Json, &["a", "price", "n", "none"], &mut buf).unwrap();
        s.row(&[text("x\"y"), Value::Money(1250), Value::Int(3), Value::Null])
            .unwrap();
        s.finish().unwrap();
        let out = String::from_utf8(buf).unwrap();
        assert_eq!(
            out,
            "[\n{\"a\":\"x\\\"y\",\"price\":\"12.50\",\"n\":3,\"none\":null}\n]\n"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["price"], "12.50");
    }

    #[test]
    fn csv_quotes_newlines() {
        let mut buf = Vec::new();
        let mut s = Sink::new(Format::Csv, &["a", "b"], &mut buf).unwrap();
        s.row(&[text("line1\nline2"), Value::Money(5)]).unwrap();
        s.finish().unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "a,b\n\"line1\nline2\",0.05\n");
    }
}
