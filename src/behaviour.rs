//! One behaviour model, shared by every mechanism.
//!
//! ## Organic demand: discrete Bass per mixing pool
//! Each day a non-buyer `i` in pool `g` buys with probability
//!
//! ```text
//! h_i = p_i + q·F_g                                   (no social proof, no intent)
//! h_i = σ( logit(p_i + q·F_g) + w_sp·s_i·ΔSP + I_i )  (otherwise)
//! ```
//!
//! where `F_g` is the share of the pool that had bought at the start of the day, `s_i` the
//! buyer's social-proof susceptibility, `ΔSP` the change of the product card's social proof
//! since the campaign started, and `I_i` the buyer's current intent. With every mechanism off,
//! `ΔSP = I_i = 0` and `p_i = p`: exactly the discrete Bass model (Bass 1969), whose mean
//! follows `F(t+1) = F(t) + (1 − F(t))(p + q·F(t))` up to a finite-population term of order
//! `q·Var(F)`.
//!
//! ## Exposures: one purchase decision
//! A mechanism's exposure (a review in a feed, a coupon pushed after a packet claim, …) is a
//! purchase opportunity:
//!
//! ```text
//! P(buy) = attention · σ( base_channel + I_i + w_sp·s_i·(ΔSP + strength)
//!                         − w_price·π_i·ln(price / reference_price)
//!                         + w_inc·incentive / price )
//! ```
//!
//! An exposure that does not convert leaves intent `I_i += gain·strength·attention`, which
//! decays with a half-life; while `|I_i| >= floor` the buyer is evaluated individually by the
//! organic step (its hazard includes the intent), and otherwise joins the pool's fast path.
//! With several sources on one day, `P(no purchase)` multiplies across them.
//!
//! With `behaviour.intent.ceiling = M` set, increments saturate: `I' = M − (M − I)·exp(−Δ/M)`
//! ([`BehaviourParams::intent_plus`]); without it (the default) they add up.
//!
//! ## Attention: opportunities compete
//! `attention` above is what the channel gives an exposure on its own. A person met by
//! many opportunities close together cannot give each the same attention: every
//! product-page decision adds one unit to the person's load `L`, which decays
//! exponentially (half-life `behaviour.attention.half_life_hours`, default 6 h), and a new
//! opportunity gets the share
//!
//! ```text
//! a = min(1, C / (1 + L))          C = behaviour.attention.capacity (default 2)
//! ```
//!
//! of its channel's attention. Up to `C` opportunities within a few hours are attended in
//! full; beyond, a fixed budget is split between them, so the k-th of a burst has roughly
//! `C / k` and a burst's total attention grows like `C · ln k`, not `k`: combined
//! mechanisms have diminishing returns (a hyperbolic share of attention, the form of a
//! fixed budget divided among competing messages; Simon 1971 on attention as the scarce
//! resource, and the diminishing returns of repeated exposures in advertising response,
//! Little 1979). Overload has a price: a chat-group member reached over capacity loses
//! `overload_engagement · (1 − a)` engagement, and lower engagement means noticing less and
//! leaving sooner. Opportunities within one mechanism's ordinary rhythm (a drop a day, an
//! evening's proofs) stay under capacity, so each mechanism's own calibration is kept; the
//! share bites where mechanisms pile up.
//!
//! ## Retention: engagement keeps buyers buying
//! A buyer's engagement with a chat group (a packet claimed, a vote cast, a reaction, an
//! answer) raises satisfaction: `s ← s + k·Δe·(1 − s)` with `k =
//! behaviour.satisfaction.from_engagement` (default 0.5, a judgement: the field states that
//! groups and social proof work at retention without a figure for the size). Satisfaction
//! scales the repeat-purchase rate and dropout (below), so a group that keeps its buyers
//! engaged keeps them buying. Coupons in a wallet are redeemed on repeat orders too, and
//! pushes marked for buyers offer them an extra order ([`crate::world::World::offer_any`]).
//!
//! ## Social proof
//! The product card shows `n` reviews with mean sentiment `m ∈ [−1, 1]`:
//! `SP = m·(1 − exp(−n / saturation_reviews))`. It is concave in `n`, so the first reviews
//! move a product without reviews the most; negative reviews pull it down.
//!
//! ## Repeat purchases: BG/NBD
//! After the first order a buyer has a latent rate `λ ~ Gamma(r, α)` (orders per day) and
//! dropout probability `p ~ Beta(a, b)`; repeat orders arrive as a Poisson process and after
//! each one the buyer drops out for good with probability `p` (Fader, Hardie & Lee 2005).
//! Satisfaction `s ∈ [0, 1]` (0.5 neutral) scales both:
//! `λ' = λ·exp(κ_λ(2s − 1))`, `p' = min(1, p·exp(−κ_p(2s − 1)))`; at `s = 0.5` it is exactly
//! BG/NBD.
//!
//! ## Repeat purchases: Pareto/NBD (`behaviour.repurchase.model = "paretonbd"`)
//! The purchase rate is BG/NBD's, `λ ~ Gamma(r, α)`; instead of a dropout coin after each
//! order, a buyer's lifetime from its first order is `Exp(μ)` with `μ ~ Gamma(s, β)`
//! (Schmittlein, Morrison & Colombo 1987). Both are drawn at the first order, from the
//! buyer's repeat stream; orders arrive at `t + Exp(λ')` while `t` is before the end of the
//! lifetime, and the buyer is marked as dropped out on the day its lifetime ends (offers
//! see it as a buyer until then). Satisfaction scales `λ` as above; it does not move a
//! lifetime already drawn. Expected repeat orders of a new buyer in `(0, t]`:
//! `rβ/(α(s−1)) · [1 − (β/(β+t))^{s−1}]` ([`paretonbd_expected_repeats`]); expected
//! further orders of a live buyer over `τ` days: `λ' · min(τ, lifetime left)`.
//!
//! ## Repeat purchases: the daily model (`behaviour.repurchase.model = "daily"`)
//! A discrete alternative for day-level models such as the grouped Bass reference workload:
//! a buyer whose first order fell on day `t` orders again on each day `t+1, t+2, …` with
//! probability `r_i` (at most one repeat order a day), and after each repeat order drops
//! out for good with probability `d` (`daily_dropout`, default 0). `r_i` is
//! `daily_probability` for everyone, or `min(1, daily_probability · Gamma(k, 1/k))` drawn
//! once per buyer and trial when `daily_probability_shape = k` is set. Satisfaction scales
//! it as it scales BG/NBD: `r' = min(1, r·exp(κ_λ(2s − 1)))`, `d' = min(1, d·exp(−κ_p(2s − 1)))`.
//!
//! The engine does not flip the daily coin: after an order on day `t` it draws the next
//! repeat day once, `t + 1 + G` with `G ~ Geometric(r')` failures before the first success,
//! as `G = ⌊E / −ln(1 − r')⌋`, `E ~ Exp(1)` — exactly the distribution of the first success
//! of the per-day Bernoulli sequence. The geometric law is memoryless, so a change of
//! satisfaction re-draws the day from today (or tomorrow, for a buyer whose first order was
//! today) without bias. Expected further orders of a live buyer over `τ` days (for `clv`):
//! `(1 − (1 − r'd')^τ) / d'`, or `r'τ` when `d' = 0`.

