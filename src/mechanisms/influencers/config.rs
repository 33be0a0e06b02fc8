use crate::settings::rules::Leaves;
use crate::settings::settings;
use serde::{Deserialize, Serialize};

/// One value per blogger tier, written `{ micro = …, macro = … }` with both tiers named.
///
/// A blogger is *macro* from `population.bloggers.macro_threshold` followers, *micro* below.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// Value for micro bloggers.
    pub micro: f64,
    /// Value for macro bloggers.
    #[serde(rename = "macro")]
    pub macro_: f64,
}

impl Tiers {
    /// Micro and macro values.
    pub const fn new(micro: f64, macro_: f64) -> Tiers {
        Tiers { micro, macro_ }
    }

    /// The value of tier `t` (0 = micro, 1 = macro).
    pub fn at(&self, t: usize) -> f64 {
        if t == 0 { self.micro } else { self.macro_ }
    }
}

/// A numeric rule checks both tiers, under `key.micro` and `key.macro`.
impl Leaves<f64> for Tiers {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &f64)) {
        f(&format!("{key}.micro"), &self.micro);
        f(&format!("{key}.macro"), &self.macro_);
    }
}

/// How the seller ranks the bloggers of a tier when buying paid posts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Ranking {
    /// Engagement × audience relevance, judged with noise (as field guidance recommends).
    #[default]
    Fit,
    /// Follower count, largest first.
    Followers,
    /// At random (e.g. an agency's roster).
    Random,
}

settings! {
    /// A giveaway run with each paid post: followers enter (like, follow, comment) to win prizes.
    pub struct Giveaway {
        /// Value of one prize, booked as cost for every winner (default 100).
        prize: f64 = 100.0 => money,
        /// Prizes per post (default 3); fewer when fewer followers entered.
        winners: u32 = 3 => at_least(1, "winner"),
        /// Multiplier of the post's engaged audience: giveaway posts are liked, commented and
        /// shared more (default 1.5).
        view_lift: f64 = 1.5 => range(1.0, 20.0),
        /// Probability that an engaged viewer enters while the giveaway is open (default 0.3).
        entry_rate: f64 = 0.3 => prob,
        /// Intent (log-odds) an entrant gains: entering makes a buyer think about the product
        /// (default 0.4).
        entry_intent: f64 = 0.4 => log_odds,
        /// Days from the post to the draw; the giveaway is open until then (default 7).
        draw_days: u32 = 7 => any,
    }
}

settings! {
    /// Paid influencer collaborations (docs/field-figures.md §2.2): paid posts by tier from a budget split
    /// across tiers, affiliate commissions, sponsored-content disclosure and giveaways.
    /// See [`crate::mechanisms::influencers`] for the model.
    pub struct Influencers {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// Total budget for post fees and giveaway prizes (default 50,000). Affiliate
        /// commissions are paid on top, out of the attributed sales.
        budget: f64 = 50_000.0 => positive_money,
        /// Share of the budget per tier, summing to 1 (default micro 0.7, macro 0.3).
        split: Tiers = Tiers::new(0.7, 0.3) => prob,
        /// Fixed part of a post's fee, per tier (default micro 300, macro 8,000).
        fee: Tiers = Tiers::new(300.0, 8000.0) => positive_money,
        /// Part of a post's fee per 1,000 followers, per tier (default micro 50, macro 40): a
        /// blogger with `f` followers charges `fee + fee_per_1000_followers · f / 1000`.
        fee_per_1000_followers: Tiers = Tiers::new(50.0, 40.0) => money,
        /// Smallest follower count the seller buys posts from (default 1,000: nano accounts are
        /// not bought). Micro bloggers have `min_followers ≤ f < population.bloggers.macro_threshold`.
        min_followers: f64 = 1000.0 => non_negative,
        /// How bloggers of a tier are ranked for buying (default fit).
        selection: Ranking = Ranking::Fit => any,
        /// Standard deviation of the log-normal error with which the seller judges a blogger's
        /// fit (engagement × relevance) under `selection = "fit"` (default 0.3).
        judgement_sd: f64 = 0.3 => range(0.0, 3.0),
        /// Days the posts go out, assigned in buying order, round robin (default empty: use
        /// `spread_days`).
        post_days: Vec<u32> = Vec::new() => day,
        /// Posts go out on a random day among the first `spread_days` days, when `post_days` is
        /// empty (default 14).
        spread_days: u32 = 14 => custom,
        /// Persuasive strength of a paid post for a blogger of review quality 1, in social-proof
        /// units (default 0.75: a typical honest review of a sound unit of default quality).
        post_strength: f64 = 0.75 => range(-5.0, 5.0),
        /// Affiliate commission rate on the value of each attributed order (default 0: no
        /// affiliate link).
        affiliate: f64 = 0.0 => prob,
        /// Posts carry a "sponsored" label (default true).
        disclosure: bool = true => any,
        /// Trust penalty (log-odds) of a labelled post, per tier (default micro 0.15,
        /// macro 0.3): a macro blogger's audience discounts paid praise more.
        disclosure_penalty: Tiers = Tiers::new(0.15, 0.3) => range(0.0, 5.0),
        /// Share of a post's feed views that happen on each following day (default 0.5).
        feed_decay: f64 = 0.5 => range(0.0, 0.99),
        /// Discovery-tab views per post per day by non-followers, per unit of the blogger's
        /// engagement rate: `Poisson(discovery_views_per_day · engagement)` a day, as the review
        /// program draws them (default 2).
        discovery_views_per_day: f64 = 2.0 => non_negative,
        /// Days a post stays in the discovery tab (default 7).
        discovery_days: u32 = 7 => any,
        /// A giveaway with every post (absent: none).
        #[serde(skip_serializing_if = "Option::is_none")]
        giveaway: Option<Giveaway> = None => nested,
    }
    check(self, base, c) {
        let table = c.path("");
        let split = &self.split;
        let sum = split.micro + split.macro_;
        if (sum - 1.0).abs() > 1e-9 {
            c.push(
                "split",
                format!(
                    "micro {} + macro {} = {sum}: the tiers' shares of the budget must sum to 1",
                    split.micro, split.macro_
                ),
            );
        }
        let b = &base.population.bloggers;
        if self.min_followers >= b.macro_threshold {
            c.push(
                "min_followers",
                format!(
                    "{} leaves no micro tier below population.bloggers.macro_threshold = {}: allowed 0 to less than the threshold",
                    self.min_followers, b.macro_threshold
                ),
            );
        }
        if b.count == 0 {
            c.push_root(
                "population.bloggers.count",
                format!("0 bloggers: [{table}] needs bloggers to pay; allowed at least 1"),
            );
        }
        let spread = self.spread_days;
        if self.post_days.is_empty() && (spread == 0 || spread > base.horizon_days) {
            c.push(
                "spread_days",
                format!(
                    "{spread} days: allowed 1 to the horizon ({} days)",
                    base.horizon_days
                ),
            );
        }
    }
}
