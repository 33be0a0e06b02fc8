use crate::settings::{Base, Check, Checker};
use crate::settings::{Schedule, TimeOfDay, Weekday};
use serde::{Deserialize, Serialize};

/// How the seller answers questions in the groups.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum QaMode {
    /// Only ad-hoc answers, whenever the seller gets to them (the baseline).
    #[default]
    Adhoc,
    /// Dedicated Q&A sessions on a schedule, plus ad-hoc answers at other times.
    Dedicated,
}

/// How answers are shaped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStyle {
    /// A plain answer.
    #[default]
    Plain,
    /// "Solution + case + discount": the answer, a buyer's case (social proof) and a discount.
    SolutionCaseDiscount,
}

/// Questions collected 24 h before a session, with a small coupon for submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PreCollection {
    /// Probability that a member submits a question the day before (default 0.03).
    pub rate: f64,
    /// Coupon for submitting, usable on the answer (default 3).
    pub coupon: f64,
}

impl Default for PreCollection {
    fn default() -> Self {
        PreCollection {
            rate: 0.03,
            coupon: 3.0,
        }
    }
}

/// Q&A in the chat groups (docs/field-figures.md §2.5): ad-hoc answers, or dedicated sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Qa {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// Ad-hoc only, or dedicated sessions (default adhoc).
    pub mode: QaMode,
    /// When dedicated sessions start (default 20:00 on Wednesdays and Saturdays).
    pub schedule: Schedule,
    /// Session length in minutes (default 40).
    pub session_minutes: u32,
    /// Online members per answering agent (default 150).
    pub members_per_agent: f64,
    /// Mean minutes an agent needs per question (default 2).
    pub answer_minutes: f64,
    /// Questions per online member per hour during a session (default 0.1).
    pub session_question_rate: f64,
    /// Mean minutes a session asker waits for an answer to start before giving up (default
    /// 18.25, calibrated).
    pub session_patience_minutes: f64,
    /// An answer within this many minutes of asking satisfies the asker (default 10).
    pub satisfied_within_minutes: f64,
    /// Questions per member per day at ordinary times (default 0.025).
    pub ordinary_question_rate: f64,
    /// Mean minutes until the seller answers an ad-hoc question (default 150).
    pub adhoc_response_minutes: f64,
    /// Mean minutes an ad-hoc asker keeps waiting (default 100).
    pub adhoc_patience_minutes: f64,
    /// Share of questions about usage, price or quality, i.e. close to a purchase (default 0.6).
    pub purchase_questions: f64,
    /// Answer style (default plain).
    pub answer_style: AnswerStyle,
    /// Discount offered in "solution + case + discount" answers (default 5).
    pub answer_discount: f64,
    /// Social-proof strength of the buyer's case in a "solution + case + discount" answer
    /// (default 1.5, calibrated).
    pub case_strength: f64,
    /// Engagement an asker gains when the question is resolved (default 0.1).
    pub answer_engagement: f64,
    /// Satisfaction a resolved question raises the asker to, at least (default 0.8; a good
    /// order leaves 0.5): a buyer's repeat orders follow it.
    pub answer_satisfaction: f64,
    /// Intent (log-odds) a resolved ad-hoc purchase question leaves when the asker does not
    /// order on the answer (default 0.3).
    pub adhoc_answer_intent: f64,
    /// Intent (log-odds) an unresolved question adds (default −0.5): unanswered members drift
    /// away.
    pub unresolved_intent: f64,
    /// Engagement an unresolved question adds (default −0.1).
    pub unresolved_engagement: f64,
    /// Pre-collection 24 h before each session (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precollect: Option<PreCollection>,
    /// Warm-up red packet 5 minutes before each session, total amount (default 0: none).
    pub warmup_total: f64,
    /// Warm-up packets (default 10).
    pub warmup_packets: u32,
    /// Engagement a warm-up claimer gains (default 0.05).
    pub warmup_engagement: f64,
    /// Intent (log-odds) a warm-up claimer gains (default 0.3).
    pub warmup_intent: f64,
    /// Time-limited coupon pushed in the core phase to members online (default 0: none).
    pub core_coupon: f64,
    /// Minutes the core coupon stays valid (default 30).
    pub core_coupon_minutes: f64,
    /// Same-day discount pushed in the closing phase (default 0: none).
    pub closing_discount: f64,
    /// Agent wage per hour, paid for the session plus 15 minutes of preparation (default 40).
    pub wage_per_hour: f64,
}

