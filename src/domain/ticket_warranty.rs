//! The warranty rule for repairs (SPEC §4.4, issue 13 item 3): a repair is
//! accepted only while a product of the order is still under its warranty,
//! which runs `warranty_months` calendar months from delivery (in shop
//! time: delivered 31 January with one month ends 28/29 February).
//!
//! `products.warranty_months` is `NOT NULL DEFAULT 0`, so 0 is what every
//! product that never had a warranty entered holds: it means "not
//! recorded", not "no warranty". A repair on such a product is not refused
//! on a guess; the opening says the warranty was not checked and why.

use chrono::{DateTime, Months, TimeZone, Utc};

use super::ticket::TicketKind;

/// One product of the order as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    /// "M1:A 蓝牙耳机": how the refusal names it.
    pub name: String,
    /// Months of warranty; 0 = not recorded.
    pub months: i64,
}

/// What the rule says about opening a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not a repair, or a product still under warranty.
    Accepted,
    /// Accepted without a check: these products have no warranty recorded
    /// (and none of the others is still covered).
    Unchecked(Vec<String>),
    /// Refused: the rule and the dates.
    Refused(String),
}

/// `delivered + months` in shop time (the end of the warranty).
pub fn warranty_end(delivered: DateTime<Utc>, months: i64, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = delivered.with_timezone(&tz).naive_local();
    u32::try_from(months)
        .ok()
        .and_then(|m| local.checked_add_months(Months::new(m)))
        .and_then(|end| tz.from_local_datetime(&end).earliest())
        .map_or(DateTime::<Utc>::MAX_UTC, |end| end.with_timezone(&Utc))
}

/// Whether a `kind` ticket on an order delivered at `delivered` with these
/// products may be opened at `now`. Only repairs are bound.
pub fn repair_verdict(
    kind: TicketKind,
    delivered: Option<DateTime<Utc>>,
    products: &[Covered],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Verdict {
    if kind != TicketKind::Repair || products.is_empty() {
        return Verdict::Accepted;
    }
    let when = |t: DateTime<Utc>| super::calendar::shop_minute(t, tz);
    let Some(delivered) = delivered else {
        return Verdict::Refused(
            "a repair under warranty needs a delivered order (the warranty runs from delivery), \
             and this one has no delivery recorded"
                .to_string(),
        );
    };
    let (recorded, unrecorded): (Vec<&Covered>, Vec<&Covered>) = products.iter().partition(|p| p.months > 0);
    if recorded
        .iter()
        .any(|p| now <= warranty_end(delivered, p.months, tz))
    {
        return Verdict::Accepted;
    }
    if !unrecorded.is_empty() {
        return Verdict::Unchecked(unrecorded.iter().map(|p| p.name.clone()).collect());
    }
    let ended: Vec<String> = recorded
        .iter()
        .map(|p| {
            format!(
                "the {}-month warranty of {} ended {}",
                p.months,
                p.name,
                when(warranty_end(delivered, p.months, tz))
            )
        })
        .collect();
    Verdict::Refused(format!(
        "a repair under warranty is accepted only within the product's warranty months from delivery: {} (delivered {})",
        ended.join("; "),
        when(delivered)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn p(name: &str, months: i64) -> Covered {
        Covered {
            name: name.into(),
            months,
        }
    }

    /// Delivered 2026-01-31 10:00 shop time: one month ends 2026-02-28 10:00
    /// (the month is shorter), twelve end 2027-01-31 10:00.
    #[test]
    fn the_warranty_runs_calendar_months_from_delivery_in_shop_time() {
        let delivered = t("2026-01-31T02:00:00Z");
        assert_eq!(warranty_end(delivered, 1, SH), t("2026-02-28T02:00:00Z"));
        assert_eq!(warranty_end(delivered, 12, SH), t("2027-01-31T02:00:00Z"));
        // 2026-02-28 23:30 in Shanghai is still February there (15:30 UTC).
        let late_feb = t("2026-02-28T15:30:00Z");
        assert_eq!(warranty_end(late_feb, 1, SH), t("2026-03-28T15:30:00Z"));
    }

    #[test]
    fn repairs_within_the_warranty_are_accepted_and_after_it_refused_naming_the_dates() {
        let delivered = Some(t("2026-01-31T02:00:00Z"));
        let end = t("2026-02-28T02:00:00Z");
        let one = [p("M1:A 耳机", 1)];
        let v = |kind, products: &[Covered], now| repair_verdict(kind, delivered, products, now, SH);
        assert_eq!(v(TicketKind::Repair, &one, end), Verdict::Accepted);
        let after = end + chrono::TimeDelta::seconds(1);
        let Verdict::Refused(why) = v(TicketKind::Repair, &one, after) else {
            panic!("refused after the end");
        };
        assert!(
            why.contains("1-month warranty of M1:A 耳机 ended 2026-02-28 10:00")
                && why.contains("delivered 2026-01-31 10:00")
                && why.contains("warranty months from delivery"),
            "{why}"
        );
        // Only repairs are bound; a return after the warranty is the return window's business.
        assert_eq!(v(TicketKind::Return, &one, after), Verdict::Accepted);
        // One product still covered is enough (the ticket names no line).
        let two = [p("M1:A", 1), p("M1:B", 24)];
        assert_eq!(v(TicketKind::Repair, &two, after), Verdict::Accepted);
        // No delivery: refused, saying so.
        let Verdict::Refused(why) = repair_verdict(TicketKind::Repair, None, &one, after, SH) else {
            panic!("no delivery");
        };
        assert!(why.contains("no delivery recorded"), "{why}");
    }

    /// 0 is the column's default: "never entered", not "no warranty". Such a
    /// repair is opened, said to be unchecked, not silently refused.
    #[test]
    fn an_unrecorded_warranty_is_not_a_refusal() {
        let delivered = Some(t("2020-01-01T00:00:00Z"));
        let now = t("2026-11-20T10:00:00Z");
        let products = [p("M1:A", 0), p("M1:B", 12)];
        assert_eq!(
            repair_verdict(TicketKind::Repair, delivered, &products, now, SH),
            Verdict::Unchecked(vec!["M1:A".into()])
        );
        // Everything recorded and ended: refused, naming each product.
        let ended = [p("M1:B", 12), p("M1:C", 6)];
        let Verdict::Refused(why) = repair_verdict(TicketKind::Repair, delivered, &ended, now, SH) else {
            panic!("refused");
        };
        assert!(
            why.contains("M1:B ended 2021-01-01 08:00") && why.contains("M1:C ended 2020-07-01 08:00"),
            "{why}"
        );
    }
}
