//! Behaviour shared by the chat-group mechanisms: a promotion pushed into the chat.
//!
//! A member who sees a push clicks with probability
//! `σ(channels.push + intent + w_inc·coupon/price)` and then decides on the product page
//! (base `channels.link`, the coupon as incentive) with attention
//! `1 − exp(−valid_minutes / decision_minutes)`
//! ([`BehaviourParams::coupon_attention`](crate::behaviour::BehaviourParams::coupon_attention)):
//! a coupon must be used before it expires, and a typical purchase decision takes
//! `behaviour.decision.decision_minutes` (default 10). With `buyers` set, members who
//! already bought may place an extra order ([`World::offer_any`]).
//!
//! ## Looking at the chat over a window
//! A message posted at minute `m` is found by a member who looks at the chat while it is
//! still in view. Looks form a Poisson process whose hourly rate is the member's online
//! probability for that hour (`activity · hourly[h] · weekday[d]`); a look notices group
//! activity with `notice_probability` (engagement), and a look `h` hours after posting finds
//! the message with weight `exp(−h / visibility_hours)` as it sinks in the chat (a pinned
//! message does not sink). So the probability of finding it is
//! `1 − exp(−activity · notice · W)`, with `W` = [`window_weight`] computed once per event.
//!
//! ## Visiting only the members an event can reach
//! Group-wide events do not flip a coin per member with an `exp`. [`Finders`] bounds the
//! rate by `W · notice_bound(g)` (activity ≤ 1, and every member's engagement is below the
//! group's bound): under a small bound it walks only the candidates of a
//! [`crate::thinning::Looks`] walk; under a large one it decides each member with one
//! uniform against a table ([`crate::thinning::look_coin`]). Both give the same
//! distribution of who finds the message as the per-member coin. Pushes seen with `online · notice` walk with
//! [`crate::thinning::Coins`] against `online_bound · notice_bound` the same way
//! ([`push_audience`]).

use super::{Mechanism, Run};
use crate::behaviour::{Exposure, sigmoid, sigmoid_coin};
use crate::population::Trait;
use crate::rng::SimRng;
use crate::settings::{Channels, Schedule};
use crate::thinning::{Coins, DENSE_ABOVE, Looks, look_coin};
use crate::world::{Offered, World};
use rand::RngExt;

/// What happened to one pushed promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Not seen, or seen and not clicked.
    Ignored,
    /// Clicked, no order.
    Clicked,
    /// Clicked and placed a first order (the coupon, if any, was redeemed).
    Bought,
    /// Clicked and an existing buyer placed an extra order.
    BoughtAgain,
}

/// A push's parameters.
#[derive(Debug, Clone, Copy)]
pub struct Push {
    /// Coupon value (0 for none).
    pub coupon: f64,
    /// Minutes the coupon stays valid.
    pub valid_minutes: f64,
    /// Base log-odds of clicking a push.
    pub push_base: f64,
    /// Base log-odds of buying on the product page.
    pub link_base: f64,
    /// Persuasive strength of the pushed content (0 for a plain promotion).
    pub strength: f64,
    /// Existing buyers may place an extra order.
    pub buyers: bool,
}

impl Push {
    /// A plain promotion of `coupon` (0 for none) valid `valid_minutes`, clicked at
    /// `channels.push` and decided on the product page at `channels.link`, for members who
    /// have not bought.
    pub fn new(channels: &Channels, coupon: f64, valid_minutes: f64) -> Push {
        Push {
            coupon,
            valid_minutes,
            push_base: channels.push,
            link_base: channels.link,
            strength: 0.0,
            buyers: false,
        }
    }

    /// The push with its per-event constants computed once (click probability without
    /// intent, the product page's attention), to be delivered to many members.
    pub fn prepare(&self, world: &World) -> Prepared {
        let x0 = self.push_base + world.behaviour().w_incentive * self.coupon / world.price();
        Prepared {
            push: *self,
            x0,
            click0: sigmoid(x0),
            exposure: Exposure {
                base: self.link_base,
                attention: world.behaviour().coupon_attention(self.valid_minutes),
                strength: self.strength,
                incentive: self.coupon,
            },
        }
    }
}

