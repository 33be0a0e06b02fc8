//! "Share to 3 friend groups for a limited-gift draw" in every chat group (docs/field-figures.md §2.8).
//!
//! ## Model of one draw in one group
//! 1. A member still in the group finds the announcement over `open_hours` with
//!    `1 − exp(−activity · notice · W)` ([`super::group_chat::window_weight`]).
//! 2. It takes part with probability `σ(participation_base − effort_weight ·
//!    (shares_required − 1) + prize_weight · ln(1 + gifts · gift_value / members) +
//!    engagement_weight · (e − 0.5))` (`engagement_weight` default 1): more shares asked is
//!    more effort, a richer prize per member more pull. A participant gains
//!    `participation_engagement`.
//! 3. Each participant shares to `shares_required` friend groups, each seen by
//!    Poisson(`reach_per_share`) outsiders drawn from the open market (when the scenario has
//!    one). An outsider opens the link with `σ(outsider_click_base)` and then decides on the
//!    product page (`channels.link`). Gifts are drawn among participants and booked as cost.
//!
//! Finders are drawn with [`super::group_chat::Finders`] (no coin per member), and a group's
//! outsiders who open and who do not are two Poisson counts (a Poisson total split by the
//! click probability), not one draw per share and outsider.
//!
//! ## KPIs
//! `sd_draws`, `sd_participation` (participants / members present), `sd_shares`,
//! `sd_outsiders_reached`, `sd_outsider_clicks`, `sd_orders` (first orders by outsiders),
//! `sd_cost` (gifts), `sd_cost_per_order`.

mod config;
pub use config::*;

use super::group_chat::{Finders, window_weight};
use super::{Better, Kpi, Mechanism, Needs, TrialState, Unit};
use crate::behaviour::{Exposure, sigmoid, sigmoid_coin};
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, poisson_count, stream_rng};
use crate::settings::{Base, Schedule};
use crate::world::World;
use rand::RngExt;
use std::sync::Arc;

/// The settings the model reads, fixed for the run; built by destructuring the whole
/// [`ShareDraw`] table, so a setting the model does not read is a compile warning.
#[derive(Debug, Clone)]
pub struct Plan {
    schedule: Schedule,
    shares_required: u32,
    gifts: u32,
    gift_value: f64,
    open_hours: f64,
    participation_base: f64,
    effort_weight: f64,
    prize_weight: f64,
    engagement_weight: f64,
    reach_per_share: f64,
    outsider_click_base: f64,
    participation_engagement: f64,
    link_base: f64,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    draws: u32,
    present: u64,
    participants: u64,
    shares: u64,
    reached: u64,
    clicks: u64,
    orders: u64,
    cost: f64,
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    /// Shared, so events borrow it without copying while drawing from the state.
    plan: Arc<Plan>,
    rng: SimRng,
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: Arc::new(plan.clone()),
            rng: stream_rng(0, 0),
            tally: Tally::default(),
        }
    }

    fn draw(&mut self, world: &mut World, g: usize) {
        let p = Arc::clone(&self.plan);
        let minute = p.schedule.time.minute();
        let w = window_weight(world, minute, p.open_hours, p.open_hours.max(1.0));
        let pool = world.pop.pools[g];
        let prize = p.gifts as f64 * p.gift_value / pool.len.max(1) as f64;
        let base = p.participation_base - p.effort_weight * (p.shares_required.max(1) - 1) as f64
            + p.prize_weight * prize.ln_1p();
        let (ew, ew_half) = (p.engagement_weight, 0.5 * p.engagement_weight);
        let mut participants = 0u64;
        self.tally.present += world.members_in(g) as u64;
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let e = world.engagement_of(i);
            // base + w·(e − 0.5), summed as base + w·e − w/2.
            if !sigmoid_coin(self.rng.random(), base + ew * e - ew_half, 1.0) {
                continue;
            }
            participants += 1;
            world.add_engagement(i, p.participation_engagement);
        }
        let shares = participants * p.shares_required as u64;
        self.tally.shares += shares;
        self.share(world, &p, minute, shares);
        self.tally.draws += 1;
        self.tally.participants += participants;
        let gifts = (p.gifts as u64).min(participants) as f64 * p.gift_value;
        self.tally.cost += gifts;
        world.book_cost(gifts);
    }

    /// The group's `shares` shares, each seen by Poisson(`reach_per_share`) outsiders who
    /// open the link with `σ(outsider_click_base)`. Outsiders who open and those who do not
    /// are independent Poisson counts (splitting the total), so one draw each serves the
    /// whole group; each opener is a random outsider deciding on the product page.
    fn share(&mut self, world: &mut World, p: &Plan, minute: u32, shares: u64) {
        if shares == 0 || world.pop.outsiders() == 0 {
            return;
        }
        let mean = shares as f64 * p.reach_per_share;
        let click = sigmoid(p.outsider_click_base);
        let clicks = poisson_count(mean * click, &mut self.rng);
        let others = poisson_count(mean * (1.0 - click), &mut self.rng);
        self.tally.reached += clicks + others;
        self.tally.clicks += clicks;
        let e = Exposure {
            base: self.plan.link_base,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        for _ in 0..clicks {
            let Some(o) = world.pop.random_outsider(&mut self.rng) else {
                return;
            };
            if world.offer(o, (minute + 60).min(1439), &e, &mut self.rng) {
                self.tally.orders += 1;
            }
        }
    }
}

impl Mechanism for Plan {
    type Config = ShareDraw;
    type State = State;
    const KEY: &'static str = "share_draw";
    const LABEL: &'static str = "share-to-groups draws";
    const STREAM: u64 = 6;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("sd_draws"),
        Kpi::share("sd_participation"),
        Kpi::gain("sd_shares"),
        Kpi::gain("sd_outsiders_reached"),
        Kpi::gain("sd_outsider_clicks"),
        Kpi::gain("sd_orders"),
        Kpi::cost_item("sd_cost"),
        Kpi::new("sd_cost_per_order", Unit::Money, Better::Lower),
    ];
    const NEEDS: Needs = Needs {
        group_life: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &ShareDraw) -> Result<Self, String> {
        let ShareDraw {
            enabled: _,
            schedule,
            shares_required,
            gifts,
            gift_value,
            open_hours,
            participation_base,
            effort_weight,
            prize_weight,
            engagement_weight,
            reach_per_share,
            outsider_click_base,
            participation_engagement,
        } = c;
        Ok(Plan {
            schedule: schedule.clone(),
            shares_required: *shares_required,
            gifts: *gifts,
            gift_value: *gift_value,
            open_hours: *open_hours,
            participation_base: *participation_base,
            effort_weight: *effort_weight,
            prize_weight: *prize_weight,
            engagement_weight: *engagement_weight,
            reach_per_share: *reach_per_share,
            outsider_click_base: *outsider_click_base,
            participation_engagement: *participation_engagement,
            link_base: base.behaviour.channels.link,
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.tally = Tally::default();
        self.rng = mechanism_rng(world.key, stream);
    }

    fn on_day(&mut self, world: &mut World) {
        if !self.plan.schedule.happens(world.day, world.weekday()) {
            return;
        }
        for g in world.pop.group_pools() {
            self.draw(world, g);
        }
    }

    fn kpis(&self, _world: &World, out: &mut Vec<f64>) {
        let t = &self.tally;
        out.extend_from_slice(&[
            t.draws as f64,
            ratio(t.participants as f64, t.present as f64),
            t.shares as f64,
            t.reached as f64,
            t.clicks as f64,
            t.orders as f64,
            t.cost,
            ratio(t.cost, t.orders as f64),
        ]);
    }
}
