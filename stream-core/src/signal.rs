//! The signal that fires once for every created action, and the events of live tails: each
//! created action and each retracted one, after its commit.

use crate::{ActionEntity, Cursor};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tokio::sync::{OnceCell, broadcast, mpsc, watch};

/// How many events a subscriber of [`Signal::subscribe_events`] may fall behind before it
/// misses some (and is told how many with [`Missed`]).
pub const EVENT_BUFFER: usize = 4096;

/// Fires once for every action created through this library, after it is committed.
///
/// Every action entity has one (`action::Entity::signal()`), shared by the whole process like
/// a Django signal. [`subscribe`](Signal::subscribe) returns a [`Subscription`] that receives
/// each new action exactly once, in commit order per sender.
///
/// Delivery never waits for subscribers: each subscription has its own unbounded queue, so a
/// subscriber that stops reading costs memory, not latency, and never makes a send fail.
/// Dropping the subscription unsubscribes.
pub struct Signal<A: ActionEntity> {
    subscribers: Mutex<Vec<mpsc::UnboundedSender<Arc<A::Model>>>>,
    /// Subscribers of [`subscribe_local`](Self::subscribe_local): this process's commits only.
    local: Mutex<Vec<mpsc::UnboundedSender<Arc<A::Model>>>>,
    /// The events of live tails, made on first use (a broadcast channel cannot be built in a
    /// `const fn`).
    events: OnceLock<broadcast::Sender<Event<A>>>,
    /// The bridges that carry this process's actions to other processes, each fed the ids of
    /// what is emitted here (never what a bridge delivered from elsewhere).
    relays: Mutex<Vec<mpsc::UnboundedSender<Relayed>>>,
    /// Counts the times a bridge listened again after losing its connection: what other
    /// processes committed meanwhile never reached this signal, so live tails read it back.
    resyncs: OnceLock<watch::Sender<u64>>,
}

/// What a bridge carries to other processes: the ids of committed actions, in the order this
/// process emitted them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Relayed {
    /// Created and committed.
    Created(Vec<i64>),
    /// Deleted through the library, and the deletion committed.
    Retracted(Vec<i64>),
}

impl<A: ActionEntity> Signal<A> {
    /// A signal without subscribers (used by the action-entity macro for its static).
    pub const fn new() -> Self {
        Signal {
            subscribers: Mutex::new(Vec::new()),
            local: Mutex::new(Vec::new()),
            events: OnceLock::new(),
            relays: Mutex::new(Vec::new()),
            resyncs: OnceLock::new(),
        }
    }

    fn resync_sender(&self) -> &watch::Sender<u64> {
        self.resyncs.get_or_init(|| watch::channel(0).0)
    }

    /// Told when events from other processes may have been lost (see [`resync`](Self::resync)).
    pub(crate) fn resyncs(&self) -> watch::Receiver<u64> {
        self.resync_sender().subscribe()
    }

