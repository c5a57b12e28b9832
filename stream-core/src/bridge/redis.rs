//! The Redis transport: `PUBLISH` on a multiplexed connection, `SUBSCRIBE` on a pub/sub one.

use super::{Backoff, BoxError, BoxFuture, Bridge, Publish, Receiver, Shared, failed, launch};
use crate::ActionEntity;
use futures_util::StreamExt;
use redis::aio::{MultiplexedConnection, PubSub};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub(super) async fn start<A: ActionEntity>(
    db: &DatabaseConnection,
    url: &str,
    channel: String,
) -> crate::Result<Bridge> {
    let shown = redacted(url);
    let client = redis::Client::open(url)
        .map_err(|e| failed(format!("`{shown}` is not a Redis URL"), Some(e.into())))?;
    let subscribed = subscribe(&client, &channel).await.map_err(|e| {
        failed(
            format!("Redis at `{shown}` does not answer"),
            Some(e.into()),
        )
    })?;
    let connection = client
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| {
            failed(
                format!("Redis at `{shown}` does not answer"),
                Some(e.into()),
            )
        })?;
    let shared = Shared {
        channel,
        origin: super::bridge_id(),
        transport: "redis",
        connected: Arc::new(AtomicBool::new(true)),
    };
    let receiver = Receiver::<A>::new(db, &shared);
    let listening = tokio::spawn(listen(
        client.clone(),
        subscribed,
        receiver,
        Arc::clone(&shared.connected),
    ));
    let publisher = Publisher {
        client,
        connection: Some(connection),
    };
    Ok(launch::<A>(&shared, publisher, listening))
}

/// `url` without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Publishes on one multiplexed connection, opened again after an error.
struct Publisher {
    client: redis::Client,
    connection: Option<MultiplexedConnection>,
}

impl Publish for Publisher {
    fn publish<'a>(
        &'a mut self,
        channel: &'a str,
        payload: &'a str,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            let connection = match &mut self.connection {
                Some(connection) => connection,
                None => self
                    .connection
                    .insert(self.client.get_multiplexed_async_connection().await?),
            };
            let published: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                .arg(channel)
                .arg(payload)
                .query_async(connection)
                .await;
            if let Err(error) = published {
                self.connection = None;
                return Err(error.into());
            }
            Ok(())
        })
    }
}

/// Receive messages for good, subscribing again with backoff whenever the connection is lost.
async fn listen<A: ActionEntity>(
    client: redis::Client,
    subscribed: PubSub,
    mut receiver: Receiver<A>,
    connected: Arc<AtomicBool>,
) {
    let channel = receiver.channel.clone();
    let mut next = Some(subscribed);
    let mut backoff = Backoff::new();
    loop {
        let pubsub = match next.take() {
            Some(pubsub) => pubsub,
            None => match subscribe(&client, &channel).await {
                Ok(pubsub) => {
                    A::signal().resync();
                    tracing::info!(
                        channel,
                        transport = "redis",
                        "live events: listening to other processes again; live tails catch \
                         up what they committed meanwhile"
                    );
                    backoff.reset();
                    pubsub
                }
                Err(error) => {
                    tracing::warn!(
                        channel,
                        transport = "redis",
                        error = %error,
                        "live events: cannot reach Redis to listen to other processes; \
                         retrying with backoff (this process's own subscribers are not affected)"
                    );
                    tokio::time::sleep(backoff.next()).await;
                    continue;
                }
            },
        };
        connected.store(true, Ordering::Release);
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            match message.get_payload::<String>() {
                Ok(payload) => receiver.receive(&payload).await,
                Err(error) => tracing::warn!(
                    channel,
                    transport = "redis",
                    error = %error,
                    "live events: ignored a message that is not text"
                ),
            }
        }
        connected.store(false, Ordering::Release);
        tracing::warn!(
            channel,
            transport = "redis",
            "live events: lost the connection to Redis; reconnecting with backoff"
        );
    }
}
