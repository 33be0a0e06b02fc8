//! The scenario's base settings: the product and store, the population, the behavioural
//! coefficients and schedules. The campaign's mechanisms keep their own settings in their
//! folders ([`crate::mechanisms`]); both sit below [`crate::scenario`], which assembles a
//! scenario file from them.
//!
//! Every table has documented defaults and checks itself ([`Check`]). Tables are declared
//! once per field with the crate-internal `settings!` macro (module `table`): each field's
//! line carries its documentation, type, default and rule (a function of [`rules`]), and the macro
//! generates the struct, its `Default` and its `Check`.

mod behaviour;
pub mod check;
mod population;
mod product;
pub mod rules;
mod schedule;
mod table;

pub use behaviour::{
    Activity, Behaviour, Channels, Decision, GroupLife, Intent, Organic, Repurchase,
    RepurchaseModel, Satisfaction, SocialProof,
};
pub use check::{Check, Checker};
pub use population::{BloggersSpec, GroupsSpec, PopulationSpec, SegmentSpec, Target, TraitsSpec};
pub use product::{BgNbd, Product, RepurchaseClass, Seller};
pub use schedule::{Schedule, TimeOfDay, Weekday};
pub(crate) use table::{CheckAcross, settings};

/// The settings a mechanism, the population and the behaviour model read from a scenario:
/// everything but the campaign.
#[derive(Debug, Clone, Copy)]
pub struct Base<'a> {
    /// Simulated days.
    pub horizon_days: u32,
    /// Weekday of day 0.
    pub start_weekday: Weekday,
    /// The product on sale.
    pub product: &'a Product,
    /// The seller's store.
    pub seller: &'a Seller,
    /// Who is simulated.
    pub population: &'a PopulationSpec,
    /// How agents behave.
    pub behaviour: &'a Behaviour,
}

impl Base<'_> {
    /// The last simulated day.
    pub fn last_day(&self) -> u32 {
        self.horizon_days.saturating_sub(1)
    }
}
