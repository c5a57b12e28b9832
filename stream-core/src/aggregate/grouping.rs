//! The grouping rule of a verb: which roles and which period make two actions one group.

use crate::Role;
use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};

/// A period of UTC time that actions of one group fall in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// The same hour (UTC).
    Hour,
    /// The same day (UTC, midnight to midnight).
    Day,
    /// The same week (UTC, Monday to Sunday, as ISO 8601 counts weeks).
    Week,
}

impl Period {
    /// The start of the period `timestamp` falls in: `2026-12-01 09:41 UTC` is in the day that
    /// starts at `2026-12-01 00:00 UTC` and the week that starts on Monday `2026-11-30`.
    pub fn start(self, timestamp: DateTime<Utc>) -> DateTime<Utc> {
        let day = timestamp
            .with_hour(0)
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(timestamp);
        match self {
            Period::Hour => day + TimeDelta::hours(i64::from(timestamp.hour())),
            Period::Day => day,
            Period::Week => {
                day - TimeDelta::days(i64::from(timestamp.weekday().num_days_from_monday()))
            }
        }
    }

    /// The end of the period that starts at `start` (the start of the next one).
    pub fn end(self, start: DateTime<Utc>) -> DateTime<Utc> {
        start
            + match self {
                Period::Hour => TimeDelta::hours(1),
                Period::Day => TimeDelta::days(1),
                Period::Week => TimeDelta::weeks(1),
            }
    }

    /// The period as `#[verb(group_by = "..")]` names it: `"hour"`, `"day"`, `"week"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Week => "week",
        }
    }
}

/// How the actions of one verb group together when a stream is read
/// [`aggregated`](crate::Aggregate::aggregated): two actions of the verb are one group when
/// they have the same object in each role the rule names and fall in the same [`Period`].
///
/// Declared per verb with `#[verb(group_by = "target, day")]` on the variant (any of
/// `actor`, `target`, `action_object` and at most one of `hour`, `day`, `week`; `"none"` keeps
/// every action alone); a variant without it groups by [`Grouping::DEFAULT`], target and day.
/// The verb is always part of the key. Groups are computed when a stream is read, so a
/// changed rule regroups every action already stored.
///
/// ```
/// use stream_core::{Grouping, Period, Role};
///
/// let likes = Grouping::BY_VERB.by(Role::Target).per(Period::Day);
/// assert_eq!(likes, Grouping::DEFAULT);
/// assert_eq!(likes.to_string(), "target, day");
/// assert!(likes.groups_by(Role::Target) && !likes.groups_by(Role::Actor));
/// assert_eq!(Grouping::NONE.to_string(), "none");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Grouping {
    alone: bool,
    actor: bool,
    target: bool,
    action_object: bool,
    period: Option<Period>,
}

impl Grouping {
    /// Every action is a group of its own (`group_by = "none"`).
    pub const NONE: Grouping = Grouping {
        alone: true,
        actor: false,
        target: false,
        action_object: false,
        period: None,
    };

    /// Every action of the verb is one group, whatever its objects and time; add roles with
    /// [`by`](Self::by) and a period with [`per`](Self::per).
    pub const BY_VERB: Grouping = Grouping {
        alone: false,
        actor: false,
        target: false,
        action_object: false,
        period: None,
    };

    /// The rule of a verb without `group_by`: the same target on the same UTC day
    /// (`"target, day"`).
    pub const DEFAULT: Grouping = Grouping::BY_VERB.by(Role::Target).per(Period::Day);

    /// This rule, also keyed by the object in `role`.
    pub const fn by(mut self, role: Role) -> Self {
        self.alone = false;
        match role {
            Role::Actor => self.actor = true,
            Role::Target => self.target = true,
            Role::ActionObject => self.action_object = true,
        }
        self
    }

    /// This rule, also keyed by the `period` an action falls in (replacing any other period).
    pub const fn per(mut self, period: Period) -> Self {
        self.alone = false;
        self.period = Some(period);
        self
    }

    /// Whether every action is a group of its own ([`Grouping::NONE`]).
    pub const fn is_none(&self) -> bool {
        self.alone
    }

    /// Whether the object in `role` is part of the key.
    pub const fn groups_by(&self, role: Role) -> bool {
        match role {
            Role::Actor => self.actor,
            Role::Target => self.target,
            Role::ActionObject => self.action_object,
        }
    }

    /// The period that is part of the key, if any.
    pub const fn period(&self) -> Option<Period> {
        self.period
    }
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping::DEFAULT
    }
}

/// The rule as `#[verb(group_by = "..")]` writes it: `"target, day"`, `"none"`; `""` for
/// [`Grouping::BY_VERB`].
impl std::fmt::Display for Grouping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.alone {
            return f.write_str("none");
        }
        let roles = [
            (self.actor, "actor"),
            (self.target, "target"),
            (self.action_object, "action_object"),
        ];
        let parts = roles
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .chain(self.period.map(Period::as_str));
        for (i, part) in parts.enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn periods_start_on_utc_boundaries() {
        let t = at("2026-12-03T09:41:12.345678Z"); // a Thursday
        assert_eq!(Period::Hour.start(t), at("2026-12-03T09:00:00Z"));
        assert_eq!(Period::Day.start(t), at("2026-12-03T00:00:00Z"));
        assert_eq!(Period::Week.start(t), at("2026-11-30T00:00:00Z"));
        let monday = at("2026-11-30T00:00:00Z");
        assert_eq!(Period::Week.start(monday), monday);
        let sunday = at("2026-12-06T23:59:59Z");
        assert_eq!(Period::Week.start(sunday), monday);
    }

    #[test]
    fn rules_read_as_written() {
        let rule = Grouping::BY_VERB
            .by(Role::ActionObject)
            .by(Role::Actor)
            .per(Period::Week);
        assert_eq!(rule.to_string(), "actor, action_object, week");
        assert_eq!(Grouping::BY_VERB.to_string(), "");
        assert!(Grouping::NONE.is_none() && !Grouping::DEFAULT.is_none());
    }
}
