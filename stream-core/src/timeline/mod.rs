//! User-stream timelines on Redis (feature `redis`): the followed stream of each user, kept
//! as a capped list of action ids in Redis and read back in one SQL statement.
//!
//! The SQL database stays the truth; a timeline is a cache of one user's
//! [`followed_by_in`](crate::ActionEntity::followed_by_in) stream. [`Timelines`] keeps them:
//!
//! - **Fan-out after commit.** A background task receives every committed action from the
//!   action entity's [`Signal`](crate::Signal), finds the followers of its actor, target and
//!   action object (in the roles the timelines follow), and adds the action to each follower's
//!   timeline, many commands in flight at once — never inside the request's transaction, and
//!   only to timelines someone has read (a cold timeline costs nothing to keep).
//! - **Push/pull hybrid.** An object with more followers than
//!   [`celebrity_threshold`](TimelinesBuilder::celebrity_threshold) is not fanned out: its
//!   recent actions are read from SQL when a follower's page is read, and merged in. One
//!   celebrity's action never costs a million writes.
//! - **Reading** a page: ids from the timeline (one round trip), then the page, hydrated, in
//!   one SQL statement. A page older than the timeline holds continues in the SQL stream,
//!   seamlessly: the same [`Cursor`] walks both.
//! - **Follows.** [`follow`](Timelines::follow) and [`unfollow`](Timelines::unfollow) add the
//!   followed object's recent actions to the timeline, or take them out, after commit.
//! - **Redis is a cache.** A missing timeline is rebuilt from SQL after its first read (which
//!   SQL answers). Redis down, or slower than [`timeout`](TimelinesBuilder::timeout): the
//!   page comes from SQL, with a `tracing` warning, never an error; Redis is left alone for
//!   [`retry_after`](TimelinesBuilder::retry_after) before it is asked again. A timeline that
//!   missed a fan-out while Redis was unreachable is dropped when Redis answers again, and
//!   rebuilt. [`check`](Timelines::check) compares a timeline with the SQL stream.
//! - **Single node or cluster** ([`Redis::node`], [`Redis::cluster`]): each timeline is one
//!   sorted set whose key carries a hash tag, so it lives on one slot. Redis 6.2 or later
//!   (`ZRANGE .. BYLEX REV`).
//!
//! A page lists actions in exactly the SQL order — `timestamp DESC, id DESC`, ties included —
//! because each timeline entry is the pair itself, written so that Redis sorts it as bytes
//! (see `store.rs`).
//!
//! # Example
//!
//! ```no_run
//! use stream_core::prelude::*;
//! use stream_core::timeline::{Redis, Source, Timelines};
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
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # stream_core::follow_entity! {
//! #     pub mod follow { table_name = "stream_follow", follower = user, models = [user], actions = [action] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).register(follow::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
//! let timelines = Timelines::<action::Entity, follow::Entity>::builder(
//!     db.clone(),
//!     Redis::node("redis://127.0.0.1:6379"),
//! )
//! .roles(&[Role::Actor, Role::Target])
//! .start()
//! .await?;
//!
//! timelines.follow(&db, &lennon, &hendrix).await?;
//! action::Entity::send(&db, &hendrix, Verb::Followed).target(&lennon).await?;
//!
//! let first = timelines.page(&lennon, None, 20).await?; // SQL answers; the timeline is built
//! timelines.settled().await; // (wait for the background work, as a test would)
//! let again = timelines.page(&lennon, None, 20).await?;
//! assert_eq!(again.source, Source::Redis);
//! assert_eq!(first.page, again.page);
//! # Ok(())
//! # }
//! ```

mod store;

use crate::follow::followed_condition;
use crate::transaction::on_writer;
use crate::{
    ActionEntity, Cursor, FollowEntity, Followable, FollowsIn, MAX_PAGE_SIZE, Page, Paginate, Role,
    StreamError, Streamable, Writer,
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, ModelTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Select, Value,
};
use std::collections::HashSet;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};
use store::{RedisConnection, Scripts};
use tokio::sync::{mpsc, oneshot};

/// Where Redis is: one server or a cluster.
#[derive(Clone, Debug)]
pub struct Redis {
    nodes: Vec<String>,
    cluster: bool,
}

impl Redis {
    /// One server: `redis://127.0.0.1:6379` (`rediss://` needs the client's TLS features).
    pub fn node(url: impl Into<String>) -> Self {
        Redis {
            nodes: vec![url.into()],
            cluster: false,
        }
    }

    /// A Redis Cluster, found from any of its nodes: `["redis://127.0.0.1:7000", ..]`.
    pub fn cluster(nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Redis {
            nodes: nodes.into_iter().map(Into::into).collect(),
            cluster: true,
        }
    }
}

/// Where the page of [`Timelines::page`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The timeline (ids from Redis, the page hydrated in one SQL statement).
    Redis,
    /// The timeline, then the SQL stream past the oldest action it holds.
    RedisThenSql,
    /// The SQL stream alone: Redis is down or slow, the timeline is cold (it is being
    /// rebuilt), or the page is older than the timeline holds.
    Sql,
}

impl Source {
    /// `redis`, `redis+sql` or `sql`: for a response header or a log line.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Redis => "redis",
            Source::RedisThenSql => "redis+sql",
            Source::Sql => "sql",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A page of a user stream, and which path served it.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelinePage<T> {
    /// The page: the same actions, in the same order, with the same cursors, whichever path
    /// served it.
    pub page: Page<T>,
    /// Which path served it.
    pub source: Source,
}

/// What [`Timelines::check`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consistency {
    /// Whether the timeline exists and is complete enough to serve (`false`: cold, being
    /// rebuilt, or Redis did not answer — nothing to compare).
    pub warm: bool,
    /// How many of the newest actions were compared.
    pub compared: usize,
    /// Ids in the SQL stream that the timeline (with the pulled celebrities' actions) lacks.
    pub missing: Vec<i64>,
    /// Ids in the timeline that the SQL stream does not have (deleted, no longer followed, or
    /// filtered out).
    pub unexpected: Vec<i64>,
}

