//! Behaviour shared by the chat-group mechanisms: a promotion pushed into the chat.
//!
//! A member who sees a push clicks with probability
//! `σ(channels.push + intent + w_inc·coupon/price)` and then decides on the product page
//! (base `channels.link`, the coupon as incentive) with attention
//! `1 − exp(−valid_minutes / 10)`: a coupon must be used before it expires, and a typical
//! purchase decision takes about ten minutes.

use crate::behaviour::{Exposure, sigmoid};
use crate::engine::World;
use crate::rng::SimRng;
use rand::RngExt;

/// What happened to one pushed promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Not seen, or seen and not clicked.
    Ignored,
    /// Clicked, no order.
    Clicked,
    /// Clicked and bought (the coupon, if any, was redeemed).
    Bought,
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
            strength: 0.0,
            incentive: self.coupon,
        };
        if world.offer(i, minute.min(1439), &e, rng) {
            PushOutcome::Bought
        } else {
            PushOutcome::Clicked
        }
    }
}
