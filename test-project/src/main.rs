//! The sample application: a small social site on `stream`, served on 127.0.0.1.
//!
//! `cargo run -p test-project` creates, migrates and seeds `stream-sample.sqlite` in the
//! current directory on first start and prints the address to open. See `--help`.

use std::process::ExitCode;

const USAGE: &str = "\
The sample application of stream: a small social site with activity streams.

Usage: test-project [--port PORT] [--database-url URL] [--base-url URL] [--redis URL]

Options:
  --port PORT           port on 127.0.0.1 to serve on (default 3000; 0 picks a free one)
  --database-url URL    database to use (default sqlite://stream-sample.sqlite?mode=rwc);
                        postgres://.. and mysql://.. need the `postgres` / `mysql` features:
                        cargo run -p test-project --features postgres -- --database-url ..
  --base-url URL        where visitors reach the site, for the absolute links of the
                        Atom and Activity Streams formats (default http://127.0.0.1:PORT)
  --redis URL           Redis server (redis://127.0.0.1:6379) that keeps the followed
                        streams in timelines (SQL still serves them whenever Redis is
                        down) and carries live events between the processes serving one
                        SQLite or MariaDB database (on PostgreSQL they go through
                        LISTEN/NOTIFY, without Redis)
  -h, --help            print this help
";

/// The command line: a hand-written parser, for a few options.
#[derive(Debug, PartialEq)]
struct Args {
    port: u16,
    database_url: String,
    base_url: Option<String>,
    redis: Option<String>,
}

impl Args {
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
        let mut parsed = Args {
            port: 3000,
            database_url: "sqlite://stream-sample.sqlite?mode=rwc".into(),
            base_url: None,
            redis: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match name.as_str() {
                "-h" | "--help" => return Ok(None),
                "--port" => {
                    let port = value("--port")?;
                    parsed.port = port
                        .parse()
                        .map_err(|_| format!("--port {port}: not a port number"))?;
                }
                "--database-url" => parsed.database_url = value("--database-url")?,
                "--base-url" => {
                    let url = value("--base-url")?;
                    stream_core::BaseUrl::new(&url).map_err(|e| format!("--base-url: {e}"))?;
                    parsed.base_url = Some(url);
                }
                "--redis" => parsed.redis = Some(value("--redis")?),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(Some(parsed))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let db = test_project::connect(&args.database_url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", args.database_url))?;
    let seeded = test_project::seed::seed_if_empty(&db)
        .await
        .map_err(|e| format!("cannot seed {}: {e}", args.database_url))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e} (try --port)", args.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // The listen address unless told otherwise (behind a proxy, say): never the `Host`
    // header of a request, which the client chooses.
    let base = args
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let base = stream_core::BaseUrl::new(&base).map_err(|e| e.to_string())?;
    println!("stream sample app: http://{address}/");
    match seeded {
        Some(seeded) => println!("  database {} (new: seeded {seeded})", args.database_url),
        None => println!("  database {}", args.database_url),
    }
    let _bridge = live_across_processes(&db, args.redis.as_deref()).await;
    let timelines = match &args.redis {
        Some(url) => {
            let timelines = test_project::web::feed_timelines(db.clone(), url)
                .await
                .map_err(|e| format!("--redis {url}: {e}"))?;
            println!("  followed streams: Redis timelines at {url} (SQL when Redis is down)");
            Some(timelines)
        }
        None => None,
    };
    println!("  choose a user under \"Acting as\" to post, comment, like and follow; Ctrl-C stops");
    test_project::web::serve_with(listener, db, base, timelines)
        .await
        .map_err(|e| e.to_string())
}

/// Carry live events between the processes serving this database: LISTEN/NOTIFY on
/// PostgreSQL, Redis pub/sub with `--redis` elsewhere. A bridge that cannot start leaves the
/// application serving, its live events confined to this process; it says so.
async fn live_across_processes(
    db: &stream_core::sea_orm::DatabaseConnection,
    redis: Option<&str>,
) -> Option<stream_core::bridge::Bridge> {
    use stream_core::bridge::Bridge;
    use test_project::action;
    let started = match (db.get_database_backend(), redis) {
        #[cfg(feature = "postgres")]
        (stream_core::sea_orm::DbBackend::Postgres, _) => {
            Bridge::postgres::<action::Entity>(db).await
        }
        (_, Some(url)) => Bridge::redis::<action::Entity>(db, url).await,
        (_, None) => return None,
    };
    match started {
        Ok(bridge) => {
            println!("  live events across processes on {}", bridge.channel());
            Some(bridge)
        }
        Err(error) => {
            eprintln!("warning: {error}; live events reach this process's pages only");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        Args::parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn options_parse_in_both_spellings() {
        let args = parse(&["--port", "8080", "--database-url=sqlite::memory:"])
            .unwrap()
            .unwrap();
        assert_eq!(args.port, 8080);
        assert_eq!(args.database_url, "sqlite::memory:");
        assert_eq!(parse(&["--port=0"]).unwrap().unwrap().port, 0);
        assert_eq!(parse(&["--help"]).unwrap(), None);
        let base = parse(&["--base-url", "https://example.org/social"])
            .unwrap()
            .unwrap();
        assert_eq!(base.base_url.as_deref(), Some("https://example.org/social"));
        assert_eq!(base.redis, None);
        let redis = parse(&["--redis", "redis://127.0.0.1:6379"])
            .unwrap()
            .unwrap();
        assert_eq!(redis.redis.as_deref(), Some("redis://127.0.0.1:6379"));
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "http"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert!(parse(&["--base-url", "example.org"]).is_err());
        assert!(parse(&["--redis"]).is_err());
    }
}
