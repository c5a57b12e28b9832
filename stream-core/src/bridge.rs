//! Live events across processes: every action committed by any process on the same database
//! reaches the [`Signal`](crate::Signal) subscribers of every other process, once, after its
//! commit.
//!
//! A [`Bridge`] carries the *ids* of the actions this process commits, and of those it
//! [retracts](crate::ActionEntity::retract), to the other processes, and turns the ids it
//! receives from them into local deliveries: one query per message loads the created rows,
//! whatever the number of subscribers, and each arrives as if it had been sent here (to
//! [`Signal::subscribe`](crate::Signal::subscribe), to
//! [`Signal::subscribe_events`](crate::Signal::subscribe_events) and so to live tails); a
//! retraction arrives as an [`Event::Retracted`](crate::Event::Retracted) without its row.
//! Two transports:
//!
//! - PostgreSQL `LISTEN/NOTIFY` ([`Bridge::postgres`], feature `postgres`): nothing to run
//!   besides the database.
//! - Redis pub/sub ([`Bridge::redis`], feature `redis`), for SQLite and MariaDB, which have no
//!   notifications of their own (it works on PostgreSQL too).
//!
//! Start one bridge per action table per process, when the application starts, and keep the
//! handle: dropping it stops the bridge. The signal is one per process: two bridges of one
//! table in one process would deliver each other's actions twice, and a process that writes
//! one action table in two databases would announce the actions of one on the channel of the
//! other.
//!
//! ```no_run
//! # use stream_core::prelude::*;
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, display = "username")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "joined")] Joined, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! use stream_core::bridge::Bridge;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = sea_orm::Database::connect("sqlite://app.sqlite?mode=rwc").await?;
//! // Every process of the application, on the same database and the same Redis:
//! let _bridge = Bridge::redis::<action::Entity>(&db, "redis://127.0.0.1:6379").await?;
//!
//! let mut actions = action::Entity::signal().subscribe();
//! while let Some(action) = actions.recv().await {
//!     // every action committed by any process, once
//!     println!("{} did {:?}", action.actor_user.unwrap_or_default(), action.verb);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What is guaranteed, and what is not
//!
//! - An action reaches the other processes only after its commit, and never if it is rolled
//!   back: a bridge publishes what the signal fires, which waits for the outermost commit.
//! - Exactly once: a process ignores the messages it published itself (each bridge tags them
//!   with a random id of its own), and a message repeated by a retried publish is delivered
//!   once.
//! - In order per sending process: the actions of one process arrive in the order it
//!   committed them; actions of different processes interleave as their messages arrive.
//! - Best effort across outages: while Redis or the listening connection is down, each
//!   process keeps delivering its own actions to its own subscribers, a publish that fails is
//!   retried with backoff (up to [`MAX_PENDING_MESSAGES`] messages are held), and the bridge
//!   reconnects with backoff, logging each failure as a `tracing` warning and each recovery as
//!   information. Pub/sub keeps nothing for an absent listener: a message published while a
//!   process was not listening is lost *for its signal*. The rows are in the database: when
//!   the bridge listens again, every running live tail ([`ActionEntity::live`]) of the
//!   process catches up from its cursor with one query, and a tail started again from its
//!   cursor (an SSE client reconnecting with `Last-Event-ID`) reads them too; a plain
//!   [`Subscription`](crate::Subscription) does not see them.
//! - Like the signal, a bridge only knows of writes made through this library; rows written
//!   around it (plain sea-orm inserts) reach no one.
//!
//! # The messages
//!
//! A message is text: the sender's bridge id, a kind and comma-separated action ids, at most
//! [`MAX_PAYLOAD_BYTES`] bytes (PostgreSQL's `NOTIFY` takes under 8,000): the actions of a
//! large [`send_many`](crate::ActionEntity::send_many) go out as several messages. Never the
//! row: it may be larger than that, and the receiving process reads it from the database,
//! where it is committed.

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

use crate::ActionEntity;
use crate::signal::Relayed;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, QueryFilter, Statement,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The largest message a bridge sends, in bytes: under PostgreSQL's `NOTIFY` limit of 8,000.
pub const MAX_PAYLOAD_BYTES: usize = 7_900;