    /// A bridge listens again after losing its connection: every live tail catches up from
    /// its cursor with one query, since what other processes committed in between reached no
    /// one here.
    #[cfg_attr(
        not(any(feature = "postgres", feature = "redis")),
        allow(dead_code, reason = "only bridges lose events")
    )]
    pub(crate) fn resync(&self) {
        self.resync_sender().send_modify(|count| *count += 1);
    }

    /// Start receiving every action created from now on.
    pub fn subscribe(&self) -> Subscription<A> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock().push(sender);
        Subscription { receiver }
    }

    /// Start receiving every action created *by this process* from now on: with a bridge
    /// running (`stream_core::bridge`, features `postgres` or `redis`),
    /// [`subscribe`](Self::subscribe) also receives what other processes committed, this does
    /// not. For work that must be done once per action across all the processes of an
    /// application (sending mail, fanning out to Redis timelines), each process doing it for
    /// its own commits.
    pub fn subscribe_local(&self) -> Subscription<A> {
        let (sender, receiver) = mpsc::unbounded_channel();
        lock(&self.local).push(sender);
        Subscription { receiver }
    }

    /// Start receiving every [`Event`] from now on: each action created, and each action
    /// retracted, after its commit. This is what a live tail
    /// ([`ActionEntity::live`](crate::ActionEntity::live)) listens to.
    ///
    /// Unlike [`subscribe`](Self::subscribe), the queue is bounded: all subscribers share one
    /// buffer of the last [`EVENT_BUFFER`] events, so an event costs one slot whatever the
    /// number of subscribers. A subscriber that falls further behind is told how many it
    /// missed ([`Missed`]) and goes on with the oldest event still buffered; a live tail then
    /// catches up from its cursor with one query.
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
    /// use stream_core::Event;
    ///
    /// let mut events = action::Entity::signal().subscribe_events();
    /// let like = action::Entity::send(&db, &lennon, Verb::Liked).target(&hendrix).await?;
    /// action::Entity::retract(&db, &like).await?;
    ///
    /// assert!(matches!(events.recv().await?, Event::Created(created) if created.action() == &like));
    /// assert!(matches!(events.recv().await?, Event::Retracted(gone) if gone.id() == like.id as i64));
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscribe_events(&self) -> Events<A> {
        Events {
            receiver: self.events().subscribe(),
        }
    }

    /// How many subscriptions are alive, of [`subscribe`](Self::subscribe),
    /// [`subscribe_local`](Self::subscribe_local) and
    /// [`subscribe_events`](Self::subscribe_events) (dropped ones of the first two kinds are
    /// forgotten at the next send).
    pub fn subscriber_count(&self) -> usize {
        let events = self
            .events
            .get()
            .map_or(0, broadcast::Sender::receiver_count);
        let local = lock(&self.local).iter().filter(|s| !s.is_closed()).count();
        self.lock().iter().filter(|s| !s.is_closed()).count() + local + events
    }

    /// Deliver one action committed by this process to every live subscriber, and hand its
    /// id to the bridges that carry it to other processes.
    pub(crate) fn emit(&self, action: Arc<A::Model>) {
        self.relay(|| Relayed::Created(vec![A::action_id(&action)]));
        self.deliver_local(&action);
        self.deliver(action);
    }

    fn deliver_local(&self, action: &Arc<A::Model>) {
        lock(&self.local).retain(|subscriber| subscriber.send(Arc::clone(action)).is_ok());
    }

    /// [`emit`](Self::emit) for the actions of one commit, in order: one message to each
    /// bridge for all of them.
    pub(crate) fn emit_all(&self, actions: Vec<Arc<A::Model>>) {
        if actions.is_empty() {
            return;
        }
        self.relay(|| Relayed::Created(actions.iter().map(|a| A::action_id(a)).collect()));
        for action in actions {
            self.deliver_local(&action);
            self.deliver(action);
        }
    }

    /// Deliver one committed action to the subscribers of this process only: what a bridge
    /// received from another process, which that process has relayed already.
    pub(crate) fn deliver(&self, action: Arc<A::Model>) {
        self.lock()
            .retain(|subscriber| subscriber.send(Arc::clone(&action)).is_ok());
        self.send_event(Event::Created(Arc::new(Created::new(action))));
    }

    /// Tell every live tail that an action was deleted, once the deletion is committed, and
    /// hand its id to the bridges that carry it to other processes.
    pub(crate) fn emit_retracted(&self, retracted: Retracted<A>) {
        self.relay(|| Relayed::Retracted(vec![retracted.id()]));
        self.deliver_retracted(retracted);
    }

    /// [`emit_retracted`](Self::emit_retracted) to the live tails of this process only: a
    /// retraction a bridge received from another process.
    pub(crate) fn deliver_retracted(&self, retracted: Retracted<A>) {
        self.send_event(Event::Retracted(Arc::new(retracted)));
    }

    /// Whether anyone would receive an emitted action: a subscriber or a bridge. The bulk
    /// load reads its rows back only then.
    pub(crate) fn is_listened(&self) -> bool {
        self.subscriber_count() > 0 || lock(&self.relays).iter().any(|r| !r.is_closed())
    }

    /// Feed the ids of every action emitted from now on to a bridge, until `relay`'s receiver
    /// is dropped.
    #[cfg(any(feature = "postgres", feature = "redis"))]
    pub(crate) fn add_relay(&self, relay: mpsc::UnboundedSender<Relayed>) {
        lock(&self.relays).push(relay);
    }

    fn relay(&self, message: impl FnOnce() -> Relayed) {
        let mut relays = lock(&self.relays);
        if relays.is_empty() {
            return;
        }
        let message = message();
        relays.retain(|relay| relay.send(message.clone()).is_ok());
    }

    fn send_event(&self, event: Event<A>) {
        if let Some(events) = self.events.get() {
            // An error only says that nobody listens.
            let _ = events.send(event);
        }
    }

    fn events(&self) -> &broadcast::Sender<Event<A>> {
        self.events
            .get_or_init(|| broadcast::channel(EVENT_BUFFER).0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::UnboundedSender<Arc<A::Model>>>> {
        lock(&self.subscribers)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave its Vec inconsistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<A: ActionEntity> Default for Signal<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: ActionEntity> std::fmt::Debug for Signal<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signal")
            .field("subscribers", &self.subscriber_count())
            .finish()
    }
}

/// A live subscription to a [`Signal`].
#[derive(Debug)]
pub struct Subscription<A: ActionEntity> {
    receiver: mpsc::UnboundedReceiver<Arc<A::Model>>,
}

impl<A: ActionEntity> Subscription<A> {
    /// Wait for the next created action. Never returns `None` while the signal lives (it is
    /// a static, so: never).
    pub async fn recv(&mut self) -> Option<Arc<A::Model>> {
        self.receiver.recv().await
    }

    /// The next created action if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Option<Arc<A::Model>> {
        self.receiver.try_recv().ok()
    }
}

