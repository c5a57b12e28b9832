//! Timelines on Redis: pages served from a timeline are the SQL stream's pages, on a single
//! node and on a 3-master cluster, through fan-out, celebrities, follows, removals, and Redis
//! being slow, killed and restarted — on every backend.
//!
//! The timelines listen to the action entity's process-wide signal, so the tests of this file
//! run one at a time (each on its own database and its own key prefix).

mod common;

use chrono::{Duration as Days, TimeZone, Utc};
use common::TestDb;
use common::redis_servers::{RedisCluster, RedisServer};
use std::time::Duration;
use stream_core::prelude::*;
use stream_core::sea_orm::EntityTrait;
use stream_core::timeline::{Redis, Source, Timelines};
use stream_core::{Cursor, Page, Transaction};
use test_project::{Verb, action, follow, group, user};

common::on_every_backend!(
    pages_from_the_timeline_are_the_sql_pages_on_a_node,
    pages_from_the_timeline_are_the_sql_pages_on_a_cluster,
    fan_out_waits_for_the_commit_on_a_node,
    fan_out_waits_for_the_commit_on_a_cluster,
    celebrities_are_pulled_at_read_time_on_a_node,
    celebrities_are_pulled_at_read_time_on_a_cluster,
    follow_and_unfollow_update_the_timeline_on_a_node,
    follow_and_unfollow_update_the_timeline_on_a_cluster,
    removed_actions_leave_the_timelines_on_a_node,
    removed_actions_leave_the_timelines_on_a_cluster,
    the_consistency_check_finds_drift_on_a_node,
    the_consistency_check_finds_drift_on_a_cluster,
    redis_slow_killed_and_restarted,
    a_cluster_that_stops_answering,
    the_feed_page_says_which_path_served_it,
);

/// One test at a time: every `Timelines` hears every action of the process.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const ROLES: [Role; 3] = [Role::Actor, Role::Target, Role::ActionObject];
const PAGE: u64 = 4;

type Lines = Timelines<action::Entity, follow::Entity>;

/// Where the test's Redis is.
enum On {
    Node(RedisServer),
    Cluster(&'static RedisCluster),
}

impl On {
    fn node() -> On {
        On::Node(RedisServer::start())
    }

    fn cluster() -> On {
        On::Cluster(RedisCluster::shared())
    }

    fn redis(&self) -> Redis {
        match self {
            On::Node(server) => Redis::node(server.url()),
            On::Cluster(cluster) => Redis::cluster(cluster.urls()),
        }
    }

    fn cli(&self, args: &[&str]) -> String {
        match self {
            On::Node(server) => server.cli(args),
            On::Cluster(cluster) => cluster.cli(args),
        }
    }
}

struct Setup {
    db: TestDb,
    on: On,
    lines: Lines,
}

impl Setup {
    async fn new(db: TestDb, on: On, cap: usize, threshold: u64) -> Setup {
        let lines = Lines::builder(db.db.clone(), on.redis())
            .roles(&ROLES)
            .cap(cap)
            .celebrity_threshold(threshold)
            .timeout(Duration::from_millis(300))
            .retry_after(Duration::from_millis(100))
            .prefix(format!("test:{}", db.name))
            .refine(|stream| stream.public_only())
            .start()
            .await
            .expect("a valid address");
        Setup { db, on, lines }
    }

    /// The timeline's entries, as the raw key holds them (markers left out).
    fn entries(&self, follower: &user::Model) -> usize {
        let key = format!("test:{}:tl:{{{}}}", self.db.name, follower.id);
        self.on
            .cli(&["ZLEXCOUNT", &key, "[0", "(~"])
            .parse()
            .expect("a count")
    }

    fn server(&mut self) -> &mut RedisServer {
        match &mut self.on {
            On::Node(server) => server,
            On::Cluster(_) => unreachable!("a single-node test"),
        }
    }

    fn key(&self, follower: &user::Model) -> String {
        format!("test:{}:tl:{{{}}}", self.db.name, follower.id)
    }

    /// Read the first page once (SQL answers it and the timeline is built), and wait for it.
    async fn warm(&self, follower: &user::Model) {
        self.lines.page(follower, None, PAGE).await.unwrap();
        self.lines.settled().await;
    }

    /// Every page of `follower`'s stream through the timelines: ids, cursors, sources.
    async fn walk(&self, follower: &user::Model) -> (Vec<i64>, Vec<Option<Cursor>>, Vec<Source>) {
        let (mut ids, mut cursors, mut sources) = (Vec::new(), Vec::new(), Vec::new());
        let mut cursor = None;
        loop {
            let page = self
                .lines
                .page(follower, cursor.as_ref(), PAGE)
                .await
                .unwrap();
            ids.extend(page.page.items.iter().map(|l| l.action.id));
            cursors.push(page.page.next);
            sources.push(page.source);
            match page.page.next {
                Some(next) => cursor = Some(next),
                None => return (ids, cursors, sources),
            }
        }
    }

