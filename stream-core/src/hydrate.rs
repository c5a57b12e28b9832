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

// The helpers the generated decoders call; reached through `crate::__private`.
pub(crate) mod decode;

use crate::ActionEntity;
use sea_orm::{Select, SelectModel, Selector};

/// Load every role of the selected actions with them: `select.hydrate().all(&db)`.
///
/// Implemented for every `Select` of an action entity; the result is an ordinary sea-orm
/// [`Selector`], so `.one(db)`, `.all(db)`, `.paginate(db, n)` and `.stream(db)` all work.
///
/// An action whose role row is gone (written around the foreign keys) fails the read with a
/// `DbErr` that `StreamError::from` turns into
/// [`StreamError::MissingRole`](crate::StreamError::MissingRole), as pages and the generated
/// getters report it.
pub trait Hydrate<A: ActionEntity> {
    /// Join every role's models into this select and decode rows as `A::Loaded`.
    fn hydrate(self) -> Selector<SelectModel<A::Loaded>>;
}

impl<A: ActionEntity> Hydrate<A> for Select<A> {
    fn hydrate(self) -> Selector<SelectModel<A::Loaded>> {
        A::join_roles(self).into_model()
    }
}