/// What live tails hear from a [`Signal`]: an action created, or an action retracted, each
/// after its commit. Received from [`Signal::subscribe_events`].
pub enum Event<A: ActionEntity> {
    /// An action was stored and committed.
    Created(Arc<Created<A>>),
    /// An action was deleted through the library
    /// ([`retract`](crate::ActionEntity::retract),
    /// [`retract_where`](crate::ActionEntity::retract_where)) and the deletion committed.
    Retracted(Arc<Retracted<A>>),
}

impl<A: ActionEntity> Clone for Event<A> {
    fn clone(&self) -> Self {
        match self {
            Event::Created(created) => Event::Created(Arc::clone(created)),
            Event::Retracted(retracted) => Event::Retracted(Arc::clone(retracted)),
        }
    }
}

impl<A: ActionEntity> std::fmt::Debug for Event<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Created(created) => f.debug_tuple("Created").field(created).finish(),
            Event::Retracted(retracted) => f.debug_tuple("Retracted").field(retracted).finish(),
        }
    }
}

/// A created action, as every subscriber of [`Signal::subscribe_events`] receives it: the
/// stored row, and its hydrated form, loaded once for all the subscribers that ask for it.
pub struct Created<A: ActionEntity> {
    action: Arc<A::Model>,
    loaded: OnceCell<A::Loaded>,
}

impl<A: ActionEntity> Created<A> {
    pub(crate) fn new(action: Arc<A::Model>) -> Self {
        Created {
            action,
            loaded: OnceCell::new(),
        }
    }

    /// The stored action.
    pub fn action(&self) -> &A::Model {
        &self.action
    }

    /// The stored action, shared.
    pub fn shared(&self) -> &Arc<A::Model> {
        &self.action
    }

