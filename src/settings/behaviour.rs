//! Behavioural coefficients shared by every mechanism.

use super::{Base, Check, Checker};
use serde::{Deserialize, Serialize};

/// Behavioural coefficients shared by every mechanism.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Organic (Bass) demand.
    pub organic: Organic,
    /// The purchase decision's weights.
    pub decision: Decision,
    /// Base log-odds of buying per exposure channel.
    pub channels: Channels,
    /// Intent left by an exposure that did not convert.
    pub intent: Intent,
    /// Social proof from reviews.
    pub social_proof: SocialProof,
    /// Repeat purchases (BG/NBD, or the daily model).
    pub repurchase: Repurchase,
    /// How satisfaction shifts repurchase.
    pub satisfaction: Satisfaction,
    /// When buyers are online.
    pub activity: Activity,
    /// Chat-group members' engagement, attention and leaving.
    pub group_life: GroupLife,
}

/// Chat-group life: engagement `e ∈ [0, 1]` decays with a half-life and is raised by
/// interactions; a member leaves the group at daily hazard `leave_rate · (1 − e)`; a member
/// below `silent_below` counts as silent. An online member notices group activity with
/// probability `notice_base + (1 − notice_base)·e`, and after claiming a packet keeps looking
/// at the chat with probability `exp(−minutes / attention_minutes)`. A member racing for a
/// red packet claims at a speed proportional to `claim_speed_floor + e`: it needs
/// `Exp(mean / (claim_speed_floor + e))` seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GroupLife {
    /// Engagement of every member on day 0 (default 0.5).
    pub initial_engagement: f64,
    /// Half-life of engagement without interaction, days (default 10).
    pub half_life_days: f64,
    /// Daily leaving hazard of a member with engagement 0 (default 0.004).
    pub leave_rate: f64,
    /// Engagement below which a member counts as silent (default 0.1).
    pub silent_below: f64,
    /// Probability that an online member of engagement 0 notices group activity (default 0.3).
    pub notice_base: f64,
    /// Mean minutes a member keeps looking at the chat after an interaction (default 7,
    /// calibrated).
    pub attention_minutes: f64,
    /// Claim speed of a member of engagement 0 in a red-packet race, relative to the `+ e`
    /// that engagement adds (default 0.2): a fully engaged member claims `(0.2 + 1) / 0.2 = 6`
    /// times faster than a member of engagement 0.
    pub claim_speed_floor: f64,
}

impl Default for GroupLife {
    fn default() -> Self {
        GroupLife {
            initial_engagement: 0.5,
            half_life_days: 10.0,
            leave_rate: 0.004,
            silent_below: 0.1,
            notice_base: 0.3,
            attention_minutes: 7.0,
            claim_speed_floor: 0.2,
        }
    }
}

/// Organic demand: the discrete Bass model per mixing pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Organic {
    /// Daily innovation probability `p` (default 0.0003).
    pub bass_p: f64,
    /// Daily imitation coefficient `q` on the share of the pool that has bought (default 0.01).
    pub bass_q: f64,
}

impl Default for Organic {
    fn default() -> Self {
        Organic {
            bass_p: 0.0003,
            bass_q: 0.01,
        }
    }
}

/// Weights of the purchase decision
/// `P = attention · σ(base + intent + w_sp·s·SP − w_price·π·ln(price/ref) + w_inc·incentive/price)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Decision {
    /// Weight of social proof, per unit of susceptibility (default 1.0).
    pub w_social_proof: f64,
    /// Weight of the log price index, per unit of price sensitivity (default 1.0).
    pub w_price: f64,
    /// Weight of an incentive's value relative to price (default 3.0).
    pub w_incentive: f64,
    /// Reference price of the category (default: the product's price, index 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_price: Option<f64>,
    /// Intent (log-odds) a coupon in hand adds, per unit of `w_incentive · value / price`
    /// (default 0.25): holding a coupon pulls toward a first order while the intent lasts.
    pub coupon_pull: f64,
    /// Minutes a typical purchase decision takes (default 10): a coupon valid for `v`
    /// minutes leaves the product page attention `1 − exp(−v / decision_minutes)`.
    pub decision_minutes: f64,
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            w_social_proof: 1.0,
            w_price: 1.0,
            w_incentive: 3.0,
            reference_price: None,
            coupon_pull: 0.25,
            decision_minutes: 10.0,
        }
    }
}

