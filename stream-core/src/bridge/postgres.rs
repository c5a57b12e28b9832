//! The PostgreSQL transport: `pg_notify` to publish, a `PgListener` of its own to listen.

use super::{Backoff, BoxError, BoxFuture, Bridge, Publish, Receiver, Shared, failed, launch};
use crate::ActionEntity;
use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub(super) async fn start<A: ActionEntity>(
    db: &DatabaseConnection,
    channel: String,
) -> crate::Result<Bridge> {
    if db.get_database_backend() != DbBackend::Postgres || db.is_mock_connection() {
        return Err(failed(
            "LISTEN/NOTIFY needs a PostgreSQL connection; on SQLite and MariaDB use \
             `Bridge::redis` (feature `redis`)",
            None,
        ));
    }
    // A pool of one connection, with the options of the application's pool and without its
    // timeouts: the listener holds its connection for good and reconnects through the pool.
    let options = db.get_postgres_connection_pool().connect_options();
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_with((*options).clone())
        .await
        .map_err(|e| {
            failed(
                "cannot open PostgreSQL's listening connection",
                Some(e.into()),
            )
        })?;
    let mut listener = PgListener::connect_with(&pool).await.map_err(|e| {
        failed(
            "cannot open PostgreSQL's listening connection",
            Some(e.into()),
        )
    })?;
    listener.ignore_pool_close_event(true);
    listener
        .listen(&channel)
        .await
        .map_err(|e| failed(format!("cannot LISTEN on {channel}"), Some(e.into())))?;
    let shared = Shared {
        channel,
        origin: super::bridge_id(),
        transport: "postgres",
        connected: Arc::new(AtomicBool::new(true)),
    };
    let receiver = Receiver::<A>::new(db, &shared);
    let listening = tokio::spawn(listen(listener, receiver, Arc::clone(&shared.connected)));
    Ok(launch::<A>(&shared, Notify { db: db.clone() }, listening))
}

/// Publishes with `SELECT pg_notify(channel, payload)` on the application's pool.
struct Notify {
    db: DatabaseConnection,
}

impl Publish for Notify {
    fn publish<'a>(
        &'a mut self,
        channel: &'a str,
        payload: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            let statement = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [channel.into(), payload.into()],
            );
            self.db.execute_raw(statement).await?;
            Ok(())
        })
    }
}

/// Receive notifications for good: `PgListener` reconnects and listens again by itself when
/// its connection is lost; this logs it, and waits with backoff when reconnecting fails.
async fn listen<A: ActionEntity>(
    mut listener: PgListener,
    mut receiver: Receiver<A>,
    connected: Arc<AtomicBool>,
) {
    let channel = receiver.channel.clone();
    let mut backoff = Backoff::new();
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                connected.store(true, Ordering::Release);
                backoff.reset();
                receiver.receive(notification.payload()).await;
            }
            Ok(None) => {
                // The connection was lost and is open again: what was notified in between
                // never reaches this process's signal.
                connected.store(true, Ordering::Release);
                A::signal().resync();
                tracing::warn!(
                    channel,
                    transport = "postgres",
                    "live events: the listening connection was lost and is open again; \
                     live tails catch up what other processes committed meanwhile"
                );
            }
            Err(error) => {
                if connected.swap(false, Ordering::AcqRel) {
                    tracing::warn!(
                        channel,
                        transport = "postgres",
                        error = %error,
                        "live events: cannot listen to other processes; reconnecting with \
                         backoff (this process's own subscribers are not affected)"
                    );
                }
                tokio::time::sleep(backoff.next()).await;
            }
        }
    }
}
