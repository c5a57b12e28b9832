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
}

impl<A: ActionEntity> Signal<A> {
    /// A signal without subscribers (used by the action-entity macro for its static).
    pub const fn new() -> Self {
        Signal {
            subscribers: Mutex::new(Vec::new()),
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

    /// Deliver one committed action to every live subscriber.
    pub(crate) fn emit(&self, action: Arc<A::Model>) {
        self.lock()
            .retain(|subscriber| subscriber.send(Arc::clone(&action)).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::UnboundedSender<Arc<A::Model>>>> {
        // A panic while holding this lock cannot leave the Vec inconsistent.
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
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
