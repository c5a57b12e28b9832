//! Notification inboxes, library beside hand-written SQL.
//!
//! Data (issue 15's benchmark): 10,000 users, each the author of one post; 100,000 likes,
//! like `i` at `t0 + i` seconds by `users[(i * 7919) % 10,000]` on `posts[i % 10,000]`, each
//! delivered to 10 inboxes — the post's author and the authors `1,000 × k` further on
//! (k = 1..9) — so 1,000,000 notifications, 100 per recipient, in about 20 groups of the
//! default rule (verb, target, UTC day) each. The older half is seen, the older quarter read.
//! Actions and notifications are loaded by hand-written multi-row INSERTs (the library's
//! delivery is measured on its own below).
//!
//! ```sh
//! cargo bench -p test-project --features postgres,mysql --bench notifications -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --mysql mysql://root@127.0.0.1:3306/test
//! ```
//!
//! `--sqlite-only`, `--skip-sqlite`, `--samples N` (default 301), `--no-mysql`. Operations, each alternating
//! library and hand-written SQL through one connection: the unseen and unread counts; an inbox
//! page of 20 with every object loaded; an aggregated inbox page of 20 groups (one statement,
//! against the best GROUP BY written here: the group key, counts, seen/read, and the newest
//! action's actor and the target's title); the bell's count of unseen and unread groups;
//! marking everything seen and reading the new counts (a different recipient each round, with
//! 50 unseen); and one action delivered to 10,000 recipients (rows/s), into the inbox table
//! empty (before the load) and holding its million rows.

use chrono::{DateTime, TimeZone, Utc};
use std::time::{Duration, Instant};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryResult, QueryTrait, Statement, TransactionTrait,
    Value,
};
use stream_core::{Mark, NotificationEntity};
use test_project::{Verb, action, notification, post, user};

mod support;
use support::{fresh_database, median, ms, placeholders, quote, single_connection, statements};

const USERS: usize = 10_000;
const ACTIONS: usize = 100_000;
/// Inboxes each action is delivered to.
const FAN: usize = 10;
const PAGE: u64 = 20;
const WARM_UP: usize = 10;

struct Args {
    samples: usize,
    postgres: Option<String>,
    mysql: Option<String>,
    sqlite_only: bool,
    skip_sqlite: bool,
}

fn args() -> Args {
    let mut args = Args {
        samples: 301,
        postgres: None,
        mysql: None,
        sqlite_only: false,
        skip_sqlite: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--samples" => {
                args.samples = it.next().and_then(|n| n.parse().ok()).expect("--samples N")
            }
            "--postgres" => args.postgres = it.next(),
            "--mysql" => args.mysql = it.next(),
            "--no-mysql" => args.mysql = None,
            "--sqlite-only" => args.sqlite_only = true,
            "--skip-sqlite" => args.skip_sqlite = true,
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
    if !args.skip_sqlite {
        report.extend(run(None, &args).await);
    }
    if !args.sqlite_only {
        for url in [&args.postgres, &args.mysql].into_iter().flatten() {
            report.extend(run(Some(url), &args).await);
        }
    }
    println!("\n| backend | operation | statements | library | hand-written | library / hand |");
    println!("|---|---|---|---|---|---|");
    for line in report {
        println!("{line}");
    }
}

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_600_000_000, 0).unwrap()
}

/// The recipients of like `i`: its post's author, then the authors 1,000 × k further on.
fn recipients(i: usize) -> impl Iterator<Item = usize> {
    let post = i % USERS;
    (0..FAN).map(move |k| (post + 1_000 * k) % USERS)
}

async fn connect(admin: Option<&str>) -> String {
    let url = match admin {
        None => {
            let file = std::env::temp_dir().join("stream-bench-notifications.sqlite");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            format!("sqlite://{}?mode=rwc", file.display())
        }
        Some(url) if url.starts_with("postgres") => {
            fresh_database(url, "stream_bench_notifications", "WITH (FORCE)").await
        }
        Some(url) => fresh_database(url, "stream_bench_notifications", "").await,
    };
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false).max_connections(4);
    let db = Database::connect(options).await.expect("connect");
    test_project::create_tables(&db)
        .await
        .expect("create tables");
    url
}

