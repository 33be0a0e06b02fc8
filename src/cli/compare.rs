//! `promosim compare`: whole scenario files as candidates on one market, run and ranked.

use super::CliError;
use super::args::CompareArgs;
use super::jobs::{check_opts, execute};
use crate::lineup::Lineup;
use crate::scenario::load_file;

/// Loads every file with the overrides, lines their candidates up and runs them.
pub(super) fn compare(a: &CompareArgs) -> Result<(), CliError> {
    let o = &a.opts;
    check_opts(o)?;
    let overrides = o.overrides();
    let scenarios = a
        .files
        .iter()
        .map(|f| load_file(f, &overrides))
        .collect::<Result<Vec<_>, _>>()?;
    let lineup = Lineup::of_files(&a.files, scenarios, o.trials, o.seed)?;
    if !o.quiet {
        for n in &lineup.notes {
            eprintln!("{n}");
        }
    }
    execute(&lineup, o)
}
