//! The candidates one run puts on one market, and the rules that make them comparable.
//!
//! `promosim run` lines up one scenario's candidates (its `[[candidate]]` entries, or the
//! scenario itself); `promosim compare` lines up the candidates of several scenario files,
//! each named `<scenario name>/<candidate>` (or just `<scenario name>` for a file without
//! candidates). Every candidate runs with the same trials and seed, so trial `i` of one
//! pairs with trial `i` of another (see [`crate::compare`]). Across files the lineup also
//! needs one horizon and one currency, distinct candidate names and distinct scenario
//! names; [`Lineup::of_files`] checks these and notes each file whose own trials or seed
//! were replaced.
//!
//! A lineup also names what its run writes: the resolved scenario files, the default output
//! folder, the run information and the command that reproduces the run. Nothing here
//! prints or writes files.

use crate::compare::{Constraints, Objective};
use crate::engine::{Arms, Plan, PlanError, RunOptions, run};
use crate::output::RunInfo;
use crate::results::CandidateResult;
use crate::scenario::{ResolvedCandidate, Scenario, resolve_candidates};
use std::path::{Path, PathBuf};

/// Why candidates cannot be lined up.
#[derive(Debug, thiserror::Error)]
pub enum LineupError {
    /// The scenarios cannot run side by side as given (bad input).
    #[error("{0}")]
    Invalid(String),
    /// A candidate's scenario could not be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// The command that lines candidates up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `promosim run`: one scenario file.
    Run,
    /// `promosim compare`: several scenario files.
    Compare,
}

impl Verb {
    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Run => "run",
            Verb::Compare => "compare",
        }
    }
}

/// One candidate to run: its resolved scenario, named as the lineup shows it (across
/// files `<scenario name>/<candidate>`, with its description and `extends` following
/// suit), and its simulation plan.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The candidate.
    pub candidate: ResolvedCandidate,
    /// Its simulation plan.
    pub plan: Plan,
}

/// Candidates that share one market, trials and seed.
#[derive(Debug, Clone)]
pub struct Lineup {
    /// The command that lined them up.
    pub verb: Verb,
    /// Scenario files, as given.
    pub files: Vec<PathBuf>,
    /// The base scenario: the market, trials and seed (for `compare`, the first file's,
    /// named after every file's scenario).
    pub base: Scenario,
    /// The candidates, in run order.
    pub entries: Vec<Entry>,
    /// Resolved scenario files to write: file name and TOML text.
    pub resolved: Vec<(String, String)>,
    /// Remarks for the user (files whose trials or seed were replaced).
    pub notes: Vec<String>,
    /// Output folder when none is given.
    pub default_dir: PathBuf,
}

