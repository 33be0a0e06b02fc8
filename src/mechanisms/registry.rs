//! The one list of mechanisms, and everything generated from it.
//!
//! `registry! { /// doc
//! key: Variant, ... }` takes the mechanisms' modules (their folders, declared beside the
//! registry so that rustfmt sees them) and generates:
//! - [`super::Mechanisms`]: the scenario's `[mechanisms]` table, one optional field per
//!   mechanism, its [`crate::settings::Check`] (enabled mechanisms only) and its JSON Schema
//!   (the folder's `Config` derives `schemars::JsonSchema`);
//! - [`super::MechanismPlan`] and [`super::MechanismState`]: static dispatch over the
//!   mechanisms' plans and states, in registry order;
//! - [`super::REGISTRY`]: every mechanism's [`super::Entry`] (key, label, stream, KPIs,
//!   needs), in registry order.
//!
//! The folder must provide `Plan` (a [`super::Mechanism`], run in a [`super::Run`]); the
//! config must have an `enabled` switch, and the plan's `KEY` must equal the registry key
//! (both checked at compile time). A folder without a registry line leaves its plan unused,
//! which fails the build under `-D warnings`.

/// Byte-wise string equality usable in constants.
pub(crate) const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

macro_rules! registry {
    ($( $(#[doc = $doc:literal])* $key:ident : $Variant:ident ),* $(,)?) => {
        $(
            const _: () = assert!(
                registry::same(<$key::Plan as Mechanism>::KEY, stringify!($key)),
                "a mechanism's KEY must equal its registry key"
            );
        )*

        /// The campaign's mechanisms; an absent table means the mechanism is off.
        #[derive(
            Debug, Clone, PartialEq, Default,
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        #[serde(deny_unknown_fields, default)]
        pub struct Mechanisms {
            $(
                $(#[doc = $doc])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $key: Option<<$key::Plan as Mechanism>::Config>,
            )*
        }

        impl Mechanisms {
            /// Every mechanism with its default settings.
            pub fn all_default() -> Mechanisms {
                Mechanisms { $( $key: Some(Default::default()), )* }
            }

            /// Whether the scenario has a table for mechanism `key` (`None`: no such
            /// mechanism).
            pub fn has(&self, key: &str) -> Option<bool> {
                match key {
                    $( stringify!($key) => Some(self.$key.is_some()), )*
                    _ => None,
                }
            }

            /// The plans of the enabled mechanisms, in registry order.
            pub fn plans(&self, base: &Base<'_>) -> Result<Vec<MechanismPlan>, String> {
                let mut out = Vec::new();
                $(
                    if let Some(c) = &self.$key
                        && c.enabled
                    {
                        out.push(MechanismPlan::$Variant(
                            <$key::Plan as Mechanism>::plan(base, c)?,
                        ));
                    }
                )*
                Ok(out)
            }
        }

        impl Check for Mechanisms {
            /// Checks the enabled mechanisms' settings (a disabled table may hold anything
            /// that parses).
            fn check(&self, base: &Base<'_>, c: &mut Checker) {
                $(
                    if let Some(m) = &self.$key
                        && m.enabled
                    {
                        c.check(stringify!($key), m, base);
                    }
                )*
            }
        }

        /// A validated mechanism's plan.
        #[derive(Debug, Clone)]
        pub enum MechanismPlan {
            $( $(#[doc = $doc])* $Variant($key::Plan), )*
        }

        /// A mechanism's per-trial state.
        #[derive(Debug, Clone)]
        pub enum MechanismState {
            $( $(#[doc = $doc])* $Variant(Box<Run<$key::Plan>>), )*
        }

        impl MechanismPlan {
            /// The mechanism's registry entry.
            pub fn entry(&self) -> &'static Entry {
                let i = match self { $( MechanismPlan::$Variant(_) => Index::$Variant, )* };
                &REGISTRY[i as usize]
            }

            /// The mechanism's key in scenario files.
            pub fn key(&self) -> &'static str {
                self.entry().key
            }

            /// The mechanism's random stream and coupon source id.
            pub fn stream(&self) -> u64 {
                self.entry().stream
            }

            /// The descriptors of the columns it reports, in order: its attributed counts,
            /// then its KPIs.
            pub fn columns(&self) -> impl Iterator<Item = &'static Kpi> {
                let e = self.entry();
                e.attributed.iter().chain(e.kpis)
            }

            /// What it needs from the world.
            pub fn needs(&self) -> Needs {
                self.entry().needs
            }

            /// A fresh state for this mechanism.
            pub fn new_state(&self) -> MechanismState {
                match self {
                    $( MechanismPlan::$Variant(p) => MechanismState::$Variant(Box::new(Run::new(p))), )*
                }
            }
        }

        impl MechanismState {
            /// Resets for a new trial of `world`.
            pub fn reset(&mut self, world: &World) {
                match self { $( MechanismState::$Variant(s) => s.reset(world), )* }
            }

            /// Runs the mechanism's events of the current day.
            pub fn on_day(&mut self, world: &mut World) {
                match self { $( MechanismState::$Variant(s) => s.on_day(world), )* }
            }

            /// Appends the trial's KPI values (`NaN` = undefined) in KPI order.
            pub fn kpis(&self, world: &World, out: &mut Vec<f64>) {
                match self { $( MechanismState::$Variant(s) => s.kpis(world, out), )* }
            }
        }

        /// A mechanism's trial record.
        type Trial<M> = <M as Mechanism>::Trial;

        /// Registry positions.
        #[derive(Clone, Copy)]
        enum Index { $( $Variant, )* }

        /// Every registered mechanism, in registry (and daily run) order.
        pub const REGISTRY: &[Entry] = &[
            $(
                Entry {
                    key: <$key::Plan as Mechanism>::KEY,
                    label: <$key::Plan as Mechanism>::LABEL,
                    stream: <$key::Plan as Mechanism>::STREAM,
                    kpis: &descriptors::<_, { <Trial<$key::Plan> as Record>::METRICS.len() }>(
                        <Trial<$key::Plan> as Record>::METRICS,
                    ),
                    needs: <$key::Plan as Mechanism>::NEEDS,
                    attributed: [
                        Kpi::gain(concat!(stringify!($key), "_attributed_first_buyers")),
                        Kpi::gain(concat!(stringify!($key), "_attributed_orders")),
                    ],
                },
            )*
        ];
    };
}
