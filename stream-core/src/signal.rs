//! The signal that fires once for every created action.

use crate::ActionEntity;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;

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
    /// The bridges that carry this process's actions to other processes, each fed the ids of
    /// what is emitted here (never what a bridge delivered from elsewhere).
    relays: Mutex<Vec<mpsc::UnboundedSender<Relayed>>>,
}

/// What a bridge carries to other processes: the ids of committed actions, in the order this
/// process emitted them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Relayed {
    /// Created and committed.
    Created(Vec<i64>),
}

impl<A: ActionEntity> Signal<A> {
    /// A signal without subscribers (used by the action-entity macro for its static).
    pub const fn new() -> Self {
        Signal {
            subscribers: Mutex::new(Vec::new()),
            relays: Mutex::new(Vec::new()),
        }
    }

    /// Start receiving every action created from now on.
    pub fn subscribe(&self) -> Subscription<A> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock().push(sender);
        Subscription { receiver }
    }

    /// How many subscriptions are alive (dropped ones are forgotten at the next send).
    pub fn subscriber_count(&self) -> usize {
        self.lock().iter().filter(|s| !s.is_closed()).count()
    }

    /// Deliver one action committed by this process to every live subscriber, and hand its
    /// id to the bridges that carry it to other processes.
    pub(crate) fn emit(&self, action: Arc<A::Model>) {
        self.relay(|| Relayed::Created(vec![A::action_id(&action)]));
        self.deliver(action);
    }

    /// [`emit`](Self::emit) for the actions of one commit, in order: one message to each
    /// bridge for all of them.
    pub(crate) fn emit_all(&self, actions: Vec<Arc<A::Model>>) {
        if actions.is_empty() {
            return;
        }
        self.relay(|| Relayed::Created(actions.iter().map(|a| A::action_id(a)).collect()));
        for action in actions {
            self.deliver(action);
        }
    }

    /// Deliver one committed action to every live subscriber of this process only: what a
    /// bridge received from another process, which that process has relayed already.
    pub(crate) fn deliver(&self, action: Arc<A::Model>) {
        lock(&self.subscribers).retain(|subscriber| subscriber.send(Arc::clone(&action)).is_ok());
    }

    /// Whether anyone would receive an emitted action: a subscriber or a bridge. The bulk
    /// load reads its rows back only then.
    pub(crate) fn is_listened(&self) -> bool {
        self.subscriber_count() > 0 || lock(&self.relays).iter().any(|r| !r.is_closed())
    }

    /// Feed the ids of every action emitted from now on to a bridge, until `relay`'s receiver
    /// is dropped.
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