/// Base log-odds of buying on an attentive exposure, per channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Channels {
    /// A review seen in a followed blogger's feed (default −1.5).
    pub feed: f64,
    /// A review seen in the discovery tab by a non-follower (default −2.5).
    pub discovery: f64,
    /// A product link opened from a chat group (default −3.5625, calibrated).
    pub link: f64,
    /// Clicking a promotion pushed into a chat group (default −2.75, calibrated).
    pub push: f64,
    /// A question about the product answered in a chat group (default −5.25, calibrated).
    pub answer: f64,
    /// Shift for an existing buyer offered an extra order (a push, a coupon, a flash sale):
    /// added to the channel's base; it knows the product but has just bought
    /// (default −1.0).
    pub repeat_shift: f64,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            feed: -1.5,
            discovery: -2.5,
            link: -3.5625,
            push: -2.75,
            answer: -5.25,
            repeat_shift: -1.0,
        }
    }
}

/// Intent: a log-odds offset left by an exposure that did not convert; it decays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Intent {
    /// Half-life of intent, in days (default 3).
    pub half_life_days: f64,
    /// Log-odds added per unit of exposure strength × attention (default 0.8).
    pub gain: f64,
    /// Below this magnitude intent counts as zero and the buyer returns to the
    /// organic fast path (default 0.02).
    pub floor: f64,
}

impl Default for Intent {
    fn default() -> Self {
        Intent {
            half_life_days: 3.0,
            gain: 0.8,
            floor: 0.02,
        }
    }
}

/// Social proof on the product card: `SP = mean_sentiment · (1 − exp(−n / saturation_reviews))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SocialProof {
    /// Reviews at which social proof reaches 63% of its ceiling (default 8).
    pub saturation_reviews: f64,
    /// Log-odds penalty on purchases from macro bloggers' posts, seen as less authentic
    /// (default 0.5).
    pub macro_trust_penalty: f64,
}

impl Default for SocialProof {
    fn default() -> Self {
        SocialProof {
            saturation_reviews: 8.0,
            macro_trust_penalty: 0.5,
        }
    }
}

/// Which process drives repeat purchases after a buyer's first order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RepurchaseModel {
    /// BG/NBD in continuous time (the default): orders arrive as a Poisson process of rate
    /// `λ ~ Gamma(r, α)`, dropout after each repeat order with `p ~ Beta(a, b)`.
    #[default]
    Bgnbd,
    /// A daily coin: from the day after its first order, a buyer orders again on each day
    /// with probability `r_i` (at most one repeat order a day), and drops out after each
    /// repeat order with probability `daily_dropout`.
    Daily,
}

/// Repeat purchases after the first order.
///
/// `model = "bgnbd"` (default): BG/NBD (Fader, Hardie & Lee 2005), purchase rate
/// `λ ~ Gamma(r, α)` per day, dropout after each repeat purchase with `p ~ Beta(a, b)`.
///
/// `model = "daily"`: a discrete daily process. A buyer whose first order fell on day `t`
/// orders again on each day `t+1, t+2, …` with probability `r_i`; `r_i = daily_probability`
/// for everyone, or, when `daily_probability_shape = k` is set,
/// `r_i = min(1, daily_probability · Gamma(k, 1/k))` drawn once per buyer and trial (mean
/// `daily_probability` before the clamp). After each repeat order the buyer drops out for
/// good with probability `daily_dropout` (default 0). `r`, `alpha`, `a`, `b` are not used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Repurchase {
    /// Repeat-purchase process: `"bgnbd"` (default) or `"daily"`.
    pub model: RepurchaseModel,
    /// BG/NBD Gamma shape `r` (default 0.5).
    pub r: f64,
    /// BG/NBD Gamma rate `α` in days (default 30; mean rate `r/α` = one order per 60 days).
    pub alpha: f64,
    /// BG/NBD Beta `a` of the dropout probability (default 1.2).
    pub a: f64,
    /// BG/NBD Beta `b` of the dropout probability (default 3.5).
    pub b: f64,
    /// Days past the horizon counted in customer lifetime value (default 365).
    pub clv_days: f64,
    /// Daily repeat-order probability `r` of the daily model, in [0, 1] (required when
    /// `model = "daily"`, rejected otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_probability: Option<f64>,
    /// Gamma shape of the buyers' daily probabilities (daily model; absent: everyone has
    /// `daily_probability`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_probability_shape: Option<f64>,
    /// Probability of dropping out for good after each repeat order (daily model; default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_dropout: Option<f64>,
}

