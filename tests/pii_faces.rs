//! One PII policy (`domain::pii`), every face: the TUI order detail,
//! `order show` (text and JSON) and `export orders` show a customer's phone
//! and address the same way for each role: masked for support and viewer,
//! in full for owner and operator.

#[path = "cli_support/mod.rs"]
mod cli;
mod tui_support;

use shopdesk::domain::Role;
use shopdesk::ops::import::{self, Kind, Options};
use shopdesk::ops::{Session, staff};

const PHONE: &str = "13812341111";
const ADDRESS: &str = "浙江省杭州市西湖区文三路100号";

const ORDERS: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price\n\
    TM,1,2026-11-01 10:00:00,pending_payment,c1,Li,13812341111,浙江省杭州市西湖区文三路100号,Hangzhou,M1,A,1,5.00\n";

const MERCHANTS: &str = "code,name,contact_name,phone,email,address,city,cooperation_mode,status\n\
    M1,One,Wang,13900001234,wang@example.com,上海市浦东新区世纪大道1号,Shanghai,direct,active\n";

/// What each face showed for the one order: (phone, address).
struct Faces {
    tui: String,
    show: String,
    json: (String, String),
    export: (String, String),
}

fn faces(dir: &std::path::Path, db: &str, me: &str) -> Faces {
    let mut app = tui_support::app_as(std::path::Path::new(db), me, 120, 40);
    app.press("3");
    app.press("enter");
    let tui = tui_support::screen(&mut app, 120, 40);
    let show = cli::ok(dir, &["--db", db, "order", "show", "1"]);
    let j: serde_json::Value =
        serde_json::from_str(&cli::ok(dir, &["--db", db, "order", "show", "1", "--json"])).unwrap();
    let json = (
        j["ship"]["phone"].as_str().unwrap().to_string(),
        j["ship"]["address"].as_str().unwrap().to_string(),
    );
    let csv_text = cli::ok(dir, &["--db", db, "export", "orders"]);
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (p, a) = (col("customer_phone"), col("ship_address"));
    let row = r.records().next().unwrap().unwrap();
    let export = (row[p].to_string(), row[a].to_string());
    Faces {
        tui,
        show,
        json,
        export,
    }
}

#[test]
fn tui_detail_order_show_and_export_mask_alike_per_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli::init(dir.path());
    let me = shopdesk::identity::os_login().unwrap();
    let mut s = Session::open_as(std::path::Path::new(&db), &me).unwrap();
    staff::add(&mut s, "ana", Role::Owner).unwrap();
    for (name, body) in [
        ("m.csv", MERCHANTS),
        ("p.csv", "merchant_code,sku,title,price,stock\nM1,A,Tea,5.00,10\n"),
        ("o.csv", ORDERS),
    ] {
        let kind = match name {
            "m.csv" => Kind::Merchants,
            "p.csv" => Kind::Products,
            _ => Kind::Orders,
        };
        let f = cli::write(dir.path(), name, body);
        import::import(&mut s, kind, &f, &Options::default()).unwrap();
    }
    drop(s);
    let mut ana = Session::open_as(std::path::Path::new(&db), "ana").unwrap();
    for role in [Role::Support, Role::Viewer, Role::Operator, Role::Owner] {
        staff::set_role(&mut ana, &me, role).unwrap();
        let masked = matches!(role, Role::Support | Role::Viewer);
        let (phone, address) = if masked {
            ("138****1111", "浙江省杭州市****")
        } else {
            (PHONE, ADDRESS)
        };
        let f = faces(dir.path(), &db, &me);
        let want = (phone.to_string(), address.to_string());
        assert_eq!(f.json, want, "{role:?}: order show --json");
        // A file leaves the shop: only the owner's exports are unmasked (SPEC §5).
        let export_masked = role != Role::Owner;
        let want_export = if export_masked {
            ("138****1111".to_string(), "浙江省杭州市****".to_string())
        } else {
            want.clone()
        };
        assert_eq!(f.export, want_export, "{role:?}: export orders");
        for (face, out) in [("TUI detail", &f.tui), ("order show", &f.show)] {
            assert!(out.contains(phone), "{role:?}: {face} lacks {phone}:\n{out}");
            assert!(out.contains(address), "{role:?}: {face} lacks {address}:\n{out}");
            // Nowhere else either (the history's changed fields included).
            if masked {
                assert!(
                    !out.contains(PHONE) && !out.contains(ADDRESS),
                    "{role:?}: {face} shows PII:\n{out}"
                );
            }
        }
        // The merchant's contact: the TUI merchant detail and the merchant
        // export follow the same policy (the export used to show it all).
        let mut app = tui_support::app_as(std::path::Path::new(&db), &me, 120, 40);
        app.press("1");
        app.press("enter");
        let tui = tui_support::screen(&mut app, 120, 40);
        let export = cli::ok(dir.path(), &["--db", &db, "export", "merchants"]);
        let hidden = ["139****1234", "w****@example.com", "上海市浦东新****"];
        let shown = ["13900001234", "wang@example.com", "上海市浦东新区世纪大道1号"];
        let (contact, exported) = match (masked, export_masked) {
            (true, _) => (hidden, hidden),
            (false, true) => (shown, hidden),
            (false, false) => (shown, shown),
        };
        for v in contact {
            assert!(tui.contains(v), "{role:?}: TUI merchant detail lacks {v}:\n{tui}");
        }
        for v in exported {
            assert!(
                export.contains(v),
                "{role:?}: merchant export lacks {v}:\n{export}"
            );
        }
        if masked {
            assert!(
                !export.contains("13900001234") && !export.contains("世纪大道"),
                "{export}"
            );
            for (face, out) in [("TUI detail", &f.tui), ("order show", &f.show)] {
                assert!(!out.contains(PHONE), "{role:?}: {face} shows the phone:\n{out}");
                assert!(
                    !out.contains("文三路"),
                    "{role:?}: {face} shows the street:\n{out}"
                );
            }
        }
    }
}
