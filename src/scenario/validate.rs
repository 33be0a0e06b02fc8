//! Checks every value of a scenario against what it allows.
//!
//! Validation collects every problem (key path + message naming what was found and what is
//! allowed) instead of stopping at the first, so one `promosim validate` run shows them all.
//! Distribution specs are validated by building them through their constructors.

use super::{
    BloggerReviews, DropLink, FlashSale, Influencers, OrderProofs, Qa, QaMode, RedPackets,
    Repurchase, RepurchaseModel, Scenario, Schedule, ShareDraw, TargetedPush, Tiers, Votes,
};
use crate::dist::{DistSpec, Support};

/// Categories the marketplace excludes from the blogger review program (domain.md 2.1).
pub const EXCLUDED_CATEGORIES: &[&str] = &["adult", "feminine_hygiene"];

struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    fn push(&mut self, path: &str, msg: String) {
        self.problems.push((path.to_string(), msg));
    }
    fn prob(&mut self, path: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.push(
                path,
                format!("{v} is out of range: allowed a probability in [0, 1]"),
            );
        }
    }
    fn positive(&mut self, path: &str, v: f64) {
        if !(v > 0.0 && v.is_finite()) {
            self.push(
                path,
                format!("{v} is out of range: allowed a finite value > 0"),
            );
        }
    }
    fn non_negative(&mut self, path: &str, v: f64) {
        if !(v >= 0.0 && v.is_finite()) {
            self.push(
                path,
                format!("{v} is out of range: allowed a finite value >= 0"),
            );
        }
    }
    fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !(v >= lo && v <= hi) {
            self.push(path, format!("{v} is out of range: allowed {lo} to {hi}"));
        }
    }
    fn dist(&mut self, path: &str, d: &DistSpec, support: Support) {
        if let Err(m) = d.build(support) {
            self.push(path, m);
        }
    }
}

