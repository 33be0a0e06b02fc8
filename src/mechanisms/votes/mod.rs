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
//! issued), `vote_result_ctr`, `vote_broadcast_ctr`, `vote_orders` (orders from the linked
//! offers, first and extra), `vote_first_orders`, `vote_reward_cost` (coupons redeemed and
//! result discounts), `vote_cost_per_participant`, `vote_cost_share` (reward cost / revenue).

mod config;
pub use config::*;

use super::group_chat::{Finders, Prepared, Push, PushOutcome, push_audience, window_weight};
use super::{Better, Kpi, Mechanism, Needs, TrialState, Unit};
use crate::behaviour::sigmoid_coin;
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::{Base, Schedule};
use crate::world::World;
use rand::RngExt;
use std::sync::Arc;

/// The settings the model reads, fixed for the run; built by destructuring the whole
/// [`Votes`] table, so a setting the model does not read is a compile warning.
#[derive(Debug, Clone)]
pub struct Plan {
    programs: Vec<Program>,
    reward_cap_share: Option<f64>,
    participation_base: f64,
    reward_weight: f64,
    engagement_weight: f64,
    visibility_hours: f64,
    participation_engagement: f64,
    involvement_intent: f64,
    link_strength: f64,
    anticipation: f64,
    anticipation_minutes: f64,
    bundle_strength: f64,
    link_base: f64,
    push_base: f64,
}

/// One recurring vote ([`VoteProgram`]), its topic resolved into a relevance and a link.
#[derive(Debug, Clone)]
struct Program {
    schedule: Schedule,
    relevance: f64,
    open_hours: f64,
    choices: u32,
    participation_coupon: f64,
    winner_bonus: f64,
    coupon_valid_days: u32,
    link: VoteLink,
    result_delay_minutes: u32,
    result_coupon: f64,
    result_valid_minutes: u32,
}

/// A result waiting to be announced.
#[derive(Debug, Clone, Copy)]
struct Pending {
    day: u32,
    minute: u32,
    program: usize,
    group: usize,
    /// Range of `State::participants`.
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Default)]
struct Tally {
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
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    /// Shared, so events borrow it without copying while drawing from the state.
    plan: Arc<Plan>,
    rng: SimRng,
    /// Participants of pending votes; bit 31 set = picked the winner.
    participants: Vec<u32>,
    pending: Vec<Pending>,
    /// Participants of the current group (flash sales reach everyone else too).
    mark: Vec<bool>,
    tally: Tally,
}

