//! Settings tables declared field by field: [`settings!`].
//!
//! A settings table (a table of the scenario file: `[product]`, `[behaviour.intent]`,
//! `[mechanisms.flash_sale]`, …) is a struct that deserialises with documented defaults,
//! rejects unknown keys, describes itself in the JSON Schema and checks its values
//! ([`Check`](super::Check)). Written by hand, each field would be stated three times: in
//! the struct, in `Default` and in `Check`. The macro takes each field once, on one line
//! with its doc comment, type, default and rule, and generates all three, so the three
//! cannot drift apart and a field cannot be added without deciding what it allows.

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
///         /// Hours the draw stays open (default 24).
///         open_hours: f64 = 24.0 => range(0.25, 168.0),
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
/// fields are public.
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
/// (none when the table has no hook). Called by the generated [`Check`](super::Check) after the rules.
pub(crate) trait CheckAcross {
    /// Checks across fields, against the base settings, and of the fields marked `custom`.
    fn check_across(&self, _: &Base<'_>, _: &mut Checker) {}
}
