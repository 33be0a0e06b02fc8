//! Settings tables declared field by field: [`settings!`].
//!
//! A settings table (a table of the scenario file: `[product]`, `[behaviour.intent]`,
//! `[mechanisms.flash_sale]`, …) is a struct that deserialises with documented defaults,
//! rejects unknown keys, describes itself in the JSON Schema and checks its values
//! ([`Check`](super::Check)). Written by hand, each field would be stated three times: in
//! the struct, in `Default` and in `Check`. The macro takes each field once, on one line
//! with its doc comment, type, default and rule, and generates all three, so the three
//! cannot drift apart and a field cannot be added without deciding what it allows.
//!
//! The generated check runs the fields' rules in declaration order, then the table's
//! `check` hook, so a table's problems come in the order its keys are documented, followed
//! by the problems that involve several keys or the base settings.
//!
//! Left to hand code: the choices of a setting (enums, which carry no defaults or rules of
//! their own), and the value types that are not tables: [`TimeOfDay`](super::TimeOfDay)
//! (written `"HH:MM"`, with its own schema) and the influencers' per-tier values (both
//! tiers required, checked by the rule of the field that holds them).

use super::{Base, Checker};

/// Declares a settings table: the struct, its `Default` and its [`Check`](super::Check).
///
/// ```ignore
/// settings! {
///     /// A scarcity flash sale in every chat group.
///     pub struct FlashSale {
///         /// Switch off without deleting (default true).
///         enabled: bool = true => any,
///         /// When the sale opens (default 15:00 on Saturdays).
///         schedule: Schedule = Schedule::weekly(15, 0, &[Weekday::Saturday]) => nested,
///         /// Minutes the sale lasts (default 60).
///         window_minutes: u32 = 60 => custom,
///         /// Log-odds of visiting the sale (default −1.5).
///         visit_base: f64 = -1.5 => log_odds,
///         /// Hours the sale's link stays open (default 24).
///         open_hours: f64 = 24.0 => range(0.25, 168.0),
///         /// Offers, at least one (default: one).
///         offers: Vec<Offer> = vec![Offer::default()] => non_empty("no offers: add one"),
///     }
///     check(self, base, c) {
///         c.needs_groups(base);
///         if self.window_minutes == 0 { /* … */ }
///     }
/// }
/// ```
///
/// Each field is `doc, attributes, name: Type = default => rule`:
/// - the doc comment becomes the field's documentation and its description in the JSON
///   Schema; other attributes (`#[serde(skip_serializing_if = "…")]`) pass through;
/// - the default goes into the generated `Default` (the struct carries
///   `#[serde(deny_unknown_fields, default)]`, so a missing key takes it; the schema shows
///   it);
/// - the rule is a function of [`rules`](super::rules), called with the field's name as
///   its key and any arguments written after it: `range(0.0, 3.0)`,
///   `dist(Support::Positive)`, `at_least(1, "minute")`. The rule is not optional: a field
///   without one does not parse, so a new field does not compile until what it allows is
///   decided. `any` (every value allowed) and `custom` (checked by the hook) are explicit
///   choices.
///
/// The optional `check(self, base, c) { … }` hook runs after the field rules, with the
/// table (`self`), the base settings ([`Base`](super::Base)) and the
/// [`Checker`](super::Checker) (name an unused one `_`): checks across fields, against the
/// base settings, and of the fields marked `custom`.
///
/// A table with required keys declares no defaults (`name: Type => rule`) and gives each
/// optional key its own `#[serde(default = "…")]`; it gets no `Default` and its struct
/// carries `#[serde(deny_unknown_fields)]` only.
///
/// Every table derives `Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema`; its
/// fields are public. rustfmt leaves the macro's input as written: keep one field per
/// line, and wrap a long default or rule onto a second line that starts with `=>`.
macro_rules! settings {
    // Every field has a default: the table has `Default` and takes it for missing keys.
    (
        $(#[$attr:meta])*
        pub struct $Name:ident {
            $(
                $(#[$fattr:meta])*
                $field:ident : $ty:ty = $default:expr => $rule:ident $(( $($arg:expr),* ))?
            ),* $(,)?
        }
        $(check($s:tt, $base:tt, $c:tt) $hook:block)?
    ) => {
        $crate::settings::settings! {
            @table [$(#[$attr])* #[serde(deny_unknown_fields, default)]] $Name
            { $( [$(#[$fattr])*] $field : $ty => $rule $(($($arg),*))? ),* }
            $(check($s, $base, $c) $hook)?
        }

        impl Default for $Name {
            fn default() -> Self {
                $Name { $( $field: $default, )* }
            }
        }
    };

    // Required keys: no defaults, no `Default`.
    (
        $(#[$attr:meta])*
        pub struct $Name:ident {
            $(
                $(#[$fattr:meta])*
                $field:ident : $ty:ty => $rule:ident $(( $($arg:expr),* ))?
            ),* $(,)?
        }
        $(check($s:tt, $base:tt, $c:tt) $hook:block)?
    ) => {
        $crate::settings::settings! {
            @table [$(#[$attr])* #[serde(deny_unknown_fields)]] $Name
            { $( [$(#[$fattr])*] $field : $ty => $rule $(($($arg),*))? ),* }
            $(check($s, $base, $c) $hook)?
        }
    };

    // The struct and its `Check`.
    (
        @table [$($attr:tt)*] $Name:ident
        { $( [$($fattr:tt)*] $field:ident : $ty:ty => $rule:ident $(( $($arg:expr),* ))? ),* }
        $(check($s:tt, $base:tt, $c:tt) $hook:block)?
    ) => {
        #[derive(
            Debug, Clone, PartialEq,
            ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
        )]
        $($attr)*
        pub struct $Name {
            $( $($fattr)* pub $field: $ty, )*
        }

        impl $crate::settings::Check for $Name {
            fn check(
                &self,
                base: &$crate::settings::Base<'_>,
                c: &mut $crate::settings::Checker,
            ) {
                $(
                    $crate::settings::rules::$rule(
                        c, base, stringify!($field), &self.$field $(, $($arg),*)?
                    );
                )*
                $crate::settings::CheckAcross::check_across(self, base, c);
            }
        }

        impl $crate::settings::CheckAcross for $Name {
            $(
                fn check_across(
                    &$s,
                    $base: &$crate::settings::Base<'_>,
                    $c: &mut $crate::settings::Checker,
                ) $hook
            )?
        }
    };
}

pub(crate) use settings;

/// The checks of a table beyond its fields' rules: the `check` hook of [`settings!`]
/// (none when the table has no hook). The generated [`Check`](super::Check) calls it after
/// the rules.
pub(crate) trait CheckAcross {
    /// Checks across fields, against the base settings, and of the fields marked `custom`.
    fn check_across(&self, _: &Base<'_>, _: &mut Checker) {}
}

#[cfg(test)]
mod tests {
    use crate::dist::Support;
    use crate::settings::{Base, Behaviour, Checker, PopulationSpec, Product, Seller};

    settings! {
        /// An inner table.
        pub struct Inner {
            /// A probability.
            p: f64 = 0.5 => prob,
        }
    }

    settings! {
        /// A table with one field of each kind of rule.
        pub struct Outer {
            /// Any value.
            on: bool = true => any,
            /// A count of at least one.
            n: u32 = 3 => at_least(1, "thing"),
            /// Optional numbers, checked when present.
            #[serde(skip_serializing_if = "Option::is_none")]
            cap: Option<f64> = None => positive,
            /// Days, each inside the horizon.
            days: Vec<u32> = vec![1, 2] => day,
            /// Shares drawn from a distribution.
            size: crate::dist::DistSpec = crate::dist::DistSpec::beta(0.5, 4.0)
                => dist(Support::UnitInterval),
            /// Inner tables, at least one.
            inner: Vec<Inner> = vec![Inner::default()] => non_empty("none: add one"),
            /// Checked by the hook.
            limit: f64 = 5.0 => custom,
        }
        check(self, _, c) {
            if self.limit < f64::from(self.n) {
                c.push("limit", "below n");
            }
        }
    }

    settings! {
        /// A table with a required key.
        pub struct Required {
            /// Required.
            price: f64 => positive,
            /// Optional.
            #[serde(default)]
            note: String => any,
        }
    }

    fn problems(o: &Outer) -> Vec<(String, String)> {
        let product: Product = toml::from_str("price = 10.0\nunit_cost = 4.0").unwrap();
        let (seller, population) = (Seller::default(), PopulationSpec::default());
        let behaviour = Behaviour::default();
        let base = Base {
            horizon_days: 10,
            start_weekday: Default::default(),
            product: &product,
            seller: &seller,
            population: &population,
            behaviour: &behaviour,
        };
        let mut c = Checker::new();
        c.check("outer", o, &base);
        c.into_problems()
    }

    #[test]
    fn defaults_fill_missing_keys_and_pass() {
        let o: Outer = toml::from_str("n = 5\nlimit = 9.0").unwrap();
        assert_eq!(o.days, [1, 2]);
        assert_eq!(o.inner, [Inner::default()]);
        assert!(problems(&o).is_empty(), "{:?}", problems(&o));
        assert!(toml::from_str::<Outer>("typo = 1").is_err());
    }

    #[test]
    fn rules_run_in_field_order_then_the_hook() {
        let o: Outer = toml::from_str(
            "n = 0\ncap = -1.0\ndays = [3, 10]\nsize = { dist = \"fixed\", value = 2.0 }\n\
             inner = [{ p = 0.5 }, { p = 2.0 }]\nlimit = -1.0",
        )
        .unwrap();
        let p = problems(&o);
        let keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "outer.n",
                "outer.cap",
                "outer.days[1]",
                "outer.size",
                "outer.inner[1].p",
                "outer.limit"
            ]
        );
        assert_eq!(p[0].1, "0 is out of range: allowed at least 1 thing");
        assert_eq!(p[2].1, "day 10 is outside the horizon: allowed 0 to 9");
        let empty = Outer {
            inner: Vec::new(),
            ..Outer::default()
        };
        assert_eq!(
            problems(&empty),
            [("outer.inner".into(), "none: add one".into())]
        );
    }

    #[test]
    fn required_keys_have_no_default() {
        assert!(toml::from_str::<Required>("note = \"x\"").is_err());
        let r: Required = toml::from_str("price = 2.0").unwrap();
        assert_eq!(r.note, "");
    }
}