/// Returns every problem as `(key path, message)`; empty when the scenario is valid.
pub fn validate(s: &Scenario) -> Vec<(String, String)> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if s.horizon_days == 0 || s.horizon_days > 3650 {
        c.push(
            "horizon_days",
            format!("{} is out of range: allowed 1 to 3650 days", s.horizon_days),
        );
    }
    if s.trials == 0 {
        c.push(
            "trials",
            "0 is out of range: allowed at least 1 trial".into(),
        );
    }
    if s.currency.trim().is_empty() {
        c.push("currency", "empty: name a currency, e.g. \"CNY\"".into());
    }

    let p = &s.product;
    c.positive("product.price", p.price);
    c.non_negative("product.unit_cost", p.unit_cost);
    c.prob("product.defect_rate", p.defect_rate);
    c.prob("product.packaging_damage_rate", p.packaging_damage_rate);
    c.prob("product.variant_error_rate", p.variant_error_rate);
    c.range("product.existing_rating", p.existing_rating, 1.0, 5.0);
    if !(p.quality > 0.0 && p.quality < 1.0) {
        c.push(
            "product.quality",
            format!("{} is out of range: allowed 0 < quality < 1", p.quality),
        );
    }
    if let Some(d) = &p.order_value {
        c.dist("product.order_value", d, Support::Positive);
    }
    if p.category.trim().is_empty() {
        c.push(
            "product.category",
            "empty: name the marketplace category".into(),
        );
    }

    let pop = &s.population;
    let max_agents = 50_000_000u64;
    if pop.groups.count > 1_000_000 {
        c.push(
            "population.groups.count",
            format!(
                "{} is out of range: allowed 0 to 1,000,000 groups",
                pop.groups.count
            ),
        );
    }
    c.dist(
        "population.groups.size",
        &pop.groups.size,
        Support::Positive,
    );
    if let Ok(d) = pop.groups.size.build(Support::Positive) {
        let mean = d.mean();
        if pop.groups.count > 0 && mean < 1.0 {
            c.push(
                "population.groups.size",
                format!("mean group size {mean} is below 1 member"),
            );
        }
        let expected = pop.buyers as f64 + pop.groups.count as f64 * mean;
        if expected > max_agents as f64 {
            c.push(
                "population",
                format!("about {expected:.0} buyers expected: allowed at most {max_agents}"),
            );
        }
    }
    if pop.buyers == 0 && pop.groups.count == 0 {
        c.push(
            "population.buyers",
            "0 buyers and no groups: allowed a population of at least 1 buyer".into(),
        );
    }
    let b = &pop.bloggers;
    c.dist(
        "population.bloggers.followers",
        &b.followers,
        Support::Positive,
    );
    c.positive("population.bloggers.macro_threshold", b.macro_threshold);
    c.prob("population.bloggers.engagement_rate", b.engagement_rate);
    c.positive(
        "population.bloggers.reference_followers",
        b.reference_followers,
    );
    c.range(
        "population.bloggers.engagement_elasticity",
        b.engagement_elasticity,
        -2.0,
        1.0,
    );
    c.range(
        "population.bloggers.engagement_spread",
        b.engagement_spread,
        0.0,
        3.0,
    );
    c.prob("population.bloggers.feed_reach", b.feed_reach);
    c.range(
        "population.bloggers.reach_elasticity",
        b.reach_elasticity,
        -2.0,
        1.0,
    );
    c.dist(
        "population.bloggers.relevance",
        &b.relevance,
        Support::UnitInterval,
    );
    c.prob("population.bloggers.market_overlap", b.market_overlap);
    c.dist(
        "population.bloggers.review_quality",
        &b.review_quality,
        Support::UnitInterval,
    );
    c.dist(
        "population.bloggers.punctuality",
        &b.punctuality,
        Support::UnitInterval,
    );
    let t = &pop.traits;
    c.dist(
        "population.traits.price_sensitivity",
        &t.price_sensitivity,
        Support::UnitInterval,
    );
    c.dist(
        "population.traits.susceptibility",
        &t.susceptibility,
        Support::UnitInterval,
    );
    c.dist(
        "population.traits.activity",
        &t.activity,
        Support::UnitInterval,
    );
    if let Some(k) = t.organic_shape {
        c.positive("population.traits.organic_shape", k);
    }

    let bh = &s.behaviour;
    c.prob("behaviour.organic.bass_p", bh.organic.bass_p);
    c.prob("behaviour.organic.bass_q", bh.organic.bass_q);
    if bh.organic.bass_p + bh.organic.bass_q > 1.0 {
        c.push(
            "behaviour.organic.bass_q",
            format!(
                "bass_p + bass_q = {} exceeds 1: the daily adoption probability p + q·F must stay a probability",
                bh.organic.bass_p + bh.organic.bass_q
            ),
        );
    }
    c.range(
        "behaviour.decision.w_social_proof",
        bh.decision.w_social_proof,
        -20.0,
        20.0,
    );
    c.range(
        "behaviour.decision.w_price",
        bh.decision.w_price,
        -20.0,
        20.0,
    );
    c.range(
        "behaviour.decision.w_incentive",
        bh.decision.w_incentive,
        -50.0,
        50.0,
    );
    if let Some(r) = bh.decision.reference_price {
        c.positive("behaviour.decision.reference_price", r);
    }
    for (key, v) in [
        ("link", bh.channels.link),
        ("push", bh.channels.push),
        ("answer", bh.channels.answer),
        ("repeat_shift", bh.channels.repeat_shift),
    ] {
        c.range(&format!("behaviour.channels.{key}"), v, -20.0, 20.0);
    }
    c.range(
        "behaviour.decision.coupon_pull",
        bh.decision.coupon_pull,
        0.0,
        10.0,
    );
    c.range("behaviour.channels.feed", bh.channels.feed, -20.0, 20.0);
    c.range(
        "behaviour.channels.discovery",
        bh.channels.discovery,
        -20.0,
        20.0,
    );
    c.positive("behaviour.intent.half_life_days", bh.intent.half_life_days);
    c.range("behaviour.intent.gain", bh.intent.gain, -20.0, 20.0);
    c.positive("behaviour.intent.floor", bh.intent.floor);
    c.positive(
        "behaviour.social_proof.saturation_reviews",
        bh.social_proof.saturation_reviews,
    );
    c.range(
        "behaviour.social_proof.macro_trust_penalty",
        bh.social_proof.macro_trust_penalty,
        -20.0,
        20.0,
    );
    let r = &bh.repurchase;
    c.positive("behaviour.repurchase.r", r.r);
    c.positive("behaviour.repurchase.alpha", r.alpha);
    c.positive("behaviour.repurchase.a", r.a);
    c.positive("behaviour.repurchase.b", r.b);
    c.non_negative("behaviour.repurchase.clv_days", r.clv_days);
    repurchase_model(&mut c, r);
    c.range(
        "behaviour.satisfaction.rate_effect",
        bh.satisfaction.rate_effect,
        -10.0,
        10.0,
    );
    c.range(
        "behaviour.satisfaction.dropout_effect",
        bh.satisfaction.dropout_effect,
        -10.0,
        10.0,
    );
    if bh.activity.hourly.len() != 24 {
        c.push(
            "behaviour.activity.hourly",
            format!(
                "{} values: allowed exactly 24 (one per hour from 00:00)",
                bh.activity.hourly.len()
            ),
        );
    }
    if bh.activity.weekday.len() != 7 {
        c.push(
            "behaviour.activity.weekday",
            format!(
                "{} values: allowed exactly 7 (Monday first)",
                bh.activity.weekday.len()
            ),
        );
    }
    for (i, v) in bh.activity.hourly.iter().enumerate() {
        c.non_negative(&format!("behaviour.activity.hourly[{i}]"), *v);
    }
    for (i, v) in bh.activity.weekday.iter().enumerate() {
        c.non_negative(&format!("behaviour.activity.weekday[{i}]"), *v);
    }

    if let Some(br) = &s.mechanisms.blogger_reviews {
        blogger_reviews(&mut c, s, br);
    }
    if let Some(rp) = &s.mechanisms.red_packets
        && rp.enabled
    {
        red_packets(&mut c, s, rp);
    }
    if let Some(qa) = &s.mechanisms.qa
        && qa.enabled
    {
        qa_checks(&mut c, s, qa);
    }
    let m = &s.mechanisms;
    if let Some(v) = m.votes.as_ref().filter(|v| v.enabled) {
        votes(&mut c, s, v);
    }
    if let Some(v) = m.order_proofs.as_ref().filter(|v| v.enabled) {
        order_proofs(&mut c, s, v);
    }
    if let Some(v) = m.flash_sale.as_ref().filter(|v| v.enabled) {
        flash_sale(&mut c, s, v);
    }
    if let Some(v) = m.share_draw.as_ref().filter(|v| v.enabled) {
        share_draw(&mut c, s, v);
    }
    if let Some(v) = m.targeted_push.as_ref().filter(|v| v.enabled) {
        targeted_push(&mut c, s, v);
    }
    if let Some(inf) = &s.mechanisms.influencers
        && inf.enabled
    {
        influencers(&mut c, s, inf);
    }
    c.problems
}

