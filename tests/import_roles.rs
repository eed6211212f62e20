//! Who may import and export (SPEC §5, §6): viewers and support staff may not
//! import (exit 1); exports mask customer PII for roles that may not see it.

use std::path::Path;

use shopdesk::domain::Role;
use shopdesk::io::export::Format;
use shopdesk::ops::export::{self, ExportOptions, What};
use shopdesk::ops::import::{self, Kind, Options};
use shopdesk::ops::{Session, staff};

fn shop(d: &Path) -> std::path::PathBuf {
    let db = d.join("s.db");
    staff::init(&db, "boss", "test", "CNY", "Asia/Shanghai").unwrap();
    let mut s = Session::open_as(&db, "boss").unwrap();
    staff::add(&mut s, "vic", Role::Viewer).unwrap();
    staff::add(&mut s, "sue", Role::Support).unwrap();
    staff::add(&mut s, "oli", Role::Operator).unwrap();
    let m = d.join("m.csv");
    std::fs::write(&m, "code,name,cooperation_mode,status\nM1,One,direct,active\n").unwrap();
    import::import(&mut s, Kind::Merchants, &m, &Options::default()).unwrap();
    let p = d.join("p.csv");
    std::fs::write(&p, "merchant_code,sku,title,price,stock\nM1,A,Tea,5.00,10\n").unwrap();
    import::import(&mut s, Kind::Products, &p, &Options::default()).unwrap();
    db
}

const ORDERS: &str = "channel,external_id,placed_at,status,customer_ref,customer_name,customer_phone,ship_address,ship_city,merchant_code,sku,qty,unit_price\n\
    TM,1,2026-11-01 10:00:00,pending_payment,c1,Li,13812341111,浙江省杭州市西湖区文三路 100 号,Hangzhou,M1,A,1,5.00\n";

#[test]
fn viewers_and_support_may_not_import_operators_may() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let f = dir.path().join("o.csv");
    std::fs::write(&f, ORDERS).unwrap();
    for login in ["vic", "sue"] {
        let mut s = Session::open_as(&db, login).unwrap();
        let e = import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap_err();
        assert_eq!(e.exit_code(), 1, "{e}");
        assert!(e.to_string().contains("may not import data"), "{e}");
    }
    let mut s = Session::open_as(&db, "oli").unwrap();
    let r = import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap();
    assert_eq!(r.new, 1);
    let actor: String = s
        .conn
        .query_row(
            "SELECT actor FROM audit_log WHERE entity = 'import' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actor, "oli");
}

#[test]
fn exports_mask_customer_pii_for_roles_that_may_not_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let f = dir.path().join("o.csv");
    std::fs::write(&f, ORDERS).unwrap();
    let mut s = Session::open_as(&db, "boss").unwrap();
    import::import(&mut s, Kind::Orders, &f, &Options::default()).unwrap();
    let export_as = |login: &str| {
        let s = Session::open_as(&db, login).unwrap();
        let mut out = Vec::new();
        let opts = ExportOptions {
            format: Format::Csv,
            ..ExportOptions::default()
        };
        export::export(&s, What::Orders, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let owner = export_as("boss");
    assert!(owner.contains("13812341111"), "{owner}");
    assert!(owner.contains("文三路 100 号"), "{owner}");
    for login in ["vic", "sue"] {
        let masked = export_as(login);
        assert!(!masked.contains("13812341111"), "{masked}");
        assert!(masked.contains("138****1111"), "{masked}");
        assert!(!masked.contains("文三路"), "{masked}");
    }
}
