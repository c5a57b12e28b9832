//! Creating the action table: directly from the entities, or as a sea-orm-migration migration.
//!
//! The action entity carries its schema — columns, foreign keys with `ON DELETE`, a unique
//! index on `(timestamp, id)` for newest-first streams, one on `verb` and one on
//! `get_or_create_key` — except the index of each generated column, `(column, timestamp, id)`,
//! which sea-orm's derive cannot declare: [`stream_indexes`]. [`create_action_table`] (and the
//! `CreateActionTable` migration, feature `migration`) creates it with the right column
//! types on every backend:
//!
//! | column | SQLite | PostgreSQL | MySQL / MariaDB |
//! |---|---|---|---|
//! | `timestamp` | text (RFC 3339) | `timestamp with time zone` | `datetime(6)` |
//! | `description` | `text` | `text` | `longtext` (utf8mb4) |
//! | `public` (with `public = true`) | `boolean` (0/1) | `boolean` | `tinyint(1)` |
//! | `data` (with `data = Type`) | `jsonb_text` (text) | `jsonb` | `json` (on MariaDB `longtext` checked with `json_valid`) |
//!
//! Timestamps are stored in UTC with microsecond precision on all three, between the years
//! 1000 and 9999 (MySQL's `datetime` range), and sort the same way everywhere.
//!
//! sea-orm's own schema builder creates the table too, from the same entity:
//!
//! ```
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target, display = "username")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # pub mod post {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "post")]
//! #     #[stream(target, action_object, display = "title")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub title: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "liked")] Liked, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user, post] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! db.get_schema_builder()
//!     .register(user::Entity)
//!     .register(post::Entity)
//!     .register(action::Entity)
//!     .apply(&db)
//!     .await?;
//! // The (column, timestamp, id) index of every generated column:
//! stream_core::schema::create_stream_indexes::<action::Entity, _>(&db).await?;
//! // Only needed on MySQL/MariaDB, a no-op elsewhere:
//! stream_core::schema::fix_column_types::<action::Entity, _>(&db).await?;
//! # Ok(())
//! # }
//! ```
//!
//! but on MySQL and MariaDB it writes sea-query's portable types, `timestamp` (whole seconds,
//! 1970 to 2038, converted through the session time zone) and `text` (at most 64 KiB), which
//! would silently lose the microseconds of every action and reject long descriptions.
//! [`fix_column_types`] changes the two columns to `datetime(6)` and `longtext`; it does
//! nothing on SQLite and PostgreSQL, or when the columns are already right.

use crate::shared::same_column;
pub use crate::shared::timestamp_value;
use crate::{ActionEntity, Role};
use sea_orm::sea_query::{
    Alias, ConditionalStatement, Expr, ExprTrait, Index, IndexCreateStatement, Table,
    TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Iterable, RelationTrait, Schema, Statement};

/// `timestamp` on MySQL/MariaDB: microseconds, the years 1000 to 9999, no time-zone
/// conversion (the library always writes UTC).
const MYSQL_TIMESTAMP: &str = "datetime(6)";
/// `description` on MySQL/MariaDB: up to 4 GiB of any Unicode text, compared exactly as on the
/// other backends, whatever the database's default character set.
const MYSQL_DESCRIPTION: &str = "longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// The column type `backend` needs for `column` where sea-query's portable one is wrong.
fn native_column_type<A: ActionEntity>(
    backend: DbBackend,
    column: A::Column,
) -> Option<&'static str> {
    match backend {
        DbBackend::MySql if same_column(column, A::TIMESTAMP) => Some(MYSQL_TIMESTAMP),
        DbBackend::MySql if same_column(column, A::DESCRIPTION) => Some(MYSQL_DESCRIPTION),
        _ => None,
    }
}