const WINNER: u32 = 1 << 31;

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: Arc::new(plan.clone()),
            rng: stream_rng(0, 0),
            participants: Vec::new(),
            pending: Vec::new(),
            mark: Vec::new(),
            tally: Tally::default(),
        }
    }

    fn rewards_allowed(&self, world: &World) -> bool {
        match self.plan.reward_cap_share {
            Some(cap) => self.reward_cost(world) <= cap * world.ledger.revenue,
            None => true,
        }
    }

    fn reward_cost(&self, world: &World) -> f64 {
        world.ledger.coupon_value_redeemed[Plan::STREAM as usize] + self.tally.discounts
    }

    fn open(&mut self, world: &mut World, k: usize, g: usize) {
        let p = Arc::clone(&self.plan);
        let prog = &p.programs[k];
        let minute = prog.schedule.time.minute();
        let w = window_weight(world, minute, prog.open_hours, p.visibility_hours);
        let expected_reward = prog.participation_coupon + prog.winner_bonus / prog.choices as f64;
        let base =
            p.participation_base + prog.relevance + p.reward_weight * expected_reward.ln_1p();
        let (ew, eng_gain, intent_gain) = (
            p.engagement_weight,
            p.participation_engagement,
            p.involvement_intent,
        );
        let (coupon, valid, choices) = (
            prog.participation_coupon,
            prog.coupon_valid_days,
            prog.choices,
        );
        let give = coupon > 0.0 && self.rewards_allowed(world);
        let after_vote = prog.link == VoteLink::CouponPush;
        let after_push = self.link_push(prog, true).prepare(world);
        let open_minutes = ((prog.open_hours * 60.0) as u32).max(1);
        let start = self.participants.len();
        self.tally.present += world.members_in(g) as u64;
        let mut finders = Finders::new(world, g, w);
        while let Some(f) = finders.next(world, &mut self.rng) {
            let i = f.member;
            let e = world.engagement_of(i);
            if !sigmoid_coin(self.rng.random(), base + ew * (e - 0.5), 1.0) {
                continue;
            }
            self.tally.participants += 1;
            world.add_engagement(i, eng_gain);
            world.add_intent(i, intent_gain);
            if give {
                world.give_coupon(i, coupon, valid, Plan::STREAM);
                self.tally.issued += 1;
            }
            let winner = self.rng.random::<f64>() * choices as f64 <= 1.0;
            self.participants.push(if winner { i | WINNER } else { i });
            if after_vote {
                let at = (minute + self.rng.random_range(0..open_minutes)).min(1439);
                self.deliver(world, &after_push, i, at, 1.0, false);
            }
        }
        self.tally.events += 1;
        let close = minute as f64 + prog.open_hours * 60.0;
        let mut day = world.day + (close / 1440.0) as u32;
        let mut at = (close % 1440.0) as u32;
        if at >= 23 * 60 {
            day += 1;
            at = 9 * 60;
        } else if at < 9 * 60 {
            at = 9 * 60;
        }
        if day < world.horizon {
            self.pending.push(Pending {
                day,
                minute: at,
                program: k,
                group: g,
                start,
                end: self.participants.len(),
            });
        }
    }

    fn result(&mut self, world: &mut World, p: Pending) {
        let plan = Arc::clone(&self.plan);
        let prog = &plan.programs[p.program];
        if prog.winner_bonus > 0.0 && self.rewards_allowed(world) {
            for k in p.start..p.end {
                let v = self.participants[k];
                if v & WINNER != 0 {
                    world.give_coupon(
                        v & !WINNER,
                        prog.winner_bonus,
                        prog.coupon_valid_days,
                        Plan::STREAM,
                    );
                    self.tally.issued += 1;
                }
            }
        }
        let link = prog.link;
        if matches!(link, VoteLink::None | VoteLink::CouponPush) {
            return;
        }
        let at = (p.minute + prog.result_delay_minutes).min(1439);
        let push = self.link_push(prog, true);
        let (sum, n) = push.broadcast_reference(world, p.group, at);
        let push = push.prepare(world);
        self.tally.broadcast_sum += sum;
        self.tally.broadcast_n += n;
        let waiting = plan.anticipation
            * (-(prog.result_delay_minutes as f64) / plan.anticipation_minutes).exp();
        for k in p.start..p.end {
            let i = self.participants[k] & !WINNER;
            if world.has_left(i) {
                continue;
            }
            let ordinary = world.online_probability(i, at) * world.notice_probability(i);
            let sees = waiting + (1.0 - waiting) * ordinary;
            self.deliver(world, &push, i, at, sees, true);
        }
        if link == VoteLink::FlashSale {
            // Everyone else in the group sees the flash sale like any push.
            let pool = world.pop.pools[p.group];
            self.mark.clear();
            self.mark.resize(pool.len as usize, false);
            for k in p.start..p.end {
                self.mark[((self.participants[k] & !WINNER) - pool.start) as usize] = true;
            }
            let plain = self.link_push(prog, false).prepare(world);
            let mut present = world.members_in(p.group) as u64;
            for k in p.start..p.end {
                present -= !world.has_left(self.participants[k] & !WINNER) as u64;
            }
            self.tally.pushes += present;
            // Only the members who may see it are visited.
            let mut audience = push_audience(world, p.group, at);
            while let Some((i, u)) = audience.next(&mut self.rng) {
                if world.has_left(i) || self.mark[(i - pool.start) as usize] {
                    continue;
                }
                let sees = world.online_probability(i, at) * world.notice_probability(i);
                if u < sees {
                    let out = plain.deliver_seen(world, i, at, &mut self.rng);
                    self.count(world, out, true);
                }
            }
        }
    }

    /// The linked offer of `prog`; `participant` adds `link_strength` on the product page.
    fn link_push(&self, prog: &Program, participant: bool) -> Push {
        let link = prog.link;
        Push {
            coupon: prog.result_coupon,
            valid_minutes: if link == VoteLink::Presale {
                1440.0
            } else {
                prog.result_valid_minutes as f64
            },
            push_base: self.plan.push_base,
            link_base: self.plan.link_base
                + if participant {
                    self.plan.link_strength
                } else {
                    0.0
                },
            strength: if link == VoteLink::Bundle {
                self.plan.bundle_strength
            } else {
                0.0
            },
            buyers: true,
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
        self.tally.pushes += result as u64;
        let out = push.deliver(world, i, at, sees, &mut self.rng);
        self.count(world, out, result);
    }

    /// Counts a push's outcome (`result`: a result push, counted for the CTR).
    fn count(&mut self, world: &World, out: PushOutcome, result: bool) {
        match out {
            PushOutcome::Ignored => return,
            PushOutcome::Clicked => {
                self.tally.clicks += result as u64;
                return;
            }
            PushOutcome::Bought => {
                self.tally.orders += 1;
                self.tally.first_orders += 1;
            }
            PushOutcome::BoughtAgain => self.tally.orders += 1,
        }
        self.tally.clicks += result as u64;
        if !world.last_order_wallet {
            // The push's own discount (a larger wallet coupon is booked to its issuer).
            self.tally.discounts += world.last_order_discount;
        }
    }
}

