//! The Monte Carlo engine: one trial is a day loop over a [`World`]; trials run in parallel.
//!
//! A day: the mechanisms run their events (each may make offers at minutes of the day),
//! then organic first purchases (Bass, with social proof and intent), then repeat orders
//! falling on the day (BG/NBD, or the daily model), then the day's cumulative counts are
//! recorded.
//!
//! ## Determinism
//! Trial `i` draws only from streams keyed by `(seed, i)` (see [`crate::rng`]), and results
//! are collected in trial order, so output is byte-identical for any thread count. Each
//! rayon worker owns a [`Workspace`] that is reset in place for every trial it runs, so
//! memory is bounded by the population, not by trials × population.
//!
//! ## Layout
//! The engine runs trials; what a trial acts on, the world, is [`crate::world`].

pub use crate::world::{
    COUPON_SOURCES, Ledger, MechanismNeeds, Offered, Order, ProductConsts, World, WorldPlan, plan,
};

use crate::behaviour::BehaviourParams;
use crate::dist::Support;
use crate::mechanisms::{MechanismPlan, MechanismState, Needs};
use crate::population::PopulationPlan;
use crate::results::{Attributed, CandidateResult, Outcome, TrialResult};
use crate::rng::trial_key;
use crate::scenario::Scenario;
use rayon::prelude::*;

mod arms;
pub use arms::{Arms, Contribution};

/// A scenario turned into samplers and constants, ready to simulate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The resolved scenario.
    pub scenario: Scenario,
    /// What the world needs.
    pub world: WorldPlan,
    /// Enabled mechanisms, in a fixed order.
    pub mechanisms: Vec<MechanismPlan>,
}

/// A plan could not be built (a validated scenario should never produce one).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the simulation plan: {0}")]
pub struct PlanError(pub String);

impl Plan {
    /// Builds the plan of a validated scenario.
    pub fn new(s: &Scenario) -> Result<Self, PlanError> {
        let p = &s.product;
        let mechanisms = s.mechanisms.plans(&s.base()).map_err(PlanError)?;
        let wants = mechanisms
            .iter()
            .fold(Needs::NOTHING, |n, m| n.or(m.needs()));
        // Mechanisms read and write agents' state; without any, the world takes its lean
        // paths (see `plan::Paths::choose`).
        let needs = MechanismNeeds {
            log_orders: wants.order_log,
            wallet: wants.wallet,
            track_visits: wants.visits,
            interactive: !mechanisms.is_empty(),
            group_life: wants.group_life,
        };
        let population = PopulationPlan::new(&s.base(), wants.bloggers).map_err(PlanError)?;
        let order_value = match &p.order_value {
            Some(d) => Some(d.build(Support::Positive).map_err(PlanError)?),
            None => None,
        };
        Ok(Plan {
            scenario: s.clone(),
            world: WorldPlan::new(
                population,
                BehaviourParams::new(&s.base()),
                ProductConsts {
                    price: p.price,
                    unit_cost: p.unit_cost,
                    bad_unit: 1.0 - (1.0 - p.defect_rate) * (1.0 - p.variant_error_rate),
                    damaged: p.packaging_damage_rate,
                },
                s.horizon_days,
                s.start_weekday.index(),
                (p.existing_reviews, p.existing_rating),
                s.behaviour.repurchase.clv_days,
                order_value,
                needs,
            ),
            mechanisms,
        })
    }

    /// KPI column names of all mechanisms, in output order, then the conversion of each
    /// declared member segment (`seg_NAME_conversion`; none without segments).
    pub fn kpi_names(&self) -> Vec<String> {
        let segments = &self.scenario.population.groups.segments;
        self.mechanisms
            .iter()
            .flat_map(|m| m.columns().map(|k| k.name.to_string()))
            .chain(
                segments
                    .iter()
                    .map(|s| crate::kpi::segment_conversion(&s.name)),
            )
            .collect()
    }

    /// The results of this plan's `trials` as candidate `name` (its mechanisms and KPI
    /// columns named).
    pub fn candidate(&self, name: &str, trials: Vec<TrialResult>) -> CandidateResult {
        let keys = self.mechanisms.iter().map(|m| m.key());
        CandidateResult::new(name, keys, &self.kpi_names(), trials)
    }
}

/// A worker's reusable buffers: the world and the mechanisms' states.
#[derive(Debug)]
pub struct Workspace {
    /// The world.
    pub world: World,
    /// One state per mechanism of the plan.
    pub mechanisms: Vec<MechanismState>,
    /// What each mechanism's own events booked in the last campaign world.
    attributed: Vec<Attributed>,
}

impl Workspace {
    /// A workspace for `plan`.
    pub fn new(plan: &Plan) -> Self {
        Workspace {
            world: World::default(),
            mechanisms: plan.mechanisms.iter().map(|m| m.new_state()).collect(),
            attributed: Vec::new(),
        }
    }
}

