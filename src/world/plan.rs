//! What a trial's world needs from the plan, and which engine paths it takes.
//!
//! The per-agent model (every non-buyer flips an organic coin every day, every buyer's
//! repeat orders follow its own process, every order is booked with its own draws) has
//! faster equivalents when agents carry no information that a later step reads. Which of
//! them a scenario takes is decided once, by [`Paths::choose`], from a short list of facts
//! about the scenario ([`PathFacts`]):
//!
//! | path | applies when | equal to the general path |
//! |------|--------------|---------------------------|
//! | [`OrganicPath::Aggregate`] + [`RepeatPath::Aggregate`] | pooled repeats, plain orders, one innovation rate | in distribution (counts, not agents) |
//! | [`OrganicPath::InnovationDays`] | several innovation rates, no mechanism | in distribution |
//! | [`RepeatPath::Pooled`] | daily model, one repeat rate, no mechanism, satisfaction inert | in distribution |
//! | [`FirstOrders::Lean`] | plain orders, no mechanism | bit for bit (same function, fewer branches) |
//! | [`Booking::Plain`] | nothing to draw or log at order time | bit for bit (same arithmetic) |
//! | [`Walks::Lazy`] | always (group events and group life visit candidates only) | in distribution (eager: a coin per member) |
//!
//! A new per-buyer effect (anything that makes two buyers of a pool behave differently, or
//! that a later step reads from an agent) must be stated as a fact here and considered by
//! [`Paths::choose`], which destructures [`PathFacts`] so a new field does not compile
//! until it is placed. Tests force the general paths with [`WorldPlan::use_paths`] and
//! [`Paths::general`] to compare them with the fast ones (`tests/engine_paths.rs`).

use crate::behaviour::BehaviourParams;
use crate::dist::Dist;
use crate::population::PopulationPlan;
use crate::settings::RepurchaseModel;
use crate::thinning::Walks;

/// Product constants needed at order time.
#[derive(Debug, Clone, Copy)]
pub struct ProductConsts {
    /// Price per order.
    pub price: f64,
    /// Cost of goods per unit.
    pub unit_cost: f64,
    /// Probability that a unit is defective or the wrong variant.
    pub bad_unit: f64,
    /// Probability that the packaging arrives damaged.
    pub damaged: f64,
}

/// How non-buyers' organic first purchases are simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganicPath {
    /// Exchangeable agents: each pool-day's first purchases are counted, no agent is
    /// touched (`organic::aggregate`).
    Aggregate,
    /// One innovation rate per pool: each pool's non-buyers are walked by thinning against
    /// the pool's hazard (`organic::walk`).
    PoolWalk,
    /// Several innovation rates: each pool's non-buyers are walked per rate class against
    /// the class's largest hazard (`organic::walk`).
    ClassWalk,
    /// Several innovation rates, no mechanism: each buyer's innovation day is drawn up
    /// front and the pool is walked for imitation only (`organic::innovation`).
    InnovationDays,
}

/// How buyers' repeat orders are simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatPath {
    /// Counts of alive buyers by orders so far; goes with [`OrganicPath::Aggregate`]
    /// (`repeat::aggregate`).
    Aggregate,
    /// Daily model, exchangeable buyers: a binomial count of orders per day, placed by
    /// distinct buyers drawn uniformly (`repeat::pooled`).
    Pooled,
    /// Daily model: each buyer's next repeat day drawn once per order (`repeat::daily`).
    Daily,
    /// BG/NBD: each buyer's next order time drawn once per order (`repeat::bgnbd`).
    Bgnbd,
}

impl RepeatPath {
    /// True when every alive buyer shares one repeat probability and dropout (the world
    /// keeps no per-buyer repeat schedule).
    #[inline]
    pub fn pooled(self) -> bool {
        matches!(self, RepeatPath::Pooled | RepeatPath::Aggregate)
    }
}

/// How the organic step's first orders are booked (`orders.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstOrders {
    /// The general booking without the branches that only mechanisms need (intent,
    /// touched buyers): the same function, so the same draws and arithmetic.
    Lean,
    /// The general booking.
    General,
}

/// How an order's value, discount and experience are booked (`orders.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booking {
    /// Nothing to draw or log: every order is worth the price.
    Plain,
    /// Order value and experience drawn from the buyer's order stream; wallet coupons; the
    /// order log.
    Full,
}

