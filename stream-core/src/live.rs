//! Live tails: a stream that delivers each new matching action once, after its commit, and
//! resumes from a [`Cursor`] without a gap or a duplicate.
//!
//! A tail listens to the action table's [`Signal`](crate::Signal) events. Each committed
//! action is matched **in memory** against the description of the stream (a column equal to
//! a key, any of several columns, a column set, the followed set of a follower, the `public`
//! flag), so an action outside the stream costs its tails no query. A matching action is
//! delivered from the event itself; a stream with filters of its own
//! ([`LiveStream::filter`]), which the tail cannot evaluate in memory, asks the database
//! whether the candidate belongs to it, by primary key. A tail that starts from a cursor, or
//! that fell behind the shared event buffer ([`EVENT_BUFFER`](crate::EVENT_BUFFER)),
//! catches up with the stream's own select from its cursor, oldest first: one indexed query
//! for up to [`CATCH_UP_BATCH`] actions.
//!
//! ```
//! use stream_core::prelude::*;
//! use stream_core::LiveEvent;
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
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "liked")] Liked, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let (lennon, hendrix, starr) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?, named("starr").insert(&db).await?);
//! // Everything that happens to hendrix, from now on:
//! let mut tail = action::Entity::live().for_target(&hendrix).tail(&db, None);
//!
//! action::Entity::send(&db, &starr, Verb::Liked).target(&lennon).await?; // not hendrix: no query
//! let like = action::Entity::send(&db, &lennon, Verb::Liked).target(&hendrix).await?;
//! let LiveEvent::Action { action, cursor } = tail.recv().await? else { unreachable!() };
//! assert_eq!(*action, like);
//!
//! // Later, or in another request: resume after the last action seen.
//! action::Entity::send(&db, &starr, Verb::Liked).target(&hendrix).await?;
//! let mut resumed = action::Entity::live().for_target(&hendrix).tail(&db, Some(cursor));
//! let LiveEvent::Action { action, .. } = resumed.recv().await? else { unreachable!() };
//! assert_eq!(action.actor_user, Some(starr.id));
//! # Ok(())
//! # }
//! ```
//!
//! # What is guaranteed
//!
//! - Every action committed while the tail listens and matching its stream is delivered
//!   once, in the order the commits reached the signal — also when an action commits after
//!   one that stands after it in the stream (a transaction that stayed open, or a timestamp
//!   given with `.timestamp(..)`).
//! - A tail started from a cursor first delivers, oldest first, every action of the stream
//!   that stands after the cursor, then the live ones, with no duplicate between the two.
//! - [`Tail::resume_cursor`] is the furthest position delivered; a tail started from it
//!   misses nothing that stands after it. An action that commits while no tail listens
//!   **and** stands before that cursor (it committed late, as above) is not replayed: a
//!   cursor cannot tell it apart from the actions already seen. Sending with the default
//!   timestamp outside long transactions keeps that window to the time between an action's
//!   timestamp and its commit.
//! - A retraction is delivered when the deleted action was part of the stream (known from
//!   the deleted row), or when the row is not known in this process. Retractions are not
//!   replayed by a catch-up: the row is gone.
//! - Tails hear the [`Signal`](crate::Signal) of their action table, which is one per process:
//!   a process that serves several databases with one action entity hears the actions of all
//!   of them, and a tail would match another database's action with the same keys.

