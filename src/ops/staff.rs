//! Creating a shop and managing who may work in it.

use std::path::Path;

use crate::domain::{Permission, Role};
use crate::store::{self, staff::Staff};
use crate::{Error, Result, clock};

use super::{Session, Stamp, audit};

/// Creates the database at `path` with its settings and `login` as owner.
pub fn init(path: &Path, login: &str, shop_name: &str, currency: &str, timezone: &str) -> Result<()> {
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::input(format!(
            "--currency {currency:?}: expected a 3-letter code such as CNY"
        )));
    }
    // Validates the zone name before anything is written.
    timezone.parse::<chrono_tz::Tz>().map_err(|_| {
        Error::input(format!(
            "--timezone {timezone:?}: not an IANA time zone name such as Asia/Shanghai"
        ))
    })?;
    let now = clock::stamp(clock::now()?);
    let mut conn = store::create(path)?;
    let tx = store::write_tx(&mut conn)?;
    store::settings::insert(&tx, shop_name, &currency, timezone)?;
    let settings = store::settings::load(&tx)?;
    audit(
        &tx,
        Stamp {
            actor: login,
            at: &now,
        },
        "settings",
        1,
        "init",
        None,
        Some(&settings),
    )?;
    let id = store::staff::insert(&tx, login, login, Role::Owner, &now)?;
    let owner = store::staff::by_login(&tx, login)?;
    audit(
        &tx,
        Stamp {
            actor: login,
            at: &now,
        },
        "staff",
        id,
        "add",
        None,
        owner.as_ref(),
    )?;
    tx.commit()?;
    Ok(())
}

fn valid_login(login: &str) -> Result<()> {
    if login.is_empty() || login.len() > 64 || login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::input(format!("{login:?} is not a valid login name")));
    }
    Ok(())
}

pub fn add(s: &mut Session, login: &str, role: Role) -> Result<Staff> {
    s.require(Permission::ManageStaff)?;
    valid_login(login)?;
    let now = clock::stamp(s.now()?);
    let actor = s.actor.login.clone();
    let tx = store::write_tx(&mut s.conn)?;
    if store::staff::by_login(&tx, login)?.is_some() {
        return Err(Error::refused(format!(
            "{login} is already staff; use `staff set-role {login} --role {role}`"
        )));
    }
    let id = store::staff::insert(&tx, login, login, role, &now)?;
    let after =
        store::staff::by_login(&tx, login)?.ok_or_else(|| Error::Db(format!("staff {login} vanished")))?;
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &now,
        },
        "staff",
        id,
        "add",
        None,
        Some(&after),
    )?;
    tx.commit()?;
    Ok(after)
}

/// Sets the role (and re-enables a disabled login).
pub fn set_role(s: &mut Session, login: &str, role: Role) -> Result<Staff> {
    change(s, login, "set_role", |st| {
        st.role = role;
        st.active = true;
    })
}

pub fn disable(s: &mut Session, login: &str) -> Result<Staff> {
    change(s, login, "disable", |st| st.active = false)
}

fn change(s: &mut Session, login: &str, action: &str, f: impl FnOnce(&mut Staff)) -> Result<Staff> {
    s.require(Permission::ManageStaff)?;
    let now = clock::stamp(s.now()?);
    let actor = s.actor.login.clone();
    let tx = store::write_tx(&mut s.conn)?;
    let before = store::staff::by_login(&tx, login)?.ok_or_else(|| {
        Error::input(format!(
            "{login} is not staff; add it with `staff add {login} --role ROLE`"
        ))
    })?;
    let mut after = before.clone();
    f(&mut after);
    let was_owner = before.role == Role::Owner && before.active;
    let still_owner = after.role == Role::Owner && after.active;
    if was_owner && !still_owner && store::staff::active_owners(&tx)? <= 1 {
        return Err(Error::refused(format!(
            "{login} is the last active owner; add another owner first"
        )));
    }
    if !store::staff::update(&tx, &after)? {
        return Err(store::conflict(&tx, "staff", "staff", before.id));
    }
    after.version += 1;
    audit(
        &tx,
        Stamp {
            actor: &actor,
            at: &now,
        },
        "staff",
        before.id,
        action,
        Some(&before),
        Some(&after),
    )?;
    tx.commit()?;
    Ok(after)
}
