//! The sample application of `stream`: users, groups, posts and comments, the original app's
//! verbs, and one action table with a column per model per role.

pub mod models;
pub mod rating;
pub mod verb;

pub use audit_log::{AuditVerb, audit};
pub use models::{comment, device, group, post, tag, user};
pub use rating::Rating;
pub use verb::Verb;

stream_core::action_entity! {
    /// The activity stream of the sample application.
    pub mod action {
        table_name = "stream_action",
        verb = crate::Verb,
        models = [crate::user, crate::group, crate::post, crate::comment],
        // A like's rating, read back typed with `action.data()`.
        data = crate::Rating,
        // Actions sent with `.private()` show only on their actor's own page.
        public = true,
        // Every action is delivered to the inboxes by the rules of `notifications.rs`.
        notify = crate::notification,
    }
}

stream_core::follow_entity! {
    /// Who follows whom or what: users follow users, groups and posts.
    pub mod follow {
        table_name = "stream_follow",
        follower = crate::user,
        models = [crate::user, crate::group, crate::post],
        actions = [crate::action],
    }
}

stream_core::notification_entity! {
    /// The inboxes: what each user is told of.
    pub mod notification {
        table_name = "stream_notification",
        recipient = crate::user,
        actions = crate::action,
    }
}

pub mod audit_log;
pub mod migration;
pub mod notifications;
pub mod views;

mod links;
pub mod seed;
pub mod web;

/// The action templates of `templates/stream/`, compiled by askama at build time (see
/// `build.rs`): `render_html`, `render_text`, and the `render_action` filters for views.
pub mod stream {
    stream_templates::include_templates!();
}

use stream_core::sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Connect to `url` and bring its schema up to date with the migrations.
///
/// `sqlite://stream.sqlite?mode=rwc` creates the file if needed; `postgres://..` and
/// `mysql://..` need the `postgres` and `mysql` features.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(sqlite_options);
    let db = Database::connect(options).await?;
    <migration::Migrator as sea_orm_migration::MigratorTrait>::up(&db, None).await?;
    Ok(db)
}

/// How the sample application opens SQLite files: in WAL mode with `synchronous = NORMAL`, so a
/// commit does not wait for the disk and readers do not block the writer — without it, every
/// action costs several flushes to disk and concurrent writers soon see "database is locked".
pub fn sqlite_options(
    options: stream_core::sea_orm::sqlx::sqlite::SqliteConnectOptions,
) -> stream_core::sea_orm::sqlx::sqlite::SqliteConnectOptions {
    use stream_core::sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
}

/// Create every table of the sample application directly from the entities with sea-orm's
/// schema builder (no migrations table).
pub async fn create_tables(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.get_schema_builder()
        .register(user::Entity)
        .register(group::Entity)
        .register(post::Entity)
        .register(comment::Entity)
        .register(device::Entity)
        .register(tag::Entity)
        .register(action::Entity)
        .register(follow::Entity)
        .register(audit::Entity)
        .apply(db)
        .await?;
    // The inboxes with their `datetime(6)` timestamps on MySQL/MariaDB and every index.
    stream_core::schema::create_notification_table::<notification::Entity, _>(db).await?;
    // On MySQL/MariaDB the schema builder's `timestamp` and `text` lose microseconds and
    // long descriptions; this makes them `datetime(6)` and `longtext` (elsewhere: no-op).
    stream_core::schema::create_stream_indexes::<action::Entity, _>(db).await?;
    stream_core::schema::create_stream_indexes::<audit::Entity, _>(db).await?;
    stream_core::schema::fix_column_types::<action::Entity, _>(db).await?;
    stream_core::schema::fix_column_types::<audit::Entity, _>(db).await
}