    /// Every page of `follower`'s stream from SQL alone: ids, cursors.
    async fn walk_sql(&self, follower: &user::Model) -> (Vec<i64>, Vec<Option<Cursor>>) {
        let (mut ids, mut cursors) = (Vec::new(), Vec::new());
        let mut cursor = None;
        loop {
            let page: Page<action::Loaded> = self
                .lines
                .stream(follower)
                .page(cursor.as_ref(), PAGE)
                .hydrated(&*self.db)
                .await
                .unwrap();
            ids.extend(page.items.iter().map(|l| l.action.id));
            cursors.push(page.next);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return (ids, cursors),
            }
        }
    }

    /// The timelines' walk is the SQL walk; returns the sources of its pages.
    async fn same_as_sql(&self, follower: &user::Model) -> Vec<Source> {
        let (ids, cursors, sources) = self.walk(follower).await;
        let (sql_ids, sql_cursors) = self.walk_sql(follower).await;
        assert_eq!(ids, sql_ids, "sources: {sources:?}");
        assert_eq!(cursors, sql_cursors);
        sources
    }

    async fn first_source(&self, follower: &user::Model) -> Source {
        self.lines.page(follower, None, PAGE).await.unwrap().source
    }
}

fn at(second: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + second, 0).unwrap()
}

async fn send(db: &TestDb, actor: &user::Model, second: i64) -> action::Model {
    action::Entity::send(&**db, actor, Verb::Default)
        .timestamp(at(second))
        .await
        .unwrap()
}

struct People {
    reader: user::Model,
    bob: user::Model,
    dan: user::Model,
    rust: group::Model,
}

async fn people(db: &TestDb) -> People {
    People {
        reader: common::user(db, "reader").await,
        bob: common::user(db, "bob").await,
        dan: common::user(db, "dan").await,
        rust: common::group(db, "rust").await,
    }
}

async fn pages_from_the_timeline_are_the_sql_pages_on_a_node(db: TestDb) {
    pages_from_the_timeline_are_the_sql_pages(db, On::node()).await;
}

async fn pages_from_the_timeline_are_the_sql_pages_on_a_cluster(db: TestDb) {
    pages_from_the_timeline_are_the_sql_pages(db, On::cluster()).await;
}

async fn pages_from_the_timeline_are_the_sql_pages(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, on, 10, 1_000).await;
    let People {
        reader,
        bob,
        dan,
        rust,
    } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    s.lines.follow(&*s.db, &reader, &rust).await.unwrap();
    // 24 actions in the stream, two at each second (the id breaks the tie), some in the
    // group; others not followed, and a private one.
    for i in 0..12 {
        send(&s.db, &bob, i).await;
        action::Entity::send(&*s.db, &dan, Verb::Joined)
            .target(&rust)
            .timestamp(at(i))
            .await
            .unwrap();
        send(&s.db, &dan, i).await;
    }
    action::Entity::send(&*s.db, &bob, Verb::Default)
        .timestamp(at(20))
        .private()
        .await
        .unwrap();

    // Cold: SQL answers, and the timeline is built from it.
    assert_eq!(s.first_source(&reader).await, Source::Sql);
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 10, "capped");
    let sources = s.same_as_sql(&reader).await;
    assert_eq!(sources[..2], [Source::Redis, Source::Redis]);
    assert_eq!(sources[2], Source::RedisThenSql, "10 entries, pages of 4");
    assert!(
        sources[3..].iter().all(|s| *s == Source::Sql),
        "{sources:?}"
    );
    assert!(s.lines.check(&reader, 10).await.unwrap().is_consistent());

    // A new action is fanned out to the top; one older than the timeline holds is not (it
    // would leave a gap), and the walk still finds it in SQL.
    send(&s.db, &bob, 30).await;
    send(&s.db, &bob, -5).await;
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 10);
    assert_eq!(s.first_source(&reader).await, Source::Redis);
    s.same_as_sql(&reader).await;
}

async fn fan_out_waits_for_the_commit_on_a_node(db: TestDb) {
    fan_out_waits_for_the_commit(db, On::node()).await;
}

async fn fan_out_waits_for_the_commit_on_a_cluster(db: TestDb) {
    fan_out_waits_for_the_commit(db, On::cluster()).await;
}