use crate::signal::{Created, Event, Events};
use crate::{ActionEntity, Cursor, FollowsIn, Involved, Role, RoleRef, Streamable};
use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{
    ColumnTrait, DatabaseConnection, FromQueryResult, IdenStatic, ModelTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Value,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The most actions one catch-up query reads; a longer gap is read in several.
pub const CATCH_UP_BATCH: u64 = 500;

/// How long a followed stream trusts the followed set it loaded when it has heard of no
/// follow or unfollow of its follower: a follow made in a transaction that another action's
/// delivery overtook shows within this time.
pub const FOLLOWED_SET_REFRESH: Duration = Duration::from_secs(60);

/// How many recently delivered actions a tail remembers to deliver each once.
const REMEMBERED: usize = 4096;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The live streams of an action table: `action::Entity::live()`, then the stream, as the
/// lookups of [`ActionEntity`] name them.
pub struct Live<A: ActionEntity>(PhantomData<fn() -> A>);

impl<A: ActionEntity> Live<A> {
    pub(crate) fn new() -> Self {
        Live(PhantomData)
    }

    /// Every action ([`ActionEntity::stream`]).
    pub fn stream(self) -> LiveStream<A> {
        LiveStream::new(A::stream(), Matcher::All)
    }

    /// Actions involving `object` in any role ([`ActionEntity::involving`]).
    pub fn involving<M: Involved<A>>(self, object: &M) -> LiveStream<A> {
        let key = object.involved_key();
        let keys = M::involved_columns()
            .iter()
            .map(|&column| (column, key.clone()))
            .collect();
        LiveStream::new(A::involving(object), Matcher::AnyOf(keys))
    }

    /// Actions involving any object of `M` ([`ActionEntity::involving_any`]).
    pub fn involving_any<M: Involved<A>>(self) -> LiveStream<A> {
        LiveStream::new(
            A::involving_any::<M>(),
            Matcher::NotNull(M::involved_columns().to_vec()),
        )
    }

    /// Actions whose actor is `actor` ([`ActionEntity::for_actor`]).
    pub fn for_actor(self, actor: &impl crate::Actor<A>) -> LiveStream<A> {
        Self::refs(A::for_actor(actor), [actor.as_actor()])
    }

    /// Actions whose actor is any of `actors` ([`ActionEntity::for_actors`]).
    pub fn for_actors<'a, T>(self, actors: impl IntoIterator<Item = &'a T>) -> LiveStream<A>
    where
        T: crate::Actor<A> + ?Sized + 'a,
    {
        let refs: Vec<_> = actors.into_iter().map(|a| a.as_actor()).collect();
        Self::refs(crate::lookup::for_refs(Role::Actor, refs.clone()), refs)
    }

    /// Actions whose target is `target` ([`ActionEntity::for_target`]).
    pub fn for_target(self, target: &impl crate::Target<A>) -> LiveStream<A> {
        Self::refs(A::for_target(target), [target.as_target()])
    }

    /// Actions whose target is any of `targets` ([`ActionEntity::for_targets`]).
    pub fn for_targets<'a, T>(self, targets: impl IntoIterator<Item = &'a T>) -> LiveStream<A>
    where
        T: crate::Target<A> + ?Sized + 'a,
    {
        let refs: Vec<_> = targets.into_iter().map(|t| t.as_target()).collect();
        Self::refs(crate::lookup::for_refs(Role::Target, refs.clone()), refs)
    }

    /// Actions whose action object is `object` ([`ActionEntity::for_action_object`]).
    pub fn for_action_object(self, object: &impl crate::ActionObject<A>) -> LiveStream<A> {
        Self::refs(A::for_action_object(object), [object.as_action_object()])
    }

    /// Actions whose action object is any of `objects`
    /// ([`ActionEntity::for_action_objects`]).
    pub fn for_action_objects<'a, T>(
        self,
        objects: impl IntoIterator<Item = &'a T>,
    ) -> LiveStream<A>
    where
        T: crate::ActionObject<A> + ?Sized + 'a,
    {
        let refs: Vec<_> = objects.into_iter().map(|o| o.as_action_object()).collect();
        Self::refs(
            crate::lookup::for_refs(Role::ActionObject, refs.clone()),
            refs,
        )
    }

    /// The user stream of `follower` ([`ActionEntity::followed_by`]).
    pub fn followed_by<F: FollowsIn<A>>(self, follower: &F::Follower) -> LiveStream<A> {
        self.followed_by_in::<F>(follower, &[Role::Actor])
    }

    /// Actions whose object in any of `roles` `follower` follows
    /// ([`ActionEntity::followed_by_in`]). The followed set is loaded when the tail starts
    /// (one query) and again after each [`follow`](crate::FollowEntity::follow) or
    /// [`unfollow`](crate::FollowEntity::unfollow) of `follower` in this process, or after
    /// [`FOLLOWED_SET_REFRESH`].
    pub fn followed_by_in<F: FollowsIn<A>>(
        self,
        follower: &F::Follower,
        roles: &[Role],
    ) -> LiveStream<A> {
        let pairs: Vec<(F::Column, A::Column)> = roles
            .iter()
            .flat_map(|&role| F::column_pairs(role))
            .collect();
        let key: Value = follower.stream_pk().into();
        let follow_key = FollowerKey::of::<F>(&key);
        let columns: Vec<A::Column> = pairs.iter().map(|&(_, action)| action).collect();
        let load: LoadFollowed = Arc::new(move |db: DatabaseConnection| {
            let pairs = pairs.clone();
            let key = key.clone();
            Box::pin(async move {
                let follows = F::find().filter(F::FOLLOWER.eq(key)).all(&db).await?;
                let mut set = HashSet::new();
                for follow in &follows {
                    for &(follow_column, action_column) in &pairs {
                        let value = follow.get(follow_column);
                        if !is_null(&value) {
                            set.insert(slot(action_column.as_str(), &value));
                        }
                    }
                }
                Ok(set)
            }) as BoxFuture<'static, crate::Result<HashSet<String>>>
        });
        LiveStream::new(
            A::followed_by_in::<F>(follower, roles),
            Matcher::Followed(Arc::new(Followed {
                columns,
                key: follow_key,
                load,
            })),
        )
    }

    fn refs(select: Select<A>, refs: impl IntoIterator<Item = RoleRef<A>>) -> LiveStream<A> {
        let keys = refs
            .into_iter()
            .map(|r| (r.column(), r.value().clone()))
            .collect();
        LiveStream::new(select, Matcher::AnyOf(keys))
    }
}

