//! The project's benchmark workload, library beside hand-written SQL.
//!
//! Data: 1,000 users `user{i}`, 50 groups, 5,000 posts (author `users[i % 1000]`) and N
//! actions, action `i` at `t0 + i` seconds by `users[(i * 7919) % 1000]`, by `i % 4`: followed
//! a user, liked a post, commented (target a group, action object a post), joined a group;
//! `users[1]` follows 50 users, and (beyond WORKLOAD.md) `users[2]`, `users[3]` and
//! `users[4]` follow 10, 100 and 1,000 objects, a tenth of them groups. A page is 20 actions,
//! newest first, with every object loaded and shown as `"{actor} {verb} {action_object}
//! {target}"`. Operations: the actor stream of `users[7]`, the target stream of `groups[3]`,
//! the user streams of `users[1]` to `users[4]`, the deep page of the actor stream at item 800
//! (80 at 100k) reached by cursor, 2,000 single sends, and a bulk load of all N actions.
//!
//! ```sh
//! cargo bench -p test-project --features postgres --bench workload -- \
//!     --actions 100000,1000000 --postgres postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! With `--features postgres,mysql` and `--mysql mysql://root@127.0.0.1:3306/test` it also
//! runs on MySQL/MariaDB; `--sqlite-only`, `--postgres-only` and `--mysql-only` run one
//! backend; `--bulk-only` measures the bulk load alone (to see its spread, or to profile it),
//! `--timelines-only` the load and the timelines rows.
//!
//! Timelines on Redis (at `--redis URL`, default `redis://127.0.0.1:6379`; `--no-redis` skips
//! them), measured last so their fan-out task does not run beside the other rows: the user
//! stream pages of `users[1]` to `users[4]` served from their timelines beside the same
//! hand-written SQL, the fan-out of one action to 50,000 followers (entries/s), the send
//! latency of that celebrity pushed and pulled, and Redis memory per timeline entry (the
//! `INFO memory` delta over the entries written).
//!
//! For each backend and size it loads the workload, then measures in one run, alternating
//! library and hand-written SQL through the same sea-orm/sqlx connection (one connection, so
//! both sides run on the same thread or server process): statements per hydrated page,
//! median page latency (actor, target, user stream, deep page reached by cursor — compared
//! with the first page measured in the same loop), single sends per second and bulk actions
//! per second, each with the ratio library / hand-written. Hand-written pages are checked to
//! print the same lines.

use chrono::{DateTime, TimeZone, Utc};
use std::time::{Duration, Instant};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    QueryResult, Statement, TransactionTrait, Value,
};
use stream_core::{Cursor, FollowEntity, NewAction};
use test_project::{Verb, action, follow, group, post, user};

mod support;
use support::{fresh_database, median, ms, placeholders, quote, single_connection, statements};

const USERS: usize = 1_000;
const GROUPS: usize = 50;
const POSTS: usize = 5_000;
const PAGE: u64 = 20;
/// Unmeasured rounds of each page before its samples.
const WARM_UP: usize = 10;

struct Args {
    sizes: Vec<usize>,
    samples: usize,
    postgres: Option<String>,
    mysql: Option<String>,
    sqlite_only: bool,
    postgres_only: bool,
    mysql_only: bool,
    bulk_only: bool,
    timelines_only: bool,
    redis: Option<String>,
}

