//! The rules a setting's value is checked by: the right-hand side of `=>` in a
//! `settings!` table declaration (the macro of the crate-internal `settings::table`
//! module).
//!
//! A rule is a function `rule(c, base, key, value, args…)` that pushes a problem at `key`
//! (relative to the checker's prefix) for every value that breaks it. The table macro calls
//! the rule of every field, with the field's name as its key and the rule's arguments after
//! the value, so `open_hours: f64 = 7.0 => range(0.25, 72.0)` runs
//! `range(c, base, "open_hours", &self.open_hours, 0.25, 72.0)`.
//!
//! Numeric rules accept any value that holds numbers ([`Leaves<f64>`]): a number, a count
//! (`u32`), an optional number (checked when present), a list (each entry checked under
//! `key[i]`), or a type of the caller's that names its parts (per-tier values under
//! `key.micro`, `key.macro`). The same rule therefore reads the same on a plain field and
//! on an optional or repeated one, and the messages stay one per rule.
//!
//! Two rules check nothing, and say why: [`any`] (every value the type admits is allowed)
//! and [`custom`] (the table's `check` hook checks it, usually against other fields or the
//! base settings).

use super::check::show;
use super::{Base, Check, Checker};
use crate::dist::{DistSpec, Support};
use crate::limits::{MAX_MONEY, MIN_MONEY};

/// The values of type `T` a setting holds, each with its key path relative to the key of
/// the whole setting.
pub trait Leaves<T> {
    /// Calls `f` with the key and value of every leaf; `key` is the setting's own key.
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &T));
}

impl Leaves<f64> for f64 {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &f64)) {
        f(key, self);
    }
}

impl Leaves<f64> for u32 {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &f64)) {
        f(key, &f64::from(*self));
    }
}

impl Leaves<DistSpec> for DistSpec {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &DistSpec)) {
        f(key, self);
    }
}

/// Absent: nothing to check; present: the value under the same key.
impl<T, V: Leaves<T>> Leaves<T> for Option<V> {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &T)) {
        if let Some(v) = self {
            v.each(key, f);
        }
    }
}

/// Every entry under `key[i]`.
impl<T, V: Leaves<T>> Leaves<T> for Vec<V> {
    fn each(&self, key: &str, f: &mut dyn FnMut(&str, &T)) {
        for (i, v) in self.iter().enumerate() {
            v.each(&format!("{key}[{i}]"), f);
        }
    }
}

/// Allowed: any value the type admits (a switch, a choice from an enum, a name).
pub fn any<V: ?Sized>(_: &mut Checker, _: &Base<'_>, _: &str, _: &V) {}

/// Checked by hand, not here: by the table's `check` hook (against other fields or the base
/// settings), or by the enclosing table's when the limit depends on where the table stands
/// (an order-proof tier's upper bound).
pub fn custom<V: ?Sized>(_: &mut Checker, _: &Base<'_>, _: &str, _: &V) {}

/// A settings table (or an optional one) that checks itself, under `key`.
pub fn nested<V: Check + ?Sized>(c: &mut Checker, base: &Base<'_>, key: &str, v: &V) {
    c.check(key, v, base);
}

/// A list of tables that must not be empty (`missing` says what to add), each checked under
/// `key[i]`.
pub fn non_empty<T: Check>(c: &mut Checker, base: &Base<'_>, key: &str, v: &[T], missing: &str) {
    if v.is_empty() {
        c.push(key, missing);
    }
    c.check(key, v, base);
}

/// Probabilities in [0, 1].
pub fn prob<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| c.prob(k, *x));
}

/// Finite values > 0.
pub fn positive<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| c.positive(k, *x));
}

/// Finite values >= 0.
pub fn non_negative<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| c.non_negative(k, *x));
}

/// Amounts of money (costs, coupons, rewards, budgets): 0, or [`MIN_MONEY`] to
/// [`MAX_MONEY`], so that sums over agents, orders and days stay finite and a cost is never
/// so small that dividing by it overflows.
pub fn money<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| {
        if !(*x == 0.0 || (MIN_MONEY..=MAX_MONEY).contains(x)) {
            c.push(
                k,
                format!(
                    "{} is out of range: allowed 0 or {} to {}",
                    show(*x),
                    show(MIN_MONEY),
                    show(MAX_MONEY)
                ),
            );
        }
    });
}

