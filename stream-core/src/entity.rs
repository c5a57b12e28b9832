//! The contract between the generated action entity and the runtime.

use crate::{
    ActionObject, Actor, GetOrCreate, Involved, Role, RoleRef, SendAction, Signal, Target, Verb,
    Writer, lookup,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, ModelTrait,
    QueryFilter, Select, Value,
};

/// An action table declared by [`action_entity!`](crate::action_entity).
///
/// The macro implements this trait for the generated `Entity`; its provided methods are the
/// library's API: [`send`](ActionEntity::send), [`create`](ActionEntity::create),
/// [`get_or_create`](ActionEntity::get_or_create) and the `for_*` lookups. Every lookup
/// returns an ordinary sea-orm [`Select`], newest first (`timestamp DESC, id DESC`), that can
/// be filtered, paginated and joined further.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an action entity",
    label = "not declared by `action_entity!`",
    note = "name the module that `stream_core::action_entity!` declares (`crate::action`), whose `Entity` implements `ActionEntity`"
)]
pub trait ActionEntity:
    EntityTrait<
        Model: Sync + IntoActiveModel<Self::ActiveModel>,
        ActiveModel: Send + sea_orm::TryIntoModel<<Self as EntityTrait>::Model>,
    > + Default
    + 'static
{
    /// The verb enum stored in the `verb` column.
    type Verb: Verb;

    /// An action with its actor, target and action object loaded: the macro's `Loaded`
    /// struct. See [`Hydrate`](crate::Hydrate).
    type Loaded: FromQueryResult
        + AsRef<Self::Model>
        + Clone
        + std::fmt::Debug
        + Send
        + Sync
        + 'static;

    /// The primary key column (`id`).
    const ID: Self::Column;
    /// The `verb` column.
    const VERB: Self::Column;
    /// The `description` column.
    const DESCRIPTION: Self::Column;
    /// The `timestamp` column.
    const TIMESTAMP: Self::Column;
    /// The `get_or_create_key` column: a unique hash of the matching key, set only on rows
    /// made by [`get_or_create`](ActionEntity::get_or_create) so concurrent callers agree.
    const GET_OR_CREATE_KEY: Self::Column;
    /// The `public` column, when `action_entity!` declares `public = true`. Generated.
    #[doc(hidden)]
    const __PUBLIC: Option<Self::Column> = None;
    /// The `data` column, when `action_entity!` declares `data = Type`. Generated.
    #[doc(hidden)]
    const __DATA: Option<Self::Column> = None;

    /// Whether `action_entity!` declares `notify = ..`: every action is then delivered by the
    /// rules of that notification table. Generated.
    #[doc(hidden)]
    const __NOTIFIES: bool = false;

    /// The delivery statements of the `notify = ..` rules for a stored action. Generated.
    #[doc(hidden)]
    fn __notification_rules(action: &Self::Model) -> Vec<crate::notification::Delivery> {
        let _ = action;
        Vec::new()
    }

    /// The generated columns of one role, one per registered model (`ActorUser`, `ActorGroup`, ..).
    fn role_columns(role: Role) -> &'static [Self::Column];

    /// A typed SQL `NULL` for a role column.
    fn null_value(column: Self::Column) -> Value;

    /// Add to `select` one aliased `LEFT JOIN` per role column and every column of each
    /// joined model, as [`Hydrate::hydrate`](crate::Hydrate::hydrate) decodes them. Useful
    /// directly with sea-orm's own pagination: `A::join_roles(select).cursor_by(..)`.
    fn join_roles(select: Select<Self>) -> Select<Self>;

    /// The joins of a hydrated page, read by position: as [`join_roles`](Self::join_roles),
    /// with each model's `__STREAM_PAGE_COLUMNS`. Generated; not for direct use.
    #[doc(hidden)]
    fn __join_roles_for_page(select: Select<Self>) -> Select<Self>;

    /// Decode a row of [`PageQuery::hydrated_statement`](crate::PageQuery::hydrated_statement):
    /// the action's columns by position, then the joined models. Generated; not for direct use.
    #[doc(hidden)]
    fn __decode_page_row(row: &sea_orm::QueryResult) -> Result<Self::Loaded, sea_orm::DbErr>;

    /// The signal that fires for each action created in this table.
    fn signal() -> &'static Signal<Self>;

    /// The primary key of a stored action.
    fn action_id(action: &Self::Model) -> i64;

    /// When a stored action happened.
    fn action_timestamp(action: &Self::Model) -> chrono::DateTime<chrono::Utc> {
        <chrono::DateTime<chrono::Utc> as sea_orm::sea_query::ValueType>::try_from(
            action.get(Self::TIMESTAMP),
        )
        .unwrap_or_default()
    }

    /// Record that `actor` did `verb`: a builder for the optional target, action object,
    /// description and timestamp; `.await` stores the action, fires the signal and returns
    /// the stored row.
    ///
    /// `db` is a `DatabaseConnection`, or a [`Transaction`](crate::Transaction) to store the
    /// action with the application's own writes: then the signal fires when the outermost
    /// transaction commits, and never if it does not. The same holds for every write below.
    fn send<'a>(
        db: &'a impl Writer,
        actor: &impl Actor<Self>,
        verb: Self::Verb,
    ) -> SendAction<'a, Self> {
        SendAction::new(db.__writer(), NewAction::new(actor, verb))
    }

    /// Store a fully described action (the lower-level form of [`send`](ActionEntity::send)).
    fn create(
        db: &impl Writer,
        action: NewAction<Self>,
    ) -> impl Future<Output = crate::Result<Self::Model>> + Send {
        crate::send::create(db.__writer(), action)
    }

    /// Store many actions at once, for imports and backfills: one transaction (all or none),
    /// one multi-row `INSERT` per batch, then the signal for each action after the commit.
    /// Returns how many were stored.
    ///
    /// With `notify = ..` on the action entity, the rules deliver each stored action in the
    /// same transaction: one delivery statement per action that has recipients (the rows are
    /// read back for it, as for a listened signal). Recipients given to a `NewAction` with
    /// [`notify`](NewAction::notify) are not delivered by `send_many`: send such actions one
    /// by one.
    ///
    /// A batch is as many actions as fit in 30,000 bound values with every column set (2,500
    /// for an action table of nine role columns). On MySQL (not MariaDB 10.5 and later, which
    /// return the rows with `INSERT .. RETURNING`), while the signal has subscribers or a
    /// `Bridge` runs, the actions are inserted one by one instead, each read back for its
    /// signal.
    ///
    /// On SQLite the transaction runs with a page cache of at least 256 MiB, memory SQLite
    /// takes only as the load needs it (about 230 MB for a million actions) and gives back at
    /// the commit. A SQLite load of 5,000 actions or more that is larger than the table it goes
    /// into (an import, a first load) drops the table's indexes and creates them again after
    /// the rows, in the same transaction — every index made with `CREATE INDEX`, yours
    /// included. Their `ANALYZE` statistics go with them: run `ANALYZE` after a large load.
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
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let follows = vec![(named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?)];
    /// let n = action::Entity::send_many(&db, follows.iter().map(|(who, whom)| {
    ///     NewAction::new(who, Verb::Followed).target(whom)
    /// })).await?;
    /// # assert_eq!(n, 1);
    /// # Ok(())
    /// # }
    /// ```
    fn send_many<I>(db: &impl Writer, actions: I) -> impl Future<Output = crate::Result<u64>> + Send
    where
        I: IntoIterator<Item = NewAction<Self>> + Send,
        I::IntoIter: Send,
    {
        crate::bulk::send_many(db.__writer(), actions)
    }

    /// Return the action that exactly matches actor, verb, target and action object (a role
    /// left out must be empty), creating it if there is none; the flag says whether it was
    /// created. Safe under concurrent callers: exactly one of them creates the row. A row
    /// changed since it was created (by plain sea-orm code, say) matches by what it holds now.
    ///
    /// Description and timestamp are not part of the match: given with `.description(..)` or
    /// `.timestamp(..)`, they are stored when the action is created and ignored when it is
    /// found (the found row keeps its own).
    fn get_or_create<'a>(
        db: &'a impl Writer,
        actor: &impl Actor<Self>,
        verb: Self::Verb,
    ) -> GetOrCreate<'a, Self> {
        GetOrCreate::new(db.__writer(), NewAction::new(actor, verb))
    }

    /// Delete `action` and tell the live tails of its streams, once the deletion commits
    /// (never if it is rolled back): `unlike`, `unfollow`, moderation. `Ok(false)` when the
    /// action no longer exists (retracted already, or deleted otherwise).
    ///
    /// `db` is a `DatabaseConnection`, or a [`Transaction`](crate::Transaction) to delete
    /// the action with the application's own writes: the retraction event then waits for the
    /// outermost commit. An action deleted by other means (plain sea-orm code, a cascade from
    /// a deleted object) is gone from every stream as well, but live tails are not told.
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
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
    /// let like = action::Entity::send(&db, &lennon, Verb::Liked).target(&hendrix).await?;
    /// assert!(action::Entity::retract(&db, &like).await?);
    /// assert!(!action::Entity::retract(&db, &like).await?); // gone already
    /// # Ok(())
    /// # }
    /// ```
    fn retract(
        db: &impl Writer,
        action: &Self::Model,
    ) -> impl Future<Output = crate::Result<bool>> + Send {
        let condition = sea_orm::Condition::all()
            .add(sea_orm::ColumnTrait::eq(&Self::ID, Self::action_id(action)));
        let retracted = crate::retract::retract_where::<Self>(db.__writer(), condition);
        async move { Ok(retracted.await? > 0) }
    }

    /// Delete every action matching `condition` (any sea-orm condition on the action table)
    /// and tell live tails of each, once the deletion commits; returns how many were deleted.
    /// One `DELETE .. RETURNING` on PostgreSQL and SQLite; on MySQL and MariaDB a locking read
    /// and a `DELETE` by id in one transaction.
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
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
    /// # action::Entity::send(&db, &lennon, Verb::Liked).target(&hendrix).await?;
    /// // Moderation: everything lennon did.
    /// let n = action::Entity::retract_where(&db, action::Column::ActorUser.eq(lennon.id)).await?;
    /// # assert_eq!(n, 1);
    /// # Ok(())
    /// # }
    /// ```
    fn retract_where(
        db: &impl Writer,
        condition: impl sea_orm::sea_query::IntoCondition,
    ) -> impl Future<Output = crate::Result<u64>> + Send {
        crate::retract::retract_where::<Self>(db.__writer(), condition.into_condition())
    }

    /// `action` with its actor, target and action object loaded, as a hydrated page holds it
    /// and the templates render it: one statement. For "render what I just did" after a
    /// write that returned the stored row; `send(..).hydrated()` does both in one call.
    /// An action deleted meanwhile is `StreamError::Database(DbErr::RecordNotFound)`.
    fn hydrated<C: ConnectionTrait>(
        db: &C,
        action: &Self::Model,
    ) -> impl Future<Output = crate::Result<Self::Loaded>> + Send {
        let id = Self::action_id(action);
        async move {
            use crate::Hydrate;
            Self::find()
                .filter(sea_orm::ColumnTrait::eq(&Self::ID, id))
                .hydrate()
                .one(db)
                .await?
                .ok_or_else(|| {
                    crate::StreamError::Database(sea_orm::DbErr::RecordNotFound(format!(
                        "the action {id}"
                    )))
                })
        }
    }

    /// The live streams of this table: `action::Entity::live().for_target(&post)`, then
    /// [`tail`](crate::LiveStream::tail) it. See [`live`](crate::live).
    fn live() -> crate::Live<Self> {
        crate::Live::new()
    }

    /// Every action, newest first.
    fn stream() -> Select<Self> {
        lookup::newest_first(Self::find())
    }

    /// Delete old actions of the whole table in bounded batches: see [`Prune`](crate::Prune).
    /// `A::prune()` is `A::stream().prune()`; any stream can be pruned the same way
    /// ([`Prunable`](crate::Prunable)).
    fn prune() -> crate::Prune<Self> {
        crate::Prunable::prune(Self::stream())
    }

    /// Actions involving `object` in any role, newest first.
    fn involving<M: Involved<Self>>(object: &M) -> Select<Self> {
        let key = object.involved_key();
        lookup::newest_first(Self::find().filter(lookup::any_column_is::<Self>(
            M::involved_columns(),
            |column| sea_orm::ColumnTrait::eq(&column, key.clone()),
        )))
    }

    /// Actions involving any object of the model `M` in any role, newest first:
    /// `action::Entity::involving_any::<post::Model>()`.
    fn involving_any<M: Involved<Self>>() -> Select<Self> {
        lookup::newest_first(Self::find().filter(lookup::any_column_is::<Self>(
            M::involved_columns(),
            |column| sea_orm::ColumnTrait::is_not_null(&column),
        )))
    }

    /// The user stream: actions whose actor `follower` follows (per the follow entity `F`),
    /// newest first, in one statement.
    fn followed_by<F: crate::FollowsIn<Self>>(follower: &F::Follower) -> Select<Self> {
        Self::followed_by_in::<F>(follower, &[Role::Actor])
    }

    /// Actions whose object in any of `roles` `follower` follows, newest first:
    /// `followed_by_in::<follow::Entity>(&lennon, &[Role::Actor, Role::Target])`.
    fn followed_by_in<F: crate::FollowsIn<Self>>(
        follower: &F::Follower,
        roles: &[Role],
    ) -> Select<Self> {
        lookup::newest_first(
            Self::find().filter(crate::follow::followed_condition::<Self, F>(
                follower, roles,
            )),
        )
    }

    /// Actions whose actor is `actor`, newest first.
    fn for_actor(actor: &impl Actor<Self>) -> Select<Self> {
        lookup::for_refs(Role::Actor, [actor.as_actor()])
    }

    /// Actions whose actor is any of `actors`, newest first. An empty list selects nothing.
    ///
    /// Objects of one model go in as they are: `for_actors([&lennon, &hendrix])`, a
    /// `Vec<&user::Model>`. Objects of several models go in as trait objects, which naming
    /// the first one's type is enough for: `for_actors([&lennon as &dyn Actor<_>, &rust])`.
    fn for_actors<'a, T>(actors: impl IntoIterator<Item = &'a T>) -> Select<Self>
    where
        T: Actor<Self> + ?Sized + 'a,
    {
        lookup::for_refs(Role::Actor, actors.into_iter().map(|a| a.as_actor()))
    }

    /// Actions whose target is `target`, newest first.
    fn for_target(target: &impl Target<Self>) -> Select<Self> {
        lookup::for_refs(Role::Target, [target.as_target()])
    }

    /// Actions whose target is any of `targets`, newest first. An empty list selects nothing.
    /// Takes objects as [`for_actors`](Self::for_actors) does: `for_targets([&post, &other])`,
    /// or `[&post as &dyn Target<_>, &group]` for several models.
    fn for_targets<'a, T>(targets: impl IntoIterator<Item = &'a T>) -> Select<Self>
    where
        T: Target<Self> + ?Sized + 'a,
    {
        lookup::for_refs(Role::Target, targets.into_iter().map(|t| t.as_target()))
    }

    /// Actions whose action object is `object`, newest first.
    fn for_action_object(object: &impl ActionObject<Self>) -> Select<Self> {
        lookup::for_refs(Role::ActionObject, [object.as_action_object()])
    }

    /// Actions whose action object is any of `objects`, newest first. An empty list selects
    /// nothing. Takes objects as [`for_actors`](Self::for_actors) does.
    fn for_action_objects<'a, T>(objects: impl IntoIterator<Item = &'a T>) -> Select<Self>
    where
        T: ActionObject<Self> + ?Sized + 'a,
    {
        lookup::for_refs(
            Role::ActionObject,
            objects.into_iter().map(|o| o.as_action_object()),
        )
    }
}

