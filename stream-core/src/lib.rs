//! Activity streams on sea-orm: "lennon followed hendrix", recorded in your own database with
//! one real, indexed foreign-key column per model per role, and read back newest first.
//!
//! Register models with `#[derive(Streamable)]`, declare verbs with `#[derive(Verb)]` next to
//! sea-orm's `DeriveActiveEnum`, and declare the action table once with [`action_entity!`]. The
//! generated entity is an ordinary sea-orm entity — `action::Column::ActorUser`,
//! `action::Column::TargetPost`, … — and the API lives on [`ActionEntity`]:
//! [`send`](ActionEntity::send), [`get_or_create`](ActionEntity::get_or_create),
//! [`for_actor`](ActionEntity::for_actor) and friends, and the [`Signal`]. Every write runs on
//! a connection or in a [`Transaction`], which commits the application's rows and its actions
//! together and fires their signal only after the outermost commit.
//! Any stream can be tailed live ([`live`]: each new action once, after its commit, resumable
//! from a [`Cursor`]), and [`retract`](ActionEntity::retract) deletes an action and tells
//! the live tails. Any stream page comes out as Activity Streams 2.0 JSON (module `activitystreams`,
//! feature `activitystreams`) or as an Atom feed (module `atom`, feature `atom`). A
//! `bridge::Bridge` carries the signal and the live tails across the processes of an
//! application: PostgreSQL `LISTEN/NOTIFY` (feature `postgres`) or Redis pub/sub (feature
//! `redis`).
//! With the feature `redis`, module `timeline` keeps each reader's user stream as a timeline
//! on Redis (single node or cluster), with SQL as the fallback and the truth.
//!
//! # Example
//!
//! ```
#![doc = include_str!("../examples/readme.rs")]
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "activitystreams")]
#[cfg_attr(docsrs, doc(cfg(feature = "activitystreams")))]
pub mod activitystreams;
pub mod aggregate;
mod arms;
mod as2;
#[cfg(feature = "atom")]
#[cfg_attr(docsrs, doc(cfg(feature = "atom")))]
pub mod atom;
#[cfg(any(feature = "postgres", feature = "redis"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "postgres", feature = "redis"))))]
pub mod bridge;
mod bulk;
mod entity;
mod error;
mod extra;
mod follow;
pub mod hydrate;
pub mod live;
pub mod lookup;
mod mariadb;
pub mod notification;
mod page;
pub mod prune;
mod retract;
pub mod schema;
mod send;
mod shared;
mod signal;
mod streamable;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod timeline;
mod transaction;
mod verb;

pub use aggregate::{
    Aggregate, Aggregated, AggregatedInbox, AggregatedInboxPage, AggregatedPage, Group, GroupKey,
    Grouping, InboxGroup, InboxGroups, Period,
};
pub use as2::{As2Object, BaseUrl, Iri, LoadedAction, StreamObject, page_url};
pub use entity::{ActionEntity, NewAction, roles};
pub use error::{Result, StreamError};
#[cfg(feature = "json")]
pub use extra::ActionData;
pub use extra::{PublicActions, PublicOnly};
pub use follow::{FollowEntity, Followable, FollowerEntity, FollowsIn};
pub use hydrate::Hydrate;
pub use live::{Live, LiveEvent, LiveStream, Tail};
pub use notification::{
    Counts, Inbox, Mark, Notification, NotificationEntity, NotificationRules, PruneNotifications,
    Recipients,
};
pub use page::{Cursor, MAX_PAGE_SIZE, Page, PageQuery, Paginate, Previous};
pub use prune::{Prunable, Prune, Pruned};
pub use send::{GetOrCreate, SendAction, SendHydrated};
pub use signal::{Created, EVENT_BUFFER, Event, Events, Missed, Retracted, Signal, Subscription};
pub use streamable::{ActionObject, Actor, Involved, Role, RoleRef, Streamable, Target};
pub use transaction::{Transaction, Writer};
pub use verb::Verb;