/// The `CREATE TABLE` statement of `A` on `backend`: what sea-orm's
/// `Schema::create_table_from_entity` makes, with the column types of the
/// [table above](self) on MySQL/MariaDB. The indexes are separate statements
/// (`Schema::create_index_from_entity`).
pub fn create_action_table_statement<A: ActionEntity>(backend: DbBackend) -> TableCreateStatement {
    let schema = Schema::new(backend);
    let entity = A::default();
    let mut table = Table::create();
    table.table(entity.table_ref());
    if let Some(comment) = entity.comment() {
        table.comment(comment);
    }
    for column in A::Column::iter() {
        let mut definition = schema.get_column_def::<A>(column);
        if let Some(native) = native_column_type::<A>(backend, column) {
            definition.custom(native);
        }
        table.col(definition);
    }
    // As sea-orm does: one foreign key per relation that the action table owns.
    for relation in A::Relation::iter() {
        let relation = relation.def();
        if relation.is_owner || relation.skip_fk {
            continue;
        }
        table.foreign_key(&mut relation.into());
    }
    table
}

/// The index of every generated column, `(column, timestamp, id)`: it serves the foreign key
/// (deletes of the referenced row) and that column's newest-first stream, so a page of
/// `for_actor`, `for_target` or `for_action_object` reads 21 index entries from its cursor on
/// however many actions the object has. Named `idx-<table>-newest-<column>`.
///
/// On SQLite and PostgreSQL each index is partial, `WHERE <column> IS NOT NULL`: an action
/// sets two or three of its generated columns, so it adds two or three index entries instead
/// of one per registered model and role, and the indexes hold only rows a lookup can find
/// (every lookup compares the column with `=` or `IN`, which implies `IS NOT NULL`, so both
/// databases use the partial index for it, and for the foreign key's `ON DELETE`). MySQL and
/// MariaDB have no partial indexes; there they index every row.
pub fn stream_indexes<A: ActionEntity>(backend: DbBackend) -> Vec<IndexCreateStatement> {
    let entity = A::default();
    let table = entity.table_name().to_owned();
    [Role::Actor, Role::Target, Role::ActionObject]
        .into_iter()
        .flat_map(|role| A::role_columns(role).iter().copied())
        .map(|column| {
            let mut index = Index::create();
            index
                .name(format!(
                    "idx-{table}-newest-{}",
                    sea_orm::IdenStatic::as_str(&column)
                ))
                .table(Alias::new(table.as_str()))
                .col(column)
                .col(A::TIMESTAMP)
                .col(A::ID);
            if backend != DbBackend::MySql {
                index.and_where(Expr::col(column).is_not_null());
            }
            index.to_owned()
        })
        .collect()
}

/// Create the [`stream_indexes`] of `A`: after sea-orm's `SchemaBuilder` has created the
/// table (the migration and [`create_action_table`] include them).
pub async fn create_stream_indexes<A: ActionEntity, C: ConnectionTrait>(
    db: &C,
) -> Result<(), DbErr> {
    for index in stream_indexes::<A>(db.get_database_backend()) {
        db.execute(&index).await?;
    }
    Ok(())
}

/// Create the table of `A` and its indexes. The tables it references must exist.
///
/// Equivalent to registering `A` with sea-orm's `SchemaBuilder` and applying it, with the
/// column types of the [table above](self); handy when the models' tables are created some
/// other way.
pub async fn create_action_table<A: ActionEntity, C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute(&create_action_table_statement::<A>(backend))
        .await?;
    for index in Schema::new(backend).create_index_from_entity(A::default()) {
        db.execute(&index).await?;
    }
    create_stream_indexes::<A, C>(db).await
}