/// Insert `rows` of `columns` values each into `table`, in multi-row statements of at most
/// 30,000 values, in one transaction.
async fn insert_rows(
    db: &DatabaseConnection,
    table: &str,
    columns: &str,
    width: usize,
    rows: impl Iterator<Item = Vec<Value>>,
) {
    let backend = db.get_database_backend();
    let per_statement = 30_000 / width;
    let txn = db.begin().await.unwrap();
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            placeholders(backend, chunk.len(), width)
        );
        let values = chunk.into_iter().flatten().collect::<Vec<_>>();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}

/// The users and their posts.
async fn load_people(db: &DatabaseConnection) -> Vec<user::Model> {
    let backend = db.get_database_backend();
    insert_rows(
        db,
        &quote(backend, "user"),
        "username",
        1,
        (0..USERS).map(|i| vec![Value::from(format!("user{i}"))]),
    )
    .await;
    let users = user::Entity::find().all(db).await.unwrap();
    assert_eq!(users.len(), USERS);
    insert_rows(
        db,
        "post",
        "author_id, title, body",
        3,
        users.iter().map(|u| {
            vec![
                Value::from(u.id),
                Value::from(format!("post by {}", u.username)),
                Value::from(""),
            ]
        }),
    )
    .await;
    users
}

/// The likes, and their notifications.
async fn load_inboxes(db: &DatabaseConnection, users: &[user::Model]) {
    let backend = db.get_database_backend();
    let started = Instant::now();
    let posts = post::Entity::find().all(db).await.unwrap();
    assert_eq!(posts.len(), USERS);
    let at = |i: usize| t0() + chrono::Duration::seconds(i as i64);
    insert_rows(
        db,
        "stream_action",
        "timestamp, verb, actor_user, target_post",
        4,
        (0..ACTIONS).map(|i| {
            vec![
                stored(backend, at(i)),
                Value::from("liked"),
                Value::from(users[(i * 7919) % USERS].id),
                Value::from(posts[i % USERS].id),
            ]
        }),
    )
    .await;
    let ids: Vec<i64> = action::Entity::find()
        .filter(action::Column::Verb.eq(Verb::Liked))
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids.len(), ACTIONS);
    let (seen_before, read_before) = (at(ACTIONS / 2), at(ACTIONS / 4));
    insert_rows(
        db,
        "stream_notification",
        "recipient, action, timestamp, seen_at, read_at",
        5,
        (0..ACTIONS).flat_map(|i| {
            let (id, when) = (ids[i], at(i));
            let seen = (when < seen_before).then(|| stored(backend, when));
            let read = (when < read_before).then(|| stored(backend, when));
            recipients(i).map(move |r| {
                vec![
                    Value::from(users[r].id),
                    Value::from(id),
                    stored(backend, when),
                    seen.clone().unwrap_or(null_time(backend)),
                    read.clone().unwrap_or(null_time(backend)),
                ]
            })
        }),
    )
    .await;
    if backend != DbBackend::Sqlite {
        db.execute_unprepared(match backend {
            DbBackend::Postgres => "ANALYZE",
            _ => "ANALYZE TABLE stream_notification, stream_action, post, `user`",
        })
        .await
        .unwrap();
    } else {
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    eprintln!(
        "loaded {} notifications in {:.1} s",
        ACTIONS * FAN,
        started.elapsed().as_secs_f64()
    );
}

/// A timestamp as the library stores it: MariaDB takes a `DATETIME` (naive UTC), the others
/// the UTC time.
fn stored(backend: DbBackend, at: DateTime<Utc>) -> Value {
    match backend {
        DbBackend::MySql => Value::from(at.naive_utc()),
        _ => Value::from(at),
    }
}

fn null_time(backend: DbBackend) -> Value {
    match backend {
        DbBackend::MySql => Value::ChronoDateTime(None),
        _ => Value::ChronoDateTimeUtc(None),
    }
}

fn p(backend: DbBackend, i: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".into(),
    }
}

/// The hand-written counts: two `COUNT`s on the `(recipient, seen_at)` and
/// `(recipient, read_at)` indexes.
fn hand_counts_sql(backend: DbBackend) -> String {
    format!(
        "SELECT (SELECT COUNT(*) FROM stream_notification WHERE recipient = {} AND seen_at IS NULL) AS unseen, \
         (SELECT COUNT(*) FROM stream_notification WHERE recipient = {} AND read_at IS NULL) AS unread",
        p(backend, 1),
        p(backend, 2)
    )
}