/// Simulates trial `trial` of `plan` under `seed`, reusing `ws`: the campaign only (no
/// other arm; see [`simulate_arms`]).
pub fn simulate_trial(plan: &Plan, seed: u64, trial: u32, ws: &mut Workspace) -> TrialResult {
    let key = trial_key(seed, trial as u64);
    simulate_world(plan, all_mechanisms(plan), key, ws, true);
    let world = &ws.world;
    let mut kpis = Vec::new();
    for (m, a) in ws.mechanisms.iter().zip(&ws.attributed) {
        kpis.extend([a.first_buyers as f64, a.orders as f64]);
        m.kpis(world, &mut kpis);
    }
    world.segment_conversions(&mut kpis);
    TrialResult {
        trial,
        population: world.pop.len() as u32,
        members: (world.pop.len() - world.pop.outsiders()) as u32,
        campaign: Outcome::of(world),
        clv: world.lifetime_value(),
        kpis,
        daily_first_buyers: world.daily_first.clone(),
        daily_orders: world.daily_orders.clone(),
        attributed: ws.attributed.clone(),
        no_campaign: None,
        contributions: None,
    }
}

/// Simulates trial `trial` of `plan` under `seed` with the arms `arms` asks for, reusing
/// `ws`: the campaign, then the no-campaign world, then the worlds with subsets of the
/// mechanisms (see [`Arms`]).
pub fn simulate_arms(
    plan: &Plan,
    arms: Arms,
    seed: u64,
    trial: u32,
    ws: &mut Workspace,
) -> TrialResult {
    let mut r = simulate_trial(plan, seed, trial, ws);
    if arms.no_campaign || arms.contributions.is_some() {
        let key = trial_key(seed, trial as u64);
        let campaign = r.campaign;
        let none = if plan.mechanisms.is_empty() {
            campaign
        } else {
            outcome_of(plan, 0, key, ws)
        };
        r.no_campaign = Some(none);
        if let Some(method) = arms.contributions {
            r.contributions = Some(arms::contributions(plan, method, key, ws, campaign, none));
        }
    }
    r
}

/// The mask of every mechanism of `plan`.
fn all_mechanisms(plan: &Plan) -> u64 {
    (1u64 << plan.mechanisms.len()) - 1
}

/// The outcome of trial `key` with the mechanisms in `mask` on.
fn outcome_of(plan: &Plan, mask: u64, key: u64, ws: &mut Workspace) -> Outcome {
    simulate_world(plan, mask, key, ws, false);
    Outcome::of(&ws.world)
}

/// Runs trial `key`'s days with the mechanisms in `mask` (bit `k`: the plan's `k`-th
/// mechanism) and every other setting of `plan`, so each world of a trial draws from the
/// same streams. With `attribute`, records in `ws.attributed` the first buyers and orders
/// each mechanism's own events booked (the ledger's change while the mechanism runs).
fn simulate_world(plan: &Plan, mask: u64, key: u64, ws: &mut Workspace, attribute: bool) {
    let world = &mut ws.world;
    world.reset(&plan.world, key);
    let on = |k: usize| mask >> k & 1 == 1;
    for (k, m) in ws.mechanisms.iter_mut().enumerate() {
        if on(k) {
            m.reset(world);
        }
    }
    if attribute {
        ws.attributed.clear();
        ws.attributed
            .resize(plan.mechanisms.len(), Attributed::default());
    }
    for day in 0..plan.world.horizon {
        world.begin_day(day);
        for (k, m) in ws.mechanisms.iter_mut().enumerate() {
            if !on(k) {
                continue;
            }
            let (fb, orders) = (world.ledger.first_buyers, world.ledger.orders);
            m.on_day(world);
            if attribute {
                let a = &mut ws.attributed[k];
                a.first_buyers += world.ledger.first_buyers - fb;
                a.orders += world.ledger.orders - orders;
            }
        }
        world.organic_step();
        world.repeat_step();
        world.end_day();
    }
}

/// How to run a batch of trials.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Number of trials.
    pub trials: u32,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// The arms beside the campaign.
    pub arms: Arms,
}

/// Runs trials `0..trials` in parallel and returns their results in trial order.
///
/// `on_trial_done` is called once per finished trial, from worker threads (for a progress
/// display); the engine itself prints nothing.
pub fn run(
    plan: &Plan,
    opts: RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
) -> Result<Vec<TrialResult>, rayon::ThreadPoolBuildError> {
    let never = std::sync::atomic::AtomicBool::new(false);
    let work = || run_range(plan, opts, 0..opts.trials, &never, on_trial_done);
    let done = match opts.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()?
            .install(work),
        None => work(),
    };
    Ok(done.unwrap_or_default())
}

/// Runs trials `range` of `opts` in parallel on the current rayon pool and returns their
/// results in trial order, or `None` when `stop` was set before every trial had run: the
/// trials not yet started are skipped, those running finish, and the range's results are
/// dropped (trial `i` depends on `(seed, i)` only, so running the range again gives the
/// same results).
pub fn run_range(
    plan: &Plan,
    opts: RunOptions,
    range: std::ops::Range<u32>,
    stop: &std::sync::atomic::AtomicBool,
    on_trial_done: &(dyn Fn() + Sync),
) -> Option<Vec<TrialResult>> {
    use std::sync::atomic::Ordering;
    range
        .into_par_iter()
        .map_init(
            || Workspace::new(plan),
            |ws, i| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let r = simulate_arms(plan, opts.arms, opts.seed, i, ws);
                on_trial_done();
                Some(r)
            },
        )
        .collect::<Option<Vec<_>>>()
}