impl Default for Repurchase {
    fn default() -> Self {
        Repurchase {
            model: RepurchaseModel::Bgnbd,
            r: 0.5,
            alpha: 30.0,
            a: 1.2,
            b: 3.5,
            clv_days: 365.0,
            daily_probability: None,
            daily_probability_shape: None,
            daily_dropout: None,
        }
    }
}

/// Satisfaction `s` in [0, 1] (0.5 after a good order, 0 after a defective one) scales
/// repurchase: `λ' = λ·exp(rate_effect·(2s − 1))`, `p' = min(1, p·exp(−dropout_effect·(2s − 1)))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Satisfaction {
    /// Effect of satisfaction on the purchase rate (default 0.7).
    pub rate_effect: f64,
    /// Effect of satisfaction on the dropout probability (default 0.7).
    pub dropout_effect: f64,
}

impl Default for Satisfaction {
    fn default() -> Self {
        Satisfaction {
            rate_effect: 0.7,
            dropout_effect: 0.7,
        }
    }
}

/// When buyers are online: `P(online) = min(1, activity · hourly[h] · weekday[d])`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Activity {
    /// Hour-of-day multipliers, 24 values from 00:00 (default: lunch bump at 12:00,
    /// evening peak 20:00–21:59).
    pub hourly: Vec<f64>,
    /// Weekday multipliers, Monday first, 7 values (default: slightly busier weekends).
    pub weekday: Vec<f64>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            hourly: vec![
                0.10, 0.05, 0.03, 0.02, 0.02, 0.03, 0.10, 0.30, 0.45, 0.50, 0.50, 0.60, 0.85, 0.75,
                0.50, 0.45, 0.45, 0.50, 0.60, 0.85, 1.30, 1.30, 0.90, 0.40,
            ],
            weekday: vec![1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05],
        }
    }
}

impl Check for Behaviour {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let Behaviour {
            organic,
            decision,
            channels,
            intent,
            social_proof,
            repurchase,
            satisfaction,
            activity,
            group_life,
        } = self;
        c.check("organic", organic, base);
        c.check("decision", decision, base);
        c.check("channels", channels, base);
        c.check("intent", intent, base);
        c.check("social_proof", social_proof, base);
        c.check("repurchase", repurchase, base);
        c.check("satisfaction", satisfaction, base);
        c.check("activity", activity, base);
        c.check("group_life", group_life, base);
    }
}

impl Check for Organic {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Organic { bass_p, bass_q } = self;
        c.prob("bass_p", *bass_p);
        c.prob("bass_q", *bass_q);
        if bass_p + bass_q > 1.0 {
            c.push(
                "bass_q",
                format!(
                    "bass_p + bass_q = {} exceeds 1: the daily adoption probability p + q·F must stay a probability",
                    bass_p + bass_q
                ),
            );
        }
    }
}

impl Check for Decision {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Decision {
            w_social_proof,
            w_price,
            w_incentive,
            reference_price,
            coupon_pull,
            decision_minutes,
        } = self;
        c.range("w_social_proof", *w_social_proof, -20.0, 20.0);
        c.range("w_price", *w_price, -20.0, 20.0);
        c.range("w_incentive", *w_incentive, -50.0, 50.0);
        if let Some(r) = reference_price {
            c.positive("reference_price", *r);
        }
        c.range("coupon_pull", *coupon_pull, 0.0, 10.0);
        if !(*decision_minutes > 0.0 && *decision_minutes <= 1440.0) {
            c.push(
                "decision_minutes",
                format!("{decision_minutes} is out of range: allowed (0, 1440] minutes"),
            );
        }
    }
}