fn args() -> Args {
    let mut args = Args {
        sizes: vec![100_000],
        samples: 301,
        postgres: std::env::var("STREAM_BENCH_POSTGRES_URL").ok(),
        mysql: std::env::var("STREAM_BENCH_MYSQL_URL").ok(),
        sqlite_only: false,
        postgres_only: false,
        mysql_only: false,
        bulk_only: false,
        timelines_only: false,
        redis: Some("redis://127.0.0.1:6379".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--actions" => {
                let list = it.next().expect("--actions 100000,1000000");
                args.sizes = list
                    .split(',')
                    .map(|n| n.parse().expect("a number"))
                    .collect();
            }
            "--samples" => {
                args.samples = it.next().and_then(|n| n.parse().ok()).expect("--samples N")
            }
            "--postgres" => args.postgres = it.next(),
            "--mysql" => args.mysql = it.next(),
            "--sqlite-only" => args.sqlite_only = true,
            "--postgres-only" => args.postgres_only = true,
            "--mysql-only" => args.mysql_only = true,
            "--bulk-only" => args.bulk_only = true,
            "--timelines-only" => args.timelines_only = true,
            "--redis" => args.redis = it.next(),
            "--no-redis" => args.redis = None,
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
    for &n in &args.sizes {
        if !args.postgres_only && !args.mysql_only {
            report.extend(run(Backend::Sqlite, n, &args).await);
        }
        if !args.sqlite_only && !args.mysql_only {
            match &args.postgres {
                Some(_) if cfg!(feature = "postgres") => {
                    report.extend(run(Backend::Postgres, n, &args).await)
                }
                Some(_) => eprintln!("skipping PostgreSQL: build with `--features postgres`"),
                None => eprintln!("skipping PostgreSQL: pass --postgres URL"),
            }
        }
        if !args.sqlite_only && !args.postgres_only {
            match &args.mysql {
                Some(_) if cfg!(feature = "mysql") => {
                    report.extend(run(Backend::MySql, n, &args).await)
                }
                Some(_) => eprintln!("skipping MariaDB: build with `--features mysql`"),
                None => {}
            }
        }
    }
    println!(
        "\n| backend | actions | operation | statements | library | hand-written | library / hand |"
    );
    println!("|---|---|---|---|---|---|---|");
    for line in report {
        println!("{line}");
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// A pool on a new database of the workload, with its tables, and the database's URL.
async fn connect(backend: Backend, n: usize, args: &Args) -> (DatabaseConnection, String) {
    let url = match backend {
        Backend::Sqlite => {
            let file = std::env::temp_dir().join(format!("stream-bench-{n}.sqlite"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            format!("sqlite://{}?mode=rwc", file.display())
        }
        Backend::Postgres => {
            let url = args.postgres.as_deref().expect("postgres url");
            fresh_database(url, &format!("stream_bench_{n}"), "WITH (FORCE)").await
        }
        Backend::MySql => {
            let url = args.mysql.as_deref().expect("mysql url");
            fresh_database(url, &format!("stream_bench_{n}"), "").await
        }
    };
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false).max_connections(4);
    let db = Database::connect(options).await.expect("connect");
    test_project::create_tables(&db)
        .await
        .expect("create tables");
    (db, url)
}

struct World {
    users: Vec<user::Model>,
    groups: Vec<group::Model>,
    posts: Vec<post::Model>,
}

async fn seed(db: &DatabaseConnection) -> World {
    let txn = db.begin().await.unwrap();
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(5_000) {
        user::Entity::insert_many(chunk.iter().map(|i| user::ActiveModel {
            username: stream_core::sea_orm::Set(format!("user{i}")),
            ..Default::default()
        }))
        .exec(&txn)
        .await
        .unwrap();
    }
    group::Entity::insert_many((0..GROUPS).map(|i| group::ActiveModel {
        name: stream_core::sea_orm::Set(format!("group{i}")),
        ..Default::default()
    }))
    .exec(&txn)
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let users = user::Entity::find().all(db).await.unwrap();
    let txn = db.begin().await.unwrap();
    for chunk in (0..POSTS).collect::<Vec<_>>().chunks(2_000) {
        post::Entity::insert_many(chunk.iter().map(|&i| post::ActiveModel {
            author_id: stream_core::sea_orm::Set(users[i % USERS].id),
            title: stream_core::sea_orm::Set(format!("post{i}")),
            body: stream_core::sea_orm::Set(String::new()),
            ..Default::default()
        }))
        .exec(&txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    let mut world = World {
        users,
        groups: group::Entity::find().all(db).await.unwrap(),
        posts: post::Entity::find().all(db).await.unwrap(),
    };
    world.users.sort_by_key(|u| u.id);
    world.groups.sort_by_key(|g| g.id);
    world.posts.sort_by_key(|p| p.id);
    for k in 0..50 {
        follow::Entity::follow(db, &world.users[1], &world.users[(k * 37 + 3) % USERS])
            .await
            .unwrap();
    }
    for (follower, count) in FOLLOWERS {
        let follower = &world.users[follower];
        for (k, object) in followed_objects(count).into_iter().enumerate() {
            match object {
                Followed::User(i) => follow::Entity::follow(db, follower, &world.users[i]).await,
                Followed::Group(i) => follow::Entity::follow(db, follower, &world.groups[i]).await,
            }
            .unwrap_or_else(|e| panic!("follow {k}: {e}"));
        }
    }
    world
}

/// Beyond the workload: `users[2]`, `users[3]` and `users[4]` follow 10, 100 and 1,000
/// objects, a tenth of them groups (at most the 50 there are) and the rest users, so that
/// their streams span both actor columns (`actor_user`, `actor_group`).
const FOLLOWERS: [(usize, usize); 3] = [(2, 10), (3, 100), (4, 1_000)];

enum Followed {
    User(usize),
    Group(usize),
}

/// The objects a follower of `count` objects follows: `groups[0..count / 10]` (at most 50) and
/// then users `users[(k * 37 + 11) % 1000]`.
fn followed_objects(count: usize) -> Vec<Followed> {
    let groups = (count / 10).min(GROUPS);
    (0..groups)
        .map(Followed::Group)
        .chain((0..count - groups).map(|k| Followed::User((k * 37 + 11) % USERS)))
        .collect()
}

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_600_000_000, 0).unwrap()
}

/// Action `i` of the workload.
fn workload_action(w: &World, i: usize) -> NewAction<action::Entity> {
    let actor = &w.users[(i * 7919) % USERS];
    let action = match i % 4 {
        0 => NewAction::new(actor, Verb::Followed).target(&w.users[(i * 104_729) % USERS]),
        1 => NewAction::new(actor, Verb::Liked).target(&w.posts[(i * 15_485_863) % POSTS]),
        2 => NewAction::new(actor, Verb::Commented)
            .target(&w.groups[i % GROUPS])
            .action_object(&w.posts[(i * 32_452_843) % POSTS]),
        _ => NewAction::new(actor, Verb::Joined).target(&w.groups[(i * 49_979_687) % GROUPS]),
    };
    action.timestamp(t0() + chrono::Duration::seconds(i as i64))
}

/// The same row as `workload_action`, as values for the hand-written INSERT's columns.
fn workload_row(w: &World, i: usize) -> [Value; 7] {
    let actor = w.users[(i * 7919) % USERS].id;
    let null = || Value::Int(None);
    let (verb, target_user, target_group, target_post, object_post) = match i % 4 {
        0 => (
            "followed",
            Value::from(w.users[(i * 104_729) % USERS].id),
            null(),
            null(),
            null(),
        ),
        1 => (
            "liked",
            null(),
            null(),
            Value::from(w.posts[(i * 15_485_863) % POSTS].id),
            null(),
        ),
        2 => (
            "commented",
            null(),
            Value::from(w.groups[i % GROUPS].id),
            null(),
            Value::from(w.posts[(i * 32_452_843) % POSTS].id),
        ),
        _ => (
            "joined",
            null(),
            Value::from(w.groups[(i * 49_979_687) % GROUPS].id),
            null(),
            null(),
        ),
    };
    [
        Value::from(t0() + chrono::Duration::seconds(i as i64)),
        Value::from(verb),
        Value::from(actor),
        target_user,
        target_group,
        target_post,
        object_post,
    ]
}

/// A library page operation: the lines it shows.
type LibraryPage =
    Box<dyn Fn(DatabaseConnection) -> std::pin::Pin<Box<dyn Future<Output = Vec<String>>>>>;

const HAND_COLUMNS: &str =
    "timestamp, verb, actor_user, target_user, target_group, target_post, action_object_post";

async fn hand_bulk(db: &DatabaseConnection, w: &World, n: usize) {
    hand_bulk_range(db, w, 0..n).await
}

/// Workload actions `range`, inserted by hand: one transaction, multi-row INSERTs of as many
/// rows as 30,000 bound values hold.
async fn hand_bulk_range(db: &DatabaseConnection, w: &World, range: std::ops::Range<usize>) {
    let backend = db.get_database_backend();
    let batch = 30_000 / 7;
    let txn = db.begin().await.unwrap();
    let (mut i, n) = (range.start, range.end);
    while i < n {
        let rows = batch.min(n - i);
        let sql = format!(
            "INSERT INTO stream_action ({HAND_COLUMNS}) VALUES {}",
            placeholders(backend, rows, 7)
        );
        let values: Vec<Value> = (i..i + rows).flat_map(|j| workload_row(w, j)).collect();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
        i += rows;
    }
    txn.commit().await.unwrap();
}

/// The hand-written page: one column per object, the one the workload shows, and a join for
/// every model the sample application registers in each role — the workload's actions have no
/// comment, but a feed of this application shows a comment action object, so its join is
/// part of the floor (without it the page is wrong for any data with comments).
fn hand_page_sql(backend: DbBackend, filter: &str, keyset: bool) -> String {
    let (u, g) = (quote(backend, "user"), quote(backend, "group"));
    let keyset = if keyset {
        "AND a.timestamp <= {t} AND (a.timestamp < {t} OR a.id < {id})"
    } else {
        ""
    };
    format!(
        "SELECT a.verb, au.username, ag.name, ou.username, og.name, op.title, oc.body, \
         tu.username, tg.name, tp.title, a.timestamp, a.id \
         FROM stream_action a \
         LEFT JOIN {u} au ON au.id = a.actor_user LEFT JOIN {g} ag ON ag.id = a.actor_group \
         LEFT JOIN {u} ou ON ou.id = a.action_object_user LEFT JOIN {g} og ON og.id = a.action_object_group \
         LEFT JOIN post op ON op.id = a.action_object_post \
         LEFT JOIN comment oc ON oc.id = a.action_object_comment \
         LEFT JOIN {u} tu ON tu.id = a.target_user LEFT JOIN {g} tg ON tg.id = a.target_group \
         LEFT JOIN post tp ON tp.id = a.target_post \
         WHERE {filter} {keyset} ORDER BY a.timestamp DESC, a.id DESC LIMIT {}",
        PAGE + 1
    )
}

fn hand_lines(rows: &[QueryResult]) -> Vec<String> {
    rows.iter()
        .take(PAGE as usize)
        .map(|row| {
            let get =
                |i: usize| -> Option<String> { row.try_get_by_index::<Option<String>>(i).unwrap() };
            let pick = |columns: &[usize]| {
                columns
                    .iter()
                    .find_map(|&i| get(i))
                    .unwrap_or_else(|| "None".into())
            };
            format!(
                "{} {} {} {}",
                get(1).or(get(2)).unwrap_or_default(),
                get(0).unwrap_or_default(),
                pick(&[3, 4, 5, 6]),
                pick(&[7, 8, 9]),
            )
        })
        .collect()
}

fn library_lines(page: &[action::Loaded]) -> Vec<String> {
    page.iter()
        .map(|loaded| {
            let actor = match &loaded.actor {
                action::ActorModel::User(u) => u.username.clone(),
                action::ActorModel::Group(g) => g.name.clone(),
            };
            let object = match &loaded.action_object {
                Some(action::ActionObjectModel::User(u)) => u.username.clone(),
                Some(action::ActionObjectModel::Group(g)) => g.name.clone(),
                Some(action::ActionObjectModel::Post(p)) => p.title.clone(),
                Some(action::ActionObjectModel::Comment(c)) => c.body.clone(),
                None => "None".into(),
            };
            let target = match &loaded.target {
                Some(action::TargetModel::User(u)) => u.username.clone(),
                Some(action::TargetModel::Group(g)) => g.name.clone(),
                Some(action::TargetModel::Post(p)) => p.title.clone(),
                None => "None".into(),
            };
            format!("{actor} {} {object} {target}", loaded.action.verb.slug())
        })
        .collect()
}

async fn run(backend: Backend, n: usize, args: &Args) -> Vec<String> {
    eprintln!("== {backend:?}, {n} actions");
    let (db, url) = connect(backend, n, args).await;
    let sql_backend = db.get_database_backend();
    let world = seed(&db).await;
    let mut report = Vec::new();
    let name = format!("{backend:?}");
    let row = |op: &str, statements: String, lib: String, hand: String, ratio: f64| {
        format!("| {name} | {n} | {op} | {statements} | {lib} | {hand} | {ratio:.2} |")
    };

    // 6. Bulk: hand-written first into the empty table, then emptied, then the library.
    let started = Instant::now();
    hand_bulk(&db, &world, n).await;
    let hand_rate = n as f64 / started.elapsed().as_secs_f64();
    // The hand-written load notified no one: the inbox table is empty, but its foreign key
    // on the actions stops a plain TRUNCATE.
    match backend {
        Backend::Sqlite => {
            db.execute_unprepared("DELETE FROM stream_action")
                .await
                .unwrap();
        }
        Backend::Postgres => {
            db.execute_unprepared("TRUNCATE stream_notification, stream_action RESTART IDENTITY")
                .await
                .unwrap();
        }
        Backend::MySql => {
            // One connection for the session variable.
            let txn = db.begin().await.unwrap();
            for sql in [
                "SET FOREIGN_KEY_CHECKS = 0",
                "TRUNCATE TABLE stream_action",
                "SET FOREIGN_KEY_CHECKS = 1",
            ] {
                txn.execute_unprepared(sql).await.unwrap();
            }
            txn.commit().await.unwrap();
        }
    }
    let started = Instant::now();
    let stored = action::Entity::send_many(&db, (0..n).map(|i| workload_action(&world, i)))
        .await
        .unwrap();
    assert_eq!(stored as usize, n);
    let lib_rate = n as f64 / started.elapsed().as_secs_f64();
    eprintln!("bulk: library {lib_rate:.0}/s, hand-written {hand_rate:.0}/s");
    report.push(row(
        "bulk load",
        match backend {
            Backend::Sqlite => {
                "1 INSERT per 2,500 rows (staged), 1 INSERT .. SELECT, indexes rebuilt".into()
            }
            _ => "1 INSERT per 2,500 rows".into(),
        },
        format!("{lib_rate:.0} actions/s"),
        format!("{hand_rate:.0} actions/s"),
        hand_rate / lib_rate,
    ));
    if args.bulk_only {
        return report;
    }
    db.execute_unprepared(match backend {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::MySql => "ANALYZE TABLE stream_action, stream_follow, `user`, `group`, post",
    })
    .await
    .unwrap();
    if backend == Backend::Postgres {
        // Write the load's dirty pages out now: otherwise the checkpointer spreads them over
        // the next minutes, on the same two cores as the pages measured below. Needs a
        // superuser or `pg_checkpoint`; without it the pages are measured regardless.
        if let Err(e) = db.execute_unprepared("CHECKPOINT").await {
            eprintln!("CHECKPOINT failed ({e}); measuring with the load's pages still dirty");
        }
    }

    if args.timelines_only {
        if let Some(redis) = &args.redis {
            report.extend(timeline_rows(backend, n, &url, &world, redis, args.samples, &row).await);
        }
        return report;
    }

    // Pages and sends: one connection for both sides.
    let db = single_connection(&url).await;
    let u7 = world.users[7].clone();
    let g3 = world.groups[3].clone();
    let u1 = world.users[1].clone();
    let deep_at = if n >= 1_000_000 { 800 } else { 80 };
    // The deep page is reached the way a client pages: cursor after cursor.
    let mut cursor: Option<Cursor> = None;
    for _ in 0..deep_at / PAGE as usize {
        cursor = action::Entity::for_actor(&u7)
            .page(cursor.as_ref(), PAGE)
            .all(&db)
            .await
            .unwrap()
            .next;
    }
    let deep = cursor.expect("the actor stream has more than the deep page");
    let p = |i: usize| match sql_backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".into(),
    };
    struct Op {
        name: &'static str,
        library: LibraryPage,
        sql: String,
        values: Vec<Value>,
    }
    let keyset = hand_page_sql(sql_backend, &format!("a.actor_user = {}", p(1)), true)
        .replace("{t}", &p(2))
        .replace("{id}", &p(3));
    // PostgreSQL reuses `$2` for both timestamp comparisons.
    let user_stream = |name: &'static str, follower: &user::Model| {
        let (id, follower) = (follower.id, follower.clone());
        Op {
            name,
            library: Box::new(move |db| {
                let follower = follower.clone();
                Box::pin(async move {
                    let page = action::Entity::followed_by::<follow::Entity>(&follower)
                        .page(None, PAGE)
                        .hydrated(&db)
                        .await
                        .unwrap();
                    library_lines(&page.items)
                })
            }),
            // By hand, the shape that stays flat on SQLite: one limited page of ids per actor
            // column, merged (the obvious `actor_user IN (..) OR actor_group IN (..)` is the
            // 50-follow row's hand-written page; at a million actions it takes seconds here).
            sql: hand_page_sql(
                sql_backend,
                &format!(
                    "a.id IN (SELECT id FROM (SELECT s.id FROM stream_action s WHERE s.actor_user \
                     IN (SELECT followed_user FROM stream_follow WHERE follower = {}) \
                     ORDER BY s.timestamp DESC, s.id DESC LIMIT {limit}) AS u UNION ALL \
                     SELECT id FROM (SELECT s.id FROM stream_action s WHERE s.actor_group \
                     IN (SELECT followed_group FROM stream_follow WHERE follower = {}) \
                     ORDER BY s.timestamp DESC, s.id DESC LIMIT {limit}) AS g)",
                    p(1),
                    p(2),
                    limit = PAGE + 1,
                ),
                false,
            ),
            values: vec![id.into(), id.into()],
        }
    };
    let mut ops = vec![
        Op {
            name: "actor stream page",
            library: Box::new({
                let u7 = u7.clone();
                move |db| {
                    let u7 = u7.clone();
                    Box::pin(async move {
                        let page = action::Entity::for_actor(&u7)
                            .page(None, PAGE)
                            .hydrated(&db)
                            .await
                            .unwrap();
                        library_lines(&page.items)
                    })
                }
            }),
            sql: hand_page_sql(sql_backend, &format!("a.actor_user = {}", p(1)), false),
            values: vec![u7.id.into()],
        },
        Op {
            name: "target stream page",
            library: Box::new({
                let g3 = g3.clone();
                move |db| {
                    let g3 = g3.clone();
                    Box::pin(async move {
                        let page = action::Entity::for_target(&g3)
                            .page(None, PAGE)
                            .hydrated(&db)
                            .await
                            .unwrap();
                        library_lines(&page.items)
                    })
                }
            }),
            sql: hand_page_sql(sql_backend, &format!("a.target_group = {}", p(1)), false),
            values: vec![g3.id.into()],
        },
        Op {
            name: "user stream page",
            library: Box::new({
                let u1 = u1.clone();
                move |db| {
                    let u1 = u1.clone();
                    Box::pin(async move {
                        let page = action::Entity::followed_by::<follow::Entity>(&u1)
                            .page(None, PAGE)
                            .hydrated(&db)
                            .await
                            .unwrap();
                        library_lines(&page.items)
                    })
                }
            }),
            sql: hand_page_sql(
                sql_backend,
                &format!(
                    "a.actor_user IN (SELECT followed_user FROM stream_follow WHERE follower = {})",
                    p(1)
                ),
                false,
            ),
            values: vec![u1.id.into()],
        },
        Op {
            name: "deep page (cursor)",
            library: Box::new({
                let u7 = u7.clone();
                move |db| {
                    let u7 = u7.clone();
                    Box::pin(async move {
                        let page = action::Entity::for_actor(&u7)
                            .page(Some(&deep), PAGE)
                            .hydrated(&db)
                            .await
                            .unwrap();
                        library_lines(&page.items)
                    })
                }
            }),
            sql: keyset,
            values: match sql_backend {
                DbBackend::Postgres => {
                    vec![u7.id.into(), deep.timestamp().into(), deep.id().into()]
                }
                // `?` placeholders are positional: the timestamp is bound twice.
                _ => vec![
                    u7.id.into(),
                    deep.timestamp().into(),
                    deep.timestamp().into(),
                    deep.id().into(),
                ],
            },
        },
    ];
    let names = [
        "user stream page, 10 follows",
        "user stream page, 100 follows",
        "user stream page, 1,000 follows",
    ];
    for ((follower, _), name) in FOLLOWERS.into_iter().zip(names) {
        ops.push(user_stream(name, &world.users[follower]));
    }
    // The deep page is compared with the first page of the same stream measured in the same
    // loop, so that drift between operations does not enter the ratio.
    let first_page = &ops
        .iter()
        .find(|op| op.name == "actor stream page")
        .expect("the actor stream is measured")
        .library;
    for op in &ops {
        let hand = || {
            let (db, sql, values) = (db.clone(), op.sql.clone(), op.values.clone());
            async move {
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(sql_backend, sql, values))
                    .await
                    .unwrap();
                hand_lines(&rows)
            }
        };
        let lib_lines = (op.library)(db.clone()).await;
        assert_eq!(
            lib_lines,
            hand().await,
            "{}: library and hand-written pages differ",
            op.name
        );
        assert_eq!(lib_lines.len(), PAGE as usize, "{}", op.name);
        let statements = statements(&db, |db| async move {
            (op.library)(db).await;
        })
        .await;
        let deep = op.name.starts_with("deep");
        // Unmeasured rounds first: PostgreSQL plans a prepared statement afresh for each of
        // its first five executions (milliseconds for a ten-table join) before it settles
        // on a generic plan, and an application's feed statements are long past that.
        for _ in 0..WARM_UP {
            std::hint::black_box((op.library)(db.clone()).await);
            std::hint::black_box(hand().await);
        }
        let (mut lib, mut handwritten, mut first) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..args.samples {
            let started = Instant::now();
            std::hint::black_box((op.library)(db.clone()).await);
            lib.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(hand().await);
            handwritten.push(started.elapsed());
            if deep {
                let started = Instant::now();
                std::hint::black_box(first_page(db.clone()).await);
                first.push(started.elapsed());
            }
        }
        let (lib, handwritten) = (median(lib), median(handwritten));
        let mut name = op.name.to_string();
        if deep {
            let first = median(first);
            name = format!(
                "deep page at item {deep_at} (cursor; {:.2}× the first page)",
                lib.as_secs_f64() / first.as_secs_f64()
            );
        }
        eprintln!("{name}: {} vs {}", ms(lib), ms(handwritten));
        report.push(row(
            &name,
            statements.to_string(),
            ms(lib),
            ms(handwritten),
            lib.as_secs_f64() / handwritten.as_secs_f64(),
        ));
    }

    // 5. Sends: 2,000 through the public API, each its own transaction, alternating in
    // blocks with the same number of hand-written single-row INSERTs, each side first in
    // every other block: after a bulk load whose indexes were built in one go (full pages),
    // the first insert into each page splits it, and the side that always went first paid
    // for most splits.
    let insert = format!(
        "INSERT INTO stream_action ({HAND_COLUMNS}) VALUES {} RETURNING id",
        placeholders(sql_backend, 1, 7)
    );
    let (mut lib, mut hand) = (Duration::ZERO, Duration::ZERO);
    for block in 0..20 {
        for library_turn in [block % 2 == 0, block % 2 == 1] {
            let started = Instant::now();
            if library_turn {
                for i in 0..100 {
                    let k = n + block * 100 + i;
                    action::Entity::create(&db, workload_action(&world, k))
                        .await
                        .unwrap();
                }
                lib += started.elapsed();
            } else {
                for i in 0..100 {
                    let k = n + 2_000 + block * 100 + i;
                    db.query_one_raw(Statement::from_sql_and_values(
                        sql_backend,
                        insert.clone(),
                        workload_row(&world, k),
                    ))
                    .await
                    .unwrap();
                }
                hand += started.elapsed();
            }
        }
    }
    let (lib_rate, hand_rate) = (2_000.0 / lib.as_secs_f64(), 2_000.0 / hand.as_secs_f64());
    let send_statements = statements(&db, |db| {
        let w = &world;
        async move {
            action::Entity::create(&db, workload_action(w, n + 4_000))
                .await
                .unwrap();
        }
    })
    .await;
    eprintln!("send: library {lib_rate:.0}/s, hand-written {hand_rate:.0}/s");
    report.push(row(
        "send (one by one)",
        send_statements.to_string(),
        format!("{lib_rate:.0} actions/s"),
        format!("{hand_rate:.0} actions/s"),
        hand_rate / lib_rate,
    ));

    // 7. Bulk with a signal subscriber: the library must read every row back (`RETURNING`)
    // to hand it on. 4 blocks of 10,000 actions into the loaded table, library and
    // hand-written (plain multi-row INSERTs, no rows read back) alternating, each first in
    // every other pair.
    let mut subscription = action::Entity::signal().subscribe();
    let received = tokio::spawn(async move {
        let mut count = 0usize;
        while let Some(_action) = subscription.recv().await {
            count += 1;
            if count == 20_000 {
                break;
            }
        }
        count
    });
    let (mut lib, mut hand) = (Duration::ZERO, Duration::ZERO);
    const BLOCK: usize = 10_000;
    for block in 0..4 {
        let base = n + 10_000 + block * BLOCK;
        let started = Instant::now();
        if block % 3 == 0 {
            hand_bulk_range(&db, &world, base..base + BLOCK).await;
            hand += started.elapsed();
        } else {
            let stored = action::Entity::send_many(
                &db,
                (base..base + BLOCK).map(|i| workload_action(&world, i)),
            )
            .await
            .unwrap();
            assert_eq!(stored as usize, BLOCK);
            lib += started.elapsed();
        }
    }
    assert_eq!(
        received.await.unwrap(),
        2 * BLOCK,
        "every action signalled once"
    );
    let (lib_rate, hand_rate) = (
        2.0 * BLOCK as f64 / lib.as_secs_f64(),
        2.0 * BLOCK as f64 / hand.as_secs_f64(),
    );
    eprintln!("bulk, subscribed: library {lib_rate:.0}/s, hand-written {hand_rate:.0}/s");
    report.push(row(
        "bulk load of 10,000, signal subscribed",
        match backend {
            Backend::Sqlite => {
                "1 INSERT per 2,500 rows (staged), 1 INSERT .. SELECT .. RETURNING".into()
            }
            _ => "1 INSERT .. RETURNING per 2,500 rows".into(),
        },
        format!("{lib_rate:.0} actions/s"),
        format!("{hand_rate:.0} actions/s"),
        hand_rate / lib_rate,
    ));
    if let Some(redis) = &args.redis {
        report.extend(timeline_rows(backend, n, &url, &world, redis, args.samples, &row).await);
    }
    report
}

/// The timelines rows: pages from Redis beside hand-written SQL, fan-out, the celebrity's
/// send, memory per entry.
async fn timeline_rows(
    backend: Backend,
    n: usize,
    url: &str,
    world: &World,
    redis_url: &str,
    samples: usize,
    row: &dyn Fn(&str, String, String, String, f64) -> String,
) -> Vec<String> {
    use stream_core::sea_orm::{ColumnTrait, QueryFilter};
    use stream_core::timeline::{Redis, Source, Timelines};
    let mut report = Vec::new();
    let client = redis::Client::open(redis_url).expect("a Redis URL");
    let Ok(mut raw) = client.get_multiplexed_async_connection().await else {
        eprintln!("skipping the timelines: no Redis at {redis_url}");
        return report;
    };
    let prefix = format!("bench:{backend:?}:{n}:{}", std::process::id());
    let used_memory = |mut raw: redis::aio::MultiplexedConnection| async move {
        let info: String = redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut raw)
            .await
            .unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .expect("used_memory")
    };
    let db = single_connection(url).await;
    let sql_backend = db.get_database_backend();
    let lines_db = single_connection(url).await;
    let start = |threshold: u64| {
        Timelines::<action::Entity, follow::Entity>::builder(
            lines_db.clone(),
            Redis::node(redis_url),
        )
        .prefix(prefix.clone())
        .celebrity_threshold(threshold)
        .timeout(Duration::from_secs(5))
        .start()
    };
    let timelines = start(100_000).await.unwrap();
    let p = |i: usize| match sql_backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".into(),
    };

    // Pages: users[1] (50 follows) and users[2..4] (10, 100, 1,000), timelines built first.
    let before = used_memory(raw.clone()).await;
    let followers = [(1, 50), (2, 10), (3, 100), (4, 1_000)];
    let mut entries = 0;
    for (follower, _) in followers {
        let u = &world.users[follower];
        timelines.page(u, None, PAGE).await.unwrap();
        timelines.settled().await;
        entries += timelines.check(u, 1_000).await.unwrap().compared;
    }
    let after = used_memory(raw.clone()).await;
    report.push(row(
        "Redis memory per timeline entry (4 timelines of 1,000)",
        "INFO used_memory delta / entries".into(),
        format!("{:.0} bytes", (after - before) as f64 / entries as f64),
        "—".into(),
        f64::NAN,
    ));
    for (follower, follows) in followers {
        let u = world.users[follower].clone();
        // The best hand-written page of each backend (see BENCHMARKS.md): on SQLite one
        // limited page per actor column merged by id, elsewhere the plain condition.
        let filter = match sql_backend {
            DbBackend::Sqlite => format!(
                "a.id IN (SELECT id FROM (SELECT s.id FROM stream_action s WHERE s.actor_user \
                 IN (SELECT followed_user FROM stream_follow WHERE follower = {}) \
                 ORDER BY s.timestamp DESC, s.id DESC LIMIT {limit}) AS u UNION ALL \
                 SELECT id FROM (SELECT s.id FROM stream_action s WHERE s.actor_group \
                 IN (SELECT followed_group FROM stream_follow WHERE follower = {}) \
                 ORDER BY s.timestamp DESC, s.id DESC LIMIT {limit}) AS g)",
                p(1),
                p(2),
                limit = PAGE + 1,
            ),
            _ => format!(
                "(a.actor_user IN (SELECT followed_user FROM stream_follow WHERE follower = {}) \
                 OR a.actor_group IN (SELECT followed_group FROM stream_follow WHERE follower = {}))",
                p(1),
                p(2),
            ),
        };
        let hand_sql = hand_page_sql(sql_backend, &filter, false);
        let values: Vec<Value> = vec![u.id.into(), u.id.into()];
        let hand = || {
            let (db, sql, values) = (db.clone(), hand_sql.clone(), values.clone());
            async move {
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(sql_backend, sql, values))
                    .await
                    .unwrap();
                hand_lines(&rows)
            }
        };
        let from_redis = timelines.page(&u, None, PAGE).await.unwrap();
        assert_eq!(from_redis.source, Source::Redis);
        assert_eq!(library_lines(&from_redis.page.items), hand().await);
        let sql_page = || async {
            action::Entity::followed_by::<follow::Entity>(&u)
                .page(None, PAGE)
                .hydrated(&db)
                .await
                .unwrap()
        };
        for _ in 0..WARM_UP {
            std::hint::black_box(timelines.page(&u, None, PAGE).await.unwrap());
            std::hint::black_box(hand().await);
            std::hint::black_box(sql_page().await);
        }
        let (mut lib, mut handwritten, mut sql) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..samples {
            let started = Instant::now();
            std::hint::black_box(timelines.page(&u, None, PAGE).await.unwrap());
            lib.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(hand().await);
            handwritten.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(sql_page().await);
            sql.push(started.elapsed());
        }
        let (lib, handwritten, sql) = (median(lib), median(handwritten), median(sql));
        let name = format!(
            "user stream page via Redis, {follows} follows (the SQL page: {})",
            ms(sql)
        );
        eprintln!("{name}: {} vs {}", ms(lib), ms(handwritten));
        report.push(row(
            &name,
            "1 round trip + 1".into(),
            ms(lib),
            ms(handwritten),
            lib.as_secs_f64() / handwritten.as_secs_f64(),
        ));
    }

    // A celebrity followed by 50,000 new users, whose timelines are warm and empty.
    const FANS: usize = 50_000;
    let txn = db.begin().await.unwrap();
    let first_fan = world.users.len() + 1_000_000;
    for chunk in (0..FANS).collect::<Vec<_>>().chunks(5_000) {
        user::Entity::insert_many(chunk.iter().map(|i| user::ActiveModel {
            username: stream_core::sea_orm::Set(format!("fan{}", first_fan + i)),
            ..Default::default()
        }))
        .exec(&txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    let fans = user::Entity::find()
        .filter(user::Column::Username.starts_with("fan"))
        .all(&db)
        .await
        .unwrap();
    let star = world.users[999].clone();
    let txn = db.begin().await.unwrap();
    for fan in &fans {
        follow::Entity::follow(&txn, fan, &star).await.unwrap();
    }
    txn.commit().await.unwrap();
    // Statistics for the 50,000 new follows, as autovacuum would gather them: with the load's
    // (one follower per followed user) PostgreSQL reads a fan's follow row through the
    // celebrity's 50,000 rather than the fan's own.
    db.execute_unprepared(match sql_backend {
        DbBackend::MySql => "ANALYZE TABLE stream_follow",
        _ => "ANALYZE stream_follow",
    })
    .await
    .unwrap();
    let mut pipe = redis::pipe();
    for fan in &fans {
        pipe.cmd("ZADD")
            .arg(format!("{prefix}:tl:{{{}}}", fan.id))
            .arg(0)
            .arg("~")
            .arg(0)
            .arg("!")
            .ignore();
    }
    pipe.query_async::<()>(&mut raw).await.unwrap();

    // Pushed: each send returns at once; the fan-out of its 50,000 entries follows.
    let before = used_memory(raw.clone()).await;
    let (mut send_latency, mut fan_out) = (Vec::new(), Vec::new());
    for k in 0..20 {
        let started = Instant::now();
        action::Entity::create(
            &db,
            NewAction::new(&star, Verb::Followed).target(&world.users[k]),
        )
        .await
        .unwrap();
        send_latency.push(started.elapsed());
        timelines.settled().await;
        fan_out.push(started.elapsed());
    }
    let after = used_memory(raw.clone()).await;
    let fan_out = median(fan_out);
    report.push(row(
        "fan-out of one action to 50,000 warm timelines",
        "1 COUNT + 1 SELECT, 50,000 EVALSHA (512 in flight)".into(),
        format!("{:.0} entries/s", FANS as f64 / fan_out.as_secs_f64()),
        "—".into(),
        f64::NAN,
    ));
    report.push(row(
        "Redis memory per timeline entry (50,000 timelines of 20)",
        "INFO used_memory delta / entries".into(),
        format!("{:.0} bytes", (after - before) as f64 / (20 * FANS) as f64),
        "—".into(),
        f64::NAN,
    ));
    report.push(row(
        "celebrity's send (50,000 followers, pushed)",
        format!("fan-out done after {}", ms(fan_out)),
        ms(median(send_latency)),
        "—".into(),
        f64::NAN,
    ));
    drop(timelines);

    // Pulled: above the threshold, the action is not fanned out.
    let timelines = start(10_000).await.unwrap();
    let (mut send_latency, mut settled) = (Vec::new(), Vec::new());
    for k in 0..20 {
        let started = Instant::now();
        action::Entity::create(
            &db,
            NewAction::new(&star, Verb::Followed).target(&world.users[k]),
        )
        .await
        .unwrap();
        send_latency.push(started.elapsed());
        timelines.settled().await;
        settled.push(started.elapsed());
    }
    report.push(row(
        "celebrity's send (50,000 followers, pulled: threshold 10,000)",
        format!("background work done after {}", ms(median(settled))),
        ms(median(send_latency)),
        "—".into(),
        f64::NAN,
    ));
    let fan = fans[0].clone();
    timelines.page(&fan, None, PAGE).await.unwrap();
    timelines.settled().await;
    let page = timelines.page(&fan, None, PAGE).await.unwrap();
    assert_eq!(page.source, Source::Redis);
    let sql = action::Entity::followed_by::<follow::Entity>(&fan)
        .page(None, PAGE)
        .hydrated(&db)
        .await
        .unwrap();
    assert_eq!(library_lines(&page.page.items), library_lines(&sql.items));
    let mut lib = Vec::new();
    let mut by_sql = Vec::new();
    for _ in 0..samples {
        let started = Instant::now();
        std::hint::black_box(timelines.page(&fan, None, PAGE).await.unwrap());
        lib.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(
            action::Entity::followed_by::<follow::Entity>(&fan)
                .page(None, PAGE)
                .hydrated(&db)
                .await
                .unwrap(),
        );
        by_sql.push(started.elapsed());
    }
    let (lib, by_sql) = (median(lib), median(by_sql));
    report.push(row(
        "a fan's page via Redis, the celebrity pulled (vs the library's SQL page)",
        "1 round trip + 2".into(),
        ms(lib),
        ms(by_sql),
        lib.as_secs_f64() / by_sql.as_secs_f64(),
    ));
    // Leave Redis as found.
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut raw)
        .await
        .unwrap_or_default();
    while !keys.is_empty() {
        let batch: Vec<String> = keys.drain(..keys.len().min(10_000)).collect();
        let _: () = redis::cmd("DEL")
            .arg(batch)
            .query_async(&mut raw)
            .await
            .unwrap();
    }
    report
}
