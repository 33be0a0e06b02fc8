use crate::settings::{Base, Check, Checker};
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
    /// The value of tier `t` (0 = micro, 1 = macro).
    pub fn at(&self, t: usize) -> f64 {
        if t == 0 { self.micro } else { self.macro_ }
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

/// A giveaway run with each paid post: followers enter (like, follow, comment) to win prizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Giveaway {
    /// Value of one prize, booked as cost for every winner (default 100).
    pub prize: f64,
    /// Prizes per post (default 3); fewer when fewer followers entered.
    pub winners: u32,
    /// Multiplier of the post's engaged audience: giveaway posts are liked, commented and
    /// shared more (default 1.5).
    pub view_lift: f64,
    /// Probability that an engaged viewer enters while the giveaway is open (default 0.3).
    pub entry_rate: f64,
    /// Intent (log-odds) an entrant gains: entering makes a buyer think about the product
    /// (default 0.4).
    pub entry_intent: f64,
    /// Days from the post to the draw; the giveaway is open until then (default 7).
    pub draw_days: u32,
}

impl Default for Giveaway {
    fn default() -> Self {
        Giveaway {
            prize: 100.0,
            winners: 3,
            view_lift: 1.5,
            entry_rate: 0.3,
            entry_intent: 0.4,
            draw_days: 7,
        }
    }
}

/// Paid influencer collaborations (docs/field-figures.md §2.2): paid posts by tier from a budget split
/// across tiers, affiliate commissions, sponsored-content disclosure and giveaways.
/// See [`crate::mechanisms::influencers`] for the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Influencers {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// Total budget for post fees and giveaway prizes (default 50,000). Affiliate
    /// commissions are paid on top, out of the attributed sales.
    pub budget: f64,
    /// Share of the budget per tier, summing to 1 (default micro 0.7, macro 0.3).
    pub split: Tiers,
    /// Fixed part of a post's fee, per tier (default micro 300, macro 8,000).
    pub fee: Tiers,
    /// Part of a post's fee per 1,000 followers, per tier (default micro 50, macro 40): a
    /// blogger with `f` followers charges `fee + fee_per_1000_followers · f / 1000`.
    pub fee_per_1000_followers: Tiers,
    /// Smallest follower count the seller buys posts from (default 1,000: nano accounts are
    /// not bought). Micro bloggers have `min_followers ≤ f < population.bloggers.macro_threshold`.
    pub min_followers: f64,
    /// How bloggers of a tier are ranked for buying (default fit).
    pub selection: Ranking,
    /// Standard deviation of the log-normal error with which the seller judges a blogger's
    /// fit (engagement × relevance) under `selection = "fit"` (default 0.3).
    pub judgement_sd: f64,
    /// Days the posts go out, assigned in buying order, round robin (default empty: use
    /// `spread_days`).
    pub post_days: Vec<u32>,
    /// Posts go out on a random day among the first `spread_days` days, when `post_days` is
    /// empty (default 14).
    pub spread_days: u32,
    /// Persuasive strength of a paid post for a blogger of review quality 1, in social-proof
    /// units (default 0.75: a typical honest review of a sound unit of default quality).
    pub post_strength: f64,
    /// Affiliate commission rate on the value of each attributed order (default 0: no
    /// affiliate link).
    pub affiliate: f64,
    /// Posts carry a "sponsored" label (default true).
    pub disclosure: bool,
    /// Trust penalty (log-odds) of a labelled post, per tier (default micro 0.15,
    /// macro 0.3): a macro blogger's audience discounts paid praise more.
    pub disclosure_penalty: Tiers,
    /// Share of a post's feed views that happen on each following day (default 0.5).
    pub feed_decay: f64,
    /// Discovery-tab views per post per day by non-followers, per unit of the blogger's
    /// engagement rate: `Poisson(discovery_views_per_day · engagement)` a day, as the review
    /// program draws them (default 2).
    pub discovery_views_per_day: f64,
    /// Days a post stays in the discovery tab (default 7).
    pub discovery_days: u32,
    /// A giveaway with every post (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub giveaway: Option<Giveaway>,
}

