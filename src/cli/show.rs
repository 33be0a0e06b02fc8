//! `promosim show`: print the resolved scenario, or one candidate's complete scenario.

use super::CliError;
use crate::lineup::candidates_of;
use crate::scenario::load_file;
use std::path::Path;

/// Prints `file`'s resolved scenario after the `set` overrides, or the named candidate's.
pub(super) fn show(file: &Path, set: &[String], candidate: Option<&str>) -> Result<(), CliError> {
    let s = load_file(file, set)?;
    match candidate {
        None => print!("{}", s.to_toml()),
        Some(name) => {
            let cands = candidates_of(&s, file)?;
            let c = cands.iter().find(|c| c.name == name).ok_or_else(|| {
                let names: Vec<String> = cands.iter().map(|c| format!("\"{}\"", c.name)).collect();
                CliError::Usage(format!(
                    "{}: no candidate named \"{name}\"; allowed: {}",
                    file.display(),
                    names.join(", ")
                ))
            })?;
            print!("# candidate \"{}\"\n{}", c.name, c.scenario.to_toml());
        }
    }
    Ok(())
}