/// Give an existing action table of `A` the column types of the [table above](self): on
/// MySQL/MariaDB, `ALTER TABLE .. MODIFY` the columns that sea-orm's schema builder created
/// as `timestamp` and `text`. Does nothing on SQLite and PostgreSQL, or when the columns are
/// already right, so it is safe to call on every start.
pub async fn fix_column_types<A: ActionEntity, C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::MySql {
        return Ok(());
    }
    let entity = A::default();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME \
             FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            [entity.table_name().into()],
        ))
        .await?;
    let mut current = Vec::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        let mut native: String = row.try_get_by_index(1)?;
        for part in [2, 3] {
            if let Some(value) = row.try_get_by_index::<Option<String>>(part)? {
                native = format!("{native} {value}");
            }
        }
        current.push((name, native.to_lowercase()));
    }
    let mut alter = Table::alter();
    alter.table(entity.table_ref());
    let mut changed = false;
    for column in [A::TIMESTAMP, A::DESCRIPTION] {
        let Some(native) = native_column_type::<A>(backend, column) else {
            continue;
        };
        let name = sea_orm::IdenStatic::as_str(&column);
        // `longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin` reads back as
        // `longtext utf8mb4 utf8mb4_bin`.
        let wanted = native
            .replace("CHARACTER SET ", "")
            .replace("COLLATE ", "")
            .to_lowercase();
        if current.iter().any(|(n, t)| n == name && *t == wanted) {
            continue;
        }
        let mut definition = Schema::new(backend).get_column_def::<A>(column);
        definition.custom(native);
        alter.modify_column(definition);
        changed = true;
    }
    if changed {
        db.execute(&alter).await?;
    }
    Ok(())
}

/// Drop the table of `A` if it exists.
pub async fn drop_action_table<A: ActionEntity, C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let table = sea_orm::sea_query::Table::drop()
        .table(A::default().table_ref())
        .if_exists()
        .to_owned();
    db.execute(&table).await?;
    Ok(())
}

