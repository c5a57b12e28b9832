//! Helpers every other module uses: the time the library stores, how a timestamp is bound on
//! each backend, and how two columns of an entity are compared. A leaf: it depends on no
//! other module of this crate but the error type, so the modules above it form no circle
//! through it.

use crate::StreamError;
use chrono::{DateTime, Datelike, Timelike, Utc};
use sea_orm::{DbBackend, IdenStatic, Statement, Value};

/// The current time at the precision every backend stores (microseconds), so that a stored
/// action compares equal to the one that was sent.
pub(crate) fn now() -> DateTime<Utc> {
    truncate_to_micros(Utc::now())
}

/// `t` without its sub-microsecond part, as every backend stores it.
pub(crate) fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    t.with_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// The timestamp an action is stored with: `given` (or now) at microsecond precision, or
/// [`StreamError::TimestampOutOfRange`] outside the years 1000 to 9999, where SQLite's text
/// would sort wrong and MariaDB would store a zero date.
pub(crate) fn stored_timestamp(given: Option<DateTime<Utc>>) -> crate::Result<DateTime<Utc>> {
    let timestamp = truncate_to_micros(given.unwrap_or_else(now));
    if (1000..=9999).contains(&timestamp.year()) {
        Ok(timestamp)
    } else {
        Err(StreamError::TimestampOutOfRange(timestamp))
    }
}

/// `timestamp` as the value to compare the `timestamp` column with in a query of your own
/// on `backend`: the `DateTime<Utc>` itself, except on MySQL/MariaDB, where it is the naive
/// UTC date-time.
///
/// sqlx sends a `DateTime<Utc>` parameter to MySQL as a `TIMESTAMP`, and MariaDB turns a
/// `TIMESTAMP` parameter outside 1970-01-01 to 2038-01-19 into NULL, so there
/// `action::Column::Timestamp.lt(t)` would match nothing for such a `t`;
/// `Column::Timestamp.lt(timestamp_value(backend, t))` works on every backend. (The
/// library's own inserts already do this.)
pub fn timestamp_value(backend: DbBackend, timestamp: DateTime<Utc>) -> Value {
    match backend {
        DbBackend::MySql => Value::from(timestamp.naive_utc()),
        _ => Value::from(timestamp),
    }
}

/// On MySQL/MariaDB, bind every `DateTime<Utc>` of `statement` as its naive UTC date-time, as
/// [`timestamp_value`] does; elsewhere leave the statement alone. For statements built from
/// sea-orm's typed API, where the values are `DateTime<Utc>`.
pub(crate) fn bind_timestamps_for_backend(statement: &mut Statement) {
    if statement.db_backend != DbBackend::MySql {
        return;
    }
    for value in statement.values.iter_mut().flat_map(|values| &mut values.0) {
        if let Value::ChronoDateTimeUtc(timestamp) = value {
            *value = Value::ChronoDateTime(timestamp.map(|t| t.naive_utc()));
        }
    }
}

/// Whether two columns of one entity are the same column. Generated `Column` enums derive no
/// `PartialEq`, but each variant names its column.
pub(crate) fn same_column<C: IdenStatic>(a: C, b: C) -> bool {
    a.as_str() == b.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_microseconds_and_drops_the_rest() {
        let t = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(truncate_to_micros(t).nanosecond(), 123_456_000);
        assert_eq!(
            truncate_to_micros(truncate_to_micros(t)),
            truncate_to_micros(t)
        );
    }

    #[test]
    fn timestamps_outside_the_years_1000_to_9999_are_refused() {
        let at = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_micro_opt(23, 59, 59, 999_999)
                .unwrap()
                .and_utc()
        };
        for ok in [at(1000, 1, 1), at(2026, 11, 30), at(9999, 12, 31)] {
            assert_eq!(stored_timestamp(Some(ok)).unwrap(), ok);
        }
        for bad in [at(999, 12, 31), at(10000, 1, 1), at(-1, 1, 1)] {
            assert!(
                matches!(stored_timestamp(Some(bad)), Err(StreamError::TimestampOutOfRange(t)) if t == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn mysql_timestamps_are_bound_naive() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(
            timestamp_value(DbBackend::MySql, t),
            Value::from(t.naive_utc())
        );
        assert_eq!(timestamp_value(DbBackend::Sqlite, t), Value::from(t));
    }
}
