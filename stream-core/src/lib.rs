//! Activity streams on sea-orm: "lennon followed hendrix", recorded in your own database with
//! one real, indexed foreign-key column per model per role, and read back newest first.
//!
//! Register models with `#[derive(Streamable)]`, declare verbs with `#[derive(Verb)]` next to
//! sea-orm's `DeriveActiveEnum`, and declare the action table once with [`action_entity!`]. The
//! generated entity is an ordinary sea-orm entity — `action::Column::ActorUser`,
//! `action::Column::TargetPost`, … — and the API lives on [`ActionEntity`]:
//! [`send`](ActionEntity::send), [`get_or_create`](ActionEntity::get_or_create),
//! [`for_actor`](ActionEntity::for_actor) and friends, and the [`Signal`].
//!
//! # Example
//!
//! ```
#![doc = include_str!("../examples/readme.rs")]
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod entity;
mod error;
pub mod hydrate;
pub mod lookup;
pub mod schema;
mod send;
mod signal;
mod streamable;
mod verb;

pub use entity::{ActionEntity, NewAction, roles};
pub use error::{Result, StreamError};
pub use hydrate::Hydrate;
pub use send::{GetOrCreate, SendAction};
pub use signal::{Signal, Subscription};
pub use streamable::{ActionObject, Actor, Role, RoleRef, Streamable, Target};
pub use verb::Verb;

pub use sea_orm;
pub use stream_derive::{Streamable, Verb, action_entity};

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;

/// The traits needed to call the library's API: `use stream_core::prelude::*;`.
pub mod prelude {
    pub use crate::{
        ActionEntity, ActionObject, Actor, Hydrate, Role, Streamable, Target, Verb,
        action_entity,
    };
}

/// What the macros' generated code uses. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use chrono;
    pub use sea_orm;

    /// Compile-time check that a listed model derives `Streamable`.
    pub const fn assert_streamable<T: crate::Streamable>() {}
}
