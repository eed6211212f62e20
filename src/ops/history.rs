//! An entity's audit history for detail views: the rows, and what each
//! changed (`store::audit` reads them; this is the screens' way in).

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::Value as Json;

use crate::Result;
use crate::domain::text::one_line;
pub use crate::store::audit::{Change, REASON_FIELDS, REASON_SEP, Row, changes, reason};

/// Fields that hold a staff id, and the name people read instead.
const STAFF_FIELDS: [(&str, &str); 1] = [("assignee_id", "assignee")];

/// The newest `limit` rows about `entity` `id`, oldest first, with staff
/// ids shown as logins ("assignee: — → lin", not "assignee id: — → 3").
/// The rows are a copy for reading: the stored ones (and their hashes)
/// are untouched.
pub fn of(conn: &Connection, entity: &str, id: i64, limit: usize) -> Result<Vec<Row>> {
    let mut rows = crate::store::audit::history(conn, entity, id, limit)?;
    let mentions = |r: &Row| {
        STAFF_FIELDS.iter().any(|(f, _)| {
            [&r.before_json, &r.after_json]
                .iter()
                .any(|j| j.as_deref().is_some_and(|j| j.contains(f)))
        })
    };
    if !rows.iter().any(mentions) {
        return Ok(rows);
    }
    let logins: HashMap<i64, String> = crate::store::staff::all(conn)?
        .into_iter()
        .map(|s| (s.id, s.login))
        .collect();
    for r in rows.iter_mut().filter(|r| mentions(r)) {
        for j in [&mut r.before_json, &mut r.after_json] {
            *j = j.as_deref().map(|text| with_logins(text, &logins));
        }
    }
    Ok(rows)
}

/// An entry's headline: the action and its reason or note ("hold:
/// customer request"), names of states without underscores.
pub fn headline(r: &Row) -> String {
    let what = r.action.replace('_', " ");
    match reason(r) {
        Some(why) => {
            let why = why
                .split(REASON_SEP)
                .map(|part| {
                    if is_state_name(part) {
                        part.replace('_', " ")
                    } else {
                        one_line(part)
                    }
                })
                .collect::<Vec<_>>()
                .join(REASON_SEP);
            format!("{what}: {why}")
        }
        None => what,
    }
}

/// Each field the row changed, "status: paid → approved", times through
/// `time` and amounts through `money` (the face's shop time and currency);
/// a reason the headline already gives is left out.
pub fn changed_fields(r: &Row, time: &dyn Fn(&str) -> String, money: &dyn Fn(i64) -> String) -> Vec<String> {
    changes(r)
        .into_iter()
        .filter(|c| {
            let is_reason = REASON_FIELDS.contains(&c.field.as_str())
                && c.after
                    .as_ref()
                    .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
            !is_reason
        })
        .map(|c| {
            let value = |v: Option<&Json>| field_value(&c.field, v, time, money);
            format!(
                "{}: {} → {}",
                c.field.replace('_', " "),
                value(c.before.as_ref()),
                value(c.after.as_ref())
            )
        })
        .collect()
}

/// A field's value as people read it: times in shop time, amounts as
/// money, names of states without underscores, nothing as "—".
fn field_value(
    field: &str,
    v: Option<&Json>,
    time: &dyn Fn(&str) -> String,
    money: &dyn Fn(i64) -> String,
) -> String {
    match v {
        None | Some(Json::Null) => "—".to_string(),
        Some(Json::String(s)) if s.is_empty() => "—".to_string(),
        Some(Json::String(s)) if field.ends_with("_at") => time(s),
        Some(Json::String(s)) if is_state_name(s) => s.replace('_', " "),
        Some(Json::String(s)) => one_line(s),
        Some(Json::Number(n)) if field.ends_with("_minor") => n.as_i64().map_or_else(|| n.to_string(), money),
        Some(Json::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        Some(other) => one_line(&other.to_string()),
    }
}

/// "on_hold", "customer_request": a machine name of a state or a reason.
fn is_state_name(s: &str) -> bool {
    s.contains('_') && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// `text` (a JSON object) with each staff id field renamed and its id
/// replaced by the login (or `#id` for a login since removed).
fn with_logins(text: &str, logins: &HashMap<i64, String>) -> String {
    let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str(text) else {
        return text.to_string();
    };
    for (field, shown) in STAFF_FIELDS {
        if let Some(v) = m.remove(field) {
            let name = match v.as_i64() {
                Some(id) => serde_json::Value::String(logins.get(&id).cloned().unwrap_or(format!("#{id}"))),
                None => v,
            };
            m.insert(shown.to_string(), name);
        }
    }
    serde_json::Value::Object(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_ids_read_as_logins_and_a_removed_one_as_its_number() {
        let logins = HashMap::from([(3, "lin".to_string())]);
        let t = with_logins(r#"{"assignee_id":3,"status":"open"}"#, &logins);
        assert_eq!(t, r#"{"assignee":"lin","status":"open"}"#);
        assert_eq!(
            with_logins(r#"{"assignee_id":9}"#, &logins),
            r##"{"assignee":"#9"}"##
        );
        assert_eq!(
            with_logins(r#"{"assignee_id":null}"#, &logins),
            r#"{"assignee":null}"#
        );
        assert_eq!(with_logins("not json", &logins), "not json");
    }
}