/// The daily model's keys are required with it and rejected with BG/NBD, so a scenario
/// never carries parameters that silently do nothing.
fn repurchase_model(c: &mut Checker, r: &Repurchase) {
    const P: &str = "behaviour.repurchase";
    let keys = [
        ("daily_probability", r.daily_probability),
        ("daily_probability_shape", r.daily_probability_shape),
        ("daily_dropout", r.daily_dropout),
    ];
    match r.model {
        RepurchaseModel::Bgnbd => {
            for (key, v) in keys {
                if v.is_some() {
                    c.push(
                        &format!("{P}.{key}"),
                        format!(
                            "only used by the daily model: set `{P}.model = \"daily\"` or remove it (allowed models: \"bgnbd\", \"daily\")"
                        ),
                    );
                }
            }
        }
        RepurchaseModel::Daily => {
            match r.daily_probability {
                Some(p) => c.prob(&format!("{P}.daily_probability"), p),
                None => c.push(
                    &format!("{P}.daily_probability"),
                    "missing: `model = \"daily\"` needs the daily repeat-order probability, a probability in [0, 1]".into(),
                ),
            }
            if let Some(k) = r.daily_probability_shape {
                c.positive(&format!("{P}.daily_probability_shape"), k);
            }
            if let Some(d) = r.daily_dropout {
                c.prob(&format!("{P}.daily_dropout"), d);
            }
        }
    }
}

fn blogger_reviews(c: &mut Checker, s: &Scenario, br: &BloggerReviews) {
    const P: &str = "mechanisms.blogger_reviews";
    if !br.enabled {
        return;
    }
    let cat = s
        .product
        .category
        .trim()
        .to_lowercase()
        .replace([' ', '-'], "_");
    if EXCLUDED_CATEGORIES.contains(&cat.as_str()) {
        c.push(
            "product.category",
            format!(
                "category \"{}\" is excluded from the blogger review program (excluded: {}); remove [{P}] or sell another category",
                s.product.category,
                EXCLUDED_CATEGORIES.join(", ")
            ),
        );
    }
    if !s.seller.top_store {
        c.push(
            "seller.top_store",
            format!("false: only top stores may use the blogger review program; remove [{P}] or set top_store = true"),
        );
    }
    if br.bloggers == 0 {
        c.push(
            &format!("{P}.bloggers"),
            "0 is out of range: allowed at least 1 blogger".into(),
        );
    }
    let pool = s.population.bloggers.count;
    if br.bloggers > pool {
        c.push(
            &format!("{P}.bloggers"),
            format!(
                "{} bloggers wanted but the pool (population.bloggers.count) has {pool}: allowed at most {pool}",
                br.bloggers
            ),
        );
    }
    if br.start_day >= s.horizon_days {
        c.push(
            &format!("{P}.start_day"),
            format!(
                "day {} is outside the horizon: allowed 0 to {}",
                br.start_day,
                s.horizon_days.saturating_sub(1)
            ),
        );
    }
    c.prob(&format!("{P}.response_rate"), br.response_rate);
    if br.response_rate == 0.0 {
        c.push(
            &format!("{P}.response_rate"),
            "0: no blogger could ever answer the application; allowed (0, 1]".into(),
        );
    }
    c.non_negative(&format!("{P}.shipping_cost"), br.shipping_cost);
    c.prob(&format!("{P}.untracked_loss_rate"), br.untracked_loss_rate);
    c.dist(
        &format!("{P}.delivery_days"),
        &br.delivery_days,
        Support::NonNegative,
    );
    if br.review_deadline_days == 0 {
        c.push(
            &format!("{P}.review_deadline_days"),
            "0 is out of range: allowed at least 1 day".into(),
        );
    }
    c.positive(
        &format!("{P}.review_delay_mean_days"),
        br.review_delay_mean_days,
    );
    c.range(&format!("{P}.feed_decay"), br.feed_decay, 0.0, 0.99);
    c.non_negative(
        &format!("{P}.discovery_views_per_day"),
        br.discovery_views_per_day,
    );
}

fn schedule(c: &mut Checker, s: &Scenario, path: &str, sch: &Schedule) {
    if sch.start_day >= s.horizon_days {
        c.push(
            &format!("{path}.start_day"),
            format!(
                "day {} is outside the horizon: allowed 0 to {}",
                sch.start_day,
                s.horizon_days.saturating_sub(1)
            ),
        );
    }
    if sch.every_days == 0 && sch.weekdays.is_empty() {
        c.push(
            &format!("{path}.weekdays"),
            "empty: name at least one weekday or set every_days > 0".into(),
        );
    }
}

fn needs_groups(c: &mut Checker, s: &Scenario, path: &str) {
    if s.population.groups.count == 0 {
        c.push(
            path,
            "needs chat groups: set population.groups.count > 0".into(),
        );
    }
}

