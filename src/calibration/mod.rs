//! The field's figures as checkable facts, and the repeatable search that calibrates the
//! default behavioural parameters to them.
//!
//! - [`facts`]: each [`Fact`] names a figure of `docs/field-figures.md` and the statistic
//!   that measures it: the mean of a metric in a shipped scenario (possibly with
//!   overrides), or the ratio or difference of two such means on the same seed (common
//!   random numbers). A fact holds when the statistic lies in its [`Target`]. The facts
//!   are data, in `calibration/field.toml` beside the scenarios, read by [`field_facts`].
//! - [`eval`]: an [`Evaluator`] runs the facts' arms and computes each statistic with its
//!   95% interval; [`loss`] sums the shortfalls; [`markdown_table`] prints them.
//! - [`search`]: [`calibrate`] chooses the values of a few [`Knob`]s (channel base
//!   log-odds, attention, patience, …) by coordinate descent on [`loss`], evaluating every
//!   candidate on the same seeds.
//!
//! `promosim calibrate` runs the search and prints the values found and the fact table; the
//! values are then written into the defaults, and `tests/stylized_facts.rs` asserts every
//! fact with them. Nothing in the model is set to a figure directly: each figure is
//! reproduced through behaviour (attention, patience, incentives, engagement).
//!
//! ```no_run
//! use promosim::calibration::{Evaluator, field_facts, markdown_table};
//! use std::path::Path;
//!
//! let scenarios = Path::new("scenarios");
//! let facts = field_facts(scenarios)?; // reads calibration/field.toml
//! let results = Evaluator::new(scenarios, 200, &[]).all(&facts.asserted)?;
//! println!("{}", markdown_table(&results));
//! # Ok::<(), promosim::scenario::ScenarioError>(())
//! ```

pub mod abc;
pub mod eval;
pub mod facts;
pub mod history;
pub mod optimise;
pub mod posterior;
pub mod prior;
pub mod search;

pub use eval::{Evaluator, FactResult, knob_applies, loss, markdown_table};
pub use facts::{
    Arm, FACTS_FILE, Fact, FieldFacts, Param, Population, SECTIONS, Statistic, Target, facts_path,
    field_facts, load_facts, load_targets, parse_facts,
};
pub use search::{KNOBS, Knob, Settings, Step, calibrate, default_value};
