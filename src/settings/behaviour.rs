//! Behavioural coefficients shared by every mechanism.

use super::settings;
use serde::{Deserialize, Serialize};

settings! {
    /// Behavioural coefficients shared by every mechanism.
    pub struct Behaviour {
        /// Organic (Bass) demand.
        organic: Organic = Organic::default() => nested,
        /// The purchase decision's weights.
        decision: Decision = Decision::default() => nested,
        /// Base log-odds of buying per exposure channel.
        channels: Channels = Channels::default() => nested,
        /// Intent left by an exposure that did not convert.
        intent: Intent = Intent::default() => nested,
        /// Social proof from reviews.
        social_proof: SocialProof = SocialProof::default() => nested,
        /// Repeat purchases (BG/NBD, or the daily model).
        repurchase: Repurchase = Repurchase::default() => nested,
        /// How satisfaction shifts repurchase.
        satisfaction: Satisfaction = Satisfaction::default() => nested,
        /// When buyers are online.
        activity: Activity = Activity::default() => nested,
        /// Chat-group members' engagement, attention and leaving.
        group_life: GroupLife = GroupLife::default() => nested,
        /// How the purchase opportunities reaching one person share their attention.
        attention: Attention = Attention::default() => nested,
    }
}

settings! {
    /// Attention shared by the purchase opportunities that reach one person.
    ///
    /// Every product-page decision (a link opened, a push clicked, a proof or review
    /// followed) adds one unit to the person's load `L`, which decays with a half-life of
    /// `half_life_hours`. A new opportunity gets the share `min(1, capacity / (1 + L))` of
    /// the attention its channel would get alone: up to `capacity` opportunities close
    /// together are attended in full, more share the same attention (a hyperbolic share of
    /// attention, as a fixed budget split between competing messages). An opportunity that
    /// arrives over capacity also costs a chat-group member
    /// `overload_engagement · (1 − share)` of engagement (muting, skimming, and in the end
    /// leaving: engagement is what keeps members in their group).
    pub struct Attention {
        /// Opportunities within about one half-life attended in full (default 2).
        capacity: f64 = 2.0 => range(0.001, 1e6),
        /// Half-life of an opportunity's claim on attention, hours (default 6).
        half_life_hours: f64 = 6.0 => range(0.01, 8760.0),
        /// Engagement a chat-group member loses per opportunity over capacity, times the share
        /// of attention it could not get (default 0.05).
        overload_engagement: f64 = 0.05 => prob,
    }
}

settings! {
    /// Chat-group life: engagement `e ∈ [0, 1]` decays with a half-life and is raised by
    /// interactions; a member leaves the group at daily hazard `leave_rate · (1 − e)`; a member
    /// below `silent_below` counts as silent. An online member notices group activity with
    /// probability `notice_base + (1 − notice_base)·e`, and after claiming a packet keeps looking
    /// at the chat with probability `exp(−minutes / attention_minutes)`. A member racing for a
    /// red packet claims at a speed proportional to `claim_speed_floor + e`: it needs
    /// `Exp(mean / (claim_speed_floor + e))` seconds.
    pub struct GroupLife {
        /// Engagement of every member on day 0 (default 0.5).
        initial_engagement: f64 = 0.5 => prob,
        /// Half-life of engagement without interaction, days (default 10).
        half_life_days: f64 = 10.0 => positive,
        /// Daily leaving hazard of a member with engagement 0 (default 0.004).
        leave_rate: f64 = 0.004 => prob,
        /// Engagement below which a member counts as silent (default 0.1).
        silent_below: f64 = 0.1 => prob,
        /// Probability that an online member of engagement 0 notices group activity (default 0.3).
        notice_base: f64 = 0.3 => prob,
        /// Mean minutes a member keeps looking at the chat after an interaction (default 7,
        /// calibrated).
        attention_minutes: f64 = 7.0 => positive,
        /// Claim speed of a member of engagement 0 in a red-packet race, relative to the `+ e`
        /// that engagement adds (default 0.2): a fully engaged member claims `(0.2 + 1) / 0.2 = 6`
        /// times faster than a member of engagement 0.
        claim_speed_floor: f64 = 0.2 => positive,
    }
}

settings! {
    /// Organic demand: the discrete Bass model per mixing pool.
    pub struct Organic {
        /// Daily innovation probability `p` (default 0.0003).
        bass_p: f64 = 0.0003 => prob,
        /// Daily imitation coefficient `q` on the share of the pool that has bought (default 0.01).
        bass_q: f64 = 0.01 => prob,
    }
    check(self, _, c) {
        let sum = self.bass_p + self.bass_q;
        if sum > 1.0 {
            c.push(
                "bass_q",
                format!(
                    "bass_p + bass_q = {sum} exceeds 1: the daily adoption probability p + q·F must stay a probability"
                ),
            );
        }
    }
}