fn red_packets(c: &mut Checker, s: &Scenario, rp: &RedPackets) {
    const P: &str = "mechanisms.red_packets";
    needs_groups(c, s, P);
    schedule(c, s, &format!("{P}.schedule"), &rp.schedule);
    c.positive(&format!("{P}.total"), rp.total);
    if rp.packets == 0 {
        c.push(
            &format!("{P}.packets"),
            "0 is out of range: allowed at least 1 packet".into(),
        );
    } else if rp.total / (rp.packets as f64) < 0.01 {
        c.push(
            &format!("{P}.packets"),
            format!(
                "{} packets cannot split a total of {}: every packet needs at least 0.01; allowed at most {} packets",
                rp.packets,
                rp.total,
                (rp.total / 0.01).floor()
            ),
        );
    }
    if let Ok(d) = s.population.groups.size.build(Support::Positive) {
        let mean = d.mean();
        if (rp.packets as f64) > mean {
            c.push(
                &format!("{P}.packets"),
                format!(
                    "{} packets per drop but groups have {mean:.0} members on average: they can never all be claimed; allowed at most the group size",
                    rp.packets
                ),
            );
        }
    }
    c.positive(&format!("{P}.total_per_online"), rp.total_per_online);
    c.positive(&format!("{P}.max_total"), rp.max_total);
    c.positive(
        &format!("{P}.claim_window_seconds"),
        rp.claim_window_seconds,
    );
    c.positive(&format!("{P}.claim_seconds_mean"), rp.claim_seconds_mean);
    c.prob(&format!("{P}.task_completion"), rp.task_completion);
    c.prob(&format!("{P}.announcement_click"), rp.announcement_click);
    c.range(
        &format!("{P}.claim_engagement"),
        rp.claim_engagement,
        -1.0,
        1.0,
    );
    c.range(
        &format!("{P}.task_engagement"),
        rp.task_engagement,
        -1.0,
        1.0,
    );
    c.range(&format!("{P}.claim_intent"), rp.claim_intent, -20.0, 20.0);
    c.prob(&format!("{P}.claim_and_leave"), rp.claim_and_leave);
    if let Some(st) = &rp.stage2 {
        if rp.link != DropLink::Task {
            c.push(
                &format!("{P}.stage2"),
                "stage 2 rewards task completers: it needs link = \"task\"".into(),
            );
        }
        c.positive(&format!("{P}.stage2.total"), st.total);
        if st.packets == 0 || st.total / (st.packets.max(1) as f64) < 0.01 {
            c.push(
                &format!("{P}.stage2.packets"),
                format!(
                    "{} packets cannot split {}: allowed 1 to {} packets",
                    st.packets,
                    st.total,
                    (st.total / 0.01).floor()
                ),
            );
        }
    }
    if let Some(f) = &rp.followup {
        c.non_negative(&format!("{P}.followup.coupon"), f.coupon);
        if f.coupon >= s.product.price {
            c.push(
                &format!("{P}.followup.coupon"),
                format!(
                    "coupon {} is not below the price {}: allowed 0 to less than the price",
                    f.coupon, s.product.price
                ),
            );
        }
        if f.first_k == 0 {
            c.push(
                &format!("{P}.followup.first_k"),
                "0: allowed at least 1 recipient".into(),
            );
        }
        if f.valid_minutes == 0 {
            c.push(
                &format!("{P}.followup.valid_minutes"),
                "0: allowed at least 1 minute".into(),
            );
        }
        if f.delay_minutes >= 24 * 60 {
            c.push(
                &format!("{P}.followup.delay_minutes"),
                format!("{}: allowed 0 to 1439 minutes", f.delay_minutes),
            );
        }
    }
}

