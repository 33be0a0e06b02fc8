//! Campaign mechanisms: each turns its configuration into exposures, incentives and costs
//! on the shared [`crate::engine::World`] and reports its own KPIs.
//!
//! A mechanism is a plan (validated configuration, built once per run) and a state (per
//! trial, reset in place by a worker). Each mechanism kind draws from its own random stream
//! ([`MechanismPlan::stream`]), so adding, removing or changing one mechanism does not shift
//! the random numbers of another (common random numbers across candidates).
//!
//! Mechanisms run each day in a fixed order (the order of [`MechanismPlan::all`]), before
//! the day's organic and repeat purchases. They compose through the world only: intent,
//! engagement, satisfaction, wallet coupons, the product card and the order log.

pub mod blogger_reviews;
pub mod flash_sale;
pub mod group_chat;
pub mod influencers;
pub mod order_proofs;
pub mod qa;
pub mod red_packets;
pub mod share_draw;
pub mod targeted_push;
pub mod votes;

use crate::engine::World;
use crate::scenario::Scenario;

/// A validated mechanism configuration.
#[derive(Debug, Clone)]
pub enum MechanismPlan {
    /// The blogger review program.
    BloggerReviews(blogger_reviews::Plan),
    /// Red packets in chat groups.
    RedPackets(red_packets::Plan),
    /// Q&A in chat groups.
    Qa(qa::Plan),
    /// Topic votes in chat groups.
    Votes(votes::Plan),
    /// Order-proof rewards in chat groups.
    OrderProofs(order_proofs::Plan),
    /// Scarcity flash sales in chat groups.
    FlashSale(flash_sale::Plan),
    /// Share-to-friend-groups gift draws.
    ShareDraw(share_draw::Plan),
    /// CRM-targeted pushes.
    TargetedPush(targeted_push::Plan),
    /// Paid influencer collaborations.
    Influencers(influencers::Plan),
}

/// A mechanism's per-trial state.
#[derive(Debug, Clone)]
pub enum MechanismState {
    /// The blogger review program.
    BloggerReviews(Box<blogger_reviews::State>),
    /// Red packets in chat groups.
    RedPackets(Box<red_packets::State>),
    /// Q&A in chat groups.
    Qa(Box<qa::State>),
    /// Topic votes in chat groups.
    Votes(Box<votes::State>),
    /// Order-proof rewards in chat groups.
    OrderProofs(Box<order_proofs::State>),
    /// Scarcity flash sales in chat groups.
    FlashSale(Box<flash_sale::State>),
    /// Share-to-friend-groups gift draws.
    ShareDraw(Box<share_draw::State>),
    /// CRM-targeted pushes.
    TargetedPush(Box<targeted_push::State>),
    /// Paid influencer collaborations.
    Influencers(Box<influencers::State>),
}

/// Applies `$body` to the inner value of every variant of `$enum` (`$x` binds it).
macro_rules! each {
    ($e:expr, $enum:ident, $x:ident => $body:expr) => {
        match $e {
            $enum::BloggerReviews($x) => $body,
            $enum::RedPackets($x) => $body,
            $enum::Qa($x) => $body,
            $enum::Votes($x) => $body,
            $enum::OrderProofs($x) => $body,
            $enum::FlashSale($x) => $body,
            $enum::ShareDraw($x) => $body,
            $enum::TargetedPush($x) => $body,
            $enum::Influencers($x) => $body,
        }
    };
}

/// Pushes the plan of mechanism `$field` when its table is present and enabled.
macro_rules! enabled {
    ($out:ident, $s:ident, $field:ident, $variant:ident, $module:ident) => {
        if let Some(c) = &$s.mechanisms.$field
            && c.enabled
        {
            $out.push(MechanismPlan::$variant($module::Plan::new($s, c)?));
        }
    };
}

impl MechanismPlan {
    /// The enabled mechanisms of a validated scenario, in a fixed order.
    pub fn all(s: &Scenario) -> Result<Vec<MechanismPlan>, String> {
        let mut out = Vec::new();
        enabled!(out, s, blogger_reviews, BloggerReviews, blogger_reviews);
        enabled!(out, s, red_packets, RedPackets, red_packets);
        enabled!(out, s, qa, Qa, qa);
        enabled!(out, s, votes, Votes, votes);
        enabled!(out, s, order_proofs, OrderProofs, order_proofs);
        enabled!(out, s, flash_sale, FlashSale, flash_sale);
        enabled!(out, s, share_draw, ShareDraw, share_draw);
        enabled!(out, s, targeted_push, TargetedPush, targeted_push);
        enabled!(out, s, influencers, Influencers, influencers);
        Ok(out)
    }

