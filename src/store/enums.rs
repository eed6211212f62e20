//! The domain's stored enums (`text_enum!` types) as SQL values: written as
//! their exact spelling, read back only from it. The domain knows nothing of
//! rusqlite, so the conversions live here.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Row, ToSql};

use crate::domain::merchant::{DocStatus, MerchantStatus};
use crate::domain::order::{HoldReason, OrderStatus};
use crate::domain::product::ProductStatus;
use crate::domain::ticket::{Priority, TicketStatus};

/// A stored value that is not one of its type's spellings.
#[derive(Debug)]
struct Unknown {
    what: &'static str,
    text: String,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.text)
    }
}

impl std::error::Error for Unknown {}

/// A conversion error already naming its row (rusqlite shows it as is).
#[derive(Debug)]
struct AtRow(String);

impl std::fmt::Display for AtRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AtRow {}

macro_rules! sql_text {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.as_str().as_bytes())))
            }
        }

        impl FromSql for $t {
            /// Exactly the stored spelling: the loose parsing of `FromStr`
            /// is for people, not for the file.
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t>::ALL.iter().copied().find(|x| x.as_str() == s).ok_or_else(|| {
                    FromSqlError::Other(Box::new(Unknown {
                        what: $what,
                        text: s.to_string(),
                    }))
                })
            }
        }
    )*};
}

sql_text! {
    MerchantStatus => "merchant status",
    ProductStatus => "product status",
    OrderStatus => "order status",
    HoldReason => "hold reason",
    TicketStatus => "ticket status",
    Priority => "priority",
    DocStatus => "document status",
}

/// `'a', 'b'`: stored spellings as SQL literals, for a condition that must
/// repeat a partial index's WHERE or names a fixed set from the domain
/// (our own constants, never input).
pub(crate) fn literals<T: Copy>(set: &[T], spell: fn(T) -> &'static str) -> String {
    set.iter()
        .map(|s| format!("'{}'", spell(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Column `idx` of a row of `table` whose id is column 0, converted; a value
/// that does not convert is an error naming the table, the row and the
/// column ("orders row 17, column status: unknown order status \"lost\"").
pub(crate) fn get<T: FromSql>(r: &Row<'_>, idx: usize, table: &str) -> rusqlite::Result<T> {
    r.get(idx).map_err(|e| match e {
        rusqlite::Error::FromSqlConversionFailure(_, ty, err) => {
            let id = r
                .get_ref(0)
                .ok()
                .and_then(|v| v.as_i64().ok())
                .map_or("?".to_string(), |i| i.to_string());
            let col = r.as_ref().column_name(idx).unwrap_or("?");
            rusqlite::Error::FromSqlConversionFailure(
                usize::MAX,
                ty,
                Box::new(AtRow(format!("{table} row {id}, column {col}: {err}"))),
            )
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_text_names_the_row() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT); INSERT INTO t VALUES (17, 'lost');",
        )
        .unwrap();
        conn.execute("INSERT INTO t VALUES (18, ?1)", [OrderStatus::OnHold])
            .unwrap();
        let ok: OrderStatus = conn
            .query_row("SELECT id, status FROM t WHERE id = 18", [], |r| get(r, 1, "t"))
            .unwrap();
        assert_eq!(ok, OrderStatus::OnHold);
        let err = conn
            .query_row("SELECT id, status FROM t WHERE id = 17", [], |r| {
                get::<OrderStatus>(r, 1, "orders")
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "orders row 17, column status: unknown order status \"lost\""
        );
        // Loose spellings people may type are not stored spellings.
        conn.execute("UPDATE t SET status = 'On-Hold' WHERE id = 18", [])
            .unwrap();
        assert!(
            conn.query_row(
                "SELECT id, status FROM t WHERE id = 18",
                [],
                |r| get::<OrderStatus>(r, 1, "t")
            )
            .is_err()
        );
    }
}
