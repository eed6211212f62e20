//! A menu of choices in a popup (the `a` action menu, the hold reasons).
//! Unavailable entries stay in the list, dimmed, with the reason, so nothing
//! goes silently missing; headings group entries and cannot be chosen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::{fit, truncate};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<T> {
    /// The key that does the same outside the menu ("" for none).
    pub key: String,
    pub label: String,
    /// Why it cannot be chosen now.
    pub unavailable: Option<String>,
    /// `None` for a heading.
    pub pick: Option<T>,
}

impl<T> Item<T> {
    pub fn heading(label: impl Into<String>) -> Item<T> {
        Item {
            key: String::new(),
            label: label.into(),
            unavailable: None,
            pick: None,
        }
    }

    pub fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        unavailable: Option<String>,
        pick: T,
    ) -> Item<T> {
        Item {
            key: key.into(),
            label: label.into(),
            unavailable,
            pick: Some(pick),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu<T> {
    pub title: String,
    pub items: Vec<Item<T>>,
    pub selected: usize,
}

/// What a key did to the menu.
pub enum Outcome<T> {
    Stay,
    Close,
    /// An entry was chosen: its pick, or why it is unavailable.
    Chosen(Result<T, String>),
}

impl<T: Clone> Menu<T> {
    /// Starts on the first available entry.
    pub fn new(title: impl Into<String>, items: Vec<Item<T>>) -> Menu<T> {
        let selected = items
            .iter()
            .position(|i| i.pick.is_some() && i.unavailable.is_none())
            .or_else(|| items.iter().position(|i| i.pick.is_some()))
            .unwrap_or(0);
        Menu {
            title: title.into(),
            items,
            selected,
        }
    }

    fn step(&mut self, delta: isize) {
        let n = self.items.len() as isize;
        let mut i = self.selected as isize;
        for _ in 0..n {
            i += delta;
            if i < 0 || i >= n {
                return;
            }
            if self.items[i as usize].pick.is_some() {
                self.selected = i as usize;
                return;
            }
        }
    }

    pub fn key(&mut self, a: Action) -> Outcome<T> {
        match a {
            Action::Cancel | Action::Back | Action::Quit => return Outcome::Close,
            Action::Submit => {
                return match self.items.get(self.selected) {
                    Some(Item {
                        pick: Some(p),
                        unavailable: None,
                        ..
                    }) => Outcome::Chosen(Ok(p.clone())),
                    Some(Item {
                        label,
                        unavailable: Some(why),
                        ..
                    }) => Outcome::Chosen(Err(format!("{label}: {why}"))),
                    _ => Outcome::Stay,
                };
            }
            Action::Down => self.step(1),
            Action::Up => self.step(-1),
            Action::FirstRow => {
                self.selected = 0;
                if self.items.first().is_some_and(|i| i.pick.is_none()) {
                    self.step(1);
                }
            }
            Action::LastRow => {
                self.selected = self.items.len().saturating_sub(1);
                if self.items.last().is_some_and(|i| i.pick.is_none()) {
                    self.step(-1);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }
}

pub fn render<T>(f: &mut Frame<'_>, area: Rect, menu: &Menu<T>, footer: &str, t: &Theme) {
    let h = (menu.items.len() as u16 + 3).min(area.height.saturating_sub(2));
    let popup = super::centered(area, 68, h);
    let inner = popup.width.saturating_sub(2) as usize;
    let rows = popup.height.saturating_sub(3) as usize;
    let start = menu.selected.saturating_sub(rows.saturating_sub(1));
    let mut lines: Vec<Line<'static>> = menu
        .items
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, it)| {
            if it.pick.is_none() {
                return Line::from(Span::styled(
                    fit(&format!(" {}", it.label), inner, false),
                    t.header,
                ));
            }
            let mark = if i == menu.selected { "▶" } else { " " };
            let text = match &it.unavailable {
                None => format!("{mark} {} {}", fit(&it.key, 3, false), it.label),
                Some(why) => format!(
                    "{mark} {} {} — {why}",
                    fit(&it.key, 3, false),
                    fit(&it.label, 18, false)
                ),
            };
            let style = match (i == menu.selected, it.unavailable.is_some()) {
                (true, _) => t.cursor,
                (false, true) => t.dim,
                (false, false) => t.base,
            };
            Line::from(Span::styled(fit(&text, inner, false), style))
        })
        .collect();
    // Rows that did not fit are said, not silently cut (the cursor scrolls
    // to them).
    let below = menu.items.len().saturating_sub(start + rows);
    let more = match (start, below) {
        (0, 0) => String::new(),
        (0, b) => format!("↓ {b} more · "),
        (a, 0) => format!("↑ {a} more · "),
        (a, b) => format!("↑ {a} ↓ {b} more · "),
    };
    lines.push(Line::from(Span::styled(
        truncate(&format!(" {more}{footer}"), inner),
        t.hint,
    )));
    super::popup(f, popup, &menu.title, lines, t);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn shown(menu: &Menu<usize>) -> String {
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| render(f, f.area(), menu, "enter choose", &Theme::mono()))
            .unwrap();
        let buf = term.backend().buffer();
        (0..24)
            .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_menu_taller_than_the_screen_says_how_many_rows_are_out_of_view() {
        let items = (0..30)
            .map(|i| Item::new("", format!("verb {i}"), None, i))
            .collect();
        let mut menu = Menu::new("actions", items);
        let top = shown(&menu);
        assert!(top.contains("verb 0") && top.contains("↓ 11 more"), "{top}");
        menu.key(Action::LastRow);
        let bottom = shown(&menu);
        assert!(
            bottom.contains("verb 29") && bottom.contains("↑ 11 more"),
            "{bottom}"
        );
        menu.selected = 20;
        assert!(shown(&menu).contains("↑ 2 ↓ 9 more"));
    }
}