/// A stream that can be tailed live: its select (what a page of it reads), and a description
/// the tail matches committed actions against in memory. Made by
/// [`ActionEntity::live`].
pub struct LiveStream<A: ActionEntity> {
    select: Select<A>,
    matcher: Matcher<A>,
    public_only: bool,
    filtered: bool,
}

impl<A: ActionEntity> LiveStream<A> {
    fn new(select: Select<A>, matcher: Matcher<A>) -> Self {
        LiveStream {
            select,
            matcher,
            public_only: false,
            filtered: false,
        }
    }

    /// Keep the stream to public actions, as [`PublicOnly::public_only`](crate::PublicOnly)
    /// does for a page; matched in memory.
    pub fn public_only(mut self) -> Self
    where
        A: crate::PublicActions,
    {
        self.select = crate::PublicOnly::public_only(self.select);
        self.public_only = true;
        self
    }

    /// Add a condition of your own to the stream. The tail cannot evaluate it in memory: an
    /// action that matches the rest of the stream is a candidate, and the tail asks the
    /// database whether it matches the whole (one query by primary key).
    pub fn filter(mut self, condition: impl IntoCondition) -> Self {
        self.select = self.select.filter(condition.into_condition());
        self.filtered = true;
        self
    }

    /// The stream's select, newest first: what its pages read.
    pub fn select(&self) -> Select<A> {
        self.select.clone()
    }

    /// Tail the stream: the actions after `after` (`None`: from now on) and every matching
    /// action committed from now on, as stored rows. Subscribes at once; the catch-up from
    /// `after` runs in the first [`recv`](Tail::recv).
    pub fn tail(self, db: &DatabaseConnection, after: Option<Cursor>) -> Tail<A, Rows> {
        Tail::new(self, db, after)
    }

    /// As [`tail`](Self::tail), with each action's actor, target and action object loaded
    /// (`action::Loaded`, what pages render). A live action is loaded once for all the tails
    /// of the process that deliver it.
    pub fn tail_hydrated(
        self,
        db: &DatabaseConnection,
        after: Option<Cursor>,
    ) -> Tail<A, Hydrated> {
        Tail::new(self, db, after)
    }
}

impl<A: ActionEntity> std::fmt::Debug for LiveStream<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveStream")
            .field("public_only", &self.public_only)
            .field("filtered", &self.filtered)
            .finish_non_exhaustive()
    }
}

type LoadFollowed = Arc<
    dyn Fn(DatabaseConnection) -> BoxFuture<'static, crate::Result<HashSet<String>>> + Send + Sync,
>;

/// What a stream is, as far as it can be told from an action's row.
enum Matcher<A: ActionEntity> {
    All,
    /// Any of these columns holds its key.
    AnyOf(Vec<(A::Column, Value)>),
    /// Any of these columns is set.
    NotNull(Vec<A::Column>),
    /// Any of these columns holds a followed key.
    Followed(Arc<Followed<A>>),
}

struct Followed<A: ActionEntity> {
    columns: Vec<A::Column>,
    key: FollowerKey,
    load: LoadFollowed,
}

/// A followed set's slot: the action column and the key, as text.
fn slot(column: &str, value: &Value) -> String {
    format!("{column}\0{value:?}")
}