use crate::settings::{Base, RepurchaseModel};

/// Logistic function.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Grid of [`sigmoid_coin`]'s table: `σ` at `SIGMOID_LO + k / SIGMOID_STEPS`.
const SIGMOID_LO: f64 = -16.0;
const SIGMOID_STEPS: f64 = 32.0;
const SIGMOID_POINTS: usize = 32 * 32 + 1;

static SIGMOID_TABLE: std::sync::LazyLock<Box<[f64]>> = std::sync::LazyLock::new(|| {
    (0..SIGMOID_POINTS)
        .map(|k| sigmoid(SIGMOID_LO + k as f64 / SIGMOID_STEPS))
        .collect()
});

/// Decides `u < scale · σ(x)` (a coin of probability `scale · σ(x)` given a uniform `u`,
/// `scale >= 0`) without computing `σ` in almost every case: `σ` is increasing, so its values
/// at the grid points around `x` (a table, step 1/32) bracket it, and `σ(x)` is computed
/// only when `u` falls between the two (under 1% of calls). The decision is the direct
/// comparison's.
#[inline]
pub fn sigmoid_coin(u: f64, x: f64, scale: f64) -> bool {
    let t = (x - SIGMOID_LO) * SIGMOID_STEPS;
    if t >= 0.0 && t < (SIGMOID_POINTS - 1) as f64 {
        let k = t as usize;
        let table = &**SIGMOID_TABLE;
        let (below_lo, below_hi) = (u < scale * table[k], u < scale * table[k + 1]);
        // Branch only on the rare undecided case (`lo <= u < hi`); the outcome itself is a
        // value, so a random outcome costs no mispredicted branch.
        if below_lo == below_hi {
            return below_lo;
        }
    }
    u < scale * sigmoid(x)
}

