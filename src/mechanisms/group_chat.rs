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
//!
//! ## Visiting only the members an event can reach
//! Group-wide events do not flip a coin per member. [`Finders`] walks a group with
//! [`crate::thinning::Looks`] against the bound `W · notice_bound(g)` (activity ≤ 1, and
//! every member's engagement is below the group's bound) and decides a candidate's find by
//! `E < activity · notice · W` with its `E ~ Exp(1)`: the same distribution of who finds
//! the message, without an `exp` per member. Pushes seen with `online · notice` walk with
//! [`crate::thinning::Coins`] against `online_bound · notice_bound` the same way
//! ([`push_audience`]).

use crate::behaviour::{Exposure, sigmoid};
use crate::engine::{Offered, World};
use crate::population::Trait;
use crate::rng::SimRng;
use crate::thinning::{Coins, Looks};
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
    /// For many members, [`Push::prepare`] once and deliver with [`Prepared`].
    pub fn deliver(
        &self,
        world: &mut World,
        i: u32,
        minute: u32,
        sees: f64,
        rng: &mut SimRng,
    ) -> PushOutcome {
        self.prepare(world).deliver(world, i, minute, sees, rng)
    }

    /// The push with its per-event constants computed once (click probability without
    /// intent, the product page's attention).
    pub fn prepare(&self, world: &World) -> Prepared {
        let x0 = self.push_base + world.behaviour().w_incentive * self.coupon / world.price();
        Prepared {
            push: *self,
            x0,
            click0: sigmoid(x0),
            exposure: Exposure {
                base: self.link_base,
                attention: 1.0 - (-self.valid_minutes / 10.0).exp(),
                strength: self.strength,
                incentive: self.coupon,
            },
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
    /// Delivers the push to member `i` at `minute`, who sees it with probability `sees`.
    #[inline]
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
        self.deliver_seen(world, i, minute, rng)
    }

    /// Member `i`, who has seen the push, clicks with `σ(push_base + intent + w_inc ·
    /// coupon / price)` and decides on the product page.
    pub fn deliver_seen(
        &self,
        world: &mut World,
        i: u32,
        minute: u32,
        rng: &mut SimRng,
    ) -> PushOutcome {
        let intent = world.intent_of(i);
        let click = if intent == 0.0 {
            self.click0
        } else {
            sigmoid(self.x0 + intent)
        };
        if rng.random::<f64>() >= click {
            return PushOutcome::Ignored;
        }
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

/// Members of group `g` who see a push at `minute` (online · notice): a walk whose
/// candidates `(i, u)` see it when `u < online_probability(i) · notice_probability(i)`
/// (see [`crate::thinning::Coins`]); members who left must be skipped by the caller.
pub fn push_audience(world: &World, g: usize, minute: u32) -> Coins {
    let pool = world.pop.pools[g];
    let bound = world.online_bound(minute) * world.notice_bound(g);
    Coins::new(pool.start, pool.len, bound)
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
#[inline]
pub fn look_rate(world: &mut World, i: u32, w: f64) -> f64 {
    let a = world.pop.trait_of(i, Trait::Activity);
    a * world.notice_probability(i) * w
}

/// A member who found a message: its look `E ~ Exp(1)` fell below its rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The member.
    pub member: u32,
    /// Its look, `E < rate`.
    pub look: f64,
    /// Its rate `activity · notice · w`.
    pub rate: f64,
}

/// Members of group `g` still in it who find a message of window weight `w`, each with
/// probability `1 − exp(−activity · notice · w)`, in increasing id order. Only the
/// candidates of a [`Looks`] walk against `w · notice_bound(g)` are evaluated.
///
/// `rate − look` is what is left of the member's looks after the first find: another
/// message of the same weight is found as well when a fresh `Exp(1)` falls below it
/// (memorylessness), which is how several messages of one evening are shown.
#[derive(Debug, Clone, Copy)]
pub struct Finders {
    looks: Looks,
    w: f64,
}

impl Finders {
    /// The finders of a message of window weight `w` in group `g` (today's state).
    pub fn new(world: &World, g: usize, w: f64) -> Self {
        let pool = world.pop.pools[g];
        let x_max = w * world.notice_bound(g);
        Finders {
            looks: Looks::new(pool.start, pool.len, x_max),
            w,
        }
    }

    /// The next member who finds the message.
    #[inline]
    pub fn next(&mut self, world: &mut World, rng: &mut SimRng) -> Option<Found> {
        loop {
            let (i, look) = self.looks.next(rng)?;
            if world.has_left(i) {
                continue;
            }
            let rate = look_rate(world, i, self.w);
            if look < rate {
                return Some(Found {
                    member: i,
                    look,
                    rate,
                });
            }
        }
    }
}
