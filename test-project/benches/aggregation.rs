//! Aggregated inboxes beside the best hand-written `GROUP BY`, through the same connection, in
//! one run.
//!
//! Data: 10,000 users (`--recipients`), 5,000 posts, and likes: like `i` by
//! `users[(i * 7919) % R]` of `posts[(i * 15485863) % 5000]`, a minute after like `i - 1`,
//! each delivered to ten inboxes, `users[(i * 104729 + k * 997) % R]` for `k` in `0..10`, until
//! there are `--notifications` of them (default 1,000,000); the notifications of every other
//! like are seen. Rows are written by hand (multi-row `INSERT`s), not through the library.
//!
//! Operations, for a different recipient each sample, alternating library and hand-written SQL:
//! - the aggregated inbox page: 20 groups of likes (same post, same UTC day) with their counts,
//!   seen state and newest three actors loaded (one statement), against a `GROUP BY` of the
//!   recipient's notifications joined to their actions that returns the 20 newest groups with
//!   their counts and seen state, but neither the actors' models nor the newest actors;
//! - the bell: the unseen and the unread groups, against two hand-written `COUNT(*)`s of
//!   `DISTINCT` keys.
//!
//! ```sh
//! cargo bench -p test-project --features postgres,mysql --bench aggregation -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --mysql mysql://root@127.0.0.1:3306/test
//! ```

use chrono::{DateTime, TimeZone, Utc};
use std::time::{Duration, Instant};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait, Value,
};
use test_project::{notification, user};

mod support;
use support::{median, placeholders, quote};

const POSTS: usize = 5_000;
const PAGE: u64 = 20;
/// Inboxes each like is delivered to.
const FAN_OUT: usize = 10;
const WARM_UP: usize = 10;

struct Args {
    notifications: usize,
    recipients: usize,
    samples: usize,
    postgres: Option<String>,
    mysql: Option<String>,
}