fn qa_checks(c: &mut Checker, s: &Scenario, q: &Qa) {
    const P: &str = "mechanisms.qa";
    needs_groups(c, s, P);
    if q.mode == QaMode::Dedicated {
        schedule(c, s, &format!("{P}.schedule"), &q.schedule);
        let end = q.schedule.time.minute() + q.session_minutes;
        if q.session_minutes == 0 || end > 24 * 60 {
            c.push(
                &format!("{P}.session_minutes"),
                format!(
                    "{} minutes from {}: a session must last at least 1 minute and end by midnight",
                    q.session_minutes,
                    String::from(q.schedule.time)
                ),
            );
        }
        if q.warmup_total > 0.0 && q.schedule.time.minute() < 5 {
            c.push(
                &format!("{P}.schedule.time"),
                "a warm-up packet 5 minutes before needs a start at 00:05 or later".into(),
            );
        }
    }
    c.positive(&format!("{P}.members_per_agent"), q.members_per_agent);
    c.positive(&format!("{P}.answer_minutes"), q.answer_minutes);
    c.non_negative(
        &format!("{P}.session_question_rate"),
        q.session_question_rate,
    );
    c.positive(
        &format!("{P}.session_patience_minutes"),
        q.session_patience_minutes,
    );
    c.positive(
        &format!("{P}.satisfied_within_minutes"),
        q.satisfied_within_minutes,
    );
    c.prob(
        &format!("{P}.ordinary_question_rate"),
        q.ordinary_question_rate,
    );
    c.positive(
        &format!("{P}.adhoc_response_minutes"),
        q.adhoc_response_minutes,
    );
    c.positive(
        &format!("{P}.adhoc_patience_minutes"),
        q.adhoc_patience_minutes,
    );
    c.prob(&format!("{P}.purchase_questions"), q.purchase_questions);
    for (k, v) in [
        ("answer_discount", q.answer_discount),
        ("core_coupon", q.core_coupon),
        ("closing_discount", q.closing_discount),
    ] {
        c.non_negative(&format!("{P}.{k}"), v);
        if v >= s.product.price {
            c.push(
                &format!("{P}.{k}"),
                format!(
                    "{v} is not below the price {}: allowed 0 to less than the price",
                    s.product.price
                ),
            );
        }
    }
    c.positive(&format!("{P}.core_coupon_minutes"), q.core_coupon_minutes);
    c.range(&format!("{P}.case_strength"), q.case_strength, -5.0, 5.0);
    c.non_negative(&format!("{P}.warmup_total"), q.warmup_total);
    if q.warmup_total > 0.0
        && (q.warmup_packets == 0 || q.warmup_total / (q.warmup_packets as f64) < 0.01)
    {
        c.push(
            &format!("{P}.warmup_packets"),
            format!(
                "{} packets cannot split {}",
                q.warmup_packets, q.warmup_total
            ),
        );
    }
    c.non_negative(&format!("{P}.wage_per_hour"), q.wage_per_hour);
    if let Some(pc) = &q.precollect {
        c.prob(&format!("{P}.precollect.rate"), pc.rate);
        c.non_negative(&format!("{P}.precollect.coupon"), pc.coupon);
        if q.mode != QaMode::Dedicated {
            c.push(
                &format!("{P}.precollect"),
                "pre-collection feeds a dedicated session: it needs mode = \"dedicated\"".into(),
            );
        }
    }
}

/// Log-odds parameters: finite and within ±20.
fn log_odds(c: &mut Checker, path: &str, v: f64) {
    c.range(path, v, -20.0, 20.0);
}

fn votes(c: &mut Checker, s: &Scenario, v: &Votes) {
    const P: &str = "mechanisms.votes";
    needs_groups(c, s, P);
    if v.program.is_empty() {
        c.push(
            &format!("{P}.program"),
            "no vote programs: add at least one [[mechanisms.votes.program]]".into(),
        );
    }
    for (k, p) in v.program.iter().enumerate() {
        let q = format!("{P}.program[{k}]");
        schedule(c, s, &format!("{q}.schedule"), &p.schedule);
        c.range(&format!("{q}.open_hours"), p.open_hours, 0.25, 72.0);
        if p.choices < 2 {
            c.push(
                &format!("{q}.choices"),
                format!("{} is out of range: allowed at least 2 choices", p.choices),
            );
        }
        c.non_negative(&format!("{q}.participation_coupon"), p.participation_coupon);
        c.non_negative(&format!("{q}.winner_bonus"), p.winner_bonus);
        if p.coupon_valid_days == 0 {
            c.push(
                &format!("{q}.coupon_valid_days"),
                "0 is out of range: allowed at least 1 day".into(),
            );
        }
        if p.result_delay_minutes > 24 * 60 {
            c.push(
                &format!("{q}.result_delay_minutes"),
                format!(
                    "{} is out of range: allowed 0 to 1440",
                    p.result_delay_minutes
                ),
            );
        }
        c.non_negative(&format!("{q}.result_coupon"), p.result_coupon);
        if p.result_valid_minutes == 0 {
            c.push(
                &format!("{q}.result_valid_minutes"),
                "0 is out of range: allowed at least 1 minute".into(),
            );
        }
    }
    if let Some(cap) = v.reward_cap_share {
        c.prob(&format!("{P}.reward_cap_share"), cap);
    }
    log_odds(c, &format!("{P}.participation_base"), v.participation_base);
    let r = &v.relevance;
    for (k, x) in [
        ("product_choice", r.product_choice),
        ("discount_format", r.discount_format),
        ("usage_scenario", r.usage_scenario),
        ("new_product_test", r.new_product_test),
        ("general", r.general),
    ] {
        log_odds(c, &format!("{P}.relevance.{k}"), x);
    }
    log_odds(c, &format!("{P}.reward_weight"), v.reward_weight);
    log_odds(c, &format!("{P}.engagement_weight"), v.engagement_weight);
    c.positive(&format!("{P}.visibility_hours"), v.visibility_hours);
    c.range(
        &format!("{P}.participation_engagement"),
        v.participation_engagement,
        -1.0,
        1.0,
    );
    log_odds(c, &format!("{P}.involvement_intent"), v.involvement_intent);
    c.prob(&format!("{P}.anticipation"), v.anticipation);
    log_odds(c, &format!("{P}.link_strength"), v.link_strength);
}

