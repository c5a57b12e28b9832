//! Live events across processes: an action committed by one process reaches the signal of
//! another process on the same database, once, after its commit — through PostgreSQL
//! `LISTEN/NOTIFY` on PostgreSQL and Redis pub/sub on SQLite and MariaDB.
//!
//! The other process is real: this test binary started again, running only [`peer`], which
//! takes commands on its standard input and reports on its standard output what it sent and
//! what its signal delivered. The Redis servers are the tests' own, started on free loopback
//! ports, so that a test can stop and restart one.

mod common;

use common::redis_servers::RedisServer;
use common::{Backend, TestDb};
use std::io::{BufRead, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use stream_core::bridge::Bridge;
use stream_core::prelude::*;
use stream_core::sea_orm::{DatabaseConnection, EntityTrait};
use stream_core::{Event, Events, NewAction, StreamError, Subscription, Transaction};
use test_project::{Verb, action, user};

common::on_every_backend!(
    an_action_reaches_the_other_process_once_and_never_comes_back,
    a_rolled_back_action_reaches_no_process,
    a_bulk_load_arrives_whole_in_one_query_per_message,
    an_unreachable_redis_fails_the_start_and_the_signal_keeps_working,
    a_restarted_redis_is_reconnected_and_later_actions_arrive,
    a_running_tail_reads_back_what_it_missed_once_the_bridge_listens_again,
    a_retraction_reaches_the_other_process_once,
);
common::on_every_backend!(empty: two_sample_app_processes_share_their_live_pages);

/// The signal and the bridges' relay are one per process: tests that start bridges take
/// turns, or one test's bridge would publish another test's actions on its channel.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a test waits for something that must happen before it calls it a failure (a
/// hang guard, not a measurement: everything here takes milliseconds).
const PATIENCE: Duration = Duration::from_secs(60);

/// Which transport a test's bridges use.
#[derive(Clone, Debug)]
enum Transport {
    Postgres,
    Redis(String),
}

impl Transport {
    /// LISTEN/NOTIFY on PostgreSQL, Redis pub/sub elsewhere (`redis` must be running then).
    fn for_backend(backend: Backend, redis: Option<&RedisServer>) -> Transport {
        match (backend, redis) {
            (Backend::Postgres, None) => Transport::Postgres,
            (_, Some(redis)) => Transport::Redis(redis.url()),
            (_, None) => panic!("{backend:?} needs a Redis server"),
        }
    }

    fn as_arg(&self) -> String {
        match self {
            Transport::Postgres => "postgres".into(),
            Transport::Redis(url) => url.clone(),
        }
    }

    async fn start(&self, db: &DatabaseConnection) -> Result<Bridge, StreamError> {
        match self {
            #[cfg(feature = "postgres")]
            Transport::Postgres => Bridge::postgres::<action::Entity>(db).await,
            #[cfg(not(feature = "postgres"))]
            Transport::Postgres => unreachable!("PostgreSQL tests need `--features postgres`"),
            Transport::Redis(url) => Bridge::redis::<action::Entity>(db, url).await,
        }
    }
}

/// The other process: this test binary running [`peer`] on the same database.
struct Peer {
    process: Child,
    input: ChildStdin,
    lines: mpsc::Receiver<String>,
    /// Ids its signal delivered, in order, as reported so far.
    got: Vec<i64>,
    /// Ids of the retractions its live events delivered, in order, as reported so far.
    gone: Vec<i64>,
}

impl Peer {
    fn start(db: &TestDb, transport: &Transport) -> Peer {
        let mut process = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                "peer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("STREAM_BRIDGE_PEER_DATABASE", &db.url)
            .env("STREAM_BRIDGE_PEER_TRANSPORT", transport.as_arg())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the peer process");
        let input = process.stdin.take().expect("stdin");
        let output = process.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(output).lines() {
                let Ok(line) = line else { break };
                // The test harness may print `test peer ... ` before it, on the same line.
                if let Some((_, said)) = line.split_once("peer: ")
                    && sender.send(said.to_owned()).is_err()
                {
                    break;
                }
            }
        });
        let mut peer = Peer {
            process,
            input,
            lines,
            got: Vec::new(),
            gone: Vec::new(),
        };
        peer.expect("ready");
        peer
    }

    fn tell(&mut self, command: &str) {
        writeln!(self.input, "{command}").expect("the peer is running");
        self.input.flush().expect("the peer is running");
    }

    /// Read what the peer says up to its next line starting with `word`, recording its
    /// deliveries on the way; the rest of that line.
    fn expect(&mut self, word: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("the peer never said `{word}`"));
            let (said, rest) = line.split_once(' ').unwrap_or((&line, ""));
            if said == "got" {
                self.got.push(rest.parse().expect("an id"));
            } else if said == "gone" {
                self.gone.push(rest.parse().expect("an id"));
            } else if said == "error" {
                panic!("the peer failed: {rest}");
            }
            if said == word {
                return rest.to_owned();
            }
        }
    }

    /// Have the peer send actions and return their ids.
    fn send(&mut self, command: &str) -> Vec<i64> {
        self.tell(command);
        ids(&self.expect("sent"))
    }

    /// Wait until the peer's signal has delivered `id`.
    fn wait_for(&mut self, id: i64) {
        self.tell(&format!("wait {id}"));
        self.expect("seen");
    }

    /// Wait until the peer's live events have delivered the retraction of `id`.
    fn wait_for_retraction(&mut self, id: i64) {
        self.tell(&format!("wait-gone {id}"));
        self.expect("seen");
    }

    /// Stop the peer; every id its signal delivered.
    fn quit(self) -> Vec<i64> {
        self.quit_with_retractions().0
    }

    /// Stop the peer; every id its signal delivered, and every retraction.
    fn quit_with_retractions(mut self) -> (Vec<i64>, Vec<i64>) {
        self.tell("quit");
        self.expect("bye");
        let _ = self.process.wait();
        (
            std::mem::take(&mut self.got),
            std::mem::take(&mut self.gone),
        )
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn ids(list: &str) -> Vec<i64> {
    list.split(',')
        .filter(|id| !id.is_empty())
        .map(|id| id.parse().expect("an id"))
        .collect()
}

/// The next action the signal delivers, within [`PATIENCE`].
async fn next_id(subscription: &mut Subscription<action::Entity>) -> i64 {
    let action = tokio::time::timeout(PATIENCE, subscription.recv())
        .await
        .expect("an action arrived")
        .expect("the signal lives");
    action.id
}

/// Everything the signal has delivered and not yet been read, without waiting.
fn drain(subscription: &mut Subscription<action::Entity>) -> Vec<i64> {
    std::iter::from_fn(|| subscription.try_recv().map(|action| action.id)).collect()
}

async fn send(db: &DatabaseConnection, actor: &user::Model, what: &str) -> i64 {
    action::Entity::send(db, actor, Verb::Default)
        .description(what)
        .await
        .expect("send")
        .id
}

async fn an_action_reaches_the_other_process_once_and_never_comes_back(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let redis = (db.backend != Backend::Postgres).then(RedisServer::start);
    let transport = Transport::for_backend(db.backend, redis.as_ref());
    let _bridge = transport.start(&db).await.expect("the bridge starts");
    let mut here = action::Entity::signal().subscribe();
    // What this process committed, and nothing the bridge brought.
    let mut local = action::Entity::signal().subscribe_local();
    let mut peer = Peer::start(&db, &transport);
    let lennon = common::user(&db, "lennon").await;

    // There to here: delivered once, as the peer's own signal delivered it once.
    let first = peer.send("send first");
    assert_eq!(next_id(&mut here).await, first[0]);

    // Here to there, and never back: the peer delivers it once; this process's signal
    // delivered it when it was sent, and its bridge ignores its own message when it returns.
    let mine = send(&db, &lennon, "mine").await;
    assert_eq!(next_id(&mut here).await, mine);
    peer.wait_for(mine);

    // The peer's next action follows this process's on the channel: had the bridge delivered
    // its own message again, or the peer's first action twice, it would come before.
    let last = peer.send("send last");
    assert_eq!(next_id(&mut here).await, last[0]);
    assert_eq!(drain(&mut here), Vec::<i64>::new());
    assert_eq!(peer.quit(), vec![first[0], mine, last[0]]);
    assert_eq!(drain(&mut local), vec![mine]);
}

async fn a_rolled_back_action_reaches_no_process(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let redis = (db.backend != Backend::Postgres).then(RedisServer::start);
    let transport = Transport::for_backend(db.backend, redis.as_ref());
    let _bridge = transport.start(&db).await.expect("the bridge starts");
    let mut here = action::Entity::signal().subscribe();
    let mut peer = Peer::start(&db, &transport);
    let lennon = common::user(&db, "lennon").await;

    // The peer rolls an action back, then commits one: only the committed one arrives.
    let committed = peer.send("rollback-then-send");
    assert_eq!(next_id(&mut here).await, committed[0]);

    // The same here: a rolled-back transaction, then one that commits.
    let txn = Transaction::begin(&db).await.expect("begin");
    action::Entity::send(&txn, &lennon, Verb::Default)
        .description("rolled back")
        .await
        .expect("send");
    txn.rollback().await.expect("rollback");
    let txn = Transaction::begin(&db).await.expect("begin");
    let kept = action::Entity::send(&txn, &lennon, Verb::Default)
        .description("committed")
        .await
        .expect("send")
        .id;
    txn.commit().await.expect("commit");
    assert_eq!(next_id(&mut here).await, kept);
    peer.wait_for(kept);

    assert_eq!(drain(&mut here), Vec::<i64>::new());
    assert_eq!(peer.quit(), vec![committed[0], kept]);
}

async fn a_bulk_load_arrives_whole_in_one_query_per_message(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let redis = (db.backend != Backend::Postgres).then(RedisServer::start);
    let transport = Transport::for_backend(db.backend, redis.as_ref());
    let mut watched = db.db.clone();
    let statements = common::record_statements(&mut watched);
    let _bridge = transport.start(&watched).await.expect("the bridge starts");
    let mut here = action::Entity::signal().subscribe();
    let mut peer = Peer::start(&db, &transport);
    statements.lock().unwrap().clear();

    // 3,000 ids take more than one message of under 8,000 bytes.
    let sent = peer.send("send-many 3000");
    assert_eq!(sent.len(), 3000);
    let mut arrived = Vec::new();
    while arrived.len() < sent.len() {
        arrived.push(next_id(&mut here).await);
    }
    assert_eq!(arrived, sent, "every action, in the order they were stored");
    assert_eq!(drain(&mut here), Vec::<i64>::new());

    // The bridge read them in one query per message, not one per action.
    let statements = statements.lock().unwrap().clone();
    assert!(
        (2..=6).contains(&statements.len()),
        "{} statements: {statements:#?}",
        statements.len()
    );
    for statement in &statements {
        assert!(statement.starts_with("SELECT"), "{statement}");
        assert!(statement.contains("stream_action"), "{statement}");
    }
    assert_eq!(peer.quit(), sent);
}

async fn an_unreachable_redis_fails_the_start_and_the_signal_keeps_working(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let error = Bridge::redis::<action::Entity>(&db, &url)
        .await
        .expect_err("nothing listens there");
    assert!(matches!(error, StreamError::Bridge { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("live events cannot cross processes: Redis at `{url}` does not answer")
    );
    assert!(std::error::Error::source(&error).is_some(), "{error:?}");

    let error = Bridge::redis::<action::Entity>(&db, "http://example.org/")
        .await
        .expect_err("not a Redis URL");
    assert!(error.to_string().contains("is not a Redis URL"), "{error}");

    // A password never shows in the message.
    let error =
        Bridge::redis::<action::Entity>(&db, &format!("redis://me:secret@127.0.0.1:{port}/"))
            .await
            .expect_err("nothing listens there");
    assert!(!error.to_string().contains("secret"), "{error}");

    // This process's own signal is not affected.
    let mut here = action::Entity::signal().subscribe();
    let lennon = common::user(&db, "lennon").await;
    let sent = send(&db, &lennon, "still live").await;
    assert_eq!(next_id(&mut here).await, sent);

    // Nothing to share: a database no other process can open.
    let memory = stream_core::sea_orm::Database::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    let error = Bridge::redis::<action::Entity>(&memory, "redis://127.0.0.1:6379/")
        .await
        .expect_err("in-memory SQLite");
    assert!(error.to_string().contains("in-memory SQLite"), "{error}");

    // LISTEN/NOTIFY is PostgreSQL's.
    #[cfg(feature = "postgres")]
    if db.backend != Backend::Postgres {
        let error = Bridge::postgres::<action::Entity>(&db)
            .await
            .expect_err("not PostgreSQL");
        assert!(
            error.to_string().contains("needs a PostgreSQL connection"),
            "{error}"
        );
    }
}

async fn a_restarted_redis_is_reconnected_and_later_actions_arrive(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Redis on every backend (PostgreSQL can use it too), since Redis is what restarts.
    let mut redis = RedisServer::start();
    let transport = Transport::Redis(redis.url());
    let bridge = transport.start(&db).await.expect("the bridge starts");
    let mut here = action::Entity::signal().subscribe();
    let mut peer = Peer::start(&db, &transport);
    let lennon = common::user(&db, "lennon").await;
    let before = peer.send("send before");
    assert_eq!(next_id(&mut here).await, before[0]);

    redis.kill();
    wait_until(|| !bridge.is_connected()).await;
    peer.tell("disconnected");
    peer.expect("disconnected");
    // Down: this process's own subscribers still get its actions.
    let while_down = send(&db, &lennon, "while Redis is down").await;
    assert_eq!(next_id(&mut here).await, while_down);

    redis.restart();
    wait_until(|| bridge.is_connected()).await;
    peer.tell("connected");
    peer.expect("connected");

    // Both ways again: the peer's publisher reconnects (retrying the message), and so does
    // this one's.
    let after = peer.send("send after");
    let mut arrived = next_id(&mut here).await;
    assert_eq!(arrived, after[0]);
    let mine = send(&db, &lennon, "after").await;
    arrived = next_id(&mut here).await;
    assert_eq!(arrived, mine);
    peer.wait_for(mine);
    assert_eq!(drain(&mut here), Vec::<i64>::new());

    // The action sent while Redis was down reached the peer at most once: pub/sub keeps
    // nothing for a listener that is away (live tails catch it up from their cursor).
    let got = peer.quit();
    assert!(
        got.iter().filter(|id| **id == while_down).count() <= 1,
        "{got:?}"
    );
    let without_it: Vec<i64> = got.into_iter().filter(|id| *id != while_down).collect();
    assert_eq!(without_it, vec![before[0], after[0], mine]);
}

/// What other processes sent while this one was not listening never reaches its signal: a
/// running live tail reads it back from the database once the bridge listens again. Stood in
/// for here by a row no signal ever announced (inserted with plain sea-orm while Redis is
/// down), which the tail can only find by that catch-up.
async fn a_running_tail_reads_back_what_it_missed_once_the_bridge_listens_again(db: TestDb) {
    use stream_core::sea_orm::{ActiveModelTrait, Set};
    async fn next(tail: &mut stream_core::Tail<action::Entity>) -> i64 {
        match tokio::time::timeout(PATIENCE, tail.recv()).await {
            Ok(Ok(stream_core::LiveEvent::Action { action, .. })) => action.id,
            other => panic!("expected an action, got {other:?}"),
        }
    }
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut redis = RedisServer::start();
    let bridge = Transport::Redis(redis.url())
        .start(&db)
        .await
        .expect("the bridge starts");
    let lennon = common::user(&db, "lennon").await;
    let mut tail = action::Entity::live().for_actor(&lennon).tail(&db, None);
    let first = send(&db, &lennon, "first").await;
    assert_eq!(next(&mut tail).await, first);

    redis.kill();
    wait_until(|| !bridge.is_connected()).await;
    let unannounced = action::ActiveModel {
        verb: Set(Verb::Liked),
        timestamp: Set(chrono::Utc::now()),
        actor_user: Set(Some(lennon.id)),
        ..Default::default()
    }
    .insert(&*db)
    .await
    .expect("a plain insert");
    // Nothing tells the tail yet.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), tail.recv())
            .await
            .is_err()
    );

    redis.restart();
    wait_until(|| bridge.is_connected()).await;
    assert_eq!(next(&mut tail).await, unannounced.id);
    // Then on as before, each action once.
    let later = send(&db, &lennon, "later").await;
    assert_eq!(next(&mut tail).await, later);
}

/// The next live event: `(id, retracted, with its row)`.
async fn next_event(events: &mut Events<action::Entity>) -> (i64, bool, bool) {
    let event = tokio::time::timeout(PATIENCE, events.recv())
        .await
        .expect("an event arrived")
        .expect("nothing missed");
    match event {
        Event::Created(created) => (created.action().id, false, true),
        Event::Retracted(gone) => (gone.id(), true, gone.action().is_some()),
    }
}

async fn a_retraction_reaches_the_other_process_once(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let redis = (db.backend != Backend::Postgres).then(RedisServer::start);
    let transport = Transport::for_backend(db.backend, redis.as_ref());
    let _bridge = transport.start(&db).await.expect("the bridge starts");
    let mut events = action::Entity::signal().subscribe_events();
    let mut peer = Peer::start(&db, &transport);
    let lennon = common::user(&db, "lennon").await;

    // There to here: created, then retracted; the retraction carries the id only (the row is
    // gone from the database, and never was in this process).
    let theirs = peer.send("send theirs")[0];
    assert_eq!(next_event(&mut events).await, (theirs, false, true));
    peer.tell(&format!("retract {theirs}"));
    peer.expect("retracted");
    assert_eq!(next_event(&mut events).await, (theirs, true, false));

    // Here to there: the retraction of an action of this process, in a transaction.
    let mine = action::Entity::send(&*db, &lennon, Verb::Default)
        .description("mine")
        .await
        .expect("send");
    assert_eq!(next_event(&mut events).await, (mine.id, false, true));
    peer.wait_for(mine.id);
    let txn = Transaction::begin(&db).await.expect("begin");
    assert!(action::Entity::retract(&txn, &mine).await.expect("retract"));
    txn.commit().await.expect("commit");
    // Locally, with its row.
    assert_eq!(next_event(&mut events).await, (mine.id, true, true));
    peer.wait_for_retraction(mine.id);

    // Nothing twice, and nothing came back: the peer's next action is the next event here.
    let last = peer.send("send last")[0];
    assert_eq!(next_event(&mut events).await, (last, false, true));
    assert!(matches!(events.try_recv(), Ok(None)));
    let (got, gone) = peer.quit_with_retractions();
    assert_eq!(got, vec![theirs, mine.id, last]);
    assert_eq!(gone, vec![theirs, mine.id]);
}

/// The sample application, twice on one database — with `--redis` on SQLite and MariaDB, by
/// itself through LISTEN/NOTIFY on PostgreSQL: a page open on one process shows live what a
/// visitor does on the other — a new post, a like — and loses the like when it is unliked
/// there.
async fn two_sample_app_processes_share_their_live_pages(db: TestDb) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let redis = (db.backend != Backend::Postgres).then(RedisServer::start);
    let (_first, first) = App::start(&db.url, redis.as_ref()).await;
    let (_second, second) = App::start(&db.url, redis.as_ref()).await;

    let mut everyone = SseStream::open(&first, "/events").await;
    let created = http(
        &second,
        "POST",
        "/posts",
        "title=Across+processes&body=Hello",
    )
    .await;
    let post = created
        .lines()
        .find_map(|line| line.strip_prefix("location: /posts/"))
        .unwrap_or_else(|| panic!("a new post: {created}"))
        .trim()
        .to_owned();
    let posted = everyone.next_event().await;
    assert_eq!(posted.0, "action", "{posted:?}");
    assert!(posted.1.contains("Across processes"), "{posted:?}");

    http(&second, "POST", &format!("/posts/{post}/like"), "stars=").await;
    let liked = everyone.next_event().await;
    assert_eq!(liked.0, "action", "{liked:?}");
    let element = liked
        .1
        .strip_prefix("<li id=\"")
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("an <li> with an id: {liked:?}"))
        .to_owned();

    http(&second, "POST", &format!("/posts/{post}/unlike"), "").await;
    assert_eq!(everyone.next_event().await, ("retract".to_owned(), element));
}