/// How many messages a bridge holds while it cannot publish them; past that the oldest are
/// dropped, with a warning.
pub const MAX_PENDING_MESSAGES: usize = 1_000;

/// How many delivered action ids a bridge remembers, to deliver a repeated message once.
const REMEMBERED_IDS: usize = 10_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A running bridge of live events between the processes of an application; see the
/// [module docs](self).
///
/// Dropping it stops it at once: messages not yet published are lost (other processes' live
/// tails catch the actions up at their next query). [`shutdown`](Bridge::shutdown) publishes
/// them first.
#[must_use = "the bridge stops when its handle is dropped"]
pub struct Bridge {
    channel: String,
    transport: &'static str,
    connected: Arc<AtomicBool>,
    stop: Option<oneshot::Sender<()>>,
    publisher: Option<JoinHandle<()>>,
    listener: JoinHandle<()>,
}

impl Bridge {
    /// Options for a bridge of the action table `A` on `db`: its channel name, then the
    /// transport ([`postgres`](BridgeBuilder::postgres) or [`redis`](BridgeBuilder::redis)).
    pub fn builder<A: ActionEntity>(db: &DatabaseConnection) -> BridgeBuilder<'_, A> {
        BridgeBuilder {
            db,
            channel: None,
            entity: PhantomData,
        }
    }

    /// Carry the actions of `A` between the processes on `db`, a PostgreSQL database, with
    /// `LISTEN/NOTIFY`, on the default channel (see [`BridgeBuilder::channel`]).
    ///
    /// The bridge listens on a connection of its own, opened with the options of `db`'s pool
    /// (which keeps all of its connections), and publishes with `pg_notify` on `db`.
    ///
    /// Fails with [`StreamError::Bridge`](crate::StreamError::Bridge) when `db` is not
    /// PostgreSQL or the listening connection cannot be opened.
    ///
    /// ```no_run
    /// # use stream_core::prelude::*;
    /// # use stream_core::sea_orm::{self, entity::prelude::*};
    /// # pub mod user {
    /// #     use stream_core::sea_orm::{self, entity::prelude::*};
    /// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    /// #     #[sea_orm(table_name = "user")]
    /// #     #[stream(actor, display = "username")]
    /// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
    /// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    /// #     pub enum Relation {}
    /// #     impl ActiveModelBehavior for ActiveModel {}
    /// # }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
    /// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
    /// # pub enum Verb { #[sea_orm(string_value = "joined")] Joined, }
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect("postgres://app@127.0.0.1/app").await?;
    /// let bridge = stream_core::bridge::Bridge::postgres::<action::Entity>(&db).await?;
    /// println!("live events on the channel {}", bridge.channel());
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub async fn postgres<A: ActionEntity>(db: &DatabaseConnection) -> crate::Result<Bridge> {
        Self::builder::<A>(db).postgres().await
    }

    /// Carry the actions of `A` between the processes on `db` through the Redis server at
    /// `url` (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS when the `redis`
    /// crate has it), on the default channel (see [`BridgeBuilder::channel`]).
    ///
    /// Fails with [`StreamError::Bridge`](crate::StreamError::Bridge) when the URL is
    /// malformed, Redis does not answer, or `db` is an in-memory SQLite database (no other
    /// process can see it). See the [module docs](self) for an example.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub async fn redis<A: ActionEntity>(
        db: &DatabaseConnection,
        url: &str,
    ) -> crate::Result<Bridge> {
        Self::builder::<A>(db).redis(url).await
    }

    /// The channel the bridge publishes and listens on.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Whether the bridge is listening now. `false` while its Redis server or listening
    /// connection is lost and it is reconnecting, which it logs as `tracing` warnings; for a
    /// health check.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// Stop the bridge after publishing the messages it still holds (one attempt each: a
    /// transport that is down loses them, with a warning).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(publisher) = self.publisher.take() {
            let _ = publisher.await;
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.listener.abort();
        if let Some(publisher) = &self.publisher {
            publisher.abort();
        }
    }
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("transport", &self.transport)
            .field("channel", &self.channel)
            .field("connected", &self.is_connected())
            .finish()
    }
}

