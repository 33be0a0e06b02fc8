use crate::dist::{DistSpec, Support};
use crate::settings::settings;
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

settings! {
    /// The blogger review program: free products for public, honest reviews.
    pub struct BloggerReviews {
        /// Switch the mechanism off without deleting it (default true).
        enabled: bool = true => any,
        /// Name of the review application (default "review application").
        application: String = "review application".into() => any,
        /// Product id on the marketplace (default: empty).
        product_id: String = String::new() => any,
        /// Blogger selection mode (default manual).
        selection: Selection = Selection::Manual => any,
        /// Ranking used under manual selection (default fit).
        manual_criterion: Criterion = Criterion::Fit => any,
        /// Free products to send, i.e. bloggers wanted (default 20).
        bloggers: u32 = 20 => at_least(1, "blogger"),
        /// Day the application opens and products ship (default 0).
        start_day: u32 = 0 => day,
        /// Share of the blogger pool answering the application (default 0.4).
        response_rate: f64 = 0.4 => prob,
        /// Shipping (default platform).
        logistics: Logistics = Logistics::Platform => any,
        /// Shipping cost per parcel when not on platform logistics (default 10).
        shipping_cost: f64 = 10.0 => money,
        /// Probability that an untracked parcel is lost (default 0.08).
        untracked_loss_rate: f64 = 0.08 => prob,
        /// Delivery time in days (default uniform 2–6).
        delivery_days: DistSpec = DistSpec::Uniform { min: 2.0, max: 6.0 }
            => dist(Support::NonNegative),
        /// A review later than this many days after receipt is cancelled (default 20).
        review_deadline_days: u32 = 20 => at_least(1, "day"),
        /// Mean days from receipt to review for a blogger of punctuality 1 (default 6);
        /// a blogger of punctuality `u` takes `Exp(mean / u)` days.
        review_delay_mean_days: f64 = 6.0 => positive,
        /// Standard deviation of the log-normal error with which the seller judges a
        /// respondent's fit (engagement × relevance) under manual selection (default 0.3).
        judgement_sd: f64 = 0.3 => range(0.0, 3.0),
        /// Concentration of an honest review's sentiment around the product's quality:
        /// `Beta(mean = product.quality, concentration)` (default 8).
        sentiment_concentration: f64 = 8.0 => range(0.1, 1000.0),
        /// Sentiment of the mildest review of a defective unit or wrong variant (default −0.4);
        /// such reviews are uniform between this and `defect_sentiment_worst`.
        defect_sentiment_best: f64 = -0.4 => range(-1.0, 1.0),
        /// Sentiment of the harshest review of a defective unit or wrong variant (default −1).
        defect_sentiment_worst: f64 = -1.0 => custom,
        /// Weight of the honest sentiment `B` in a review of a unit with damaged packaging,
        /// `damaged_sentiment_scale · B + damaged_sentiment_shift` (default 0.5).
        damaged_sentiment_scale: f64 = 0.5 => range(0.0, 1.0),
        /// Shift of a review of a unit with damaged packaging (default −0.3).
        damaged_sentiment_shift: f64 = -0.3 => range(-1.0, 1.0),
        /// Share of a post's feed views that happen on each following day (default 0.5).
        feed_decay: f64 = 0.5 => range(0.0, 0.99),
        /// Engaged discovery-tab views per review per day by non-followers, per unit of the
        /// blogger's engagement rate: `Poisson(discovery_views_per_day · engagement)` a day
        /// (default 2).
        discovery_views_per_day: f64 = 2.0 => non_negative,
        /// Days a review stays in the discovery tab (default 7).
        discovery_days: u32 = 7 => any,
    }
    check(self, base, c) {
        let table = c.path("");
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
        let pool = base.population.bloggers.count;
        if self.bloggers > pool {
            c.push(
                "bloggers",
                format!(
                    "{} bloggers wanted but the pool (population.bloggers.count) has {pool}: allowed at most {pool}",
                    self.bloggers
                ),
            );
        }
        if self.response_rate == 0.0 {
            c.push(
                "response_rate",
                "0: no blogger could ever answer the application; allowed (0, 1]",
            );
        }
        let best = self.defect_sentiment_best;
        c.range("defect_sentiment_worst", self.defect_sentiment_worst, -1.0, best);
    }
}