/// Log-odds of a probability (clamped away from 0 and 1).
#[inline]
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}

/// The shift-free part of an organic hazard ([`BehaviourParams::organic_base`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrganicBase {
    /// `min(1, p_i + q·F)`.
    pub h0: f64,
    /// `logit(h0)`.
    pub logit: f64,
}

/// Behavioural constants resolved from a scenario.
#[derive(Debug, Clone)]
pub struct BehaviourParams {
    /// Bass innovation `p`.
    pub bass_p: f64,
    /// Bass imitation `q`.
    pub bass_q: f64,
    /// Weight of social proof.
    pub w_social_proof: f64,
    /// Weight of the log price index.
    pub w_price: f64,
    /// Weight of incentive / price.
    pub w_incentive: f64,
    /// Log-odds shift for an existing buyer's extra order.
    pub repeat_shift: f64,
    /// Intent per unit of `w_incentive · coupon / price` held in a wallet.
    pub coupon_pull: f64,
    /// Minutes a typical purchase decision takes.
    pub decision_minutes: f64,
    /// `ln(price / reference_price)`.
    pub ln_price_index: f64,
    /// Price per order.
    pub price: f64,
    /// Intent decay per day: `exp(−ln 2 / half_life)`.
    pub intent_decay: f64,
    /// Intent gain per unit strength × attention.
    pub intent_gain: f64,
    /// Intent magnitude below which it counts as zero.
    pub intent_floor: f64,
    /// Ceiling `M` that intent approaches as exposures accumulate (infinite: none).
    pub intent_ceiling: f64,
    /// Reviews at which social proof reaches 63% of its ceiling.
    pub sp_saturation: f64,
    /// BG/NBD `r`.
    pub r: f64,
    /// BG/NBD `α`.
    pub alpha: f64,
    /// BG/NBD `a`.
    pub a: f64,
    /// BG/NBD `b`.
    pub b: f64,
    /// Pareto/NBD `s` (1 when the model is not Pareto/NBD).
    pub s: f64,
    /// Pareto/NBD `β` in days (1 when the model is not Pareto/NBD).
    pub beta: f64,
    /// Repeat-purchase process.
    pub repurchase_model: RepurchaseModel,
    /// Daily model: mean daily repeat-order probability.
    pub daily_r: f64,
    /// Daily model: Gamma shape of the buyers' daily probabilities (`None`: homogeneous).
    pub daily_shape: Option<f64>,
    /// Daily model: dropout probability after each repeat order.
    pub daily_dropout: f64,
    /// Satisfaction effect on the purchase rate.
    pub sat_rate: f64,
    /// Satisfaction effect on dropout.
    pub sat_dropout: f64,
    /// Hourly online multipliers.
    pub hourly: [f64; 24],
    /// Weekday online multipliers.
    pub weekday: [f64; 7],
    /// Group members' engagement on day 0.
    pub initial_engagement: f64,
    /// Daily engagement decay factor `2^(−1/half_life)`.
    pub engagement_decay: f64,
    /// Daily leaving hazard at engagement 0.
    pub leave_rate: f64,
    /// Engagement below which a member is silent.
    pub silent_below: f64,
    /// Probability that an online member of engagement 0 notices group activity.
    pub notice_base: f64,
    /// Mean minutes of attention after an interaction.
    pub attention_minutes: f64,
    /// Red-packet claim speed at engagement 0 (speed `claim_speed_floor + e`).
    pub claim_speed_floor: f64,
    /// Satisfaction a buyer gains per unit of engagement gained.
    pub sat_from_engagement: f64,
    /// Purchase opportunities attended in full within about one half-life.
    pub attention_capacity: f64,
    /// Decay rate of the attention load per minute, `ln 2 / (60 · half_life_hours)`.
    pub load_decay_per_minute: f64,
    /// Engagement lost per opportunity over capacity, times the share it missed.
    pub overload_engagement: f64,
    /// `intent_decay^d` for whole days `d = 0..=horizon` (no `powi` in hot loops).
    intent_pow: Vec<f64>,
    /// `engagement_decay^d` for whole days `d = 0..=horizon`.
    engagement_pow: Vec<f64>,
    /// `ln(engagement_decay)`.
    ln_engagement_decay: f64,
}