/// A [`Push`] prepared for one event: constants computed once, delivered to many members.
#[derive(Debug, Clone, Copy)]
pub struct Prepared {
    push: Push,
    /// Click log-odds without intent.
    x0: f64,
    /// `σ(x0)`.
    click0: f64,
    exposure: Exposure,
}

impl Prepared {
    /// Delivers the push to member `i` at `minute`, who sees it with probability `sees` (1:
    /// seen, without a draw), clicks with `σ(push_base + intent + w_inc · coupon / price)`
    /// and decides on the product page.
    #[inline]
    pub fn deliver(
        &self,
        world: &mut World,
        i: u32,
        minute: u32,
        sees: f64,
        rng: &mut SimRng,
    ) -> PushOutcome {
        if sees < 1.0 && rng.random::<f64>() >= sees {
            return PushOutcome::Ignored;
        }
        let intent = world.intent_of(i);
        let u: f64 = rng.random();
        let click = if intent == 0.0 {
            u < self.click0
        } else {
            sigmoid_coin(u, self.x0 + intent, 1.0)
        };
        if !click {
            return PushOutcome::Ignored;
        }
        self.after_click(world, i, minute, rng)
    }

    /// The usual CTR as a reference: the expected click rate of this push broadcast at
    /// `minute` to every member still in group `g` without anything before it (seen with
    /// online × notice, clicked without intent). Computed in expectation: no draws, no
    /// orders. Returns (sum of click probabilities, members).
    pub fn broadcast_reference(&self, world: &mut World, g: usize, minute: u32) -> (f64, u64) {
        let pool = world.pop.pools[g];
        let click = self.click0;
        let (mut sum, mut n) = (0.0, 0u64);
        for i in pool.start..pool.start + pool.len {
            if world.has_left(i) {
                continue;
            }
            sum += world.online_probability(i, minute) * world.notice_probability(i) * click;
            n += 1;
        }
        (sum, n)
    }

    /// Member `i` clicked the push: the product page's decision.
    pub fn after_click(
        &self,
        world: &mut World,
        i: u32,
        minute: u32,
        rng: &mut SimRng,
    ) -> PushOutcome {
        let e = &self.exposure;
        let minute = minute.min(1439);
        if self.push.buyers {
            match world.offer_any(i, minute, e, rng) {
                Offered::First => PushOutcome::Bought,
                Offered::Repeat => PushOutcome::BoughtAgain,
                Offered::Nothing => PushOutcome::Clicked,
            }
        } else if world.offer(i, minute, e, rng) {
            PushOutcome::Bought
        } else {
            PushOutcome::Clicked
        }
    }
}

/// The chat groups a scheduled event happens in today: every group on a day of `schedule`,
/// none on other days.
pub fn scheduled_groups(world: &World, schedule: &Schedule) -> std::ops::Range<usize> {
    if schedule.happens(world.day, world.weekday()) {
        world.pop.group_pools()
    } else {
        0..0
    }
}

/// A mechanism's day when it is one event in every chat group on the days of a schedule:
/// `event` runs in each group on a day of the plan's `schedule`.
pub fn each_scheduled_group<M: Mechanism>(
    run: &mut Run<M>,
    world: &mut World,
    schedule: fn(&M) -> &Schedule,
    event: impl Fn(&mut Run<M>, &mut World, usize),
) {
    for g in scheduled_groups(world, schedule(&run.plan)) {
        event(run, world, g);
    }
}

/// Members of group `g` who see a push at `minute` (online · notice): a walk whose
/// candidates `(i, u)` see it when `u < online_probability(i) · notice_probability(i)`
/// (see [`crate::thinning::Coins`]); members who left must be skipped by the caller.
pub fn push_audience(world: &World, g: usize, minute: u32) -> Coins {
    let pool = world.pop.pools[g];
    let bound = world.online_bound(minute) * world.notice_bound(g);
    world.coins(pool.start, pool.len, bound)
}