    /// The mechanism's key in scenario files.
    pub fn key(&self) -> &'static str {
        match self {
            MechanismPlan::BloggerReviews(_) => "blogger_reviews",
            MechanismPlan::RedPackets(_) => "red_packets",
            MechanismPlan::Qa(_) => "qa",
            MechanismPlan::Votes(_) => "votes",
            MechanismPlan::OrderProofs(_) => "order_proofs",
            MechanismPlan::FlashSale(_) => "flash_sale",
            MechanismPlan::ShareDraw(_) => "share_draw",
            MechanismPlan::TargetedPush(_) => "targeted_push",
            MechanismPlan::Influencers(_) => "influencers",
        }
    }

    /// The mechanism's random stream and coupon source id: fixed per kind, so enabling,
    /// disabling or changing one mechanism (say, in a candidate) leaves every other
    /// mechanism's random numbers unchanged (common random numbers across candidates).
    pub fn stream(&self) -> u64 {
        match self {
            MechanismPlan::BloggerReviews(_) => 0,
            MechanismPlan::RedPackets(_) => 1,
            MechanismPlan::Qa(_) => 2,
            MechanismPlan::Votes(_) => votes::STREAM,
            MechanismPlan::OrderProofs(_) => order_proofs::STREAM,
            MechanismPlan::FlashSale(_) => flash_sale::STREAM,
            MechanismPlan::ShareDraw(_) => share_draw::STREAM,
            MechanismPlan::TargetedPush(_) => targeted_push::STREAM,
            MechanismPlan::Influencers(_) => influencers::STREAM,
        }
    }

    /// True for mechanisms that react to each order (they read `World::orders_yesterday`).
    pub fn reads_orders(&self) -> bool {
        matches!(self, MechanismPlan::OrderProofs(_))
    }

    /// True for mechanisms that put coupons into members' wallets.
    pub fn issues_coupons(&self) -> bool {
        matches!(
            self,
            MechanismPlan::Votes(_) | MechanismPlan::OrderProofs(_)
        )
    }

    /// True for mechanisms that work through bloggers' audiences (the trial's bloggers must
    /// be drawn).
    pub fn uses_bloggers(&self) -> bool {
        matches!(
            self,
            MechanismPlan::BloggerReviews(_) | MechanismPlan::Influencers(_)
        )
    }

    /// True for mechanisms that need product-page visits counted per agent (CRM tags).
    pub fn tracks_visits(&self) -> bool {
        matches!(self, MechanismPlan::TargetedPush(_))
    }

    /// True for mechanisms that follow chat-group life: with one of them in a scenario,
    /// members leave their groups day by day ([`crate::engine::World`]'s leaving step).
    /// Order proofs and targeted pushes alone keep every member for the whole horizon, as
    /// they always have (leaving used to be settled only by these mechanisms' visits, and
    /// the order-proof figures are calibrated that way).
    pub fn follows_group_life(&self) -> bool {
        matches!(
            self,
            MechanismPlan::RedPackets(_)
                | MechanismPlan::Qa(_)
                | MechanismPlan::Votes(_)
                | MechanismPlan::FlashSale(_)
                | MechanismPlan::ShareDraw(_)
        )
    }

    /// Names of the KPI columns it reports, in order.
    pub fn kpi_names(&self) -> &'static [&'static str] {
        match self {
            MechanismPlan::BloggerReviews(_) => blogger_reviews::KPIS,
            MechanismPlan::RedPackets(_) => red_packets::KPIS,
            MechanismPlan::Qa(_) => qa::KPIS,
            MechanismPlan::Votes(_) => votes::KPIS,
            MechanismPlan::OrderProofs(_) => order_proofs::KPIS,
            MechanismPlan::FlashSale(_) => flash_sale::KPIS,
            MechanismPlan::ShareDraw(_) => share_draw::KPIS,
            MechanismPlan::TargetedPush(_) => targeted_push::KPIS,
            MechanismPlan::Influencers(_) => influencers::KPIS,
        }
    }

    /// A fresh state for this mechanism.
    pub fn new_state(&self) -> MechanismState {
        match self {
            MechanismPlan::BloggerReviews(p) => {
                MechanismState::BloggerReviews(Box::new(blogger_reviews::State::new(p)))
            }
            MechanismPlan::RedPackets(p) => {
                MechanismState::RedPackets(Box::new(red_packets::State::new(p)))
            }
            MechanismPlan::Qa(p) => MechanismState::Qa(Box::new(qa::State::new(p))),
            MechanismPlan::Votes(p) => MechanismState::Votes(Box::new(votes::State::new(p))),
            MechanismPlan::OrderProofs(p) => {
                MechanismState::OrderProofs(Box::new(order_proofs::State::new(p)))
            }
            MechanismPlan::FlashSale(p) => {
                MechanismState::FlashSale(Box::new(flash_sale::State::new(p)))
            }
            MechanismPlan::ShareDraw(p) => {
                MechanismState::ShareDraw(Box::new(share_draw::State::new(p)))
            }
            MechanismPlan::TargetedPush(p) => {
                MechanismState::TargetedPush(Box::new(targeted_push::State::new(p)))
            }
            MechanismPlan::Influencers(p) => {
                MechanismState::Influencers(Box::new(influencers::State::new(p)))
            }
        }
    }
}

impl MechanismState {
    /// Resets for a new trial; `stream` is the mechanism's random stream
    /// ([`MechanismPlan::stream`]).
    pub fn reset(&mut self, world: &World, stream: u64) {
        each!(self, MechanismState, s => s.reset(world, stream))
    }

    /// Runs the mechanism's events of the current day.
    pub fn on_day(&mut self, world: &mut World) {
        each!(self, MechanismState, s => s.on_day(world))
    }

    /// Appends the trial's KPI values (`NaN` = undefined) in `kpi_names` order.
    pub fn kpis(&self, world: &World, out: &mut Vec<f64>) {
        match self {
            MechanismState::BloggerReviews(s) => s.kpis(out),
            MechanismState::RedPackets(s) => s.kpis(world, out),
            MechanismState::Qa(s) => s.kpis(world, out),
            MechanismState::Votes(s) => s.kpis(world, out),
            MechanismState::OrderProofs(s) => s.kpis(world, out),
            MechanismState::FlashSale(s) => s.kpis(out),
            MechanismState::ShareDraw(s) => s.kpis(out),
            MechanismState::TargetedPush(s) => s.kpis(out),
            MechanismState::Influencers(s) => s.kpis(out),
        }
    }
}
