use crate::dist::{DistSpec, Support};
use crate::settings::{Base, Check, Checker};
use serde::{Deserialize, Serialize};

/// Categories the marketplace excludes from the blogger review program (docs/field-figures.md §2.1).
pub const EXCLUDED_CATEGORIES: &[&str] = &["adult", "feminine_hygiene"];

/// How bloggers are chosen among those who answered the application.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// The seller picks among respondents by `manual_criterion`.
    #[default]
    Manual,
    /// The platform assigns respondents at random.
    Automatic,
}

/// What a seller ranks respondents by under manual selection.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Engagement × audience relevance, as field guidance recommends.
    #[default]
    Fit,
    /// Follower count.
    Followers,
}

/// How the free products are shipped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Logistics {
    /// The platform's own logistics: free shipping, tracked.
    #[default]
    Platform,
    /// The seller's tracked post: `shipping_cost` per parcel, nothing lost.
    Tracked,
    /// Untracked post: `shipping_cost` per parcel, a parcel may vanish without a trace.
    Untracked,
}

/// The blogger review program: free products for public, honest reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BloggerReviews {
    /// Switch the mechanism off without deleting it (default true).
    pub enabled: bool,
    /// Name of the review application (default "review application").
    pub application: String,
    /// Product id on the marketplace (default: empty).
    pub product_id: String,
    /// Blogger selection mode (default manual).
    pub selection: Selection,
    /// Ranking used under manual selection (default fit).
    pub manual_criterion: Criterion,
    /// Free products to send, i.e. bloggers wanted (default 20).
    pub bloggers: u32,
    /// Day the application opens and products ship (default 0).
    pub start_day: u32,
    /// Share of the blogger pool answering the application (default 0.4).
    pub response_rate: f64,
    /// Shipping (default platform).
    pub logistics: Logistics,
    /// Shipping cost per parcel when not on platform logistics (default 10).
    pub shipping_cost: f64,
    /// Probability that an untracked parcel is lost (default 0.08).
    pub untracked_loss_rate: f64,
    /// Delivery time in days (default uniform 2–6).
    pub delivery_days: DistSpec,
    /// A review later than this many days after receipt is cancelled (default 20).
    pub review_deadline_days: u32,
    /// Mean days from receipt to review for a blogger of punctuality 1 (default 6);
    /// a blogger of punctuality `u` takes `Exp(mean / u)` days.
    pub review_delay_mean_days: f64,
    /// Standard deviation of the log-normal error with which the seller judges a
    /// respondent's fit (engagement × relevance) under manual selection (default 0.3).
    pub judgement_sd: f64,
    /// Concentration of an honest review's sentiment around the product's quality:
    /// `Beta(mean = product.quality, concentration)` (default 8).
    pub sentiment_concentration: f64,
    /// Sentiment of the mildest review of a defective unit or wrong variant (default −0.4);
    /// such reviews are uniform between this and `defect_sentiment_worst`.
    pub defect_sentiment_best: f64,
    /// Sentiment of the harshest review of a defective unit or wrong variant (default −1).
    pub defect_sentiment_worst: f64,
    /// Weight of the honest sentiment `B` in a review of a unit with damaged packaging,
    /// `damaged_sentiment_scale · B + damaged_sentiment_shift` (default 0.5).
    pub damaged_sentiment_scale: f64,
    /// Shift of a review of a unit with damaged packaging (default −0.3).
    pub damaged_sentiment_shift: f64,
    /// Share of a post's feed views that happen on each following day (default 0.5).
    pub feed_decay: f64,
    /// Engaged discovery-tab views per review per day by non-followers, per unit of the
    /// blogger's engagement rate: `Poisson(discovery_views_per_day · engagement)` a day
    /// (default 2).
    pub discovery_views_per_day: f64,
    /// Days a review stays in the discovery tab (default 7).
    pub discovery_days: u32,
}