/// The facts about a scenario that decide its paths: everything that can make two agents
/// of a pool differ, or that a later step reads from an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathFacts {
    /// Some mechanism acts on agents (offers, intent, satisfaction, engagement, coupons).
    pub interactive: bool,
    /// The repeat-purchase model.
    pub repurchase_model: RepurchaseModel,
    /// Every buyer has the same innovation rate (no `organic_shape`).
    pub homogeneous_organic: bool,
    /// Every buyer has the same daily repeat probability (no `daily_probability_shape`).
    pub homogeneous_repeat: bool,
    /// Satisfaction cannot move a buyer's repeat rate or dropout: no experience risk
    /// (defects, wrong variants, damage), or no satisfaction effects.
    pub satisfaction_inert: bool,
    /// Orders have nothing to draw or log: no basket distribution, no wallet, no order
    /// log, no experience risk.
    pub plain_orders: bool,
    /// Every buyer is in the product's market (no chat-group member is out of it).
    pub all_in_market: bool,
    /// Chat-group members carry segments: their relevance shifts their decisions and each
    /// segment's conversion is reported, so who bought must be known.
    pub segmented: bool,
}

impl PathFacts {
    /// The facts of a world plan's parts.
    pub fn of(
        population: &PopulationPlan,
        behaviour: &BehaviourParams,
        product: &ProductConsts,
        order_value: Option<&Dist>,
        needs: &MechanismNeeds,
    ) -> Self {
        let risk_free = product.bad_unit == 0.0 && product.damaged == 0.0;
        PathFacts {
            interactive: needs.interactive,
            repurchase_model: behaviour.repurchase_model,
            homogeneous_organic: population.homogeneous_organic(),
            homogeneous_repeat: behaviour.daily_shape.is_none(),
            satisfaction_inert: risk_free
                || (behaviour.sat_rate == 0.0 && behaviour.sat_dropout == 0.0),
            plain_orders: order_value.is_none() && !needs.wallet && !needs.log_orders && risk_free,
            all_in_market: population.all_in_market(),
            segmented: population.segmented(),
        }
    }
}

/// What the enabled mechanisms need from the world.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MechanismNeeds {
    /// Keep each day's orders for mechanisms that react to them.
    pub log_orders: bool,
    /// Keep a coupon wallet per agent (some mechanism issues coupons).
    pub wallet: bool,
    /// Count product-page visits without an order per agent (CRM tags).
    pub track_visits: bool,
    /// Some mechanism acts on agents (offers, intent, satisfaction, engagement). Without
    /// one, the per-agent state only mechanisms touch is never initialised.
    pub interactive: bool,
    /// Chat-group members leave their groups day by day (some mechanism follows group
    /// life, see `MechanismPlan::follows_group_life`).
    pub group_life: bool,
}

/// The engine paths of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paths {
    /// Organic first purchases.
    pub organic: OrganicPath,
    /// Repeat orders.
    pub repeat: RepeatPath,
    /// The organic step's first orders.
    pub first_orders: FirstOrders,
    /// Every order's booking.
    pub booking: Booking,
    /// How group events and group life visit members: candidates only (lazy, chosen) or
    /// every member with its own coin (eager, for tests).
    pub walks: Walks,
}

