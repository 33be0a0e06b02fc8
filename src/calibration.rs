//! The field's figures as checkable facts, and the repeatable search that calibrates the
//! default behavioural parameters to them.
//!
//! Each [`Fact`] names a figure of `shared/domain.md` and the statistic that measures it:
//! the mean of a metric in a shipped scenario (possibly with overrides), or the ratio or
//! difference of two such means on the same seed (common random numbers). A fact holds when
//! the statistic lies in its [`Target`].
//!
//! [`calibrate`] chooses the values of a few [`Knob`]s (channel base log-odds, attention,
//! patience, …) by coordinate descent on [`loss`], evaluating every candidate on the same
//! seeds. `promosim calibrate` runs it and prints the values found and the fact table; the
//! values are then written into the defaults, and `tests/stylized_facts.rs` asserts every
//! fact with them. Nothing in the model is set to a figure directly: each figure is
//! reproduced through behaviour (attention, patience, incentives, engagement).

use crate::engine::{Plan, RunOptions, run};
use crate::metrics::TrialResult;
use crate::scenario::{ScenarioError, load_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a statistic's simulated value must lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Inside `[lo, hi]`.
    Range(f64, f64),
    /// At least this.
    AtLeast(f64),
    /// At most this.
    AtMost(f64),
}

impl Target {
    /// True when `x` satisfies the target.
    pub fn holds(self, x: f64) -> bool {
        match self {
            Target::Range(lo, hi) => x >= lo && x <= hi,
            Target::AtLeast(b) => x >= b,
            Target::AtMost(b) => x <= b,
        }
    }

    /// Squared shortfall, relative to the target's scale, plus a light pull toward the
    /// middle of a range.
    pub fn loss(self, x: f64) -> f64 {
        if !x.is_finite() {
            return 100.0;
        }
        match self {
            Target::Range(lo, hi) => {
                let w = hi - lo;
                let mid = 0.5 * (lo + hi);
                let pull = 0.25 * ((x - mid) / w).powi(2);
                if x < lo {
                    ((lo - x) / w).powi(2) + pull
                } else if x > hi {
                    ((x - hi) / w).powi(2) + pull
                } else {
                    pull
                }
            }
            Target::AtLeast(b) => {
                if x >= b {
                    0.0
                } else {
                    ((b - x) / b.abs().max(0.01)).powi(2) + 0.05
                }
            }
            Target::AtMost(b) => {
                if x <= b {
                    0.0
                } else {
                    ((x - b) / b.abs().max(0.01)).powi(2) + 0.05
                }
            }
        }
    }

    /// The target in words.
    pub fn describe(self) -> String {
        match self {
            Target::Range(lo, hi) => format!("{lo} – {hi}"),
            Target::AtLeast(b) => format!("≥ {b}"),
            Target::AtMost(b) => format!("≤ {b}"),
        }
    }
}

/// One scenario run: a shipped scenario file and overrides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    /// File name under `scenarios/`.
    pub scenario: &'static str,
    /// `key=value` overrides.
    pub overrides: &'static [&'static str],
}