fn order_proofs(c: &mut Checker, s: &Scenario, v: &OrderProofs) {
    const P: &str = "mechanisms.order_proofs";
    needs_groups(c, s, P);
    if v.tiers.is_empty() {
        c.push(
            &format!("{P}.tiers"),
            "no reward tiers: allowed one or more, e.g. [{ cash = 5.0 }]".into(),
        );
    }
    let mut last = 0.0;
    for (k, t) in v.tiers.iter().enumerate() {
        let q = format!("{P}.tiers[{k}]");
        c.non_negative(&format!("{q}.cash"), t.cash);
        c.non_negative(&format!("{q}.coupon"), t.coupon);
        let final_tier = k + 1 == v.tiers.len();
        match t.below {
            Some(b) if final_tier => c.push(
                &format!("{q}.below"),
                format!("the last tier must be open-ended: remove `below = {b}` (orders of any higher value fall in it)"),
            ),
            Some(b) if !(b > last && b.is_finite()) => c.push(
                &format!("{q}.below"),
                format!("{b} is out of order: tiers must have increasing `below` values above {last}"),
            ),
            Some(b) => last = b,
            None if !final_tier => c.push(
                &format!("{q}.below"),
                "missing: every tier but the last needs `below` (its upper order value)".into(),
            ),
            None => {}
        }
    }
    if v.coupon_valid_days == 0 {
        c.push(
            &format!("{P}.coupon_valid_days"),
            "0 is out of range: allowed at least 1 day".into(),
        );
    }
    c.non_negative(&format!("{P}.manual_above"), v.manual_above);
    c.non_negative(&format!("{P}.check_minutes"), v.check_minutes);
    c.non_negative(&format!("{P}.wage_per_hour"), v.wage_per_hour);
    c.non_negative(&format!("{P}.auto_check_cost"), v.auto_check_cost);
    if let Some(b) = v.weekly_budget_share {
        c.prob(&format!("{P}.weekly_budget_share"), b);
    }
    c.non_negative(&format!("{P}.quality_bonus"), v.quality_bonus);
    if let Some(cu) = &v.curation {
        let q = format!("{P}.curation");
        if cu.per_week > 7 {
            c.push(
                &format!("{q}.per_week"),
                format!(
                    "{} is out of range: allowed 0 to 7 pushes a week",
                    cu.per_week
                ),
            );
        }
        c.non_negative(&format!("{q}.coupon"), cu.coupon);
        if cu.valid_minutes == 0 {
            c.push(
                &format!("{q}.valid_minutes"),
                "0 is out of range: allowed at least 1 minute".into(),
            );
        }
        if cu.pinned_per_week > 50 {
            c.push(
                &format!("{q}.pinned_per_week"),
                format!("{} is out of range: allowed 0 to 50", cu.pinned_per_week),
            );
        }
        c.prob(&format!("{q}.forward"), cu.forward);
        c.range(
            &format!("{q}.reach_per_forward"),
            cu.reach_per_forward,
            0.0,
            1000.0,
        );
    }
    for (k, x) in [
        ("post_base", v.post_base),
        ("reward_weight", v.reward_weight),
        ("story_base", v.story_base),
        ("story_bonus_weight", v.story_bonus_weight),
        ("story_appeal", v.story_appeal),
        ("story_strength", v.story_strength),
        ("open_base", v.open_base),
        ("forward_open_base", v.forward_open_base),
        ("proof_strength", v.proof_strength),
    ] {
        log_odds(c, &format!("{P}.{k}"), x);
    }
    c.prob(&format!("{P}.unaware_share"), v.unaware_share);
    c.range(&format!("{P}.fake_rate"), v.fake_rate, 0.0, 1.0);
    c.prob(&format!("{P}.fake_pass"), v.fake_pass);
    c.prob(&format!("{P}.reaction"), v.reaction);
    c.positive(&format!("{P}.message_life_hours"), v.message_life_hours);
    c.prob(&format!("{P}.poster_satisfaction"), v.poster_satisfaction);
}

fn flash_sale(c: &mut Checker, s: &Scenario, v: &FlashSale) {
    const P: &str = "mechanisms.flash_sale";
    needs_groups(c, s, P);
    schedule(c, s, &format!("{P}.schedule"), &v.schedule);
    let open = v.schedule.time.minute();
    if v.window_minutes == 0 || open + v.window_minutes > 24 * 60 {
        c.push(
            &format!("{P}.window_minutes"),
            format!(
                "{} is out of range: allowed 1 to {} (the sale must end by midnight)",
                v.window_minutes,
                24 * 60 - open
            ),
        );
    }
    if v.announce_minutes > open {
        c.push(
            &format!("{P}.announce_minutes"),
            format!(
                "{} is out of range: allowed 0 to {open} (announced the same day)",
                v.announce_minutes
            ),
        );
    }
    c.non_negative(&format!("{P}.discount"), v.discount);
    if v.discount >= s.product.price {
        c.push(
            &format!("{P}.discount"),
            format!(
                "{} is out of range: allowed below the price {}",
                v.discount, s.product.price
            ),
        );
    }
    log_odds(c, &format!("{P}.visit_base"), v.visit_base);
    log_odds(c, &format!("{P}.scarcity_weight"), v.scarcity_weight);
    log_odds(c, &format!("{P}.buy_base"), v.buy_base);
}

