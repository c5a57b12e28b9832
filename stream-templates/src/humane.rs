//! Relative times for people: "just now", "3 minutes ago", "in 2 days".

use chrono::{DateTime, Utc};

/// How long before `now` the moment `then` was, in the largest whole unit: `"just now"`
/// (under a minute), `"1 minute ago"`, `"3 hours ago"`, `"2 weeks ago"`, `"1 year ago"`;
/// a moment after `now` reads `"in 5 minutes"`.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// assert_eq!(stream_templates::time_ago(now - Duration::minutes(3), now), "3 minutes ago");
/// assert_eq!(stream_templates::time_ago(now - Duration::seconds(20), now), "just now");
/// assert_eq!(stream_templates::time_ago(now + Duration::days(2), now), "in 2 days");
/// ```
pub fn time_ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const UNITS: [(i64, &str); 6] = [
        (365 * DAY, "year"),
        (30 * DAY, "month"),
        (7 * DAY, "week"),
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
    ];
    let seconds = (now - then).num_seconds();
    let Some((size, unit)) = UNITS
        .iter()
        .find(|(size, _)| seconds.abs() >= *size)
        .copied()
    else {
        return "just now".to_owned();
    };
    let count = seconds.abs() / size;
    let plural = if count == 1 { "" } else { "s" };
    if seconds >= 0 {
        format!("{count} {unit}{plural} ago")
    } else {
        format!("in {count} {unit}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn largest_whole_unit() {
        let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let ago = |d: Duration| time_ago(now - d, now);
        assert_eq!(ago(Duration::seconds(0)), "just now");
        assert_eq!(ago(Duration::seconds(59)), "just now");
        assert_eq!(ago(Duration::seconds(60)), "1 minute ago");
        assert_eq!(ago(Duration::minutes(3)), "3 minutes ago");
        assert_eq!(ago(Duration::minutes(61)), "1 hour ago");
        assert_eq!(ago(Duration::hours(25)), "1 day ago");
        assert_eq!(ago(Duration::days(15)), "2 weeks ago");
        assert_eq!(ago(Duration::days(65)), "2 months ago");
        assert_eq!(ago(Duration::days(800)), "2 years ago");
        assert_eq!(ago(Duration::minutes(-1)), "in 1 minute");
    }
}