impl BehaviourParams {
    /// Resolves the behavioural constants of a validated scenario.
    pub fn new(s: &Base<'_>) -> Self {
        let b = &s.behaviour;
        let reference = b.decision.reference_price.unwrap_or(s.product.price);
        let mut hourly = [0.0; 24];
        hourly.copy_from_slice(&b.activity.hourly[..24]);
        let mut weekday = [0.0; 7];
        weekday.copy_from_slice(&b.activity.weekday[..7]);
        let intent_decay = (-std::f64::consts::LN_2 / b.intent.half_life_days).exp();
        let engagement_decay = (-std::f64::consts::LN_2 / b.group_life.half_life_days).exp();
        let table = |r: f64| {
            (0..=s.horizon_days as i32)
                .map(|d| r.powi(d))
                .collect::<Vec<f64>>()
        };
        BehaviourParams {
            bass_p: b.organic.bass_p,
            bass_q: b.organic.bass_q,
            w_social_proof: b.decision.w_social_proof,
            w_price: b.decision.w_price,
            w_incentive: b.decision.w_incentive,
            repeat_shift: b.channels.repeat_shift,
            coupon_pull: b.decision.coupon_pull,
            decision_minutes: b.decision.decision_minutes,
            ln_price_index: (s.product.price / reference).ln(),
            price: s.product.price,
            intent_decay,
            intent_gain: b.intent.gain,
            intent_floor: b.intent.floor,
            intent_ceiling: b.intent.ceiling.unwrap_or(f64::INFINITY),
            sp_saturation: b.social_proof.saturation_reviews,
            r: b.repurchase.r,
            alpha: b.repurchase.alpha,
            a: b.repurchase.a,
            b: b.repurchase.b,
            s: b.repurchase.s.unwrap_or(1.0),
            beta: b.repurchase.beta.unwrap_or(1.0),
            repurchase_model: b.repurchase.model,
            daily_r: b.repurchase.daily_probability.unwrap_or(0.0),
            daily_shape: b.repurchase.daily_probability_shape,
            daily_dropout: b.repurchase.daily_dropout.unwrap_or(0.0),
            sat_rate: b.satisfaction.rate_effect,
            sat_dropout: b.satisfaction.dropout_effect,
            hourly,
            weekday,
            initial_engagement: b.group_life.initial_engagement,
            engagement_decay,
            leave_rate: b.group_life.leave_rate,
            silent_below: b.group_life.silent_below,
            notice_base: b.group_life.notice_base,
            attention_minutes: b.group_life.attention_minutes,
            claim_speed_floor: b.group_life.claim_speed_floor,
            sat_from_engagement: b.satisfaction.from_engagement,
            attention_capacity: b.attention.capacity,
            load_decay_per_minute: std::f64::consts::LN_2 / (60.0 * b.attention.half_life_hours),
            overload_engagement: b.attention.overload_engagement,
            intent_pow: table(intent_decay),
            engagement_pow: table(engagement_decay),
            ln_engagement_decay: engagement_decay.ln(),
        }
    }

    /// `engagement_decay^days`.
    #[inline]
    pub fn engagement_decay_over(&self, days: u32) -> f64 {
        self.engagement_pow
            .get(days as usize)
            .copied()
            .unwrap_or_else(|| self.engagement_decay.powi(days as i32))
    }

    /// Probability that a member stays in the group over `days` days starting from
    /// engagement `e0`: `exp(−L·∫(1 − e0·ρ^s) ds)` with `ρ` the daily decay.
    pub fn stay_probability(&self, e0: f64, days: u32) -> f64 {
        if days == 0 || self.leave_rate == 0.0 {
            return 1.0;
        }
        let integral =
            days as f64 - e0 * (self.engagement_decay_over(days) - 1.0) / self.ln_engagement_decay;
        (-self.leave_rate * integral).exp()
    }

    /// Attention on the product page under a coupon valid for `valid_minutes`:
    /// `1 − exp(−valid_minutes / decision_minutes)` (the coupon must be used before it
    /// expires, and a decision takes `decision_minutes`).
    #[inline]
    pub fn coupon_attention(&self, valid_minutes: f64) -> f64 {
        1.0 - (-valid_minutes / self.decision_minutes).exp()
    }

    /// The share of its attention a purchase opportunity gets when the person's attention
    /// load (decayed count of earlier opportunities) is `load`:
    /// `min(1, capacity / (1 + load))` (see the module docs).
    #[inline]
    pub fn attention_share(&self, load: f64) -> f64 {
        (self.attention_capacity / (1.0 + load)).min(1.0)
    }