async fn fan_out_waits_for_the_commit(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, on, 1_000, 1_000).await;
    let People { reader, bob, .. } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    send(&s.db, &bob, 1).await;
    s.warm(&reader).await;
    assert_eq!(s.entries(&reader), 1);

    let txn = Transaction::begin(&s.db).await.unwrap();
    action::Entity::send(&txn, &bob, Verb::Default)
        .timestamp(at(2))
        .await
        .unwrap();
    s.lines.settled().await;
    assert_eq!(
        s.entries(&reader),
        1,
        "nothing fanned out before the commit"
    );
    txn.rollback().await.unwrap();
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 1, "nor for a rolled back action");

    let txn = Transaction::begin(&s.db).await.unwrap();
    action::Entity::send(&txn, &bob, Verb::Default)
        .timestamp(at(3))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 2);
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis]);
}

async fn celebrities_are_pulled_at_read_time_on_a_node(db: TestDb) {
    celebrities_are_pulled_at_read_time(db, On::node()).await;
}

async fn celebrities_are_pulled_at_read_time_on_a_cluster(db: TestDb) {
    celebrities_are_pulled_at_read_time(db, On::cluster()).await;
}

async fn celebrities_are_pulled_at_read_time(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    // More than 2 followers: a celebrity.
    let s = Setup::new(db, on, 1_000, 2).await;
    let People {
        reader, bob, dan, ..
    } = people(&s.db).await;
    let star = common::user(&s.db, "star").await;
    let fans = [reader.clone(), dan.clone(), bob.clone()];
    for fan in &fans {
        s.lines.follow(&*s.db, fan, &star).await.unwrap();
    }
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    for fan in &fans {
        s.warm(fan).await;
    }
    for i in 0..5 {
        send(&s.db, &star, i * 2).await;
        send(&s.db, &bob, i * 2 + 1).await;
    }
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 5, "bob's actions alone were fanned out");
    assert_eq!(s.entries(&dan), 0, "the star's actions are not fanned out");
    let sources = s.same_as_sql(&reader).await;
    assert!(sources.iter().all(|s| *s == Source::Redis), "{sources:?}");
    assert_eq!(s.walk(&reader).await.0.len(), 10);
    s.same_as_sql(&dan).await;
    assert!(s.lines.check(&reader, 20).await.unwrap().is_consistent());
}

async fn follow_and_unfollow_update_the_timeline_on_a_node(db: TestDb) {
    follow_and_unfollow_update_the_timeline(db, On::node()).await;
}

async fn follow_and_unfollow_update_the_timeline_on_a_cluster(db: TestDb) {
    follow_and_unfollow_update_the_timeline(db, On::cluster()).await;
}

async fn follow_and_unfollow_update_the_timeline(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, on, 1_000, 1_000).await;
    let People {
        reader,
        bob,
        dan,
        rust,
    } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    for i in 0..3 {
        send(&s.db, &bob, i).await;
        action::Entity::send(&*s.db, &dan, Verb::Joined)
            .target(&rust)
            .timestamp(at(10 + i))
            .await
            .unwrap();
    }
    // In the stream through bob and through the group alike.
    action::Entity::send(&*s.db, &bob, Verb::Joined)
        .target(&rust)
        .timestamp(at(20))
        .await
        .unwrap();
    s.warm(&reader).await;
    assert_eq!(s.entries(&reader), 4);

    // A follow rolled back adds nothing.
    let txn = Transaction::begin(&s.db).await.unwrap();
    assert!(s.lines.follow(&txn, &reader, &rust).await.unwrap());
    txn.rollback().await.unwrap();
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 4);

    // Following the group brings its actions in ..
    let txn = Transaction::begin(&s.db).await.unwrap();
    assert!(s.lines.follow(&txn, &reader, &rust).await.unwrap());
    txn.commit().await.unwrap();
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 7);
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis, Source::Redis]);
    assert!(!s.lines.follow(&*s.db, &reader, &rust).await.unwrap());

    // .. and unfollowing takes out those that only it brought.
    assert!(s.lines.unfollow(&*s.db, &reader, &rust).await.unwrap());
    s.lines.settled().await;
    assert_eq!(s.entries(&reader), 4);
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis]);
    assert!(s.lines.check(&reader, 20).await.unwrap().is_consistent());
}

async fn removed_actions_leave_the_timelines_on_a_node(db: TestDb) {
    removed_actions_leave_the_timelines(db, On::node()).await;
}

async fn removed_actions_leave_the_timelines_on_a_cluster(db: TestDb) {
    removed_actions_leave_the_timelines(db, On::cluster()).await;
}