/// The options of a [`Bridge`], from [`Bridge::builder`].
#[must_use = "a bridge starts only with `.postgres()` or `.redis(url)`"]
pub struct BridgeBuilder<'a, A: ActionEntity> {
    db: &'a DatabaseConnection,
    channel: Option<String>,
    entity: PhantomData<fn() -> A>,
}

impl<A: ActionEntity> std::fmt::Debug for BridgeBuilder<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeBuilder")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl<'a, A: ActionEntity> BridgeBuilder<'a, A> {
    /// The channel to publish and listen on, the same in every process of the application.
    ///
    /// By default it names the database and the action table —
    /// `stream.<database>.<schema>.<table>` on PostgreSQL, `stream.<database>.<table>` on
    /// MySQL and MariaDB, `stream.<file>.<table>` on SQLite — so that applications sharing a PostgreSQL
    /// database or a Redis server never hear each other's actions (a name longer than
    /// PostgreSQL's 63 bytes becomes `stream.` and a hash of it). Set it when processes reach
    /// one database under different names: a SQLite file through different paths, a server
    /// through different database names.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Start the bridge on PostgreSQL `LISTEN/NOTIFY`; see [`Bridge::postgres`].
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub async fn postgres(self) -> crate::Result<Bridge> {
        let channel = self.channel_name().await?;
        postgres::start::<A>(self.db, channel).await
    }

    /// Start the bridge on Redis pub/sub at `url`; see [`Bridge::redis`].
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub async fn redis(self, url: &str) -> crate::Result<Bridge> {
        let channel = self.channel_name().await?;
        redis::start::<A>(self.db, url, channel).await
    }

    async fn channel_name(&self) -> crate::Result<String> {
        match &self.channel {
            Some(channel) if channel.is_empty() => Err(failed("the channel name is empty", None)),
            Some(channel) => Ok(channel.clone()),
            None => default_channel::<A>(self.db).await,
        }
    }
}

/// `stream.<where the table is>.<table>`, hashed past PostgreSQL's identifier length.
async fn default_channel<A: ActionEntity>(db: &DatabaseConnection) -> crate::Result<String> {
    let table = A::default().table_name().to_owned();
    let backend = db.get_database_backend();
    let one = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let database = match backend {
        DbBackend::Postgres => {
            let row = db
                .query_one_raw(one(
                    "SELECT current_database()::text || '.' || current_schema()::text",
                ))
                .await?;
            row.map(|row| row.try_get_by_index::<String>(0))
                .transpose()?
        }
        DbBackend::MySql => {
            let row = db.query_one_raw(one("SELECT DATABASE()")).await?;
            row.map(|row| row.try_get_by_index::<Option<String>>(0))
                .transpose()?
                .flatten()
        }
        _ => {
            let rows = db.query_all_raw(one("PRAGMA database_list")).await?;
            let mut file = None;
            for row in rows {
                if row.try_get_by_index::<String>(1)? == "main" {
                    file = Some(row.try_get_by_index::<String>(2)?);
                }
            }
            match file {
                Some(file) if !file.is_empty() => Some(file),
                _ => {
                    return Err(failed(
                        "an in-memory SQLite database is private to its process: \
                         open a file to share it with other processes",
                        None,
                    ));
                }
            }
        }
    };
    let Some(database) = database else {
        return Err(failed(
            "the connection has no current database to name the channel after: \
             choose one in the URL or name the channel with `Bridge::builder(..).channel(..)`",
            None,
        ));
    };
    Ok(channel_name(&database, &table))
}

/// The longest channel name PostgreSQL takes (`NAMEDATALEN - 1`).
const MAX_CHANNEL_BYTES: usize = 63;

fn channel_name(database: &str, table: &str) -> String {
    use sha2::{Digest, Sha256};
    let name = format!("stream.{database}.{table}");
    if name.len() <= MAX_CHANNEL_BYTES {
        return name;
    }
    let hash = Sha256::digest(name.as_bytes());
    let hex: String = hash[..20].iter().map(|b| format!("{b:02x}")).collect();
    format!("stream.{hex}")
}

