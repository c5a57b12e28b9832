//! What the benches share: fresh databases, one-connection pools, hand-written SQL helpers
//! and the medians they report.

#![allow(dead_code, reason = "each bench uses what it needs")]

use std::sync::{Arc, Mutex};
use std::time::Duration;
use stream_core::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
};

/// Drop and create the database `name` on the server of `admin_url` (`drop_options` follow
/// `DROP DATABASE IF EXISTS ..`), and return its URL.
pub async fn fresh_database(admin_url: &str, name: &str, drop_options: &str) -> String {
    let admin = Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to {admin_url}: {e}"));
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} {drop_options}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}

/// A pool of one connection on the database at `url`.
///
/// Pages and sends are measured on it, alternating library and hand-written SQL: on a pool
/// of several, strict alternation hands the library and the hand-written SQL different
/// connections — different threads (SQLite) or server processes — whose placement on the
/// cores alone made one side up to twice as fast as the other for a whole operation.
pub async fn single_connection(url: &str) -> DatabaseConnection {
    let url = url.replace("?mode=rwc", "");
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .max_connections(1)
        .min_connections(1);
    Database::connect(options).await.expect("connect")
}

pub fn placeholders(backend: DbBackend, rows: usize, columns: usize) -> String {
    let mut n = 0;
    (0..rows)
        .map(|_| {
            let row: Vec<String> = (0..columns)
                .map(|_| {
                    n += 1;
                    match backend {
                        DbBackend::Postgres => format!("${n}"),
                        _ => "?".to_owned(),
                    }
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn quote(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Statements one library call runs.
pub async fn statements<F, Fut>(db: &DatabaseConnection, call: F) -> usize
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()>,
{
    let count = Arc::new(Mutex::new(0usize));
    let sink = Arc::clone(&count);
    let mut counted = db.clone();
    counted.set_metric_callback(move |_| *sink.lock().unwrap() += 1);
    call(counted).await;
    *count.lock().unwrap()
}
