use crate::settings::{Schedule, TimeOfDay, Weekday, settings};
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

settings! {
    /// Questions collected 24 h before a session, with a small coupon for submitting.
    pub struct PreCollection {
        /// Probability that a member submits a question the day before (default 0.03).
        rate: f64 = 0.03 => prob,
        /// Coupon for submitting, usable on the answer (default 3).
        coupon: f64 = 3.0 => money,
    }
}

settings! {
    /// Q&A in the chat groups (docs/field-figures.md §2.5): ad-hoc answers, or dedicated sessions.
    pub struct Qa {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// Ad-hoc only, or dedicated sessions (default adhoc).
        mode: QaMode = QaMode::Adhoc => any,
        /// When dedicated sessions start (default 20:00 on Wednesdays and Saturdays).
        schedule: Schedule = Schedule::weekly(20, 0, &[Weekday::Wednesday, Weekday::Saturday])
            => custom,
        /// Session length in minutes (default 40).
        session_minutes: u32 = 40 => custom,
        /// Online members per answering agent, 1 to 10,000 (default 150): a session is
        /// staffed with `ceil(online / members_per_agent)` agents, at least one.
        members_per_agent: f64 = 150.0 => range(1.0, 10_000.0),
        /// Mean minutes an agent needs per question (default 2).
        answer_minutes: f64 = 2.0 => positive,
        /// Questions per online member per hour during a session (default 0.1).
        session_question_rate: f64 = 0.1 => non_negative,
        /// Mean minutes a session asker waits for an answer to start before giving up (default
        /// 18.25, calibrated).
        session_patience_minutes: f64 = 18.25 => positive,
        /// An answer within this many minutes of asking satisfies the asker (default 10).
        satisfied_within_minutes: f64 = 10.0 => positive,
        /// Questions per member per day at ordinary times (default 0.025), asked uniformly
        /// between `adhoc_from` and `adhoc_until`.
        ordinary_question_rate: f64 = 0.025 => prob,
        /// When members start asking ordinary questions (default "09:00").
        adhoc_from: TimeOfDay = TimeOfDay(9 * 60) => custom,
        /// When members stop asking ordinary questions (default "23:00").
        adhoc_until: TimeOfDay = TimeOfDay(23 * 60) => custom,
        /// Mean minutes until the seller answers an ad-hoc question (default 150).
        adhoc_response_minutes: f64 = 150.0 => positive,
        /// Mean minutes an ad-hoc asker keeps waiting (default 100).
        adhoc_patience_minutes: f64 = 100.0 => positive,
        /// Staff minutes spent on each ad-hoc question (reading it, looking up the answer,
        /// typing it), paid at `wage_per_hour` (default 3; a judgement: the check of an
        /// order proof by hand, `order_proofs.check_minutes`, is also 3).
        adhoc_answer_minutes: f64 = 3.0 => range(0.0, 600.0),
        /// Share of questions about usage, price or quality, i.e. close to a purchase (default 0.6).
        purchase_questions: f64 = 0.6 => prob,
        /// Answer style (default plain).
        answer_style: AnswerStyle = AnswerStyle::Plain => any,
        /// Discount offered in "solution + case + discount" answers (default 5).
        answer_discount: f64 = 5.0 => below_price,
        /// Social-proof strength of the buyer's case in a "solution + case + discount" answer
        /// (default 1.5, calibrated).
        case_strength: f64 = 1.5 => range(-5.0, 5.0),
        /// Engagement an asker gains when the question is resolved (default 0.1).
        answer_engagement: f64 = 0.1 => range(-1.0, 1.0),
        /// Satisfaction a resolved question raises the asker to, at least (default 0.8; a good
        /// order leaves 0.5): a buyer's repeat orders follow it.
        answer_satisfaction: f64 = 0.8 => prob,
        /// Intent (log-odds) a resolved ad-hoc purchase question leaves when the asker does not
        /// order on the answer (default 0.3).
        adhoc_answer_intent: f64 = 0.3 => log_odds,
        /// Intent (log-odds) an unresolved question adds (default −0.5): unanswered members drift
        /// away.
        unresolved_intent: f64 = -0.5 => log_odds,
        /// Engagement an unresolved question adds (default −0.1).
        unresolved_engagement: f64 = -0.1 => range(-1.0, 1.0),
        /// Pre-collection 24 h before each session (absent: none).
        #[serde(skip_serializing_if = "Option::is_none")]
        precollect: Option<PreCollection> = None => nested,
        /// Warm-up red packet 5 minutes before each session, total amount (default 0: none).
        warmup_total: f64 = 0.0 => money,
        /// Warm-up packets (default 10).
        warmup_packets: u32 = 10 => custom,
        /// Engagement a warm-up claimer gains (default 0.05).
        warmup_engagement: f64 = 0.05 => range(-1.0, 1.0),
        /// Intent (log-odds) a warm-up claimer gains (default 0.3).
        warmup_intent: f64 = 0.3 => log_odds,
        /// Time-limited coupon pushed in the core phase to members online (default 0: none).
        core_coupon: f64 = 0.0 => below_price,
        /// Minutes the core coupon stays valid (default 30).
        core_coupon_minutes: f64 = 30.0 => positive,
        /// Same-day discount pushed in the closing phase (default 0: none).
        closing_discount: f64 = 0.0 => below_price,
        /// Agent wage per hour, paid for the session plus 15 minutes of preparation, and for
        /// the minutes spent on ad-hoc answers (default 40).
        wage_per_hour: f64 = 40.0 => money,
    }
    check(self, base, c) {
        c.needs_groups(base);
        c.day_hours(
            ("adhoc_from", self.adhoc_from),
            ("adhoc_until", self.adhoc_until),
            "asking hours",
        );
        let dedicated = self.mode == QaMode::Dedicated;
        if dedicated {
            let time = self.schedule.time;
            c.check("schedule", &self.schedule, base);
            let end = time.minute() + self.session_minutes;
            if self.session_minutes == 0 || end > 24 * 60 {
                c.push(
                    "session_minutes",
                    format!(
                        "{} minutes from {}: a session must last at least 1 minute and end by midnight",
                        self.session_minutes,
                        String::from(time)
                    ),
                );
            }
            if self.warmup_total > 0.0 && time.minute() < 5 {
                c.push(
                    "schedule.time",
                    "a warm-up packet 5 minutes before needs a start at 00:05 or later",
                );
            }
        }
        let (total, packets) = (self.warmup_total, self.warmup_packets);
        if total > 0.0 && (packets == 0 || total / f64::from(packets) < 0.01) {
            c.push(
                "warmup_packets",
                format!("{packets} packets cannot split {total}"),
            );
        }
        if self.precollect.is_some() && !dedicated {
            c.push(
                "precollect",
                "pre-collection feeds a dedicated session: it needs mode = \"dedicated\"",
            );
        }
    }
}