/// Amounts of money that must be positive (a price, a budget): [`MIN_MONEY`] to
/// [`MAX_MONEY`].
pub fn positive_money<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| {
        if !(MIN_MONEY..=MAX_MONEY).contains(x) {
            c.push(
                k,
                format!(
                    "{} is out of range: allowed {} to {}",
                    show(*x),
                    show(MIN_MONEY),
                    show(MAX_MONEY)
                ),
            );
        }
    });
}

/// Log-odds parameters: within ±20.
pub fn log_odds<V: Leaves<f64> + ?Sized>(c: &mut Checker, _: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, x| c.log_odds(k, *x));
}

/// Values in `[lo, hi]` (NaN is out of range).
pub fn range<V: Leaves<f64> + ?Sized>(
    c: &mut Checker,
    _: &Base<'_>,
    key: &str,
    v: &V,
    lo: f64,
    hi: f64,
) {
    v.each(key, &mut |k, x| c.range(k, *x, lo, hi));
}

/// Counts of at least `min` things, `unit` naming them in the message ("minute",
/// "choices").
pub fn at_least<V: Leaves<f64> + ?Sized>(
    c: &mut Checker,
    _: &Base<'_>,
    key: &str,
    v: &V,
    min: u32,
    unit: &str,
) {
    v.each(key, &mut |k, x| {
        if *x < f64::from(min) {
            c.push(
                k,
                format!(
                    "{} is out of range: allowed at least {min} {unit}",
                    show(*x)
                ),
            );
        }
    });
}

/// Counts from `lo` to `hi` things, `unit` naming them in the message ("friend groups").
pub fn between<V: Leaves<f64> + ?Sized>(
    c: &mut Checker,
    _: &Base<'_>,
    key: &str,
    v: &V,
    lo: u32,
    hi: u32,
    unit: &str,
) {
    v.each(key, &mut |k, x| {
        if *x < f64::from(lo) || *x > f64::from(hi) {
            c.push(
                k,
                format!("{} is out of range: allowed {lo} to {hi} {unit}", show(*x)),
            );
        }
    });
}

/// Days inside the horizon: 0 to the last simulated day.
pub fn day<V: Leaves<f64> + ?Sized>(c: &mut Checker, base: &Base<'_>, key: &str, v: &V) {
    v.each(key, &mut |k, d| {
        if *d >= f64::from(base.horizon_days) {
            c.push(
                k,
                format!(
                    "day {d} is outside the horizon: allowed 0 to {}",
                    base.last_day()
                ),
            );
        }
    });
}

/// Amounts taken off the price (discounts, coupons): 0, or [`MIN_MONEY`] to below the
/// product's price.
pub fn below_price<V: Leaves<f64> + ?Sized>(c: &mut Checker, base: &Base<'_>, key: &str, v: &V) {
    let price = base.product.price;
    v.each(key, &mut |k, x| {
        c.non_negative(k, *x);
        if *x > 0.0 && *x < MIN_MONEY {
            c.push(
                k,
                format!(
                    "{} is out of range: allowed 0 or {} to less than the price",
                    show(*x),
                    show(MIN_MONEY)
                ),
            );
        }
        if *x >= price {
            c.push(
                k,
                format!("{x} is not below the price {price}: allowed 0 to less than the price"),
            );
        }
    });
}

/// Distributions that build on `support` (checked by their own constructor).
pub fn dist<V: Leaves<DistSpec> + ?Sized>(
    c: &mut Checker,
    _: &Base<'_>,
    key: &str,
    v: &V,
    support: Support,
) {
    v.each(key, &mut |k, d| c.dist(k, d, support));
}

/// The segments a mechanism aims at (`target`): every name declared in
/// `population.groups.segments`, and at least one name when set. An unknown name is an
/// error that lists the declared names.
pub fn segments(c: &mut Checker, base: &Base<'_>, key: &str, v: &Option<super::Target>) {
    let Some(target) = v else { return };
    let declared = &base.population.groups.segments;
    if target.names().is_empty() {
        c.push(key, "no segments named: allowed one or more segment names");
    }
    for name in target.names() {
        if declared.iter().any(|s| s.name == *name) {
            continue;
        }
        let allowed = if declared.is_empty() {
            "none are declared: declare segments in [[population.groups.segments]]".to_string()
        } else {
            let names: Vec<String> = declared.iter().map(|s| format!("{:?}", s.name)).collect();
            format!(
                "allowed the segments of population.groups.segments: {}",
                names.join(", ")
            )
        };
        c.push(key, format!("unknown segment {name:?}: {allowed}"));
    }
}
