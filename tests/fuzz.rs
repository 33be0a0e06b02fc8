//! A deterministic mutation fuzzer of scenario files, on stable Rust.
//!
//! ## Design
//! The inputs are every shipped scenario (`scenarios/*.toml`) and every file of the
//! regression corpus (`tests/fuzz-corpus/*.toml`), in file-name order, each as written and
//! resolved (every default spelled out, so that mutations reach the settings a file leaves
//! out), and every mechanism with its defaults; each is shrunk once to a small market (few
//! buyers, groups and bloggers) so that a mutant runs in milliseconds.
//! Mutant `i` of seed `s` is drawn from its own generator, seeded by `(s, i)` alone, so
//! any mutant can be regenerated without the ones before it (`replay_mutant`). A mutant
//! stacks one to four mutations of the scenario's TOML tree (numbers set to boundaries:
//! 0, −1, 1e-300, 5e-324, 1e308, NaN, ±inf, off by one, scaled by 10^k; keys deleted;
//! keys and whole mechanism tables copied from other scenarios; strings swapped for other
//! scenarios' strings; values replaced by values of another type; booleans flipped;
//! arrays shortened or grown) and, rarely, of its text (truncated, a line deleted or
//! repeated).
//!
//! Each mutant then goes through what `promosim run` does, in-process, through the public
//! API: parse and validate (`scenario::load_str`), line up its candidates and build their
//! plans (`lineup::Lineup::single`), simulate two trials of each with the no-campaign
//! world (and, for one mutant in four, the mechanisms' contributions), build the
//! candidates' results and summaries (`Plan::candidate`), compare them and render the
//! terminal tables. A rejection with an error is a correct answer (the error must name
//! the file). A **finding** is:
//! - a panic anywhere (caught, with its message and location);
//! - a value that breaks the undefined-value rule of `common::invariants` (NaN only where
//!   a ratio's denominator is 0, never infinite; shares in [0, 1]);
//! - a plan that cannot be built for a scenario that validation accepted;
//! - a mutant that runs longer than the deadline (it runs on a worker thread; the caller
//!   waits with a timeout, so a hang is reported instead of hanging the test).
//!
//! A mutant that validates but would simulate a large market (a mutated population or
//! horizon) is run again with overrides that shrink it, so a valid but large scenario
//! costs milliseconds, not minutes; validation still sees the mutated values first.
//!
//! ## Tests
//! - `fuzz_fixed_budget` (CI): a fixed seed and mutant count, about a minute on one core
//!   in release;
//! - `fuzz_corpus`: every corpus file gives the outcome its header promises
//!   (`# expect: reject` or `# expect: run`) without a finding;
//! - `long_fuzz` (ignored): runs for `PROMOSIM_FUZZ_SECONDS` seconds from the seed
//!   `PROMOSIM_FUZZ_SEED` (default: the clock), prints the rate, fails on any finding with
//!   the command that replays it;
//! - `replay_mutant` (ignored): regenerates and runs mutant `PROMOSIM_FUZZ_INDEX` of seed
//!   `PROMOSIM_FUZZ_SEED`, printing its TOML.
//!
//! The inputs are part of a mutant's identity: adding a corpus file or a scenario changes
//! which mutant an index gives, so a finding is kept by saving its TOML to the corpus,
//! not its index.

mod common;

use common::invariants::{check_candidate, check_counts};
use promosim::compare::{Constraints, Objective, comparison};
use promosim::engine::{Arms, Contribution, Workspace, simulate_arms};
use promosim::lineup::Lineup;
use promosim::output::{render_comparison, render_contributions, render_table};
use promosim::scenario::load_str;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use toml::{Table, Value};

/// The seed of the CI run.
const CI_SEED: u64 = 20_240_601;
/// Mutants of the CI run (about a minute on one core in release; see `HANDOFF.md`).
const CI_MUTANTS: u64 = 20_000;
/// Longest a mutant may run (parse to tables). Shrunk mutants take milliseconds; the
/// deadline leaves room for a loaded machine.
const DEADLINE: Duration = Duration::from_secs(10);
/// Trials per candidate.
const TRIALS: u32 = 2;
/// Label of a mutant in errors.
const LABEL: &str = "mutant.toml";