/// Everything needed to store one action; built by [`send`](ActionEntity::send) and
/// [`get_or_create`](ActionEntity::get_or_create), or directly for
/// [`create`](ActionEntity::create).
#[derive(Clone, Debug)]
pub struct NewAction<A: ActionEntity> {
    pub(crate) actor: RoleRef<A>,
    pub(crate) verb: A::Verb,
    pub(crate) target: Option<RoleRef<A>>,
    pub(crate) action_object: Option<RoleRef<A>>,
    pub(crate) description: Option<String>,
    pub(crate) timestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// Stored only where the table has a `public` column (see `crate::extra`).
    pub(crate) public: bool,
    pub(crate) data: crate::extra::PendingData,
    /// The recipients given with `.notify::<N>(..)`.
    pub(crate) notify: crate::notification::Explicit<A>,
}

impl<A: ActionEntity> NewAction<A> {
    /// `actor` did `verb`, now, with no target, action object or description.
    pub fn new(actor: &impl Actor<A>, verb: A::Verb) -> Self {
        NewAction {
            actor: actor.as_actor(),
            verb,
            target: None,
            action_object: None,
            description: None,
            timestamp: None,
            public: true,
            data: Default::default(),
            notify: Default::default(),
        }
    }

    /// What it was done to.
    pub fn target(mut self, target: &impl Target<A>) -> Self {
        self.target = Some(target.as_target());
        self
    }