impl Consistency {
    /// Whether the timeline served exactly the SQL stream's newest actions.
    pub fn is_consistent(&self) -> bool {
        self.warm && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

type Refine<A> = Arc<dyn Fn(Select<A>) -> Select<A> + Send + Sync>;

/// Configures [`Timelines`]; from [`Timelines::builder`].
#[must_use = "nothing runs until `.start().await`"]
pub struct TimelinesBuilder<A: ActionEntity, F: FollowsIn<A>> {
    db: DatabaseConnection,
    redis: Redis,
    config: Config<A>,
    _follow: PhantomData<fn() -> F>,
}

struct Config<A: ActionEntity> {
    roles: Vec<Role>,
    cap: usize,
    threshold: u64,
    in_flight: usize,
    timeout: Duration,
    retry_after: Duration,
    ttl: Duration,
    prefix: String,
    refine: Option<Refine<A>>,
}

impl<A: ActionEntity, F: FollowsIn<A>> TimelinesBuilder<A, F> {
    /// The roles whose followed objects make the stream (default: the actor), as in
    /// [`followed_by_in`](crate::ActionEntity::followed_by_in).
    pub fn roles(mut self, roles: &[Role]) -> Self {
        self.config.roles = roles.to_vec();
        self
    }

    /// The most actions a timeline keeps (default 1,000): older pages come from SQL.
    pub fn cap(mut self, cap: usize) -> Self {
        self.config.cap = cap.max(1);
        self
    }

    /// Objects with more followers than this (default 10,000) are not fanned out: their
    /// actions are read from SQL and merged into their followers' pages. An object that once
    /// crossed it stays pulled (its earlier actions are then in no new timeline entry).
    pub fn celebrity_threshold(mut self, followers: u64) -> Self {
        self.config.threshold = followers;
        self
    }

    /// How many Redis commands the fan-out keeps in flight at once (default 512).
    pub fn in_flight(mut self, commands: usize) -> Self {
        self.config.in_flight = commands.max(1);
        self
    }

    /// How long a page waits for Redis before it reads SQL instead (default 200 ms); also
    /// each Redis command's and connection attempt's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// After a Redis failure, how long pages go straight to SQL before Redis is tried again
    /// (default 1 s): a Redis that is down costs each page nothing, not a timeout.
    pub fn retry_after(mut self, pause: Duration) -> Self {
        self.config.retry_after = pause;
        self
    }

    /// How long a timeline nobody reads is kept (default 30 days; each page read renews it).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.config.ttl = ttl.max(Duration::from_secs(1));
        self
    }

    /// The prefix of every key (default `stream:<action table>`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.config.prefix = prefix.into();
        self
    }

    /// Narrow the stream, as the SQL stream of the page would be: `.refine(|s|
    /// s.public_only())`. Applied to the SQL stream, the rebuilds, the pulled actions and
    /// the hydrating statement; an action outside it is not fanned out.
    pub fn refine(
        mut self,
        refine: impl Fn(Select<A>) -> Select<A> + Send + Sync + 'static,
    ) -> Self {
        self.config.refine = Some(Arc::new(refine));
        self
    }

    /// Start the fan-out task (on the current tokio runtime) and return the timelines.
    /// Fails only for an unusable address; Redis itself is connected on first use, so the
    /// application starts (and reads from SQL) while Redis is down.
    pub async fn start(self) -> crate::Result<Timelines<A, F>> {
        let TimelinesBuilder {
            db, redis, config, ..
        } = self;
        let invalid = |url: &str, source| StreamError::InvalidRedisUrl {
            url: url.to_owned(),
            source,
        };
        let connector = if redis.cluster {
            if redis.nodes.is_empty() {
                return Err(invalid(
                    "",
                    redis::RedisError::from((
                        redis::ErrorKind::InvalidClientConfig,
                        "a cluster needs at least one node",
                    )),
                ));
            }
            let client = ClusterClient::builder(redis.nodes.clone())
                .connection_timeout(config.timeout)
                .response_timeout(config.timeout)
                .retries(1)
                .build()
                .map_err(|e| invalid(&redis.nodes.join(","), e))?;
            Connector::Cluster(Box::new(ClusterConnector {
                client,
                connection: tokio::sync::Mutex::new(None),
            }))
        } else {
            let url = redis.nodes.first().cloned().unwrap_or_default();
            let client = redis::Client::open(url.as_str()).map_err(|e| invalid(&url, e))?;
            let manager_config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(config.timeout))
                .set_response_timeout(Some(config.timeout))
                .set_number_of_retries(1)
                .set_max_delay(config.retry_after);
            let manager = ConnectionManager::new_lazy_with_config(client, manager_config)
                .map_err(|e| invalid(&url, e))?;
            Connector::Node(manager)
        };
        let (jobs, receiver) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            db,
            connector,
            scripts: Scripts::new(),
            config,
            jobs,
            health: Health::default(),
            _follow: PhantomData,
        });
        // This process's commits only: with a bridge, every process fans out its own
        // actions, and each action once.
        let actions = A::signal().subscribe_local();
        let events = A::signal().subscribe_events();
        tokio::spawn(background::<A, F>(
            Arc::downgrade(&inner),
            actions,
            events,
            receiver,
        ));
        Ok(Timelines { inner })
    }
}

/// User-stream timelines on Redis for the action entity `A` and the follow entity `F`.
/// Cheap to clone; the background task stops when the last clone is dropped.
///
/// One per action entity per process: the fan-out listens to the entity's process-wide
/// [`Signal`](crate::Signal) ([`subscribe_local`](crate::Signal::subscribe_local)), so every
/// action committed in this process, through any connection, is fanned out against this
/// `Timelines`' database; with a [`Bridge`](crate::bridge) between processes each process
/// fans out its own actions, and every action is fanned out once.
pub struct Timelines<A: ActionEntity, F: FollowsIn<A>> {
    inner: Arc<Inner<A, F>>,
}