    /// The attention load `minutes` after it was `load`: `load · exp(−decay · minutes)`.
    #[inline]
    pub fn load_after(&self, load: f64, minutes: f64) -> f64 {
        if load == 0.0 {
            0.0
        } else {
            load * (-self.load_decay_per_minute * minutes).exp()
        }
    }

    /// Satisfaction after a buyer at `s` gains `engagement`: `s + k · Δe · (1 − s)`, at most 1.
    #[inline]
    pub fn satisfaction_after_engagement(&self, s: f64, engagement: f64) -> f64 {
        (s + self.sat_from_engagement * engagement * (1.0 - s)).clamp(s, 1.0)
    }

    /// Probability that a member still looks at the chat `minutes` after an interaction.
    #[inline]
    pub fn attention_after(&self, minutes: f64) -> f64 {
        (-minutes.max(0.0) / self.attention_minutes).exp()
    }

    /// Organic daily purchase probability of a non-buyer.
    ///
    /// `p_i` innovation rate, `f` pool share that has bought (start of day), `shift` the
    /// log-odds shift from social proof and intent.
    #[inline]
    pub fn organic_hazard(&self, p_i: f64, f: f64, shift: f64) -> f64 {
        let h0 = self.organic_unshifted(p_i, f);
        if shift == 0.0 {
            h0
        } else {
            sigmoid(logit(h0) + shift)
        }
    }

    /// The organic hazard without a log-odds shift, `min(1, p_i + q·F)`.
    #[inline]
    fn organic_unshifted(&self, p_i: f64, f: f64) -> f64 {
        (p_i + self.bass_q * f).min(1.0)
    }

    /// The part of [`BehaviourParams::organic_hazard`] that does not depend on the shift:
    /// the unshifted hazard and its log-odds. Buyers of one pool with one innovation rate
    /// share it for the day, so their `logit` is computed once.
    #[inline]
    pub fn organic_base(&self, p_i: f64, f: f64) -> OrganicBase {
        let h0 = self.organic_unshifted(p_i, f);
        OrganicBase {
            h0,
            logit: logit(h0),
        }
    }

    /// Decides `u < organic_hazard(p_i, f, shift)` for `base = organic_base(p_i, f)`: the
    /// same comparison of the same numbers, with `σ` bracketed by [`sigmoid_coin`]'s table
    /// (computed only when `u` falls between two grid values) and the log-odds from `base`,
    /// so that a day of buyers with intent costs neither an `exp` nor a `ln` each.
    #[inline]
    pub fn organic_coin(&self, u: f64, base: OrganicBase, shift: f64) -> bool {
        if shift == 0.0 {
            u < base.h0
        } else {
            sigmoid_coin(u, base.logit + shift, 1.0)
        }
    }

    /// The innovation part of the organic hazard: the daily probability `p_i` that a
    /// non-buyer buys unprompted, whatever its pool does.
    ///
    /// Without a log-odds shift the hazard decomposes into two independent coins:
    /// `organic_hazard(p_i, f, 0) = p + (1 − p) · imitation_given_no_innovation(p, q_f)` with
    /// `p = innovation_part(p_i)` and `q_f = imitation_part(f)`. Fast paths that draw
    /// each buyer's innovation day up front and walk the pool for imitation only use this
    /// split.
    #[inline]
    pub fn innovation_part(&self, p_i: f64) -> f64 {
        p_i
    }

    /// The imitation part of the organic hazard at pool buyer share `f`: `min(1, q·f)`.
    #[inline]
    pub fn imitation_part(&self, f: f64) -> f64 {
        (self.bass_q * f).min(1.0)
    }

    /// The probability that a non-buyer whose innovation coin (probability `p`) did not
    /// fall today buys by imitation, `min(1, q_f / (1 − p))` for `q_f` from
    /// [`BehaviourParams::imitation_part`]: the two coins together give
    /// `p + (1 − p) · min(1, q_f / (1 − p)) = min(1, p + q_f)`, the organic hazard.
    #[inline]
    pub fn imitation_given_no_innovation(&self, p: f64, q_f: f64) -> f64 {
        (q_f / (1.0 - p)).min(1.0)
    }

    /// Log-odds of the purchase decision for an exposure (see the module docs).
    #[inline]
    pub fn decision_logit(
        &self,
        e: &Exposure,
        intent: f64,
        susceptibility: f64,
        price_sensitivity: f64,
        delta_sp: f64,
    ) -> f64 {
        e.base + intent + self.w_social_proof * susceptibility * (delta_sp + e.strength)
            - self.w_price * price_sensitivity * self.ln_price_index
            + self.w_incentive * e.incentive / self.price
    }

