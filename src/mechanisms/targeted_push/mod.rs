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
//! With `target`, only members of the named segments (`population.groups.segments`) are
//! pushed, tagged or broadcast to: a CRM list cut by what the operator knows of its
//! members.
//!
//! ## KPIs
//! `tp_tagged` (tagged members reached, summed over pushes), `tp_open_rate` (opens /
//! tagged reached), `tp_tagged_conversion` (first orders of tagged members per opened
//! message: the conversion of those who opened), `tp_orders` (all orders from the pushes),
//! `tp_cost` (codes redeemed).

mod config;
pub use config::*;

use super::group_chat::{Prepared, Push, PushOutcome, scheduled_groups};
use super::{Kpi, Mechanism, Metric, Need, Needs, Record, Run, per};
use crate::behaviour::{Exposure, sigmoid_coin};
use crate::population::SegmentSet;
use crate::settings::Base;
use crate::world::World;
use rand::RngExt;

impl Mechanism for Plan {
    type Config = TargetedPush;
    type Trial = Trial;
    const KEY: &'static str = "targeted_push";
    const LABEL: &'static str = "targeted pushes";
    const STREAM: u64 = 7;

    fn plan(base: &Base<'_>, c: &TargetedPush) -> Result<Self, String> {
        let TargetedPush {
            enabled: _,
            schedule: _,
            visits_to_tag: _,
            coupon: _,
            valid_minutes: _,
            broadcast: _,
            open_base: _,
            personal_strength: _,
            target,
        } = c;
        let channels = &base.behaviour.channels;
        Ok(Plan {
            config: c.clone(),
            target: SegmentSet::of(base, target.as_ref())?,
            personal_base: channels.link + c.personal_strength,
            broadcast: c.broadcast.then_some(Push {
                buyers: true,
                ..Push::new(channels, c.coupon, c.valid_minutes as f64)
            }),
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::Visits]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        let plan = std::sync::Arc::clone(&run.plan);
        let c = &plan.config;
        let push = plan.broadcast.map(|push| push.prepare(world));
        let (at, visits_to_tag) = (c.schedule.time.minute(), c.visits_to_tag);
        for g in scheduled_groups(world, &c.schedule) {
            let pool = world.pop.pools[g];
            for i in pool.start..pool.start + pool.len {
                if world.has_left(i) || plan.target.is_some_and(|t| !world.pop.in_segments(i, t)) {
                    continue;
                }
                let tagged = !world.is_buyer(i) && world.visits_of(i) >= visits_to_tag;
                if let Some(push) = &push {
                    run.broadcast(world, push, i, at, tagged);
                } else if tagged {
                    run.personal(world, i, at);
                }
            }
        }
    }
}

impl Run<Plan> {
    fn personal(&mut self, world: &mut World, i: u32, at: u32) {
        let c = &self.plan.config;
        let t = &mut self.trial;
        t.tagged += 1;
        if !sigmoid_coin(self.rng.random(), c.open_base + world.intent_of(i), 1.0) {
            return;
        }
        t.opened += 1;
        let e = Exposure {
            base: self.plan.personal_base,
            attention: world.behaviour().coupon_attention(c.valid_minutes as f64),
            strength: 0.0,
            incentive: c.coupon,
        };
        if world.offer(i, at, &e, &mut self.rng) {
            t.tagged_orders += 1;
            t.orders += 1;
            t.cost += world.last_order_discount;
        }
    }

    fn broadcast(&mut self, world: &mut World, push: &Prepared, i: u32, at: u32, tagged: bool) {
        let t = &mut self.trial;
        let sees = world.online_probability(i, at) * world.notice_probability(i);
        t.tagged += tagged as u64;
        let out = push.deliver(world, i, at, sees, &mut self.rng);
        if tagged && out != PushOutcome::Ignored {
            t.opened += 1;
        }
        if matches!(out, PushOutcome::Bought | PushOutcome::BoughtAgain) {
            t.orders += 1;
            t.cost += world.last_order_discount;
            if tagged && out == PushOutcome::Bought {
                t.tagged_orders += 1;
            }
        }
    }
}

/// The plan: the validated settings, read as they are, the personal message's base on the
/// product page, and the group push used instead with `broadcast`.
#[derive(Debug, Clone)]
pub struct Plan {
    config: TargetedPush,
    /// The segments pushed (`None`: every member).
    target: Option<SegmentSet>,
    /// `channels.link + personal_strength`.
    personal_base: f64,
    /// With `broadcast`, the same code as an ordinary group push to every member.
    broadcast: Option<Push>,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    tagged: u64,
    opened: u64,
    tagged_orders: u64,
    orders: u64,
    cost: f64,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("tp_tagged"), |t, _| t.tagged as f64),
        (Kpi::share("tp_open_rate"), |t, _| per(t.opened, t.tagged)),
        (Kpi::share("tp_tagged_conversion"), |t, _| {
            per(t.tagged_orders, t.opened)
        }),
        (Kpi::gain("tp_orders"), |t, _| t.orders as f64),
        (Kpi::cost_item("tp_cost"), |t, _| t.cost),
    ];
}
