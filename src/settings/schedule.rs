//! When recurring events happen: weekdays, times of day, schedules.

use super::settings;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Day of the week.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    #[default]
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A time of day written `"HH:MM"` (00:00–23:59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(pub u32);

impl TimeOfDay {
    /// The `"HH:MM"` form as a regular expression (what the scenario schema requires).
    pub const PATTERN: &'static str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

    /// Minutes since midnight.
    pub fn minute(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("invalid time of day \"{s}\": allowed \"HH:MM\" from 00:00 to 23:59");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if h > 23 || m > 59 || s.trim().len() != 5 {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 60 + m))
    }
}

impl schemars::JsonSchema for TimeOfDay {
    fn schema_name() -> Cow<'static, str> {
        "TimeOfDay".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A time of day written \"HH:MM\" (00:00–23:59).",
            "type": "string",
            "pattern": TimeOfDay::PATTERN,
        })
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        format!("{:02}:{:02}", t.0 / 60, t.0 % 60)
    }
}

settings! {
    /// When a recurring event happens: on listed weekdays, or every N days.
    pub struct Schedule {
        /// Time of day (default "20:30").
        time: TimeOfDay = TimeOfDay(20 * 60 + 30) => any,
        /// Weekdays it happens on (default tuesday and friday). Ignored when `every_days` > 0.
        weekdays: Vec<Weekday> = vec![Weekday::Tuesday, Weekday::Friday] => custom,
        /// Every N days from `start_day` instead of weekdays (default 0: use weekdays).
        every_days: u32 = 0 => custom,
        /// First day it may happen (default 0).
        start_day: u32 = 0 => day,
    }
    check(self, _, c) {
        if self.every_days == 0 && self.weekdays.is_empty() {
            c.push(
                "weekdays",
                "empty: name at least one weekday or set every_days > 0",
            );
        }
    }
}

impl Schedule {
    /// At `hour:minute` on the given weekdays, from day 0.
    pub fn weekly(hour: u32, minute: u32, weekdays: &[Weekday]) -> Self {
        Schedule {
            time: TimeOfDay(hour * 60 + minute),
            weekdays: weekdays.to_vec(),
            every_days: 0,
            start_day: 0,
        }
    }

    /// At `hour:minute` every `days` days, from day 0.
    pub fn every(days: u32, hour: u32, minute: u32) -> Self {
        Schedule {
            every_days: days,
            ..Schedule::weekly(hour, minute, &[])
        }
    }

    /// True when the event happens on `day` whose weekday index is `weekday`.
    pub fn happens(&self, day: u32, weekday: usize) -> bool {
        if day < self.start_day {
            return false;
        }
        if self.every_days > 0 {
            (day - self.start_day).is_multiple_of(self.every_days)
        } else {
            self.weekdays.iter().any(|w| w.index() == weekday)
        }
    }
}