impl<A: ActionEntity, F: FollowsIn<A>> Clone for Timelines<A, F> {
    fn clone(&self) -> Self {
        Timelines {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: ActionEntity, F: FollowsIn<A>> std::fmt::Debug for Timelines<A, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timelines")
            .field("prefix", &self.inner.config.prefix)
            .field("roles", &self.inner.config.roles)
            .field("cap", &self.inner.config.cap)
            .finish_non_exhaustive()
    }
}

struct Inner<A: ActionEntity, F: FollowsIn<A>> {
    db: DatabaseConnection,
    connector: Connector,
    scripts: Scripts,
    config: Config<A>,
    jobs: mpsc::UnboundedSender<Job<A, F>>,
    health: Health,
    _follow: PhantomData<fn() -> F>,
}

enum Connector {
    Node(ConnectionManager),
    Cluster(Box<ClusterConnector>),
}

/// A cluster client and its connection, made on first use.
struct ClusterConnector {
    client: ClusterClient,
    connection: tokio::sync::Mutex<Option<redis::cluster_async::ClusterConnection>>,
}

/// Whether Redis may be asked, and which timelines missed a write while it could not be.
#[derive(Default)]
struct Health {
    down_until: Mutex<Option<Instant>>,
    /// Keys of timelines that missed a fan-out or a removal: dropped (and so rebuilt) as soon
    /// as Redis answers; until then this process reads them from SQL.
    stale: Mutex<HashSet<String>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A followed object: its follow-table column and key.
struct Object<F: FollowEntity> {
    column: F::Column,
    value: Value,
}

impl<F: FollowEntity> Clone for Object<F> {
    fn clone(&self) -> Self {
        Object {
            column: self.column,
            value: self.value.clone(),
        }
    }
}

enum Job<A: ActionEntity, F: FollowEntity> {
    Rebuild(F::Follower),
    Followed(F::Follower, Object<F>),
    Unfollowed(F::Follower, Object<F>),
    Remove(Arc<A::Model>),
    Barrier(oneshot::Sender<()>),
}

/// What a Redis failure was, for the warning.
#[derive(Debug)]
enum Failure {
    Redis(redis::RedisError),
    Timeout(Duration),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Redis(err) => write!(f, "{err}"),
            Failure::Timeout(after) => write!(f, "no answer within {after:?}"),
        }
    }
}

/// The scores of `~`, `!` and `#`, the number of entries, and the entries read.
type Markers = (Option<f64>, Option<f64>, Option<f64>, usize, Vec<String>);

/// One read of a timeline.
struct Read {
    warm: bool,
    complete: bool,
    building: bool,
    /// Entries in the whole timeline.
    entries: usize,
    /// `(timestamp micros, id)` newest first, after the cursor.
    members: Vec<(i64, i64)>,
    celebrities: Vec<String>,
}

impl<A: ActionEntity, F: FollowsIn<A>> Timelines<A, F> {
    /// Timelines of `A` for the followers in `F`, on `db` and `redis`; configure, then
    /// [`start`](TimelinesBuilder::start).
    pub fn builder(db: DatabaseConnection, redis: Redis) -> TimelinesBuilder<A, F> {
        TimelinesBuilder {
            db,
            redis,
            config: Config {
                roles: vec![Role::Actor],
                cap: 1_000,
                threshold: 10_000,
                in_flight: 512,
                timeout: Duration::from_millis(200),
                retry_after: Duration::from_secs(1),
                ttl: Duration::from_secs(30 * 24 * 3600),
                prefix: format!("stream:{}", sea_orm::IdenStatic::as_str(&A::default())),
                refine: None,
            },
            _follow: PhantomData,
        }
    }

    /// The SQL stream the timelines cache: [`followed_by_in`](crate::ActionEntity::followed_by_in)
    /// over the configured roles, refined.
    pub fn stream(&self, follower: &F::Follower) -> Select<A> {
        self.inner
            .refined(A::followed_by_in::<F>(follower, &self.inner.config.roles))
    }