impl Paths {
    /// The fastest paths that simulate the per-agent model for a scenario with `facts`:
    ///
    /// - Repeats are **pooled** under the daily model when buyers are exchangeable for it:
    ///   one repeat probability, no mechanism (nothing reads or moves a buyer's state),
    ///   and satisfaction unable to move the probability or the dropout.
    /// - Agents are **aggregated** (counts only) when repeats are pooled, orders are plain
    ///   (nothing is drawn or logged per order) and every agent has the same innovation
    ///   rate: then who buys carries no information any later step or output uses.
    /// - Heterogeneous innovation rates take **innovation days** without mechanisms (a
    ///   buyer's innovation coin does not depend on anything a mechanism moves) and
    ///   **class walks** with them.
    /// - Chat-group members out of the product's market are never aggregated and take no
    ///   innovation days: the walks leave them out of the non-buyers.
    /// - Members with segments are never aggregated: each segment's conversion counts who
    ///   bought. Segments change no organic rate, so innovation days still apply.
    /// - First orders are **lean** and bookings **plain** when orders are plain (and, for
    ///   lean first orders, no mechanism runs).
    pub fn choose(facts: &PathFacts) -> Self {
        let PathFacts {
            interactive,
            repurchase_model,
            homogeneous_organic,
            homogeneous_repeat,
            satisfaction_inert,
            plain_orders,
            all_in_market,
            segmented,
        } = *facts;
        let pooled = repurchase_model == RepurchaseModel::Daily
            && homogeneous_repeat
            && !interactive
            && satisfaction_inert;
        let aggregate =
            pooled && plain_orders && homogeneous_organic && all_in_market && !segmented;
        let organic = if aggregate {
            OrganicPath::Aggregate
        } else if homogeneous_organic {
            OrganicPath::PoolWalk
        } else if interactive || !all_in_market {
            OrganicPath::ClassWalk
        } else {
            OrganicPath::InnovationDays
        };
        let repeat = if aggregate {
            RepeatPath::Aggregate
        } else if pooled {
            RepeatPath::Pooled
        } else {
            Self::per_buyer_repeats(repurchase_model)
        };
        Paths {
            organic,
            repeat,
            first_orders: if plain_orders && !interactive {
                FirstOrders::Lean
            } else {
                FirstOrders::General
            },
            booking: if plain_orders {
                Booking::Plain
            } else {
                Booking::Full
            },
            walks: Walks::Lazy,
        }
    }

    /// The general paths for a scenario with `facts`: per-agent walks, per-buyer repeat
    /// schedules, general first orders and full bookings. They simulate the same model
    /// as [`Paths::choose`]'s, which tests compare with them.
    pub fn general(facts: &PathFacts) -> Self {
        Paths {
            organic: if facts.homogeneous_organic {
                OrganicPath::PoolWalk
            } else {
                OrganicPath::ClassWalk
            },
            repeat: Self::per_buyer_repeats(facts.repurchase_model),
            first_orders: FirstOrders::General,
            booking: Booking::Full,
            walks: Walks::Lazy,
        }
    }

    fn per_buyer_repeats(model: RepurchaseModel) -> RepeatPath {
        match model {
            RepurchaseModel::Daily => RepeatPath::Daily,
            RepurchaseModel::Bgnbd | RepurchaseModel::ParetoNbd => RepeatPath::Bgnbd,
        }
    }

    /// Why `self` cannot simulate a scenario with `facts`, or `None` when it can: every
    /// path of [`Paths::choose`] and [`Paths::general`] can, and so can mixes of them that
    /// keep each fast path's conditions.
    pub fn unsupported(&self, facts: &PathFacts) -> Option<&'static str> {
        let chosen = Paths::choose(facts);
        let aggregate_organic = self.organic == OrganicPath::Aggregate;
        if aggregate_organic != (self.repeat == RepeatPath::Aggregate) {
            return Some("aggregate organic and repeat paths go together");
        }
        if aggregate_organic && chosen.organic != OrganicPath::Aggregate {
            return Some("agents are not exchangeable");
        }
        match self.organic {
            OrganicPath::PoolWalk if !facts.homogeneous_organic => {
                return Some("a pool walk needs one innovation rate");
            }
            OrganicPath::ClassWalk if facts.homogeneous_organic => {
                return Some("a class walk needs heterogeneous innovation rates");
            }
            OrganicPath::InnovationDays if chosen.organic != OrganicPath::InnovationDays => {
                return Some("innovation days need heterogeneous rates and no mechanism");
            }
            _ => {}
        }
        match self.repeat {
            RepeatPath::Pooled if !chosen.repeat.pooled() => {
                return Some("buyers are not exchangeable for repeats");
            }
            RepeatPath::Daily | RepeatPath::Bgnbd
                if self.repeat != Self::per_buyer_repeats(facts.repurchase_model) =>
            {
                return Some("the repeat path differs from the repurchase model");
            }
            _ => {}
        }
        if self.first_orders == FirstOrders::Lean
            && (facts.interactive || self.booking != Booking::Plain)
        {
            return Some("lean first orders need plain bookings and no mechanism");
        }
        if self.booking == Booking::Plain && !facts.plain_orders {
            return Some("orders have something to draw or log");
        }
        None
    }
}

