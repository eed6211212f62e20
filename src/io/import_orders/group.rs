//! Grouping parsed lines into orders by (channel, external_id): the lines
//! of one order must agree on the order's fields; a bad line makes its
//! whole order bad.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Head, Line, check_head, disagreements};
use crate::domain::limits::quote;
use crate::domain::order::OrderStatus;
use crate::io::csv_in::Problem;

/// One order gathered from its lines.
#[derive(Debug)]
pub struct Draft {
    pub head: Head,
    pub first_line: u64,
    pub lines: Vec<Line>,
    /// Every file line of this order, good or bad (for the reject file).
    pub file_lines: Vec<u64>,
    pub problems: Vec<Problem>,
    /// No good row of this order has been seen: `head` is a placeholder.
    pub headless: bool,
}

impl Draft {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Groups rows into orders by (channel, external_id), in first-seen order.
#[derive(Debug, Default)]
pub struct Grouper {
    index: HashMap<(String, String), usize>,
    pub drafts: Vec<Draft>,
    /// Problems of rows that name no order at all.
    pub loose: Vec<Problem>,
    /// The order of the last row added: where a row with the same order
    /// fields (`Parsed` with no head) belongs.
    prev: Option<usize>,
    /// The head of the last row when its SKU was not found and its order
    /// has no head yet: a following row with the same order fields takes
    /// it, as it would have taken its own.
    held_head: Option<Head>,
    /// Drafts below this index may have been written already (an import
    /// writes orders while it still reads the file).
    pub frozen: usize,
    /// A row belonged to a frozen draft: what was written from it is stale.
    pub reopened: bool,
}

impl Grouper {
    /// The index of the order with this key; `drafts.len()` when it is new
    /// (the caller then pushes it).
    fn find_or_reserve(&mut self, channel: &str, external_id: &str) -> usize {
        let n = self.drafts.len();
        if let Some(last) = self.drafts.last()
            && last.head.channel == channel
            && last.head.external_id == external_id
        {
            self.touch(n - 1);
            return n - 1;
        }
        let idx = *self
            .index
            .entry((channel.to_string(), external_id.to_string()))
            .or_insert(n);
        self.touch(idx);
        idx
    }

    /// Notes a row added to draft `idx`.
    fn touch(&mut self, idx: usize) {
        if idx < self.frozen {
            self.reopened = true;
        }
    }

    /// A good row: starts its order or must agree with the order's first line.
    pub fn add(&mut self, head: Head, line: Line) {
        let idx = self.find_or_reserve(&head.channel, &head.external_id);
        self.prev = Some(idx);
        self.held_head = None;
        let file_line = line.line;
        if idx == self.drafts.len() {
            self.drafts.push(Draft {
                problems: check_head(&head, file_line),
                head,
                first_line: file_line,
                lines: vec![line],
                file_lines: vec![file_line],
                headless: false,
            });
            return;
        }
        let d = &mut self.drafts[idx];
        d.file_lines.push(file_line);
        if d.headless {
            // The order's earlier rows were all bad; this one is its head now.
            d.problems.extend(check_head(&head, file_line));
            d.head = head;
            d.headless = false;
        } else {
            for (col, first, this) in disagreements(&d.head, &head) {
                d.problems.push(Problem::new(
                    file_line,
                    col,
                    format!(
                        "{} disagrees with {} on line {} of the same order {}",
                        quote(&this),
                        quote(&first),
                        d.first_line,
                        d.head.label()
                    ),
                ));
            }
        }
        d.lines.push(line);
    }

    /// A good row whose order fields are those of the row before it (its
    /// head was not parsed again): the same order. False when there was no
    /// row before it to belong to.
    pub fn add_same(&mut self, line: Line) -> bool {
        if let Some(i) = self.prev {
            self.touch(i);
        }
        let Some(d) = self.prev.and_then(|i| self.drafts.get_mut(i)) else {
            return false;
        };
        let file_line = line.line;
        d.file_lines.push(file_line);
        if d.headless
            && let Some(head) = self.held_head.take()
        {
            d.problems.extend(check_head(&head, file_line));
            d.head = head;
            d.headless = false;
        }
        d.lines.push(line);
        true
    }

    /// A row that parsed but whose SKU was not found: its order is bad.
    /// `head` is None when the row had the order fields of the row before.
    pub fn add_unresolved(&mut self, head: Option<Head>, line: u64, problem: Problem) -> bool {
        match head {
            Some(head) => {
                let key = (head.channel.clone(), head.external_id.clone());
                self.add_bad(Some(key), line, vec![problem]);
                if self
                    .prev
                    .and_then(|i| self.drafts.get(i))
                    .is_some_and(|d| d.headless)
                {
                    self.held_head = Some(head);
                }
                true
            }
            None => {
                if let Some(i) = self.prev {
                    self.touch(i);
                }
                let Some(d) = self.prev.and_then(|i| self.drafts.get_mut(i)) else {
                    return false;
                };
                d.file_lines.push(line);
                d.problems.push(problem);
                true
            }
        }
    }

    /// A bad row: its order (when it names one) is bad too.
    pub fn add_bad(&mut self, key: Option<(String, String)>, line: u64, problems: Vec<Problem>) {
        self.held_head = None;
        let Some((channel, external_id)) = key else {
            self.prev = None;
            self.loose.extend(problems);
            return;
        };
        let idx = self.find_or_reserve(&channel, &external_id);
        self.prev = Some(idx);
        if idx == self.drafts.len() {
            self.drafts.push(Draft {
                head: Head {
                    channel,
                    external_id,
                    placed_at: DateTime::<Utc>::UNIX_EPOCH,
                    status: OrderStatus::PendingPayment,
                    customer_ref: String::new(),
                    customer_name: String::new(),
                    customer_phone: String::new(),
                    ship_address: String::new(),
                    ship_city: String::new(),
                    paid_at: None,
                    shipped_at: None,
                    delivered_at: None,
                    promised_at: None,
                    carrier: None,
                    tracking_no: None,
                },
                first_line: line,
                lines: Vec::new(),
                file_lines: Vec::new(),
                problems: Vec::new(),
                headless: true,
            });
        }
        let d = &mut self.drafts[idx];
        d.file_lines.push(line);
        d.problems.extend(problems);
    }
}