impl Mechanism for Plan {
    type Config = Votes;
    type State = State;
    const KEY: &'static str = "votes";
    const LABEL: &'static str = "votes in chat groups";
    const STREAM: u64 = 3;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("vote_events"),
        Kpi::share("vote_participation"),
        Kpi::count("vote_coupons_issued"),
        Kpi::share("vote_coupon_use"),
        Kpi::share("vote_result_ctr"),
        Kpi::share("vote_broadcast_ctr").better(Better::Neither),
        Kpi::gain("vote_orders"),
        Kpi::gain("vote_first_orders"),
        Kpi::cost_item("vote_reward_cost"),
        Kpi::new("vote_cost_per_participant", Unit::Money, Better::Lower),
        Kpi::share("vote_cost_share").better(Better::Lower),
    ];
    const NEEDS: Needs = Needs {
        wallet: true,
        group_life: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &Votes) -> Result<Self, String> {
        let Votes {
            enabled: _,
            program,
            reward_cap_share,
            participation_base,
            relevance,
            reward_weight,
            engagement_weight,
            visibility_hours,
            participation_engagement,
            involvement_intent,
            link_strength,
            anticipation,
            anticipation_minutes,
            bundle_strength,
        } = c;
        let programs = program
            .iter()
            .map(|q| {
                let VoteProgram {
                    topic,
                    schedule,
                    open_hours,
                    choices,
                    participation_coupon,
                    winner_bonus,
                    coupon_valid_days,
                    link,
                    result_delay_minutes,
                    result_coupon,
                    result_valid_minutes,
                } = q;
                Program {
                    schedule: schedule.clone(),
                    relevance: relevance.of(*topic),
                    open_hours: *open_hours,
                    choices: *choices,
                    participation_coupon: *participation_coupon,
                    winner_bonus: *winner_bonus,
                    coupon_valid_days: *coupon_valid_days,
                    link: link.unwrap_or(topic.natural_link()),
                    result_delay_minutes: *result_delay_minutes,
                    result_coupon: *result_coupon,
                    result_valid_minutes: *result_valid_minutes,
                }
            })
            .collect();
        Ok(Plan {
            programs,
            reward_cap_share: *reward_cap_share,
            participation_base: *participation_base,
            reward_weight: *reward_weight,
            engagement_weight: *engagement_weight,
            visibility_hours: *visibility_hours,
            participation_engagement: *participation_engagement,
            involvement_intent: *involvement_intent,
            link_strength: *link_strength,
            anticipation: *anticipation,
            anticipation_minutes: *anticipation_minutes,
            bundle_strength: *bundle_strength,
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
        self.participants.clear();
        self.pending.clear();
        self.tally = Tally::default();
        self.rng = mechanism_rng(world.key, stream);
    }

    fn on_day(&mut self, world: &mut World) {
        for k in 0..self.plan.programs.len() {
            let sch = &self.plan.programs[k].schedule;
            if sch.happens(world.day, world.weekday()) {
                for g in world.pop.group_pools() {
                    self.open(world, k, g);
                }
            }
        }
        let mut j = 0;
        while j < self.pending.len() {
            if self.pending[j].day == world.day {
                let p = self.pending.swap_remove(j);
                self.result(world, p);
            } else {
                j += 1;
            }
        }
        if self.pending.is_empty() {
            self.participants.clear();
        }
    }

    fn kpis(&self, world: &World, out: &mut Vec<f64>) {
        let t = &self.tally;
        let redeemed = world.ledger.coupons_redeemed[Plan::STREAM as usize] as f64;
        let cost = self.reward_cost(world);
        out.extend_from_slice(&[
            t.events as f64,
            ratio(t.participants as f64, t.present as f64),
            t.issued as f64,
            ratio(redeemed, t.issued as f64),
            ratio(t.clicks as f64, t.pushes as f64),
            ratio(t.broadcast_sum, t.broadcast_n as f64),
            t.orders as f64,
            t.first_orders as f64,
            cost,
            ratio(cost, t.participants as f64),
            ratio(cost, world.ledger.revenue),
        ]);
    }
}