/// What a trial's world needs from the plan.
#[derive(Debug, Clone)]
pub struct WorldPlan {
    /// Population samplers.
    pub population: PopulationPlan,
    /// Behaviour.
    pub behaviour: BehaviourParams,
    /// Product constants.
    pub product: ProductConsts,
    /// Horizon.
    pub horizon: u32,
    /// Weekday of day 0.
    pub weekday0: usize,
    /// Existing reviews and rating.
    pub existing_reviews: (u32, f64),
    /// Days past the horizon in CLV.
    pub clv_days: f64,
    /// Order value (basket) distribution; `None`: every order is worth the price.
    pub order_value: Option<Dist>,
    /// What the mechanisms need.
    pub needs: MechanismNeeds,
    /// The facts that decide the paths.
    pub facts: PathFacts,
    /// The engine paths, [`Paths::choose`]'s unless set by [`WorldPlan::use_paths`].
    pub paths: Paths,
}

impl WorldPlan {
    /// A world plan taking the paths [`Paths::choose`] picks.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        population: PopulationPlan,
        behaviour: BehaviourParams,
        product: ProductConsts,
        horizon: u32,
        weekday0: usize,
        existing_reviews: (u32, f64),
        clv_days: f64,
        order_value: Option<Dist>,
        needs: MechanismNeeds,
    ) -> Self {
        let facts = PathFacts::of(
            &population,
            &behaviour,
            &product,
            order_value.as_ref(),
            &needs,
        );
        let mut plan = WorldPlan {
            population,
            behaviour,
            product,
            horizon,
            weekday0,
            existing_reviews,
            clv_days,
            order_value,
            needs,
            facts,
            paths: Paths::choose(&facts),
        };
        plan.sync_population();
        plan
    }

    /// Takes `paths` instead of the chosen ones (to compare a fast path with the general
    /// one); panics when they cannot simulate this scenario ([`Paths::unsupported`]).
    pub fn use_paths(&mut self, paths: Paths) {
        if let Some(why) = paths.unsupported(&self.facts) {
            panic!("paths {paths:?} cannot simulate this scenario: {why}");
        }
        self.paths = paths;
        self.sync_population();
    }

    /// Rate classes are built for class walks only.
    fn sync_population(&mut self) {
        self.population = self
            .population
            .clone()
            .with_rate_classes(self.paths.organic == OrganicPath::ClassWalk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> PathFacts {
        PathFacts {
            interactive: false,
            repurchase_model: RepurchaseModel::Daily,
            homogeneous_organic: true,
            homogeneous_repeat: true,
            satisfaction_inert: true,
            plain_orders: true,
            all_in_market: true,
            segmented: false,
        }
    }

    /// [`facts`] with `change` made.
    fn facts_with(change: fn(&mut PathFacts)) -> PathFacts {
        let mut f = facts();
        change(&mut f);
        f
    }

    fn paths(o: OrganicPath, r: RepeatPath, f: FirstOrders, b: Booking) -> Paths {
        Paths {
            organic: o,
            repeat: r,
            first_orders: f,
            booking: b,
            walks: Walks::Lazy,
        }
    }

    use Booking::{Full, Plain};
    use FirstOrders::{General, Lean};

    #[test]
    fn exchangeable_agents_are_aggregated() {
        let p = Paths::choose(&facts());
        let want = paths(OrganicPath::Aggregate, RepeatPath::Aggregate, Lean, Plain);
        assert_eq!(p, want);
    }

    #[test]
    fn each_per_buyer_effect_leaves_the_aggregate() {
        use OrganicPath::{InnovationDays, PoolWalk};
        use RepeatPath::{Bgnbd, Daily, Pooled};
        // What differs from exchangeable agents, and the paths that takes.
        // A change of the facts, and the paths it leads to.
        type Case = (fn(&mut PathFacts), Paths);
        let cases: [Case; 5] = [
            // Heterogeneous innovation rates: innovation days, repeats still pooled.
            (
                |f| f.homogeneous_organic = false,
                paths(InnovationDays, Pooled, Lean, Plain),
            ),
            // Heterogeneous repeat rates: per-buyer daily schedules.
            (
                |f| f.homogeneous_repeat = false,
                paths(PoolWalk, Daily, Lean, Plain),
            ),
            // Satisfaction that moves repeats (experience risk makes orders non-plain too).
            (
                |f| (f.satisfaction_inert, f.plain_orders) = (false, false),
                paths(PoolWalk, Daily, General, Full),
            ),
            // Something drawn per order (a basket distribution): pooled, not aggregated.
            (
                |f| f.plain_orders = false,
                paths(PoolWalk, Pooled, General, Full),
            ),
            // BG/NBD: per-buyer schedules.
            (
                |f| f.repurchase_model = RepurchaseModel::Bgnbd,
                paths(PoolWalk, Bgnbd, Lean, Plain),
            ),
        ];
        for (change, want) in cases {
            let f = facts_with(change);
            assert_eq!(Paths::choose(&f), want, "{f:?}");
        }
    }

    #[test]
    fn mechanisms_take_the_general_paths() {
        let f = facts_with(|f| f.interactive = true);
        let want = paths(OrganicPath::PoolWalk, RepeatPath::Daily, General, Plain);
        assert_eq!(Paths::choose(&f), want);
        let f = PathFacts {
            homogeneous_organic: false,
            ..f
        };
        assert_eq!(Paths::choose(&f).organic, OrganicPath::ClassWalk);
    }

    /// Members out of the market make agents differ: no aggregate counts, no innovation
    /// days.
    #[test]
    fn members_out_of_the_market_take_the_walks() {
        let f = facts_with(|f| f.all_in_market = false);
        assert_eq!(Paths::choose(&f).organic, OrganicPath::PoolWalk);
        assert_eq!(Paths::choose(&f).repeat, RepeatPath::Pooled);
        let f = PathFacts {
            homogeneous_organic: false,
            ..f
        };
        assert_eq!(Paths::choose(&f).organic, OrganicPath::ClassWalk);
    }

    /// Segments keep agents apart: no aggregate counts; innovation days stay.
    #[test]
    fn segmented_members_take_the_walks() {
        let f = facts_with(|f| f.segmented = true);
        assert_eq!(Paths::choose(&f).organic, OrganicPath::PoolWalk);
        assert_eq!(Paths::choose(&f).repeat, RepeatPath::Pooled);
        let f = PathFacts {
            homogeneous_organic: false,
            ..f
        };
        assert_eq!(Paths::choose(&f).organic, OrganicPath::InnovationDays);
    }

    /// Every combination of facts: the chosen and the general paths are supported, the
    /// general ones take no fast path, and the aggregate paths come together.
    #[test]
    fn chosen_and_general_paths_are_supported() {
        for bits in 0..256u32 {
            let b = |k: u32| bits & (1 << k) != 0;
            let f = PathFacts {
                interactive: b(0),
                repurchase_model: if b(1) {
                    RepurchaseModel::Bgnbd
                } else {
                    RepurchaseModel::Daily
                },
                homogeneous_organic: b(2),
                homogeneous_repeat: b(3),
                satisfaction_inert: b(4),
                plain_orders: b(5),
                all_in_market: b(6),
                segmented: b(7),
            };
            let chosen = Paths::choose(&f);
            let general = Paths::general(&f);
            assert_eq!(chosen.unsupported(&f), None, "{f:?}");
            assert_eq!(general.unsupported(&f), None, "{f:?}");
            assert_eq!(
                chosen.organic == OrganicPath::Aggregate,
                chosen.repeat == RepeatPath::Aggregate
            );
            assert!(!general.repeat.pooled() && general.first_orders == General);
            assert!(matches!(
                general.organic,
                OrganicPath::PoolWalk | OrganicPath::ClassWalk
            ));
            if f.interactive {
                assert_eq!(chosen.first_orders, General);
                assert!(!chosen.repeat.pooled());
                assert_ne!(chosen.organic, OrganicPath::InnovationDays);
            }
        }
    }

    #[test]
    fn unsupported_paths_are_refused() {
        let f = facts_with(|f| f.homogeneous_organic = false);
        let agg = paths(OrganicPath::Aggregate, RepeatPath::Aggregate, Lean, Plain);
        assert!(agg.unsupported(&f).is_some());
        let pool_walk = paths(OrganicPath::PoolWalk, RepeatPath::Pooled, Lean, Plain);
        assert!(pool_walk.unsupported(&f).is_some());
        let mixed = paths(OrganicPath::Aggregate, RepeatPath::Pooled, Lean, Plain);
        assert!(mixed.unsupported(&facts()).is_some());
        let interactive = facts_with(|f| f.interactive = true);
        let lean = paths(OrganicPath::PoolWalk, RepeatPath::Daily, Lean, Plain);
        assert!(lean.unsupported(&interactive).is_some());
    }
}