/// A sea-orm-migration migration that creates (and on `down`, drops) the action table of `A`.
///
/// ```
/// # use stream_core::sea_orm::{self, entity::prelude::*};
/// use sea_orm_migration::{MigrationTrait, MigratorTrait};
/// # pub mod user {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "user")]
/// #     #[stream(actor, target, display = "username")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, }
/// # stream_core::action_entity! {
/// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
/// # }
/// # mod m0001_create_models {
/// #     use sea_orm_migration::{prelude::*, sea_orm::Schema};
/// #     pub struct Migration;
/// #     impl MigrationName for Migration {
/// #         fn name(&self) -> &str { "m0001_create_models" }
/// #     }
/// #     #[async_trait::async_trait]
/// #     impl MigrationTrait for Migration {
/// #         async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
/// #             let schema = Schema::new(manager.get_database_backend());
/// #             manager.create_table(schema.create_table_from_entity(super::user::Entity)).await
/// #         }
/// #     }
/// # }
/// # pub struct Migrator;
///
/// impl MigratorTrait for Migrator {
///     fn migrations() -> Vec<Box<dyn MigrationTrait>> {
///         vec![
///             Box::new(m0001_create_models::Migration),
///             Box::new(stream_core::schema::CreateActionTable::<action::Entity>::new()),
///         ]
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # Migrator::up(&db, None).await?;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "migration")]
pub struct CreateActionTable<A: ActionEntity> {
    name: String,
    entity: std::marker::PhantomData<fn() -> A>,
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> CreateActionTable<A> {
    /// The migration, named `m_stream_create_<table>` in the migrations table.
    pub fn new() -> Self {
        CreateActionTable {
            name: format!("m_stream_create_{}", A::default().table_name()),
            entity: std::marker::PhantomData,
        }
    }
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> Default for CreateActionTable<A> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> sea_orm_migration::MigrationName for CreateActionTable<A> {
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(feature = "migration")]
#[sea_orm_migration::async_trait::async_trait]
impl<A: ActionEntity> sea_orm_migration::MigrationTrait for CreateActionTable<A> {
    async fn up(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        create_action_table::<A, _>(manager.get_connection()).await
    }

    async fn down(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        drop_action_table::<A, _>(manager.get_connection()).await
    }
}

/// The `CREATE TABLE` statement of the notification table `N` on `backend`: what sea-orm's
/// `Schema::create_table_from_entity` makes, with `datetime(6)` timestamps on MySQL/MariaDB
/// (microseconds, as the action's timestamp it copies).
pub fn create_notification_table_statement<N: crate::NotificationEntity>(
    backend: DbBackend,
) -> TableCreateStatement {
    let schema = Schema::new(backend);
    let entity = N::default();
    let mut table = Table::create();
    table.table(entity.table_ref());
    for column in N::Column::iter() {
        let mut definition = schema.get_column_def::<N>(column);
        if backend == DbBackend::MySql
            && [N::TIMESTAMP, N::SEEN_AT, N::READ_AT]
                .iter()
                .any(|&c| same_column(c, column))
        {
            definition.custom(MYSQL_TIMESTAMP);
        }
        table.col(definition);
    }
    for relation in N::Relation::iter() {
        let relation = relation.def();
        if relation.is_owner || relation.skip_fk {
            continue;
        }
        table.foreign_key(&mut relation.into());
    }
    table
}

/// The indexes of the notification table `N` that sea-orm's derive cannot declare:
/// `(recipient, timestamp, action)`, which an inbox page walks newest first, and
/// `(recipient, seen_at)`, `(recipient, read_at)`, which the counts read (named
/// `idx-<table>-inbox`, `-unseen`, `-unread`).
pub fn notification_indexes<N: crate::NotificationEntity>() -> Vec<IndexCreateStatement> {
    let table = N::default().table_name().to_owned();
    let index = |name: &str, columns: &[N::Column]| {
        let mut index = Index::create();
        index
            .name(format!("idx-{table}-{name}"))
            .table(Alias::new(table.as_str()));
        for &column in columns {
            index.col(column);
        }
        index.to_owned()
    };
    vec![
        index("inbox", &[N::RECIPIENT, N::TIMESTAMP, N::ACTION]),
        index("unseen", &[N::RECIPIENT, N::SEEN_AT]),
        index("unread", &[N::RECIPIENT, N::READ_AT]),
    ]
}

/// Create the [`notification_indexes`] of `N`: after sea-orm's `SchemaBuilder` has created
/// the table ([`create_notification_table`] includes them).
pub async fn create_notification_indexes<N: crate::NotificationEntity, C: ConnectionTrait>(
    db: &C,
) -> Result<(), DbErr> {
    for index in notification_indexes::<N>() {
        db.execute(&index).await?;
    }
    Ok(())
}

/// Create the notification table of `N` and all its indexes. The recipient's table and the
/// action table must exist.
pub async fn create_notification_table<N: crate::NotificationEntity, C: ConnectionTrait>(
    db: &C,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute(&create_notification_table_statement::<N>(backend))
        .await?;
    for index in Schema::new(backend).create_index_from_entity(N::default()) {
        db.execute(&index).await?;
    }
    create_notification_indexes::<N, C>(db).await
}

/// Drop the notification table of `N` if it exists.
pub async fn drop_notification_table<N: crate::NotificationEntity, C: ConnectionTrait>(
    db: &C,
) -> Result<(), DbErr> {
    let table = Table::drop()
        .table(N::default().table_ref())
        .if_exists()
        .to_owned();
    db.execute(&table).await?;
    Ok(())
}

/// A sea-orm-migration migration that creates (and on `down`, drops) the notification table
/// of `N`, with every index: [`create_notification_table`].
#[cfg(feature = "migration")]
pub struct CreateNotificationTable<N: crate::NotificationEntity> {
    name: String,
    entity: std::marker::PhantomData<fn() -> N>,
}

#[cfg(feature = "migration")]
impl<N: crate::NotificationEntity> CreateNotificationTable<N> {
    /// The migration, named `m_stream_create_<table>` in the migrations table.
    pub fn new() -> Self {
        CreateNotificationTable {
            name: format!("m_stream_create_{}", N::default().table_name()),
            entity: std::marker::PhantomData,
        }
    }
}

#[cfg(feature = "migration")]
impl<N: crate::NotificationEntity> Default for CreateNotificationTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "migration")]
impl<N: crate::NotificationEntity> sea_orm_migration::MigrationName for CreateNotificationTable<N> {
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(feature = "migration")]
#[sea_orm_migration::async_trait::async_trait]
impl<N: crate::NotificationEntity> sea_orm_migration::MigrationTrait
    for CreateNotificationTable<N>
{
    async fn up(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        create_notification_table::<N, _>(manager.get_connection()).await
    }

    async fn down(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        drop_notification_table::<N, _>(manager.get_connection()).await
    }
}
