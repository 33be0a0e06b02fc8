//! Campaign mechanisms: each turns its configuration into exposures, incentives and costs
//! on the shared [`crate::engine::World`] and reports its own KPIs.
//!
//! A mechanism is a plan (validated configuration, built once per run) and a state (per
//! trial, reset in place by a worker). Each mechanism draws from its own random stream, so
//! adding or changing one mechanism does not shift the random numbers of another.

pub mod blogger_reviews;
pub mod group_chat;
pub mod qa;
pub mod red_packets;

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
}

impl MechanismPlan {
    /// The enabled mechanisms of a validated scenario, in a fixed order.
    pub fn all(s: &Scenario) -> Result<Vec<MechanismPlan>, String> {
        let mut out = Vec::new();
        if let Some(br) = &s.mechanisms.blogger_reviews
            && br.enabled
        {
            out.push(MechanismPlan::BloggerReviews(blogger_reviews::Plan::new(
                s, br,
            )?));
        }
        if let Some(rp) = &s.mechanisms.red_packets
            && rp.enabled
        {
            out.push(MechanismPlan::RedPackets(red_packets::Plan::new(s, rp)?));
        }
        if let Some(q) = &s.mechanisms.qa
            && q.enabled
        {
            out.push(MechanismPlan::Qa(qa::Plan::new(s, q)?));
        }
        Ok(out)
    }

    /// The mechanism's key in scenario files.
    pub fn key(&self) -> &'static str {
        match self {
            MechanismPlan::BloggerReviews(_) => "blogger_reviews",
            MechanismPlan::RedPackets(_) => "red_packets",
            MechanismPlan::Qa(_) => "qa",
        }
    }

    /// The mechanism's random stream: fixed per kind, so enabling, disabling or changing
    /// one mechanism (say, in a candidate) leaves every other mechanism's random numbers
    /// unchanged (common random numbers across candidates).
    pub fn stream(&self) -> u64 {
        match self {
            MechanismPlan::BloggerReviews(_) => 0,
            MechanismPlan::RedPackets(_) => 1,
            MechanismPlan::Qa(_) => 2,
        }
    }

    /// True for mechanisms that react to each order (they read `World::orders_yesterday`).
    pub fn reads_orders(&self) -> bool {
        false
    }

    /// True for mechanisms that put coupons into members' wallets.
    pub fn issues_coupons(&self) -> bool {
        false
    }

    /// True for mechanisms that act on chat groups (their members' leaving is settled at
    /// the end of a trial).
    pub fn uses_groups(&self) -> bool {
        match self {
            MechanismPlan::BloggerReviews(_) => false,
            MechanismPlan::RedPackets(_) | MechanismPlan::Qa(_) => true,
        }
    }

    /// Names of the KPI columns it reports, in order.
    pub fn kpi_names(&self) -> &'static [&'static str] {
        match self {
            MechanismPlan::BloggerReviews(_) => blogger_reviews::KPIS,
            MechanismPlan::RedPackets(_) => red_packets::KPIS,
            MechanismPlan::Qa(_) => qa::KPIS,
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
        }
    }
}

impl MechanismState {
    /// Resets for a new trial; `stream` is the mechanism's random stream
    /// ([`MechanismPlan::stream`]).
    pub fn reset(&mut self, world: &World, stream: u64) {
        match self {
            MechanismState::BloggerReviews(s) => s.reset(world, stream),
            MechanismState::RedPackets(s) => s.reset(world, stream),
            MechanismState::Qa(s) => s.reset(world, stream),
        }
    }

    /// Runs the mechanism's events of the current day.
    pub fn on_day(&mut self, world: &mut World) {
        match self {
            MechanismState::BloggerReviews(s) => s.on_day(world),
            MechanismState::RedPackets(s) => s.on_day(world),
            MechanismState::Qa(s) => s.on_day(world),
        }
    }

    /// Appends the trial's KPI values (`NaN` = undefined) in `kpi_names` order.
    pub fn kpis(&self, world: &World, out: &mut Vec<f64>) {
        match self {
            MechanismState::BloggerReviews(s) => s.kpis(out),
            MechanismState::RedPackets(s) => s.kpis(world, out),
            MechanismState::Qa(s) => s.kpis(world, out),
        }
    }
}
