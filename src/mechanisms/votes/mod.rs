//! Topic votes in every chat group (docs/field-figures.md §2.6).
//!
//! ## Model of one vote in one group, opening at minute `m` of a scheduled day
//! 1. **Who sees it.** The vote message is found by a member still in the group with
//!    probability `1 − exp(−activity · notice · W)`, where `W` sums the hourly online profile
//!    over the `open_hours`, each hour weighted by `exp(−h / visibility_hours)` as the message
//!    sinks in the chat (see [`super::group_chat::window_weight`]). Opening when members are
//!    online (Thursday or Friday evening) is what raises participation; no timing bonus is
//!    written in.
//! 2. **Who takes part.** A member who found it votes with probability
//!    `σ(participation_base + relevance[topic] + reward_weight · ln(1 + R) +
//!    engagement_weight · (e − 0.5))`, with `R = participation_coupon + winner_bonus /
//!    choices` the expected reward. A participant gains `participation_engagement`,
//!    `involvement_intent` (non-buyers), the participation coupon (wallet) and, with
//!    probability `1 / choices`, picks the winner.
//! 3. **The result** is announced when the vote closes (at 09:00 when it closes at night,
//!    23:00–09:00). Winners get the bonus coupon. Reward coupons are not issued while the
//!    rewards redeemed exceed `reward_cap_share` of the sales so far.
//! 4. **The linked offer.** A *coupon push* reaches each participant right after voting,
//!    while still in the chat (seen for sure). The other links follow the result by
//!    `result_delay_minutes`: a scenario bundle (a push with persuasive content of strength
//!    `bundle_strength`, default 0.5) or a pre-sale (a push valid for a day) to
//!    participants, or a flash sale pushed to every member. On the product page a
//!    participant's decision gains `link_strength`: the offer is for what it just chose or
//!    asked about. A participant is still waiting for the result with probability
//!    `anticipation · exp(−delay / anticipation_minutes)` (default 60 minutes); otherwise it
//!    sees the push like anyone online (online × notice). Existing buyers may place extra
//!    orders. The push's CTR is compared with the same push broadcast to the group at that
//!    minute (`vote_broadcast_ctr`, in expectation).
//!
//! ## KPIs
//! `vote_events` (votes over all groups), `vote_participation` (participants / members in
//! the group at the vote), `vote_coupons_issued`, `vote_coupon_use` (wallet coupons redeemed /
//! issued), `vote_result_ctr`, `vote_broadcast_ctr` (both empty when no vote links its
//! result to an offer: nothing is pushed), `vote_orders` (orders from the linked
//! offers, first and extra), `vote_first_orders`, `vote_reward_cost` (coupons redeemed and
//! result discounts), `vote_cost_per_participant`, `vote_cost_share` (reward cost / revenue: a ratio,
//! above 1 when rewards cost more than all sales).

mod config;
pub use config::*;

use super::group_chat::{Finders, Prepared, Push, PushOutcome};
use super::group_chat::{push_audience, scheduled_groups, window_weight};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::sigmoid_coin;
use crate::settings::{Base, Channels};
use crate::world::World;
use rand::RngExt;
use std::sync::Arc;

impl Mechanism for Plan {
    type Config = Votes;
    type Trial = Trial;
    const KEY: &'static str = "votes";
    const LABEL: &'static str = "votes in chat groups";
    const STREAM: u64 = 3;

    fn plan(base: &Base<'_>, c: &Votes) -> Result<Self, String> {
        let Votes {
            enabled: _,
            program: _,
            reward_cap_share: _,
            participation_base: _,
            relevance: _,
            reward_weight: _,
            engagement_weight: _,
            visibility_hours: _,
            participation_engagement: _,
            involvement_intent: _,
            link_strength: _,
            anticipation: _,
            anticipation_minutes: _,
            bundle_strength: _,
            staff_from: _,
            staff_until: _,
        } = c;
        Ok(Plan {
            config: c.clone(),
            programs: c
                .program
                .iter()
                .map(|vote| Program {
                    vote: vote.clone(),
                    relevance: c.relevance.of(vote.topic),
                    link: vote.link.unwrap_or(vote.topic.natural_link()),
                })
                .collect(),
            channels: base.behaviour.channels.clone(),
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::Wallet, Need::GroupLife]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        for k in 0..run.plan.programs.len() {
            for g in scheduled_groups(world, &run.plan.programs[k].vote.schedule) {
                run.open(world, k, g);
            }
        }
        let mut j = 0;
        while j < run.trial.pending.len() {
            if run.trial.pending[j].day == world.day {
                let r = run.trial.pending.swap_remove(j);
                run.result(world, r);
            } else {
                j += 1;
            }
        }
        if run.trial.pending.is_empty() {
            run.trial.voters.clear();
        }
    }
}

impl Run<Plan> {
    fn rewards_allowed(&self, world: &World) -> bool {
        match self.plan.config.reward_cap_share {
            Some(cap) => self.trial.reward_cost(world) <= cap * world.ledger.revenue,
            None => true,
        }
    }