    /// Intent after an exposure adds `delta` to intent `now`.
    ///
    /// Without a ceiling the increments add up. With a ceiling `M`, a positive increment
    /// closes the gap to `M` by the share `1 − exp(−Δ/M)`: `I' = M − (M − I)·exp(−Δ/M)`
    /// (the exact solution of `dI = (1 − I/M)·dΔ`, the saturating response of Vidale &
    /// Wolfe 1957). Small increments far below `M` add up as before; the tenth message of a
    /// week adds less than the first. Negative increments add up unchanged.
    #[inline]
    pub fn intent_plus(&self, now: f64, delta: f64) -> f64 {
        let m = self.intent_ceiling;
        if delta <= 0.0 || !m.is_finite() {
            now + delta
        } else if now >= m {
            now
        } else {
            m - (m - now) * (-delta / m).exp()
        }
    }

    /// Intent `days` after it was set to `value`.
    #[inline]
    pub fn intent_after(&self, value: f64, days: u32) -> f64 {
        value
            * self
                .intent_pow
                .get(days as usize)
                .copied()
                .unwrap_or_else(|| self.intent_decay.powi(days as i32))
    }

    /// Repurchase rate and dropout probability after satisfaction `s`.
    #[inline]
    pub fn repurchase_after_satisfaction(&self, lambda: f64, p: f64, s: f64) -> (f64, f64) {
        (
            self.repurchase_rate_after_satisfaction(lambda, s),
            self.dropout_after_satisfaction(p, s),
        )
    }

    /// The rate part of [`BehaviourParams::repurchase_after_satisfaction`],
    /// `λ' = λ·exp(κ_λ(2s − 1))`, for the paths that need only the rate (filing the next
    /// order time): one `exp` instead of two.
    #[inline]
    pub fn repurchase_rate_after_satisfaction(&self, lambda: f64, s: f64) -> f64 {
        let x = 2.0 * s - 1.0;
        if x == 0.0 {
            lambda
        } else {
            lambda * (self.sat_rate * x).exp()
        }
    }

    /// The dropout part of [`BehaviourParams::repurchase_after_satisfaction`],
    /// `p' = min(1, p·exp(−κ_p(2s − 1)))`.
    #[inline]
    pub fn dropout_after_satisfaction(&self, p: f64, s: f64) -> f64 {
        let x = 2.0 * s - 1.0;
        if x == 0.0 {
            p
        } else {
            (p * (-self.sat_dropout * x).exp()).min(1.0)
        }
    }

    /// Probability that a buyer of activity `activity` is online at `minute` of a day with
    /// weekday index `weekday` (0 = Monday).
    #[inline]
    pub fn online_probability(&self, activity: f64, weekday: usize, minute: u32) -> f64 {
        let hour = (minute / 60).min(23) as usize;
        (activity * self.hourly[hour] * self.weekday[weekday % 7]).min(1.0)
    }
}

/// A purchase opportunity created by a mechanism.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exposure {
    /// Base log-odds of the channel (plus any per-source shift, e.g. trust).
    pub base: f64,
    /// Attention in [0, 1]: the probability multiplies by it.
    pub attention: f64,
    /// Persuasive signal of the content, in social-proof units (a review's sentiment × quality).
    pub strength: f64,
    /// Value of an incentive attached (coupon, cash), in currency.
    pub incentive: f64,
}

/// The product card's review state and its social proof.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardProof {
    /// Reviews shown.
    pub reviews: f64,
    /// Sum of their sentiments (each in [−1, 1]).
    pub sentiment_sum: f64,
    /// Social proof when the campaign started.
    pub initial: f64,
    saturation: f64,
}

impl CardProof {
    /// A card with `n` reviews of mean star rating `stars` (1–5 mapped to [−1, 1]).
    pub fn new(n: u32, stars: f64, saturation: f64) -> Self {
        let n = n as f64;
        let mut c = CardProof {
            reviews: n,
            sentiment_sum: n * (stars - 3.0) / 2.0,
            initial: 0.0,
            saturation,
        };
        c.initial = c.social_proof();
        c
    }

    /// `SP = m·(1 − exp(−n / saturation))`.
    pub fn social_proof(&self) -> f64 {
        if self.reviews <= 0.0 {
            return 0.0;
        }
        let mean = self.sentiment_sum / self.reviews;
        mean * (1.0 - (-self.reviews / self.saturation).exp())
    }

    /// Change of social proof since the campaign started.
    pub fn delta(&self) -> f64 {
        self.social_proof() - self.initial
    }