// ---------------------------------------------------------------------------------------
// Random numbers: splitmix64, so that a mutant depends on this file only, not on a crate's
// generator.

/// A splitmix64 generator.
struct Rng(u64);

impl Rng {
    /// The generator of mutant `index` of `seed`.
    fn of(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
        let a = r.next();
        Rng(a ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        (!xs.is_empty()).then(|| &xs[self.below(xs.len())])
    }
}

// ---------------------------------------------------------------------------------------
// Inputs.

/// One input scenario: its file name and its shrunk TOML tree.
#[derive(Clone)]
struct Input {
    name: String,
    table: Table,
}

/// Every input: the shipped scenarios and the corpus, in file-name order, each shrunk.
fn inputs() -> Vec<Input> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["scenarios", "tests/fuzz-corpus"] {
        let mut fs: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        fs.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        fs.sort();
        files.extend(fs);
    }
    let mut out = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(table) = text.parse::<Table>() else {
            continue;
        };
        let name = format!(
            "{}/{}",
            f.parent()
                .and_then(Path::file_name)
                .unwrap_or_default()
                .to_string_lossy(),
            f.file_name().unwrap_or_default().to_string_lossy()
        );
        // The resolved scenario spells out every default, so that mutations reach the
        // settings a file leaves out.
        if let Some(resolved) = load_str(&text, LABEL, &[])
            .ok()
            .and_then(|s| s.to_toml().parse::<Table>().ok())
        {
            out.push(Input {
                name: format!("{name} (resolved)"),
                table: shrink(resolved),
            });
        }
        out.push(Input {
            name,
            table: shrink(table),
        });
    }
    // Every mechanism with its default settings, in a market with groups and bloggers.
    let base = "[product]\nprice = 99.0\nunit_cost = 40.0\n[population]\nbuyers = 300\n\
                [population.groups]\ncount = 2\n[seller]\ntop_store = true\n";
    if let Ok(mut s) = load_str(base, LABEL, &[]) {
        s.mechanisms = promosim::mechanisms::Mechanisms::all_default();
        if let Ok(t) = s.to_toml().parse::<Table>()
            && valid(&t)
        {
            out.push(Input {
                name: "every mechanism's defaults".into(),
                table: shrink(t),
            });
        }
    }
    out
}

/// The overrides that shrink a market: few buyers, groups and bloggers, a short horizon.
const SHRINK: &[(&str, i64)] = &[
    ("population.buyers", 300),
    ("population.groups.count", 2),
    ("population.bloggers.count", 200),
    ("horizon_days", 40),
];

/// `table` with its market shrunk ([`SHRINK`]) where the result still validates (a
/// horizon shorter than a scheduled day does not, and is left as it was).
fn shrink(mut table: Table) -> Table {
    for &(key, cap) in SHRINK {
        let mut t = table.clone();
        let current = get(&t, key).and_then(Value::as_integer);
        let default_large = current.is_none() && key != "population.groups.count";
        if current.is_some_and(|v| v > cap) || default_large {
            set(&mut t, key, Value::Integer(cap));
            if valid(&t) {
                table = t;
            }
        }
    }
    table
}

fn valid(t: &Table) -> bool {
    toml::to_string(t)
        .ok()
        .is_some_and(|s| load_str(&s, LABEL, &[]).is_ok())
}

fn get<'a>(t: &'a Table, key: &str) -> Option<&'a Value> {
    let mut parts = key.split('.');
    let mut v = t.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    Some(v)
}

fn set(t: &mut Table, key: &str, value: Value) {
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = t;
    for p in &parts[..parts.len() - 1] {
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(next) = next else { return };
        cur = next;
    }
    cur.insert(parts[parts.len() - 1].to_string(), value);
}

// ---------------------------------------------------------------------------------------
// Paths into a TOML tree.

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Idx(usize),
}

