//! What one world of a trial produced, and the per-trial records of the arms beside the
//! campaign (see `engine::Arms`).

use crate::world::World;

/// The totals of one world of a trial (the campaign, the no-campaign world, or a world
/// with some of the campaign's mechanisms), over all simulated buyers. The contributions
/// split the first six ([`Outcome::FIELDS`]); the rest describe who bought and how deep.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Outcome {
    /// Buyers with at least one order.
    pub first_buyers: u32,
    /// Buyers with two or more orders.
    pub repeat_buyers: u32,
    /// All orders.
    pub orders: u32,
    /// Revenue (order values less discounts).
    pub revenue: f64,
    /// Revenue less cost of goods.
    pub gross_margin: f64,
    /// Campaign cost.
    pub cost: f64,
    /// First buyers who are chat-group members.
    pub member_first_buyers: u32,
    /// Buyers with three or more orders.
    pub buyers_3plus: u32,
    /// Sum over the repeat buyers of the days from the first to the second order.
    pub days_to_second: f64,
}

impl Outcome {
    /// The names of [`Outcome::to_array`]'s values.
    pub const FIELDS: [&'static str; 6] = [
        "first_buyers",
        "repeat_buyers",
        "orders",
        "revenue",
        "gross_margin",
        "cost",
    ];

    /// Position of the first buyers in [`Outcome::to_array`].
    pub const FIRST_BUYERS: usize = 0;
    /// Position of the cost in [`Outcome::to_array`].
    pub const COST: usize = 5;

    /// The totals of a world at the end of its trial.
    pub fn of(world: &World) -> Outcome {
        let l = &world.ledger;
        Outcome {
            first_buyers: l.first_buyers,
            repeat_buyers: l.repeat_buyers,
            orders: l.orders,
            revenue: l.revenue,
            gross_margin: l.revenue - l.cogs,
            cost: l.campaign_cost,
            member_first_buyers: world.member_first_buyers(),
            buyers_3plus: l.buyers_3plus,
            days_to_second: l.days_to_second,
        }
    }

    /// The values in [`Outcome::FIELDS`] order.
    pub fn to_array(&self) -> [f64; 6] {
        [
            self.first_buyers as f64,
            self.repeat_buyers as f64,
            self.orders as f64,
            self.revenue,
            self.gross_margin,
            self.cost,
        ]
    }
}

/// What one mechanism's own events booked in the campaign world: first orders and all
/// orders placed in its offers (direct, last-touch attribution). A buyer it converted who
/// would have bought anyway counts here but not in the increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributed {
    /// First orders placed in the mechanism's offers.
    pub first_buyers: u32,
    /// Orders placed in the mechanism's offers.
    pub orders: u32,
}