/// How a fact's statistic is computed from one or two arms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// Mean of a metric in one arm.
    Mean(Arm, &'static str),
    /// Ratio of the means of a metric in two arms (same seed).
    Ratio(Arm, Arm, &'static str),
    /// Ratio of the means of two metrics of one arm.
    MetricRatio(Arm, &'static str, &'static str),
    /// Difference of the means of a metric in two arms (same seed).
    Difference(Arm, Arm, &'static str),
}

/// A figure of the field and how the model is checked against it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fact {
    /// Short identifier.
    pub id: &'static str,
    /// The figure, as the field states it.
    pub figure: &'static str,
    /// The statistic.
    pub statistic: Statistic,
    /// Where it must lie.
    pub target: Target,
}

const fn arm(scenario: &'static str) -> Arm {
    Arm {
        scenario,
        overrides: &[],
    }
}

const PLAIN: Arm = arm("red_packets_plain.toml");
const DESIGNED: Arm = arm("red_packets_designed.toml");
const ADHOC: Arm = arm("qa_adhoc.toml");
const HOURS: Arm = arm("qa_hours.toml");

/// The facts of domain.md 2.4 (red packets) and 2.5 (Q&A hours).
pub const FACTS: &[Fact] = &[
    Fact {
        id: "rp_plain_conversion",
        figure: "2.4: groups that drop red packets regularly, nothing following: conversion 3–5%",
        statistic: Statistic::Mean(PLAIN, "conversion_rate"),
        target: Target::Range(0.03, 0.05),
    },
    Fact {
        id: "rp_designed_conversion",
        figure: "2.4: clear rules and a scenario around the drop: conversion 12–15%",
        statistic: Statistic::Mean(DESIGNED, "conversion_rate"),
        target: Target::Range(0.12, 0.15),
    },
    Fact {
        id: "rp_designed_interaction",
        figure: "2.4: with rules and a scenario, group interaction rises 40%+ (ratio designed / plain)",
        statistic: Statistic::Ratio(DESIGNED, PLAIN, "rp_interactions_per_member_week"),
        target: Target::AtLeast(1.4),
    },
    Fact {
        id: "rp_task_link_clicks",
        figure: "2.4: task-linked packets: link click-through 6× a plain announcement",
        statistic: Statistic::Ratio(
            Arm {
                scenario: "red_packets_plain.toml",
                overrides: &["mechanisms.red_packets.link=\"task\""],
            },
            Arm {
                scenario: "red_packets_plain.toml",
                overrides: &["mechanisms.red_packets.link=\"announcement\""],
            },
            "rp_link_clicks",
        ),
        target: Target::Range(5.0, 7.0),
    },
    Fact {
        id: "rp_followup_ctr",
        figure: "2.4: a push in the 5–10 minutes after claiming gets ≥3× the usual CTR (vs the same coupon broadcast to the group)",
        statistic: Statistic::MetricRatio(DESIGNED, "rp_followup_ctr", "rp_broadcast_ctr"),
        target: Target::AtLeast(3.0),
    },
    Fact {
        id: "rp_frequency_retention",
        figure: "2.4: dropping 2–3 times a week keeps more members than weekly (difference in share left; the 95% interval must lie below 0 too)",
        statistic: Statistic::Difference(
            PLAIN,
            Arm {
                scenario: "red_packets_plain.toml",
                overrides: &["mechanisms.red_packets.schedule.weekdays=[\"tuesday\"]"],
            },
            "rp_members_left",
        ),
        target: Target::AtMost(0.0),
    },
    Fact {
        id: "rp_claim_time",
        figure: "2.4: scaled with members online, all packets are claimed within 15–20 s (seconds)",
        statistic: Statistic::Mean(DESIGNED, "rp_claim_seconds"),
        target: Target::AtMost(20.0),
    },
    Fact {
        id: "rp_task_interaction",
        figure: "2.4: task-linked packets: comment interaction +50% (chat interactions, task vs no link)",
        statistic: Statistic::Ratio(
            Arm {
                scenario: "red_packets_plain.toml",
                overrides: &["mechanisms.red_packets.link=\"task\""],
            },
            PLAIN,
            "rp_interactions_per_member_week",
        ),
        target: Target::Range(1.25, 1.75),
    },
    Fact {
        id: "qa_adhoc_resolution",
        figure: "2.5: ad-hoc Q&A only: resolution 40%",
        statistic: Statistic::Mean(ADHOC, "qa_adhoc_resolution"),
        target: Target::Range(0.35, 0.45),
    },
    Fact {
        id: "qa_adhoc_response",
        figure: "2.5: ad-hoc Q&A only: average response time > 2 h (minutes)",
        statistic: Statistic::Mean(ADHOC, "qa_adhoc_response_minutes"),
        target: Target::AtLeast(120.0),
    },
    Fact {
        id: "qa_hours_satisfaction",
        figure: "2.5: a dedicated, efficient Q&A hour: satisfaction ≥ 85%",
        statistic: Statistic::Mean(HOURS, "qa_satisfaction"),
        target: Target::AtLeast(0.85),
    },
    Fact {
        id: "qa_hours_conversion",
        figure: "2.5: a dedicated, efficient Q&A hour: conversion 12–18%",
        statistic: Statistic::Mean(HOURS, "conversion_rate"),
        target: Target::Range(0.12, 0.18),
    },
    Fact {
        id: "qa_hours_online",
        figure: "2.5: sessions at 20:00–21:30 find 60–70% of members online",
        statistic: Statistic::Mean(HOURS, "qa_online_share"),
        target: Target::Range(0.60, 0.70),
    },
    Fact {
        id: "qa_hours_questions",
        figure: "2.5: 20–30 questions in a session",
        statistic: Statistic::Mean(HOURS, "qa_questions_per_session"),
        target: Target::Range(20.0, 30.0),
    },
    Fact {
        id: "qa_precollect_same_day",
        figure: "2.5: questions collected 24 h before: same-day resolution ≥ 90%",
        statistic: Statistic::Mean(HOURS, "qa_precollected_same_day"),
        target: Target::AtLeast(0.90),
    },
    Fact {
        id: "qa_precollect_coupon_use",
        figure: "2.5: collecting questions 24 h before: coupon use +20% (redemptions, with vs without)",
        statistic: Statistic::Ratio(
            HOURS,
            Arm {
                scenario: "qa_hours.toml",
                overrides: &["mechanisms.qa.precollect.rate=0.0"],
            },
            "qa_coupons_redeemed",
        ),
        target: Target::Range(1.0, 1.4),
    },
    Fact {
        id: "qa_answer_style",
        figure: "2.5: \"solution + case + discount\" answers convert 3× plain answers",
        statistic: Statistic::Ratio(
            HOURS,
            Arm {
                scenario: "qa_hours.toml",
                overrides: &["mechanisms.qa.answer_style=\"plain\""],
            },
            "qa_answer_conversion",
        ),
        target: Target::Range(2.5, 3.5),
    },
];

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

/// The parameters calibrated against [`FACTS`].
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
        key: "mechanisms.red_packets.seen_engagement",
        lo: 0.0,
        hi: 0.2,
    },
    Knob {
        key: "mechanisms.red_packets.claim_and_leave",
        lo: 0.005,
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
];

