//! Customers. Each one is a pure function of (seed, id), so the order and
//! ticket generators re-derive a buyer's name and address instead of holding
//! a quarter of a million of them in memory.

use super::names::{self, CITIES, City};
use super::util::{DAY, Dice, ts};
use super::{Ctx, STREAM_CUSTOMERS};
use crate::Result;
use crate::store::seed::{self, Load};

pub struct Customer {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub city: &'static City,
    /// District onwards, without province and city.
    pub street: String,
    pub created: i64,
}

impl Customer {
    pub fn address(&self) -> String {
        names::full_address(self.city, &self.street)
    }
}

pub fn derive(seed: u64, id: i64, now: i64) -> Customer {
    let mut d = Dice::new(
        seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        STREAM_CUSTOMERS,
    );
    let name = names::person(&mut d);
    let phone = names::phone(&mut d);
    // Big cities buy more.
    let ci = d.skewed(CITIES.len(), 1.5);
    let city = CITIES.get(ci).unwrap_or(&CITIES[0]);
    let street = names::street(&mut d, city);
    let email = match d.weighted(&[60, 30, 10]) {
        0 => String::new(),
        1 => format!("{}@qq.com", d.range(10_000_000, 3_999_999_999)),
        _ => format!("buyer{}@{}", id, d.pick(&["163.com", "gmail.com", "outlook.com"])),
    };
    let created = now - d.range(121 * DAY, 1000 * DAY);
    Customer {
        name,
        phone,
        email,
        city,
        street,
        created,
    }
}

pub fn external_ref(id: i64) -> String {
    format!("CU{:08}", id)
}

pub fn generate(l: &Load<'_>, ctx: &Ctx<'_>, n: usize) -> Result<()> {
    for i in 0..n {
        let id = i as i64 + 1;
        let c = derive(ctx.seed, id, ctx.now);
        l.customer(&seed::Customer {
            id,
            external_ref: &external_ref(id),
            name: &c.name,
            phone: &c.phone,
            email: &c.email,
            address: &c.address(),
            city: c.city.name,
            created_at: &ts(c.created),
        })?;
    }
    Ok(())
}