/// A [`StreamError::Bridge`](crate::StreamError::Bridge).
fn failed(reason: impl Into<String>, source: Option<BoxError>) -> crate::StreamError {
    crate::StreamError::Bridge {
        reason: reason.into(),
        source: source.map(Arc::from),
    }
}

/// A random id for this bridge, so that it knows its own messages when they come back.
fn bridge_id() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::AtomicU64;
    static STARTED: AtomicU64 = AtomicU64::new(0);
    let mut hasher = Sha256::new();
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(STARTED.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.update(now.as_nanos().to_le_bytes());
    // The randomness the standard library seeds its hash maps with.
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0);
    hasher.update(random.to_le_bytes());
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text of the messages.
mod wire {
    use super::*;

    /// What one message says.
    #[derive(Debug, PartialEq, Eq)]
    pub(super) struct Message<'a> {
        /// The bridge that published it.
        pub(super) origin: &'a str,
        pub(super) relayed: Relayed,
    }

    const CREATED: &str = "+";
    const RETRACTED: &str = "-";

    /// `relayed` as messages of at most `MAX_PAYLOAD_BYTES`: `<origin> <kind> <id>,<id>,..`.
    pub(super) fn encode(origin: &str, relayed: &Relayed, into: &mut VecDeque<String>) {
        let (kind, ids) = match relayed {
            Relayed::Created(ids) => (CREATED, ids),
            Relayed::Retracted(ids) => (RETRACTED, ids),
        };
        let head = format!("{origin} {kind} ");
        let mut message = head.clone();
        for id in ids {
            let id = id.to_string();
            if message.len() > head.len() && message.len() + 1 + id.len() > MAX_PAYLOAD_BYTES {
                into.push_back(std::mem::replace(&mut message, head.clone()));
            }
            if message.len() > head.len() {
                message.push(',');
            }
            message.push_str(&id);
        }
        if message.len() > head.len() {
            into.push_back(message);
        }
    }

    /// `messages` with each run of the same kind made one, in order.
    pub(super) fn coalesce(messages: Vec<Relayed>) -> Vec<Relayed> {
        let mut merged: Vec<Relayed> = Vec::with_capacity(messages.len());
        for message in messages {
            match (merged.last_mut(), message) {
                (Some(Relayed::Created(ids)), Relayed::Created(more))
                | (Some(Relayed::Retracted(ids)), Relayed::Retracted(more)) => ids.extend(more),
                (_, message) => merged.push(message),
            }
        }
        merged
    }

    pub(super) fn decode(payload: &str) -> Option<Message<'_>> {
        let mut parts = payload.splitn(3, ' ');
        let (origin, kind, ids) = (parts.next()?, parts.next()?, parts.next()?);
        let ids = ids
            .split(',')
            .map(|id| id.parse::<i64>().ok())
            .collect::<Option<Vec<i64>>>()?;
        let relayed = match kind {
            CREATED => Relayed::Created(ids),
            RETRACTED => Relayed::Retracted(ids),
            _ => return None,
        };
        Some(Message { origin, relayed })
    }
}

/// Reconnection delays: 100 ms, doubling up to 5 s.
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const LONGEST: Duration = Duration::from_secs(5);

    fn new() -> Self {
        Backoff(Self::FIRST)
    }

    fn next(&mut self) -> Duration {
        let delay = self.0;
        self.0 = (self.0 * 2).min(Self::LONGEST);
        delay
    }

    fn reset(&mut self) {
        self.0 = Self::FIRST;
    }
}

/// One way of publishing a message.
trait Publish: Send + 'static {
    /// Publish `payload` on `channel`; on an error the caller waits and calls again.
    fn publish<'a>(
        &'a mut self,
        channel: &'a str,
        payload: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>>;
}

/// What the transports share: the channel, this bridge's id, the rows' connection.
struct Shared {
    channel: String,
    origin: String,
    transport: &'static str,
    connected: Arc<AtomicBool>,
}