fn is_null(value: &Value) -> bool {
    *value == value.as_null()
}

/// A follower in one follow table, as the version map knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FollowerKey(String);

impl FollowerKey {
    pub(crate) fn of<F: crate::FollowEntity>(follower: &Value) -> Self {
        FollowerKey(format!("{}\0{follower:?}", F::default().table_name()))
    }
}

fn follow_versions() -> &'static Mutex<HashMap<FollowerKey, u64>> {
    static VERSIONS: OnceLock<Mutex<HashMap<FollowerKey, u64>>> = OnceLock::new();
    VERSIONS.get_or_init(Default::default)
}

/// Tell followed tails of `follower` that its follows changed (called by follow/unfollow).
pub(crate) fn follows_changed(follower: FollowerKey) {
    let mut versions = follow_versions()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    *versions.entry(follower).or_default() += 1;
}

fn follow_version(follower: &FollowerKey) -> u64 {
    follow_versions()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(follower)
        .copied()
        .unwrap_or_default()
}

/// One event of a [`Tail`].
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent<T> {
    /// An action of the stream, and its cursor (where it stands in the stream).
    Action {
        /// The action: `Arc<action::Model>` from [`LiveStream::tail`], `action::Loaded`
        /// from [`LiveStream::tail_hydrated`].
        action: T,
        /// The cursor just after the action.
        cursor: Cursor,
    },
    /// The action `id` was retracted.
    Retracted {
        /// Its id.
        id: i64,
    },
}

/// What a tail delivers: the rows ([`Rows`]) or the hydrated actions ([`Hydrated`]).
pub trait Delivery<A: ActionEntity>: Send + 'static {
    /// The delivered action.
    type Item: Send + 'static;

    /// The item of a created action; `None` when it no longer exists.
    #[doc(hidden)]
    fn from_created<'a>(
        created: &'a Created<A>,
        db: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Option<Self::Item>>>;

    #[doc(hidden)]
    fn read<'a>(
        select: Select<A>,
        db: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Vec<Self::Item>>>;

    #[doc(hidden)]
    fn model(item: &Self::Item) -> &A::Model;
}

/// A tail of stored rows, `Arc<action::Model>`.
#[derive(Debug)]
pub struct Rows;

/// A tail of hydrated actions, `action::Loaded`.
#[derive(Debug)]
pub struct Hydrated;

/// `select` as a statement with the timestamps bound as the backend stores them.
fn statement<S: QueryTrait>(select: &S, db: &DatabaseConnection) -> sea_orm::Statement {
    let mut statement = select.build(db.get_database_backend());
    crate::shared::bind_timestamps_for_backend(&mut statement);
    statement
}

impl<A: ActionEntity> Delivery<A> for Rows {
    type Item = Arc<A::Model>;

    fn from_created<'a>(
        created: &'a Created<A>,
        _: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Option<Self::Item>>> {
        Box::pin(async move { Ok(Some(Arc::clone(created.shared()))) })
    }

    fn read<'a>(
        select: Select<A>,
        db: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Vec<Self::Item>>> {
        Box::pin(async move {
            let statement = statement(&select, db);
            let rows = A::Model::find_by_statement(statement).all(db).await?;
            Ok(rows.into_iter().map(Arc::new).collect())
        })
    }

    fn model(item: &Self::Item) -> &A::Model {
        item
    }
}

impl<A: ActionEntity> Delivery<A> for Hydrated {
    type Item = A::Loaded;

    fn from_created<'a>(
        created: &'a Created<A>,
        db: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Option<Self::Item>>> {
        Box::pin(async move {
            match created.loaded(db).await {
                Ok(loaded) => Ok(Some(loaded.clone())),
                // Retracted (or deleted) since: its retraction follows.
                Err(crate::StreamError::Database(sea_orm::DbErr::RecordNotFound(_))) => Ok(None),
                Err(error) => Err(error),
            }
        })
    }

    fn read<'a>(
        select: Select<A>,
        db: &'a DatabaseConnection,
    ) -> BoxFuture<'a, crate::Result<Vec<Self::Item>>> {
        Box::pin(async move {
            let statement = statement(&A::join_roles(select), db);
            Ok(A::Loaded::find_by_statement(statement).all(db).await?)
        })
    }

    fn model(item: &Self::Item) -> &A::Model {
        item.as_ref()
    }
}

