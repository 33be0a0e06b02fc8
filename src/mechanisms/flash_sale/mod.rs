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

use super::group_chat::{Finders, window_weight};
use super::{Better, Kpi, Mechanism, Needs, TrialState};
use crate::behaviour::{Exposure, sigmoid, sigmoid_coin};
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::{Base, Schedule};
use crate::world::{Offered, World};
use rand::RngExt;

/// The settings the model reads, fixed for the run; built by destructuring the whole
/// [`FlashSale`] table, so a setting the model does not read is a compile warning.
#[derive(Debug, Clone)]
pub struct Plan {
    schedule: Schedule,
    window_minutes: u32,
    stock: u32,
    discount: f64,
    announce_minutes: u32,
    visit_base: f64,
    scarcity_weight: f64,
    buy_base: f64,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    sales: u32,
    visitors: u64,
    sold: u64,
    sold_out: u32,
    first: u64,
    cost: f64,
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: Plan,
    rng: SimRng,
    /// (arrival minute, member) of the current sale's visitors.
    visitors: Vec<(u32, u32)>,
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: plan.clone(),
            rng: stream_rng(0, 0),
            visitors: Vec::new(),
            tally: Tally::default(),
        }
    }

    fn sale(&mut self, world: &mut World, g: usize) {
        let p = &self.plan;
        let open = p.schedule.time.minute();
        let from = open.saturating_sub(p.announce_minutes);
        let hours = (open + p.window_minutes - from) as f64 / 60.0;
        // The announcement stays in view until the sale closes (it is re-posted at opening).
        let w = window_weight(world, from, hours, hours.max(1.0));
        let b = world.behaviour();
        let incentive = b.w_incentive * p.discount / b.price;
        let visit0 = sigmoid(p.visit_base + incentive);
        self.visitors.clear();
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let intent = world.intent_of(i);
            let u: f64 = self.rng.random();
            let visit = if intent == 0.0 {
                u < visit0
            } else {
                sigmoid_coin(u, p.visit_base + intent + incentive, 1.0)
            };
            if visit {
                let at = open + self.rng.random_range(0..p.window_minutes.max(1));
                self.visitors.push((at, i));
            }
        }
        self.visitors.sort_unstable();
        self.tally.sales += 1;
        self.tally.visitors += self.visitors.len() as u64;
        let stock = p.stock;
        let mut left = stock;
        for k in 0..self.visitors.len() {
            if stock > 0 && left == 0 {
                break;
            }
            let (at, i) = self.visitors[k];
            let scarcity = if stock > 0 {
                1.0 - left as f64 / stock as f64
            } else {
                0.0
            };
            let e = Exposure {
                base: p.buy_base + p.scarcity_weight * scarcity,
                attention: 1.0,
                strength: 0.0,
                incentive: p.discount,
            };
            let outcome = world.offer_any(i, at.min(1439), &e, &mut self.rng);
            if outcome != Offered::Nothing {
                self.tally.sold += 1;
                self.tally.first += (outcome == Offered::First) as u64;
                self.tally.cost += world.last_order_discount;
                left = left.saturating_sub(1);
            }
        }
        if stock > 0 && left == 0 {
            self.tally.sold_out += 1;
        }
    }
}

impl Mechanism for Plan {
    type Config = FlashSale;
    type State = State;
    const KEY: &'static str = "flash_sale";
    const LABEL: &'static str = "flash sales";
    const STREAM: u64 = 5;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("fs_sales"),
        Kpi::gain("fs_visitors"),
        Kpi::gain("fs_units_sold"),
        Kpi::share("fs_sold_out_share").better(Better::Neither),
        Kpi::share("fs_transaction_rate"),
        Kpi::gain("fs_first_orders"),
        Kpi::cost_item("fs_cost"),
    ];
    const NEEDS: Needs = Needs {
        group_life: true,
        ..Needs::NOTHING
    };

    fn plan(_base: &Base<'_>, c: &FlashSale) -> Result<Self, String> {
        let FlashSale {
            enabled: _,
            schedule,
            window_minutes,
            stock,
            discount,
            announce_minutes,
            visit_base,
            scarcity_weight,
            buy_base,
        } = c;
        Ok(Plan {
            schedule: schedule.clone(),
            window_minutes: *window_minutes,
            stock: *stock,
            discount: *discount,
            announce_minutes: *announce_minutes,
            visit_base: *visit_base,
            scarcity_weight: *scarcity_weight,
            buy_base: *buy_base,
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.visitors.clear();
        self.tally = Tally::default();
        self.rng = mechanism_rng(world.key, stream);
    }

    fn on_day(&mut self, world: &mut World) {
        if !self.plan.schedule.happens(world.day, world.weekday()) {
            return;
        }
        for g in world.pop.group_pools() {
            self.sale(world, g);
        }
    }

    fn kpis(&self, _world: &World, out: &mut Vec<f64>) {
        let t = &self.tally;
        out.extend_from_slice(&[
            t.sales as f64,
            t.visitors as f64,
            t.sold as f64,
            ratio(t.sold_out as f64, t.sales as f64),
            ratio(t.sold as f64, t.visitors as f64),
            t.first as f64,
            t.cost,
        ]);
    }
}