/// The hand-written inbox page: the notification's state, the action, and a join for every
/// model the sample application registers in each role (the floor of a hydrated page, as in
/// the workload bench).
fn hand_inbox_sql(backend: DbBackend) -> String {
    let (u, g) = (quote(backend, "user"), quote(backend, "group"));
    format!(
        "SELECT a.verb, au.username, ag.name, ou.username, og.name, op.title, oc.body, \
         tu.username, tg.name, tp.title, a.timestamp, a.id, n.seen_at, n.read_at \
         FROM stream_notification n JOIN stream_action a ON a.id = n.action \
         LEFT JOIN {u} au ON au.id = a.actor_user LEFT JOIN {g} ag ON ag.id = a.actor_group \
         LEFT JOIN {u} ou ON ou.id = a.action_object_user LEFT JOIN {g} og ON og.id = a.action_object_group \
         LEFT JOIN post op ON op.id = a.action_object_post \
         LEFT JOIN comment oc ON oc.id = a.action_object_comment \
         LEFT JOIN {u} tu ON tu.id = a.target_user LEFT JOIN {g} tg ON tg.id = a.target_group \
         LEFT JOIN post tp ON tp.id = a.target_post \
         WHERE n.recipient = {} ORDER BY n.timestamp DESC, n.action DESC LIMIT {}",
        p(backend, 1),
        PAGE + 1
    )
}

/// The UTC day of `a.timestamp`, and "all of the group's notifications are (seen|read)".
fn day_and_all(backend: DbBackend) -> (&'static str, &'static str, &'static str) {
    match backend {
        DbBackend::Postgres => (
            "CAST(a.timestamp AT TIME ZONE 'UTC' AS date)",
            "bool_and(n.seen_at IS NOT NULL)",
            "bool_and(n.read_at IS NOT NULL)",
        ),
        DbBackend::MySql => (
            "DATE(a.timestamp)",
            "MIN(n.seen_at IS NOT NULL)",
            "MIN(n.read_at IS NOT NULL)",
        ),
        _ => (
            "substr(a.timestamp, 1, 10)",
            "MIN(n.seen_at IS NOT NULL)",
            "MIN(n.read_at IS NOT NULL)",
        ),
    }
}

/// The best hand-written aggregated page found: one GROUP BY over the recipient's inbox
/// (verb, target, UTC day — the sample app's likes have only post targets), newest group
/// first, then the newest action's actor and the target's title for the 21 groups. The
/// newest action of a group is its largest id here (ids grow with time in this data).
fn hand_groups_sql(backend: DbBackend) -> String {
    let (day, seen, read) = day_and_all(backend);
    let u = quote(backend, "user");
    format!(
        "SELECT g.verb, g.actions, g.actors, g.seen, g.is_read, u.username, tp.title, g.newest \
         FROM (SELECT a.verb, a.target_post, {day} AS day, COUNT(*) AS actions, \
               COUNT(DISTINCT a.actor_user) AS actors, MAX(a.timestamp) AS newest, \
               MAX(a.id) AS newest_id, {seen} AS seen, {read} AS is_read \
               FROM stream_notification n JOIN stream_action a ON a.id = n.action \
               WHERE n.recipient = {} GROUP BY a.verb, a.target_post, {day} \
               ORDER BY newest DESC, newest_id DESC LIMIT {}) g \
         JOIN stream_action na ON na.id = g.newest_id \
         LEFT JOIN {u} u ON u.id = na.actor_user LEFT JOIN post tp ON tp.id = g.target_post \
         ORDER BY g.newest DESC, g.newest_id DESC",
        p(backend, 1),
        PAGE + 1
    )
}

/// The hand-written bell: groups with an unseen, and with an unread, notification.
fn hand_group_counts_sql(backend: DbBackend) -> String {
    let (day, seen, read) = day_and_all(backend);
    format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN seen THEN 0 ELSE 1 END), 0) AS {int}) AS unseen, \
         CAST(COALESCE(SUM(CASE WHEN is_read THEN 0 ELSE 1 END), 0) AS {int}) AS unread \
         FROM (SELECT {seen} AS seen, {read} AS is_read \
               FROM stream_notification n JOIN stream_action a ON a.id = n.action \
               WHERE n.recipient = {} GROUP BY a.verb, a.target_post, {day}) g",
        p(backend, 1),
        // MariaDB sums to a DECIMAL.
        int = match backend {
            DbBackend::MySql => "SIGNED",
            _ => "BIGINT",
        },
    )
}