/// The sample application's binary, serving on a free port.
struct App;

impl App {
    /// Start it; the process (killed when dropped) and its address (`127.0.0.1:port`).
    async fn start(database: &str, redis: Option<&RedisServer>) -> (tokio::process::Child, String) {
        use tokio::io::AsyncBufReadExt;
        let mut app = tokio::process::Command::new(env!("CARGO_BIN_EXE_test-project"));
        app.args(["--port", "0", "--database-url", database]);
        if let Some(redis) = redis {
            app.args(["--redis", &redis.url()]);
        }
        let mut app = app
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the sample app");
        let mut lines = tokio::io::BufReader::new(app.stdout.take().expect("piped")).lines();
        let (mut address, mut bridged) = (None, false);
        while let Some(line) = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .expect("the app starts")
            .expect("its output reads")
        {
            if let Some(at) = line.find("http://") {
                address = Some(line[at + 7..].trim().trim_end_matches('/').to_owned());
            }
            bridged |= line.contains("live events across processes on stream.");
            if line.contains("Ctrl-C stops") {
                break;
            }
        }
        assert!(bridged, "the app started its bridge");
        // Keep reading, so the app never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        (app, address.expect("the app said where it listens"))
    }
}

/// One HTTP/1.0 request as user 1; the response's head, with lower-case header names.
async fn http(address: &str, method: &str, path: &str, form: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nCookie: act_as=1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    assert!(
        head.starts_with("HTTP/1.0 303"),
        "{method} {path}: {response}"
    );
    head.lines()
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `text/event-stream` response read as it comes (HTTP/1.0: no chunked encoding).
struct SseStream {
    stream: tokio::net::TcpStream,
    buffer: String,
}

impl SseStream {
    async fn open(address: &str, path: &str) -> SseStream {
        use tokio::io::AsyncWriteExt;
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let request =
            format!("GET {path} HTTP/1.0\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut sse = SseStream {
            stream,
            buffer: String::new(),
        };
        let head = sse.block().await;
        assert!(head.starts_with("HTTP/1.0 200"), "{head}");
        assert!(
            head.to_ascii_lowercase().contains("text/event-stream"),
            "{head}"
        );
        sse
    }

    /// The next block up to a blank line.
    async fn block(&mut self) -> String {
        use tokio::io::AsyncReadExt;
        loop {
            let normalized = self.buffer.replace("\r\n", "\n");
            if let Some(end) = normalized.find("\n\n") {
                let block = normalized[..end].to_owned();
                self.buffer = normalized[end + 2..].to_owned();
                return block;
            }
            let mut chunk = [0u8; 4096];
            let read = tokio::time::timeout(PATIENCE, self.stream.read(&mut chunk))
                .await
                .expect("an event came")
                .expect("the stream reads");
            assert!(read > 0, "the event stream closed");
            self.buffer
                .push_str(std::str::from_utf8(&chunk[..read]).expect("text"));
        }
    }

    /// The next event (keep-alive comments skipped): its name and data.
    async fn next_event(&mut self) -> (String, String) {
        loop {
            let block = self.block().await;
            let mut event = (String::new(), Vec::new());
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event:") {
                    event.0 = name.trim().to_owned();
                } else if let Some(data) = line.strip_prefix("data:") {
                    event
                        .1
                        .push(data.strip_prefix(' ').unwrap_or(data).to_owned());
                }
            }
            if !event.0.is_empty() {
                return (event.0, event.1.join("\n"));
            }
        }
    }
}