impl Lineup {
    /// One scenario's candidates, with `trials` and `seed` replacing the scenario's when
    /// given.
    pub fn single(
        file: &Path,
        mut scenario: Scenario,
        trials: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Self, LineupError> {
        if let Some(t) = trials {
            scenario.trials = t;
        }
        if let Some(s) = seed {
            scenario.seed = s;
        }
        let entries = entries(candidates_of(&scenario, file)?, None)?;
        Ok(Lineup {
            verb: Verb::Run,
            files: vec![file.to_path_buf()],
            default_dir: Path::new("output").join(file_safe(&scenario.name)),
            resolved: vec![("scenario.resolved.toml".to_string(), scenario.to_toml())],
            notes: Vec::new(),
            entries,
            base: scenario,
        })
    }

    /// The candidates of several scenario files (`scenarios[i]` loaded from `files[i]`).
    /// Trials and seed come from `trials` and `seed` when given, else from the first file.
    pub fn of_files(
        files: &[PathBuf],
        mut scenarios: Vec<Scenario>,
        trials: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Self, LineupError> {
        let (Some(first), Some(first_file)) = (scenarios.first(), files.first()) else {
            return Err(LineupError::Invalid("no scenario files to compare".into()));
        };
        let first_file = first_file.display();
        let (trials_given, seed_given) = (trials.is_some(), seed.is_some());
        let (trials, seed) = (trials.unwrap_or(first.trials), seed.unwrap_or(first.seed));
        let (horizon, currency) = (first.horizon_days, first.currency.clone());
        let mut notes = Vec::new();
        for (f, s) in files.iter().zip(&scenarios).skip(1) {
            if s.horizon_days != horizon {
                return Err(LineupError::Invalid(format!(
                    "{}: horizon_days = {} but {first_file} has {horizon}: candidates compared on the same market need the same horizon",
                    f.display(),
                    s.horizon_days,
                )));
            }
            if s.currency != currency {
                return Err(LineupError::Invalid(format!(
                    "{}: currency = \"{}\" but {first_file} has \"{currency}\": money compared must be in one currency",
                    f.display(),
                    s.currency,
                )));
            }
            if (!trials_given && s.trials != trials) || (!seed_given && s.seed != seed) {
                notes.push(format!(
                    "note: {} sets trials = {}, seed = {}; every file runs with trials = {trials}, seed = {seed} (from {first_file} or the command line) so that trials pair up",
                    f.display(),
                    s.trials,
                    s.seed,
                ));
            }
        }
        let mut all = Vec::new();
        let mut resolved = Vec::new();
        for (f, s) in files.iter().zip(scenarios.iter_mut()) {
            s.trials = trials;
            s.seed = seed;
            let es = entries(candidates_of(s, f)?, Some(&s.name))?;
            resolved.push((
                format!("scenario.{}.resolved.toml", file_safe(&s.name)),
                s.to_toml(),
            ));
            all.extend(es);
        }
        if let Some(name) = first_duplicate(all.iter().map(|e| e.candidate.name.as_str())) {
            return Err(LineupError::Invalid(format!(
                "two candidates are named \"{name}\": give the scenarios different `name`s"
            )));
        }
        if first_duplicate(resolved.iter().map(|(n, _)| n.as_str())).is_some() {
            return Err(LineupError::Invalid(
                "two files have the same scenario `name`: give them different names".into(),
            ));
        }
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        let safe: Vec<String> = names.iter().map(|n| file_safe(n)).collect();
        let mut base = scenarios[0].clone();
        base.candidates.clear();
        base.name = names.join(" vs ");
        if scenarios.len() > 1 {
            base.description = String::new();
        }
        Ok(Lineup {
            verb: Verb::Compare,
            files: files.to_vec(),
            base,
            entries: all,
            resolved,
            notes,
            default_dir: Path::new("output").join(format!("compare_{}", safe.join("_vs_"))),
        })
    }

    /// Whether the run ranks its candidates: always for `compare`, and for `run` when the
    /// scenario has more than one candidate.
    pub fn ranked(&self) -> bool {
        self.verb == Verb::Compare || self.entries.len() > 1
    }

    /// The command that reproduces the run, given the overrides applied to every file, the
    /// ranking options and the flags that change what is written (`--report`,
    /// `--totals-only`, …; no thread count or output folder: they do not change results;
    /// the objective only when the run ranks). Each file and override is one POSIX shell
    /// word ([`shell_quote`]), so the command can be pasted into a shell as it is.
    pub fn command(
        &self,
        sets: &[String],
        objective: Objective,
        constraints: Constraints,
        flags: &[String],
    ) -> String {
        let mut cmd = format!("promosim {}", self.verb.name());
        for f in &self.files {
            cmd.push_str(&format!(" {}", shell_quote(&f.display().to_string())));
        }
        cmd.push_str(&format!(
            " --trials {} --seed {}",
            self.base.trials, self.base.seed
        ));
        for set in sets {
            cmd.push_str(&format!(" --set {}", shell_quote(set)));
        }
        if self.ranked() {
            cmd.push_str(&format!(" --objective {}", objective.key()));
        }
        if let Some(b) = constraints.max_cost {
            cmd.push_str(&format!(" --budget {b}"));
        }
        if let Some(c) = constraints.min_conversion {
            cmd.push_str(&format!(" --min-conversion {c}"));
        }
        for f in flags {
            cmd.push(' ');
            cmd.push_str(f);
        }
        cmd
    }

    /// What was run, recorded in every summary; `command` reproduces it (see
    /// [`Lineup::command`]).
    pub fn info(&self, command: String) -> RunInfo {
        RunInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: self.base.name.clone(),
            scenario_file: self
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            seed: self.base.seed,
            trials: self.base.trials,
            horizon_days: self.base.horizon_days,
            currency: self.base.currency.clone(),
            command,
            partial: None,
        }
    }

    /// Trials of the whole run: every candidate's.
    pub fn total_trials(&self) -> u64 {
        self.base.trials as u64 * self.entries.len() as u64
    }

    /// Runs every candidate, in order, with the lineup's trials and seed and the `arms`
    /// beside each campaign on `threads` workers; `on_trial_done` is called after each
    /// trial.
    pub fn run(
        &self,
        threads: Option<usize>,
        arms: Arms,
        on_trial_done: &(dyn Fn() + Sync),
    ) -> Result<Vec<CandidateResult>, rayon::ThreadPoolBuildError> {
        let opts = RunOptions {
            trials: self.base.trials,
            seed: self.base.seed,
            threads,
            arms,
        };
        let mut out = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            let trials = run(&e.plan, opts, on_trial_done)?;
            let c = &e.candidate;
            out.push(e.plan.candidate(&c.name, trials).described(
                &c.description,
                &c.changes,
                c.extends.as_deref(),
            ));
        }
        Ok(out)
    }
}