    /// Where it stands in its streams: the cursor just after it.
    pub fn cursor(&self) -> Cursor {
        Cursor::after::<A>(&self.action)
    }

    /// The action with its actor, target and action object loaded
    /// ([`ActionEntity::hydrated`](crate::ActionEntity::hydrated)): one statement, run by the
    /// first subscriber that asks; the others wait for it and share the result. A failed load
    /// is not kept: the next caller tries again.
    pub async fn loaded<C: sea_orm::ConnectionTrait>(&self, db: &C) -> crate::Result<&A::Loaded> {
        self.loaded
            .get_or_try_init(|| A::hydrated(db, &self.action))
            .await
    }
}

impl<A: ActionEntity> std::fmt::Debug for Created<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// A retracted (deleted) action: its id, and the deleted row where this process has it.
///
/// A retraction made in this process carries the row, so a live tail tells in memory whether
/// it was part of its stream. One that reached this process from another (through a bridge
/// that carries only ids) has no row.
pub struct Retracted<A: ActionEntity> {
    id: i64,
    action: Option<A::Model>,
}

impl<A: ActionEntity> Retracted<A> {
    /// The retraction of `action`, whose row this process deleted.
    pub(crate) fn of(action: A::Model) -> Self {
        Retracted {
            id: A::action_id(&action),
            action: Some(action),
        }
    }

    /// The retraction of the action `id`, whose row is not known here.
    #[cfg_attr(
        not(any(feature = "postgres", feature = "redis")),
        allow(dead_code, reason = "for retractions that come from other processes")
    )]
    pub(crate) fn of_id(id: i64) -> Self {
        Retracted { id, action: None }
    }

    /// The id of the deleted action.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The deleted row, when the retraction was made in this process.
    pub fn action(&self) -> Option<&A::Model> {
        self.action.as_ref()
    }
}

impl<A: ActionEntity> std::fmt::Debug for Retracted<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retracted")
            .field("id", &self.id)
            .field("action", &self.action)
            .finish()
    }
}

/// The receiving end of [`Signal::subscribe_events`]. Dropping it unsubscribes.
pub struct Events<A: ActionEntity> {
    receiver: broadcast::Receiver<Event<A>>,
}

impl<A: ActionEntity> Events<A> {
    /// Wait for the next event. `Err(Missed)` when this subscriber fell more than
    /// [`EVENT_BUFFER`] events behind: that many events are lost to it, and the next call
    /// returns the oldest one still buffered.
    pub async fn recv(&mut self) -> Result<Event<A>, Missed> {
        loop {
            match self.receiver.recv().await {
                Ok(event) => return Ok(event),
                Err(broadcast::error::RecvError::Lagged(count)) => return Err(Missed { count }),
                // The sender lives in a static signal; never closed. Wait rather than spin.
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    }

    /// Forget every event waiting, and go on with the events sent from now on. A subscriber
    /// that fell behind and reads what it missed from the database does this first: the
    /// buffered events are older than what it reads, and reading them one by one would keep
    /// it a full buffer behind, missing again at every new event.
    pub fn skip_to_newest(&mut self) {
        self.receiver = self.receiver.resubscribe();
    }

    /// The next event if one is waiting, without waiting; `Ok(None)` when none is.
    pub fn try_recv(&mut self) -> Result<Option<Event<A>>, Missed> {
        match self.receiver.try_recv() {
            Ok(event) => Ok(Some(event)),
            Err(broadcast::error::TryRecvError::Lagged(count)) => Err(Missed { count }),
            Err(_) => Ok(None),
        }
    }
}

impl<A: ActionEntity> std::fmt::Debug for Events<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("waiting", &self.receiver.len())
            .finish()
    }
}

/// A subscriber of [`Signal::subscribe_events`] fell behind the shared buffer and lost
/// `count` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the subscriber fell behind and missed {count} events")]
pub struct Missed {
    /// How many events were lost.
    pub count: u64,
}