pub use sea_orm;
/// Register a sea-orm model with activity streams, in the roles it may play.
///
/// Put it on the model of an entity module, next to `DeriveEntityModel`:
///
/// ```
/// # pub mod post {
/// # use stream_core::sea_orm::{self, entity::prelude::*};
/// #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #[sea_orm(table_name = "post")]
/// #[stream(target, action_object)]
/// pub struct Model {
///     #[sea_orm(primary_key)]
///     pub id: i32,
///     pub title: String,
/// }
/// # #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// # pub enum Relation {}
/// # impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # use stream_core::Streamable;
/// # fn main() { assert_eq!(post::Model::STREAM_NAME, "post"); }
/// ```
///
/// `#[stream(..)]` takes any subset of `actor`, `target` and `action_object`, and
/// `name = "..."` to change the column suffix (default: the table name), so the model above
/// gets the columns `target_post` and `action_object_post` in every action entity that lists
/// its module. The model needs exactly one primary-key column.
///
/// `display = "title"` says how the model shows itself in rendered actions and in the
/// `Display` of the role enums (`ActorModel`, ..): that field's `Display`. A bare `display`
/// uses the model's own `Display` impl; without either, the model shows as its name and
/// primary key (`post 7`). See [`Streamable::fmt_display`].
///
/// `as2(type = "Person", name = "field", id = "/path/{field}", url = "/path/{field}")` says
/// how the model looks in Activity Streams 2.0 (every key optional; see [`As2Object`] for the
/// defaults), and `as2(manual)` leaves [`As2Object`] to a hand-written impl.
///
/// The derive implements [`Streamable`](trait@Streamable) and [`As2Object`], and leaves a
/// hidden macro in the
/// module through which [`action_entity!`] learns the roles, in this crate or another: the
/// models may live in a crate of their own (say `entities`, as sea-orm-cli lays them out) and
/// the action entity in the application, which lists `entities::user`. The crate of the models
/// needs no dependency but this one.
///
/// Generated code names this crate `::stream_core`; where it is a dependency under another
/// name, or re-exported by another crate, say where with `crate = path` (bare, or quoted as
/// serde's `#[serde(crate = "...")]`): `#[stream(actor, crate = ::activity)]`.
pub use stream_derive::Streamable;

/// Give a verb enum its human labels; the slugs come from sea-orm's `DeriveActiveEnum`.
///
/// ```
/// use stream_core::sea_orm::{self, entity::prelude::*};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// pub enum Verb {
///     #[sea_orm(string_value = "default")]
///     #[verb(label = "Stream Item")]
///     Default,
/// }
/// # use stream_core::prelude::*;
/// # assert_eq!(Verb::Default.label(), "Stream Item");
/// ```
///
/// `#[verb(label = "...")]` is optional: the default label is the variant name in words.
/// `#[verb(as2 = "Like")]` gives the Activity Streams 2.0 type of its actions (a type of the
/// vocabulary, or an absolute IRI of an extension's); without it, `Activity`.
/// Slugs longer than 255 characters, variants with fields and unknown keys are compile errors.
/// `#[verb(crate = path)]` on the enum names this crate where it is not `::stream_core` (see
/// [`Streamable`](derive@Streamable)).
pub use stream_derive::Verb;

/// Declare the action table: an ordinary sea-orm entity in a module of its own.
///
/// ```
/// stream_core::action_entity! {
///     /// The activity stream.
///     pub mod action {
///         table_name = "stream_action",
///         verb = crate::Verb,
///         models = [crate::user, crate::group, crate::post, crate::comment],
///         set_null = [action_object], // optional: SET NULL instead of CASCADE on delete
///         public = true,              // optional: a `public` flag; `.private()`, `.public_only()`
///         // data = crate::Rating,    // optional (feature `json`): typed JSON per action
///         crate = ::stream_core,      // optional: where generated code finds this crate
///     }
/// }
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
/// # pub mod group {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "group")]
/// #     #[stream(actor, target, display = "name")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # pub mod post {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "post")]
/// #     #[stream(target, action_object, display = "title")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub title: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # pub mod comment {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "comment")]
/// #     #[stream(action_object, display = "body")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub body: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// # pub enum Verb { #[sea_orm(string_value = "commented")] Commented, }
/// # fn main() {
/// #     let _ = (action::Column::ActorUser, action::Column::TargetPost);
/// #     let _ = action::Column::ActionObjectComment;
/// # }
/// ```
///
/// `models` lists the modules of models that derive [`Streamable`](derive@Streamable): the
/// module where each `Model` derives it, or a `pub use` of that module, by a path as it is
/// written next to the macro (`user`, `crate::models::user`, `super::user`), through another
/// crate (`entities::user`, `::entities::user`) or an alias of it. A path to the `Model` or
/// `Entity` of the module, or to a module that re-exports only some of its items, is a
/// compile error. `verb` is the path of the verb enum, written the same ways. The module then
/// holds:
///
/// - `Model` with `timestamp`, `id: i64`, `verb`, `description: Option<String>`,
///   `get_or_create_key` and, per listed model and role, `actor_<name>`, `target_<name>`,
///   `action_object_<name>: Option<Pk>`; `ActiveModel`, `Entity`, `Column`, `PrimaryKey`.
/// - `Relation` with one foreign key per generated column (`ON DELETE CASCADE`, or
///   `SET NULL` for the optional roles listed in `set_null`), `Related<M>` for a model with
///   a single role, and a `Linked` type per column (`TargetPostLink`) otherwise.
/// - `ActorId` / `ActorModel` (and `Target..`, `ActionObject..`): enums over the models of
///   each role; `Model::actor_id()`, `Model::actor(&db)`, `ActiveModel::set_actor(..)`,
///   `ActiveModel::clear_target()` and so on.
/// - An implementation of [`ActionEntity`], the library's API, and of [`Actor`],
///   [`Target`], [`ActionObject`] for each model in its roles.
/// - With `public = true`: `public: bool` in `Model` (`NOT NULL DEFAULT TRUE`), and
///   [`PublicActions`], which gives the builders `.private()` and every stream
///   [`.public_only()`](PublicOnly::public_only). With `data = Type` (any
///   `Serialize + Deserialize` type, feature `json`): `data: Option<Json>` in `Model` (`jsonb`
///   on PostgreSQL, `json` on MySQL/MariaDB, text on SQLite; `NULL` when none), the aliases
///   `ActionData` (`Type`) and `ActionJson`, `ActionData`'s impl (the builders' `.data(..)`),
///   and `Model::data()`, which reads the JSON as `Type` (see [`StreamError::InvalidData`]).
///   Without the key a table has no such column. `public = false` is refused: leave the key
///   out instead.
///
/// Indexes: on `verb`; a unique index on `(timestamp, id)` for newest-first streams; a
/// unique `get_or_create_key`; and per generated column `(column, timestamp, id)`, which
/// serves both its foreign key and its stream. sea-orm's derive cannot declare that last
/// one: the migration and [`schema::create_action_table`] create it, and after sea-orm's
/// `SchemaBuilder` call [`schema::create_stream_indexes`].
pub use stream_derive::action_entity;

