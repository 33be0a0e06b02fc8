//! Scarcity flash sales in every chat group: "today 15:00–16:00, only 10 left" (docs/field-figures.md §2.8).
//!
//! ## Model of one sale in one group
//! 1. **Announcement**, `announce_minutes` before opening: a member still in the group finds
//!    it with `1 − exp(−activity · notice · W)` over the announcement and the sale window
//!    (see [`super::group_chat::window_weight`]; drawn with [`super::group_chat::Finders`]).
//! 2. **Visit.** A member who found it visits the sale with probability
//!    `σ(visit_base + intent + w_inc · discount / price)`, arriving at a uniform minute of
//!    the window.
//! 3. **Purchase**, in order of arrival while stock lasts: a first order for a non-buyer or an
//!    extra order for a buyer ([`crate::world::World::offer_any`]) on an exposure with base
//!    `buy_base + scarcity_weight · (1 − remaining / stock)` (scarcity: the fewer left, the
//!    more urgent) and the discount as incentive. Visitors who arrive after the stock is gone
//!    find it sold out. Each unit sold books its discount as cost.
//!
//! ## KPIs
//! `fs_sales` (sale events over all groups), `fs_visitors`, `fs_units_sold`,
//! `fs_sold_out_share` (sales that sold out), `fs_transaction_rate` (orders / visitors, the
//! same-day transaction rate), `fs_first_orders`, `fs_cost` (discounts).

mod config;
pub use config::*;

use super::group_chat::{Finders, each_scheduled_group, window_weight};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, per};
use crate::behaviour::{Exposure, sigmoid, sigmoid_coin};
use crate::settings::Base;
use crate::world::{Offered, World};
use rand::RngExt;

impl Mechanism for Plan {
    type Config = FlashSale;
    type Trial = Trial;
    const KEY: &'static str = "flash_sale";
    const LABEL: &'static str = "flash sales";
    const STREAM: u64 = 5;

    fn plan(_base: &Base<'_>, c: &FlashSale) -> Result<Self, String> {
        let FlashSale {
            enabled: _,
            schedule: _,
            window_minutes: _,
            stock: _,
            discount: _,
            announce_minutes: _,
            visit_base: _,
            scarcity_weight: _,
            buy_base: _,
        } = c;
        let open = c.schedule.time.minute();
        let announced = open.saturating_sub(c.announce_minutes);
        Ok(Plan {
            config: c.clone(),
            open,
            announced,
            hours: (open + c.window_minutes - announced) as f64 / 60.0,
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::GroupLife]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        each_scheduled_group(run, world, |p| &p.config.schedule, Run::sale);
    }
}

impl Run<Plan> {
    fn sale(&mut self, world: &mut World, g: usize) {
        let (p, c) = (&*self.plan, &self.plan.config);
        let t = &mut self.trial;
        let (open, hours, window) = (p.open, p.hours, c.window_minutes.max(1));
        let (visit_base, buy_base, scarcity_weight) = (c.visit_base, c.buy_base, c.scarcity_weight);
        // The announcement stays in view until the sale closes (it is re-posted at opening).
        let w = window_weight(world, p.announced, hours, hours.max(1.0));
        let b = world.behaviour();
        let incentive = b.w_incentive * c.discount / b.price;
        let visit0 = sigmoid(visit_base + incentive);
        t.arrivals.clear();
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let intent = world.intent_of(i);
            let u: f64 = self.rng.random();
            let visit = if intent == 0.0 {
                u < visit0
            } else {
                sigmoid_coin(u, visit_base + intent + incentive, 1.0)
            };
            if visit {
                let at = open + self.rng.random_range(0..window);
                t.arrivals.push((at, i));
            }
        }
        t.arrivals.sort_unstable();
        t.sales += 1;
        t.visitors += t.arrivals.len() as u64;
        let (stock, discount) = (c.stock, c.discount);
        let mut left = stock;
        for &(at, i) in &t.arrivals {
            if stock > 0 && left == 0 {
                break;
            }
            let scarcity = if stock > 0 {
                1.0 - left as f64 / stock as f64
            } else {
                0.0
            };
            let e = Exposure {
                base: buy_base + scarcity_weight * scarcity,
                attention: 1.0,
                strength: 0.0,
                incentive: discount,
            };
            let outcome = world.offer_any(i, at.min(1439), &e, &mut self.rng);
            if outcome != Offered::Nothing {
                t.sold += 1;
                t.first += (outcome == Offered::First) as u64;
                t.cost += world.last_order_discount;
                left = left.saturating_sub(1);
            }
        }
        if stock > 0 && left == 0 {
            t.sold_out += 1;
        }
    }
}

/// The plan: the validated settings, read as they are, and the sale's timing.
#[derive(Debug, Clone)]
pub struct Plan {
    config: FlashSale,
    /// Minute the sale opens.
    open: u32,
    /// Minute it is announced.
    announced: u32,
    /// Hours from the announcement to the close.
    hours: f64,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    sales: u32,
    visitors: u64,
    sold: u64,
    sold_out: u32,
    first: u64,
    cost: f64,
    /// (arrival minute, member) of the current sale's visitors.
    arrivals: Vec<(u32, u32)>,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("fs_sales"), |t, _| t.sales as f64),
        (Kpi::gain("fs_visitors"), |t, _| t.visitors as f64),
        (Kpi::gain("fs_units_sold"), |t, _| t.sold as f64),
        (
            Kpi::share("fs_sold_out_share").better(Better::Neither),
            |t, _| per(t.sold_out, t.sales),
        ),
        (Kpi::share("fs_transaction_rate"), |t, _| {
            per(t.sold, t.visitors)
        }),
        (Kpi::gain("fs_first_orders"), |t, _| t.first as f64),
        (Kpi::cost_item("fs_cost"), |t, _| t.cost),
    ];
}