impl Check for Channels {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Channels {
            feed,
            discovery,
            link,
            push,
            answer,
            repeat_shift,
        } = self;
        for (key, v) in [
            ("link", link),
            ("push", push),
            ("answer", answer),
            ("repeat_shift", repeat_shift),
            ("feed", feed),
            ("discovery", discovery),
        ] {
            c.log_odds(key, *v);
        }
    }
}

impl Check for Intent {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Intent {
            half_life_days,
            gain,
            floor,
        } = self;
        c.positive("half_life_days", *half_life_days);
        c.range("gain", *gain, -20.0, 20.0);
        c.positive("floor", *floor);
    }
}

impl Check for SocialProof {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let SocialProof {
            saturation_reviews,
            macro_trust_penalty,
        } = self;
        c.positive("saturation_reviews", *saturation_reviews);
        c.range("macro_trust_penalty", *macro_trust_penalty, -20.0, 20.0);
    }
}

impl Check for Repurchase {
    /// The daily model's keys are required with it and rejected with BG/NBD, so a scenario
    /// never carries parameters that silently do nothing.
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Repurchase {
            model,
            r,
            alpha,
            a,
            b,
            clv_days,
            daily_probability,
            daily_probability_shape,
            daily_dropout,
        } = self;
        c.positive("r", *r);
        c.positive("alpha", *alpha);
        c.positive("a", *a);
        c.positive("b", *b);
        c.non_negative("clv_days", *clv_days);
        let daily = [
            ("daily_probability", daily_probability),
            ("daily_probability_shape", daily_probability_shape),
            ("daily_dropout", daily_dropout),
        ];
        match model {
            RepurchaseModel::Bgnbd => {
                let model_key = c.path("model");
                for (key, v) in daily {
                    if v.is_some() {
                        c.push(
                            key,
                            format!(
                                "only used by the daily model: set `{model_key} = \"daily\"` or remove it (allowed models: \"bgnbd\", \"daily\")"
                            ),
                        );
                    }
                }
            }
            RepurchaseModel::Daily => {
                match daily_probability {
                    Some(p) => c.prob("daily_probability", *p),
                    None => c.push(
                        "daily_probability",
                        "missing: `model = \"daily\"` needs the daily repeat-order probability, a probability in [0, 1]",
                    ),
                }
                if let Some(k) = daily_probability_shape {
                    c.positive("daily_probability_shape", *k);
                }
                if let Some(d) = daily_dropout {
                    c.prob("daily_dropout", *d);
                }
            }
        }
    }
}

impl Check for Satisfaction {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Satisfaction {
            rate_effect,
            dropout_effect,
        } = self;
        c.range("rate_effect", *rate_effect, -10.0, 10.0);
        c.range("dropout_effect", *dropout_effect, -10.0, 10.0);
    }
}

impl Check for Activity {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Activity { hourly, weekday } = self;
        if hourly.len() != 24 {
            c.push(
                "hourly",
                format!(
                    "{} values: allowed exactly 24 (one per hour from 00:00)",
                    hourly.len()
                ),
            );
        }
        if weekday.len() != 7 {
            c.push(
                "weekday",
                format!("{} values: allowed exactly 7 (Monday first)", weekday.len()),
            );
        }
        for (i, v) in hourly.iter().enumerate() {
            c.non_negative(&format!("hourly[{i}]"), *v);
        }
        for (i, v) in weekday.iter().enumerate() {
            c.non_negative(&format!("weekday[{i}]"), *v);
        }
    }
}

impl Check for GroupLife {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let GroupLife {
            initial_engagement,
            half_life_days,
            leave_rate,
            silent_below,
            notice_base,
            attention_minutes,
            claim_speed_floor,
        } = self;
        c.prob("initial_engagement", *initial_engagement);
        c.positive("half_life_days", *half_life_days);
        c.prob("leave_rate", *leave_rate);
        c.prob("silent_below", *silent_below);
        c.prob("notice_base", *notice_base);
        c.positive("attention_minutes", *attention_minutes);
        c.positive("claim_speed_floor", *claim_speed_floor);
    }
}