settings! {
    /// Weights of the purchase decision
    /// `P = attention · σ(base + intent + w_sp·s·SP − w_price·π·ln(price/ref) + w_inc·incentive/price)`.
    pub struct Decision {
        /// Weight of social proof, per unit of susceptibility (default 1.0).
        w_social_proof: f64 = 1.0 => range(-20.0, 20.0),
        /// Weight of the log price index, per unit of price sensitivity (default 1.0).
        w_price: f64 = 1.0 => range(-20.0, 20.0),
        /// Weight of an incentive's value relative to price (default 3.0).
        w_incentive: f64 = 3.0 => range(-50.0, 50.0),
        /// Reference price of the category (default: the product's price, index 1).
        #[serde(skip_serializing_if = "Option::is_none")]
        reference_price: Option<f64> = None => positive_money,
        /// Intent (log-odds) a coupon in hand adds, per unit of `w_incentive · value / price`
        /// (default 0.25): holding a coupon pulls toward a first order while the intent lasts.
        coupon_pull: f64 = 0.25 => range(0.0, 10.0),
        /// Minutes a typical purchase decision takes (default 10): a coupon valid for `v`
        /// minutes leaves the product page attention `1 − exp(−v / decision_minutes)`.
        decision_minutes: f64 = 10.0 => custom,
    }
    check(self, _, c) {
        let m = self.decision_minutes;
        if !(m > 0.0 && m <= 1440.0) {
            c.push(
                "decision_minutes",
                format!("{m} is out of range: allowed (0, 1440] minutes"),
            );
        }
    }
}

settings! {
    /// Base log-odds of buying on an attentive exposure, per channel.
    pub struct Channels {
        /// A review seen in a followed blogger's feed (default −1.5).
        feed: f64 = -1.5 => log_odds,
        /// A review seen in the discovery tab by a non-follower (default −2.5).
        discovery: f64 = -2.5 => log_odds,
        /// A product link opened from a chat group (default −3.5625, calibrated).
        link: f64 = -3.5625 => log_odds,
        /// Clicking a promotion pushed into a chat group (default −2.75, calibrated).
        push: f64 = -2.75 => log_odds,
        /// A question about the product answered in a chat group (default −5.25, calibrated).
        answer: f64 = -5.25 => log_odds,
        /// Shift for an existing buyer offered an extra order (a push, a coupon, a flash sale):
        /// added to the channel's base; it knows the product but has just bought
        /// (default −1.0).
        repeat_shift: f64 = -1.0 => log_odds,
    }
}

settings! {
    /// Intent: a log-odds offset left by an exposure that did not convert; it decays.
    pub struct Intent {
        /// Half-life of intent, in days (default 3).
        half_life_days: f64 = 3.0 => positive,
        /// Log-odds added per unit of exposure strength × attention (default 0.8).
        gain: f64 = 0.8 => range(-20.0, 20.0),
        /// Below this magnitude intent counts as zero and the buyer returns to the
        /// organic fast path (default 0.02).
        floor: f64 = 0.02 => positive,
        /// Ceiling that intent approaches as exposures accumulate, in log-odds (absent:
        /// none, increments add up): `I' = M − (M − I)·exp(−Δ/M)` for an increment `Δ > 0`.
        #[serde(skip_serializing_if = "Option::is_none")]
        ceiling: Option<f64> = None => positive,
    }
}