async fn removed_actions_leave_the_timelines(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, on, 1_000, 1_000).await;
    let People {
        reader, bob, dan, ..
    } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    s.lines.follow(&*s.db, &dan, &bob).await.unwrap();
    let sent: Vec<action::Model> = futures_sent(&s, &bob, 6).await;
    s.warm(&reader).await;
    s.warm(&dan).await;
    assert_eq!((s.entries(&reader), s.entries(&dan)), (6, 6));

    // Retracted through the library: out of every timeline it was in, with nothing asked.
    let retracted = &sent[2];
    assert!(action::Entity::retract(&*s.db, retracted).await.unwrap());
    s.lines.settled().await;
    assert_eq!((s.entries(&reader), s.entries(&dan)), (5, 5));

    // Deleted with plain sea-orm: out when the application says so.
    action::Entity::delete_by_id(sent[4].id)
        .exec(&*s.db)
        .await
        .unwrap();
    s.lines.remove_action(&sent[4]);
    s.lines.settled().await;
    assert_eq!((s.entries(&reader), s.entries(&dan)), (4, 4));

    // A row deleted behind the timelines' back never shows, and leaves the timeline when a
    // page meets it.
    action::Entity::delete_by_id(sent[5].id)
        .exec(&*s.db)
        .await
        .unwrap();
    s.same_as_sql(&reader).await;
    assert_eq!(s.entries(&reader), 3);
    assert_eq!(
        s.lines.page(&reader, None, PAGE).await.unwrap().source,
        Source::Redis
    );
}

async fn futures_sent(s: &Setup, actor: &user::Model, n: i64) -> Vec<action::Model> {
    let mut sent = Vec::new();
    for i in 0..n {
        sent.push(send(&s.db, actor, i).await);
    }
    sent
}

async fn the_consistency_check_finds_drift_on_a_node(db: TestDb) {
    the_consistency_check_finds_drift(db, On::node()).await;
}

async fn the_consistency_check_finds_drift_on_a_cluster(db: TestDb) {
    the_consistency_check_finds_drift(db, On::cluster()).await;
}

async fn the_consistency_check_finds_drift(db: TestDb, on: On) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, on, 1_000, 1_000).await;
    let People { reader, bob, .. } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    let sent = futures_sent(&s, &bob, 5).await;
    assert!(!s.lines.check(&reader, 10).await.unwrap().warm, "cold");
    s.warm(&reader).await;
    let check = s.lines.check(&reader, 10).await.unwrap();
    assert!(check.is_consistent(), "{check:?}");
    assert_eq!(check.compared, 5);

    // An entry lost, and one the SQL stream does not have.
    let key = s.key(&reader);
    let lost = &sent[1];
    let member = |timestamp: chrono::DateTime<Utc>, id: i64| {
        format!(
            "{:016x}{:016x}",
            (timestamp.timestamp_micros() as u64) ^ (1 << 63),
            (id as u64) ^ (1 << 63)
        )
    };
    assert_eq!(
        s.on.cli(&["ZREM", &key, &member(lost.timestamp, lost.id)]),
        "1"
    );
    s.on.cli(&[
        "ZADD",
        &key,
        "0",
        &member(at(3) + Days::milliseconds(1), 999_999),
    ]);
    let check = s.lines.check(&reader, 10).await.unwrap();
    assert!(!check.is_consistent());
    assert_eq!(
        (check.missing, check.unexpected),
        (vec![lost.id], vec![999_999])
    );

    // Dropped, it is rebuilt from SQL.
    assert!(s.lines.forget(&reader).await);
    s.warm(&reader).await;
    assert!(s.lines.check(&reader, 10).await.unwrap().is_consistent());
}

async fn redis_slow_killed_and_restarted(db: TestDb) {
    let _serial = SERIAL.lock().await;
    let mut s = Setup::new(db, On::node(), 1_000, 1_000).await;
    let People { reader, bob, .. } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    futures_sent(&s, &bob, 3).await;
    s.warm(&reader).await;
    assert_eq!(s.first_source(&reader).await, Source::Redis);

    // Stuck: nothing answers. Pages come from SQL within the timeout, never an error, and
    // the timeline that misses a fan-out meanwhile is remembered.
    s.server().pause();
    assert_eq!(s.first_source(&reader).await, Source::Sql);
    assert_eq!(s.same_as_sql(&reader).await, [Source::Sql]);
    send(&s.db, &bob, 10).await;
    s.lines.settled().await;
    s.server().resume();
    tokio::time::sleep(Duration::from_millis(150)).await; // `retry_after`
    // The timeline that missed it is dropped, served from SQL once, and rebuilt.
    assert_eq!(s.first_source(&reader).await, Source::Sql);
    s.lines.settled().await;
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis]);
    assert_eq!(s.entries(&reader), 4);

    // Killed: SQL; restarted empty: rebuilt after the first read.
    s.server().kill();
    assert_eq!(s.same_as_sql(&reader).await, [Source::Sql]);
    send(&s.db, &bob, 11).await;
    s.lines.settled().await;
    s.server().restart();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.first_source(&reader).await, Source::Sql);
    s.lines.settled().await;
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis, Source::Redis]);
    assert_eq!(s.entries(&reader), 5);
    assert!(s.lines.check(&reader, 10).await.unwrap().is_consistent());
}