fn share_draw(c: &mut Checker, s: &Scenario, v: &ShareDraw) {
    const P: &str = "mechanisms.share_draw";
    needs_groups(c, s, P);
    schedule(c, s, &format!("{P}.schedule"), &v.schedule);
    if v.shares_required == 0 || v.shares_required > 20 {
        c.push(
            &format!("{P}.shares_required"),
            format!(
                "{} is out of range: allowed 1 to 20 friend groups",
                v.shares_required
            ),
        );
    }
    c.non_negative(&format!("{P}.gift_value"), v.gift_value);
    c.range(&format!("{P}.open_hours"), v.open_hours, 0.25, 168.0);
    for (k, x) in [
        ("participation_base", v.participation_base),
        ("effort_weight", v.effort_weight),
        ("prize_weight", v.prize_weight),
        ("outsider_click_base", v.outsider_click_base),
    ] {
        log_odds(c, &format!("{P}.{k}"), x);
    }
    c.range(
        &format!("{P}.reach_per_share"),
        v.reach_per_share,
        0.0,
        10_000.0,
    );
    c.range(
        &format!("{P}.participation_engagement"),
        v.participation_engagement,
        -1.0,
        1.0,
    );
}

fn targeted_push(c: &mut Checker, s: &Scenario, v: &TargetedPush) {
    const P: &str = "mechanisms.targeted_push";
    needs_groups(c, s, P);
    schedule(c, s, &format!("{P}.schedule"), &v.schedule);
    if v.visits_to_tag == 0 {
        c.push(
            &format!("{P}.visits_to_tag"),
            "0 is out of range: allowed at least 1 visit".into(),
        );
    }
    c.non_negative(&format!("{P}.coupon"), v.coupon);
    if v.valid_minutes == 0 {
        c.push(
            &format!("{P}.valid_minutes"),
            "0 is out of range: allowed at least 1 minute".into(),
        );
    }
    log_odds(c, &format!("{P}.open_base"), v.open_base);
    log_odds(c, &format!("{P}.personal_strength"), v.personal_strength);
}

