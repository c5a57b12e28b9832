//! The one error type of the library.

use sea_orm::{DbErr, SqlErr};

/// Everything that can go wrong when recording or reading actions.
///
/// Database errors are classified so that callers can react to the common cases without
/// inspecting driver messages: a reference to a row that does not exist, and a stored verb
/// that the verb enum does not know.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// An actor, target or action object referenced by the action does not exist in its table
    /// (the database rejected the row with a foreign-key violation).
    #[error("an object referenced by the action does not exist (foreign key violation): {0}")]
    MissingObject(String),

    /// A stored action references an object row that is gone, or has no actor at all.
    #[error("action {action_id} has no {role}")]
    MissingRole {
        /// Primary key of the action.
        action_id: i64,
        /// `"actor"`, `"target"` or `"action object"`.
        role: &'static str,
    },

    /// A stored action row could not be read back, typically because its verb slug is not a
    /// variant of the verb enum (it was written by another version of the application).
    #[error("a stored action could not be read: {0}")]
    Decode(String),

    /// A page cursor that this library did not make: malformed, truncated or edited.
    #[error("invalid page cursor: {0}")]
    InvalidCursor(&'static str),

    /// Any other database error.
    #[error(transparent)]
    Database(DbErr),
}

impl From<DbErr> for StreamError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::ForeignKeyConstraintViolation(message)) = err.sql_err() {
            return StreamError::MissingObject(message);
        }
        match err {
            DbErr::Type(message) => StreamError::Decode(message),
            DbErr::TryIntoErr { from, into, source } => {
                StreamError::Decode(format!("cannot convert {from} into {into}: {source}"))
            }
            other => StreamError::Database(other),
        }
    }
}

/// `Result` with [`StreamError`].
pub type Result<T, E = StreamError> = std::result::Result<T, E>;