/// Start the publishing task and make the signal of `A` feed it; the transport's listening
/// task is `listener`.
fn launch<A: ActionEntity>(
    shared: &Shared,
    publisher: impl Publish,
    listener: JoinHandle<()>,
) -> Bridge {
    let (relay, relayed) = mpsc::unbounded_channel();
    A::signal().add_relay(relay);
    let (stop, stopped) = oneshot::channel();
    let publisher = tokio::spawn(publish_loop(
        publisher,
        shared.channel.clone(),
        shared.origin.clone(),
        shared.transport,
        relayed,
        stopped,
    ));
    Bridge {
        channel: shared.channel.clone(),
        transport: shared.transport,
        connected: Arc::clone(&shared.connected),
        stop: Some(stop),
        publisher: Some(publisher),
        listener,
    }
}

/// Publish what the signal relays, in order, retrying each message with backoff until it is
/// published, holding at most [`MAX_PENDING_MESSAGES`].
async fn publish_loop(
    mut publisher: impl Publish,
    channel: String,
    origin: String,
    transport: &'static str,
    mut relayed: mpsc::UnboundedReceiver<Relayed>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut pending = VecDeque::new();
    let mut backoff = Backoff::new();
    let mut failing = false;
    loop {
        let mut arrived = Vec::new();
        if pending.is_empty() {
            tokio::select! {
                biased;
                _ = &mut stop => break,
                next = relayed.recv() => match next {
                    Some(next) => arrived.push(next),
                    None => return,
                },
            }
        }
        // Whatever else is waiting goes out with it: a burst of sends, a retraction by
        // condition, in as few messages as fit.
        while let Ok(next) = relayed.try_recv() {
            arrived.push(next);
        }
        for message in wire::coalesce(arrived) {
            wire::encode(&origin, &message, &mut pending);
        }
        if pending.len() > MAX_PENDING_MESSAGES {
            let dropped = pending.len() - MAX_PENDING_MESSAGES;
            pending.drain(..dropped);
            tracing::warn!(
                channel,
                transport,
                dropped,
                "live events: dropped the oldest messages that could not be published; \
                 other processes' live tails catch their actions up at their next query"
            );
        }
        let Some(payload) = pending.front() else {
            continue;
        };
        match publisher.publish(&channel, payload).await {
            Ok(()) => {
                pending.pop_front();
                if failing {
                    tracing::info!(channel, transport, "live events: publishing again");
                    failing = false;
                }
                backoff.reset();
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(
                        channel,
                        transport,
                        error = %error,
                        "live events: cannot publish to other processes; retrying with backoff \
                         (this process's own subscribers are not affected)"
                    );
                    failing = true;
                }
                tokio::select! {
                    biased;
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(backoff.next()) => {}
                }
            }
        }
    }
    let mut arrived = Vec::new();
    while let Ok(next) = relayed.try_recv() {
        arrived.push(next);
    }
    for message in wire::coalesce(arrived) {
        wire::encode(&origin, &message, &mut pending);
    }
    for payload in pending {
        if let Err(error) = publisher.publish(&channel, &payload).await {
            tracing::warn!(
                channel,
                transport,
                error = %error,
                "live events: stopped with messages that could not be published"
            );
            break;
        }
    }
}

/// The receiving end: turns the messages of other processes into signal deliveries.
struct Receiver<A: ActionEntity> {
    db: DatabaseConnection,
    origin: String,
    channel: String,
    /// The ids created and retracted last, to deliver a repeated message once.
    created: Recent,
    retracted: Recent,
    entity: PhantomData<fn() -> A>,
}

impl<A: ActionEntity> Receiver<A> {
    fn new(db: &DatabaseConnection, shared: &Shared) -> Self {
        Receiver {
            db: db.clone(),
            origin: shared.origin.clone(),
            channel: shared.channel.clone(),
            created: Recent::default(),
            retracted: Recent::default(),
            entity: PhantomData,
        }
    }

    /// Deliver what one message announces, unless this bridge sent it.
    async fn receive(&mut self, payload: &str) {
        let Some(message) = wire::decode(payload) else {
            tracing::warn!(
                channel = self.channel,
                payload,
                "live events: ignored a message that is not a bridge's"
            );
            return;
        };
        if message.origin == self.origin {
            return;
        }
        match message.relayed {
            Relayed::Created(ids) => self.created(ids).await,
            Relayed::Retracted(ids) => {
                let signal = A::signal();
                for id in ids {
                    if self.retracted.remember(id) {
                        signal.deliver_retracted(crate::Retracted::of_id(id));
                    }
                }
            }
        }
    }