/// Declare the follow table: who follows what, one foreign-key column per followable model.
///
/// ```
/// stream_core::follow_entity! {
///     /// Who follows whom or what.
///     pub mod follow {
///         table_name = "stream_follow",
///         follower = crate::user,                     // the model that follows
///         models = [crate::user, crate::group],       // what can be followed
///         actions = [crate::action],                  // user streams over these action tables
///         crate = ::stream_core,                      // optional, as in `action_entity!`
///     }
/// }
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
/// # pub mod group {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "group")]
/// #     #[stream(actor, target, display = "name")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// # pub enum Verb { #[sea_orm(string_value = "joined")] Joined, }
/// # stream_core::action_entity! {
/// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user, group] }
/// # }
/// # fn main() {
/// #     let _ = (follow::Column::Follower, follow::Column::FollowedUser, follow::Column::FollowedGroup);
/// # }
/// ```
///
/// The module holds an ordinary sea-orm entity — `id`, `follower`, `timestamp`, a unique
/// `follow_key`, and `followed_<name>: Option<Pk>` per model, each a foreign key with
/// `ON DELETE CASCADE` — plus `FollowedId` and the impls of [`FollowEntity`] (follow,
/// unfollow, is_following, followers, following), [`Followable`] for each model, and
/// [`FollowsIn`] for each action entity in `actions`, which gives
/// [`ActionEntity::followed_by`] and [`ActionEntity::followed_by_in`].
pub use stream_derive::follow_entity;

/// Declare a notification table: the inboxes, one row per recipient and action.
///
/// ```
/// stream_core::notification_entity! {
///     /// The inboxes.
///     pub mod notification {
///         table_name = "stream_notification",
///         recipient = crate::user,    // whose inboxes: a model deriving `Streamable`
///         actions = crate::action,    // the action entity the notifications tell of
///         crate = ::stream_core,      // optional, as in `action_entity!`
///     }
/// }
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
/// # stream_core::action_entity! {
/// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
/// # }
/// # fn main() { let _ = (notification::Column::SeenAt, notification::Column::ReadAt); }
/// ```
///
/// The module holds an ordinary sea-orm entity: `Model` with `id: i64`, `recipient` (the
/// recipient's primary-key type, a foreign key), `action: i64` (a foreign key to the action
/// table), `timestamp` (the action's, copied so that an inbox page reads one index), `seen_at`
/// and `read_at` (`Option<DateTime<Utc>>`); both foreign keys are `ON DELETE CASCADE`. And
/// the impl of [`NotificationEntity`], the inbox API.
///
/// Indexes: unique `(recipient, action)` (a recipient is told of an action once) and `action`
/// (for the cascade), declared on the entity; `(recipient, timestamp, action)` for inbox pages
/// and `(recipient, seen_at)`, `(recipient, read_at)` for the counts, which sea-orm's derive
/// cannot declare: [`schema::create_notification_table`] creates the table with all of them,
/// and after sea-orm's `SchemaBuilder` call [`schema::create_notification_indexes`]. On
/// MySQL/MariaDB create it with `create_notification_table` (or the
/// `CreateNotificationTable` migration): the `SchemaBuilder` writes `timestamp` columns, whole
/// seconds, where the copy of the action's timestamp needs `datetime(6)`.
///
/// Delivery: explicitly with `.notify::<notification::Entity>(..)` on a send, or by rules
/// declared once with `notify = crate::notification` in `action_entity!` and an impl of
/// [`NotificationRules`]. See [`notification`](mod@notification).
pub use stream_derive::notification_entity;

