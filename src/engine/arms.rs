//! The arms of a trial: the worlds simulated on the trial's random streams besides the
//! campaign itself.
//!
//! - **No campaign** (on by default): the same market with every mechanism off, so the
//!   campaign's effect is measured trial by trial as a paired difference (common random
//!   numbers; see [`crate::results`] for the incremental metrics). The no-campaign world
//!   runs on the campaign's engine paths, not on the faster paths a scenario without
//!   mechanisms would take: every path simulates the same model, but only the same paths
//!   make the same draws, and the shared draws are what make the pairing tight. Until the
//!   campaign's first effect the two worlds are identical draw for draw; afterwards they
//!   share the population, every buyer's traits and each stream's numbers. A plan without
//!   mechanisms is its own no-campaign world (not simulated twice).
//! - **Contributions** (opt-in): the worlds with subsets of the mechanisms on, for
//!   leave-one-out differences and Shapley values ([`crate::shapley`]): exact up to
//!   [`crate::shapley::EXACT_MAX`] mechanisms, sampled orders beyond, drawn from the trial's
//!   own stream (`rng::stream::SHAPLEY`).

use super::{Plan, Workspace, all_mechanisms, outcome_of};
use crate::results::{Contributions, Outcome};
use crate::rng::{stream, stream_rng};
use crate::shapley::{EXACT_MAX, Worlds, exact, leave_one_out, sampled};

/// The arms a run simulates besides the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arms {
    /// The no-campaign world (the incremental metrics need it).
    pub no_campaign: bool,
    /// Each mechanism's contribution (implies the no-campaign world).
    pub contributions: Option<Contribution>,
}

impl Default for Arms {
    /// The no-campaign world, no contributions.
    fn default() -> Self {
        Arms {
            no_campaign: true,
            contributions: None,
        }
    }
}

impl Arms {
    /// The campaign alone: totals only, no incremental metrics.
    pub const CAMPAIGN_ONLY: Arms = Arms {
        no_campaign: false,
        contributions: None,
    };
}

/// How contributions are estimated beyond [`EXACT_MAX`] mechanisms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    /// Antithetic pairs of random orders per trial (at least 2, so that the sampling
    /// error can be estimated).
    pub pairs: u32,
}

/// Leave-one-out differences and Shapley values of trial `key`'s mechanisms, given the
/// campaign's and the no-campaign world's outcomes.
pub(super) fn contributions(
    plan: &Plan,
    method: Contribution,
    key: u64,
    ws: &mut Workspace,
    campaign: Outcome,
    none: Outcome,
) -> Contributions {
    let n = plan.mechanisms.len();
    let mut worlds = Worlds::new(n, |mask| outcome_of(plan, mask, key, ws).to_array());
    worlds.know(0, none.to_array());
    worlds.know(all_mechanisms(plan), campaign.to_array());
    let leave_one_out = leave_one_out(&mut worlds);
    let (shapley, shapley_var, exact_values) = if n <= EXACT_MAX {
        let phi = exact(&mut worlds);
        let zero = vec![[0.0; Outcome::FIELDS.len()]; n];
        (phi, zero, true)
    } else {
        let mut rng = stream_rng(key, stream::SHAPLEY);
        let (phi, var) = sampled(&mut worlds, method.pairs.max(2) as usize, &mut rng);
        (phi, var, false)
    };
    Contributions {
        leave_one_out,
        shapley,
        shapley_var,
        exact: exact_values,
        worlds: worlds.evaluated as u32 + 2,
    }
}