fn args() -> Args {
    let mut args = Args {
        notifications: 1_000_000,
        recipients: 10_000,
        samples: 201,
        postgres: None,
        mysql: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| {
            it.next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{name} N"))
        };
        match arg.as_str() {
            "--notifications" => args.notifications = number("--notifications"),
            "--recipients" => args.recipients = number("--recipients"),
            "--samples" => args.samples = number("--samples"),
            "--postgres" => args.postgres = it.next(),
            "--mysql" => args.mysql = it.next(),
            "--bench" => {}
            other => eprintln!("ignoring argument {other:?}"),
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = args();
    let mut report = Vec::new();
    report.extend(run(DbBackend::Sqlite, &args).await);
    if let Some(url) = &args.postgres {
        if cfg!(feature = "postgres") {
            report.extend(run_on(DbBackend::Postgres, url, &args).await);
        } else {
            eprintln!("skipping PostgreSQL: build with `--features postgres`");
        }
    }
    if let Some(url) = &args.mysql {
        if cfg!(feature = "mysql") {
            report.extend(run_on(DbBackend::MySql, url, &args).await);
        } else {
            eprintln!("skipping MariaDB: build with `--features mysql`");
        }
    }
    println!(
        "\n| backend | notifications | operation | statements | library | hand-written | library / hand |"
    );
    println!("|---|---|---|---|---|---|---|");
    for line in report {
        println!("{line}");
    }
}

async fn run(backend: DbBackend, args: &Args) -> Vec<String> {
    let file = std::env::temp_dir().join("stream-bench-aggregation.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    run_at(
        backend,
        format!("sqlite://{}?mode=rwc", file.display()),
        args,
    )
    .await
}

/// A fresh database `stream_bench_aggregation` on the server of `admin_url`.
async fn run_on(backend: DbBackend, admin_url: &str, args: &Args) -> Vec<String> {
    let admin = Database::connect(admin_url).await.expect("connect");
    let name = "stream_bench_aggregation";
    let force = if backend == DbBackend::Postgres {
        "WITH (FORCE)"
    } else {
        ""
    };
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} {force}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    run_at(backend, format!("{base}/{name}"), args).await
}

async fn run_at(backend: DbBackend, url: String, args: &Args) -> Vec<String> {
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false).max_connections(1);
    let mut db = Database::connect(options).await.expect("connect");
    test_project::create_tables(&db)
        .await
        .expect("create tables");
    let started = Instant::now();
    load(&db, args).await;
    let analyze = match backend {
        DbBackend::MySql => "ANALYZE TABLE stream_action, stream_notification",
        _ => "ANALYZE",
    };
    db.execute_unprepared(analyze).await.unwrap();
    eprintln!(
        "{backend:?}: {} notifications loaded in {:.1?}",
        args.notifications,
        started.elapsed()
    );
    let users = user_ids(&db).await;

    let statements = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&statements);
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    let recipient = |s: usize| user::Model {
        id: users[(s * 7) % users.len()],
        username: String::new(),
    };
    let count = |statements: &std::sync::atomic::AtomicUsize| {
        statements.swap(0, std::sync::atomic::Ordering::Relaxed)
    };

    let mut rows = Vec::new();
    // The page.
    let (mut library, mut hand) = (Vec::new(), Vec::new());
    for s in 0..WARM_UP + args.samples {
        let me = recipient(s);
        count(&statements);
        let at = Instant::now();
        let page = notification::Entity::inbox(&me)
            .aggregated()
            .page(None, PAGE)
            .all(&db)
            .await
            .unwrap();
        let took = at.elapsed();
        assert_eq!(count(&statements), 1, "one statement per page");
        let at = Instant::now();
        let groups = db.query_all_raw(hand_page(backend, me.id)).await.unwrap();
        let hand_took = at.elapsed();
        count(&statements);
        assert_eq!(
            page.items.len().min(PAGE as usize),
            groups.len().min(PAGE as usize)
        );
        if s >= WARM_UP {
            library.push(took);
            hand.push(hand_took);
        }
    }
    rows.push(line(
        backend,
        args,
        "aggregated inbox page (20 groups)",
        1,
        library,
        hand,
    ));

    // The bell.
    let (mut library, mut hand) = (Vec::new(), Vec::new());
    for s in 0..WARM_UP + args.samples {
        let me = recipient(s);
        count(&statements);
        let at = Instant::now();
        let counts = notification::Entity::inbox(&me)
            .aggregated()
            .counts(&db)
            .await
            .unwrap();
        let took = at.elapsed();
        assert_eq!(count(&statements), 1, "one statement for the bell");
        let at = Instant::now();
        let row = db
            .query_one_raw(hand_bell(backend, me.id))
            .await
            .unwrap()
            .unwrap();
        let hand_took = at.elapsed();
        count(&statements);
        let unseen: i64 = row.try_get_by_index(0).unwrap();
        assert_eq!(counts.unseen, unseen as u64, "the same count");
        if s >= WARM_UP {
            library.push(took);
            hand.push(hand_took);
        }
    }
    rows.push(line(
        backend,
        args,
        "bell: unseen and unread groups",
        1,
        library,
        hand,
    ));
    rows
}

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_600_000_000, 0).unwrap()
}

async fn user_ids(db: &DatabaseConnection) -> Vec<i32> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT id FROM {} ORDER BY id", quote(backend, "user"));
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get_by_index::<i32>(0).unwrap())
        .collect()
}

/// `rows` rows of `columns` values each, inserted into `table` by multi-row `INSERT`s of at
/// most 30,000 values, in one transaction.
async fn insert(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Value>>,
) {
    let backend = db.get_database_backend();
    let per_statement = 30_000 / columns.len();
    let txn = db.begin().await.unwrap();
    let columns_sql = columns
        .iter()
        .map(|c| quote(backend, c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut batch: Vec<Value> = Vec::new();
    let flush = |batch: Vec<Value>| {
        let n = batch.len() / columns.len();
        Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO {} ({columns_sql}) VALUES {}",
                quote(backend, table),
                placeholders(backend, n, columns.len())
            ),
            batch,
        )
    };
    for row in rows {
        batch.extend(row);
        if batch.len() / columns.len() == per_statement {
            txn.execute_raw(flush(std::mem::take(&mut batch)))
                .await
                .unwrap();
        }
    }
    if !batch.is_empty() {
        txn.execute_raw(flush(batch)).await.unwrap();
    }
    txn.commit().await.unwrap();
}

/// A timestamp as the backend stores it.
fn when(backend: DbBackend, i: usize) -> Value {
    stream_core::schema::timestamp_value(backend, t0() + chrono::Duration::minutes(i as i64))
}

