//! Styles. The default theme uses the 16 ANSI colours with bold/reverse; the
//! monochrome theme (NO_COLOR, `--color never`) uses modifiers only, so no
//! colour escape is ever written. Meaning never rests on colour alone: the
//! selected row has `▶`, statuses are words.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub monochrome: bool,
    pub base: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub header: Style,
    pub cursor: Style,
    pub selected: Style,
    pub status_bar: Style,
    pub hint: Style,
    pub hint_key: Style,
    pub dim: Style,
    pub warn: Style,
    pub error: Style,
    pub good: Style,
    pub title: Style,
    pub chip: Style,
    pub chip_active: Style,
    pub popup: Style,
}

impl Theme {
    pub fn new(monochrome: bool) -> Theme {
        if monochrome { Theme::mono() } else { Theme::color() }
    }

    pub fn color() -> Theme {
        let s = Style::default();
        Theme {
            monochrome: false,
            base: s,
            tab: s.fg(Color::Gray),
            tab_active: s.fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: s
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            cursor: s.add_modifier(Modifier::REVERSED),
            selected: s.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            status_bar: s.fg(Color::Black).bg(Color::Gray),
            hint: s.fg(Color::DarkGray),
            hint_key: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            dim: s.fg(Color::DarkGray),
            warn: s.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: s.fg(Color::Red).add_modifier(Modifier::BOLD),
            good: s.fg(Color::Green),
            title: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            chip: s.fg(Color::Gray),
            chip_active: s.fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
            popup: s,
        }
    }

    pub fn mono() -> Theme {
        let s = Style::default();
        let b = s.add_modifier(Modifier::BOLD);
        Theme {
            monochrome: true,
            base: s,
            tab: s,
            tab_active: s.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            header: s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            cursor: s.add_modifier(Modifier::REVERSED),
            selected: b,
            status_bar: s.add_modifier(Modifier::REVERSED),
            hint: s,
            hint_key: b,
            dim: s,
            warn: b,
            error: b,
            good: s,
            title: b,
            chip: s,
            chip_active: s.add_modifier(Modifier::REVERSED),
            popup: s,
        }
    }
}