/// A scenario's candidates resolved. They were checked when the file was loaded, so a
/// failure here means a bug; it is still reported as bad input naming the file.
pub fn candidates_of(s: &Scenario, file: &Path) -> Result<Vec<ResolvedCandidate>, LineupError> {
    resolve_candidates(s)
        .map_err(|p| LineupError::Invalid(format!("{}: {}", file.display(), p.join("\n"))))
}

/// The entries of one file's candidates; with a `prefix` (the scenario's name, for
/// `compare`) each is named `prefix/candidate`, a file without candidates just `prefix`,
/// and a candidate without a description takes the scenario's.
fn entries(cands: Vec<ResolvedCandidate>, prefix: Option<&str>) -> Result<Vec<Entry>, LineupError> {
    cands
        .into_iter()
        .map(|mut c| {
            if let Some(p) = prefix {
                c.name = if c.name == "base" && c.changes.is_empty() {
                    p.to_string()
                } else {
                    format!("{p}/{}", c.name)
                };
                if c.description.is_empty() {
                    c.description = c.scenario.description.clone();
                }
                c.extends = c.extends.map(|e| format!("{p}/{e}"));
            }
            let plan = Plan::new(&c.scenario)?;
            Ok(Entry { candidate: c, plan })
        })
        .collect()
}

/// The first name that repeats an earlier one.
fn first_duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if seen.contains(&n) {
            return Some(n);
        }
        seen.push(n);
    }
    None
}

