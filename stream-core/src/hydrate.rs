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
//! ```ignore
//! use stream_core::prelude::*;
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
//! ```
//!
//! Filters written with sea-orm's column methods (`action::Column::Verb.eq(..)`) name their
//! table and stay unambiguous next to the joins; a bare `Expr::col(action::Column::Id)` does
//! not, so qualify it (`Expr::col((action::Entity, action::Column::Id))`).

use crate::{ActionEntity, Role, StreamError};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType, QueryResult,
    QuerySelect, RelationDef, Select, SelectModel, Selector, TryGetError,
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

/// `LEFT JOIN` the model table `M` through `relation`, under `alias`, and select each of its
/// columns as `"<alias>__<column>"`. Used by the generated `join_roles`.
#[doc(hidden)]
pub fn join_model<A: ActionEntity, M: EntityTrait>(
    select: Select<A>,
    relation: RelationDef,
    alias: &'static str,
) -> Select<A> {
    let mut select = select.join_as(JoinType::LeftJoin, relation, Alias::new(alias));
    let pre = prefix("", alias);
    for column in <M::Column as Iterable>::iter() {
        let expr = column.select_as(Expr::col((Alias::new(alias), column)));
        select = select.column_as(expr, format!("{pre}{}", column.as_str()));
    }
    select
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

/// The error for an action without an actor, or whose object row is gone.
#[doc(hidden)]
pub fn missing_role(action_id: i64, role: Role) -> DbErr {
    DbErr::Custom(
        StreamError::MissingRole {
            action_id,
            role: role.as_str(),
        }
        .to_string(),
    )
}