/// A live tail of one stream: [`recv`](Tail::recv) the next [`LiveEvent`]. Made by
/// [`LiveStream::tail`] and [`LiveStream::tail_hydrated`]; dropping it unsubscribes.
pub struct Tail<A: ActionEntity, D: Delivery<A> = Rows> {
    stream: LiveStream<A>,
    db: DatabaseConnection,
    events: Events<A>,
    /// Changes when a bridge reconnected: what other processes sent meanwhile is read back.
    resyncs: tokio::sync::watch::Receiver<u64>,
    /// The furthest position delivered (or started from).
    watermark: Option<Cursor>,
    /// Whether a catch-up from the watermark is due: at the start from a cursor, and after
    /// the tail fell behind the event buffer.
    catch_up: bool,
    ready: VecDeque<LiveEvent<D::Item>>,
    delivered: Remembered,
    followed: Option<FollowedSet>,
    /// Where a tail started "from now" catches up from if it falls behind before it
    /// delivered anything.
    started: Cursor,
}

struct FollowedSet {
    slots: HashSet<String>,
    version: u64,
    loaded: Instant,
}

/// The positions of the last [`REMEMBERED`] delivered actions.
#[derive(Default)]
struct Remembered {
    order: VecDeque<Cursor>,
    set: HashSet<Cursor>,
}

impl Remembered {
    /// Remember `cursor`; false if it was already.
    fn insert(&mut self, cursor: Cursor) -> bool {
        if !self.set.insert(cursor) {
            return false;
        }
        self.order.push_back(cursor);
        if self.order.len() > REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }

    fn contains(&self, cursor: &Cursor) -> bool {
        self.set.contains(cursor)
    }
}

impl<A: ActionEntity, D: Delivery<A>> Tail<A, D> {
    fn new(stream: LiveStream<A>, db: &DatabaseConnection, after: Option<Cursor>) -> Self {
        Tail {
            events: A::signal().subscribe_events(),
            resyncs: A::signal().resyncs(),
            stream,
            db: db.clone(),
            catch_up: after.is_some(),
            watermark: after,
            ready: VecDeque::new(),
            delivered: Remembered::default(),
            followed: None,
            started: Cursor::at(crate::shared::now(), 0),
        }
    }

    /// The furthest position this tail delivered, or the cursor it started from: resume a
    /// new tail from it (as an SSE `Last-Event-ID`) to miss nothing after it.
    pub fn resume_cursor(&self) -> Option<Cursor> {
        self.watermark
    }