/// A name usable as one file or folder name: letters, digits, `-`, `_`, `.`; anything else
/// (a path separator, a space, a non-ASCII letter) becomes `_`, and so do leading dots, so
/// the name is never `.`, `..` or hidden, and never leaves the folder it is joined to. An
/// empty name becomes `_`.
pub fn file_safe(name: &str) -> String {
    let mut leading = true;
    let safe: String = name
        .chars()
        .map(|c| {
            leading &= c == '.';
            if !leading && (c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// One argument as a POSIX shell word: as it is when it holds only characters no shell
/// treats specially (letters, digits and `@%+=:,./-_`, not starting with `=`, which zsh
/// expands), otherwise in single quotes, each embedded `'` written `'\''`. Pasted into
/// `sh`, `bash` or `zsh`, the word is the argument again, whatever it holds.
pub fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !arg.is_empty() && !arg.starts_with('=') && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const MIN: &str = "name = \"t\"\ntrials = 5\nseed = 3\n[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n";

    fn scenario(name: &str, extra: &[&str]) -> Scenario {
        let sets: Vec<String> = std::iter::once(format!("name={name:?}"))
            .chain(extra.iter().map(|s| s.to_string()))
            .collect();
        load_str(MIN, "t.toml", &sets).unwrap_or_else(|e| panic!("{e}"))
    }

    fn files(n: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|i| PathBuf::from(format!("f{i}.toml")))
            .collect()
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_safe("gift box/v2.1"), "gift_box_v2.1");
        assert_eq!(file_safe("a-b_c"), "a-b_c");
        assert_eq!(file_safe("红包"), "__");
    }

    #[test]
    fn file_safe_names_never_leave_their_folder() {
        for (name, safe) in [
            ("..", "__"),
            (".", "_"),
            ("", "_"),
            ("../../x", "___.._x"),
            ("/etc/cron.d/x", "_etc_cron.d_x"),
            ("..hidden", "__hidden"),
            ("a..b", "a..b"),
            ("C:\\x", "C__x"),
        ] {
            assert_eq!(file_safe(name), safe, "{name}");
            let dir = Path::new("output").join(file_safe(name));
            assert_eq!(dir.parent(), Some(Path::new("output")), "{name}");
            assert_eq!(dir.components().count(), 2, "{name}");
        }
    }

    #[test]
    fn a_run_names_its_default_folder_safely() {
        let l = Lineup::single(Path::new("q.toml"), scenario("../../x", &[]), None, None)
            .expect("lineup");
        assert_eq!(l.default_dir, Path::new("output").join("___.._x"));
        let l = Lineup::single(Path::new("q.toml"), scenario("/tmp/evil", &[]), None, None)
            .expect("lineup");
        assert_eq!(l.default_dir, Path::new("output").join("_tmp_evil"));
    }

    #[test]
    fn shell_quote_keeps_every_argument_one_word() {
        assert_eq!(shell_quote("scenarios/q.toml"), "scenarios/q.toml");
        assert_eq!(shell_quote("a.b=0.5"), "a.b=0.5");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("my file.toml"), "'my file.toml'");
        assert_eq!(shell_quote("x=$(rm -rf ~)"), "'x=$(rm -rf ~)'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("=ls"), "'=ls'");
        assert_eq!(
            shell_quote("k={ dist = \"fixed\", value = 3 }"),
            "'k={ dist = \"fixed\", value = 3 }'"
        );
    }

    #[test]
    fn the_reproduce_command_survives_a_shell() {
        // Every word of the command, split by a real POSIX shell, is the argument given.
        let hostile = [
            "name=\"it's $(touch /tmp/promosim-pwned) `id` ; x\"",
            "a.b='c'",
            "x=\\ \n y",
        ];
        let sets: Vec<String> = hostile.iter().map(|s| s.to_string()).collect();
        let l = Lineup::single(Path::new("my dir/q's.toml"), scenario("q", &[]), None, None)
            .expect("lineup");
        let cmd = l.command(&sets, Objective::Icpa, Constraints::default(), &[]);
        let Ok(out) = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "printf '%s\\0' {}",
                cmd.trim_start_matches("promosim ")
            ))
            .output()
        else {
            return; // no POSIX shell on this machine
        };
        let words: Vec<String> = String::from_utf8(out.stdout)
            .expect("utf-8")
            .split('\0')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let mut expected = vec!["run", "my dir/q's.toml", "--trials", "5", "--seed", "3"];
        for s in &hostile {
            expected.extend(["--set", s]);
        }
        assert_eq!(words, expected);
    }

    #[test]
    fn duplicates_are_found_in_order() {
        assert_eq!(first_duplicate(["a", "b", "c"].into_iter()), None);
        assert_eq!(first_duplicate(["a", "b", "a", "b"].into_iter()), Some("a"));
    }

    #[test]
    fn a_single_file_keeps_its_name_and_takes_overrides() {
        let l =
            Lineup::single(Path::new("q.toml"), scenario("q", &[]), Some(7), None).expect("lineup");
        assert_eq!((l.base.trials, l.base.seed), (7, 3));
        assert_eq!(l.entries.len(), 1);
        assert_eq!(l.entries[0].candidate.name, "base");
        assert!(!l.ranked());
        assert_eq!(l.default_dir, Path::new("output").join("q"));
        assert_eq!(l.resolved[0].0, "scenario.resolved.toml");
        assert_eq!(
            l.command(&[], Objective::TotalRoi, Constraints::default(), &[]),
            "promosim run q.toml --trials 7 --seed 3"
        );
    }

    #[test]
    fn files_share_trials_and_seed_of_the_first() {
        let s = vec![scenario("a b", &[]), scenario("c", &["seed=9"])];
        let l = Lineup::of_files(&files(2), s, None, None).expect("lineup");
        assert!(l.entries.iter().all(|e| e.plan.scenario.seed == 3));
        let names: Vec<&str> = l
            .entries
            .iter()
            .map(|e| e.candidate.name.as_str())
            .collect();
        assert_eq!(names, ["a b", "c"]);
        assert_eq!(l.base.name, "a b vs c");
        assert_eq!(l.default_dir, Path::new("output").join("compare_a_b_vs_c"));
        assert_eq!(l.notes.len(), 1);
        assert!(l.notes[0].starts_with("note: f1.toml sets trials = 5, seed = 9;"));
        let c = Constraints {
            max_cost: Some(1500.0),
            min_conversion: Some(0.05),
        };
        assert_eq!(
            l.command(&["x=1".into()], Objective::IncRoi, c, &["--report".into()]),
            "promosim compare f0.toml f1.toml --trials 5 --seed 3 --set x=1 --objective inc-roi --budget 1500 --min-conversion 0.05 --report"
        );
        assert_eq!(l.info(String::new()).scenario_file, "f0.toml f1.toml");
    }

    #[test]
    fn a_seed_given_silences_the_note() {
        let s = vec![scenario("a", &[]), scenario("c", &["seed=9"])];
        let l = Lineup::of_files(&files(2), s, None, Some(4)).expect("lineup");
        assert!(l.notes.is_empty());
        assert_eq!(l.base.seed, 4);
    }

    #[test]
    fn files_on_different_markets_or_with_one_name_are_refused() {
        let invalid = |s: Vec<Scenario>| match Lineup::of_files(&files(s.len()), s, None, None) {
            Err(LineupError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {other:?}"),
        };
        let m = invalid(vec![
            scenario("a", &[]),
            scenario("b", &["horizon_days=30"]),
        ]);
        assert!(m.contains("horizon_days = 30 but f0.toml has"), "{m}");
        let m = invalid(vec![
            scenario("a", &[]),
            scenario("b", &["currency=\"EUR\""]),
        ]);
        assert!(m.contains("currency = \"EUR\""), "{m}");
        let m = invalid(vec![scenario("a", &[]), scenario("a", &[])]);
        assert!(m.starts_with("two candidates are named \"a\""), "{m}");
        let m = invalid(vec![scenario("a b", &[]), scenario("a_b", &[])]);
        assert!(
            m.starts_with("two files have the same scenario `name`"),
            "{m}"
        );
        assert!(Lineup::of_files(&[], Vec::new(), None, None).is_err());
    }
}