    // Inlined into the day: out of line, the vote scenarios run about 2% more instructions.
    #[inline]
    fn open(&mut self, world: &mut World, k: usize, g: usize) {
        let plan = Arc::clone(&self.plan);
        let p = &plan.config;
        let prog = &plan.programs[k];
        let v = &prog.vote;
        let minute = v.schedule.time.minute();
        let w = window_weight(world, minute, v.open_hours, p.visibility_hours);
        let expected_reward = v.participation_coupon + v.winner_bonus / v.choices as f64;
        let base =
            p.participation_base + prog.relevance + p.reward_weight * expected_reward.ln_1p();
        let (ew, eng_gain, intent_gain) = (
            p.engagement_weight,
            p.participation_engagement,
            p.involvement_intent,
        );
        let (coupon, valid, choices) = (v.participation_coupon, v.coupon_valid_days, v.choices);
        let give = coupon > 0.0 && self.rewards_allowed(world);
        let after_vote = prog.link == VoteLink::CouponPush;
        let after_push = self.link_push(prog, true).prepare(world);
        let open_minutes = ((v.open_hours * 60.0) as u32).max(1);
        let start = self.trial.voters.len();
        self.trial.present += world.members_in(g) as u64;
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let e = world.engagement_of(i);
            if !sigmoid_coin(self.rng.random(), base + ew * (e - 0.5), 1.0) {
                continue;
            }
            self.trial.participants += 1;
            world.add_engagement(i, eng_gain, minute);
            world.add_intent(i, intent_gain);
            if give {
                world.give_coupon(i, coupon, valid, Plan::STREAM);
                self.trial.issued += 1;
            }
            let winner = self.rng.random::<f64>() * choices as f64 <= 1.0;
            self.trial.voters.push(if winner { i | WINNER } else { i });
            if after_vote {
                let at = (minute + self.rng.random_range(0..open_minutes)).min(1439);
                self.deliver(world, &after_push, i, at, 1.0, false);
            }
        }
        self.trial.events += 1;
        let close = minute as f64 + v.open_hours * 60.0;
        let mut day = world.day + (close / 1440.0) as u32;
        let mut at = (close % 1440.0) as u32;
        let (from, until) = (
            self.plan.config.staff_from.minute(),
            self.plan.config.staff_until.minute(),
        );
        if at >= until {
            day += 1;
            at = from;
        } else if at < from {
            at = from;
        }
        if day < world.horizon {
            self.trial.pending.push(Pending {
                day,
                minute: at,
                program: k,
                group: g,
                start,
                end: self.trial.voters.len(),
            });
        }
    }

    fn result(&mut self, world: &mut World, r: Pending) {
        let plan = Arc::clone(&self.plan);
        let prog = &plan.programs[r.program];
        let v = &prog.vote;
        if v.winner_bonus > 0.0 && self.rewards_allowed(world) {
            for &voter in &self.trial.voters[r.start..r.end] {
                if voter & WINNER != 0 {
                    let i = voter & !WINNER;
                    world.give_coupon(i, v.winner_bonus, v.coupon_valid_days, Plan::STREAM);
                    self.trial.issued += 1;
                }
            }
        }
        let link = prog.link;
        if matches!(link, VoteLink::None | VoteLink::CouponPush) {
            return;
        }
        let at = (r.minute + v.result_delay_minutes).min(1439);
        let push = self.link_push(prog, true).prepare(world);
        let (sum, n) = push.broadcast_reference(world, r.group, at);
        self.trial.broadcast_sum += sum;
        self.trial.broadcast_n += n;
        let p = &plan.config;
        let waiting =
            p.anticipation * (-(v.result_delay_minutes as f64) / p.anticipation_minutes).exp();
        for k in r.start..r.end {
            let i = self.trial.voters[k] & !WINNER;
            if world.has_left(i) {
                continue;
            }
            let ordinary = world.online_probability(i, at) * world.notice_probability(i);
            let sees = waiting + (1.0 - waiting) * ordinary;
            self.deliver(world, &push, i, at, sees, true);
        }
        if link == VoteLink::FlashSale {
            // Everyone else in the group sees the flash sale like any push.
            let pool = world.pop.pools[r.group];
            let t = &mut self.trial;
            t.mark.clear();
            t.mark.resize(pool.len as usize, false);
            let mut present = world.members_in(r.group) as u64;
            for &voter in &t.voters[r.start..r.end] {
                let i = voter & !WINNER;
                t.mark[(i - pool.start) as usize] = true;
                present -= !world.has_left(i) as u64;
            }
            t.pushes += present;
            let plain = self.link_push(prog, false).prepare(world);
            // Only the members who may see it are visited.
            let mut audience = push_audience(world, r.group, at);
            while let Some((i, u)) = audience.next(&mut self.rng) {
                if world.has_left(i) || self.trial.mark[(i - pool.start) as usize] {
                    continue;
                }
                let sees = world.online_probability(i, at) * world.notice_probability(i);
                if u < sees {
                    let out = plain.deliver(world, i, at, 1.0, &mut self.rng);
                    self.count(world, out, true);
                }
            }
        }
    }