    /// Load the actions `ids` in one query and deliver them in the sender's order.
    async fn created(&mut self, mut ids: Vec<i64>) {
        ids.retain(|id| !self.created.contains(*id));
        if ids.is_empty() {
            return;
        }
        let rows = match A::find()
            .filter(A::ID.is_in(ids.iter().copied()))
            .all(&self.db)
            .await
        {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(
                    channel = self.channel,
                    error = %error,
                    actions = ids.len(),
                    "live events: cannot load the actions another process committed; \
                     live tails catch them up at their next query"
                );
                return;
            }
        };
        let mut rows: HashMap<i64, A::Model> = rows
            .into_iter()
            .map(|row| (A::action_id(&row), row))
            .collect();
        let signal = A::signal();
        for id in ids {
            // Gone already (deleted since): nothing to deliver.
            if let Some(row) = rows.remove(&id) {
                self.created.remember(id);
                signal.deliver(Arc::new(row));
            }
        }
    }
}

/// The last [`REMEMBERED_IDS`] ids seen, to deliver each once.
#[derive(Default)]
struct Recent {
    order: VecDeque<i64>,
    set: HashSet<i64>,
}

impl Recent {
    fn contains(&self, id: i64) -> bool {
        self.set.contains(&id)
    }

    /// Remember `id`; whether it is new.
    fn remember(&mut self, id: i64) -> bool {
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > REMEMBERED_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_split_under_the_notify_limit() {
        let ids: Vec<i64> = (1_000_000..1_003_000).collect();
        let mut messages = VecDeque::new();
        wire::encode("abc", &Relayed::Created(ids.clone()), &mut messages);
        assert!(messages.len() > 1, "{} messages", messages.len());
        let mut decoded = Vec::new();
        for message in &messages {
            assert!(message.len() <= MAX_PAYLOAD_BYTES, "{}", message.len());
            let message = wire::decode(message).expect("decodes");
            assert_eq!(message.origin, "abc");
            let Relayed::Created(part) = message.relayed else {
                panic!("{:?}", message.relayed)
            };
            decoded.extend(part);
        }
        assert_eq!(decoded, ids);
    }

    #[test]
    fn nothing_to_say_is_no_message_and_garbage_is_refused() {
        let mut messages = VecDeque::new();
        wire::encode("abc", &Relayed::Created(Vec::new()), &mut messages);
        assert!(messages.is_empty());
        for garbage in ["", "abc", "abc +", "abc + 1,x", "abc ? 1", "abc + 1,,2"] {
            assert_eq!(wire::decode(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn runs_of_one_kind_go_out_together_in_order() {
        use Relayed::{Created, Retracted};
        let merged = wire::coalesce(vec![
            Created(vec![1]),
            Created(vec![2, 3]),
            Retracted(vec![1]),
            Retracted(vec![3]),
            Created(vec![4]),
        ]);
        assert_eq!(
            merged,
            vec![
                Created(vec![1, 2, 3]),
                Retracted(vec![1, 3]),
                Created(vec![4])
            ]
        );
        let mut messages = VecDeque::new();
        wire::encode("abc", &merged[1], &mut messages);
        assert_eq!(messages, ["abc - 1,3"]);
        let decoded = wire::decode("abc - 1,3").expect("decodes");
        assert_eq!(decoded.relayed, Retracted(vec![1, 3]));
    }

    #[test]
    fn channel_names_fit_postgres() {
        assert_eq!(
            channel_name("app.public", "stream_action"),
            "stream.app.public.stream_action"
        );
        let long = channel_name(&"/very/long/path".repeat(10), "stream_action");
        assert!(long.len() <= MAX_CHANNEL_BYTES, "{long}");
        assert_ne!(
            long,
            channel_name(&"/very/long/path".repeat(11), "stream_action")
        );
    }

    #[test]
    fn bridges_have_ids_of_their_own() {
        assert_ne!(bridge_id(), bridge_id());
        assert_eq!(bridge_id().len(), 16);
    }
}