struct Pair {
    library: Vec<Duration>,
    hand: Vec<Duration>,
}

impl Pair {
    fn new() -> Pair {
        Pair {
            library: Vec::new(),
            hand: Vec::new(),
        }
    }

    fn row(self, backend: &str, name: &str, statements: usize) -> String {
        let (library, hand) = (median(self.library), median(self.hand));
        eprintln!("{name}: {} vs {}", ms(library), ms(hand));
        format!(
            "| {backend} | {name} | {statements} | {} | {} | {:.2} |",
            ms(library),
            ms(hand),
            library.as_secs_f64() / hand.as_secs_f64()
        )
    }
}

impl Pair {
    /// `samples` rounds after [`WARM_UP`] unmeasured ones, each timing `library` then `hand`.
    async fn alternate<L, LF, H, HF>(samples: usize, mut library: L, mut hand: H) -> Pair
    where
        L: FnMut() -> LF,
        LF: Future,
        H: FnMut() -> HF,
        HF: Future,
    {
        let mut pair = Pair::new();
        for round in 0..WARM_UP + samples {
            let started = Instant::now();
            std::hint::black_box(library().await);
            let library = started.elapsed();
            let started = Instant::now();
            std::hint::black_box(hand().await);
            let hand = started.elapsed();
            if round >= WARM_UP {
                pair.library.push(library);
                pair.hand.push(hand);
            }
        }
        pair
    }
}