    /// Adds a published review.
    pub fn add(&mut self, sentiment: f64) {
        self.reviews += 1.0;
        self.sentiment_sum += sentiment;
    }
}

/// Expected further orders of a buyer who is alive, with known rate `λ` (per day) and
/// dropout `p` per repeat order, over `tau` days: `(1 − e^{−λpτ}) / p` (`λτ` when `p = 0`).
pub fn expected_future_orders(lambda: f64, p: f64, tau: f64) -> f64 {
    if p <= 0.0 {
        lambda * tau
    } else {
        -(-lambda * p * tau).exp_m1() / p
    }
}

/// Expected further orders over `tau` days of a buyer who is alive under the daily model,
/// ordering on each day with probability `r` and dropping out after each order with
/// probability `d`: `Σ_{k<τ} r(1 − rd)^k = (1 − (1 − rd)^τ) / d` (`rτ` when `d = 0`).
#[inline]
pub fn expected_future_daily_orders(r: f64, d: f64, tau: f64) -> f64 {
    if d <= 0.0 || r <= 0.0 {
        r * tau
    } else {
        -(tau * (-r * d).ln_1p()).exp_m1() / d
    }
}

/// Gauss hypergeometric function `2F1(a, b; c; z)` for `0 <= z < 1` by its power series.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..100_000 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

