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