impl Default for BloggerReviews {
    fn default() -> Self {
        BloggerReviews {
            enabled: true,
            application: "review application".into(),
            product_id: String::new(),
            selection: Selection::Manual,
            manual_criterion: Criterion::Fit,
            bloggers: 20,
            start_day: 0,
            response_rate: 0.4,
            logistics: Logistics::Platform,
            shipping_cost: 10.0,
            untracked_loss_rate: 0.08,
            delivery_days: DistSpec::Uniform { min: 2.0, max: 6.0 },
            review_deadline_days: 20,
            review_delay_mean_days: 6.0,
            judgement_sd: 0.3,
            sentiment_concentration: 8.0,
            defect_sentiment_best: -0.4,
            defect_sentiment_worst: -1.0,
            damaged_sentiment_scale: 0.5,
            damaged_sentiment_shift: -0.3,
            feed_decay: 0.5,
            discovery_views_per_day: 2.0,
            discovery_days: 7,
        }
    }
}

impl Check for BloggerReviews {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let table = c.path("");
        let BloggerReviews {
            enabled: _,
            application: _,
            product_id: _,
            selection: _,
            manual_criterion: _,
            bloggers,
            start_day,
            response_rate,
            logistics: _,
            shipping_cost,
            untracked_loss_rate,
            delivery_days,
            review_deadline_days,
            review_delay_mean_days,
            judgement_sd,
            sentiment_concentration,
            defect_sentiment_best,
            defect_sentiment_worst,
            damaged_sentiment_scale,
            damaged_sentiment_shift,
            feed_decay,
            discovery_views_per_day,
            discovery_days: _,
        } = self;
        let cat = base
            .product
            .category
            .trim()
            .to_lowercase()
            .replace([' ', '-'], "_");
        if EXCLUDED_CATEGORIES.contains(&cat.as_str()) {
            c.push_root(
            "product.category",
            format!(
                "category \"{}\" is excluded from the blogger review program (excluded: {}); remove [{table}] or sell another category",
                base.product.category,
                EXCLUDED_CATEGORIES.join(", ")
            ),
        );
        }
        if !base.seller.top_store {
            c.push_root(
            "seller.top_store",
            format!("false: only top stores may use the blogger review program; remove [{table}] or set top_store = true"),
        );
        }
        if *bloggers == 0 {
            c.push("bloggers", "0 is out of range: allowed at least 1 blogger");
        }
        let pool = base.population.bloggers.count;
        if *bloggers > pool {
            c.push(
            "bloggers",
            format!(
                "{} bloggers wanted but the pool (population.bloggers.count) has {pool}: allowed at most {pool}",
                *bloggers
            ),
        );
        }
        if *start_day >= base.horizon_days {
            c.push(
                "start_day",
                format!(
                    "day {} is outside the horizon: allowed 0 to {}",
                    *start_day,
                    base.horizon_days.saturating_sub(1)
                ),
            );
        }
        c.prob("response_rate", *response_rate);
        if *response_rate == 0.0 {
            c.push(
                "response_rate",
                "0: no blogger could ever answer the application; allowed (0, 1]",
            );
        }
        c.non_negative("shipping_cost", *shipping_cost);
        c.prob("untracked_loss_rate", *untracked_loss_rate);
        c.dist("delivery_days", delivery_days, Support::NonNegative);
        if *review_deadline_days == 0 {
            c.push(
                "review_deadline_days",
                "0 is out of range: allowed at least 1 day",
            );
        }
        c.positive("review_delay_mean_days", *review_delay_mean_days);
        c.range("judgement_sd", *judgement_sd, 0.0, 3.0);
        c.range(
            "sentiment_concentration",
            *sentiment_concentration,
            0.1,
            1000.0,
        );
        c.range("defect_sentiment_best", *defect_sentiment_best, -1.0, 1.0);
        c.range(
            "defect_sentiment_worst",
            *defect_sentiment_worst,
            -1.0,
            *defect_sentiment_best,
        );
        c.range(
            "damaged_sentiment_scale",
            *damaged_sentiment_scale,
            0.0,
            1.0,
        );
        c.range(
            "damaged_sentiment_shift",
            *damaged_sentiment_shift,
            -1.0,
            1.0,
        );
        c.range("feed_decay", *feed_decay, 0.0, 0.99);
        c.non_negative("discovery_views_per_day", *discovery_views_per_day);
    }
}
