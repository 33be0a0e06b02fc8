//! Configurations that check themselves.
//!
//! Every settings table implements [`Check`]. The tables are declared with the
//! `settings!` macro (see the `table` module), one line per field that names the field's
//! rule ([`super::rules`]); a field without a rule does not compile, so a field added to a
//! table does not compile until its check decides what the field allows (`any` and
//! `custom` are explicit decisions). Checks collect every problem with its key path (the
//! path the scenario file uses, e.g. `mechanisms.red_packets.total`) instead of stopping at
//! the first, so one `promosim validate` run shows them all; the loader turns key paths into
//! lines.
//!
//! A check sees the scenario's base settings ([`Base`]: horizon, product, seller,
//! population, behaviour), because some limits depend on them (a coupon below the price, a
//! schedule inside the horizon, a mechanism that needs chat groups).

use super::{Base, TimeOfDay};
use crate::dist::{DistSpec, Support};
use crate::limits::{MAX_QUANTITY, MIN_QUANTITY};

/// A number as messages show it: as written for everyday magnitudes, in scientific
/// notation (`1e308`, `5e-324`) for very large and very small ones.
pub fn show(x: f64) -> String {
    if x != 0.0 && x.is_finite() && (x.abs() >= 1e15 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A configuration value that can say what is wrong with it.
pub trait Check {
    /// Pushes every problem of `self` into `c`, with key paths relative to `c`'s prefix.
    fn check(&self, base: &Base<'_>, c: &mut Checker);
}

/// Collects problems as `(key path, message)` under a key-path prefix.
#[derive(Debug, Default)]
pub struct Checker {
    problems: Vec<(String, String)>,
    prefix: String,
}

impl Checker {
    /// An empty checker at the root of the scenario.
    pub fn new() -> Self {
        Checker::default()
    }

    /// The problems found, in the order they were found.
    pub fn into_problems(self) -> Vec<(String, String)> {
        self.problems
    }

    /// The full key path of `key` under the current prefix (`key` empty: the prefix).
    pub fn path(&self, key: &str) -> String {
        join(&self.prefix, key)
    }

    /// Runs `f` with `key` appended to the prefix.
    pub fn within(&mut self, key: &str, f: impl FnOnce(&mut Checker)) {
        let outer = std::mem::take(&mut self.prefix);
        self.prefix = join(&outer, key);
        f(self);
        self.prefix = outer;
    }

    /// Checks `value` under `key`.
    pub fn check<T: Check + ?Sized>(&mut self, key: &str, value: &T, base: &Base<'_>) {
        self.within(key, |c| value.check(base, c));
    }

    /// A problem at `key` (relative to the prefix).
    pub fn push(&mut self, key: &str, msg: impl Into<String>) {
        let path = self.path(key);
        self.problems.push((path, msg.into()));
    }

    /// A problem at an absolute key path (a setting outside the prefix that conflicts
    /// with it).
    pub fn push_root(&mut self, path: &str, msg: impl Into<String>) {
        self.problems.push((path.to_string(), msg.into()));
    }

    /// A probability in [0, 1].
    pub fn prob(&mut self, key: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.push(
                key,
                format!(
                    "{} is out of range: allowed a probability in [0, 1]",
                    show(v)
                ),
            );
        }
    }

    /// A positive value: [`MIN_QUANTITY`] to [`MAX_QUANTITY`].
    pub fn positive(&mut self, key: &str, v: f64) {
        self.range(key, v, MIN_QUANTITY, MAX_QUANTITY);
    }

    /// A non-negative value: 0 to [`MAX_QUANTITY`].
    pub fn non_negative(&mut self, key: &str, v: f64) {
        self.range(key, v, 0.0, MAX_QUANTITY);
    }

    /// A value in `[lo, hi]` (NaN is out of range).
    pub fn range(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v >= lo && v <= hi) {
            self.push(
                key,
                format!(
                    "{} is out of range: allowed {} to {}",
                    show(v),
                    show(lo),
                    show(hi)
                ),
            );
        }
    }

    /// Hours of one day from `from` until `until` (keys `from_key`, `until_key`): `until`
    /// must come after `from`. `what` names the hours in the message ("staff hours").
    pub fn day_hours(
        &mut self,
        (from_key, from): (&str, TimeOfDay),
        (until_key, until): (&str, TimeOfDay),
        what: &str,
    ) {
        if from.minute() >= until.minute() {
            self.push(
                until_key,
                format!(
                    "{} is not after {from_key} {}: allowed {what} from < until within one day",
                    String::from(until),
                    String::from(from)
                ),
            );
        }
    }

    /// A log-odds parameter: finite and within ±20.
    pub fn log_odds(&mut self, key: &str, v: f64) {
        self.range(key, v, -20.0, 20.0);
    }

    /// A distribution that builds on `support` (checked by its own constructor).
    pub fn dist(&mut self, key: &str, d: &DistSpec, support: Support) {
        if let Err(m) = d.build(support) {
            self.push(key, m);
        }
    }

    /// A mechanism that runs in chat groups needs some (the problem is at the prefix).
    pub fn needs_groups(&mut self, base: &Base<'_>) {
        if base.population.groups.count == 0 {
            self.push("", "needs chat groups: set population.groups.count > 0");
        }
    }
}

/// An optional settings table: absent, nothing to check; present, the table.
impl<T: Check> Check for Option<T> {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        if let Some(v) = self {
            v.check(base, c);
        }
    }
}

/// A list of settings tables: every entry under `[i]`, i.e. `key[i]` below the list's key.
impl<T: Check> Check for [T] {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        for (i, v) in self.iter().enumerate() {
            c.check(&format!("[{i}]"), v, base);
        }
    }
}

/// `prefix.key`, `prefix[i]`, or whichever of the two is not empty.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else if key.is_empty() {
        prefix.to_string()
    } else if key.starts_with('[') {
        format!("{prefix}{key}")
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest() {
        let mut c = Checker::new();
        c.within("mechanisms", |c| {
            c.within("votes", |c| {
                c.push("program", "x");
                c.within("program", |c| c.within("[2]", |c| c.push("choices", "y")));
                c.push("", "z");
            })
        });
        c.push("horizon_days", "w");
        let p = c.into_problems();
        let paths: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            paths,
            [
                "mechanisms.votes.program",
                "mechanisms.votes.program[2].choices",
                "mechanisms.votes",
                "horizon_days"
            ]
        );
    }

    #[test]
    fn positive_and_non_negative_settings_are_bounded_quantities() {
        let mut c = Checker::new();
        for v in [MIN_QUANTITY, 1.0, MAX_QUANTITY] {
            c.positive("p", v);
        }
        for v in [0.0, 1.0, MAX_QUANTITY] {
            c.non_negative("n", v);
        }
        assert!(c.into_problems().is_empty());
        let mut c = Checker::new();
        for v in [0.0, 5e-324, 1e-10, 1e13, 1e308, f64::INFINITY, f64::NAN] {
            c.positive("p", v);
        }
        for v in [-1e-300, 1e13, 1e308, f64::INFINITY, f64::NAN] {
            c.non_negative("n", v);
        }
        let p = c.into_problems();
        assert_eq!(p.len(), 12, "{p:?}");
        assert!(
            p[0].1.contains("allowed 1e-9 to 1000000000000"),
            "{}",
            p[0].1
        );
    }
}