/// A fact's simulated value.
#[derive(Debug, Clone, PartialEq)]
pub struct FactResult {
    /// The fact.
    pub fact: Fact,
    /// The statistic's point estimate.
    pub value: f64,
    /// 95% interval: t-interval of a mean or a paired difference; delta-method interval of
    /// a ratio of paired means.
    pub ci95: (f64, f64),
    /// Trials per arm.
    pub trials: u32,
}

impl FactResult {
    /// True when the point estimate satisfies the target.
    pub fn holds(&self) -> bool {
        self.fact.target.holds(self.value)
    }
}

/// Runs arms and caches their trials.
pub struct Evaluator {
    dir: PathBuf,
    trials: u32,
    knobs: Vec<(String, f64)>,
    cache: HashMap<(String, Vec<String>), (Plan, Vec<TrialResult>)>,
}

impl Evaluator {
    /// An evaluator over the scenarios in `dir`, `trials` per arm, with knob settings.
    pub fn new(dir: &Path, trials: u32, knobs: &[(String, f64)]) -> Self {
        Evaluator {
            dir: dir.to_path_buf(),
            trials,
            knobs: knobs.to_vec(),
            cache: HashMap::new(),
        }
    }

    fn arm(&mut self, a: Arm) -> Result<&(Plan, Vec<TrialResult>), ScenarioError> {
        let path = self.dir.join(a.scenario);
        let plain = load_file(&path, &[])?;
        let mut overrides: Vec<String> = a.overrides.iter().map(|s| s.to_string()).collect();
        for (k, v) in &self.knobs {
            let applies = match k
                .strip_prefix("mechanisms.")
                .and_then(|r| r.split('.').next())
            {
                Some("red_packets") => plain.mechanisms.red_packets.is_some(),
                Some("qa") => plain.mechanisms.qa.is_some(),
                Some("blogger_reviews") => plain.mechanisms.blogger_reviews.is_some(),
                _ => true,
            };
            if applies {
                overrides.push(format!("{k}={v}"));
            }
        }
        let key = (a.scenario.to_string(), overrides.clone());
        if !self.cache.contains_key(&key) {
            let s = load_file(&path, &overrides)?;
            let plan = Plan::new(&s).map_err(|e| ScenarioError {
                file: path.display().to_string(),
                problems: vec![crate::scenario::Problem {
                    path: String::new(),
                    location: None,
                    message: e.to_string(),
                }],
            })?;
            let opts = RunOptions {
                trials: self.trials,
                seed: s.seed,
                threads: None,
            };
            let results = run(&plan, opts, &|| {}).unwrap_or_default();
            self.cache.insert(key.clone(), (plan, results));
        }
        Ok(&self.cache[&key])
    }

