//! A small deterministic shop for the TUI tests: `ops::staff::init`, then the
//! rows of `tests/fixtures/tui_data.sql` (CJK names and titles), a support
//! login and some audit history. The clock is passed to the app, not set in
//! the environment, so tests can run in parallel.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use shopdesk::domain::Role;
use shopdesk::ops::Session;
use shopdesk::tui::app::App;
use shopdesk::tui::keymap::Keymap;
use shopdesk::tui::theme::Theme;

pub const NOW: &str = "2026-11-22T06:00:00Z";

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&Utc)
}

pub fn fixture_sql(m: u32, p: u32, c: u32, o: u32, t: u32) -> String {
    include_str!("../fixtures/tui_data.sql")
        .replace("{M}", &m.to_string())
        .replace("{P}", &p.to_string())
        .replace("{C}", &c.to_string())
        .replace("{O}", &o.to_string())
        .replace("{T}", &t.to_string())
}

/// Builds the shop in `dir` and returns its path.
pub fn shop(dir: &Path) -> PathBuf {
    let path = dir.join("shop.db");
    shopdesk::ops::staff::init(&path, "owner", "测试小铺", "CNY", "Asia/Shanghai").unwrap();
    let conn = shopdesk::store::open(&path).unwrap();
    conn.execute_batch(&fixture_sql(12, 60, 40, 200, 40)).unwrap();
    for (i, action) in ["pay", "approve", "pick"].iter().enumerate() {
        let at = format!("2026-11-22T05:{:02}:00Z", 10 + i * 5);
        shopdesk::store::audit::append(
            &conn,
            &shopdesk::store::audit::Entry {
                at: &at,
                actor: "owner",
                entity: "order",
                entity_id: 3,
                action,
                before: None,
                after: None,
            },
        )
        .unwrap();
    }
    drop(conn);
    let mut owner = Session::open_as(&path, "owner").unwrap();
    shopdesk::ops::staff::add(&mut owner, "lin", Role::Support).unwrap();
    path
}

pub fn app_as(path: &Path, login: &str, w: u16, h: u16) -> App {
    let session = Session::open_as(path, login).unwrap();
    let mut app = App::new(
        session,
        Keymap::defaults(),
        Vec::new(),
        Theme::mono(),
        Some(now()),
    );
    app.export_dir = Some(path.parent().unwrap().to_path_buf());
    app.start(w, h);
    app
}

pub fn app(path: &Path, w: u16, h: u16) -> App {
    app_as(path, "owner", w, h)
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    shopdesk::tui::bench::render_text(app, w, h).unwrap()
}
