//! The narrow API mechanisms act through: purchase opportunities ([`World::offer`],
//! [`World::offer_any`]), intent, satisfaction, wallet coupons, chat-group engagement and
//! membership, and the reads they decide by (who bought, who left, who is online).
//!
//! ## The purchase decision
//! An offer converts a non-buyer with probability `attention · σ(x)`, `x` the decision
//! log-odds of [`BehaviourParams::decision_logit`] (the exposure's base and strength, the
//! agent's intent, susceptibility and price sensitivity, the card's social proof, the
//! incentive); a rejected offer leaves intent behind (`intent_gain · strength ·
//! attention`), which decays daily and keeps the agent out of the organic walk while it is
//! above the floor. A buyer offered again orders extra with `attention · σ(base +
//! repeat_shift + w_inc · incentive / price)`.
//!
//! ## Leaving chat groups
//! A member leaves at daily hazard `leave_rate · (1 − e)` (engagement `e` decaying between
//! interactions), so a day's leaving probability is at most `1 − exp(−leave_rate)`. At the
//! start of each day the engine walks each group with [`crate::thinning::Coins`] against
//! that bound and settles only the candidates (about `leave_rate · members` a day):
//! membership is always current, mechanisms read it with [`World::has_left`] and count
//! members with [`World::members_in`], and nothing is settled per member per event.