/// Buyers of group `g` (still in it) for whom finding a message of window weight `w` leads
/// to something: found with `p_i = 1 − exp(−activity · notice · w)`, it has an effect with
/// probability `effect` (a reaction, an opening; a buyer's intent does not move, so a find
/// without effect changes nothing). Each buyer is reported with probability
/// `p_i · effect`, like the per-member coins; only the candidates of a jumping [`Coins`]
/// walk against `p_max · effect` (`p_max = 1 − exp(−w · notice_bound)`) are evaluated, each
/// with one uniform against a table ([`look_coin`]).
#[derive(Debug, Clone, Copy)]
pub struct BuyerEffects {
    walk: Coins,
    w: f64,
    effect: f64,
}

impl BuyerEffects {
    /// The walk for a message with effect probability `effect > 0`.
    pub fn new(world: &World, g: usize, w: f64, effect: f64) -> Self {
        let pool = world.pop.pools[g];
        let p_max = -(-w * world.notice_bound(g)).exp_m1();
        BuyerEffects {
            walk: world.jumping_coins(pool.start, pool.len, p_max * effect),
            w,
            effect,
        }
    }

    /// The next buyer who found the message with an effect.
    #[inline]
    pub fn next(&mut self, world: &mut World, rng: &mut SimRng) -> Option<u32> {
        loop {
            let (i, u) = self
                .walk
                .next_if(rng, |i| world.is_buyer(i) && !world.has_left(i))?;
            // `u / effect` is uniform below p_max: the find.
            if look_coin(u / self.effect, look_rate(world, i, self.w)) {
                return Some(i);
            }
        }
    }
}

/// Who a push reaches in group `g` at a minute: members still in the group who see it
/// (`online · notice`), in two walks.
///
/// A buyer's intent is always 0, so a buyer who sees the push clicks with the constant
/// `σ(push_base + w_inc · coupon / price)`, and seeing without clicking changes nothing for
/// it: buyers are walked first with [`Coins`] against `online_bound · notice_bound · σ(…)`
/// and only those who see *and click* are reported ([`Reached::Clicked`]), typically a few
/// percent of them. Non-buyers are walked next against `online_bound · notice_bound` and
/// every one who sees is reported ([`Reached::Saw`]): its click depends on its intent, and
/// callers may count what seeing means for it. Buyers first, so a member who buys during
/// the second walk is not met again. Each member is reached with exactly the per-member
/// coins' probabilities.
#[derive(Debug, Clone, Copy)]
pub struct PushRound {
    buyers: Coins,
    others: Coins,
    minute: u32,
    click0: f64,
}

/// A member a [`PushRound`] reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// A non-buyer who saw the push (its click is still to be decided:
    /// [`Prepared::deliver`]).
    Saw(u32),
    /// A buyer who saw the push and clicked ([`Prepared::after_click`]).
    Clicked(u32),
}

impl PushRound {
    /// The round of `push` in group `g` at `minute` (today's state).
    pub fn new(world: &World, g: usize, minute: u32, push: &Prepared) -> Self {
        let pool = world.pop.pools[g];
        let seen = world.online_bound(minute) * world.notice_bound(g);
        PushRound {
            buyers: world.coins(pool.start, pool.len, seen * push.click0),
            others: world.coins(pool.start, pool.len, seen),
            minute,
            click0: push.click0,
        }
    }

    /// The next member reached.
    pub fn next(&mut self, world: &mut World, rng: &mut SimRng) -> Option<Reached> {
        let at = self.minute;
        while let Some((i, u)) = self
            .buyers
            .next_if(rng, |i| world.is_buyer(i) && !world.has_left(i))
        {
            let p = world.online_probability(i, at) * world.notice_probability(i) * self.click0;
            if u < p {
                return Some(Reached::Clicked(i));
            }
        }
        while let Some((i, u)) = self
            .others
            .next_if(rng, |i| !world.is_buyer(i) && !world.has_left(i))
        {
            if u < world.online_probability(i, at) * world.notice_probability(i) {
                return Some(Reached::Saw(i));
            }
        }
        None
    }
}

