//! Hydrated pages: actions with their actor, target and action object loaded, in one statement.
//!
//! [`Hydrate::hydrate`] turns any `Select` of actions (a `for_*` lookup, filtered, ordered and
//! limited as you like) into a select of the generated `Loaded` struct. The action-entity
//! macro adds one `LEFT JOIN` per role column, each under its own table alias (the column's
//! name, e.g. `actor_user`), and selects every column of the joined model as
//! `"<alias>__<column>"`; each row is then decoded into the per-role enums
//! (`ActorModel`, `TargetModel`, `ActionObjectModel`). However many models are registered,
//! a page is one SQL statement.
//!
//! ```
//! use stream_core::prelude::*;
//! use stream_core::sea_orm::QuerySelect;
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
//! # pub mod group {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "group")]
//! #     #[stream(actor, target, display = "name")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "joined")] Joined, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user, group] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(group::Entity).register(action::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let lennon = named("lennon").insert(&db).await?;
//! # let rust = group::ActiveModel { name: sea_orm::Set("rust".into()), ..Default::default() };
//! # let rust = rust.insert(&db).await?;
//! # action::Entity::send(&db, &lennon, Verb::Joined).target(&rust).await?;
//!
//! let page: Vec<action::Loaded> = action::Entity::for_actor(&lennon)
//!     .limit(20)
//!     .hydrate()
//!     .all(&db)
//!     .await?;
//! match &page[0].actor {
//!     action::ActorModel::User(user) => println!("{}", user.username),
//!     action::ActorModel::Group(group) => println!("{}", group.name),
//! }
//! # assert_eq!(page[0].actor, action::ActorModel::User(lennon));
//! # Ok(())
//! # }
//! ```
//!
//! Filters written with sea-orm's column methods (`action::Column::Verb.eq(..)`) name their
//! table and stay unambiguous next to the joins; a bare `Expr::col(action::Column::Id)` does
//! not, so qualify it (`Expr::col((action::Entity, action::Column::Id))`).

use crate::{ActionEntity, Role, Streamable};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, JoinType, QueryResult,
    QuerySelect, RelationDef, Select, SelectModel, Selector, TryGetError, TryGetable,
    sea_query::{Alias, Expr},
};

/// Load every role of the selected actions with them: `select.hydrate().all(&db)`.
///
/// Implemented for every `Select` of an action entity; the result is an ordinary sea-orm
/// [`Selector`], so `.one(db)`, `.all(db)`, `.paginate(db, n)` and `.stream(db)` all work.
pub trait Hydrate<A: ActionEntity> {
    /// Join every role's models into this select and decode rows as `A::Loaded`.
    fn hydrate(self) -> Selector<SelectModel<A::Loaded>>;
}

impl<A: ActionEntity> Hydrate<A> for Select<A> {
    fn hydrate(self) -> Selector<SelectModel<A::Loaded>> {
        A::join_roles(self).into_model()
    }
}

/// The prefix of the columns selected for the join `alias`, as read back by
/// `FromQueryResult` (which puts `pre` in front of each column name).
fn prefix(pre: &str, alias: &str) -> String {
    format!("{pre}{alias}__")
}

/// `LEFT JOIN` the table of model `M` through `relation`, under `alias`, and select each of
/// its `columns` as `"<alias>__<column>"`: `M::__STREAM_COLUMNS` for the generated
/// `join_roles`, `M::__STREAM_PAGE_COLUMNS` for the page's `__join_roles_for_page`.
#[doc(hidden)]
pub fn join_model<A: ActionEntity, M: Streamable>(
    select: Select<A>,
    relation: RelationDef,
    alias: &'static str,
    columns: &[<M::Entity as EntityTrait>::Column],
) -> Select<A> {
    let mut select = select.join_as(JoinType::LeftJoin, relation, Alias::new(alias));
    let pre = prefix("", alias);
    for &column in columns {
        let expr = column.select_as(Expr::col((Alias::new(alias), column)));
        select = select.column_as(expr, format!("{pre}{}", column.as_str()));
    }
    select
}

