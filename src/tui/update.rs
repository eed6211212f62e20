//! `update`: an action changes the state and names the effects to run. No
//! database access here; moves that need rows become `Effect::Nav`.

use super::action::Action;
use super::app::{App, Chip, Effect, Nav, Overlay};
use super::screens::Tab;

pub fn update(app: &mut App, a: Action) -> Vec<Effect> {
    if a == Action::ForceQuit {
        return vec![Effect::Quit];
    }
    if app.overlay.is_some() {
        return overlay(app, a);
    }
    match a {
        Action::Quit => vec![Effect::Quit],
        Action::NextTab => switch(app, Tab::ALL[(app.tab.index() + 1) % Tab::ALL.len()]),
        Action::PrevTab => switch(
            app,
            Tab::ALL[(app.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()],
        ),
        a if let Some(t) = Tab::ALL.into_iter().find(|t| t.action() == a) => switch(app, t),
        Action::Help => {
            app.overlay = Some(Overlay::Help {
                scroll: 0,
                messages: false,
            });
            vec![]
        }
        Action::Messages => {
            let n = app.log.len();
            app.overlay = Some(Overlay::Help {
                // Open at the newest.
                scroll: n,
                messages: true,
            });
            vec![]
        }
        Action::Notices => vec![Effect::Notices { unsent_only: false }],
        Action::DelistReport => {
            super::overlays::report::open(app);
            vec![]
        }
        Action::Settlement => {
            super::overlays::settlement::open(app, None);
            vec![]
        }
        Action::Palette => {
            app.overlay = Some(Overlay::Palette {
                input: String::new(),
                selected: 0,
            });
            vec![]
        }
        a if super::verbs::handles(app, a) => super::verbs::update(app, a),
        _ if !app.tab.is_list() => app.tab.screen().key(app, a),
        _ if app.detail(app.tab).is_some() => detail(app, a),
        _ => list(app, a),
    }
}

fn switch(app: &mut App, tab: Tab) -> Vec<Effect> {
    app.tab = tab;
    if !tab.is_list() {
        return tab.screen().shown(app);
    }
    match app.list(tab) {
        Some(lv) if !lv.loaded => vec![Effect::Requery(tab)],
        Some(lv) if lv.stale => vec![Effect::Nav(tab, Nav::Reload)],
        _ => vec![],
    }
}

fn detail(app: &mut App, a: Action) -> Vec<Effect> {
    let tab = app.tab;
    let (w, h) = app.body_size();
    let page = h.max(2) as usize - 1;
    let fmt = app.fmt.clone();
    let theme = app.theme;
    let Some(d) = app.details[tab.index()].as_mut() else {
        return vec![];
    };
    let max = d.data.lines(&fmt, w, &theme).len().saturating_sub(page);
    match a {
        Action::Back => {
            app.details[tab.index()] = None;
            return vec![];
        }
        Action::Refresh => return vec![Effect::ReloadDetail(tab)],
        Action::Down => d.scroll += 1,
        Action::Up => d.scroll = d.scroll.saturating_sub(1),
        Action::PageDown => d.scroll += page,
        Action::PageUp => d.scroll = d.scroll.saturating_sub(page),
        Action::HalfPageDown => d.scroll += page / 2,
        Action::HalfPageUp => d.scroll = d.scroll.saturating_sub(page / 2),
        Action::FirstRow => d.scroll = 0,
        Action::LastRow => d.scroll = max,
        _ => {}
    }
    d.scroll = d.scroll.min(max);
    vec![]
}

fn list(app: &mut App, a: Action) -> Vec<Effect> {
    let tab = app.tab;
    let Some(lv) = app.list_mut(tab) else {
        return vec![];
    };
    let ps = lv.page_size.max(1);
    let len = lv.rows.len();
    match a {
        Action::Down => {
            if lv.cursor + 1 < len {
                lv.cursor += 1;
                vec![]
            } else {
                vec![Effect::Nav(tab, Nav::Forward(1))]
            }
        }
        Action::Up => {
            if lv.cursor > 0 {
                lv.cursor -= 1;
                vec![]
            } else {
                vec![Effect::Nav(tab, Nav::Backward(1))]
            }
        }
        Action::PageDown => vec![Effect::Nav(tab, Nav::Forward(ps))],
        Action::PageUp => vec![Effect::Nav(tab, Nav::Backward(ps))],
        Action::HalfPageDown => vec![Effect::Nav(tab, Nav::Forward((ps / 2).max(1)))],
        Action::HalfPageUp => vec![Effect::Nav(tab, Nav::Backward((ps / 2).max(1)))],
        Action::FirstRow => vec![Effect::Nav(tab, Nav::First)],
        Action::LastRow => vec![Effect::Nav(tab, Nav::Last)],
        Action::Open => match lv.current() {
            Some(r) => vec![Effect::OpenDetail(tab, r.id)],
            None => {
                app.enter_on_list(tab);
                vec![]
            }
        },
        Action::Back => {
            if lv.query.text().is_some() || lv.query.status.is_some() {
                clear_filters(app, tab)
            } else {
                vec![]
            }
        }
        Action::ToggleSelect => {
            let Some((id, version)) = lv.current().map(|r| (r.id, r.version)) else {
                return vec![];
            };
            // The version the row showed: a batch verb acts on that, or
            // reports a conflict.
            if lv.selected.remove(&id).is_none() {
                lv.selected.insert(id, version);
            }
            let label = super::verbs::selection_label(app).unwrap_or_else(|| "0 selected".into());
            app.say(label);
            update(app, Action::Down)
        }
        Action::ClearSelection => {
            lv.selected.clear();
            app.say("selection cleared");
            vec![]
        }
        Action::BulkActions => {
            let n = lv.selected.len();
            app.say(format!(
                "{n} selected — no bulk actions on {} yet (this screen is read-only)",
                tab.title()
            ));
            vec![]
        }
        Action::FilterText => {
            let input = lv.query.text.clone();
            app.overlay = Some(Overlay::Prompt { input });
            app.prompt_opened(tab);
            vec![]
        }
        Action::FilterStatus => vec![Effect::Chips(tab)],
        Action::ClearFilters => clear_filters(app, tab),
        Action::SortNext => sort_next(app, tab),
        Action::SortReverse => {
            lv.query.reversed = !lv.query.reversed;
            vec![Effect::Requery(tab)]
        }
        Action::Refresh => {
            let searched = lv.query.text().is_some();
            app.say("reloaded");
            if searched {
                // Search again: new rows may match now.
                vec![Effect::Requery(tab)]
            } else {
                vec![Effect::Nav(tab, Nav::Reload)]
            }
        }
        Action::Export => super::export::ask(app, super::export::Save::Export(tab)),
        _ => vec![],
    }
}

fn clear_filters(app: &mut App, tab: Tab) -> Vec<Effect> {
    if let Some(lv) = app.list_mut(tab) {
        lv.query.text.clear();
        lv.query.status = None;
    }
    app.say("filters cleared");
    vec![Effect::Requery(tab)]
}

/// The sort keys usable now: with a status filter only those backed by a
/// `(status, key)` index.
pub fn allowed_sorts(tab: Tab, with_status: bool) -> Vec<usize> {
    tab.screen()
        .sort_keys()
        .iter()
        .enumerate()
        .filter(|(_, k)| !with_status || k.with_status())
        .map(|(i, _)| i)
        .collect()
}

fn sort_next(app: &mut App, tab: Tab) -> Vec<Effect> {
    let Some(lv) = app.list_mut(tab) else {
        return vec![];
    };
    let allowed = allowed_sorts(tab, lv.query.status.is_some());
    let Some(pos) = allowed
        .iter()
        .position(|i| *i == lv.query.sort)
        .map(|p| p + 1)
        .or(Some(0))
    else {
        return vec![];
    };
    let Some(next) = allowed.get(pos % allowed.len().max(1)).copied() else {
        return vec![];
    };
    let changed = next != lv.query.sort;
    lv.query.sort = next;
    lv.query.reversed = false;
    let name = tab.screen().sort_keys().get(next).map_or("", |k| k.name);
    if changed {
        app.say(format!("sorted by {name}"));
        vec![Effect::Requery(tab)]
    } else {
        app.say(format!("with a status filter only \"{name}\" order is indexed"));
        vec![]
    }
}

/// Applies a status chosen in the picker.
pub fn apply_status(
    app: &mut App,
    tab: Tab,
    status: Option<crate::store::lists::StatusFilter>,
) -> Vec<Effect> {
    let Some(lv) = app.list_mut(tab) else {
        return vec![];
    };
    lv.query.status = status;
    let mut note = None;
    // A chip's "needs me" order, when it has one (most urgent first).
    let needs_me = lv
        .query
        .status
        .as_ref()
        .and_then(|s| s.needs_me_sort())
        .and_then(|name| {
            tab.screen()
                .sort_keys()
                .iter()
                .position(|k| k.name == name && k.with_status())
        });
    // A needs-me order does not follow into a chip without one (held
    // orders by ship-by would sort the whole queue): it opens in the
    // list's first indexed order.
    let other_needs_me = |k: &crate::store::lists::SortKey| {
        crate::store::lists::StatusFilter::NEEDS_ME_SORTS.contains(&k.name) && needs_me.is_none()
    };
    if let Some(i) = needs_me {
        // Said, or the bar would still name the order chosen before.
        if lv.query.sort != i || lv.query.reversed {
            note = tab
                .screen()
                .sort_keys()
                .get(i)
                .map(|k| format!("sorted by {} (most urgent first)", k.name));
        }
        lv.query.sort = i;
        lv.query.reversed = false;
    } else if lv.query.status.is_some()
        && !tab
            .screen()
            .sort_keys()
            .get(lv.query.sort)
            .is_some_and(|k| k.with_status() && !other_needs_me(k))
        && let Some(&i) = allowed_sorts(tab, true).first()
    {
        lv.query.sort = i;
        lv.query.reversed = false;
        note = tab
            .screen()
            .sort_keys()
            .get(i)
            .map(|k| format!("sorted by {} (indexed with a status filter)", k.name));
    }
    if let Some(n) = note {
        app.say(n);
    }
    vec![Effect::Requery(tab)]
}

/// Palette entries matching the typed text (name or description).
pub fn palette_matches(input: &str) -> Vec<Action> {
    let q = input.trim().to_lowercase();
    let mut found = Action::all()
        .into_iter()
        .filter(|a| {
            !matches!(
                a,
                Action::Submit
                    | Action::Cancel
                    | Action::DeleteBack
                    | Action::ClearInput
                    | Action::Palette
                    | Action::NextField
                    | Action::PrevField
                    | Action::ChoiceNext
                    | Action::ChoicePrev
                    | Action::EditExternal
            )
        })
        .filter_map(|a| {
            // Every word typed, in the name or the help: "settlement pay"
            // finds settlement_pay, "ship order" finds order_ship. Those
            // whose name has every word come first.
            let name = a.name();
            let help = a.description().to_lowercase();
            let words = || q.split_whitespace();
            if words().all(|w| name.contains(w)) {
                Some((name != q.replace(' ', "_"), false, a))
            } else if words().all(|w| name.contains(w) || help.contains(w)) {
                Some((true, true, a))
            } else {
                None
            }
        })
        .collect::<Vec<_>>();
    found.sort_by_key(|&(not_exact, in_help, _)| (not_exact, in_help));
    found.into_iter().map(|(_, _, a)| a).collect()
}

fn overlay(app: &mut App, a: Action) -> Vec<Effect> {
    let Some(ov) = app.overlay.take() else {
        return vec![];
    };
    match ov {
        Overlay::Help { mut scroll, messages } => match a {
            Action::Back | Action::Cancel | Action::Help | Action::Quit | Action::Messages => vec![],
            _ => {
                match a {
                    Action::Down => scroll += 1,
                    Action::Up => scroll = scroll.saturating_sub(1),
                    Action::PageDown => scroll += 10,
                    Action::PageUp => scroll = scroll.saturating_sub(10),
                    Action::FirstRow => scroll = 0,
                    Action::LastRow => scroll = usize::MAX / 2,
                    _ => {}
                }
                let max = super::overlays::help::line_count(app, messages).saturating_sub(4);
                app.overlay = Some(Overlay::Help {
                    scroll: scroll.min(max),
                    messages,
                });
                vec![]
            }
        },
        Overlay::Palette {
            mut input,
            mut selected,
        } => {
            let n = palette_matches(&input).len();
            match a {
                Action::Cancel | Action::Back => return vec![],
                Action::Submit => {
                    return match palette_matches(&input).get(selected) {
                        Some(&action) => update(app, action),
                        None => {
                            app.warn(format!("no action matches \"{input}\""));
                            vec![]
                        }
                    };
                }
                Action::Down => selected = (selected + 1).min(n.saturating_sub(1)),
                Action::Up => selected = selected.saturating_sub(1),
                Action::DeleteBack => {
                    input.pop();
                    selected = 0;
                }
                Action::ClearInput => {
                    input.clear();
                    selected = 0;
                }
                _ => {}
            }
            app.overlay = Some(Overlay::Palette { input, selected });
            vec![]
        }
        // The list follows the text as it is typed (search.rs).
        Overlay::Prompt { mut input } => match a {
            Action::Cancel | Action::Back => {
                app.prompt_cancelled();
                vec![]
            }
            Action::Submit => {
                app.prompt_submitted(&input);
                vec![]
            }
            _ => {
                match a {
                    Action::DeleteBack => {
                        input.pop();
                    }
                    Action::ClearInput => input.clear(),
                    _ => {}
                }
                app.overlay = Some(Overlay::Prompt { input: input.clone() });
                app.prompt_changed(&input);
                vec![]
            }
        },
        Overlay::Picker { chips, mut selected } => match a {
            Action::Cancel | Action::Back => vec![],
            Action::Submit => {
                let status = chips.get(selected).and_then(|c: &Chip| c.status.clone());
                apply_status(app, app.tab, status)
            }
            _ => {
                match a {
                    Action::Down => selected = (selected + 1).min(chips.len().saturating_sub(1)),
                    Action::Up => selected = selected.saturating_sub(1),
                    Action::FirstRow => selected = 0,
                    Action::LastRow => selected = chips.len().saturating_sub(1),
                    _ => {}
                }
                app.overlay = Some(Overlay::Picker { chips, selected });
                vec![]
            }
        },
        Overlay::Form(f) => super::verbs::form_key(app, f, a),
        Overlay::Menu(m) => super::verbs::menu_key(app, m, a),
        Overlay::SaveAs(s) => super::export::key(app, s, a),
        Overlay::Period(f) => app.tab.screen().form_key(app, f, a),
        Overlay::Notices(v) => {
            super::overlays::notices::key(app, v, a);
            vec![]
        }
        Overlay::Report(v) => {
            super::overlays::report::key(app, v, a);
            vec![]
        }
        Overlay::Settlement(v) => super::overlays::settlement::key(app, v, a),
        Overlay::Confirm { prompt, effect } => match a {
            Action::Submit => vec![*effect],
            Action::Cancel | Action::Back => {
                app.say("answered no: nothing changed");
                vec![]
            }
            _ => {
                app.overlay = Some(Overlay::Confirm { prompt, effect });
                vec![]
            }
        },
    }
}