fn influencers(c: &mut Checker, s: &Scenario, inf: &Influencers) {
    const P: &str = "mechanisms.influencers";
    c.positive(&format!("{P}.budget"), inf.budget);
    let per_tier = |c: &mut Checker, key: &str, t: &Tiers, check: fn(&mut Checker, &str, f64)| {
        check(c, &format!("{P}.{key}.micro"), t.micro);
        check(c, &format!("{P}.{key}.macro"), t.macro_);
    };
    per_tier(c, "split", &inf.split, Checker::prob);
    let sum = inf.split.micro + inf.split.macro_;
    if (sum - 1.0).abs() > 1e-9 {
        c.push(
            &format!("{P}.split"),
            format!(
                "micro {} + macro {} = {sum}: the tiers' shares of the budget must sum to 1",
                inf.split.micro, inf.split.macro_
            ),
        );
    }
    per_tier(c, "fee", &inf.fee, Checker::positive);
    per_tier(
        c,
        "fee_per_1000_followers",
        &inf.fee_per_1000_followers,
        Checker::non_negative,
    );
    per_tier(
        c,
        "disclosure_penalty",
        &inf.disclosure_penalty,
        |c, p, v| c.range(p, v, 0.0, 5.0),
    );
    let b = &s.population.bloggers;
    c.non_negative(&format!("{P}.min_followers"), inf.min_followers);
    if inf.min_followers >= b.macro_threshold {
        c.push(
            &format!("{P}.min_followers"),
            format!(
                "{} leaves no micro tier below population.bloggers.macro_threshold = {}: allowed 0 to less than the threshold",
                inf.min_followers, b.macro_threshold
            ),
        );
    }
    if b.count == 0 {
        c.push(
            "population.bloggers.count",
            format!("0 bloggers: [{P}] needs bloggers to pay; allowed at least 1"),
        );
    }
    let last = s.horizon_days.saturating_sub(1);
    for (i, d) in inf.post_days.iter().enumerate() {
        if *d >= s.horizon_days {
            c.push(
                &format!("{P}.post_days[{i}]"),
                format!("day {d} is outside the horizon: allowed 0 to {last}"),
            );
        }
    }
    if inf.post_days.is_empty() && (inf.spread_days == 0 || inf.spread_days > s.horizon_days) {
        c.push(
            &format!("{P}.spread_days"),
            format!(
                "{} days: allowed 1 to the horizon ({} days)",
                inf.spread_days, s.horizon_days
            ),
        );
    }
    c.range(&format!("{P}.post_strength"), inf.post_strength, -5.0, 5.0);
    c.prob(&format!("{P}.affiliate"), inf.affiliate);
    c.range(&format!("{P}.feed_decay"), inf.feed_decay, 0.0, 0.99);
    c.non_negative(
        &format!("{P}.discovery_views_per_day"),
        inf.discovery_views_per_day,
    );
    if let Some(g) = &inf.giveaway {
        c.non_negative(&format!("{P}.giveaway.prize"), g.prize);
        if g.winners == 0 {
            c.push(
                &format!("{P}.giveaway.winners"),
                "0 is out of range: allowed at least 1 winner".into(),
            );
        }
        c.range(&format!("{P}.giveaway.view_lift"), g.view_lift, 1.0, 20.0);
        c.prob(&format!("{P}.giveaway.entry_rate"), g.entry_rate);
        c.range(
            &format!("{P}.giveaway.entry_intent"),
            g.entry_intent,
            -20.0,
            20.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;

    const BASE: &str = "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n";

    fn errs(extra: &str) -> String {
        match load_str(&format!("{BASE}{extra}"), "x.toml", &[]) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn excluded_category_is_rejected() {
        let text = BASE.replace("unit_cost = 4.0", "unit_cost = 4.0\ncategory = \"adult\"");
        let e = load_str(
            &format!("{text}[mechanisms.blogger_reviews]\n"),
            "x.toml",
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("excluded"), "{e}");
        assert_eq!(e.problems[0].path, "product.category");
    }

    #[test]
    fn too_many_bloggers() {
        let e = errs("[mechanisms.blogger_reviews]\nbloggers = 500\n");
        assert!(e.contains("mechanisms.blogger_reviews.bloggers"), "{e}");
    }

    #[test]
    fn bad_distribution_is_named() {
        let e = errs(
            "[population.groups]\ncount = 3\nsize = { dist = \"normal\", mean = 300, sd = 50 }\n",
        );
        assert!(e.contains("population.groups.size"), "{e}");
    }

    #[test]
    fn all_problems_are_reported() {
        let e = errs("[behaviour.organic]\nbass_p = 2.0\nbass_q = -1.0\n");
        assert!(e.contains("bass_p") && e.contains("bass_q"), "{e}");
    }

    const GROUPS: &str = "[population.groups]\ncount = 2\n";

    #[test]
    fn forward_open_base_is_a_log_odds() {
        let ok = errs(&format!(
            "{GROUPS}[mechanisms.order_proofs]\nforward_open_base = -1.0\ncuration = {{ per_week = 3 }}\n"
        ));
        assert!(ok.is_empty(), "{ok}");
        for bad in ["25.0", "-20.5", "nan"] {
            let e = errs(&format!(
                "{GROUPS}[mechanisms.order_proofs]\nforward_open_base = {bad}\n"
            ));
            assert!(
                e.contains("mechanisms.order_proofs.forward_open_base")
                    && e.contains("allowed -20 to 20"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn curation_forwards_are_checked() {
        let e = errs(&format!(
            "{GROUPS}[mechanisms.order_proofs]\ncuration = {{ forward = 1.5, reach_per_forward = -1.0 }}\n"
        ));
        assert!(
            e.contains("mechanisms.order_proofs.curation.forward")
                && e.contains("mechanisms.order_proofs.curation.reach_per_forward")
                && e.contains("allowed 0 to 1000"),
            "{e}"
        );
    }

    #[test]
    fn influencer_split_must_sum_to_one() {
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 0.7, macro = 0.5 }\n");
        assert!(e.contains("`mechanisms.influencers.split`"), "{e}");
        assert!(e.contains("1.2"), "{e}");
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 1.5, macro = -0.5 }\n");
        assert!(e.contains("mechanisms.influencers.split.micro"), "{e}");
        assert!(e.contains("mechanisms.influencers.split.macro"), "{e}");
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 1.0 }\n");
        assert!(
            e.contains("mechanisms.influencers.split") && e.contains("macro"),
            "{e}"
        );
    }

    #[test]
    fn influencer_keys_are_checked() {
        let e = errs(
            "[mechanisms.influencers]\nbudget = -1\nfee = { micro = 0, macro = 9000 }\n\
             post_days = [3, 400]\naffiliate = 1.5\nmin_followers = 200000\n\
             giveaway = { winners = 0, entry_rate = 2 }\n",
        );
        for key in [
            "mechanisms.influencers.budget",
            "mechanisms.influencers.fee.micro",
            "mechanisms.influencers.post_days[1]",
            "mechanisms.influencers.affiliate",
            "mechanisms.influencers.min_followers",
            "mechanisms.influencers.giveaway.winners",
            "mechanisms.influencers.giveaway.entry_rate",
        ] {
            assert!(e.contains(&format!("`{key}`")), "{key} not named in: {e}");
        }
        assert!(!e.contains("post_days[0]"), "{e}");
    }

    #[test]
    fn daily_repurchase_needs_its_probability() {
        let e = errs("[behaviour.repurchase]\nmodel = \"daily\"\n");
        assert!(e.contains("behaviour.repurchase.daily_probability"), "{e}");
        assert!(e.contains("missing"), "{e}");
        assert_eq!(
            errs("[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 0.01\n"),
            ""
        );
    }

    #[test]
    fn daily_repurchase_values_are_checked() {
        let e = errs(
            "[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 1.5\n\
             daily_probability_shape = 0\ndaily_dropout = -0.1\n",
        );
        for key in [
            "daily_probability`",
            "daily_probability_shape",
            "daily_dropout",
        ] {
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn daily_keys_are_rejected_under_bgnbd() {
        let e = errs("[behaviour.repurchase]\ndaily_probability = 0.01\n");
        assert!(e.contains("behaviour.repurchase.daily_probability"), "{e}");
        assert!(e.contains("only used by the daily model"), "{e}");
    }

    #[test]
    fn unknown_repurchase_model_names_the_allowed_ones() {
        let e = errs("[behaviour.repurchase]\nmodel = \"weekly\"\n");
        assert!(e.contains("bgnbd") && e.contains("daily"), "{e}");
    }

    #[test]
    fn disabled_mechanism_is_not_checked() {
        let text = BASE.replace("unit_cost = 4.0", "unit_cost = 4.0\ncategory = \"adult\"");
        assert!(
            load_str(
                &format!("{text}[mechanisms.blogger_reviews]\nenabled = false\n"),
                "x",
                &[]
            )
            .is_ok()
        );
    }
}
