use crate::settings::{Schedule, Target, Weekday, settings};

settings! {
    /// CRM tags and a targeted push to members who visit often but never buy (docs/field-figures.md §2.8).
    pub struct TargetedPush {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// When pushes go out (default 20:00 on Wednesdays).
        schedule: Schedule = Schedule::weekly(20, 0, &[Weekday::Wednesday]) => nested,
        /// A member is tagged "visits, never buys" after this many group visits without an
        /// order (default 4).
        visits_to_tag: u32 = 4 => at_least(1, "visit"),
        /// Exclusive code value (default 8).
        coupon: f64 = 8.0 => money,
        /// Minutes the code stays valid (default 1440).
        valid_minutes: u32 = 1440 => at_least(1, "minute"),
        /// Send the same push to every member instead (the broadcast it is compared with;
        /// default false).
        broadcast: bool = false => any,
        /// Log-odds that a tagged member opens a personal message (default 1.2, calibrated).
        open_base: f64 = 1.2 => log_odds,
        /// Extra log-odds for a message that names the member's interest and tracks the parcel
        /// (default 0.3, calibrated).
        personal_strength: f64 = 0.3 => log_odds,
        /// Only members of these segments of `population.groups.segments` are pushed (one
        /// name or a list; absent: every member), tagged or, with `broadcast`, all of them.
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<Target> = None => segments,
    }
    check(self, base, c) {
        c.needs_groups(base);
    }
}