    /// The linked offer of `prog`; `participant` adds `link_strength` on the product page.
    fn link_push(&self, prog: &Program, participant: bool) -> Push {
        let (p, v, link) = (&self.plan.config, &prog.vote, prog.link);
        let valid_minutes = if link == VoteLink::Presale {
            1440.0
        } else {
            v.result_valid_minutes as f64
        };
        let push = Push::new(&self.plan.channels, v.result_coupon, valid_minutes);
        Push {
            link_base: push.link_base + if participant { p.link_strength } else { 0.0 },
            strength: if link == VoteLink::Bundle {
                p.bundle_strength
            } else {
                0.0
            },
            buyers: true,
            ..push
        }
    }

    /// Delivers a linked offer; `result` marks pushes after a result (their CTR is compared
    /// with a broadcast).
    fn deliver(
        &mut self,
        world: &mut World,
        push: &Prepared,
        i: u32,
        at: u32,
        sees: f64,
        result: bool,
    ) {
        self.trial.pushes += result as u64;
        let out = push.deliver(world, i, at, sees, &mut self.rng);
        self.count(world, out, result);
    }

    /// Counts a push's outcome (`result`: a result push, counted for the CTR).
    fn count(&mut self, world: &World, out: PushOutcome, result: bool) {
        let t = &mut self.trial;
        match out {
            PushOutcome::Ignored => return,
            PushOutcome::Clicked => {
                t.clicks += result as u64;
                return;
            }
            PushOutcome::Bought => {
                t.orders += 1;
                t.first_orders += 1;
            }
            PushOutcome::BoughtAgain => t.orders += 1,
        }
        t.clicks += result as u64;
        if !world.last_order_wallet {
            // The push's own discount (a larger wallet coupon is booked to its issuer).
            t.discounts += world.last_order_discount;
        }
    }
}

/// The plan: the validated settings, read as they are, each program's topic resolved, and
/// the channel bases.
#[derive(Debug, Clone)]
pub struct Plan {
    config: Votes,
    programs: Vec<Program>,
    channels: Channels,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    events: u32,
    present: u64,
    participants: u64,
    issued: u64,
    pushes: u64,
    clicks: u64,
    broadcast_sum: f64,
    broadcast_n: u64,
    orders: u64,
    first_orders: u64,
    discounts: f64,
    /// Participants of pending votes; bit 31 set = picked the winner.
    voters: Vec<u32>,
    pending: Vec<Pending>,
    /// Participants of the current group (flash sales reach everyone else too).
    mark: Vec<bool>,
}

impl Trial {
    /// Coupons of the votes redeemed and the result pushes' own discounts.
    fn reward_cost(&self, world: &World) -> f64 {
        world.ledger.coupon_value_redeemed[Plan::STREAM as usize] + self.discounts
    }
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("vote_events"), |t, _| t.events as f64),
        (Kpi::share("vote_participation"), |t, _| {
            per(t.participants, t.present)
        }),
        (Kpi::count("vote_coupons_issued"), |t, _| t.issued as f64),
        (Kpi::share("vote_coupon_use"), |t, world| {
            let redeemed = world.ledger.coupons_redeemed[Plan::STREAM as usize] as f64;
            per(redeemed, t.issued)
        }),
        (Kpi::share("vote_result_ctr"), |t, _| {
            per(t.clicks, t.pushes)
        }),
        (
            Kpi::share("vote_broadcast_ctr").better(Better::Neither),
            |t, _| per(t.broadcast_sum, t.broadcast_n),
        ),
        (Kpi::gain("vote_orders"), |t, _| t.orders as f64),
        (Kpi::gain("vote_first_orders"), |t, _| t.first_orders as f64),
        (Kpi::cost_item("vote_reward_cost"), |t, world| {
            t.reward_cost(world)
        }),
        (
            Kpi::new("vote_cost_per_participant", Unit::Money, Better::Lower),
            |t, world| per(t.reward_cost(world), t.participants),
        ),
        (
            // Cost over revenue: above 1 when rewards cost more than all sales, so a ratio.
            Kpi::new("vote_cost_share", Unit::Ratio, Better::Lower),
            |t, world| per(t.reward_cost(world), world.ledger.revenue),
        ),
    ];
}

/// One recurring vote ([`VoteProgram`]) with its topic resolved into a relevance and a link.
#[derive(Debug, Clone)]
struct Program {
    vote: VoteProgram,
    relevance: f64,
    link: VoteLink,
}

/// A result waiting to be announced.
#[derive(Debug, Clone, Copy)]
struct Pending {
    day: u32,
    minute: u32,
    program: usize,
    group: usize,
    /// Range of `Trial::voters`.
    start: usize,
    end: usize,
}

const WINNER: u32 = 1 << 31;