/// `W`: the expected looks of a member of activity 1 and notice 1 that find a message
/// posted at `minute` today and seen for `hours` (fractional), weighted by
/// `exp(−h / visibility_hours)` (`f64::INFINITY`: pinned, no sinking).
pub fn window_weight(world: &World, minute: u32, hours: f64, visibility_hours: f64) -> f64 {
    let b = world.behaviour();
    let wd = world.weekday();
    let h0 = minute as f64 / 60.0;
    let mut w = 0.0;
    let mut h = 0.0;
    while h < hours {
        let step = (hours - h).min(1.0);
        let abs = h0 + h;
        let hour = (abs as usize) % 24;
        let day = (abs as usize) / 24;
        let sink = if visibility_hours.is_finite() {
            (-(h + 0.5 * step) / visibility_hours).exp()
        } else {
            1.0
        };
        w += step * b.hourly[hour] * b.weekday[(wd + day) % 7] * sink;
        h += step;
    }
    w
}

/// Looks of member `i` that find a message of window weight `w` ([`window_weight`]):
/// `activity · notice · w`; the member finds it with probability `1 − exp(−rate)`.
/// Inlined into the finders' walks (see [`Finders::next`]).
#[inline(always)]
pub fn look_rate(world: &mut World, i: u32, w: f64) -> f64 {
    let a = world.pop.trait_of(i, Trait::Activity);
    a * world.notice_probability(i) * w
}

/// Seconds member `i`, who noticed a red packet, needs to claim it: `Exp(mean / (f + e))`
/// with `f` = `behaviour.group_life.claim_speed_floor` and `e` its engagement, so engaged
/// members win the race. Draws one exponential from `rng`.
#[inline]
pub fn claim_seconds(world: &World, i: u32, mean: f64, rng: &mut SimRng) -> f64 {
    use rand_distr::{Distribution, Exp1};
    let x: f64 = Exp1.sample(rng);
    x * mean / (world.behaviour().claim_speed_floor + world.engagement_of(i))
}

/// A member who found at least one of an evening's messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The member.
    pub member: u32,
    /// Bit `j` set: message `j` was found (always bit 0 for a single message).
    pub messages: u64,
    /// The member's rate per message, `activity · notice · w`.
    pub rate: f64,
}

/// Members of group `g` still in it who find messages of window weight `w`, each message
/// independently with probability `1 − exp(−activity · notice · w)`, in increasing id order.
///
/// With a small bound `x_max = w · notice_bound(g)` (activity ≤ 1) only the candidates of a
/// [`Looks`] walk against the bound for all `m` messages (rate `m · x_max`) are evaluated:
/// a candidate's first look `E` finds one when `E < m · rate`, that message is uniform among
/// the `m`, and each other one is found when a fresh look falls within what is left of its
/// rate, `rate − E / m` (memorylessness). Otherwise every member is visited and each message
/// decided by one uniform ([`look_coin`], no `exp`). Both give each member and message the
/// independent per-member coin's probability.
#[derive(Debug, Clone, Copy)]
pub struct Finders {
    walk: Walk,
    w: f64,
    m: u32,
    skip_buyers: bool,
}

#[derive(Debug, Clone, Copy)]
enum Walk {
    /// Every member, one uniform per message.
    Dense { next: u32, end: u32 },
    /// Candidates of a bound.
    Sparse(Looks),
}

impl Finders {
    /// The finders of one message of window weight `w` in group `g` (today's state).
    pub fn new(world: &World, g: usize, w: f64) -> Self {
        Self::of(world, g, w, 1)
    }

    /// The finders of `m` messages (1 to 64) of window weight `w` each, posted together.
    pub fn of(world: &World, g: usize, w: f64, m: u32) -> Self {
        assert!((1..=64).contains(&m), "1 to 64 messages at once");
        let pool = world.pop.pools[g];
        let x_max = m as f64 * w * world.notice_bound(g);
        let walk = if -(-x_max).exp_m1() < DENSE_ABOVE && !world.eager_walks() {
            Walk::Sparse(world.looks(pool.start, pool.len, x_max))
        } else {
            Walk::Dense {
                next: pool.start,
                end: pool.start + pool.len,
            }
        };
        Finders {
            walk,
            w,
            m,
            skip_buyers: false,
        }
    }

    /// The same walk over non-buyers only (buyers are passed over without a draw).
    pub fn non_buyers(mut self) -> Self {
        self.skip_buyers = true;
        self
    }

