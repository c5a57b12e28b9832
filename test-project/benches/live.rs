//! Live pages under load: 1,000 concurrent server-sent-event clients on one sample-app
//! process (SQLite), and 100 sends.
//!
//! ```sh
//! cargo bench -p test-project --bench live
//! cargo bench -p test-project --bench live -- --clients 1000 --sends 100 --pause-ms 20
//! ```
//!
//! The bench starts the sample application (the release binary) on a free loopback port with
//! a fresh seeded SQLite file, opens `--clients` event streams spread over the five kinds of
//! stream page (`/events`, `/users/{id}/events`, `/users/{id}/feed/events`,
//! `/groups/{id}/events`, `/posts/{id}/events`, a fifth each, over 20 users, 6 groups and 10
//! posts), then makes `--sends` actions through the site's own forms, one after another with
//! `--pause-ms` between them: comments on posts, and new posts in groups, by varied users.
//!
//! It checks that every client received exactly the actions of its stream, in order (its
//! page's select, read from the database afterwards), and reports the delivery latency of
//! every (client, action) pair — from the start of the request that made the action to the
//! event's arrival at the client — as p50, p99 and max, and the application process's
//! resident memory before and after the clients connected, per connection.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stream_core::prelude::*;
use stream_core::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use test_project::{action, group, post, user, web::streams};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;
use tokio::sync::Mutex;

struct Args {
    clients: usize,
    sends: usize,
    pause: Duration,
}

