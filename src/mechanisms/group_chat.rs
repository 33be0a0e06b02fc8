//! Behaviour shared by the chat-group mechanisms: a promotion pushed into the chat.
//!
//! A member who sees a push clicks with probability
//! `σ(channels.push + intent + w_inc·coupon/price)` and then decides on the product page
//! (base `channels.link`, the coupon as incentive) with attention
//! `1 − exp(−valid_minutes / 10)`: a coupon must be used before it expires, and a typical
//! purchase decision takes about ten minutes. With `buyers` set, members who already bought
//! may place an extra order ([`World::offer_any`]).
//!
//! ## Looking at the chat over a window
//! A message posted at minute `m` is found by a member who looks at the chat while it is
//! still in view. Looks form a Poisson process whose hourly rate is the member's online
//! probability for that hour (`activity · hourly[h] · weekday[d]`); a look notices group
//! activity with `notice_probability` (engagement), and a look `h` hours after posting finds
//! the message with weight `exp(−h / visibility_hours)` as it sinks in the chat (a pinned
//! message does not sink). So the probability of finding it is
//! `1 − exp(−activity · notice · W)`, with `W` = [`window_weight`] computed once per event.

use crate::behaviour::{Exposure, sigmoid};
use crate::engine::{Offered, World};
use crate::population::Trait;
use crate::rng::SimRng;
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
    /// Delivers the push to member `i` at `minute`, who sees it with probability `sees`.
    pub fn deliver(
        &self,
        world: &mut World,
        i: u32,
        minute: u32,
        sees: f64,
        rng: &mut SimRng,
    ) -> PushOutcome {
        if rng.random::<f64>() >= sees {
            return PushOutcome::Ignored;
        }
        let w_inc = world.behaviour().w_incentive;
        let click =
            sigmoid(self.push_base + world.intent_of(i) + w_inc * self.coupon / world.price());
        if rng.random::<f64>() >= click {
            return PushOutcome::Ignored;
        }
        let e = Exposure {
            base: self.link_base,
            attention: 1.0 - (-self.valid_minutes / 10.0).exp(),
            strength: self.strength,
            incentive: self.coupon,
        };
        let minute = minute.min(1439);
        if self.buyers {
            match world.offer_any(i, minute, &e, rng) {
                Offered::First => PushOutcome::Bought,
                Offered::Repeat => PushOutcome::BoughtAgain,
                Offered::Nothing => PushOutcome::Clicked,
            }
        } else if world.offer(i, minute, &e, rng) {
            PushOutcome::Bought
        } else {
            PushOutcome::Clicked
        }
    }

    /// Probability that a member with intent `intent` clicks the push once seen.
    pub fn click_probability(&self, world: &World, intent: f64) -> f64 {
        let w_inc = world.behaviour().w_incentive;
        sigmoid(self.push_base + intent + w_inc * self.coupon / world.price())
    }

    /// The usual CTR as a reference: the expected click rate of this push broadcast at
    /// `minute` to every member still in group `g` without anything before it (seen with
    /// online × notice, clicked without intent). Computed in expectation: no draws, no
    /// orders. Returns (sum of click probabilities, members).
    pub fn broadcast_reference(&self, world: &mut World, g: usize, minute: u32) -> (f64, u64) {
        let pool = world.pop.pools[g];
        let click = self.click_probability(world, 0.0);
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

/// Probability that member `i` finds a message of window weight `w` ([`window_weight`]).
#[inline]
pub fn finds(world: &mut World, i: u32, w: f64) -> f64 {
    let a = world.pop.trait_of(i, Trait::Activity);
    1.0 - (-a * world.notice_probability(i) * w).exp()
}