/// What `data = ..` in `action_entity!` expands first: nothing with the `json` feature.
#[cfg(feature = "json")]
#[doc(hidden)]
#[macro_export]
macro_rules! __stream_require_json_feature {
    () => {};
}

/// What `data = ..` in `action_entity!` expands first: without the `json` feature, the error
/// that says to turn it on.
#[cfg(not(feature = "json"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __stream_require_json_feature {
    () => {
        ::core::compile_error!(
            "`data = ..` in `action_entity!` needs the `json` feature of stream-core: `stream-core = { version = \"0.1\", features = [\"json\"] }`"
        );
    };
}

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;

/// What the examples use unqualified: the traits that carry the library's API (actions,
/// pages, hydration, follows), [`Role`] to name a role and [`NewAction`] for
/// [`send_many`](crate::ActionEntity::send_many). `use stream_core::prelude::*;`.
pub mod prelude {
    // No `Cursor`: `use sea_orm::*;` brings sea-orm's own, and two globs naming the same
    // item make every use of it ambiguous.
    #[cfg(feature = "json")]
    pub use crate::ActionData;
    pub use crate::{
        ActionEntity, ActionObject, Actor, Aggregate, As2Object, FollowEntity, Followable,
        FollowsIn, Hydrate, InboxGroups, LoadedAction, NewAction, NotificationEntity, Paginate,
        Prunable, PublicActions, PublicOnly, Role, StreamObject, Streamable, Target,
    };
    // Anonymous, so that an application's own `enum Verb` does not clash with the trait.
    pub use crate::verb::Verb as _;
}

/// Everything the macros' generated code uses, and the one path it reaches the runtime by
/// (`::stream_core::__private`, or `<crate = path>::__private`), whatever the user imported.
/// Not public API: it changes with the macros, which this crate pins to its own version.
#[doc(hidden)]
pub mod __private {
    pub use chrono;
    pub use sea_orm;

    /// `data = ..` needs the `json` feature: a readable error without it.
    pub use crate::__stream_require_json_feature as require_json_feature;
    #[cfg(feature = "json")]
    pub use crate::ActionData;
    pub use crate::as2::path_segment;
    /// The error of a generated getter whose role is empty or whose row is gone, and the same
    /// inside the `DbErr` a decoder must return.
    pub use crate::error::{missing_role, missing_role_db};
    pub use crate::hydrate::decode::{
        column_at, decode_model, decode_model_at, join_model, key_at, optional_at,
    };
    pub use crate::notification::Delivery as NotificationDelivery;
    /// The generated `ActionEntity::__notification_rules` of `notify = ..`.
    pub use crate::notification::rules as notification_rules;
    pub use crate::{
        ActionEntity, ActionObject, Actor, As2Object, FollowEntity, Followable, FollowsIn,
        Grouping, Involved, LoadedAction, NotificationEntity, Period, PublicActions, Role, RoleRef,
        Signal, StreamError, StreamObject, Streamable, Target, Verb,
    };
    /// The JSON value of the `data` column.
    #[cfg(feature = "json")]
    pub use sea_orm::prelude::Json;

    /// `Model::data()`: the stored JSON as the declared type, or the error of this action.
    #[cfg(feature = "json")]
    pub fn decode_data<T: serde::de::DeserializeOwned>(
        action: i64,
        json: Option<&Json>,
    ) -> crate::Result<Option<T>> {
        crate::extra::decode(action, json)
    }

    /// The derive's default Activity Streams `id` of a model: `/<stream name>/<key>`.
    pub fn as2_default_id<M: Streamable>(model: &M) -> ::std::string::String {
        crate::as2::default_id(model)
    }

    /// The derive's default Activity Streams `name` of a model: its `display`.
    pub fn as2_default_name<M: Streamable>(model: &M) -> ::std::string::String {
        crate::as2::default_name(model)
    }

    /// Compile-time check that a listed model derives `Streamable`.
    pub const fn assert_streamable<T: crate::Streamable>() {}

    /// The column and key of a model in a role; only generated code knows the two match.
    pub fn role_ref<A: ActionEntity>(column: A::Column, value: sea_orm::Value) -> RoleRef<A> {
        RoleRef::new(column, value)
    }

    /// The generated `set_actor`, `clear_target`, ..: [`roles::set`](crate::roles::set).
    pub fn set_role<A: ActionEntity>(
        action: &mut A::ActiveModel,
        role: Role,
        object: Option<RoleRef<A>>,
    ) {
        crate::roles::set::<A>(action, role, object);
    }
}
