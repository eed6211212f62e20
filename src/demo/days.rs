//! When orders are placed: how many on each day of the window (growth,
//! weekends, shopping festivals) and at which hours (an evening peak).

use chrono::{Datelike, Days, NaiveDate};

use super::Ctx;
use super::util::{DAY, Dice, HOUR};

/// The order window, ending today.
pub const WINDOW_DAYS: u64 = 120;

/// Orders placed per local hour of the day, relative (evening peak).
const HOURLY: [u32; 24] = [
    4, 2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 7, 7, 7, 7, 7, 6, 6, 7, 9, 11, 12, 11, 7,
];

/// One day of the window and how many orders it gets.
pub struct DayPlan {
    pub date: NaiveDate,
    pub start: i64,
    pub end: i64,
    pub orders: usize,
}

impl DayPlan {
    /// A placement time in the day, following the hourly pattern.
    pub fn sample(&self, d: &mut Dice) -> i64 {
        let span = (self.end - self.start).max(1);
        let hour = d.weighted(&HOURLY) as i64;
        let t = self.start + hour * HOUR + d.range(0, HOUR - 1);
        if t < self.end {
            t
        } else {
            self.start + d.range(0, span - 1)
        }
    }
}

/// Orders per day: growing over the window, busier at weekends and on the
/// shopping festivals (11.11, 12.12, 6.18), quieter over National Day.
pub fn plan(ctx: &Ctx<'_>, total: usize) -> Vec<DayPlan> {
    let first = ctx.today - Days::new(WINDOW_DAYS - 1);
    let mut days = Vec::new();
    let mut weights = Vec::new();
    for k in 0..WINDOW_DAYS {
        let date = first + Days::new(k);
        let (start, end) = ctx.sla.day_bounds(date);
        let end = end.min(ctx.now);
        if end <= start {
            continue;
        }
        let mut w = 0.8 + 0.4 * k as f64 / (WINDOW_DAYS - 1) as f64;
        w *= match date.weekday().number_from_monday() {
            6 | 7 => 1.15,
            5 => 1.05,
            _ => 1.0,
        };
        w *= match (date.month(), date.day()) {
            (11, 11) => 3.5,
            (11, 10) => 1.6,
            (11, 12) => 1.4,
            (12, 12) => 2.0,
            (6, 18) => 2.5,
            (10, 1..=7) => 0.85,
            _ => 1.0,
        };
        // Today only counts the hours gone by.
        let full = DAY.max(end - start);
        if end - start < full {
            let elapsed_h = ((end - start) / HOUR) as usize;
            let sum: u32 = HOURLY.iter().sum();
            let part: u32 = HOURLY.iter().take(elapsed_h).sum();
            w *= f64::from(part.max(1)) / f64::from(sum);
        }
        weights.push(w);
        days.push(DayPlan {
            date,
            start,
            end,
            orders: 0,
        });
    }
    let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut acc = 0.0;
    let mut given = 0usize;
    for (p, w) in days.iter_mut().zip(&weights) {
        acc += w;
        let upto = ((acc / sum) * total as f64).round() as usize;
        p.orders = upto.saturating_sub(given);
        given = given.max(upto);
    }
    days
}