    /// The page of `follower`'s stream after `cursor` (`None`: the newest), hydrated, and
    /// where it came from. The same page as `stream(follower).page(cursor, size).hydrated(..)`
    /// whatever Redis does: it fails only as that would (a database error, a page size of 0
    /// or above [`MAX_PAGE_SIZE`]).
    pub async fn page(
        &self,
        follower: &F::Follower,
        cursor: Option<&Cursor>,
        size: u64,
    ) -> crate::Result<TimelinePage<A::Loaded>> {
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(StreamError::InvalidPageSize {
                size,
                max: MAX_PAGE_SIZE,
            });
        }
        match self
            .inner
            .served_by_timeline(follower, cursor, size)
            .await?
        {
            Some(page) => Ok(page),
            None => Ok(TimelinePage {
                page: self
                    .stream(follower)
                    .page(cursor, size)
                    .hydrated(&self.inner.db)
                    .await?,
                source: Source::Sql,
            }),
        }
    }

    /// Make `follower` follow `object` (as [`FollowEntity::follow`], on a connection or in a
    /// transaction); once committed, the object's recent actions join the follower's
    /// timeline. `Ok(false)` when it already followed.
    pub async fn follow<W: Writer>(
        &self,
        db: &W,
        follower: &F::Follower,
        object: &(impl Followable<F> + Sync),
    ) -> crate::Result<bool> {
        let writer = db.__writer();
        let followed = on_writer!(writer, |conn| F::follow(conn, follower, object).await)?;
        if followed {
            let job = Job::Followed(follower.clone(), self.object(object));
            let jobs = self.inner.jobs.clone();
            writer.after_commit(Box::new(move || drop(jobs.send(job))));
        }
        Ok(followed)
    }

    /// Make `follower` stop following `object` (as [`FollowEntity::unfollow`]); once
    /// committed, the actions the follower sees only through it leave the timeline.
    pub async fn unfollow<W: Writer>(
        &self,
        db: &W,
        follower: &F::Follower,
        object: &(impl Followable<F> + Sync),
    ) -> crate::Result<bool> {
        let writer = db.__writer();
        let unfollowed = on_writer!(writer, |conn| F::unfollow(conn, follower, object).await)?;
        if unfollowed {
            let job = Job::Unfollowed(follower.clone(), self.object(object));
            let jobs = self.inner.jobs.clone();
            writer.after_commit(Box::new(move || drop(jobs.send(job))));
        }
        Ok(unfollowed)
    }

    /// Tell the timelines that `follower` started following `object` through
    /// [`FollowEntity::follow`] directly (committed): the same backfill as
    /// [`follow`](Self::follow).
    pub fn followed(&self, follower: &F::Follower, object: &impl Followable<F>) {
        let _ = self
            .inner
            .jobs
            .send(Job::Followed(follower.clone(), self.object(object)));
    }

    /// Tell the timelines that `follower` stopped following `object` through
    /// [`FollowEntity::unfollow`] directly (committed).
    pub fn unfollowed(&self, follower: &F::Follower, object: &impl Followable<F>) {
        let _ = self
            .inner
            .jobs
            .send(Job::Unfollowed(follower.clone(), self.object(object)));
    }

    /// Take a deleted action out of every timeline it was fanned out to. Actions retracted
    /// through the library in this process ([`ActionEntity::retract`],
    /// [`retract_where`](ActionEntity::retract_where)) are taken out without it. A page never shows an action whose row is gone anyway — the hydrating statement does
    /// not find it, and the timeline drops it then — so this frees the entries early.
    pub fn remove_action(&self, action: &A::Model) {
        let _ = self.inner.jobs.send(Job::Remove(Arc::new(action.clone())));
    }

    /// Wait until every action committed, and every follow, unfollow, rebuild and removal
    /// asked, before this call has been written to Redis (or given up on). For tests and
    /// benchmarks: the application never needs to wait.
    pub async fn settled(&self) {
        let (done, wait) = oneshot::channel();
        if self.inner.jobs.send(Job::Barrier(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Drop `follower`'s timeline: it is rebuilt from SQL after its next read.
    pub async fn forget(&self, follower: &F::Follower) -> bool {
        let key = self.inner.key(&follower.stream_pk().into());
        let inner = &self.inner;
        inner
            .redis(|mut conn| async move {
                redis::cmd("DEL")
                    .arg(&key)
                    .query_async::<i64>(&mut conn)
                    .await
            })
            .await
            .is_some_and(|deleted| deleted > 0)
    }

    /// Compare the newest `n` actions of `follower`'s timeline (with the pulled celebrities'
    /// actions merged in) with the newest `n` of the SQL stream.
    pub async fn check(&self, follower: &F::Follower, n: u64) -> crate::Result<Consistency> {
        let n = n.clamp(1, MAX_PAGE_SIZE);
        let inner = &self.inner;
        let cold = Consistency {
            warm: false,
            compared: 0,
            missing: Vec::new(),
            unexpected: Vec::new(),
        };
        let key = inner.key(&follower.stream_pk().into());
        let Some(read) = inner.read(&key, None, n as usize).await else {
            return Ok(cold);
        };
        if !read.warm || (read.entries == 0 && !read.complete) {
            return Ok(cold);
        }
        let mut timeline = read.members.clone();
        timeline.extend(inner.pulled(follower, &read, None, n).await?);
        timeline.sort_unstable_by(|a, b| b.cmp(a));
        timeline.dedup();
        let sql: Vec<(i64, i64)> = self
            .stream(follower)
            .page(None, n)
            .all(&inner.db)
            .await?
            .items
            .iter()
            .map(key_of::<A>)
            .collect();
        // Compare down to the oldest action both lists reach (and no lower than the
        // timeline's floor when it does not hold the whole stream).
        let mut bound = (i64::MIN, i64::MIN);
        if sql.len() as u64 == n {
            bound = bound.max(*sql.last().unwrap_or(&bound));
        }
        if timeline.len() as u64 >= n || !read.complete {
            timeline.truncate(n as usize);
            bound = bound.max(*timeline.last().unwrap_or(&bound));
        }
        let timeline: Vec<_> = timeline.into_iter().filter(|k| *k >= bound).collect();
        let sql: Vec<_> = sql.into_iter().filter(|k| *k >= bound).collect();
        let ids = |keys: &[(i64, i64)]| keys.iter().map(|k| k.1).collect::<HashSet<_>>();
        let (in_timeline, in_sql) = (ids(&timeline), ids(&sql));
        Ok(Consistency {
            warm: true,
            compared: sql.len().max(timeline.len()),
            missing: sql
                .iter()
                .map(|k| k.1)
                .filter(|id| !in_timeline.contains(id))
                .collect(),
            unexpected: timeline
                .iter()
                .map(|k| k.1)
                .filter(|id| !in_sql.contains(id))
                .collect(),
        })
    }

    fn object(&self, object: &impl Followable<F>) -> Object<F> {
        Object {
            column: object.column(),
            value: object.followed_key(),
        }
    }
}

/// `(timestamp micros, id)` of an action.
fn key_of<A: ActionEntity>(action: &A::Model) -> (i64, i64) {
    (
        A::action_timestamp(action).timestamp_micros(),
        A::action_id(action),
    )
}

/// A key's text in a Redis key or set member: numbers in decimal, strings as they are.
fn value_text(value: &Value) -> Option<String> {
    Some(match value {
        Value::TinyInt(Some(v)) => v.to_string(),
        Value::SmallInt(Some(v)) => v.to_string(),
        Value::Int(Some(v)) => v.to_string(),
        Value::BigInt(Some(v)) => v.to_string(),
        Value::TinyUnsigned(Some(v)) => v.to_string(),
        Value::SmallUnsigned(Some(v)) => v.to_string(),
        Value::Unsigned(Some(v)) => v.to_string(),
        Value::BigUnsigned(Some(v)) => v.to_string(),
        Value::String(Some(v)) => format!("'{v}"),
        _ => return None,
    })
}

/// The inverse of [`value_text`], for the celebrity set (numbers come back as `BigInt`,
/// which every backend compares with any integer column).
fn text_value(text: &str) -> Option<Value> {
    match text.strip_prefix('\'') {
        Some(string) => Some(Value::from(string.to_owned())),
        None => text.parse::<i64>().ok().map(Value::from),
    }
}

impl<A: ActionEntity, F: FollowsIn<A>> Inner<A, F> {
    fn refined(&self, select: Select<A>) -> Select<A> {
        match &self.config.refine {
            Some(refine) => refine(select),
            None => select,
        }
    }

    /// The timeline key of the follower with primary key `value`; `{..}` is the hash tag.
    fn key(&self, value: &Value) -> String {
        let text = value_text(value).unwrap_or_else(|| format!("{value:?}"));
        format!("{}:tl:{{{text}}}", self.config.prefix)
    }

    fn celebrities_key(&self) -> String {
        format!("{}:celebrities", self.config.prefix)
    }

    /// Run `op` on the connection within the timeout; on failure note it (with a warning)
    /// and return `None`. While Redis is marked down, returns `None` at once.
    async fn redis<T, Fut>(&self, op: impl FnOnce(RedisConnection) -> Fut) -> Option<T>
    where
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        self.redis_for(self.config.timeout, op).await
    }

    async fn redis_for<T, Fut>(
        &self,
        timeout: Duration,
        op: impl FnOnce(RedisConnection) -> Fut,
    ) -> Option<T>
    where
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if let Some(until) = *locked(&self.health.down_until)
            && Instant::now() < until
        {
            tracing::debug!("timelines: Redis marked down, reading SQL");
            return None;
        }
        let result = tokio::time::timeout(timeout, async {
            let conn = self.connection().await?;
            op(conn).await
        })
        .await;
        let failure = match result {
            Ok(Ok(value)) => {
                *locked(&self.health.down_until) = None;
                return Some(value);
            }
            Ok(Err(err)) => Failure::Redis(err),
            Err(_) => Failure::Timeout(timeout),
        };
        tracing::warn!(
            prefix = %self.config.prefix,
            "timelines: Redis failed ({failure}); the user stream reads SQL for {:?}",
            self.config.retry_after
        );
        *locked(&self.health.down_until) = Some(Instant::now() + self.config.retry_after);
        None
    }

    async fn connection(&self) -> redis::RedisResult<RedisConnection> {
        match &self.connector {
            Connector::Node(manager) => Ok(RedisConnection::Node(manager.clone())),
            Connector::Cluster(cluster) => {
                let ClusterConnector { client, connection } = &**cluster;
                let mut connection = connection.lock().await;
                if let Some(conn) = &*connection {
                    return Ok(RedisConnection::Cluster(conn.clone()));
                }
                let conn = client.get_async_connection().await?;
                *connection = Some(conn.clone());
                Ok(RedisConnection::Cluster(conn))
            }
        }
    }

    /// Drop the timelines that missed a write, now that Redis may answer. Returns whether
    /// none is left.
    async fn drop_stale(&self) -> bool {
        let keys: Vec<String> = locked(&self.health.stale).iter().cloned().collect();
        if keys.is_empty() {
            return true;
        }
        let cmds = keys
            .iter()
            .map(|key| {
                let mut cmd = redis::cmd("DEL");
                cmd.arg(key);
                cmd
            })
            .collect();
        let in_flight = self.config.in_flight;
        let timeout = self.batch_timeout(keys.len());
        if self
            .redis_for(
                timeout,
                |conn| async move { conn.each(cmds, in_flight).await },
            )
            .await
            .is_none()
        {
            return false;
        }
        let mut stale = locked(&self.health.stale);
        for key in &keys {
            stale.remove(key);
        }
        tracing::info!(
            dropped = keys.len(),
            "timelines: dropped the timelines that missed writes while Redis was unreachable"
        );
        stale.is_empty()
    }

    fn batch_timeout(&self, commands: usize) -> Duration {
        let rounds = 1 + commands / self.config.in_flight.max(1);
        self.config.timeout * u32::try_from(rounds).unwrap_or(u32::MAX)
    }

    /// Read `n` entries after `cursor`, the markers, and the celebrity set, in one round trip
    /// per node.
    async fn read(&self, key: &str, cursor: Option<&Cursor>, n: usize) -> Option<Read> {
        let max = match cursor {
            Some(cursor) => format!("({}", store::cursor_member(cursor)),
            None => "(~".to_owned(),
        };
        let ttl = self.config.ttl.as_secs();
        let celebrities_key = self.celebrities_key();
        self.redis(|mut conn| async move {
            let mut pipe = redis::pipe();
            pipe.cmd("ZSCORE").arg(key).arg("~");
            pipe.cmd("ZSCORE").arg(key).arg("!");
            pipe.cmd("ZSCORE").arg(key).arg("#");
            pipe.cmd("ZLEXCOUNT").arg(key).arg("[0").arg("(~");
            pipe.cmd("ZRANGE")
                .arg(key)
                .arg(&max)
                .arg("[0")
                .arg("BYLEX")
                .arg("REV")
                .arg("LIMIT")
                .arg(0)
                .arg(n);
            pipe.cmd("EXPIRE").arg(key).arg(ttl).ignore();
            let mut other = conn.clone();
            let celebrities = async move {
                redis::cmd("SMEMBERS")
                    .arg(&celebrities_key)
                    .query_async::<Vec<String>>(&mut other)
                    .await
            };
            let timeline = pipe.query_async::<Markers>(&mut conn);
            let (timeline, celebrities) = tokio::join!(timeline, celebrities);
            let (warm, complete, building, entries, members) = timeline?;
            Ok(Read {
                warm: warm.is_some(),
                complete: complete.is_some(),
                building: building.is_some(),
                entries,
                members: members
                    .iter()
                    .filter_map(|m| store::parse_member(m))
                    .collect(),
                celebrities: celebrities?,
            })
        })
        .await
    }

    /// The page from the timeline; `None` when SQL must serve it (Redis down or slow, the
    /// timeline cold or stale).
    async fn served_by_timeline(
        &self,
        follower: &F::Follower,
        cursor: Option<&Cursor>,
        size: u64,
    ) -> crate::Result<Option<TimelinePage<A::Loaded>>> {
        let key = self.key(&follower.stream_pk().into());
        if locked(&self.health.stale).contains(&key) && !self.drop_stale().await {
            return Ok(None);
        }
        let n = size as usize + 1;
        for _ in 0..3 {
            let Some(read) = self.read(&key, cursor, n).await else {
                return Ok(None);
            };
            if !read.warm || (read.entries == 0 && !read.complete) {
                if !read.building {
                    let _ = self.jobs.send(Job::Rebuild(follower.clone()));
                }
                return Ok(None);
            }
            let exhausted = read.members.len() < n && !read.complete;
            let mut candidates = read.members.clone();
            let pulled = self.pulled(follower, &read, cursor, size).await?;
            // Past the timeline's end, the SQL stream takes over, pulled actions included.
            let floor = if exhausted {
                read.members.last().copied()
            } else {
                None
            };
            candidates.extend(
                pulled
                    .into_iter()
                    .filter(|k| !exhausted || floor.is_some_and(|floor| *k > floor)),
            );
            candidates.sort_unstable_by(|a, b| b.cmp(a));
            candidates.dedup();
            candidates.truncate(n);
            let shown: Vec<i64> = candidates.iter().take(size as usize).map(|k| k.1).collect();
            let loaded = self.hydrate(&shown).await?;
            if loaded.len() < shown.len() {
                // Rows gone (deleted, retracted) or refined out: take them out and read again.
                let found: HashSet<i64> = loaded.iter().map(|l| A::action_id(l.as_ref())).collect();
                let gone: Vec<String> = candidates
                    .iter()
                    .take(shown.len())
                    .filter(|k| !found.contains(&k.1))
                    .map(|&(t, id)| store::member(t, id))
                    .collect();
                let key = key.clone();
                self.redis(|mut conn| async move {
                    redis::cmd("ZREM")
                        .arg(&key)
                        .arg(gone)
                        .query_async::<()>(&mut conn)
                        .await
                })
                .await;
                continue;
            }
            let mut items = loaded;
            let mut more = candidates.len() > size as usize;
            let mut source = Source::Redis;
            if exhausted && !more {
                let from = items
                    .last()
                    .map(|last| Cursor::after::<A>(last.as_ref()))
                    .or(cursor.copied());
                let want = (size + 1 - items.len() as u64).min(MAX_PAGE_SIZE);
                let rest = self
                    .refined(A::followed_by_in::<F>(follower, &self.config.roles))
                    .page(from.as_ref(), want)
                    .hydrated(&self.db)
                    .await?;
                source = if items.is_empty() {
                    Source::Sql
                } else {
                    Source::RedisThenSql
                };
                more = rest.next.is_some();
                items.extend(rest.items);
                more |= items.len() > size as usize;
            }
            items.truncate(size as usize);
            let next = more
                .then(|| items.last().map(|last| Cursor::after::<A>(last.as_ref())))
                .flatten();
            return Ok(Some(TimelinePage {
                page: Page { items, next },
                source,
            }));
        }
        Ok(None)
    }

    /// The actions of the celebrities `follower` follows after `cursor`: up to `size + 1`,
    /// from SQL, in one statement (none when no followed object is a celebrity).
    async fn pulled(
        &self,
        follower: &F::Follower,
        read: &Read,
        cursor: Option<&Cursor>,
        size: u64,
    ) -> crate::Result<Vec<(i64, i64)>> {
        if read.celebrities.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_column: Vec<(&str, Vec<Value>)> = Vec::new();
        for celebrity in &read.celebrities {
            let Some((column, text)) = celebrity.split_once('=') else {
                continue;
            };
            let Some(value) = text_value(text) else {
                continue;
            };
            match by_column.iter_mut().find(|(c, _)| *c == column) {
                Some((_, values)) => values.push(value),
                None => by_column.push((column, vec![value])),
            }
        }
        let key: Value = follower.stream_pk().into();
        let mut condition = Condition::any();
        let mut any = false;
        for &role in &self.config.roles {
            for (follow_column, action_column) in F::column_pairs(role) {
                let name = sea_orm::IdenStatic::as_str(&follow_column);
                let Some((_, values)) = by_column.iter().find(|(c, _)| *c == name) else {
                    continue;
                };
                // The celebrities' own column values lead, so the action table's
                // `(column, timestamp, id)` index is walked for them; the subquery only
                // checks that the follower still follows them, by the follower's own rows.
                // With the celebrities inside the subquery, PostgreSQL's generic plan read
                // the follow rows through the celebrity (tens of thousands) instead.
                let followed = sea_orm::QueryTrait::into_query(
                    sea_orm::QuerySelect::column(
                        sea_orm::QuerySelect::select_only(F::find()),
                        follow_column,
                    )
                    .filter(F::FOLLOWER.eq(key.clone())),
                );
                condition = condition.add(
                    Condition::all()
                        .add(action_column.is_in(values.clone()))
                        .add(action_column.in_subquery(followed)),
                );
                any = true;
            }
        }
        if !any {
            return Ok(Vec::new());
        }
        let select = self.refined(crate::lookup::newest_first(A::find().filter(condition)));
        let page = select
            .page(cursor, (size + 1).min(MAX_PAGE_SIZE))
            .all(&self.db)
            .await?;
        Ok(page.items.iter().map(key_of::<A>).collect())
    }

    /// The actions with these ids, hydrated, newest first, in one statement.
    /// The actions `ids` (newest first), hydrated, in one statement. Read by primary key and
    /// sorted here: with an `ORDER BY timestamp DESC, id DESC` PostgreSQL walks the
    /// `(timestamp, id)` index backward testing each row against the id list, which for a
    /// follower of quiet objects reads far more rows than the page.
    async fn hydrate(&self, ids: &[i64]) -> crate::Result<Vec<A::Loaded>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = self.refined(A::find().filter(A::ID.is_in(ids.iter().copied())));
        let mut items = select
            .page(None, ids.len() as u64)
            .hydrated(&self.db)
            .await?
            .items;
        let position = |loaded: &A::Loaded| {
            let action = loaded.as_ref();
            (A::action_timestamp(action), A::action_id(action))
        };
        items.sort_unstable_by_key(|loaded| std::cmp::Reverse(position(loaded)));
        Ok(items)
    }

    /// The objects of `action` in the timelines' roles, as followed objects.
    fn objects_of(&self, action: &A::Model) -> Vec<Object<F>> {
        let mut objects: Vec<Object<F>> = Vec::new();
        for &role in &self.config.roles {
            for (follow_column, action_column) in F::column_pairs(role) {
                let value = action.get(action_column);
                if value == value.as_null() {
                    continue;
                }
                let seen = objects.iter().any(|o| {
                    crate::shared::same_column(o.column, follow_column) && o.value == value
                });
                if !seen {
                    objects.push(Object {
                        column: follow_column,
                        value,
                    });
                }
            }
        }
        objects
    }

    /// The followers' timeline keys of the objects that are not celebrities (which are
    /// recorded as such).
    async fn follower_keys(&self, objects: &[Object<F>]) -> crate::Result<Vec<String>> {
        let mut keys = HashSet::new();
        for object in objects {
            let filter = object.column.eq(object.value.clone());
            let text = value_text(&object.value);
            if let Some(text) = &text {
                let followers = sea_orm::QuerySelect::select_only(F::find())
                    .filter(filter.clone())
                    .column_as(F::ID.count(), "followers")
                    .into_tuple::<i64>()
                    .one(&self.db)
                    .await?
                    .unwrap_or(0);
                if u64::try_from(followers).unwrap_or(0) > self.config.threshold {
                    let member = format!("{}={text}", sea_orm::IdenStatic::as_str(&object.column));
                    let set = self.celebrities_key();
                    self.redis(|mut conn| async move {
                        redis::cmd("SADD")
                            .arg(&set)
                            .arg(&member)
                            .query_async::<()>(&mut conn)
                            .await
                    })
                    .await;
                    continue;
                }
            }
            for row in F::find().filter(filter).all(&self.db).await? {
                keys.insert(self.key(&row.get(F::FOLLOWER)));
            }
        }
        Ok(keys.into_iter().collect())
    }

    /// Mark `keys` stale: they missed a write.
    fn missed(&self, keys: Vec<String>) {
        if !keys.is_empty() {
            locked(&self.health.stale).extend(keys);
        }
    }

    async fn fan_out(&self, action: &A::Model) -> crate::Result<()> {
        let id = A::action_id(action);
        if self.config.refine.is_some() {
            let kept = self
                .refined(A::find().filter(A::ID.eq(id)))
                .count(&self.db)
                .await?;
            if kept == 0 {
                return Ok(());
            }
        }
        let keys = self.follower_keys(&self.objects_of(action)).await?;
        if keys.is_empty() {
            return Ok(());
        }
        let (timestamp, id) = key_of::<A>(action);
        let member = store::member(timestamp, id);
        let cap = self.config.cap.to_string();
        let calls: Vec<(String, Vec<String>)> = keys
            .iter()
            .map(|key| (key.clone(), vec![member.clone(), cap.clone()]))
            .collect();
        let (script, in_flight) = (&self.scripts.fan_out, self.config.in_flight);
        let timeout = self.batch_timeout(calls.len());
        if self
            .redis_for(timeout, |conn| async move {
                conn.run_each(script, calls, in_flight).await
            })
            .await
            .is_none()
        {
            self.missed(keys);
        }
        Ok(())
    }

    async fn remove(&self, action: &A::Model) -> crate::Result<()> {
        let keys = self.follower_keys(&self.objects_of(action)).await?;
        let (timestamp, id) = key_of::<A>(action);
        let member = store::member(timestamp, id);
        let cmds = keys
            .iter()
            .map(|key| {
                let mut cmd = redis::cmd("ZREM");
                cmd.arg(key).arg(&member);
                cmd
            })
            .collect();
        let in_flight = self.config.in_flight;
        let timeout = self.batch_timeout(keys.len());
        if self
            .redis_for(
                timeout,
                |conn| async move { conn.each(cmds, in_flight).await },
            )
            .await
            .is_none()
        {
            self.missed(keys);
        }
        Ok(())
    }

    /// The newest `cap` entries of `select` (newest first), and their floor: `None` when
    /// they are all of it.
    async fn recent(&self, select: Select<A>) -> crate::Result<(Vec<String>, Option<String>)> {
        let mut members = Vec::new();
        let mut cursor = None;
        loop {
            let want = (self.config.cap - members.len()).min(MAX_PAGE_SIZE as usize) as u64;
            let page = select
                .clone()
                .page(cursor.as_ref(), want)
                .all(&self.db)
                .await?;
            members.extend(page.items.iter().map(|a| {
                let (t, id) = key_of::<A>(a);
                store::member(t, id)
            }));
            match page.next {
                Some(next) if members.len() < self.config.cap => cursor = Some(next),
                Some(_) => return Ok((members.clone(), members.last().cloned())),
                None => return Ok((members, None)),
            }
        }
    }

    async fn rebuild(&self, follower: &F::Follower) -> crate::Result<()> {
        let key = self.key(&follower.stream_pk().into());
        let script = &self.scripts.begin_rebuild;
        let pending = self.config.timeout.as_secs().max(60);
        let began = self
            .redis(|mut conn| {
                let key = key.clone();
                async move {
                    script
                        .key(key)
                        .arg(pending)
                        .invoke_async::<i64>(&mut conn)
                        .await
                }
            })
            .await;
        if began != Some(1) {
            return Ok(());
        }
        let stream = self.refined(A::followed_by_in::<F>(follower, &self.config.roles));
        let (members, floor) = self.recent(stream).await?;
        let mut args = vec![
            self.config.cap.to_string(),
            self.config.ttl.as_secs().to_string(),
            floor.unwrap_or_default(),
        ];
        args.extend(members);
        let script = &self.scripts.finish_rebuild;
        let timeout = self.batch_timeout(args.len());
        self.redis_for(timeout, |mut conn| async move {
            let mut invocation = script.key(key);
            for arg in args {
                invocation.arg(arg);
            }
            invocation.invoke_async::<i64>(&mut conn).await
        })
        .await;
        Ok(())
    }

    /// The condition "the object is in one of the timelines' roles".
    fn in_roles(&self, object: &Object<F>) -> Condition {
        let name = sea_orm::IdenStatic::as_str(&object.column);
        let mut condition = Condition::any();
        for &role in &self.config.roles {
            for (follow_column, action_column) in F::column_pairs(role) {
                if sea_orm::IdenStatic::as_str(&follow_column) == name {
                    condition = condition.add(action_column.eq(object.value.clone()));
                }
            }
        }
        condition
    }

    async fn backfill(&self, follower: &F::Follower, object: &Object<F>) -> crate::Result<()> {
        let key = self.key(&follower.stream_pk().into());
        let select = self.refined(crate::lookup::newest_first(
            A::find().filter(self.in_roles(object)),
        ));
        let (members, floor) = self.recent(select).await?;
        let mut args = vec![self.config.cap.to_string(), floor.unwrap_or_default()];
        args.extend(members);
        let script = &self.scripts.backfill;
        let timeout = self.batch_timeout(args.len());
        let written = self
            .redis_for(timeout, |mut conn| {
                let key = key.clone();
                async move {
                    let mut invocation = script.key(key);
                    for arg in args {
                        invocation.arg(arg);
                    }
                    invocation.invoke_async::<i64>(&mut conn).await
                }
            })
            .await;
        if written.is_none() {
            self.missed(vec![key]);
        }
        Ok(())
    }

    async fn unfollowed(&self, follower: &F::Follower, object: &Object<F>) -> crate::Result<()> {
        let key = self.key(&follower.stream_pk().into());
        // The object's recent actions, less those another follow keeps in the stream (a
        // `NOT IN` would be NULL, not true, for an action with an empty role).
        let of_object = A::find().filter(self.in_roles(object));
        let (members, _) = self
            .recent(crate::lookup::newest_first(of_object.clone()))
            .await?;
        let (kept, _) = self
            .recent(crate::lookup::newest_first(of_object.filter(
                followed_condition::<A, F>(follower, &self.config.roles),
            )))
            .await?;
        let kept: HashSet<String> = kept.into_iter().collect();
        let members: Vec<String> = members.into_iter().filter(|m| !kept.contains(m)).collect();
        if members.is_empty() {
            return Ok(());
        }
        let removed = self
            .redis(|mut conn| {
                let key = key.clone();
                async move {
                    redis::cmd("ZREM")
                        .arg(key)
                        .arg(members)
                        .query_async::<()>(&mut conn)
                        .await
                }
            })
            .await;
        if removed.is_none() {
            self.missed(vec![key]);
        }
        Ok(())
    }

    async fn run(&self, job: Job<A, F>) {
        let result = match &job {
            Job::Rebuild(follower) => self.rebuild(follower).await,
            Job::Followed(follower, object) => self.backfill(follower, object).await,
            Job::Unfollowed(follower, object) => self.unfollowed(follower, object).await,
            Job::Remove(action) => self.remove(action).await,
            Job::Barrier(_) => Ok(()),
        };
        if let Err(err) = result {
            // The database failed: the timelines this job would have written are unknown.
            // They are not wrong, only behind by this job (a rebuild or a backfill) or
            // holding an entry the hydrating statement drops (a removal).
            tracing::warn!("timelines: a background job could not read the database: {err}");
        }
    }

    async fn fan_out_logged(&self, action: &A::Model) {
        if let Err(err) = self.fan_out(action).await {
            tracing::warn!(
                action = A::action_id(action),
                "timelines: the fan-out could not read the followers ({err}); drop the \
                 timelines of the action's followers (`Timelines::forget`) to rebuild them"
            );
        }
    }
}