    /// Wait for the next event of the stream. An error (the database failed a catch-up, a
    /// candidate check or a hydration) leaves the tail usable: the next call tries again from
    /// where it stood.
    pub async fn recv(&mut self) -> crate::Result<LiveEvent<D::Item>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(event);
            }
            if self.catch_up {
                self.catch_up().await?;
                self.catch_up = false;
                continue;
            }
            let event = tokio::select! {
                event = self.events.recv() => event,
                Ok(()) = self.resyncs.changed() => {
                    tracing::debug!("a bridge reconnected; the live tail catches up from its cursor");
                    self.catch_up_from_here();
                    continue;
                }
            };
            match event {
                Ok(Event::Created(created)) => self.created(&created).await?,
                Ok(Event::Retracted(retracted)) => {
                    let belongs = match retracted.action() {
                        Some(action) => self.may_belong(action).await?,
                        None => true,
                    };
                    if belongs {
                        self.ready
                            .push_back(LiveEvent::Retracted { id: retracted.id() });
                    }
                }
                Err(missed) => {
                    tracing::debug!(%missed, "a live tail fell behind; catching up from its cursor");
                    // The catch-up reads everything up to now; what arrives after it comes
                    // from the signal again, de-duplicated against what the query read.
                    self.events.skip_to_newest();
                    self.catch_up_from_here();
                }
            }
        }
    }

    /// Read the stream from the watermark before the next event.
    fn catch_up_from_here(&mut self) {
        if self.watermark.is_none() {
            // Started from "now" and delivered nothing yet: catch up from when the tail
            // started.
            self.watermark = Some(self.started);
        }
        self.catch_up = true;
    }

    async fn created(&mut self, created: &Created<A>) -> crate::Result<()> {
        let cursor = created.cursor();
        if self.delivered.contains(&cursor) || !self.may_belong(created.action()).await? {
            return Ok(());
        }
        if self.stream.filtered {
            // The filters of the user decide: ask by primary key.
            let select = self
                .stream
                .select
                .clone()
                .filter(A::ID.eq(A::action_id(created.action())));
            if D::read(select, &self.db).await?.is_empty() {
                return Ok(());
            }
        }
        if let Some(item) = D::from_created(created, &self.db).await? {
            self.deliver(item, cursor);
        }
        Ok(())
    }

    fn deliver(&mut self, action: D::Item, cursor: Cursor) {
        if !self.delivered.insert(cursor) {
            return;
        }
        if self.watermark.is_none_or(|at| newer(&cursor, &at)) {
            self.watermark = Some(cursor);
        }
        self.ready.push_back(LiveEvent::Action { action, cursor });
    }

    /// Read the stream from the watermark on, oldest first, in batches.
    async fn catch_up(&mut self) -> crate::Result<()> {
        while let Some(from) = self.watermark {
            let select = after::<A>(self.stream.select.clone(), &from);
            let rows = D::read(select, &self.db).await?;
            let full = rows.len() as u64 == CATCH_UP_BATCH;
            for row in rows {
                let cursor = Cursor::after::<A>(D::model(&row));
                self.deliver(row, cursor);
            }
            if !full || self.watermark == Some(from) {
                break;
            }
        }
        Ok(())
    }

    /// Whether `action` matches the stream's description (for a stream with filters of its
    /// own: whether it is a candidate).
    async fn may_belong(&mut self, action: &A::Model) -> crate::Result<bool> {
        if self.stream.public_only
            && let Some(public) = A::__PUBLIC
            && action.get(public) != Value::from(true)
        {
            return Ok(false);
        }
        Ok(match &self.stream.matcher {
            Matcher::All => true,
            Matcher::AnyOf(keys) => keys.iter().any(|(column, key)| action.get(*column) == *key),
            Matcher::NotNull(columns) => columns.iter().any(|&c| !is_null(&action.get(c))),
            Matcher::Followed(followed) => {
                let followed = Arc::clone(followed);
                let slots = self.followed_set(&followed).await?;
                followed.columns.iter().any(|&column| {
                    let value = action.get(column);
                    !is_null(&value) && slots.contains(&slot(column.as_str(), &value))
                })
            }
        })
    }

    /// The followed set, loaded again when the follower's follows changed or it is old.
    async fn followed_set(&mut self, followed: &Followed<A>) -> crate::Result<&HashSet<String>> {
        let version = follow_version(&followed.key);
        let fresh = self.followed.as_ref().is_some_and(|set| {
            set.version == version && set.loaded.elapsed() < FOLLOWED_SET_REFRESH
        });
        if !fresh {
            let slots = (followed.load)(self.db.clone()).await?;
            self.followed = Some(FollowedSet {
                slots,
                version,
                loaded: Instant::now(),
            });
        }
        Ok(&self.followed.as_ref().expect("loaded above").slots)
    }
}

impl<A: ActionEntity, D: Delivery<A>> std::fmt::Debug for Tail<A, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tail")
            .field("stream", &self.stream)
            .field("watermark", &self.watermark)
            .finish_non_exhaustive()
    }
}

/// Whether `a` stands after `b` in the stream's order (newer).
fn newer(a: &Cursor, b: &Cursor) -> bool {
    (a.timestamp(), a.id()) > (b.timestamp(), b.id())
}

/// `select` from just after `cursor` on, oldest first, at most [`CATCH_UP_BATCH`] rows:
/// `timestamp >= t AND (timestamp > t OR id > i) ORDER BY timestamp, id` (the index range of
/// the page query, read the other way).
fn after<A: ActionEntity>(select: Select<A>, cursor: &Cursor) -> Select<A> {
    let table = A::default();
    let timestamp = Expr::col((table, A::TIMESTAMP));
    let id = Expr::col((table, A::ID));
    let at = cursor.timestamp();
    let mut select = select.filter(
        sea_orm::Condition::all()
            .add(timestamp.clone().gte(at))
            .add(
                sea_orm::Condition::any()
                    .add(timestamp.gt(at))
                    .add(id.gt(cursor.id())),
            ),
    );
    QueryTrait::query(&mut select).clear_order_by();
    select
        .order_by_asc(A::TIMESTAMP)
        .order_by_asc(A::ID)
        .limit(CATCH_UP_BATCH)
}
