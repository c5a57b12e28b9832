//! What the optional keys of `action_entity!` add: a `public` flag per action
//! (`public = true`) and typed JSON data (`data = Type`, feature `json`).
//!
//! Each exists only where the table declares it. The builders' `.private()` and `.data(..)`
//! and the streams' `.public_only()` are bounded by [`PublicActions`] and [`ActionData`],
//! which the macro implements only then, so using them on a table without the column is a
//! compile error that says which key to add.

use crate::{ActionEntity, NewAction};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{QueryFilter, Select, Value};
use std::sync::Arc;

/// An action table declared with `public = true`: every action has a `public` column
/// (`NOT NULL DEFAULT TRUE`), set to false by `.private()` on
/// [`send`](ActionEntity::send), [`get_or_create`](ActionEntity::get_or_create) and
/// [`NewAction`], and [`public_only`](PublicOnly::public_only) keeps a stream to the public
/// ones.
///
/// Implemented by [`action_entity!`](crate::action_entity) for a table with the key; a
/// table without it has no column and no `.private()`.
#[diagnostic::on_unimplemented(
    message = "the action table `{Self}` has no `public` column",
    label = "its `action_entity!` does not say `public = true`",
    note = "add `public = true` to the `action_entity!` of this table to give every action a public flag (true unless sent with `.private()`), and add the column to the table"
)]
pub trait PublicActions: ActionEntity {
    /// The `public` column.
    const PUBLIC: Self::Column;
}

/// Keeping a stream to its public actions: `.public_only()` on any stream of a table
/// declared with `public = true`.
///
/// ```
/// # use stream_core::prelude::*;
/// # use stream_core::sea_orm::{self, entity::prelude::*};
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
/// stream_core::action_entity! {
///     pub mod action {
///         table_name = "stream_action",
///         verb = Verb,
///         models = [user],
///         public = true,
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
/// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
/// # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
/// action::Entity::send(&db, &lennon, Verb::Followed).target(&hendrix).private().await?;
/// action::Entity::send(&db, &hendrix, Verb::Followed).target(&lennon).await?;
///
/// // Lennon's own page shows both; everyone else sees only what is public.
/// let everything = action::Entity::stream().all(&db).await?;
/// let public = action::Entity::stream().public_only().page(None, 20).hydrated(&db).await?;
/// assert_eq!((everything.len(), public.items.len()), (2, 1));
/// assert!(public.items[0].action.public);
/// # Ok(())
/// # }
/// ```
pub trait PublicOnly<A: ActionEntity>: Sized {
    /// Keep only the actions whose `public` flag is set: a `WHERE <table>.public = TRUE`
    /// added to the stream, which stays one statement, pages by the same index and composes
    /// with every other condition.
    fn public_only(self) -> Self
    where
        A: PublicActions;
}

impl<A: ActionEntity> PublicOnly<A> for Select<A> {
    fn public_only(self) -> Self
    where
        A: PublicActions,
    {
        // A literal, not a bound `true`: the statement binds no more values than the stream's
        // own (MariaDB's page shape reads the bound values, see `page::one_index_range`), and
        // the table's name keeps the column apart from a joined model's `public`.
        self.filter(Expr::col((A::default(), A::PUBLIC)).eq(Expr::cust("TRUE")))
    }
}

/// The data an action is stored with: none, its JSON, or why it could not be serialized
/// (reported when the action is stored, which then stores nothing).
#[derive(Clone, Debug, Default)]
pub(crate) enum PendingData {
    #[default]
    None,
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    Json(Value),
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    Unserializable(Arc<dyn std::error::Error + Send + Sync>),
}

impl PendingData {
    /// The JSON to store, `None` when no data was given, or the serialization error.
    pub(crate) fn value(&self) -> crate::Result<Option<&Value>> {
        match self {
            PendingData::None => Ok(None),
            PendingData::Json(value) => Ok(Some(value)),
            PendingData::Unserializable(error) => {
                Err(crate::StreamError::UnserializableData(Arc::clone(error)))
            }
        }
    }

    /// Whether data was given.
    pub(crate) fn is_some(&self) -> bool {
        !matches!(self, PendingData::None)
    }
}