/// The fan-out task: every committed action, then the jobs, in order of arrival; a barrier
/// is answered once everything that arrived before it is done.
///
/// Created actions come from the signal's unbounded subscription, so none is ever skipped;
/// retractions made in this process come from its bounded events and become removal jobs.
/// A retraction lost to a full event buffer, or made in another process, leaves an entry
/// that the page's hydrating statement does not find, and the timeline drops it then.
async fn background<A: ActionEntity, F: FollowsIn<A>>(
    inner: Weak<Inner<A, F>>,
    mut actions: crate::Subscription<A>,
    mut events: crate::Events<A>,
    mut jobs: mpsc::UnboundedReceiver<Job<A, F>>,
) {
    loop {
        let job = tokio::select! {
            biased;
            Some(action) = actions.recv() => Err(action),
            event = events.recv() => match event {
                Ok(crate::Event::Retracted(retracted)) => match retracted.action() {
                    Some(action) => Ok(Job::Remove(Arc::new(action.clone()))),
                    None => continue,
                },
                Ok(crate::Event::Created(_)) => continue,
                Err(missed) => {
                    tracing::warn!(
                        "timelines: {} retractions were not taken out of the timelines \
                         (the event buffer was full); their pages drop them when read",
                        missed.count
                    );
                    continue;
                }
            },
            job = jobs.recv() => match job {
                Some(job) => Ok(job),
                None => return,
            },
        };
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if !locked(&inner.health.stale).is_empty() {
            inner.drop_stale().await;
        }
        match job {
            Err(action) => inner.fan_out_logged(&action).await,
            Ok(Job::Barrier(done)) => {
                // Everything signalled or asked before the barrier is queued by now.
                let mut barriers = vec![done];
                loop {
                    if let Some(action) = actions.try_recv() {
                        inner.fan_out_logged(&action).await;
                    } else if let Ok(Some(event)) = events.try_recv() {
                        if let crate::Event::Retracted(retracted) = event
                            && let Some(action) = retracted.action()
                        {
                            inner.run(Job::Remove(Arc::new(action.clone()))).await;
                        }
                    } else if let Ok(job) = jobs.try_recv() {
                        match job {
                            Job::Barrier(done) => barriers.push(done),
                            job => inner.run(job).await,
                        }
                    } else {
                        break;
                    }
                }
                for done in barriers {
                    let _ = done.send(());
                }
            }
            Ok(job) => inner.run(job).await,
        }
    }
}
