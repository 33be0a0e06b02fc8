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
use crate::results::TrialResult;
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
const VOTES_PLAIN: Arm = arm("votes_plain.toml");
const VOTES: Arm = arm("votes_designed.toml");
const PROOFS_PLAIN: Arm = arm("proofs_plain.toml");
const PROOFS: Arm = arm("proofs_designed.toml");
const LEVERS: Arm = arm("group_levers.toml");

const fn with(scenario: &'static str, overrides: &'static [&'static str]) -> Arm {
    Arm {
        scenario,
        overrides,
    }
}

/// The facts of domain.md 2.4 (red packets), 2.5 (Q&A hours), 2.6 (topic votes), 2.7
/// (order proofs) and 2.8 (other group levers).
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
    Fact {
        id: "votes_plain_participation",
        figure: "2.6: undesigned votes (1–2 a month): participation 15–20%",
        statistic: Statistic::Mean(VOTES_PLAIN, "vote_participation"),
        target: Target::Range(0.15, 0.20),
    },
    Fact {
        id: "votes_plain_uplift",
        figure: "2.6: undesigned votes: conversion uplift < 3% (points, against no votes)",
        statistic: Statistic::Difference(
            VOTES_PLAIN,
            with("votes_plain.toml", &["mechanisms.votes.enabled=false"]),
            "conversion_rate",
        ),
        target: Target::AtMost(0.03),
    },
    Fact {
        id: "votes_designed_participation",
        figure: "2.6: designed votes (topic, frequency, rewards): participation 40–50%",
        statistic: Statistic::Mean(VOTES, "vote_participation"),
        target: Target::Range(0.40, 0.50),
    },
    Fact {
        id: "votes_designed_uplift",
        figure: "2.6: designed votes: direct conversion uplift 8–12% (points, against no votes); with participation + winner bonus, conversion up to 12%",
        statistic: Statistic::Difference(
            VOTES,
            with("votes_designed.toml", &["mechanisms.votes.enabled=false"]),
            "conversion_rate",
        ),
        target: Target::Range(0.08, 0.12),
    },
    Fact {
        id: "votes_topic_vs_general",
        figure: "2.6: votes about products, discounts or usage get 2–3× the participation of general topics",
        statistic: Statistic::Ratio(
            VOTES,
            with(
                "votes_designed.toml",
                &["mechanisms.votes.program[0].topic=\"general\""],
            ),
            "vote_participation",
        ),
        target: Target::Range(2.0, 3.0),
    },
    Fact {
        id: "votes_product_choice",
        figure: "2.6: product-choice votes, weekly: participation 35–50%",
        statistic: Statistic::Mean(VOTES, "vote_participation"),
        target: Target::Range(0.35, 0.50),
    },
    Fact {
        id: "votes_discount_format",
        figure: "2.6: discount-format votes, every 2 weeks: participation 40–55%",
        statistic: Statistic::Mean(
            with(
                "votes_designed.toml",
                &[
                    "mechanisms.votes.program[0].topic=\"discount_format\"",
                    "mechanisms.votes.program[0].link=\"flash_sale\"",
                    "mechanisms.votes.program[0].schedule.every_days=14",
                ],
            ),
            "vote_participation",
        ),
        target: Target::Range(0.40, 0.55),
    },
    Fact {
        id: "votes_usage_scenario",
        figure: "2.6: usage-scenario votes, twice a month: participation 45–60%",
        statistic: Statistic::Mean(
            with(
                "votes_designed.toml",
                &[
                    "mechanisms.votes.program[0].topic=\"usage_scenario\"",
                    "mechanisms.votes.program[0].link=\"bundle\"",
                    "mechanisms.votes.program[0].schedule.every_days=15",
                ],
            ),
            "vote_participation",
        ),
        target: Target::Range(0.45, 0.60),
    },
    Fact {
        id: "votes_new_product_test",
        figure: "2.6: new-product-test votes, monthly: participation 50–65%",
        statistic: Statistic::Mean(
            with(
                "votes_designed.toml",
                &[
                    "mechanisms.votes.program[0].topic=\"new_product_test\"",
                    "mechanisms.votes.program[0].link=\"presale\"",
                    "mechanisms.votes.program[0].schedule.every_days=30",
                ],
            ),
            "vote_participation",
        ),
        target: Target::Range(0.50, 0.65),
    },
    Fact {
        id: "votes_prime_time",
        figure: "2.6: started Thursday/Friday 19:30–21:00: participation +30% over other times (against Monday 10:00)",
        statistic: Statistic::Ratio(
            VOTES,
            with(
                "votes_designed.toml",
                &[
                    "mechanisms.votes.program[0].schedule.time=\"10:00\"",
                    "mechanisms.votes.program[0].schedule.weekdays=[\"monday\"]",
                ],
            ),
            "vote_participation",
        ),
        target: Target::Range(1.15, 1.45),
    },
    Fact {
        id: "votes_result_push_ctr",
        figure: "2.6: a discount pushed within 1 h of the result: CTR 3× ordinary promotions (vs the same push broadcast)",
        statistic: Statistic::MetricRatio(
            with(
                "votes_designed.toml",
                &[
                    "mechanisms.votes.program[0].topic=\"discount_format\"",
                    "mechanisms.votes.program[0].link=\"flash_sale\"",
                ],
            ),
            "vote_result_ctr",
            "vote_broadcast_ctr",
        ),
        target: Target::Range(2.5, 3.5),
    },
    Fact {
        id: "votes_cost_share",
        figure: "2.6: vote reward cost within 5–8% of sales (capped at 8% in votes_designed)",
        statistic: Statistic::Mean(VOTES, "vote_cost_share"),
        target: Target::AtMost(0.08),
    },
    Fact {
        id: "proofs_plain_participation",
        figure: "2.7: without rules: participation 5–8% (proofs per order)",
        statistic: Statistic::Mean(PROOFS_PLAIN, "op_participation"),
        target: Target::Range(0.05, 0.08),
    },
    Fact {
        id: "proofs_plain_fakes",
        figure: "2.7: without rules: 30% of proofs are fake",
        statistic: Statistic::Mean(PROOFS_PLAIN, "op_fake_share"),
        target: Target::Range(0.25, 0.35),
    },
    Fact {
        id: "proofs_designed_conversion",
        figure: "2.7: a well-designed proof mechanism lifts purchase conversion to 18–22%",
        statistic: Statistic::Mean(PROOFS, "conversion_rate"),
        target: Target::Range(0.18, 0.22),
    },
    Fact {
        id: "proofs_rate_high",
        figure: "2.7: proof rate 40% for orders over 200",
        statistic: Statistic::Mean(PROOFS, "op_rate_high"),
        target: Target::Range(0.35, 0.45),
    },
    Fact {
        id: "proofs_rate_low",
        figure: "2.7: proof rate 15% for orders under 50",
        statistic: Statistic::Mean(PROOFS, "op_rate_low"),
        target: Target::Range(0.12, 0.18),
    },
    Fact {
        id: "proofs_tiering",
        figure: "2.7: tiering lifts high-value sharing by 50% (vs a flat 9 cash for every order)",
        statistic: Statistic::Ratio(
            PROOFS,
            with(
                "proofs_designed.toml",
                &["mechanisms.order_proofs.tiers=[{ cash = 9.0 }]"],
            ),
            "op_rate_high",
        ),
        target: Target::Range(1.25, 1.75),
    },
    Fact {
        id: "proofs_verified_fakes",
        figure: "2.7: verification cuts fake proofs from 30% to 8%",
        statistic: Statistic::Mean(
            with(
                "proofs_plain.toml",
                &["mechanisms.order_proofs.verification=\"order_digits\""],
            ),
            "op_fake_share",
        ),
        target: Target::Range(0.06, 0.10),
    },
    Fact {
        id: "proofs_story_ctr",
        figure: "2.7: proofs with a usage story get 4× the CTR of photo-only proofs",
        statistic: Statistic::MetricRatio(PROOFS, "op_story_ctr", "op_photo_ctr"),
        target: Target::Range(3.33, 4.67),
    },
    Fact {
        id: "proofs_quality_bonus",
        figure: "2.7: a quality bonus (+3 for story + photos) lifts content quality 60% (share of story proofs, with vs without)",
        statistic: Statistic::Ratio(
            PROOFS,
            with(
                "proofs_designed.toml",
                &["mechanisms.order_proofs.quality_bonus=0.0"],
            ),
            "op_story_share",
        ),
        target: Target::Range(1.3, 1.9),
    },
    Fact {
        id: "proofs_curated_push",
        figure: "2.7: curated proofs pushed with a coupon link: same-day conversion 3.5× a plain product link",
        statistic: Statistic::MetricRatio(
            PROOFS,
            "op_curated_conversion",
            "op_plain_link_conversion",
        ),
        target: Target::Range(2.9, 4.1),
    },
    Fact {
        id: "proofs_new_members",
        figure: "2.7: 15% of curated-push conversion comes from people new to the group (orders by friends a member forwarded the proof to / all curated orders)",
        statistic: Statistic::Mean(PROOFS, "op_new_member_share"),
        target: Target::Range(0.10, 0.20),
    },
    Fact {
        id: "proofs_pinning",
        figure: "2.7: pinning 6–8 proofs a week multiplies their exposure time by 4 (hours in view, pinned / unpinned)",
        statistic: Statistic::Mean(PROOFS, "op_pinned_exposure"),
        target: Target::Range(3.33, 4.67),
    },
    Fact {
        id: "proofs_cost_share",
        figure: "2.7: weekly proof budget 2–3% of sales; keep proof cost within 2.5% of sales (rewards + review)",
        statistic: Statistic::Mean(PROOFS, "op_cost_share"),
        target: Target::AtMost(0.03),
    },
    Fact {
        id: "levers_share_draw",
        figure: "2.8: share to 3 friend groups for a gift draw: participation up to 65%",
        statistic: Statistic::Mean(LEVERS, "sd_participation"),
        target: Target::Range(0.45, 0.65),
    },
    Fact {
        id: "levers_flash_sale",
        figure: "2.8: scarcity flash sale (1 hour, 10 left): same-day transaction rate up to 35% (orders / visitors)",
        statistic: Statistic::Mean(LEVERS, "fs_transaction_rate"),
        target: Target::Range(0.23, 0.35),
    },
    Fact {
        id: "levers_targeted_open",
        figure: "2.8: CRM-targeted push to members who visit but never buy: open rate > 72%",
        statistic: Statistic::Mean(LEVERS, "tp_open_rate"),
        target: Target::AtLeast(0.72),
    },
    Fact {
        id: "levers_targeted_conversion",
        figure: "2.8: targeted push: conversion +28% over a broadcast (tagged members' first orders)",
        statistic: Statistic::Ratio(
            LEVERS,
            with(
                "group_levers.toml",
                &["mechanisms.targeted_push.broadcast=true"],
            ),
            "tp_tagged_conversion",
        ),
        target: Target::Range(1.14, 1.42),
    },
    Fact {
        id: "levers_proof_interaction",
        figure: "2.8: refunding 10 for an order proof raises other members' interaction 40% (interactions per member-week, vs 5)",
        statistic: Statistic::Ratio(
            with(
                "proofs_plain.toml",
                &["mechanisms.order_proofs.tiers=[{ cash = 10.0 }]"],
            ),
            PROOFS_PLAIN,
            "op_interactions_per_member_week",
        ),
        target: Target::Range(1.2, 1.6),
    },
];

