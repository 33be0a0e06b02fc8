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
//! 3. Each participant shares to `shares_required` friend groups, each share bringing
//!    Poisson(`reach_per_share`) views from the scenario's outsiders (the open market, when
//!    it has one), spread uniformly over them. An outsider opens the link of a draw at
//!    most once, whatever the number of shares they saw, and then decides on the product
//!    page (`channels.link`). Gifts are drawn among participants and booked as cost.
//!
//! Reach counts people of a finite market. With `S` shares of one draw among `N`
//! outsiders, each outsider's views are independent Poisson(`λ`), `λ = S ·
//! reach_per_share / N` (a Poisson total spread uniformly splits into independent Poisson
//! counts), and each view is opened with `c = σ(outsider_click_base)`. Hence, exactly and
//! with O(1) draws per draw event:
//! - the outsiders reached for the first time in the trial are Binomial(`U`, `1 − e^{−λ}`)
//!   of the `U` not reached before (`sd_outsiders_reached` counts distinct people, never
//!   more than the outsiders who exist);
//! - the outsiders who open the link are `K ~ Binomial(N, 1 − e^{−λc})` distinct
//!   outsiders, drawn uniformly without replacement (Floyd's algorithm), each deciding
//!   once. They are buyers of the simulated population, so they are in every denominator.
//!
//! Finders are drawn with [`super::group_chat::Finders`] (no coin per member).
//!
//! ## KPIs
//! `sd_draws`, `sd_participation` (participants / members present), `sd_shares`,
//! `sd_outsiders_reached` (distinct outsiders who saw at least one share),
//! `sd_outsider_clicks` (link openings: one per outsider and draw at most), `sd_orders`
//! (first orders by outsiders),
//! `sd_cost` (gifts), `sd_cost_per_order`.

mod config;
pub use config::*;

use super::group_chat::{Finders, each_scheduled_group, window_weight};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::{Exposure, sigmoid, sigmoid_coin};
use crate::rng::binomial_count;
use crate::settings::Base;
use crate::world::World;
use rand::RngExt;

impl Mechanism for Plan {
    type Config = ShareDraw;
    type Trial = Trial;
    const KEY: &'static str = "share_draw";
    const LABEL: &'static str = "share-to-groups draws";
    const STREAM: u64 = 6;

    fn plan(base: &Base<'_>, c: &ShareDraw) -> Result<Self, String> {
        let ShareDraw {
            enabled: _,
            schedule: _,
            shares_required: _,
            gifts: _,
            gift_value: _,
            open_hours: _,
            participation_base: _,
            effort_weight: _,
            prize_weight: _,
            engagement_weight: _,
            reach_per_share: _,
            outsider_click_base: _,
            participation_engagement: _,
        } = c;
        Ok(Plan {
            config: c.clone(),
            link_base: base.behaviour.channels.link,
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::GroupLife]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        each_scheduled_group(run, world, |p| &p.config.schedule, Run::draw);
    }
}

impl Run<Plan> {
    fn draw(&mut self, world: &mut World, g: usize) {
        let plan = std::sync::Arc::clone(&self.plan);
        let c = &plan.config;
        let minute = c.schedule.time.minute();
        let w = window_weight(world, minute, c.open_hours, c.open_hours.max(1.0));
        let pool = world.pop.pools[g];
        let prize = c.gifts as f64 * c.gift_value / pool.len.max(1) as f64;
        let base = c.participation_base - c.effort_weight * (c.shares_required.max(1) - 1) as f64
            + c.prize_weight * prize.ln_1p();
        let (ew, ew_half) = (c.engagement_weight, 0.5 * c.engagement_weight);
        let mut participants = 0u64;
        self.trial.present += world.members_in(g) as u64;
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let e = world.engagement_of(i);
            // base + w·(e − 0.5), summed as base + w·e − w/2.
            if !sigmoid_coin(self.rng.random(), base + ew * e - ew_half, 1.0) {
                continue;
            }
            participants += 1;
            world.add_engagement(i, c.participation_engagement, minute);
        }
        let shares = participants * c.shares_required as u64;
        self.trial.shares += shares;
        self.share(world, &plan, minute, shares);
        self.trial.draws += 1;
        self.trial.participants += participants;
        let gifts = (c.gifts as u64).min(participants) as f64 * c.gift_value;
        self.trial.cost += gifts;
        world.book_cost(gifts);
    }

    /// The group's `shares` shares among the market's outsiders: the newly reached ones
    /// counted, and the distinct outsiders who open the link deciding on the product page
    /// (see the module doc).
    fn share(&mut self, world: &mut World, p: &Plan, minute: u32, shares: u64) {
        let n = world.pop.outsiders() as u64;
        if shares == 0 || n == 0 {
            return;
        }
        let lambda = shares as f64 * p.config.reach_per_share / n as f64;
        let click = sigmoid(p.config.outsider_click_base);
        let unreached = n - self.trial.reached.min(n);
        self.trial.reached += binomial_count(unreached, -(-lambda).exp_m1(), &mut self.rng);
        let openers = binomial_count(n, -(-lambda * click).exp_m1(), &mut self.rng);
        self.trial.clicks += openers;
        let e = Exposure {
            base: p.link_base,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        let trial = &mut self.trial;
        distinct_sample(n, openers, &mut trial.picked, &mut self.rng);
        for &k in &trial.picked {
            let Some(o) = world.pop.outsider(k as u32) else {
                return;
            };
            if world.offer(o, (minute + 60).min(1439), &e, &mut self.rng) {
                trial.orders += 1;
            }
        }
    }
}

/// `k` distinct values of `0..n`, uniformly without replacement (Floyd's algorithm, O(k)
/// draws), into `out` in the order drawn (deterministic for a given stream).
fn distinct_sample(n: u64, k: u64, out: &mut Vec<u64>, rng: &mut crate::rng::SimRng) {
    out.clear();
    let mut seen = std::collections::HashSet::with_capacity(k as usize);
    for j in n - k.min(n)..n {
        let t = rng.random_range(0..=j);
        let v = if seen.insert(t) { t } else { j };
        seen.insert(v);
        out.push(v);
    }
}

/// The plan: the validated settings, read as they are, and the product link's base.
#[derive(Debug, Clone)]
pub struct Plan {
    config: ShareDraw,
    link_base: f64,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    draws: u32,
    present: u64,
    participants: u64,
    shares: u64,
    reached: u64,
    clicks: u64,
    orders: u64,
    cost: f64,
    /// Scratch: the outsiders who open the link of the current draw.
    picked: Vec<u64>,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("sd_draws"), |t, _| t.draws as f64),
        (Kpi::share("sd_participation"), |t, _| {
            per(t.participants, t.present)
        }),
        (Kpi::gain("sd_shares"), |t, _| t.shares as f64),
        (Kpi::gain("sd_outsiders_reached"), |t, _| t.reached as f64),
        (Kpi::gain("sd_outsider_clicks"), |t, _| t.clicks as f64),
        (Kpi::gain("sd_orders"), |t, _| t.orders as f64),
        (Kpi::cost_item("sd_cost"), |t, _| t.cost),
        (
            Kpi::new("sd_cost_per_order", Unit::Money, Better::Lower),
            |t, _| per(t.cost, t.orders),
        ),
    ];
}