async fn a_cluster_that_stops_answering(db: TestDb) {
    let _serial = SERIAL.lock().await;
    let s = Setup::new(db, On::cluster(), 1_000, 1_000).await;
    let On::Cluster(cluster) = s.on else {
        unreachable!("a cluster test")
    };
    let People { reader, bob, .. } = people(&s.db).await;
    s.lines.follow(&*s.db, &reader, &bob).await.unwrap();
    futures_sent(&s, &bob, 3).await;
    s.warm(&reader).await;
    assert_eq!(s.first_source(&reader).await, Source::Redis);

    // Every master stuck (for less than the cluster's node timeout, so it does not fail).
    cluster.pause();
    assert_eq!(s.same_as_sql(&reader).await, [Source::Sql]);
    send(&s.db, &bob, 10).await;
    s.lines.settled().await;
    cluster.resume();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.first_source(&reader).await, Source::Sql);
    s.lines.settled().await;
    assert_eq!(s.same_as_sql(&reader).await, [Source::Redis]);
    assert_eq!(s.entries(&reader), 4);
}

/// The answer to a request to the sample application: status, `X-Stream-Source`, body.
async fn request(
    app: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
) -> (u16, String, String) {
    use tower::ServiceExt;
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let source = response
        .headers()
        .get("x-stream-source")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    (status, source, String::from_utf8_lossy(&body).into_owned())
}

async fn feed(app: &axum::Router, of: &user::Model) -> (u16, String, String) {
    let uri = format!("/users/{}/feed", of.id);
    request(
        app,
        axum::http::Request::get(uri)
            .body(Default::default())
            .unwrap(),
    )
    .await
}

/// The `<ol class="stream">` of a page.
fn stream_of(body: &str) -> &str {
    let start = body.find("<ol class=\"stream\"").unwrap_or(body.len());
    let end = body[start..]
        .find("</ol>")
        .map_or(body.len(), |e| start + e);
    &body[start..end]
}

async fn the_feed_page_says_which_path_served_it(db: TestDb) {
    use test_project::web;
    let _serial = SERIAL.lock().await;
    let mut server = RedisServer::start();
    let timelines = web::feed_timelines(db.db.clone(), &server.url())
        .await
        .unwrap();
    let base = stream_core::BaseUrl::new(web::DEFAULT_BASE_URL).unwrap();
    let app = web::router_with(db.db.clone(), base.clone(), Some(timelines.clone()));
    let sql_app = web::router_at(db.db.clone(), base);
    let People { reader, bob, .. } = people(&db).await;
    for i in 0..25 {
        send(&db, &bob, i).await;
    }
    // Follow through the form, as a visitor acting as the reader.
    let follow = axum::http::Request::post("/follow")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("act_as={}", reader.id))
        .body(format!("kind=user&id={}&next=/", bob.id).into())
        .unwrap();
    assert_eq!(request(&app, follow).await.0, 303);

    let (status, source, body) = feed(&app, &reader).await;
    assert_eq!((status, source.as_str()), (200, "sql"), "cold");
    assert!(body.contains("<!-- stream source: sql -->"));
    timelines.settled().await;
    let (status, source, body) = feed(&app, &reader).await;
    assert_eq!((status, source.as_str()), (200, "redis"));
    assert!(body.contains("<!-- stream source: redis -->"));
    let (_, sql_source, sql_body) = feed(&sql_app, &reader).await;
    assert_eq!(sql_source, "sql");
    assert!(stream_of(&body).contains("<li id=\"action-"));
    assert_eq!(stream_of(&body), stream_of(&sql_body));

    // Redis gone: the same page, from SQL, never an error page.
    server.kill();
    let (status, source, down_body) = feed(&app, &reader).await;
    assert_eq!((status, source.as_str()), (200, "sql"));
    assert_eq!(stream_of(&down_body), stream_of(&sql_body));
}