/// Figures reported next to the facts but not asserted: in this model each conflicts with
/// other figures of the same section (docs/calibration.md says which and why).
pub const REPORTED: &[Fact] = &[
    Fact {
        id: "votes_coupon_use",
        figure: "2.6: \"participate + bonus for the winner\": coupon use 40–45% (conflicts with 40–50% weekly participation and an 8–12 point uplift: see docs)",
        statistic: Statistic::Mean(VOTES, "vote_coupon_use"),
        target: Target::Range(0.40, 0.45),
    },
    Fact {
        id: "proofs_review_cost",
        figure: "2.7: verification cuts review cost 45% (with / without)",
        statistic: Statistic::Ratio(
            with(
                "proofs_plain.toml",
                &["mechanisms.order_proofs.verification=\"order_digits\""],
            ),
            PROOFS_PLAIN,
            "op_review_cost",
        ),
        target: Target::Range(0.45, 0.65),
    },
    Fact {
        id: "proofs_story_conversion",
        figure: "2.7: story proofs convert at 25% (orders per opened story proof)",
        statistic: Statistic::Mean(PROOFS, "op_story_conversion"),
        target: Target::Range(0.20, 0.30),
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
        hi: 3.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.discount_format",
        lo: 0.0,
        hi: 3.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.usage_scenario",
        lo: 0.0,
        hi: 3.0,
    },
    Knob {
        key: "mechanisms.votes.relevance.new_product_test",
        lo: 0.0,
        hi: 3.0,
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
    use crate::scenario::{
        Behaviour, BloggerReviews, FlashSale, OrderProofs, Qa, RedPackets, ShareDraw, TargetedPush,
        Votes,
    };
    fn table<T: serde::Serialize>(v: T) -> Option<toml::Value> {
        toml::Value::try_from(v).ok()
    }
    let mut mechanisms = toml::Table::new();
    for (k, v) in [
        ("blogger_reviews", table(BloggerReviews::default())),
        ("red_packets", table(RedPackets::default())),
        ("qa", table(Qa::default())),
        ("votes", table(Votes::default())),
        ("order_proofs", table(OrderProofs::default())),
        ("flash_sale", table(FlashSale::default())),
        ("share_draw", table(ShareDraw::default())),
        ("targeted_push", table(TargetedPush::default())),
    ] {
        mechanisms.insert(k.into(), v?);
    }
    let mut root = toml::Table::new();
    root.insert("behaviour".into(), table(Behaviour::default())?);
    root.insert("mechanisms".into(), toml::Value::Table(mechanisms));
    let mut at = &toml::Value::Table(root);
    for part in key.split('.') {
        at = at.get(part)?;
    }
    at.as_float().or_else(|| at.as_integer().map(|i| i as f64))
}

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
            let m = &plain.mechanisms;
            let applies = match k
                .strip_prefix("mechanisms.")
                .and_then(|r| r.split('.').next())
            {
                Some("red_packets") => m.red_packets.is_some(),
                Some("qa") => m.qa.is_some(),
                Some("blogger_reviews") => m.blogger_reviews.is_some(),
                Some("votes") => m.votes.is_some(),
                Some("order_proofs") => m.order_proofs.is_some(),
                Some("flash_sale") => m.flash_sale.is_some(),
                Some("share_draw") => m.share_draw.is_some(),
                Some("targeted_push") => m.targeted_push.is_some(),
                Some("influencers") => m.influencers.is_some(),
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
        let names = crate::results::metric_names(&plan.kpi_names());
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
