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

// The helpers the generated decoders call; reached through `crate::__private`.
pub(crate) mod decode;

use crate::ActionEntity;
use sea_orm::{Select, SelectModel, Selector};

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
