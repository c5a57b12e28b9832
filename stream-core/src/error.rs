//! The one error type of the library.

use crate::Role;
use sea_orm::{DbErr, SqlErr};
use std::sync::Arc;

/// Everything that can go wrong when recording or reading actions.
///
/// Database errors are classified so that callers can react to the common cases without
/// inspecting driver messages: a reference to a row that does not exist, a role whose row is
/// gone, and a stored verb that the verb enum does not know. Each variant that comes from a
/// database error keeps it as its [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// An actor, target or action object referenced by the action does not exist in its table
    /// (the database rejected the row with a foreign-key violation).
    #[error("an object referenced by the action does not exist (foreign key violation)")]
    MissingObject(#[source] DbErr),

    /// A stored action has no actor, or the row of one of its roles is gone (a row written
    /// around the library's foreign keys). Returned wherever the role's row is read: hydrated
    /// pages, [`Hydrate`](crate::Hydrate) selects (through `StreamError::from` of their
    /// `DbErr`), and the generated getters such as `Model::actor(&db)`.
    #[error("action {action} has no {role}")]
    MissingRole {
        /// Primary key of the action.
        action: i64,
        /// The role whose row is missing.
        role: Role,
    },

    /// A stored action row could not be read back, typically because its verb slug is not a
    /// variant of the verb enum (it was written by another version of the application).
    #[error("a stored action could not be read")]
    Decode(#[source] DbErr),

    /// A page cursor that this library did not make: malformed, truncated or edited.
    #[error("invalid page cursor: {0}")]
    InvalidCursor(&'static str),

    /// A page size of 0, or above [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    #[error("a page holds 1 to {max} actions, not {size}")]
    InvalidPageSize {
        /// The size asked for.
        size: u64,
        /// The largest page: [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
        max: u64,
    },

    /// A prune batch size of 0, or above
    /// [`prune::MAX_BATCH_SIZE`](crate::prune::MAX_BATCH_SIZE); nothing was deleted.
    #[error("a prune batch deletes 1 to {max} actions, not {size}")]
    InvalidBatchSize {
        /// The size asked for.
        size: u64,
        /// The largest batch: [`prune::MAX_BATCH_SIZE`](crate::prune::MAX_BATCH_SIZE).
        max: u64,
    },

    /// A timestamp outside the years 1000 to 9999, the range every backend stores and sorts
    /// alike (MySQL's `datetime`); nothing was stored.
    #[error("the timestamp {0} is outside the years 1000 to 9999 that actions can have")]
    TimestampOutOfRange(chrono::DateTime<chrono::Utc>),

    /// The value given to `.data(..)` could not be serialized to JSON: its `Serialize` impl
    /// failed (a map whose keys are not strings, a custom impl that refuses the value).
    /// Nothing was stored. The source is the `serde_json::Error`.
    #[error("the action's data could not be serialized to JSON")]
    UnserializableData(#[source] Arc<dyn std::error::Error + Send + Sync>),

    /// The stored `data` of an action does not fit the type `action_entity!` declares (the
    /// type changed since the row was written, or the row was written by hand): returned by
    /// that action's `Model::data()` alone, so the page it is on still loads. The source is
    /// the `serde_json::Error`.
    #[error("the data of action {action} does not fit its type")]
    InvalidData {
        /// Primary key of the action.
        action: i64,
        /// Why the JSON does not fit.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },

    /// A base URL for the Activity Streams and Atom output that is not an absolute
    /// `http(s)` URL without query and fragment (see [`BaseUrl`](crate::BaseUrl)).
    #[error("invalid base URL `{url}`: {why}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: &'static str,
    },

    /// A [`Bridge`](crate::bridge::Bridge), which carries live events between processes,
    /// could not start: its Redis server or PostgreSQL listener did not answer, the URL is
    /// malformed, or the database cannot be shared with another process (an in-memory SQLite
    /// database). Nothing else is affected: the [`Signal`](crate::Signal) of this process
    /// keeps working without it.
    #[error("live events cannot cross processes: {reason}")]
    Bridge {
        /// What failed, in a sentence.
        reason: String,
        /// The driver's error, when there is one.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },

    /// A Redis address for [`Timelines`](crate::timeline::Timelines) that the client cannot
    /// use (not a `redis://` or `rediss://` URL, or a cluster given no node). Only
    /// configuration fails this way: Redis being down or slow is never an error, timelines
    /// then read from SQL.
    #[cfg(feature = "redis")]
    #[error("invalid Redis address `{url}`")]
    InvalidRedisUrl {
        /// The address as given.
        url: String,
        /// What the Redis client says is wrong with it.
        #[source]
        source: redis::RedisError,
    },

    /// Any other database error.
    #[error(transparent)]
    Database(DbErr),
}

/// What a [`StreamError::MissingRole`] travels as inside a [`DbErr`], where sea-orm's
/// `FromQueryResult` allows no other error: the source of a `DbErr::TryIntoErr`, turned back
/// into the variant by `StreamError::from`.
#[derive(Debug, thiserror::Error)]
#[error("action {action} has no {role}")]
struct RoleRowMissing {
    action: i64,
    role: Role,
}

/// The error for an action without an actor, or whose role row is gone.
pub fn missing_role(action: i64, role: Role) -> StreamError {
    StreamError::MissingRole { action, role }
}

/// [`missing_role`] as a [`DbErr`], for decoders that must return one.
pub fn missing_role_db(action: i64, role: Role) -> DbErr {
    DbErr::TryIntoErr {
        from: "a stream action row",
        into: "its loaded roles",
        source: Arc::new(RoleRowMissing { action, role }),
    }
}

impl From<DbErr> for StreamError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::ForeignKeyConstraintViolation(_)) = err.sql_err() {
            return StreamError::MissingObject(err);
        }
        match err {
            DbErr::TryIntoErr { ref source, .. } => match source.downcast_ref::<RoleRowMissing>() {
                Some(missing) => missing_role(missing.action, missing.role),
                None => StreamError::Decode(err),
            },
            DbErr::Type(_) => StreamError::Decode(err),
            other => StreamError::Database(other),
        }
    }
}

/// `Result` with [`StreamError`].
pub type Result<T, E = StreamError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_missing_role_survives_the_trip_through_a_database_error() {
        let err = StreamError::from(missing_role_db(7, Role::Target));
        assert!(
            matches!(
                err,
                StreamError::MissingRole {
                    action: 7,
                    role: Role::Target
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "action 7 has no target");
    }

    #[test]
    fn decode_errors_keep_the_database_error_as_their_source() {
        let err = StreamError::from(DbErr::Type("unknown verb `zap`".into()));
        assert!(matches!(err, StreamError::Decode(_)), "{err:?}");
        let source = err.source().expect("a source");
        assert!(
            source.to_string().contains("unknown verb `zap`"),
            "{source}"
        );
    }
}