settings! {
    /// Social proof on the product card: `SP = mean_sentiment · (1 − exp(−n / saturation_reviews))`.
    pub struct SocialProof {
        /// Reviews at which social proof reaches 63% of its ceiling (default 8).
        saturation_reviews: f64 = 8.0 => positive,
        /// Log-odds penalty on purchases from macro bloggers' posts, seen as less authentic
        /// (default 0.5).
        macro_trust_penalty: f64 = 0.5 => range(-20.0, 20.0),
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
    /// Pareto/NBD in continuous time: orders arrive as a Poisson process of rate
    /// `λ ~ Gamma(r, α)` during an exponential lifetime of rate `μ ~ Gamma(s, β)`.
    #[serde(rename = "paretonbd")]
    ParetoNbd,
}

settings! {
    /// Repeat purchases after the first order.
    ///
    /// `model = "bgnbd"` (default): BG/NBD (Fader, Hardie & Lee 2005), purchase rate
    /// `λ ~ Gamma(r, α)` per day, dropout after each repeat purchase with `p ~ Beta(a, b)`.
    /// `r`, `alpha`, `a` and `b` default to the values of the product's purchase cycle
    /// (`product.repurchase_class`); each one set here overrides its class value.
    ///
    /// `model = "paretonbd"`: Pareto/NBD (Schmittlein, Morrison & Colombo 1987), purchase rate
    /// `λ ~ Gamma(r, α)` per day as for BG/NBD, and a lifetime `Exp(μ)` from the first order
    /// with `μ ~ Gamma(s, β)` per day; `s` and `beta` are required, `a` and `b` are not used.
    /// Satisfaction scales the purchase rate only (a lifetime is drawn once).
    ///
    /// `model = "daily"`: a discrete daily process. A buyer whose first order fell on day `t`
    /// orders again on each day `t+1, t+2, …` with probability `r_i`; `r_i = daily_probability`
    /// for everyone, or, when `daily_probability_shape = k` is set,
    /// `r_i = min(1, daily_probability · Gamma(k, 1/k))` drawn once per buyer and trial (mean
    /// `daily_probability` before the clamp). After each repeat order the buyer drops out for
    /// good with probability `daily_dropout` (default 0). `r`, `alpha`, `a`, `b` are not used.
    pub struct Repurchase {
        /// Repeat-purchase process: `"bgnbd"` (default), `"paretonbd"` or `"daily"`.
        model: RepurchaseModel = RepurchaseModel::Bgnbd => any,
        /// BG/NBD Gamma shape `r`, 0.001 to 1,000 (default: from `product.repurchase_class`;
        /// "cdnow" 0.243).
        r: f64 = super::RepurchaseClass::Cdnow.bgnbd().r => range(0.001, 1000.0),
        /// BG/NBD Gamma rate `α` in days, 0.001 to 10⁶ (default: from
        /// `product.repurchase_class`; "cdnow" 30.898, i.e. 4.414 weeks; mean rate `r/α`, at
        /// most 10 orders a day).
        alpha: f64 = super::RepurchaseClass::Cdnow.bgnbd().alpha => range(0.001, 1e6),
        /// BG/NBD Beta `a` of the dropout probability, 0.001 to 1,000 (default: from
        /// `product.repurchase_class`; "cdnow" 0.793).
        a: f64 = super::RepurchaseClass::Cdnow.bgnbd().a => range(0.001, 1000.0),
        /// BG/NBD Beta `b` of the dropout probability, 0.001 to 1,000 (default: from
        /// `product.repurchase_class`; "cdnow" 2.426).
        b: f64 = super::RepurchaseClass::Cdnow.bgnbd().b => range(0.001, 1000.0),
        /// Pareto/NBD Gamma shape `s` of the dropout rate, 0.001 to 1,000 (required when
        /// `model = "paretonbd"`, rejected otherwise).
        #[serde(skip_serializing_if = "Option::is_none")]
        s: Option<f64> = None => custom,
        /// Pareto/NBD Gamma rate `β` of the dropout rate, in days, 0.001 to 10⁶ (mean lifetime
        /// `β/(s−1)` days for `s > 1`; required when `model = "paretonbd"`, rejected
        /// otherwise).
        #[serde(skip_serializing_if = "Option::is_none")]
        beta: Option<f64> = None => custom,
        /// Days past the horizon counted in customer lifetime value (default 365).
        clv_days: f64 = 365.0 => non_negative,
        /// Daily repeat-order probability `r` of the daily model, in [0, 1] (required when
        /// `model = "daily"`, rejected otherwise).
        #[serde(skip_serializing_if = "Option::is_none")]
        daily_probability: Option<f64> = None => custom,
        /// Gamma shape of the buyers' daily probabilities, 0.001 to 10¹² (daily model;
        /// absent: everyone has `daily_probability`).
        #[serde(skip_serializing_if = "Option::is_none")]
        daily_probability_shape: Option<f64> = None => custom,
        /// Probability of dropping out for good after each repeat order (daily model; default 0).
        #[serde(skip_serializing_if = "Option::is_none")]
        daily_dropout: Option<f64> = None => custom,
    }
    // Each model's own keys are required with it and rejected with the others, so a
    // scenario never carries parameters that silently do nothing.
    check(self, _, c) {
        let model_key = c.path("model");
        let allowed = "allowed models: \"bgnbd\", \"paretonbd\", \"daily\"";
        let (needs, name): (&[&str], &str) = match self.model {
            RepurchaseModel::Bgnbd => (&[], "bgnbd"),
            RepurchaseModel::ParetoNbd => (&["s", "beta"], "paretonbd"),
            RepurchaseModel::Daily => (&["daily_probability"], "daily"),
        };
        for (key, v, owner) in [
            ("s", self.s, "paretonbd"),
            ("beta", self.beta, "paretonbd"),
            ("daily_probability", self.daily_probability, "daily"),
            ("daily_probability_shape", self.daily_probability_shape, "daily"),
            ("daily_dropout", self.daily_dropout, "daily"),
        ] {
            if v.is_some() && owner != name {
                c.push(
                    key,
                    format!(
                        "only used by the {owner} model: set `{model_key} = \"{owner}\"` or remove it ({allowed})"
                    ),
                );
            } else if v.is_none() && needs.contains(&key) {
                c.push(
                    key,
                    format!("missing: `{model_key} = \"{name}\"` needs it ({})", match key {
                        "s" => "the Gamma shape of the dropout rate, 0.001 to 1,000",
                        "beta" => "the Gamma rate of the dropout rate in days, 0.001 to 10⁶",
                        _ => "the daily repeat-order probability, a probability in [0, 1]",
                    }),
                );
            }
        }
        if self.model != RepurchaseModel::Daily {
            let rate = self.r / self.alpha;
            if rate > crate::limits::MAX_PURCHASE_RATE {
                c.push(
                    "alpha",
                    format!(
                        "the mean purchase rate r / alpha = {} / {} = {} orders a day is out of range: allowed at most {} (alpha is in days)",
                        super::check::show(self.r),
                        super::check::show(self.alpha),
                        super::check::show(rate),
                        super::check::show(crate::limits::MAX_PURCHASE_RATE)
                    ),
                );
            }
        }
        if let Some(s) = self.s {
            c.range("s", s, 0.001, 1000.0);
        }
        if let Some(b) = self.beta {
            c.range("beta", b, 0.001, 1e6);
        }
        if let Some(p) = self.daily_probability {
            c.prob("daily_probability", p);
        }
        if let Some(k) = self.daily_probability_shape {
            c.range("daily_probability_shape", k, 0.001, 1e12);
        }
        if let Some(d) = self.daily_dropout {
            c.prob("daily_dropout", d);
        }
    }
}

settings! {
    /// Satisfaction `s` in [0, 1] (0.5 after a good order, 0 after a defective one) scales
    /// repurchase: `λ' = λ·exp(rate_effect·(2s − 1))`, `p' = min(1, p·exp(−dropout_effect·(2s − 1)))`.
    /// A buyer's engagement with a chat group raises it (`from_engagement`): the group keeps
    /// its buyers buying.
    pub struct Satisfaction {
        /// Effect of satisfaction on the purchase rate (default 0.7).
        rate_effect: f64 = 0.7 => range(-10.0, 10.0),
        /// Effect of satisfaction on the dropout probability (default 0.7).
        dropout_effect: f64 = 0.7 => range(-10.0, 10.0),
        /// Satisfaction a buyer gains per unit of chat-group engagement gained (a packet
        /// claimed, a vote cast, a reaction, an answer): `s += from_engagement · Δe · (1 − s)`
        /// (default 0.5; a judgement, see docs/field-figures.md "Retention").
        from_engagement: f64 = 0.5 => range(0.0, 10.0),
    }
}

/// Default hour-of-day activity: a lunch bump at 12:00, the evening peak 20:00–21:59
/// (evidence and judgements: docs/field-figures.md, "Activity by hour and weekday").
const HOURLY: [f64; 24] = [
    0.10, 0.05, 0.03, 0.02, 0.02, 0.03, 0.10, 0.30, 0.45, 0.50, 0.50, 0.60, 0.85, 0.75, 0.50, 0.45,
    0.45, 0.50, 0.60, 0.85, 1.30, 1.30, 0.90, 0.40,
];

/// Default weekday activity, Monday first: slightly busier weekends.
const WEEKDAY: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05];

settings! {
    /// When buyers are online: `P(online) = min(1, activity · hourly[h] · weekday[d])`.
    pub struct Activity {
        /// Hour-of-day multipliers, 24 values from 00:00 (default: lunch bump at 12:00,
        /// evening peak 20:00–21:59).
        hourly: Vec<f64> = HOURLY.to_vec() => non_negative,
        /// Weekday multipliers, Monday first, 7 values (default: slightly busier weekends).
        weekday: Vec<f64> = WEEKDAY.to_vec() => non_negative,
    }
    check(self, _, c) {
        for (key, values, len, what) in [
            ("hourly", &self.hourly, 24, "one per hour from 00:00"),
            ("weekday", &self.weekday, 7, "Monday first"),
        ] {
            if values.len() != len {
                c.push(
                    key,
                    format!("{} values: allowed exactly {len} ({what})", values.len()),
                );
            }
        }
    }
}