async fn raw(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Vec<QueryResult> {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    db.query_all_raw(statement).await.unwrap()
}

async fn run(admin: Option<&str>, args: &Args) -> Vec<String> {
    let url = connect(admin).await;
    let db = single_connection(&url).await;
    let backend = db.get_database_backend();
    let name = format!("{backend:?}");
    eprintln!("== {name}");
    let users = load_people(&db).await;
    let mut report = vec![
        deliveries(
            &db,
            &users,
            5,
            "one action delivered to 10,000 inboxes (an empty inbox table)",
        )
        .await,
    ];
    // Empty again for the load.
    for table in ["stream_notification", "stream_action"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
    }
    load_inboxes(&db, &users).await;
    let reader = users[42].clone();
    let key = || vec![Value::from(reader.id), Value::from(reader.id)];
    let samples = args.samples;

    // Counts.
    let (counts_sql, expected) = (
        hand_counts_sql(backend),
        notification::Entity::counts(&db, &reader).await.unwrap(),
    );
    let hand = raw(&db, &counts_sql, key()).await;
    let unseen: i64 = hand[0].try_get("", "unseen").unwrap();
    assert_eq!(unseen as u64, expected.unseen);
    assert_eq!((expected.unseen, expected.unread), (50, 75));
    let users_ref = &users;
    let statements_counts = statements(&db, |db| async move {
        notification::Entity::counts(&db, &users_ref[42])
            .await
            .unwrap();
    })
    .await;
    let pair = Pair::alternate(
        samples,
        || async { notification::Entity::counts(&db, &reader).await.unwrap() },
        || async { raw(&db, &counts_sql, key()).await },
    )
    .await;
    report.push(pair.row(&name, "unseen and unread counts", statements_counts));

    // The inbox page.
    let inbox_sql = hand_inbox_sql(backend);
    eprintln!(
        "the library's inbox page: {}",
        notification::Entity::inbox(&reader)
            .page(None, PAGE)
            .select(backend, true)
            .build(backend)
            .sql
    );
    let page = notification::Entity::inbox(&reader)
        .page(None, PAGE)
        .hydrated(&db)
        .await
        .unwrap();
    let hand = raw(&db, &inbox_sql, vec![Value::from(reader.id)]).await;
    let ids: Vec<i64> = hand
        .iter()
        .take(PAGE as usize)
        .map(|r| r.try_get("", "id").unwrap())
        .collect();
    let library_ids: Vec<i64> = page.items.iter().map(|n| n.action.as_ref().id).collect();
    assert_eq!(library_ids, ids, "the same inbox page");
    let statements_inbox = statements(&db, |db| async move {
        notification::Entity::inbox(&users_ref[42])
            .page(None, PAGE)
            .hydrated(&db)
            .await
            .unwrap();
    })
    .await;
    let pair = Pair::alternate(
        samples,
        || async {
            notification::Entity::inbox(&reader)
                .page(None, PAGE)
                .hydrated(&db)
                .await
                .unwrap()
        },
        || async { raw(&db, &inbox_sql, vec![Value::from(reader.id)]).await },
    )
    .await;
    report.push(pair.row(&name, "inbox page (20, hydrated)", statements_inbox));

    // The aggregated inbox page.
    let groups_sql = hand_groups_sql(backend);
    let groups = notification::Entity::inbox(&reader)
        .aggregated()
        .page(None, PAGE)
        .all(&db)
        .await
        .unwrap();
    let hand = raw(&db, &groups_sql, vec![Value::from(reader.id)]).await;
    let hand_sizes: Vec<i64> = hand
        .iter()
        .take(PAGE as usize)
        .map(|r| r.try_get("", "actions").unwrap())
        .collect();
    let library_sizes: Vec<i64> = groups.items.iter().map(|g| g.actions as i64).collect();
    assert_eq!(library_sizes, hand_sizes, "the same groups");
    eprintln!(
        "{} groups on the first page, {} actions in them",
        groups.items.len(),
        library_sizes.iter().sum::<i64>()
    );
    let statements_groups = statements(&db, |db| async move {
        notification::Entity::inbox(&users_ref[42])
            .aggregated()
            .page(None, PAGE)
            .all(&db)
            .await
            .unwrap();
    })
    .await;
    let pair = Pair::alternate(
        samples,
        || async {
            notification::Entity::inbox(&reader)
                .aggregated()
                .page(None, PAGE)
                .all(&db)
                .await
                .unwrap()
        },
        || async { raw(&db, &groups_sql, vec![Value::from(reader.id)]).await },
    )
    .await;
    report.push(pair.row(
        &name,
        "aggregated inbox page (20 groups, 3 newest actors each, hydrated)",
        statements_groups,
    ));

    // The bell: groups unseen and unread.
    let bell_sql = hand_group_counts_sql(backend);
    let bell = notification::Entity::inbox(&reader)
        .aggregated()
        .counts(&db)
        .await
        .unwrap();
    let hand = raw(&db, &bell_sql, vec![Value::from(reader.id)]).await;
    let hand_unseen: i64 = hand[0].try_get("", "unseen").unwrap();
    assert_eq!(bell.unseen as i64, hand_unseen, "the same group counts");
    let pair = Pair::alternate(
        samples,
        || async {
            notification::Entity::inbox(&reader)
                .aggregated()
                .counts(&db)
                .await
                .unwrap()
        },
        || async { raw(&db, &bell_sql, vec![Value::from(reader.id)]).await },
    )
    .await;
    report.push(pair.row(&name, "unseen and unread groups (the bell)", 1));

    // Mark everything seen, and read the new counts: a fresh recipient (50 unseen) each time.
    let mark_sql = format!(
        "UPDATE stream_notification SET seen_at = {} WHERE recipient = {} AND seen_at IS NULL",
        p(backend, 1),
        p(backend, 2)
    );
    let rounds = (WARM_UP + samples).min((USERS - 100) / 2);
    let statements_mark = statements(&db, |db| async move {
        notification::Entity::mark_seen(&db, &users_ref[99], Mark::All)
            .await
            .unwrap();
    })
    .await;
    let mut pair = Pair::new();
    for round in 0..rounds {
        let (mine, theirs) = (&users[100 + 2 * round], &users[101 + 2 * round]);
        let started = Instant::now();
        let counts = notification::Entity::mark_seen(&db, mine, Mark::All)
            .await
            .unwrap();
        let library = started.elapsed();
        assert_eq!(counts.unseen, 0);
        let started = Instant::now();
        let now = stored(backend, Utc::now());
        let values = vec![now, Value::from(theirs.id)];
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            mark_sql.clone(),
            values,
        ))
        .await
        .unwrap();
        std::hint::black_box(
            raw(
                &db,
                &counts_sql,
                vec![Value::from(theirs.id), Value::from(theirs.id)],
            )
            .await,
        );
        let hand = started.elapsed();
        if round >= WARM_UP {
            pair.library.push(library);
            pair.hand.push(hand);
        }
    }
    report.push(pair.row(
        &name,
        "mark all seen (50 rows) and read the counts",
        statements_mark,
    ));

    report.push(
        deliveries(
            &db,
            &users,
            21,
            "one action delivered to 10,000 inboxes (1M notifications there)",
        )
        .await,
    );
    report
}