/// Wait until `condition` holds (a state change of a background task), within [`PATIENCE`].
async fn wait_until(condition: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !condition() {
        assert!(started.elapsed() < PATIENCE, "never happened");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Not a test: the other process of the tests above, which start it with the database and
/// transport in its environment and send it commands on its standard input, one a line:
/// `send <what>`, `send-many <n>`, `rollback-then-send`, `retract <id>`, `wait <id>`,
/// `wait-gone <id>`, `disconnected`, `connected`, `quit`. It reports `ready`, `sent <ids>`,
/// `retracted`, `seen`, `disconnected`, `connected`, `bye`, `got <id>` for every action its
/// signal delivers and `gone <id>` for every retraction its live events deliver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the second process of the bridge tests, started by them"]
async fn peer() {
    let (Ok(url), Ok(transport)) = (
        std::env::var("STREAM_BRIDGE_PEER_DATABASE"),
        std::env::var("STREAM_BRIDGE_PEER_TRANSPORT"),
    ) else {
        return;
    };
    if let Err(error) = run_peer(&url, &transport).await {
        println!("peer: error {error}");
    }
}

async fn run_peer(url: &str, transport: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = stream_core::sea_orm::ConnectOptions::new(url);
    options.sqlx_logging(false).map_sqlx_sqlite_opts(|sqlite| {
        test_project::sqlite_options(sqlite).busy_timeout(Duration::from_secs(30))
    });
    let db = stream_core::sea_orm::Database::connect(options).await?;
    let transport = match transport {
        "postgres" => Transport::Postgres,
        redis => Transport::Redis(redis.to_owned()),
    };
    let bridge = transport.start(&db).await?;
    let mut signal = action::Entity::signal().subscribe();
    let mut events = action::Entity::signal().subscribe_events();
    let actor = common::user(&db, "peer").await;

    let (commands, mut next_command) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if commands.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut gone = Vec::new();
    let mut waiting_for = None;
    let mut waiting_for_gone = None;
    println!("peer: ready");
    loop {
        tokio::select! {
            action = signal.recv() => {
                let id = action.ok_or("the signal closed")?.id;
                println!("peer: got {id}");
                seen.push(id);
                if waiting_for == Some(id) {
                    println!("peer: seen");
                    waiting_for = None;
                }
            }
            event = events.recv() => {
                if let Event::Retracted(retracted) = event? {
                    let id = retracted.id();
                    println!("peer: gone {id}");
                    gone.push(id);
                    if waiting_for_gone == Some(id) {
                        println!("peer: seen");
                        waiting_for_gone = None;
                    }
                }
            }
            command = next_command.recv() => {
                let command = command.unwrap_or_else(|| "quit".into());
                let (verb, argument) = command.split_once(' ').unwrap_or((&command, ""));
                match verb {
                    "send" => {
                        let id = send(&db, &actor, argument).await;
                        println!("peer: sent {id}");
                    }
                    "send-many" => {
                        let count: usize = argument.parse()?;
                        let actions = (0..count).map(|i| {
                            NewAction::new(&actor, Verb::Default).description(format!("bulk {i}"))
                        });
                        action::Entity::send_many(&db, actions).await?;
                        // Its own signal tells the ids, in order.
                        let mut ids = Vec::new();
                        while ids.len() < count {
                            let id = signal.recv().await.ok_or("the signal closed")?.id;
                            println!("peer: got {id}");
                            seen.push(id);
                            ids.push(id.to_string());
                        }
                        println!("peer: sent {}", ids.join(","));
                    }
                    "rollback-then-send" => {
                        let txn = Transaction::begin(&db).await?;
                        action::Entity::send(&txn, &actor, Verb::Default)
                            .description("rolled back")
                            .await?;
                        txn.rollback().await?;
                        let id = send(&db, &actor, "committed").await;
                        println!("peer: sent {id}");
                    }
                    "wait" => {
                        let id: i64 = argument.parse()?;
                        if seen.contains(&id) {
                            println!("peer: seen");
                        } else {
                            waiting_for = Some(id);
                        }
                    }
                    "retract" => {
                        let id: i64 = argument.parse()?;
                        let action = action::Entity::find_by_id(id).one(&db).await?.ok_or("no such action")?;
                        action::Entity::retract(&db, &action).await?;
                        println!("peer: retracted");
                    }
                    "wait-gone" => {
                        let id: i64 = argument.parse()?;
                        if gone.contains(&id) {
                            println!("peer: seen");
                        } else {
                            waiting_for_gone = Some(id);
                        }
                    }
                    "disconnected" => {
                        while bridge.is_connected() {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        println!("peer: disconnected");
                    }
                    "connected" => {
                        while !bridge.is_connected() {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        println!("peer: connected");
                    }
                    "quit" => {
                        bridge.shutdown().await;
                        println!("peer: bye");
                        return Ok(());
                    }
                    other => return Err(format!("unknown command {other}").into()),
                }
            }
        }
    }
}