    fn column(&mut self, a: Arm, metric: &str) -> Result<Vec<f64>, ScenarioError> {
        let (plan, results) = self.arm(a)?;
        let names = crate::metrics::metric_names(&plan.kpi_names());
        let k = names
            .iter()
            .position(|n| n == metric)
            .ok_or_else(|| ScenarioError {
                file: a.scenario.to_string(),
                problems: vec![crate::scenario::Problem {
                    path: String::new(),
                    location: None,
                    message: format!("no metric `{metric}`"),
                }],
            })?;
        Ok(results.iter().map(|r| r.values()[k]).collect())
    }

    /// Evaluates one fact.
    pub fn fact(&mut self, f: Fact) -> Result<FactResult, ScenarioError> {
        let (value, ci95) = match f.statistic {
            Statistic::Mean(a, m) => mean_ci(&self.column(a, m)?),
            Statistic::Difference(a, b, m) => {
                let (x, y) = (self.column(a, m)?, self.column(b, m)?);
                let d: Vec<f64> = x.iter().zip(&y).map(|(p, q)| p - q).collect();
                mean_ci(&d)
            }
            Statistic::Ratio(a, b, m) => ratio_ci(&self.column(a, m)?, &self.column(b, m)?),
            Statistic::MetricRatio(a, m1, m2) => {
                ratio_ci(&self.column(a, m1)?, &self.column(a, m2)?)
            }
        };
        Ok(FactResult {
            fact: f,
            value,
            ci95,
            trials: self.trials,
        })
    }

    /// Evaluates every fact.
    pub fn all(&mut self, facts: &[Fact]) -> Result<Vec<FactResult>, ScenarioError> {
        facts.iter().map(|f| self.fact(*f)).collect()
    }
}

fn finite(xs: &[f64]) -> Vec<f64> {
    xs.iter().copied().filter(|x| x.is_finite()).collect()
}

fn t975(n: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, (n.max(2) - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(1.96)
}

fn mean_ci(xs: &[f64]) -> (f64, (f64, f64)) {
    let xs = finite(xs);
    let n = xs.len();
    if n < 2 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let m = xs.iter().sum::<f64>() / n as f64;
    let sd = (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt();
    let h = t975(n) * sd / (n as f64).sqrt();
    (m, (m - h, m + h))
}

/// Ratio of paired means with a delta-method interval: `Var(R) ≈ Var(a − R·b) / (n·b̄²)`.
fn ratio_ci(a: &[f64], b: &[f64]) -> (f64, (f64, f64)) {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let ma = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let mb = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    if mb == 0.0 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let r = ma / mb;
    let resid: Vec<f64> = pairs.iter().map(|(x, y)| x - r * y).collect();
    let mr = resid.iter().sum::<f64>() / n as f64;
    let var = resid.iter().map(|e| (e - mr) * (e - mr)).sum::<f64>() / (n - 1) as f64;
    let h = t975(n) * (var / n as f64).sqrt() / mb.abs();
    (r, (r - h, r + h))
}

/// Total loss of a set of fact results.
pub fn loss(results: &[FactResult]) -> f64 {
    results.iter().map(|r| r.fact.target.loss(r.value)).sum()
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

/// The fact table as Markdown (for `docs/calibration.md`).
pub fn markdown_table(results: &[FactResult]) -> String {
    let mut s = String::from(
        "| fact | figure | target | simulated | 95% interval | holds |\n|---|---|---|---|---|---|\n",
    );
    for r in results {
        s.push_str(&format!(
            "| `{}` | {} | {} | {:.4} | [{:.4}, {:.4}] | {} |\n",
            r.fact.id,
            r.fact.figure,
            r.fact.target.describe(),
            r.value,
            r.ci95.0,
            r.ci95.1,
            if r.holds() { "yes" } else { "**no**" }
        ));
    }
    s
}