/// Decode the model joined at position `at` of a page row through the role column holding
/// `key` (see `Streamable::__stream_decode`); like [`decode_model`], a missing row is an
/// error.
#[doc(hidden)]
pub fn decode_model_at<M: Streamable>(
    row: &QueryResult,
    at: usize,
    key: &M::Pk,
    action_id: i64,
    role: Role,
) -> Result<M, DbErr> {
    match M::__stream_decode(row, at, key) {
        Ok(model) => Ok(model),
        Err(TryGetError::Null(_)) => Err(missing_role(action_id, role)),
        Err(TryGetError::DbErr(err)) => Err(err),
    }
}

/// The primary key at position `index`: [`TryGetError::Null`] when it is `NULL`, which in a
/// page row means the joined row does not exist.
#[doc(hidden)]
pub fn key_at<T: TryGetable>(row: &QueryResult, index: usize) -> Result<T, TryGetError> {
    row.try_get_by_index_nullable::<Option<T>>(index)?
        .ok_or_else(|| TryGetError::Null(index.to_string()))
}

/// The nullable column at position `index`: `None` for `NULL`.
///
/// Checks for `NULL` on the driver's row first: sea-orm reads an `Option<T>` by reading a
/// `T` and formatting an error message for the `NULL` it finds, and most of a page's role
/// columns are `NULL`.
#[doc(hidden)]
pub fn optional_at<T: TryGetable>(
    row: &QueryResult,
    index: usize,
) -> Result<Option<T>, TryGetError> {
    if null_at(row, index) == Some(true) {
        return Ok(None);
    }
    row.try_get_by_index_nullable(index)
}

/// Whether the value at `index` is `NULL`, asked of the driver's row; `None` for a row of
/// no driver (a mock), which the caller then decodes as usual.
fn null_at(row: &QueryResult, index: usize) -> Option<bool> {
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    use sea_orm::sqlx::{Row, ValueRef};
    #[cfg(feature = "sqlite")]
    if let Some(row) = row.try_as_sqlite_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    #[cfg(feature = "postgres")]
    if let Some(row) = row.try_as_pg_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    #[cfg(feature = "mysql")]
    if let Some(row) = row.try_as_mysql_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    let _ = (row, index);
    None
}

/// The column `column` at position `index`. A `NULL` where the field is not an `Option` is a
/// type error naming the column, as sea-orm reports it when decoding by name.
#[doc(hidden)]
pub fn column_at<T: TryGetable>(
    row: &QueryResult,
    index: usize,
    column: impl IdenStatic,
) -> Result<T, TryGetError> {
    row.try_get_by_index_nullable(index)
        .map_err(|err| match err {
            TryGetError::Null(_) => TryGetError::DbErr(DbErr::Type(format!(
                "Missing value for column '{}'",
                column.as_str()
            ))),
            err => err,
        })
}

/// Decode the model joined under `alias` from `row`. The action's own column says the role is
/// set, so a missing row (all `NULL`) is an error, not `None`.
#[doc(hidden)]
pub fn decode_model<M: FromQueryResult>(
    row: &QueryResult,
    pre: &str,
    alias: &str,
    action_id: i64,
    role: Role,
) -> Result<M, DbErr> {
    match M::from_query_result_nullable(row, &prefix(pre, alias)) {
        Ok(model) => Ok(model),
        Err(TryGetError::Null(_)) => Err(missing_role(action_id, role)),
        Err(TryGetError::DbErr(err)) => Err(err),
    }
}

/// The error for an action without an actor, or whose object row is gone, as the
/// [`DbErr`] a decoder returns; `StreamError::from` turns it into
/// [`StreamError::MissingRole`](crate::StreamError::MissingRole).
#[doc(hidden)]
pub fn missing_role(action_id: i64, role: Role) -> DbErr {
    crate::error::missing_role_db(action_id, role)
}