async fn load(db: &DatabaseConnection, args: &Args) {
    let backend = db.get_database_backend();
    let r = args.recipients;
    insert(
        db,
        "user",
        &["username"],
        (0..r).map(|i| vec![Value::from(format!("user{i}"))]),
    )
    .await;
    insert(
        db,
        "post",
        &["author_id", "title", "body"],
        (0..POSTS).map(|i| {
            vec![
                Value::from((i % r + 1) as i32),
                Value::from(format!("post{i}")),
                Value::from(String::new()),
            ]
        }),
    )
    .await;
    // Ids are 1.. in insertion order in fresh tables.
    let likes = args.notifications.div_ceil(FAN_OUT);
    insert(
        db,
        "stream_action",
        &["timestamp", "verb", "actor_user", "target_post", "public"],
        (0..likes).map(|i| {
            vec![
                when(backend, i),
                Value::from("liked"),
                Value::from(((i * 7919) % r + 1) as i32),
                Value::from(((i * 15_485_863) % POSTS + 1) as i32),
                Value::from(true),
            ]
        }),
    )
    .await;
    insert(
        db,
        "stream_notification",
        &["recipient", "action", "timestamp", "seen_at"],
        (0..likes).flat_map(|i| {
            // Ten distinct inboxes: 997 is prime and far smaller than the recipients.
            (0..FAN_OUT).map(move |k| {
                let seen = if i % 2 == 0 {
                    when(backend, i)
                } else {
                    stream_core::schema::timestamp_value(backend, t0()).as_null()
                };
                vec![
                    Value::from(((i * 104_729 + k * 997) % r + 1) as i32),
                    Value::from((i + 1) as i64),
                    when(backend, i),
                    seen,
                ]
            })
        }),
    )
    .await;
}

/// The day of `column` in UTC, as each backend writes it.
fn day(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Sqlite => format!("date({column})"),
        DbBackend::Postgres => format!("date_trunc('day', {column} AT TIME ZONE 'UTC')"),
        _ => format!("DATE({column})"),
    }
}

/// The 20 newest groups of `recipient`'s likes (post and day) with their counts and seen state,
/// as one would write it for this one verb.
fn hand_page(backend: DbBackend, recipient: i32) -> Statement {
    let (ts, p) = (quote(backend, "timestamp"), placeholders(backend, 1, 1));
    let day = day(backend, &format!("a.{ts}"));
    let unseen = match backend {
        DbBackend::Postgres => "COUNT(*) FILTER (WHERE n.seen_at IS NULL)".to_owned(),
        _ => "SUM(CASE WHEN n.seen_at IS NULL THEN 1 ELSE 0 END)".to_owned(),
    };
    let sql = format!(
        "SELECT a.target_post, {day} AS day, COUNT(*) AS actions, \
         COUNT(DISTINCT a.actor_user) AS actors, MAX(a.{ts}) AS newest, MAX(a.id) AS newest_id, \
         {unseen} AS unseen \
         FROM stream_notification n JOIN stream_action a ON a.id = n.action \
         WHERE n.recipient = {} AND a.verb = 'liked' \
         GROUP BY a.target_post, {day} ORDER BY newest DESC, newest_id DESC LIMIT {}",
        p.trim_matches(['(', ')']),
        PAGE + 1
    );
    Statement::from_sql_and_values(backend, sql, [Value::from(recipient)])
}

/// `recipient`'s unseen and unread groups of likes, as one would count them.
fn hand_bell(backend: DbBackend, recipient: i32) -> Statement {
    let ts = quote(backend, "timestamp");
    let day = day(backend, &format!("a.{ts}"));
    let groups = |n: usize, column: &str| {
        let p = match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        format!(
            "(SELECT COUNT(*) FROM (SELECT DISTINCT a.target_post, {day} AS day \
             FROM stream_notification n JOIN stream_action a ON a.id = n.action \
             WHERE n.recipient = {p} AND n.{column} IS NULL AND a.verb = 'liked') AS g)"
        )
    };
    let sql = format!(
        "SELECT {} AS unseen, {} AS unread",
        groups(1, "seen_at"),
        groups(2, "read_at")
    );
    Statement::from_sql_and_values(
        backend,
        sql,
        [Value::from(recipient), Value::from(recipient)],
    )
}

fn line(
    backend: DbBackend,
    args: &Args,
    operation: &str,
    statements: usize,
    library: Vec<Duration>,
    hand: Vec<Duration>,
) -> String {
    let (library, hand) = (median(library), median(hand));
    format!(
        "| {backend:?} | {} | {operation} | {statements} | {:.0} µs | {:.0} µs | {:.2} |",
        args.notifications,
        library.as_secs_f64() * 1e6,
        hand.as_secs_f64() * 1e6,
        library.as_secs_f64() / hand.as_secs_f64()
    )
}
