//! The calibration search: the parameters it may move ([`KNOBS`]), their current defaults
//! and coordinate descent on the facts' loss.
//!
//! Every candidate setting is evaluated by a fresh [`Evaluator`] on the scenarios' fixed
//! seeds, so two candidates differ only by their parameters.

use super::eval::{Evaluator, FactResult, loss};
use super::facts::Fact;
use crate::scenario::ScenarioError;
use std::path::Path;

/// A parameter the calibration may move, with its search bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    /// Key path; keys under `mechanisms.X` only apply to scenarios that have mechanism X.
    pub key: &'static str,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The parameters calibrated against the facts of `calibration/field.toml`.
pub const KNOBS: &[Knob] = &[
    Knob {
        key: "behaviour.channels.link",
        lo: -6.0,
        hi: 0.0,
    },
    Knob {
        key: "behaviour.channels.push",
        lo: -5.0,
        hi: 1.0,
    },
    Knob {
        key: "behaviour.channels.answer",
        lo: -6.0,
        hi: 0.0,
    },
    Knob {
        key: "behaviour.group_life.attention_minutes",
        lo: 2.0,
        hi: 20.0,
    },
    Knob {
        key: "mechanisms.red_packets.announcement_click",
        lo: 0.002,
        hi: 0.2,
    },
    Knob {
        key: "mechanisms.red_packets.claim_engagement",
        lo: 0.0,
        hi: 0.4,
    },
    Knob {
        key: "mechanisms.red_packets.claim_and_leave",
        lo: 0.0,
        hi: 0.05,
    },
    Knob {
        key: "mechanisms.qa.session_patience_minutes",
        lo: 2.0,
        hi: 30.0,
    },
    Knob {
        key: "mechanisms.qa.case_strength",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.participation_base",
        lo: -4.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.visibility_hours",
        lo: 1.0,
        hi: 24.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.product_choice",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.discount_format",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.usage_scenario",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.new_product_test",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.votes.link_strength",
        lo: 0.0,
        hi: 5.0,
    },
    Knob {
        key: "mechanisms.votes.anticipation",
        lo: 0.0,
        hi: 1.0,
    },
    Knob {
        key: "mechanisms.order_proofs.post_base",
        lo: -5.0,
        hi: 0.0,
    },
    Knob {
        key: "mechanisms.order_proofs.reward_weight",
        lo: 0.0,
        hi: 2.0,
    },
    Knob {
        key: "mechanisms.order_proofs.unaware_share",
        lo: 0.2,
        hi: 1.0,
    },
    Knob {
        key: "mechanisms.order_proofs.fake_rate",
        lo: 0.0,
        hi: 0.002,
    },
    Knob {
        key: "mechanisms.order_proofs.fake_pass",
        lo: 0.05,
        hi: 0.8,
    },
    Knob {
        key: "mechanisms.order_proofs.story_bonus_weight",
        lo: 0.0,
        hi: 1.0,
    },
    Knob {
        key: "mechanisms.order_proofs.story_appeal",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.order_proofs.proof_strength",
        lo: 0.0,
        hi: 3.0,
    },
    Knob {
        key: "mechanisms.order_proofs.story_strength",
        lo: 0.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.order_proofs.open_base",
        lo: -6.0,
        hi: -1.0,
    },
    Knob {
        key: "mechanisms.order_proofs.forward_open_base",
        lo: -4.0,
        hi: 1.2,
    },
    Knob {
        key: "mechanisms.share_draw.participation_base",
        lo: -3.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.flash_sale.buy_base",
        lo: -5.0,
        hi: 2.0,
    },
    Knob {
        key: "mechanisms.targeted_push.open_base",
        lo: -2.0,
        hi: 4.0,
    },
    Knob {
        key: "mechanisms.targeted_push.personal_strength",
        lo: -1.0,
        hi: 3.0,
    },
];

/// The default value of a calibrated parameter (a key path under `behaviour.` or
/// `mechanisms.`), read from the scenario types' defaults.
pub fn default_value(key: &str) -> Option<f64> {
    let mut root = toml::Table::new();
    root.insert(
        "behaviour".into(),
        toml::Value::try_from(crate::scenario::Behaviour::default()).ok()?,
    );
    root.insert(
        "mechanisms".into(),
        toml::Value::Table(mechanism_defaults()?),
    );
    let mut at = &toml::Value::Table(root);
    for part in key.split('.') {
        at = at.get(part)?;
    }
    at.as_float().or_else(|| at.as_integer().map(|i| i as f64))
}

/// Every mechanism's default configuration as a TOML table, keyed by its scenario table
/// name (from the mechanism registry, so no mechanism can be missing).
fn mechanism_defaults() -> Option<toml::Table> {
    match toml::Value::try_from(crate::mechanisms::Mechanisms::all_default()).ok()? {
        toml::Value::Table(t) => Some(t),
        _ => None,
    }
}

/// Knob settings: `(key path, value)` pairs.
pub type Settings = Vec<(String, f64)>;

/// Progress of a calibration, for an observer (the CLI prints it).
#[derive(Debug, Clone)]
pub struct Step {
    /// Knob values tried.
    pub knobs: Vec<(String, f64)>,
    /// Their loss.
    pub loss: f64,
    /// Whether it improved on the best so far.
    pub improved: bool,
}

/// Coordinate descent over `knobs`, starting from `start`, `rounds` rounds with the step
/// halving each round; every candidate is evaluated on the same seeds (`trials` per arm).
pub fn calibrate(
    dir: &Path,
    facts: &[Fact],
    knobs: &[Knob],
    start: &[f64],
    trials: u32,
    rounds: u32,
    observe: &mut dyn FnMut(&Step),
) -> Result<(Settings, Vec<FactResult>), ScenarioError> {
    let named = |v: &[f64]| -> Vec<(String, f64)> {
        knobs
            .iter()
            .zip(v)
            .map(|(k, x)| (k.key.to_string(), *x))
            .collect()
    };
    let eval = |v: &[f64]| -> Result<(f64, Vec<FactResult>), ScenarioError> {
        let r = Evaluator::new(dir, trials, &named(v)).all(facts)?;
        Ok((loss(&r), r))
    };
    let mut cur: Vec<f64> = start.to_vec();
    let (mut best, mut best_results) = eval(&cur)?;
    observe(&Step {
        knobs: named(&cur),
        loss: best,
        improved: true,
    });
    let mut step: Vec<f64> = knobs.iter().map(|k| (k.hi - k.lo) / 4.0).collect();
    for _ in 0..rounds {
        for j in 0..knobs.len() {
            for dir_sign in [-1.0, 1.0] {
                let mut cand = cur.clone();
                cand[j] = (cur[j] + dir_sign * step[j]).clamp(knobs[j].lo, knobs[j].hi);
                if cand[j] == cur[j] {
                    continue;
                }
                let (l, r) = eval(&cand)?;
                let improved = l < best;
                observe(&Step {
                    knobs: named(&cand),
                    loss: l,
                    improved,
                });
                if improved {
                    best = l;
                    best_results = r;
                    cur = cand;
                    break;
                }
            }
            step[j] *= 0.5;
        }
    }
    Ok((named(&cur), best_results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_knob_has_a_default() {
        for k in KNOBS {
            assert!(default_value(k.key).is_some(), "{} has no default", k.key);
        }
    }

    #[test]
    fn every_mechanism_has_defaults() {
        let m = mechanism_defaults().unwrap();
        assert_eq!(m.len(), crate::mechanisms::REGISTRY.len());
        assert_eq!(
            default_value("mechanisms.influencers.budget"),
            Some(50_000.0)
        );
    }
}
