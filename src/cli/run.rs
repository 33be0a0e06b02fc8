//! `promosim run`: one scenario's candidates, run, ranked when there are several, written.

use super::CliError;
use super::args::RunArgs;
use super::jobs::{check_opts, execute};
use crate::lineup::Lineup;
use crate::scenario::load_file;

/// Loads the scenario with the overrides, lines up its candidates and runs them.
pub(super) fn run(a: &RunArgs) -> Result<(), CliError> {
    let o = &a.opts;
    check_opts(o)?;
    let scenario = load_file(&a.scenario, &o.overrides())?;
    let lineup = Lineup::single(&a.scenario, scenario, o.trials, o.seed)?;
    execute(&lineup, o)
}