    /// The next member who finds at least one of the messages.
    ///
    /// Inlined into every mechanism's event loop: out of line, a full campaign trial runs
    /// about 1.5% more instructions.
    #[inline(always)]
    pub fn next(&mut self, world: &mut World, rng: &mut SimRng) -> Option<Found> {
        let m = self.m;
        loop {
            let (member, messages, rate) = match &mut self.walk {
                Walk::Dense { next, end } => {
                    if *next >= *end {
                        return None;
                    }
                    let i = *next;
                    *next += 1;
                    if world.has_left(i) || (self.skip_buyers && world.is_buyer(i)) {
                        continue;
                    }
                    let rate = look_rate(world, i, self.w);
                    // Message 0, then the others (most events post one).
                    let mut messages = look_coin(rng.random(), rate) as u64;
                    for j in 1..m {
                        messages |= (look_coin(rng.random(), rate) as u64) << j;
                    }
                    (i, messages, rate)
                }
                Walk::Sparse(looks) => {
                    let (i, e) = looks.next(rng)?;
                    if world.has_left(i) || (self.skip_buyers && world.is_buyer(i)) {
                        continue;
                    }
                    let rate = look_rate(world, i, self.w);
                    if e >= m as f64 * rate {
                        continue;
                    }
                    if m == 1 {
                        (i, 1, rate)
                    } else {
                        let first = rng.random_range(0..m);
                        let rest = rate - e / m as f64;
                        let mut messages = 1u64 << first;
                        for j in (0..m).filter(|&j| j != first) {
                            messages |= (look_coin(rng.random(), rest) as u64) << j;
                        }
                        (i, messages, rate)
                    }
                }
            };
            if messages != 0 {
                return Some(Found {
                    member,
                    messages,
                    rate,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::World;
    use crate::rng::{stream_rng, trial_key};

    /// Makes every `step`-th member a buyer (an offer no one declines).
    fn buy_every(world: &mut World, step: usize, rng: &mut SimRng) {
        let sure = Exposure {
            base: 40.0,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        for i in (0..400).step_by(step) {
            assert!(world.offer(i, 600, &sure, rng));
        }
    }

    /// A world with one chat group of about 400 members, engagement spread by day 3.
    fn world() -> World {
        let mut w = crate::world::testing::chat_groups(1, trial_key(1, 2));
        let mut rng = stream_rng(9, 9);
        for day in 0..3 {
            w.begin_day(day);
            for i in 0..400 {
                if rng.random::<f64>() < 0.3 {
                    w.add_engagement(i, rng.random::<f64>() * 0.5, 600);
                }
            }
        }
        w
    }

    /// [`world`] with every `step`-th member a buyer, and a stream for the test.
    fn world_with_buyers(step: usize, seed: u64) -> (World, SimRng) {
        let mut world = world();
        let mut rng = stream_rng(seed, seed);
        buy_every(&mut world, step, &mut rng);
        (world, rng)
    }

    /// Each member finds each of `m` messages with `1 − exp(−rate)`, independently: the
    /// finds per member (binned by probability) and the members finding all `m` match.
    fn check_finders(w: f64, m: u32) {
        let mut world = world();
        let n = world.pop.pools[0].len as usize;
        let p: Vec<f64> = (0..n as u32)
            .map(|i| {
                if world.has_left(i) {
                    0.0
                } else {
                    -(-look_rate(&mut world, i, w)).exp_m1()
                }
            })
            .collect();
        let reps = 3000;
        let mut finds = vec![0u64; n];
        let mut all = 0u64;
        let mut rng = stream_rng(4, 4);
        for _ in 0..reps {
            let mut f = Finders::of(&world, 0, w, m);
            let mut last = None;
            while let Some(found) = f.next(&mut world, &mut rng) {
                assert!(last.is_none_or(|l| found.member > l));
                last = Some(found.member);
                finds[found.member as usize] += found.messages.count_ones() as u64;
                all += (found.messages.count_ones() == m) as u64;
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
        for bin in order.chunks(n / 4) {
            let expect: f64 = bin.iter().map(|&i| p[i] * (m * reps) as f64).sum();
            let var: f64 = bin
                .iter()
                .map(|&i| p[i] * (1.0 - p[i]) * (m * reps) as f64)
                .sum();
            let got: u64 = bin.iter().map(|&i| finds[i]).sum();
            assert!(
                (got as f64 - expect).abs() < 4.0 * var.sqrt().max(1.0),
                "w {w}, m {m}: {got} vs {expect}"
            );
        }
        let expect_all: f64 = p.iter().map(|&q| q.powi(m as i32) * reps as f64).sum();
        let var_all: f64 = p
            .iter()
            .map(|&q| q.powi(m as i32) * (1.0 - q.powi(m as i32)) * reps as f64)
            .sum();
        assert!(
            (all as f64 - expect_all).abs() < 4.0 * var_all.sqrt().max(1.0),
            "w {w}, m {m}: all {all} vs {expect_all}"
        );
    }

    #[test]
    fn finders_match_the_per_member_coin() {
        for (w, m) in [(0.05, 1), (0.05, 3), (2.0, 1), (2.0, 3)] {
            check_finders(w, m);
        }
    }

    #[test]
    fn push_rounds_reach_buyers_who_click_and_non_buyers_who_see() {
        let (mut world, mut rng) = world_with_buyers(3, 7);
        let push = Push {
            coupon: 5.0,
            valid_minutes: 60.0,
            push_base: -2.5,
            link_base: -3.0,
            strength: 0.0,
            buyers: true,
        }
        .prepare(&world);
        let at = 20 * 60;
        let (mut clicked, mut saw) = (0.0, 0.0);
        for i in 0..400 {
            if world.has_left(i) {
                continue;
            }
            let sees = world.online_probability(i, at) * world.notice_probability(i);
            if world.is_buyer(i) {
                clicked += sees * push.click0;
            } else {
                saw += sees;
            }
        }
        let reps = 4000;
        let (mut got_clicked, mut got_saw) = (0u64, 0u64);
        for _ in 0..reps {
            let mut round = PushRound::new(&world, 0, at, &push);
            while let Some(r) = round.next(&mut world, &mut rng) {
                match r {
                    Reached::Clicked(i) => {
                        assert!(world.is_buyer(i));
                        got_clicked += 1;
                    }
                    Reached::Saw(i) => {
                        assert!(!world.is_buyer(i));
                        got_saw += 1;
                    }
                }
            }
        }
        let check = |got: u64, mean: f64| {
            let expect = mean * reps as f64;
            assert!(
                (got as f64 - expect).abs() < 4.0 * expect.sqrt(),
                "{got} vs {expect}"
            );
        };
        check(got_clicked, clicked);
        check(got_saw, saw);
    }

    #[test]
    fn buyer_effects_report_each_buyer_with_find_times_effect() {
        let (mut world, mut rng) = world_with_buyers(2, 8);
        let (w, effect) = (2.0, 0.15);
        let mut expect = 0.0;
        for i in 0..400 {
            if world.is_buyer(i) && !world.has_left(i) {
                expect += -(-look_rate(&mut world, i, w)).exp_m1() * effect;
            }
        }
        let reps = 4000;
        let mut got = 0u64;
        for _ in 0..reps {
            let mut walk = BuyerEffects::new(&world, 0, w, effect);
            while let Some(i) = walk.next(&mut world, &mut rng) {
                assert!(world.is_buyer(i));
                got += 1;
            }
        }
        let expect = expect * reps as f64;
        assert!(
            (got as f64 - expect).abs() < 4.0 * expect.sqrt(),
            "{got} vs {expect}"
        );
    }

    #[test]
    fn push_audience_walks_cover_online_times_notice() {
        let mut world = world();
        let n = world.pop.pools[0].len;
        let at = 20 * 60;
        let mut expect = 0.0;
        for i in 0..n {
            if !world.has_left(i) {
                expect += world.online_probability(i, at) * world.notice_probability(i);
            }
        }
        let (reps, mut seen) = (2000, 0u64);
        let mut rng = stream_rng(6, 6);
        for _ in 0..reps {
            let mut walk = push_audience(&world, 0, at);
            while let Some((i, u)) = walk.next(&mut rng) {
                if world.has_left(i) {
                    continue;
                }
                let sees = world.online_probability(i, at) * world.notice_probability(i);
                seen += (u < sees) as u64;
            }
        }
        let mean = seen as f64 / reps as f64;
        assert!((mean - expect).abs() < 0.01 * expect, "{mean} vs {expect}");
    }
}
