//! Helpers every other module uses: the time the library stores, how a timestamp is bound on
//! each backend, and how two columns of an entity are compared. A leaf: it depends on no
//! other module of this crate, so the modules above it form no circle through it.

use chrono::{DateTime, Timelike, Utc};
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
    fn mysql_timestamps_are_bound_naive() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(
            timestamp_value(DbBackend::MySql, t),
            Value::from(t.naive_utc())
        );
        assert_eq!(timestamp_value(DbBackend::Sqlite, t), Value::from(t));
    }
}
