//! CRM tags and targeted pushes to members who visit often but never buy (docs/field-figures.md §2.8).
//!
//! ## Model
//! A member still in the group who has not bought and has visited the product page
//! (opened links, proofs, pushes) at least `visits_to_tag` times without ordering is tagged.
//! On a scheduled day every tagged member receives a personal message with an exclusive code
//! and parcel tracking; it is opened with `σ(open_base + intent)` (a private message waits to
//! be read: no need to be online at that minute). Opening is a product-page visit with base
//! `channels.link + personal_strength`, the code as incentive and the attention of a code
//! valid `valid_minutes`, `1 − exp(−valid_minutes / behaviour.decision.decision_minutes)`
//! (as for a group push, [`super::group_chat`]).
//!
//! With `broadcast = true` the same code goes to every member as an ordinary group push
//! instead (seen with online × notice, clicked with `σ(channels.push + intent + w_inc ·
//! code / price)`); the tagged members' conversion under both is what the field compares.
//!
//! ## KPIs
//! `tp_tagged` (tagged members reached, summed over pushes), `tp_open_rate` (opens /
//! tagged reached), `tp_tagged_conversion` (first orders of tagged members per opened
//! message: the conversion of those who opened), `tp_orders` (all orders from the pushes),
//! `tp_cost` (codes redeemed).

mod config;
pub use config::*;

use super::group_chat::{Push, PushOutcome};
use super::{Kpi, Mechanism, Needs, TrialState};
use crate::behaviour::{Exposure, sigmoid_coin};
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::Base;
use crate::settings::Schedule;
use crate::world::World;
use rand::RngExt;

/// Validated configuration: the settings the model reads, and the channel bases.
#[derive(Debug, Clone)]
pub struct Plan {
    schedule: Schedule,
    visits_to_tag: u32,
    coupon: f64,
    valid_minutes: f64,
    broadcast: bool,
    open_base: f64,
    personal_strength: f64,
    link_base: f64,
    push_base: f64,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    tagged: u64,
    opened: u64,
    tagged_orders: u64,
    orders: u64,
    cost: f64,
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: Plan,
    rng: SimRng,
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: plan.clone(),
            rng: stream_rng(0, 0),
            tally: Tally::default(),
        }
    }

    fn personal(&mut self, world: &mut World, i: u32, at: u32) {
        let p = &self.plan;
        self.tally.tagged += 1;
        if !sigmoid_coin(self.rng.random(), p.open_base + world.intent_of(i), 1.0) {
            return;
        }
        self.tally.opened += 1;
        let e = Exposure {
            base: p.link_base + p.personal_strength,
            attention: world.behaviour().coupon_attention(p.valid_minutes),
            strength: 0.0,
            incentive: p.coupon,
        };
        if world.offer(i, at, &e, &mut self.rng) {
            self.tally.tagged_orders += 1;
            self.tally.orders += 1;
            self.tally.cost += world.last_order_discount;
        }
    }

    fn broadcast(&mut self, world: &mut World, i: u32, at: u32, tagged: bool) {
        let push = Push {
            coupon: self.plan.coupon,
            valid_minutes: self.plan.valid_minutes,
            push_base: self.plan.push_base,
            link_base: self.plan.link_base,
            strength: 0.0,
            buyers: true,
        };
        let sees = world.online_probability(i, at) * world.notice_probability(i);
        self.tally.tagged += tagged as u64;
        let out = push.deliver(world, i, at, sees, &mut self.rng);
        if tagged && out != PushOutcome::Ignored {
            self.tally.opened += 1;
        }
        if matches!(out, PushOutcome::Bought | PushOutcome::BoughtAgain) {
            self.tally.orders += 1;
            self.tally.cost += world.last_order_discount;
            if tagged && out == PushOutcome::Bought {
                self.tally.tagged_orders += 1;
            }
        }
    }
}

impl Mechanism for Plan {
    type Config = TargetedPush;
    type State = State;
    const KEY: &'static str = "targeted_push";
    const LABEL: &'static str = "targeted pushes";
    const STREAM: u64 = 7;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("tp_tagged"),
        Kpi::share("tp_open_rate"),
        Kpi::share("tp_tagged_conversion"),
        Kpi::gain("tp_orders"),
        Kpi::cost_item("tp_cost"),
    ];
    const NEEDS: Needs = Needs {
        visits: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &TargetedPush) -> Result<Self, String> {
        let TargetedPush {
            enabled: _,
            schedule,
            visits_to_tag,
            coupon,
            valid_minutes,
            broadcast,
            open_base,
            personal_strength,
        } = c;
        Ok(Plan {
            schedule: schedule.clone(),
            visits_to_tag: *visits_to_tag,
            coupon: *coupon,
            valid_minutes: *valid_minutes as f64,
            broadcast: *broadcast,
            open_base: *open_base,
            personal_strength: *personal_strength,
            link_base: base.behaviour.channels.link,
            push_base: base.behaviour.channels.push,
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
        let p = &self.plan;
        if !p.schedule.happens(world.day, world.weekday()) {
            return;
        }
        let (at, visits_to_tag, broadcast) =
            (p.schedule.time.minute(), p.visits_to_tag, p.broadcast);
        for g in world.pop.group_pools() {
            let pool = world.pop.pools[g];
            for i in pool.start..pool.start + pool.len {
                if world.has_left(i) {
                    continue;
                }
                let tagged = !world.is_buyer(i) && world.visits_of(i) >= visits_to_tag;
                if broadcast {
                    self.broadcast(world, i, at, tagged);
                } else if tagged {
                    self.personal(world, i, at);
                }
            }
        }
    }

    fn kpis(&self, _world: &World, out: &mut Vec<f64>) {
        let t = &self.tally;
        out.extend_from_slice(&[
            t.tagged as f64,
            ratio(t.opened as f64, t.tagged as f64),
            ratio(t.tagged_orders as f64, t.opened as f64),
            t.orders as f64,
            t.cost,
        ]);
    }
}