use super::state::{BUYER, COUPON_SOURCES, DROPPED, LEFT, OUT, Offered, Order, TOUCHED, World};
use crate::behaviour::{BehaviourParams, Exposure, sigmoid_coin};
use crate::population::Trait;
use crate::rng::{EventRng, SimRng, agent_rng_in};
use crate::settings::RepurchaseModel;
use crate::thinning::Coins;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Weekday index (0 = Monday) of the current day.
    #[inline]
    pub fn weekday(&self) -> usize {
        (self.weekday0 + self.day as usize) % 7
    }

    /// True when buyer `i` has ordered.
    #[inline]
    pub fn is_buyer(&self, i: u32) -> bool {
        self.flags[i as usize] & BUYER != 0
    }

    /// Orders of buyer `i` so far (0 for a non-buyer).
    #[inline]
    pub fn orders_of(&self, i: u32) -> u32 {
        if self.is_buyer(i) {
            self.orders[i as usize] as u32
        } else {
            0
        }
    }

    /// Books campaign cost.
    #[inline]
    pub fn book_cost(&mut self, amount: f64) {
        self.ledger.campaign_cost += amount;
    }

    /// Adds a published review to the product card.
    pub fn add_card_review(&mut self, sentiment: f64) {
        if let Some(c) = self.card.as_mut() {
            c.add(sentiment);
        }
        self.delta_sp = self.card.map(|c| c.delta()).unwrap_or(0.0);
    }

    /// The card's social proof change, kept current by [`World::add_card_review`] (every
    /// purchase decision reads it).
    #[inline]
    pub(super) fn delta_sp(&self) -> f64 {
        self.delta_sp
    }

    /// Current intent of buyer `i`.
    #[inline]
    pub fn intent_of(&self, i: u32) -> f64 {
        let i = i as usize;
        let v = self.intent[i] as f64;
        if v == 0.0 {
            0.0
        } else {
            self.beh()
                .intent_after(v, self.day - self.intent_day[i] as u32)
        }
    }

    /// Offers agent `i` a purchase opportunity at `minute` of the current day; returns true
    /// when it converts into the agent's first order. Buyers who already ordered are not
    /// re-acquired by an exposure (their repeat orders follow the repurchase process), and
    /// chat-group members out of the product's market never buy.
    pub fn offer(&mut self, i: u32, minute: u32, e: &Exposure, rng: &mut SimRng) -> bool {
        if self.flags[i as usize] & (BUYER | OUT) != 0 {
            return false;
        }
        let attention = e.attention * self.attend(i, minute);
        let (intent, x) = self.decision(i, e);
        if sigmoid_coin(rng.random::<f64>(), x, attention) {
            let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
            self.first_order(i, time, e.incentive);
            true
        } else {
            if self.track_visits {
                let v = &mut self.visits[i as usize];
                *v = v.saturating_add(1);
            }
            let add = self.beh().intent_gain * e.strength * attention;
            if add != 0.0 {
                let next = self.beh().intent_plus(intent, add);
                self.set_intent(i, next);
            }
            false
        }
    }

    /// The probability that non-buyer `i` would buy on exposure `e` now, without drawing
    /// and without taking attention (0 for buyers): the counterfactual a mechanism's effect
    /// is judged by.
    pub fn offer_probability(&mut self, i: u32, e: &Exposure) -> f64 {
        if self.flags[i as usize] & (BUYER | OUT) != 0 {
            return 0.0;
        }
        let (_, x) = self.decision(i, e);
        e.attention * crate::behaviour::sigmoid(x)
    }

    /// Agent `i` meets a purchase opportunity at `minute` of today: the share of attention
    /// it gets ([`BehaviourParams::attention_share`] of the agent's load), after which the
    /// load counts it. A chat-group member met over capacity loses engagement.
    #[inline]
    fn attend(&mut self, i: u32, minute: u32) -> f64 {
        let u = i as usize;
        let now = self.day * 1440 + minute.min(1439);
        let b = self.beh();
        let load = b.load_after(
            self.load[u] as f64,
            now.saturating_sub(self.load_at[u]) as f64,
        );
        let share = b.attention_share(load);
        let overload = b.overload_engagement * (1.0 - share);
        self.load[u] = (load + 1.0) as f32;
        self.load_at[u] = now;
        if overload > 0.0 && self.pop.pools[self.pop.pool_of[u] as usize].group {
            self.add_engagement(i, -overload, minute);
        }
        share
    }

    /// Non-buyer `i`'s intent, and its decision log-odds on exposure `e`
    /// ([`BehaviourParams::decision_logit`]); inlined into every offer.
    #[inline(always)]
    fn decision(&mut self, i: u32, e: &Exposure) -> (f64, f64) {
        let intent = self.intent_of(i);
        let susc = self.pop.trait_of(i, Trait::Susceptibility);
        let ps = self.pop.trait_of(i, Trait::PriceSensitivity);
        let mut x = self
            .beh()
            .decision_logit(e, intent, susc, ps, self.delta_sp());
        // A member segment's relevance shifts the log-odds (`crate::population`,
        // "Segments"); untagged members and scenarios without segments add nothing.
        if let Some(r) = self.pop.relevance(i) {
            x += r;
        }
        (intent, x)
    }

    /// Offers agent `i` a purchase opportunity whether or not it has bought before: a
    /// non-buyer decides as in [`World::offer`]; a buyer who has not dropped out places an
    /// extra order with probability `attention · σ(base + channels.repeat_shift +
    /// w_inc · incentive / price)` (it knows the product: no social proof, no price
    /// hesitation beyond the incentive). An extra order does not move the buyer's scheduled
    /// repeat orders (an incremental order).
    pub fn offer_any(&mut self, i: u32, minute: u32, e: &Exposure, rng: &mut SimRng) -> Offered {
        if !self.is_buyer(i) {
            return if self.offer(i, minute, e, rng) {
                Offered::First
            } else {
                Offered::Nothing
            };
        }
        if self.flags[i as usize] & DROPPED != 0 {
            return Offered::Nothing;
        }
        let attention = e.attention * self.attend(i, minute);
        let b = self.beh();
        let mut x = e.base + b.repeat_shift + b.w_incentive * e.incentive / b.price;
        if let Some(r) = self.pop.relevance(i) {
            x += r;
        }
        if sigmoid_coin(rng.random::<f64>(), x, attention) {
            let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
            self.book_order(i, e.incentive, time, false);
            Offered::Repeat
        } else {
            Offered::Nothing
        }
    }

    /// Gives agent `i` a wallet coupon worth `value`, valid through day `day + valid_days`,
    /// issued by mechanism `source` (its stream id). It replaces a smaller coupon held, and is
    /// redeemed on the agent's next order of any kind while valid (first, repeat or extra).
    /// A non-buyer's intent rises by `coupon_pull · w_inc · value / price`: a coupon in hand
    /// pulls toward a first order while the intent lasts.
    pub fn give_coupon(&mut self, i: u32, value: f64, valid_days: u32, source: u64) {
        debug_assert!(
            self.wallet,
            "a mechanism issuing coupons must set MechanismNeeds::wallet"
        );
        let u = i as usize;
        let held = if self.day <= self.coupon_until[u] as u32 {
            self.coupon[u] as f64
        } else {
            0.0
        };
        if value <= held {
            return;
        }
        self.coupon[u] = value as f32;
        self.coupon_until[u] = (self.day + valid_days).min(u16::MAX as u32) as u16;
        self.coupon_src[u] = source.min(COUPON_SOURCES as u64 - 1) as u8;
        let b = self.beh();
        let pull = b.coupon_pull * b.w_incentive * value / b.price;
        self.add_intent(i, pull);
    }

    /// Yesterday's orders, in the order they were booked (empty unless a mechanism asked
    /// for the order log).
    pub fn orders_yesterday(&self) -> &[Order] {
        &self.orders_yesterday
    }

    /// Product-page visits without an order by agent `i` (0 unless visits are tracked).
    #[inline]
    pub fn visits_of(&self, i: u32) -> u32 {
        self.visits.get(i as usize).copied().unwrap_or(0) as u32
    }

    /// True when agent `i` has dropped out of buying for good.
    #[inline]
    pub fn has_dropped(&self, i: u32) -> bool {
        self.flags[i as usize] & DROPPED != 0
    }

    /// Adds `delta` to agent `i`'s intent (log-odds); ignored for buyers and for members
    /// out of the market.
    pub fn add_intent(&mut self, i: u32, delta: f64) {
        if delta != 0.0 && self.flags[i as usize] & (BUYER | OUT) == 0 {
            let now = self.intent_of(i);
            let next = self.beh().intent_plus(now, delta);
            self.set_intent(i, next);
        }
    }

    /// Raises buyer `i`'s satisfaction to at least `s` (feeds repurchase), re-drawing the
    /// next repeat order at the new rate (exact: the waiting time is memoryless).
    pub fn raise_satisfaction(&mut self, i: u32, s: f64, minute: u32) {
        let u = i as usize;
        if (self.satisfaction[u] as f64) >= s {
            return;
        }
        self.satisfaction[u] = s as f32;
        if self.is_buyer(i) && self.flags[u] & DROPPED == 0 {
            let k = 0x8000_0000 | ((self.day << 11) | minute.min(2047));
            match self.beh().repurchase_model {
                RepurchaseModel::Bgnbd | RepurchaseModel::ParetoNbd => {
                    let mut rng = agent_rng_in(self.repeat_key, i, k);
                    let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
                    self.schedule_repeat(i, time, &mut rng);
                }
                RepurchaseModel::Daily => {
                    // Today's coin is still open unless the first order was today.
                    let from = self.day + (self.first_day[u] as u32 == self.day) as u32;
                    let e: f64 = Exp1.sample(&mut EventRng::new(self.repeat_key, i, k));
                    self.schedule_daily(i, from, e);
                }
            }
        }
    }

    /// Chat-group member `i`'s engagement now.
    #[inline]
    pub fn engagement_of(&self, i: u32) -> f64 {
        let u = i as usize;
        let days = self.day - self.engagement_day[u] as u32;
        self.engagement[u] as f64 * self.beh().engagement_decay_over(days)
    }

    /// Changes member `i`'s engagement by `delta` (clamped to [0, 1]) at `minute` of today.
    /// A buyer who gains engagement gains satisfaction
    /// ([`BehaviourParams::satisfaction_after_engagement`]), which moves its repeat orders
    /// from `minute` on.
    pub fn add_engagement(&mut self, i: u32, delta: f64, minute: u32) {
        let before = self.engagement_of(i);
        let e = (before + delta).clamp(0.0, 1.0);
        let u = i as usize;
        let gained = e - before;
        if gained > 0.0 && self.is_buyer(i) && self.beh().sat_from_engagement > 0.0 {
            let s = self.satisfaction[u] as f64;
            let lifted = self.beh().satisfaction_after_engagement(s, gained);
            self.raise_satisfaction(i, lifted, minute);
        }
        self.engagement[u] = e as f32;
        self.engagement_day[u] = self.day as u16;
        let g = self.pop.pool_of[u] as usize;
        let bound = self.engagement_bound_of(g).max(e);
        self.engagement_bound[g] = bound as f32;
        self.engagement_bound_day[g] = self.day as u16;
    }

    fn engagement_bound_of(&self, g: usize) -> f64 {
        let days = self.day - self.engagement_bound_day[g] as u32;
        self.engagement_bound[g] as f64 * self.beh().engagement_decay_over(days)
    }

    /// An upper bound of the engagement of every member of pool `g` now (engagement decays
    /// at one rate for all, so the largest value set, decayed since, bounds them all).
    #[inline]
    pub fn engagement_bound(&self, g: usize) -> f64 {
        // Margin against rounding between per-member and per-pool decay products.
        (self.engagement_bound_of(g) * (1.0 + 1e-9)).min(1.0)
    }

    /// An upper bound of [`World::notice_probability`] over the members of pool `g`.
    #[inline]
    pub fn notice_bound(&self, g: usize) -> f64 {
        let b = self.beh();
        b.notice_base + (1.0 - b.notice_base) * self.engagement_bound(g)
    }

    /// How this world's group walks visit members ([`crate::thinning::Walks`]): a walk
    /// over `start..start + len` for events of probability at most `p_max`.
    #[inline]
    pub fn coins(&self, start: u32, len: u32, p_max: f64) -> Coins {
        Coins::with_walks(self.paths.walks, start, len, p_max)
    }

    /// How this world's group walks visit members: [`Coins::jumping`] when lazy.
    #[inline]
    pub fn jumping_coins(&self, start: u32, len: u32, p_max: f64) -> Coins {
        Coins::jumping_with(self.paths.walks, start, len, p_max)
    }

    /// How this world's group walks visit members: [`crate::thinning::Looks`] when lazy,
    /// for events `1 − exp(−x_i)` with `x_i <= x_max`.
    #[inline]
    pub fn looks(&self, start: u32, len: u32, x_max: f64) -> crate::thinning::Looks {
        crate::thinning::Looks::with_walks(self.paths.walks, start, len, x_max)
    }

    /// Whether this world's walks are eager (every member its own coin).
    #[inline]
    pub fn eager_walks(&self) -> bool {
        self.paths.walks == crate::thinning::Walks::Eager
    }

    /// An upper bound of [`World::online_probability`] at `minute` of today over all
    /// buyers (activity is at most 1).
    #[inline]
    pub fn online_bound(&self, minute: u32) -> f64 {
        self.beh().online_probability(1.0, self.weekday(), minute)
    }

    /// First buyers who are chat-group members (in any path: the pools count their
    /// buyers).
    pub fn member_first_buyers(&self) -> u32 {
        self.pool_buyers[self.pop.group_pools()].iter().sum()
    }

    /// The conversion of each declared segment: its first buyers over its members (NaN for
    /// a segment without members), appended to `out` in declaration order; nothing without
    /// segments. Reads who bought, so a segmented world never takes the aggregate paths
    /// (`plan::PathFacts::segmented`).
    pub fn segment_conversions(&self, out: &mut Vec<f64>) {
        let members = self.pop.segment_members();
        if members.is_empty() {
            return;
        }
        let mut buyers = vec![0u32; members.len()];
        for &i in &self.buyers {
            if let Some(k) = self.pop.segment_of(i) {
                buyers[k] += 1;
            }
        }
        out.extend(
            buyers
                .iter()
                .zip(members)
                .map(|(&b, &m)| crate::results::ratio(f64::from(b), f64::from(m))),
        );
    }

    /// Members of pool `g` still in it (for a chat group; the open market's size otherwise).
    #[inline]
    pub fn members_in(&self, g: usize) -> u32 {
        self.members_in[g]
    }

    /// True when member `i` has left its chat group.
    #[inline]
    pub fn has_left(&self, i: u32) -> bool {
        self.flags[i as usize] & LEFT != 0
    }

    /// Leaving over yesterday: each member still in a group leaves with probability
    /// `1 − exp(−leave_rate · ∫(1 − e(t)) dt)` over the day, `e(t)` decaying from the
    /// engagement held at yesterday's start (interactions during a day count for the whole
    /// day). Only the candidates of a thinning walk against `1 − exp(−leave_rate)` are
    /// settled.
    pub(super) fn leave_step(&mut self) {
        let beh = self.beh();
        let rate = beh.leave_rate;
        if rate <= 0.0 || self.day == 0 {
            return;
        }
        let q_max = -(-rate).exp_m1();
        let mut rng = self.groups_rng.take().expect("reset");
        let yesterday = self.day - 1;
        for g in 0..self.pop.pools.len() {
            let pool = self.pop.pools[g];
            if !pool.group {
                continue;
            }
            let mut walk = self.coins(pool.start, pool.len, q_max);
            while let Some((i, u)) = walk.next(&mut rng) {
                let k = i as usize;
                if self.flags[k] & LEFT != 0 {
                    continue;
                }
                let days = yesterday.saturating_sub(self.engagement_day[k] as u32);
                let beh = self.beh();
                let e0 = self.engagement[k] as f64 * beh.engagement_decay_over(days);
                if u < 1.0 - beh.stay_probability(e0, 1) {
                    self.flags[k] |= LEFT;
                    self.members_in[g] -= 1;
                }
            }
        }
        self.groups_rng = Some(rng);
    }

    /// Chat-group members who have left, and members still in whose engagement is below the
    /// silence threshold, now.
    pub fn group_attrition(&self) -> (u32, u32) {
        let (mut left, mut silent) = (0, 0);
        let threshold = self.beh().silent_below;
        for pool in self.pop.pools.iter().filter(|p| p.group) {
            for i in pool.start..pool.start + pool.len {
                if self.has_left(i) {
                    left += 1;
                } else if self.engagement_of(i) < threshold {
                    silent += 1;
                }
            }
        }
        (left, silent)
    }

    /// Removes member `i` from its group now ("claim and leave").
    pub fn leave_group(&mut self, i: u32) {
        let u = i as usize;
        if self.flags[u] & LEFT == 0 {
            self.flags[u] |= LEFT;
            self.members_in[self.pop.pool_of[u] as usize] -= 1;
        }
    }

    /// Probability that member `i` is online at `minute` of today.
    ///
    /// Inlined into the mechanisms' walks over members: out of line (with the decision
    /// log-odds and the looks' rate), a full campaign trial runs about 4% more instructions.
    #[inline(always)]
    pub fn online_probability(&mut self, i: u32, minute: u32) -> f64 {
        let a = self.pop.trait_of(i, Trait::Activity);
        let wd = self.weekday();
        self.beh().online_probability(a, wd, minute)
    }

    /// Probability that online member `i` notices group activity.
    #[inline]
    pub fn notice_probability(&self, i: u32) -> f64 {
        let b = self.beh();
        b.notice_base + (1.0 - b.notice_base) * self.engagement_of(i)
    }

    /// Behavioural constants.
    pub fn behaviour(&self) -> &BehaviourParams {
        self.beh()
    }

    /// Price per order.
    pub fn price(&self) -> f64 {
        self.product().price
    }

    pub(super) fn set_intent(&mut self, i: u32, value: f64) {
        let u = i as usize;
        self.intent[u] = value as f32;
        self.intent_day[u] = self.day as u16;
        if self.flags[u] & TOUCHED == 0 && value.abs() >= self.beh().intent_floor {
            self.unlink_nonbuyer(i);
            self.flags[u] |= TOUCHED;
            self.pos[u] = self.touched.len() as u32;
            self.touched.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rng::trial_key;

    /// The daily leaving step gives each member the closed-form probability of leaving
    /// over the horizon, and keeps the per-group counts.
    #[test]
    fn leaving_step_matches_the_closed_form() {
        let mut w = crate::world::testing::chat_groups(20, trial_key(3, 1));
        let days = 60;
        for day in 0..days {
            w.begin_day(day);
        }
        let n = w.pop.len() as f64;
        let left = (0..w.pop.len() as u32).filter(|&i| w.has_left(i)).count() as f64;
        let b = w.behaviour();
        let expect = 1.0 - b.stay_probability(b.initial_engagement, days - 1);
        let se = (expect * (1.0 - expect) / n).sqrt();
        assert!(
            (left / n - expect).abs() < 4.0 * se,
            "{} vs {expect}",
            left / n
        );
        let inside: u32 = (0..20).map(|g| w.members_in(g)).sum();
        assert_eq!(inside as f64, n - left);
    }
}

#[cfg(test)]
mod attention_tests {
    use crate::behaviour::Exposure;
    use crate::rng::{stream_rng, trial_key};

    fn exposure(base: f64) -> Exposure {
        Exposure {
            base,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        }
    }

    /// Opportunities close together share attention: after three at the same minute, a
    /// fourth gets `capacity / (1 + 3) = 2 / 4` of it, so an offer nobody declines converts
    /// half the members; twelve hours later the load has decayed to `3 · 2^(−12/6) = 0.75`
    /// and the share is back to `min(1, 2 / 1.75) = 1`.
    #[test]
    fn a_burst_of_opportunities_shares_attention() {
        let mut w = crate::world::testing::chat_groups(1, trial_key(4, 1));
        let mut rng = stream_rng(4, 4);
        w.begin_day(0);
        let n = w.pop.len() as u32;
        let half = n / 2;
        for i in 0..n {
            for _ in 0..3 {
                assert!(!w.offer(i, 60, &exposure(-60.0), &mut rng));
            }
        }
        let converted = (0..half)
            .filter(|&i| w.offer(i, 60, &exposure(60.0), &mut rng))
            .count() as f64;
        // Binomial(half, 1/2): mean half/2, standard error √(half/4); 4 SE.
        let (mean, se) = (half as f64 / 2.0, (half as f64 / 4.0).sqrt());
        assert!(
            (converted - mean).abs() < 4.0 * se,
            "{converted} of {half} converted, expected {mean} ± {se}"
        );
        for i in half..n {
            assert!(
                w.offer(i, 60 + 720, &exposure(60.0), &mut rng),
                "member {i}"
            );
        }
        // Overload costs engagement: the members met four times at once lost some.
        assert!(w.engagement_of(0) < w.behaviour().initial_engagement);
    }
}