/// One action delivered to every user but its actor (9,999 inboxes), library and
/// hand-written in turn: the report row, in rows/s.
async fn deliveries(
    db: &DatabaseConnection,
    users: &[user::Model],
    rounds: usize,
    label: &str,
) -> String {
    let backend = db.get_database_backend();
    let name = format!("{backend:?}");
    let actor = users[7].clone();
    let group = test_project::group::Entity::find().one(db).await.unwrap();
    let target = match group {
        Some(group) => group,
        None => {
            insert_rows(
                db,
                &quote(backend, "group"),
                "name",
                1,
                std::iter::once(vec![Value::from("everyone")]),
            )
            .await;
            test_project::group::Entity::find()
                .one(db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let mut pair = Pair::new();
    let mut delivered_statements = 0;
    for round in 0..rounds + 2 {
        let started = Instant::now();
        let sent = action::Entity::send(db, &actor, Verb::Joined)
            .target(&target)
            .notify::<notification::Entity>(users)
            .await
            .unwrap();
        let library = started.elapsed();
        if round == 0 {
            let delivered = notification::Entity::find()
                .filter(<notification::Entity as NotificationEntity>::ACTION.eq(sent.id))
                .count(db)
                .await
                .unwrap();
            // Everyone but the actor.
            assert_eq!(delivered, USERS as u64 - 1);
            let users_ref = users;
            let (actor, target) = (&actor, &target);
            delivered_statements = statements(db, |db| async move {
                action::Entity::send(&db, actor, Verb::Joined)
                    .target(target)
                    .notify::<notification::Entity>(users_ref)
                    .await
                    .unwrap();
            })
            .await;
        }
        let started = Instant::now();
        hand_delivery(db, &actor, &target, users).await;
        let hand = started.elapsed();
        if round >= 2 {
            pair.library.push(library);
            pair.hand.push(hand);
        }
    }
    let (library, hand) = (median(pair.library), median(pair.hand));
    let rate = |d: Duration| (USERS - 1) as f64 / d.as_secs_f64();
    eprintln!(
        "{label}: {:.0} rows/s vs {:.0} rows/s",
        rate(library),
        rate(hand)
    );
    format!(
        "| {name} | {label} | {delivered_statements} | {:.0} rows/s ({}) | {:.0} rows/s ({}) | {:.2} |",
        rate(library),
        ms(library),
        rate(hand),
        ms(hand),
        library.as_secs_f64() / hand.as_secs_f64()
    )
}

/// The hand-written delivery: the action, then its 9,999 notifications (everyone but the
/// actor) in multi-row INSERTs, in one transaction.
async fn hand_delivery(
    db: &DatabaseConnection,
    actor: &user::Model,
    target: &test_project::group::Model,
    users: &[user::Model],
) {
    let backend = db.get_database_backend();
    let txn = db.begin().await.unwrap();
    let now = Utc::now();
    let sql = format!(
        "INSERT INTO stream_action (timestamp, verb, actor_user, target_group) VALUES {}",
        placeholders(backend, 1, 4)
    );
    let values = vec![
        stored(backend, now),
        Value::from("joined"),
        Value::from(actor.id),
        Value::from(target.id),
    ];
    let id = match backend {
        // PostgreSQL reports no insert id: `RETURNING` it.
        DbBackend::Postgres => {
            let sql = format!("{sql} RETURNING id");
            let row = txn
                .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "id").unwrap()
        }
        _ => {
            let done = txn
                .execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .unwrap();
            done.last_insert_id() as i64
        }
    };
    let rows: Vec<&user::Model> = users.iter().filter(|u| u.id != actor.id).collect();
    for chunk in rows.chunks(30_000 / 3) {
        let sql = format!(
            "INSERT INTO stream_notification (recipient, action, timestamp) VALUES {}",
            placeholders(backend, chunk.len(), 3)
        );
        let values: Vec<Value> = chunk
            .iter()
            .flat_map(|u| [Value::from(u.id), Value::from(id), stored(backend, now)])
            .collect();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}