impl Default for Influencers {
    fn default() -> Self {
        Influencers {
            enabled: true,
            budget: 50_000.0,
            split: Tiers {
                micro: 0.7,
                macro_: 0.3,
            },
            fee: Tiers {
                micro: 300.0,
                macro_: 8000.0,
            },
            fee_per_1000_followers: Tiers {
                micro: 50.0,
                macro_: 40.0,
            },
            min_followers: 1000.0,
            selection: Ranking::Fit,
            judgement_sd: 0.3,
            post_days: Vec::new(),
            spread_days: 14,
            post_strength: 0.75,
            affiliate: 0.0,
            disclosure: true,
            disclosure_penalty: Tiers {
                micro: 0.15,
                macro_: 0.3,
            },
            feed_decay: 0.5,
            discovery_views_per_day: 2.0,
            discovery_days: 7,
            giveaway: None,
        }
    }
}

impl Check for Influencers {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let table = c.path("");
        let Influencers {
            enabled: _,
            budget,
            split,
            fee,
            fee_per_1000_followers,
            min_followers,
            selection: _,
            judgement_sd,
            post_days,
            spread_days,
            post_strength,
            affiliate,
            disclosure: _,
            disclosure_penalty,
            feed_decay,
            discovery_views_per_day,
            discovery_days: _,
            giveaway,
        } = self;
        c.positive("budget", *budget);
        let per_tier =
            |c: &mut Checker, key: &str, t: &Tiers, check: fn(&mut Checker, &str, f64)| {
                let Tiers { micro, macro_ } = t;
                check(c, &format!("{key}.micro"), *micro);
                check(c, &format!("{key}.macro"), *macro_);
            };
        per_tier(c, "split", split, Checker::prob);
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
        per_tier(c, "fee", fee, Checker::positive);
        per_tier(
            c,
            "fee_per_1000_followers",
            fee_per_1000_followers,
            Checker::non_negative,
        );
        per_tier(c, "disclosure_penalty", disclosure_penalty, |c, p, v| {
            c.range(p, v, 0.0, 5.0)
        });
        let b = &base.population.bloggers;
        c.non_negative("min_followers", *min_followers);
        if *min_followers >= b.macro_threshold {
            c.push(
            "min_followers",
            format!(
                "{} leaves no micro tier below population.bloggers.macro_threshold = {}: allowed 0 to less than the threshold",
                *min_followers, b.macro_threshold
            ),
        );
        }
        if b.count == 0 {
            c.push_root(
                "population.bloggers.count",
                format!("0 bloggers: [{table}] needs bloggers to pay; allowed at least 1"),
            );
        }
        let last = base.horizon_days.saturating_sub(1);
        for (i, d) in post_days.iter().enumerate() {
            if *d >= base.horizon_days {
                c.push(
                    &format!("post_days[{i}]"),
                    format!("day {d} is outside the horizon: allowed 0 to {last}"),
                );
            }
        }
        if post_days.is_empty() && (*spread_days == 0 || *spread_days > base.horizon_days) {
            c.push(
                "spread_days",
                format!(
                    "{} days: allowed 1 to the horizon ({} days)",
                    *spread_days, base.horizon_days
                ),
            );
        }
        c.range("judgement_sd", *judgement_sd, 0.0, 3.0);
        c.range("post_strength", *post_strength, -5.0, 5.0);
        c.prob("affiliate", *affiliate);
        c.range("feed_decay", *feed_decay, 0.0, 0.99);
        c.non_negative("discovery_views_per_day", *discovery_views_per_day);
        if let Some(g) = giveaway {
            c.check("giveaway", g, base);
        }
    }
}

impl Check for Giveaway {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Giveaway {
            prize,
            winners,
            view_lift,
            entry_rate,
            entry_intent,
            draw_days: _,
        } = self;
        c.non_negative("prize", *prize);
        if *winners == 0 {
            c.push("winners", "0 is out of range: allowed at least 1 winner");
        }
        c.range("view_lift", *view_lift, 1.0, 20.0);
        c.prob("entry_rate", *entry_rate);
        c.range("entry_intent", *entry_intent, -20.0, 20.0);
    }
}