fn args() -> Args {
    let mut args = Args {
        clients: 1_000,
        sends: 100,
        pause: Duration::from_millis(20),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> usize {
            it.next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{name} takes a number"))
        };
        match arg.as_str() {
            "--clients" => args.clients = number("--clients"),
            "--sends" => args.sends = number("--sends"),
            "--pause-ms" => args.pause = Duration::from_millis(number("--pause-ms") as u64),
            // What `cargo bench` passes to every bench.
            "--bench" => {}
            "-h" | "--help" => {
                println!(
                    "cargo bench -p test-project --bench live -- [--clients N] [--sends N] [--pause-ms MS]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// Which page a client watches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Page {
    Everyone,
    User(i32),
    Feed(i32),
    Group(i32),
    Post(i32),
}

impl Page {
    fn events(&self) -> String {
        match self {
            Page::Everyone => "/events".into(),
            Page::User(id) => format!("/users/{id}/events"),
            Page::Feed(id) => format!("/users/{id}/feed/events"),
            Page::Group(id) => format!("/groups/{id}/events"),
            Page::Post(id) => format!("/posts/{id}/events"),
        }
    }
}

/// What one client received: `(action id, when)`, in order.
type Received = Arc<Mutex<Vec<(i64, Instant)>>>;

/// Open `page`'s event stream and record every action event until the connection closes.
async fn client(
    port: u16,
    page: Page,
    received: Received,
    connected: tokio::sync::mpsc::Sender<()>,
) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("the app accepts connections");
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        page.events()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(stream);
    // Status line and headers.
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{page:?}: {line}");
    loop {
        line.clear();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
    }
    connected.send(()).await.unwrap();
    // The body: chunked transfer encoding around the event stream.
    let mut text = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let Ok(size) = usize::from_str_radix(line.trim(), 16) else {
            continue;
        };
        if size == 0 {
            return;
        }
        let mut chunk = vec![0; size + 2];
        if reader.read_exact(&mut chunk).await.is_err() {
            return;
        }
        let now = Instant::now();
        text.push_str(std::str::from_utf8(&chunk[..size]).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            if block.starts_with("event: action") || block.contains("\nevent: action") {
                let id = block
                    .split("<li id=\"action-")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .and_then(|id| id.parse::<i64>().ok())
                    .expect("an action event names its action");
                received.lock().await.push((id, now));
            }
        }
    }
}

/// A form POST as user `me`; returns when the response (a redirect, after the commit) is in.
async fn form(port: u16, path: &str, me: i32, body: &str) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: act_as={me}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 303"), "{path}: {response}");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

#[tokio::main]
async fn main() {
    let args = args();
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        scratch.join("live.sqlite").display()
    );

    let mut app = Command::new(env!("CARGO_BIN_EXE_test-project"))
        .args(["--port", "0", "--database-url", &database])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the sample app starts");
    let pid = app.id().expect("running");
    let mut lines = BufReader::new(app.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the app prints its address");
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let db = test_project::connect(&database).await.unwrap();

    // Warm the app up (pages, templates, the pool) before measuring its memory.
    for path in ["/", "/posts/1", "/users/1/feed", "/groups/1"] {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = rss_kib(pid);

    // The clients, a fifth on each kind of page.
    let pages: Vec<Page> = (0..args.clients)
        .map(|n| {
            let k = (n / 5) as i32;
            match n % 5 {
                0 => Page::Everyone,
                1 => Page::User(k % 20 + 1),
                2 => Page::Feed(k % 20 + 1),
                3 => Page::Group(k % 6 + 1),
                _ => Page::Post(k % 10 + 1),
            }
        })
        .collect();
    let (connected_tx, mut connected_rx) = tokio::sync::mpsc::channel(args.clients);
    let mut received = Vec::new();
    let mut tasks = Vec::new();
    let started = Instant::now();
    for page in &pages {
        let log = Received::default();
        received.push(Arc::clone(&log));
        tasks.push(tokio::spawn(client(
            port,
            page.clone(),
            log,
            connected_tx.clone(),
        )));
    }
    for _ in 0..args.clients {
        connected_rx.recv().await.unwrap();
    }
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = rss_kib(pid);

    // The newest id before the sends (the seed's timestamps are spread over the past, so not
    // the newest action of the stream).
    let before = action::Entity::find()
        .order_by_desc(action::Column::Id)
        .one(&db)
        .await
        .unwrap()
        .map_or(0, |a| a.id);

    // The sends: comments on posts, and a new post in a group every fourth time.
    let mut sent_at: HashMap<i64, Instant> = HashMap::new();
    let send_started = Instant::now();
    for n in 0..args.sends {
        let me = (n * 7 % 20 + 1) as i32;
        let at = Instant::now();
        if n % 4 == 3 {
            let group = n % 6 + 1;
            let body = format!("title=Live+{n}&body=Under+load&group_id={group}&next=/");
            form(port, "/posts", me, &body).await;
        } else {
            let post = n % 10 + 1;
            form(
                port,
                &format!("/posts/{post}/comments"),
                me,
                &format!("body=comment+{n}"),
            )
            .await;
        }
        let newest = action::Entity::find()
            .order_by_desc(action::Column::Id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        sent_at.insert(newest.id, at);
        tokio::time::sleep(args.pause).await;
    }
    let send_time = send_started.elapsed();
    // Let the last events arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib(pid);

    // What each client should have received: its page's select, new actions, oldest first.
    let mut expected_by_page: HashMap<Page, Vec<i64>> = HashMap::new();
    for page in &pages {
        if expected_by_page.contains_key(page) {
            continue;
        }
        let select = match page {
            Page::Everyone => streams::everyone(),
            Page::User(id) => {
                let user = user::Entity::find_by_id(*id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                streams::user(&user, false)
            }
            Page::Feed(id) => {
                let user = user::Entity::find_by_id(*id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                streams::feed(&user)
            }
            Page::Group(id) => {
                let group = group::Entity::find_by_id(*id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                streams::group(&group)
            }
            Page::Post(id) => {
                let post = post::Entity::find_by_id(*id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                streams::post(&post)
            }
        };
        let mut ids: Vec<i64> = select
            .filter(action::Column::Id.gt(before))
            .order_by_asc(action::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        ids.sort();
        expected_by_page.insert(page.clone(), ids);
    }

    let mut latencies = Vec::new();
    let mut wrong = 0;
    let mut delivered = 0;
    for (page, log) in pages.iter().zip(&received) {
        let log = log.lock().await;
        let got: Vec<i64> = log.iter().map(|(id, _)| *id).collect();
        let expected = &expected_by_page[page];
        if &got != expected {
            wrong += 1;
            if wrong <= 5 {
                eprintln!("{page:?}: expected {expected:?}, received {got:?}");
            }
        }
        for (id, when) in log.iter() {
            if let Some(at) = sent_at.get(id) {
                latencies.push(when.duration_since(*at));
                delivered += 1;
            }
        }
    }
    latencies.sort();
    for task in tasks {
        task.abort();
    }
    drop(app);
    let _ = std::fs::remove_dir_all(&scratch);

    let per_connection = (rss_connected.saturating_sub(rss_before)) as f64 / args.clients as f64;
    println!(
        "live pages under load: {} SSE clients, {} sends, {} ms apart, SQLite, release build",
        args.clients,
        args.sends,
        args.pause.as_millis()
    );
    println!("  connected all clients in {connect_time:.2?}; sends took {send_time:.2?}");
    println!(
        "  events delivered: {delivered}; clients with exactly their stream's actions, in order: {}/{}",
        args.clients - wrong,
        args.clients
    );
    println!(
        "  delivery latency (request start -> event at the client): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!(
        "  app RSS: {:.1} MiB before, {:.1} MiB with the clients connected ({per_connection:.1} KiB per connection), {:.1} MiB after the sends",
        rss_before as f64 / 1024.0,
        rss_connected as f64 / 1024.0,
        rss_after as f64 / 1024.0,
    );
    assert_eq!(
        wrong, 0,
        "every client receives exactly the actions of its stream"
    );
}
