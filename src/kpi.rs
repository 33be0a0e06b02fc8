//! What a metric means, declared where it is computed: its unit, which direction is
//! better, and whether (and where) it counts in the campaign's cost.
//!
//! Outputs, ranking, baselines and the report read these descriptors; nothing infers a
//! metric's meaning from its name.

/// The unit of a metric's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// An amount of money, in the scenario's currency.
    Money,
    /// A share in [0, 1] (shown as a percentage).
    Share,
    /// 1 when an event happened in the trial, 0 when not: its mean across trials is the
    /// event's probability (shown as a percentage, with Wilson's interval).
    Indicator,
    /// A count (people, events, orders).
    Count,
    /// A duration in minutes.
    Minutes,
    /// A duration in seconds.
    Seconds,
    /// A duration in days.
    Days,
    /// A dimensionless ratio or rate (e.g. ROI, interactions per member and week).
    Ratio,
    /// A score on the metric's own scale (e.g. review sentiment in [−1, 1]).
    Score,
}

/// Which direction of a metric is better for the campaign, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (buyers, orders, revenue).
    Higher,
    /// Less is better (costs, waiting times).
    Lower,
    /// Neither: a descriptive figure (population, activity counts).
    Neither,
}

/// How a metric counts in the campaign's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Not a cost.
    No,
    /// The campaign's total cost (every item below included).
    Total,
    /// An item of the campaign's total cost: the items of all mechanisms never overlap, so
    /// the report lists them as the cost breakdown.
    Item,
    /// Part of another cost metric (named), already counted in it.
    PartOf(&'static str),
}

/// A metric's descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kpi {
    /// Column name in outputs.
    pub name: &'static str,
    /// Unit of its values.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// How it counts in the campaign's cost.
    pub cost: Cost,
}

impl Kpi {
    /// A metric that is not a cost.
    pub const fn new(name: &'static str, unit: Unit, better: Better) -> Kpi {
        Kpi {
            name,
            unit,
            better,
            cost: Cost::No,
        }
    }

    /// A count where more is better (orders, buyers).
    pub const fn gain(name: &'static str) -> Kpi {
        Kpi::new(name, Unit::Count, Better::Higher)
    }

    /// A descriptive count (events, people reached).
    pub const fn count(name: &'static str) -> Kpi {
        Kpi::new(name, Unit::Count, Better::Neither)
    }

    /// A share where more is better (participation, click-through).
    pub const fn share(name: &'static str) -> Kpi {
        Kpi::new(name, Unit::Share, Better::Higher)
    }

    /// An item of the campaign's total cost.
    pub const fn cost_item(name: &'static str) -> Kpi {
        Kpi {
            name,
            unit: Unit::Money,
            better: Better::Lower,
            cost: Cost::Item,
        }
    }

    /// A cost already counted in the cost metric `of`.
    pub const fn cost_part(name: &'static str, of: &'static str) -> Kpi {
        Kpi {
            name,
            unit: Unit::Money,
            better: Better::Lower,
            cost: Cost::PartOf(of),
        }
    }

    /// The same descriptor with another direction.
    pub const fn better(self, better: Better) -> Kpi {
        Kpi { better, ..self }
    }

    /// True when higher values are better, false when lower are, `None` for neither.
    pub fn higher_is_better(&self) -> Option<bool> {
        match self.better {
            Better::Higher => Some(true),
            Better::Lower => Some(false),
            Better::Neither => None,
        }
    }
}

/// The core metrics every trial reports, in output order.
pub const CORE: &[Kpi] = &[
    Kpi::count("population"),
    Kpi::gain("first_buyers"),
    Kpi::share("conversion_rate"),
    Kpi::share("member_conversion"),
    Kpi::share("outsider_conversion"),
    Kpi::gain("repeat_buyers"),
    Kpi::share("repurchase_rate"),
    Kpi::share("repurchase3_rate"),
    Kpi::new("orders_per_buyer", Unit::Ratio, Better::Higher),
    Kpi::new("days_to_second", Unit::Days, Better::Lower),
    Kpi::gain("orders"),
    Kpi::new("revenue", Unit::Money, Better::Higher),
    Kpi {
        name: "cost",
        unit: Unit::Money,
        better: Better::Lower,
        cost: Cost::Total,
    },
    Kpi::new("cost_per_buyer", Unit::Money, Better::Lower),
    Kpi::new("total_roi", Unit::Ratio, Better::Higher),
    Kpi::new("clv", Unit::Money, Better::Higher),
];

/// The descriptor of every member segment's conversion, `seg_NAME_conversion`: the
/// segment's first buyers over its members (see `crate::population`, "Segments"). Reported
/// after the mechanisms' KPIs, one column per declared segment, in declaration order;
/// [`Kpi::name`] here is the pattern, the column carries the segment's name.
pub const SEGMENT_CONVERSION: Kpi = Kpi::share("seg_NAME_conversion");

/// The column name of segment `name`'s conversion.
pub fn segment_conversion(name: &str) -> String {
    format!("{SEGMENT_PREFIX}{name}{SEGMENT_SUFFIX}")
}

/// True when `column` is a segment's conversion ([`segment_conversion`]).
pub fn is_segment_conversion(column: &str) -> bool {
    column
        .strip_prefix(SEGMENT_PREFIX)
        .and_then(|rest| rest.strip_suffix(SEGMENT_SUFFIX))
        .is_some_and(|name| !name.is_empty())
}

const SEGMENT_PREFIX: &str = "seg_";
const SEGMENT_SUFFIX: &str = "_conversion";

/// The incremental metrics: the campaign against the same trial with every mechanism off
/// (see `crate::results`), in output order. They are reported when the no-campaign world
/// runs.
pub const INCREMENTAL: &[Kpi] = &[
    Kpi::gain("inc_first_buyers"),
    Kpi::share("inc_conversion"),
    Kpi::share("inc_member_conversion"),
    Kpi::gain("inc_repeat_buyers"),
    Kpi::share("inc_repurchase_rate"),
    Kpi::gain("inc_orders"),
    Kpi::new("inc_revenue", Unit::Money, Better::Higher),
    Kpi::new("inc_gross_margin", Unit::Money, Better::Higher),
    Kpi::new("icpa", Unit::Money, Better::Lower),
    Kpi::new("iroas", Unit::Ratio, Better::Higher),
    Kpi::new("inc_roi", Unit::Ratio, Better::Higher),
    Kpi::new("payback", Unit::Indicator, Better::Higher),
];