impl<A: PublicActions> NewAction<A> {
    /// Keep the action out of public streams: its `public` column is false, so
    /// [`public_only`](PublicOnly::public_only) leaves it out. Without it an action is
    /// public. Only for a table declared with `public = true`.
    pub fn private(mut self) -> Self {
        self.public = false;
        self
    }
}

#[cfg(feature = "json")]
pub use data::ActionData;

#[cfg(feature = "json")]
mod data {
    use super::*;

    /// An action table declared with `data = Type` (feature `json`): every action can carry
    /// a value of `Type`, stored as JSON in the `data` column (`jsonb` on PostgreSQL, `json`
    /// on MySQL/MariaDB, text on SQLite), given with `.data(..)` on
    /// [`send`](ActionEntity::send), [`get_or_create`](ActionEntity::get_or_create) and
    /// [`NewAction`], and read back with the generated `Model::data()`.
    ///
    /// Implemented by [`action_entity!`](crate::action_entity) for a table with the key.
    ///
    /// ```
    /// # use stream_core::prelude::*;
    /// # use stream_core::sea_orm::{self, entity::prelude::*};
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
    /// # pub enum Verb { #[sea_orm(string_value = "liked")] Liked, }
    /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    /// pub struct Rating {
    ///     pub stars: u8,
    /// }
    ///
    /// stream_core::action_entity! {
    ///     pub mod action {
    ///         table_name = "stream_action",
    ///         verb = Verb,
    ///         models = [user],
    ///         data = Rating,
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
    /// let liked = action::Entity::send(&db, &lennon, Verb::Liked)
    ///     .target(&hendrix)
    ///     .data(Rating { stars: 4 })
    ///     .await?;
    /// assert_eq!(liked.data()?, Some(Rating { stars: 4 }));
    ///
    /// // Without data, the column is NULL and `data()` is `None`.
    /// let plain = action::Entity::send(&db, &hendrix, Verb::Liked).target(&lennon).await?;
    /// assert_eq!((plain.data.is_none(), plain.data()?), (true, None));
    ///
    /// // Generic code reads it through the trait.
    /// assert_eq!(action::Entity::read_data(&liked)?, Some(Rating { stars: 4 }));
    /// # Ok(())
    /// # }
    /// ```
    #[diagnostic::on_unimplemented(
        message = "the action table `{Self}` has no `data` column",
        label = "its `action_entity!` does not declare `data = ..`",
        note = "add `data = path::to::Type` to the `action_entity!` of this table (any `Serialize + Deserialize` type), and add the column to the table"
    )]
    pub trait ActionData: ActionEntity {
        /// The type declared with `data = ..`.
        type Data: serde::Serialize + serde::de::DeserializeOwned;

        /// The data of `action` as [`Data`](Self::Data): what the generated `Model::data()`
        /// returns. `Ok(None)` when the action has none;
        /// [`StreamError::InvalidData`](crate::StreamError::InvalidData) when the stored JSON
        /// does not fit the type.
        fn read_data(action: &Self::Model) -> crate::Result<Option<Self::Data>> {
            let Some(column) = Self::__DATA else {
                return Ok(None);
            };
            match sea_orm::ModelTrait::get(action, column) {
                Value::Json(json) => decode(Self::action_id(action), json.as_deref()),
                _ => Ok(None),
            }
        }
    }

    /// `json` as a `T`, for the action `action`.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        action: i64,
        json: Option<&serde_json::Value>,
    ) -> crate::Result<Option<T>> {
        json.map(|json| {
            T::deserialize(json).map_err(|error| crate::StreamError::InvalidData {
                action,
                source: Arc::new(error),
            })
        })
        .transpose()
    }

    impl<A: ActionData> NewAction<A> {
        /// Store `data` with the action, as JSON in the `data` column; takes the value or a
        /// reference to it. A value whose `Serialize` fails (a map with keys that are not
        /// strings, a custom impl that refuses) makes storing the action fail with
        /// [`StreamError::UnserializableData`](crate::StreamError::UnserializableData), and
        /// nothing is stored. Only for a table declared with `data = Type`.
        pub fn data(mut self, data: impl std::borrow::Borrow<A::Data>) -> Self {
            self.data = match serde_json::to_value(data.borrow()) {
                Ok(json) => PendingData::Json(Value::from(json)),
                Err(error) => PendingData::Unserializable(Arc::new(error)),
            };
            self
        }
    }
}

#[cfg(feature = "json")]
pub(crate) use data::decode;
