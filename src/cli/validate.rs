//! `promosim validate`: check scenario files (and every candidate's plan) without running.

use super::CliError;
use crate::engine::Plan;
use crate::lineup::candidates_of;
use crate::scenario::load_file;
use std::path::PathBuf;

/// Checks each file, printing `ok` or its problems; fails with the number of bad files.
pub(super) fn validate(files: &[PathBuf]) -> Result<(), CliError> {
    let mut bad = 0;
    for f in files {
        let checked = load_file(f, &[]).map_err(CliError::from).and_then(|s| {
            let cands = candidates_of(&s, f)?;
            for c in &cands {
                Plan::new(&c.scenario).map_err(|e| {
                    CliError::Usage(if s.candidates.is_empty() {
                        format!("{}: {e}", f.display())
                    } else {
                        format!("{}: candidate \"{}\": {e}", f.display(), c.name)
                    })
                })?;
            }
            Ok(s)
        });
        match checked {
            Ok(s) if s.candidates.is_empty() => {
                println!("ok: {} (scenario \"{}\")", f.display(), s.name)
            }
            Ok(s) => println!(
                "ok: {} (scenario \"{}\", {} candidates)",
                f.display(),
                s.name,
                s.candidates.len()
            ),
            Err(e) => {
                bad += 1;
                eprintln!("{e}");
            }
        }
    }
    match bad {
        0 => Ok(()),
        n => Err(CliError::Invalid(n)),
    }
}