impl Default for Qa {
    fn default() -> Self {
        Qa {
            enabled: true,
            mode: QaMode::Adhoc,
            schedule: Schedule {
                time: TimeOfDay(20 * 60),
                weekdays: vec![Weekday::Wednesday, Weekday::Saturday],
                every_days: 0,
                start_day: 0,
            },
            session_minutes: 40,
            members_per_agent: 150.0,
            answer_minutes: 2.0,
            session_question_rate: 0.1,
            session_patience_minutes: 18.25,
            satisfied_within_minutes: 10.0,
            ordinary_question_rate: 0.025,
            adhoc_response_minutes: 150.0,
            adhoc_patience_minutes: 100.0,
            purchase_questions: 0.6,
            answer_style: AnswerStyle::Plain,
            answer_discount: 5.0,
            case_strength: 1.5,
            answer_engagement: 0.1,
            answer_satisfaction: 0.8,
            adhoc_answer_intent: 0.3,
            unresolved_intent: -0.5,
            unresolved_engagement: -0.1,
            precollect: None,
            warmup_total: 0.0,
            warmup_packets: 10,
            warmup_engagement: 0.05,
            warmup_intent: 0.3,
            core_coupon: 0.0,
            core_coupon_minutes: 30.0,
            closing_discount: 0.0,
            wage_per_hour: 40.0,
        }
    }
}

impl Check for Qa {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let Qa {
            enabled: _,
            mode,
            schedule,
            session_minutes,
            members_per_agent,
            answer_minutes,
            session_question_rate,
            session_patience_minutes,
            satisfied_within_minutes,
            ordinary_question_rate,
            adhoc_response_minutes,
            adhoc_patience_minutes,
            purchase_questions,
            answer_style: _,
            answer_discount,
            case_strength,
            answer_engagement,
            answer_satisfaction,
            adhoc_answer_intent,
            unresolved_intent,
            unresolved_engagement,
            precollect,
            warmup_total,
            warmup_packets,
            warmup_engagement,
            warmup_intent,
            core_coupon,
            core_coupon_minutes,
            closing_discount,
            wage_per_hour,
        } = self;
        c.needs_groups(base);
        if *mode == QaMode::Dedicated {
            c.check("schedule", schedule, base);
            let end = schedule.time.minute() + *session_minutes;
            if *session_minutes == 0 || end > 24 * 60 {
                c.push(
                "session_minutes",
                format!(
                    "{} minutes from {}: a session must last at least 1 minute and end by midnight",
                    *session_minutes,
                    String::from(schedule.time)
                ),
            );
            }
            if *warmup_total > 0.0 && schedule.time.minute() < 5 {
                c.push(
                    "schedule.time",
                    "a warm-up packet 5 minutes before needs a start at 00:05 or later",
                );
            }
        }
        c.positive("members_per_agent", *members_per_agent);
        c.positive("answer_minutes", *answer_minutes);
        c.non_negative("session_question_rate", *session_question_rate);
        c.positive("session_patience_minutes", *session_patience_minutes);
        c.positive("satisfied_within_minutes", *satisfied_within_minutes);
        c.prob("ordinary_question_rate", *ordinary_question_rate);
        c.positive("adhoc_response_minutes", *adhoc_response_minutes);
        c.positive("adhoc_patience_minutes", *adhoc_patience_minutes);
        c.prob("purchase_questions", *purchase_questions);
        for (k, v) in [
            ("answer_discount", *answer_discount),
            ("core_coupon", *core_coupon),
            ("closing_discount", *closing_discount),
        ] {
            c.non_negative(k, v);
            if v >= base.product.price {
                c.push(
                    k,
                    format!(
                        "{v} is not below the price {}: allowed 0 to less than the price",
                        base.product.price
                    ),
                );
            }
        }
        c.positive("core_coupon_minutes", *core_coupon_minutes);
        c.range("case_strength", *case_strength, -5.0, 5.0);
        c.range("answer_engagement", *answer_engagement, -1.0, 1.0);
        c.prob("answer_satisfaction", *answer_satisfaction);
        c.log_odds("adhoc_answer_intent", *adhoc_answer_intent);
        c.log_odds("unresolved_intent", *unresolved_intent);
        c.range("unresolved_engagement", *unresolved_engagement, -1.0, 1.0);
        c.range("warmup_engagement", *warmup_engagement, -1.0, 1.0);
        c.log_odds("warmup_intent", *warmup_intent);
        c.non_negative("warmup_total", *warmup_total);
        if *warmup_total > 0.0
            && (*warmup_packets == 0 || *warmup_total / (*warmup_packets as f64) < 0.01)
        {
            c.push(
                "warmup_packets",
                format!("{} packets cannot split {}", *warmup_packets, *warmup_total),
            );
        }
        c.non_negative("wage_per_hour", *wage_per_hour);
        if let Some(pc) = precollect {
            c.check("precollect", pc, base);
            if *mode != QaMode::Dedicated {
                c.push(
                    "precollect",
                    "pre-collection feeds a dedicated session: it needs mode = \"dedicated\"",
                );
            }
        }
    }
}

impl Check for PreCollection {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let PreCollection { rate, coupon } = self;
        c.prob("rate", *rate);
        c.non_negative("coupon", *coupon);
    }
}