    /// What it was done with.
    pub fn action_object(mut self, object: &impl ActionObject<A>) -> Self {
        self.action_object = Some(object.as_action_object());
        self
    }

    /// Free text stored with the action.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// When it happened (default: now). Stored with microsecond precision; outside the years
    /// 1000 to 9999 storing fails with [`StreamError::TimestampOutOfRange`](crate::StreamError::TimestampOutOfRange).
    pub fn timestamp(mut self, timestamp: chrono::DateTime<chrono::Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Notify `recipients` of the action, in the notification table `N`, in the action's
    /// transaction (on a connection, the action and its notifications then commit together in
    /// a transaction of their own). Added to the recipients of `N`'s rules, if the action
    /// entity has `notify = ..`; each recipient is notified once. The actor is left out.
    pub fn notify<'r, N>(mut self, recipients: impl IntoIterator<Item = &'r N::Recipient>) -> Self
    where
        N: crate::NotificationEntity<Actions = A>,
    {
        self.notify.add::<N>(recipients);
        self
    }
}

/// Reading and reassigning roles on a stored action, generic over the action entity.
///
/// The action-entity macro adds typed wrappers (`actor_id()`, `actor(&db)`, `set_target(..)`)
/// as inherent methods; these are the building blocks they share.
pub mod roles {
    use super::*;

    /// The column and key of `role` on `action`, or `None` when the role is empty.
    pub fn get<A: ActionEntity>(action: &A::Model, role: Role) -> Option<RoleRef<A>> {
        A::role_columns(role).iter().find_map(|&column| {
            let value = action.get(column);
            (!is_null(&value)).then(|| RoleRef::new(column, value))
        })
    }

    /// Put `object` in `role` (or empty the role with `None`): the chosen column is set and
    /// every other column of the role is set to NULL.
    pub fn set<A: ActionEntity>(
        action: &mut A::ActiveModel,
        role: Role,
        object: Option<RoleRef<A>>,
    ) {
        for &column in A::role_columns(role) {
            let value = match &object {
                Some(object) if crate::shared::same_column(object.column(), column) => {
                    object.value().clone()
                }
                _ => A::null_value(column),
            };
            action.set(column, value);
        }
        // The row no longer has the key it was created with.
        action.set(A::GET_OR_CREATE_KEY, Value::String(None));
    }

    fn is_null(value: &Value) -> bool {
        *value == value.as_null()
    }
}