/// BG/NBD expected repeat transactions in `(0, t]` for a new customer (Fader, Hardie & Lee
/// 2005, eq. 9): `(a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]`, `a > 1`.
pub fn bgnbd_expected_repeats(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let z = t / (alpha + t);
    (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
}

/// Pareto/NBD expected repeat transactions in `(0, t]` for a new customer (Schmittlein,
/// Morrison & Colombo 1987; Fader & Hardie 2005 note, eq. 27):
/// `rβ/(α(s−1)) · [1 − (β/(β+t))^{s−1}]`, and its limit `(rβ/α) · ln(1 + t/β)` at `s = 1`.
pub fn paretonbd_expected_repeats(r: f64, alpha: f64, s: f64, beta: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    r * beta / alpha * crate::fit::special::one_minus_power_over(beta, t, s - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Intent adds up without a ceiling; with one, increments close the gap to it, never
    /// cross it, and two increments give the same intent as one of their sum (the form is
    /// the exact solution of a saturating accumulation, so it does not depend on how an
    /// evening's exposures are split).
    #[test]
    fn intent_saturates_below_its_ceiling_whatever_the_split() {
        let load = |extra: &str| {
            let text = format!(
                "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n{extra}"
            );
            let s = crate::scenario::load_str(&text, "t", &[]).expect("scenario");
            BehaviourParams::new(&s.base())
        };
        let free = load("");
        assert_eq!(free.intent_plus(0.4, 0.3), 0.4 + 0.3);
        let b = load("[behaviour.intent]\nceiling = 1.0\n");
        let once = b.intent_plus(0.2, 0.9);
        let twice = b.intent_plus(b.intent_plus(0.2, 0.4), 0.5);
        assert!((once - twice).abs() < 1e-12, "{once} {twice}");
        assert!(once < 1.0 && once > 0.2);
        // Far below the ceiling a small step adds almost all of itself.
        assert!((b.intent_plus(0.0, 0.01) - 0.01).abs() < 1e-4);
        // Negative steps add up unchanged; at the ceiling a positive step adds nothing.
        assert_eq!(b.intent_plus(0.5, -0.2), 0.5 - 0.2);
        assert_eq!(b.intent_plus(1.0, 3.0), 1.0);
        assert!(b.intent_plus(0.0, 50.0) <= 1.0);
    }

    /// Innovation and imitation, as two independent coins, give the organic hazard exactly
    /// where the cap at 1 does not bind, and within rounding where it does.
    #[test]
    fn organic_hazard_decomposes_into_innovation_and_imitation() {
        let s = crate::scenario::load_str(
            "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n\
             [behaviour.organic]\nbass_p = 0.01\nbass_q = 0.9\n",
            "t",
            &[],
        )
        .expect("scenario");
        let b = BehaviourParams::new(&s.base());
        for p_i in [0.0, 0.001, 0.05, 0.3, 0.99] {
            for f in [0.0, 0.1, 0.5, 0.95, 1.0] {
                let p = b.innovation_part(p_i);
                let q_f = b.imitation_part(f);
                let split = p + (1.0 - p) * b.imitation_given_no_innovation(p, q_f);
                let h = b.organic_hazard(p_i, f, 0.0);
                assert!(
                    (split - h).abs() <= 4.0 * f64::EPSILON,
                    "{p_i} {f}: {split} vs {h}"
                );
            }
        }
    }

    /// The organic coin of buyers with intent (shared base, tabulated `σ`) takes the same
    /// decision as the direct comparison with [`BehaviourParams::organic_hazard`] for every
    /// uniform: no shift, shifts of either sign, the cap at 1, innovation rates of 0, and
    /// uniforms within rounding of the hazard.
    #[test]
    fn organic_coin_decides_like_the_organic_hazard() {
        let s = crate::scenario::load_str(
            "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n\
             [behaviour.organic]\nbass_p = 0.002\nbass_q = 0.99\n",
            "t",
            &[],
        )
        .expect("scenario");
        let b = BehaviourParams::new(&s.base());
        let mut rng = crate::rng::stream_rng(5, 6);
        use rand::RngExt;
        for n in 0..400_000 {
            let p_i = if n % 7 == 0 {
                0.0
            } else {
                rng.random::<f64>() * 0.05
            };
            // `f = 1` with `p_i > 0.01` reaches the cap (`q = 0.99`).
            let f = if n % 11 == 0 {
                1.0
            } else {
                rng.random::<f64>()
            };
            let shift = match n % 5 {
                0 => 0.0,
                1 => -rng.random::<f64>() * 30.0,
                _ => rng.random::<f64>() * 12.0 - 2.0,
            };
            let base = b.organic_base(p_i, f);
            let h = b.organic_hazard(p_i, f, shift);
            for u in [
                rng.random::<f64>(),
                h,
                h * (1.0 + (rng.random::<f64>() - 0.5) * 1e-12),
            ] {
                assert_eq!(
                    b.organic_coin(u, base, shift),
                    u < h,
                    "{p_i} {f} {shift} {u}"
                );
            }
        }
    }

    #[test]
    fn sigmoid_coin_decides_like_the_direct_comparison() {
        let mut rng = crate::rng::stream_rng(3, 4);
        use rand::RngExt;
        for _ in 0..200_000 {
            let x = rng.random::<f64>() * 50.0 - 25.0;
            let u: f64 = rng.random();
            let scale = if rng.random::<bool>() {
                1.0
            } else {
                rng.random()
            };
            assert_eq!(sigmoid_coin(u, x, scale), u < scale * sigmoid(x), "{u} {x}");
            // Near the bracket's edges too.
            let u = scale * sigmoid(x) * (1.0 + (rng.random::<f64>() - 0.5) * 1e-12);
            assert_eq!(sigmoid_coin(u, x, scale), u < scale * sigmoid(x), "{u} {x}");
        }
        assert!(!sigmoid_coin(0.5, f64::NAN, 1.0));
        assert!(sigmoid_coin(0.0, 40.0, 1.0) && !sigmoid_coin(0.999, -40.0, 1.0));
    }

    #[test]
    fn card_proof_is_concave_and_signed() {
        let mut c = CardProof::new(0, 4.0, 8.0);
        assert_eq!(c.delta(), 0.0);
        c.add(0.8);
        let one = c.delta();
        c.add(0.8);
        let two = c.delta();
        assert!(one > 0.0 && two - one < one, "first review gains the most");
        let mut busy = CardProof::new(200, 4.2, 8.0);
        busy.add(0.8);
        assert!(busy.delta() < one, "a product with many reviews gains less");
        let mut bad = CardProof::new(0, 4.0, 8.0);
        bad.add(-0.7);
        assert!(bad.delta() < 0.0);
    }

    #[test]
    fn bgnbd_limits() {
        // With dropout almost impossible (a small, b huge) repeats ≈ r/α · t.
        let e = bgnbd_expected_repeats(2.0, 100.0, 1.001, 1e7, 10.0);
        let poisson = 2.0 / 100.0 * 10.0;
        assert!((e - poisson).abs() / poisson < 0.05, "{e} vs {poisson}");
        assert!(
            bgnbd_expected_repeats(0.5, 30.0, 1.2, 3.5, 90.0)
                > bgnbd_expected_repeats(0.5, 30.0, 1.2, 3.5, 30.0)
        );
    }

    #[test]
    fn future_orders() {
        assert!((expected_future_orders(0.1, 0.0, 10.0) - 1.0).abs() < 1e-12);
        let e = expected_future_orders(0.1, 0.5, 1e6);
        assert!(
            (e - 2.0).abs() < 1e-9,
            "geometric number of orders until dropout: 1/p"
        );
    }
}
