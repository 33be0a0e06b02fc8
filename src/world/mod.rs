//! The world one trial acts on: agents' state, the market API mechanisms call, the one
//! order-booking path, and the organic and repeat paths a scenario takes.
//!
//! It depends on the behaviour model, the population and the settings only: mechanisms act
//! on it through [`World`]'s market API, and the engine ([`crate::engine`]) drives it.
//!
//! ## Layout
//! - [`plan`]: which organic and repeat paths a scenario takes, chosen once from its facts;
//! - `state`: the per-trial state of agents, pools and the ledger ([`World`]);
//! - `market`: the API mechanisms act through (offers, intent, coupons, engagement,
//!   membership);
//! - `orders`: the one booking path of first orders and of every order's money;
//! - `organic`: organic first purchases (pool and class walks, innovation days, counts);
//! - `repeat`: repeat orders (BG/NBD, daily, pooled, counts).

mod market;
mod orders;
mod organic;
pub mod plan;
mod repeat;
mod state;

pub use plan::{MechanismNeeds, ProductConsts, WorldPlan};
pub use state::{COUPON_SOURCES, Ledger, Offered, Order, World};

/// Empties a calendar of one list per day and sizes it to `days`, keeping the lists'
/// allocations for the next trial.
pub fn clear_days<T>(calendar: &mut Vec<Vec<T>>, days: usize) {
    calendar.resize_with(days, Vec::new);
    for d in calendar.iter_mut() {
        d.clear();
    }
}

/// Worlds for tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::World;

    /// A world of `groups` chat groups of 400 members and no buyer outside them, where
    /// members leave their groups (votes run), reset for the trial of key `key`.
    pub(crate) fn chat_groups(groups: u32, key: u64) -> World {
        let s = crate::scenario::load_str(
            &format!(
                "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 0\n\
                 [population.groups]\ncount = {groups}\n\
                 size = {{ dist = \"uniform\", min = 400, max = 400 }}\n[mechanisms.votes]\n"
            ),
            "t",
            &[],
        )
        .unwrap();
        let plan = crate::engine::Plan::new(&s).unwrap();
        let mut w = World::default();
        w.reset(&plan.world, key);
        w
    }
}