/// Every node's path (tables, arrays and leaves; not the root).
fn paths(t: &Table) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, at: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(at.clone());
        match v {
            Value::Table(t) => {
                for (k, v) in t {
                    at.push(Seg::Key(k.clone()));
                    walk(v, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    at.push(Seg::Idx(i));
                    walk(v, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in t {
        walk(v, &mut vec![Seg::Key(k.clone())], &mut out);
    }
    out
}

fn node_mut<'a>(t: &'a mut Table, path: &[Seg]) -> Option<&'a mut Value> {
    let (Seg::Key(first), rest) = path.split_first()? else {
        return None;
    };
    let mut v = t.get_mut(first)?;
    for s in rest {
        v = match (s, v) {
            (Seg::Key(k), Value::Table(t)) => t.get_mut(k)?,
            (Seg::Idx(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn node<'a>(t: &'a Table, path: &[Seg]) -> Option<&'a Value> {
    let (Seg::Key(first), rest) = path.split_first()? else {
        return None;
    };
    let mut v = t.get(first)?;
    for s in rest {
        v = match (s, v) {
            (Seg::Key(k), Value::Table(t)) => t.get(k)?,
            (Seg::Idx(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Removes the node at `path`.
fn remove(t: &mut Table, path: &[Seg]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if parent.is_empty() {
        if let Seg::Key(k) = last {
            t.remove(k);
        }
        return;
    }
    match (last, node_mut(t, parent)) {
        (Seg::Key(k), Some(Value::Table(p))) => {
            p.remove(k);
        }
        (Seg::Idx(i), Some(Value::Array(a))) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// Puts `value` at `path`, creating the tables on the way; gives up where the way is not
/// a table or an array's element.
fn put(t: &mut Table, path: &[Seg], value: Value) {
    let Some((Seg::Key(first), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        t.insert(first.clone(), value);
        return;
    }
    let mut cur = t
        .entry(first.clone())
        .or_insert_with(|| Value::Table(Table::new()));
    for (k, s) in rest.iter().enumerate() {
        let last = k + 1 == rest.len();
        cur = match (s, cur) {
            (Seg::Key(key), Value::Table(tb)) => {
                if last {
                    tb.insert(key.clone(), value);
                    return;
                }
                tb.entry(key.clone())
                    .or_insert_with(|| Value::Table(Table::new()))
            }
            (Seg::Idx(i), Value::Array(a)) if *i < a.len() => {
                if last {
                    a[*i] = value;
                    return;
                }
                &mut a[*i]
            }
            _ => return,
        };
    }
}

// ---------------------------------------------------------------------------------------
// The mutator.

/// The pools mutations draw from: every input, and every string any input holds.
struct Pools {
    inputs: Vec<Input>,
    strings: Vec<String>,
}

impl Pools {
    fn new(inputs: Vec<Input>) -> Pools {
        let mut strings = Vec::new();
        for i in &inputs {
            for p in paths(&i.table) {
                if let Some(Value::String(s)) = node(&i.table, &p) {
                    strings.push(s.clone());
                }
            }
        }
        strings.sort();
        strings.dedup();
        strings.extend(
            [
                "",
                " ",
                "x",
                "\u{0}",
                "ü€😀",
                "00:00",
                "23:59",
                "24:00",
                "-1:00",
                "12:60",
                "fixed",
                "normal",
                "lognormal",
                "gamma",
                "beta",
                "pareto",
                "uniform",
                "poisson",
                "daily",
                "bgnbd",
                "monday",
                "sunday",
            ]
            .map(String::from),
        );
        strings.push("a".repeat(300));
        Pools { inputs, strings }
    }
}

/// A boundary or nearby value for the number `x`.
fn mutate_number(x: f64, r: &mut Rng) -> f64 {
    const BOUNDS: &[f64] = &[
        0.0,
        -0.0,
        -1.0,
        1.0,
        2.0,
        0.5,
        1e-300,
        5e-324,
        1e-9,
        1e-7,
        9.99e-7,
        1e-6,
        1e308,
        -1e308,
        f64::MAX,
        1e12,
        1e12 + 1.0,
        1e13,
        4_294_967_295.0,
        4_294_967_296.0,
        9_007_199_254_740_993.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.999_999_999_999,
        1.000_000_000_001,
        500.0,
        501.0,
        3650.0,
        3651.0,
        1440.0,
        1441.0,
        24.0,
        60.0,
        20.0,
        -20.0,
        21.0,
    ];
    match r.below(6) {
        0 | 1 => BOUNDS[r.below(BOUNDS.len())],
        2 => x + [-1.0, 1.0, -2.0, 2.0][r.below(4)],
        3 => x * 10f64.powi(r.below(25) as i32 - 12),
        4 => match r.below(4) {
            0 => -x,
            1 => x / 2.0,
            2 => f64::from_bits(x.to_bits().wrapping_add(1)),
            _ => f64::from_bits(x.to_bits().wrapping_sub(1)),
        },
        _ => (r.next() % 2001) as f64 - 1000.0,
    }
}

/// `x` as TOML: an integer where the original was one and `x` is integral and fits, else
/// a float.
fn number_value(x: f64, integer: bool) -> Value {
    if integer && x.fract() == 0.0 && x.abs() < 9.2e18 {
        Value::Integer(x as i64)
    } else {
        Value::Float(x)
    }
}

/// A value of another type than `v`.
fn other_type(v: &Value, p: &Pools, r: &mut Rng) -> Value {
    loop {
        let w = match r.below(8) {
            0 => Value::String(p.strings[r.below(p.strings.len())].clone()),
            1 => Value::Boolean(r.chance(0.5)),
            2 => Value::Integer([0, 1, -1, 7, i64::MAX, i64::MIN][r.below(6)]),
            3 => Value::Float(mutate_number(1.0, r)),
            4 => Value::Array(Vec::new()),
            5 => Value::Array(vec![Value::Float(0.5), Value::Integer(2)]),
            6 => Value::Table(Table::new()),
            _ => {
                let mut t = Table::new();
                t.insert("dist".into(), Value::String("fixed".into()));
                t.insert("value".into(), Value::Float(mutate_number(3.0, r)));
                Value::Table(t)
            }
        };
        if std::mem::discriminant(&w) != std::mem::discriminant(v) {
            return w;
        }
    }
}

/// Applies one mutation to `t`; returns what it did.
fn mutate_tree(t: &mut Table, p: &Pools, r: &mut Rng) -> String {
    let all = paths(t);
    let of = |pred: &dyn Fn(&Value) -> bool| -> Vec<Vec<Seg>> {
        all.iter()
            .filter(|path| node(t, path).is_some_and(pred))
            .cloned()
            .collect()
    };
    let show = |path: &[Seg]| -> String {
        path.iter()
            .map(|s| match s {
                Seg::Key(k) => k.clone(),
                Seg::Idx(i) => format!("[{i}]"),
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    match r.below(20) {
        // Numbers (the most common settings).
        0..=7 => {
            let nums = of(&|v| matches!(v, Value::Integer(_) | Value::Float(_)));
            let Some(path) = r.pick(&nums).cloned() else {
                return "no number".into();
            };
            let Some(v) = node_mut(t, &path) else {
                return "gone".into();
            };
            let (x, integer) = match v {
                Value::Integer(i) => (*i as f64, true),
                Value::Float(f) => (*f, false),
                _ => return "not a number".into(),
            };
            let y = mutate_number(x, r);
            *v = number_value(y, integer && !r.chance(0.2));
            format!("number {} = {y:e}", show(&path))
        }
        // Delete a key.
        8 | 9 => {
            let keyed: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(_))))
                .cloned()
                .collect();
            let Some(path) = r.pick(&keyed).cloned() else {
                return "nothing".into();
            };
            remove(t, &path);
            format!("delete {}", show(&path))
        }
        // Copy a key, or a whole mechanism table, from another input.
        10..=12 => {
            let donor = &p.inputs[r.below(p.inputs.len())].table;
            if r.chance(0.35) {
                let mechs = donor.get("mechanisms").and_then(Value::as_table);
                if let Some((k, v)) = mechs.and_then(|m| {
                    let keys: Vec<_> = m.iter().collect();
                    r.pick(&keys).map(|(k, v)| ((*k).clone(), (*v).clone()))
                }) {
                    set(t, &format!("mechanisms.{k}"), v);
                    return format!("copy mechanisms.{k}");
                }
            }
            let dp = paths(donor);
            let Some(path) = r.pick(&dp).cloned() else {
                return "nothing".into();
            };
            if let Some(v) = node(donor, &path).cloned() {
                put(t, &path, v);
            }
            format!("copy {}", show(&path))
        }
        // Another type.
        13 | 14 => {
            let Some(path) = r.pick(&all).cloned() else {
                return "nothing".into();
            };
            let Some(v) = node_mut(t, &path) else {
                return "gone".into();
            };
            *v = other_type(v, p, r);
            format!("retype {}", show(&path))
        }
        // Another string.
        15 => {
            let strs = of(&|v| v.is_str());
            let Some(path) = r.pick(&strs).cloned() else {
                return "no string".into();
            };
            if let Some(v) = node_mut(t, &path) {
                *v = Value::String(p.strings[r.below(p.strings.len())].clone());
            }
            format!("string {}", show(&path))
        }
        // Flip a switch (or switch a mechanism off).
        16 => {
            let bools = of(&|v| v.is_bool());
            match r.pick(&bools).cloned() {
                Some(path) => {
                    if let Some(Value::Boolean(b)) = node_mut(t, &path) {
                        *b = !*b;
                    }
                    format!("flip {}", show(&path))
                }
                None => "no switch".into(),
            }
        }
        // Swap two leaves.
        17 => {
            let leaves = of(&|v| !v.is_table() && !v.is_array());
            let (Some(a), Some(b)) = (r.pick(&leaves).cloned(), r.pick(&leaves).cloned()) else {
                return "nothing".into();
            };
            let (Some(va), Some(vb)) = (node(t, &a).cloned(), node(t, &b).cloned()) else {
                return "gone".into();
            };
            put(t, &a, vb);
            put(t, &b, va);
            format!("swap {} {}", show(&a), show(&b))
        }
        // Arrays: drop, repeat or clear.
        _ => {
            let arrays = of(&|v| v.is_array());
            let Some(path) = r.pick(&arrays).cloned() else {
                return "no array".into();
            };
            let choice = r.below(3);
            if let Some(Value::Array(a)) = node_mut(t, &path) {
                match choice {
                    0 if !a.is_empty() => {
                        let i = r.below(a.len());
                        a.remove(i);
                    }
                    1 if !a.is_empty() => {
                        let i = r.below(a.len());
                        let v = a[i].clone();
                        a.push(v);
                    }
                    _ => a.clear(),
                }
            }
            format!("array {} ({choice})", show(&path))
        }
    }
}

/// A text mutation: truncate, delete a line or repeat one (a repeated key).
fn mutate_text(text: &str, r: &mut Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match r.below(3) {
        0 => {
            let mut cut = r.below(text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_string()
        }
        1 if !lines.is_empty() => {
            let k = r.below(lines.len());
            let mut l = lines.clone();
            l.remove(k);
            l.join("\n")
        }
        _ if !lines.is_empty() => {
            let k = r.below(lines.len());
            let mut l = lines.clone();
            l.insert(k, lines[k]);
            l.join("\n")
        }
        _ => text.to_string(),
    }
}

/// Mutant `index` of `seed`: its input's name, the mutations, and its text.
struct Mutant {
    input: String,
    steps: Vec<String>,
    text: String,
    contributions: bool,
}

fn mutant(p: &Pools, seed: u64, index: u64) -> Mutant {
    let mut r = Rng::of(seed, index);
    let input = &p.inputs[r.below(p.inputs.len())];
    let mut t = input.table.clone();
    let n = 1 + [0, 0, 0, 1, 1, 2, 3][r.below(7)];
    let mut steps = Vec::new();
    for _ in 0..n {
        steps.push(mutate_tree(&mut t, p, &mut r));
    }
    let mut text = toml::to_string(&t).unwrap_or_default();
    if r.chance(0.05) {
        text = mutate_text(&text, &mut r);
        steps.push("text".into());
    }
    Mutant {
        input: input.name.clone(),
        steps,
        text,
        contributions: r.chance(0.25),
    }
}

// ---------------------------------------------------------------------------------------
// Running a mutant.

/// What a mutant did.
#[derive(Debug)]
enum Outcome {
    /// Refused with an error (a correct answer).
    Rejected(String),
    /// Ran to the tables.
    Ran,
    /// A finding: what went wrong.
    Finding(String),
}

thread_local! {
    /// The message and location of the last panic on a fuzz worker thread.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether this thread is a fuzz worker (its panics are recorded, not printed).
    static WORKER: RefCell<bool> = const { RefCell::new(false) };
}

/// Installs (once) a panic hook that records a worker's panic instead of printing it and
/// leaves every other thread's panics to the previous hook.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if WORKER.with(|w| *w.borrow()) {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                PANIC.with(|p| *p.borrow_mut() = Some(format!("panic at {at}: {msg}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// The market of a validated scenario is small enough to simulate as it is.
fn small(s: &promosim::scenario::Scenario) -> bool {
    let pop = &s.population;
    pop.buyers <= 2_000
        && pop.groups.count <= 4
        && pop.bloggers.count <= 2_000
        && s.horizon_days <= 120
}

/// Runs one mutant's text through what `promosim run` does (see the module docs).
fn execute(text: &str, contributions: bool) -> Outcome {
    let scenario = match load_str(text, LABEL, &[]) {
        Ok(s) => s,
        Err(e) => {
            let msg = e.to_string();
            if e.problems.is_empty() || e.problems.iter().any(|p| p.message.is_empty()) {
                return Outcome::Finding(format!("an error without a message: {e:?}"));
            }
            if !msg.starts_with(LABEL) {
                return Outcome::Finding(format!("an error that does not name the file: {msg}"));
            }
            return Outcome::Rejected(msg);
        }
    };
    let scenario = if small(&scenario) {
        scenario
    } else {
        let overrides: Vec<String> = SHRINK
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .chain(["population.groups.count=2".to_string()])
            .collect();
        match load_str(text, LABEL, &overrides) {
            Ok(s) if small(&s) => s,
            _ => return Outcome::Rejected("valid, too large to simulate".into()),
        }
    };
    let lineup = match Lineup::single(Path::new(LABEL), scenario, Some(TRIALS), None) {
        Ok(l) => l,
        Err(e) => return Outcome::Finding(format!("validated, but no plan: {e}")),
    };
    if lineup.entries.iter().any(|e| !small(&e.plan.scenario)) {
        return Outcome::Rejected("a candidate too large to simulate".into());
    }
    let arms = Arms {
        no_campaign: true,
        contributions: contributions.then_some(Contribution { pairs: 2 }),
    };
    let mut findings = Vec::new();
    let mut cands = Vec::new();
    for e in &lineup.entries {
        let mut ws = Workspace::new(&e.plan);
        let trials: Vec<_> = (0..TRIALS)
            .map(|i| simulate_arms(&e.plan, arms, lineup.base.seed, i, &mut ws))
            .collect();
        for t in &trials {
            findings.extend(check_counts(t));
        }
        let c = e.plan.candidate(&e.candidate.name, trials);
        findings.extend(check_candidate(&c));
        cands.push(c);
    }
    let cmp = comparison(&cands, Objective::default(), Constraints::default());
    let mut out = render_table(&cands, true);
    if let Some(cmp) = &cmp {
        out.push_str(&render_comparison(cmp));
    }
    if contributions {
        out.push_str(&render_contributions(&cands));
    }
    if out.is_empty() {
        findings.push("no table rendered".into());
    }
    if findings.is_empty() {
        Outcome::Ran
    } else {
        findings.truncate(8);
        Outcome::Finding(findings.join("; "))
    }
}

/// A worker thread that runs mutants one at a time; a caller waits for each with a
/// deadline.
struct Worker {
    jobs: mpsc::Sender<(String, bool)>,
    done: mpsc::Receiver<Outcome>,
}

impl Worker {
    fn start() -> Worker {
        install_hook();
        let (jobs, rx) = mpsc::channel::<(String, bool)>();
        let (tx, done) = mpsc::channel();
        std::thread::Builder::new()
            .name("fuzz-worker".into())
            .spawn(move || {
                WORKER.with(|w| *w.borrow_mut() = true);
                for (text, contributions) in rx {
                    let r = std::panic::catch_unwind(|| execute(&text, contributions));
                    let outcome = r.unwrap_or_else(|_| {
                        Outcome::Finding(
                            PANIC
                                .with(|p| p.borrow_mut().take())
                                .unwrap_or_else(|| "panic".into()),
                        )
                    });
                    if tx.send(outcome).is_err() {
                        break;
                    }
                }
            })
            .expect("worker thread");
        Worker { jobs, done }
    }

    /// Runs `text`; a mutant still running after [`DEADLINE`] is a finding (its thread is
    /// abandoned and a new worker started).
    fn run(&mut self, text: &str, contributions: bool) -> Outcome {
        if self.jobs.send((text.to_string(), contributions)).is_err() {
            *self = Worker::start();
            return self.run(text, contributions);
        }
        match self.done.recv_timeout(DEADLINE) {
            Ok(o) => o,
            Err(_) => {
                *self = Worker::start();
                Outcome::Finding(format!("still running after {DEADLINE:?}"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Campaigns of mutants.

/// What a campaign of mutants found.
#[derive(Default)]
struct Tally {
    mutants: u64,
    rejected: u64,
    /// Rejections whose error names a key (the others are syntax errors, named by line).
    naming_a_key: u64,
    ran: u64,
    findings: Vec<String>,
    slowest: (Duration, u64),
}

/// Runs mutants `range` of `seed` until `stop` says so; findings are kept with the
/// command that replays them.
fn campaign(
    seed: u64,
    range: impl Iterator<Item = u64>,
    stop: impl Fn(&Tally) -> bool,
) -> (Tally, Duration) {
    let pools = Pools::new(inputs());
    let mut w = Worker::start();
    let mut tally = Tally::default();
    let started = Instant::now();
    for i in range {
        if stop(&tally) {
            break;
        }
        let m = mutant(&pools, seed, i);
        let t0 = Instant::now();
        let o = w.run(&m.text, m.contributions);
        let took = t0.elapsed();
        if took > tally.slowest.0 {
            tally.slowest = (took, i);
        }
        tally.mutants += 1;
        match o {
            Outcome::Rejected(m) => {
                tally.rejected += 1;
                tally.naming_a_key += u64::from(m.contains('`'));
            }
            Outcome::Ran => tally.ran += 1,
            Outcome::Finding(f) => tally.findings.push(format!(
                "mutant {i} of seed {seed} ({}: {}): {f}\n  replay: {}",
                m.input,
                m.steps.join(", "),
                replay_command(seed, i)
            )),
        }
    }
    (tally, started.elapsed())
}

fn replay_command(seed: u64, index: u64) -> String {
    format!(
        "PROMOSIM_FUZZ_SEED={seed} PROMOSIM_FUZZ_INDEX={index} cargo test --release --test fuzz -- --ignored replay_mutant --nocapture"
    )
}

fn report(t: &Tally, wall: Duration) -> String {
    format!(
        "{} mutants in {:.1} s ({:.0}/s): {} rejected ({} naming a key), {} ran, {} findings; slowest mutant {} ({:.0} ms)",
        t.mutants,
        wall.as_secs_f64(),
        t.mutants as f64 / wall.as_secs_f64().max(1e-9),
        t.rejected,
        t.naming_a_key,
        t.ran,
        t.findings.len(),
        t.slowest.1,
        t.slowest.0.as_secs_f64() * 1e3,
    )
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The fixed CI budget: no finding in [`CI_MUTANTS`] mutants of [`CI_SEED`].
#[test]
fn fuzz_fixed_budget() {
    let (t, wall) = campaign(CI_SEED, 0..CI_MUTANTS, |_| false);
    eprintln!("fuzz: {}", report(&t, wall));
    assert!(
        t.ran > CI_MUTANTS / 10,
        "too few mutants ran: {}",
        report(&t, wall)
    );
    assert!(t.findings.is_empty(), "{}", t.findings.join("\n"));
}

/// Fuzzes for `PROMOSIM_FUZZ_SECONDS` seconds (default 60) from `PROMOSIM_FUZZ_SEED`
/// (default: the clock); fails on any finding, printing the command that replays it.
#[test]
#[ignore = "long: run with PROMOSIM_FUZZ_SECONDS"]
fn long_fuzz() {
    let seconds = env_u64("PROMOSIM_FUZZ_SECONDS").unwrap_or(60);
    let seed = env_u64("PROMOSIM_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(1)
    });
    let until = Instant::now() + Duration::from_secs(seconds);
    let cpu0 = cpu_seconds();
    let (t, wall) = campaign(seed, 0.., |t| {
        Instant::now() >= until || t.findings.len() >= 20
    });
    let cpu = cpu_seconds() - cpu0;
    eprintln!("long fuzz, seed {seed}: {}", report(&t, wall));
    if cpu > 0.0 {
        eprintln!(
            "  {:.1} CPU-seconds: {:.0} mutants per CPU-second",
            cpu,
            t.mutants as f64 / cpu
        );
    }
    assert!(t.findings.is_empty(), "{}", t.findings.join("\n"));
}

/// CPU time of this process (user + system), seconds; 0 where it cannot be read.
fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15: utime and stime in clock ticks (100 per second on
    // Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Regenerates and runs mutant `PROMOSIM_FUZZ_INDEX` of `PROMOSIM_FUZZ_SEED`, printing
/// its TOML and what it did.
#[test]
#[ignore = "replays one mutant: set PROMOSIM_FUZZ_SEED and PROMOSIM_FUZZ_INDEX"]
fn replay_mutant() {
    let seed = env_u64("PROMOSIM_FUZZ_SEED").unwrap_or(CI_SEED);
    let index = env_u64("PROMOSIM_FUZZ_INDEX").unwrap_or(0);
    let pools = Pools::new(inputs());
    let m = mutant(&pools, seed, index);
    println!(
        "# mutant {index} of seed {seed}: {} with {}{}\n{}",
        m.input,
        m.steps.join(", "),
        if m.contributions {
            " (with contributions)"
        } else {
            ""
        },
        m.text
    );
    let o = Worker::start().run(&m.text, m.contributions);
    println!("# outcome: {o:?}");
    assert!(!matches!(o, Outcome::Finding(_)), "{o:?}");
}

/// Every corpus file gives the outcome its header promises, without a finding.
#[test]
fn fuzz_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fuzz-corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut w = Worker::start();
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("corpus file");
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect:"))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{}: no `# expect:` header", f.display()));
        let o = w.run(&text, true);
        let ok = matches!(
            (expect, &o),
            ("reject", Outcome::Rejected(_)) | ("run", Outcome::Ran)
        );
        if !ok {
            bad.push(format!("{}: expected {expect}, got {o:?}", f.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A mutant is a function of `(seed, index)` alone: the same mutant whether generated
/// alone or after others.
#[test]
fn mutants_are_regenerable_alone() {
    let pools = Pools::new(inputs());
    let alone = mutant(&pools, 7, 1234).text;
    for i in 0..50 {
        mutant(&pools, 7, i);
    }
    assert_eq!(mutant(&pools, 7, 1234).text, alone);
    assert_ne!(mutant(&pools, 7, 1235).text, alone);
}

/// Order proofs give a member at most one order an evening: with generous rewards each
/// proof opened was one more order and each order one more proof, and a trial of two
/// groups ran for minutes.
#[test]
fn order_proofs_give_a_member_one_order_per_evening() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus/proofs_one_order_per_member_per_evening.toml");
    let text = std::fs::read_to_string(path).expect("corpus file");
    let plan = common::plan(&text, &[]);
    let started = Instant::now();
    let t = &common::run_trials(&plan, 1, 1)[0];
    let k = plan
        .kpi_names()
        .iter()
        .position(|n| n == "op_proof_orders")
        .expect("op_proof_orders");
    let evenings = f64::from(t.population) * f64::from(plan.scenario.horizon_days);
    assert!(t.kpis[k] <= evenings, "{} orders from proofs", t.kpis[k]);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A post's discovery-tab views are at most the population a day, so a huge
/// `discovery_views_per_day` runs in milliseconds instead of looping over billions of
/// views.
#[test]
fn discovery_views_are_at_most_the_population_a_day() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/discovery_views_1e12.toml");
    let text = std::fs::read_to_string(path).expect("corpus file");
    let plan = common::plan(&text, &["population.buyers=2000", "horizon_days=30"]);
    let started = Instant::now();
    common::run_trials(&plan, 1, 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}
