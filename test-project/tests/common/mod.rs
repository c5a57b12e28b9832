//! Test databases and fixtures shared by the integration tests.
//!
//! Every test gets a database of its own, so tests run in parallel without seeing each
//! other's rows: a new SQLite file; on PostgreSQL a new schema (`search_path` set in the
//! connection URL); on MySQL/MariaDB a new database. It is removed when the test ends, pass
//! or fail.
//!
//! [`on_every_backend!`] turns `async fn name(db: TestDb)` into the tests `name::sqlite`,
//! `name::postgres` and `name::mysql`. SQLite always runs. PostgreSQL runs when
//! `STREAM_TEST_POSTGRES_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/test`) and
//! MySQL/MariaDB when `STREAM_TEST_MYSQL_URL` is (e.g. `mysql://root@127.0.0.1:3306/test`);
//! their drivers need the `postgres` / `mysql` features of `test-project`, without which
//! those tests show as ignored. A set URL whose server does not answer fails the test.

#![allow(dead_code, unused_macros, unused_imports)]

pub mod redis_servers;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use stream_core::sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    Set, Statement,
};
use test_project::{device, group, post, tag, user};

/// Where a test runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    /// The variable holding the server URL (`None` for SQLite, which needs no server).
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("STREAM_TEST_POSTGRES_URL"),
            Backend::MySql => Some("STREAM_TEST_MYSQL_URL"),
        }
    }

    /// `name` quoted as an identifier, for hand-written SQL (`"user"` or `` `user` ``).
    pub fn quote(self, name: &str) -> String {
        match self {
            Backend::MySql => format!("`{name}`"),
            Backend::Sqlite | Backend::Postgres => format!("\"{name}\""),
        }
    }
}

/// Run `$test` — an `async fn(TestDb)` in the calling module — on every backend, as the tests
/// `$test::sqlite`, `$test::postgres` and `$test::mysql`. With `empty:` first, the databases
/// have no tables.
macro_rules! on_every_backend {
    (empty: $($test:ident),* $(,)?) => {
        $crate::common::on_every_backend!(@tables false; $($test),*);
    };
    (@tables $tables:literal; $($test:ident),*) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $crate::common::run($crate::common::Backend::Sqlite, $tables, super::$test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[cfg_attr(not(feature = "postgres"), ignore = "needs `--features postgres`")]
            async fn postgres() {
                $crate::common::run($crate::common::Backend::Postgres, $tables, super::$test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[cfg_attr(not(feature = "mysql"), ignore = "needs `--features mysql`")]
            async fn mysql() {
                $crate::common::run($crate::common::Backend::MySql, $tables, super::$test).await;
            }
        }
    )*};
    ($($test:ident),* $(,)?) => {
        $crate::common::on_every_backend!(@tables true; $($test),*);
    };
}
pub(crate) use on_every_backend;

/// Run one test body on `backend`, in a fresh database with (or without) every table.
pub async fn run<F, Fut>(backend: Backend, tables: bool, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = match TestDb::empty(backend).await {
        Some(db) => db,
        None => {
            let var = backend.env_var().unwrap_or_default();
            eprintln!("skipped: {var} is not set");
            return;
        }
    };
    if tables {
        test_project::create_tables(&db)
            .await
            .expect("create tables");
    }
    test(db).await;
}

/// A fresh database of its own for one test, removed when dropped.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// The name of this test's database (MySQL), schema (PostgreSQL) or file (SQLite); on
    /// PostgreSQL also the `application_name` of its connections.
    pub name: String,
    /// The URL of this test's database (for `test_project::connect` or a second pool).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    /// `DROP` statement, run on the server URL.
    Server {
        admin_url: String,
        drop: String,
    },
}

impl std::ops::Deref for TestDb {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        &self.db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(file) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut name = file.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            Cleanup::Server { admin_url, drop } => {
                // `Drop` cannot await: drop the schema or database from a thread with a
                // runtime of its own (this one may be shutting down after a panic).
                let (admin_url, statement) = (admin_url.clone(), drop.clone());
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async {
                        let admin = admin(&admin_url).await?;
                        admin.execute_unprepared(&statement).await?;
                        admin.close().await
                    })?;
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("could not clean up with `{drop}`: {dropped:?}");
                }
            }
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A name no other test of any test binary uses.
fn unique_name() -> String {
    format!(
        "stream_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn connect(url: &str, max_connections: u32, busy_timeout: Duration) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .max_connections(max_connections)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(60));
    // As `test_project::connect` does: WAL, so that writers do not wait on disk flushes and
    // readers, and a generous wait for the write lock when eight writers want it at once.
    options.map_sqlx_sqlite_opts(move |sqlite| {
        test_project::sqlite_options(sqlite).busy_timeout(busy_timeout)
    });
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

async fn admin(url: &str) -> Result<DatabaseConnection, stream_core::sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .max_connections(1)
        .connect_timeout(Duration::from_secs(10));
    Database::connect(options).await
}

/// `url` with its database (the path) replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

/// `url` with `parameters` added to its query string.
pub fn with_parameters(url: &str, parameters: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{parameters}")
}

impl TestDb {
    /// A new, empty database on `backend`; `None` when the backend is not configured.
    pub async fn empty(backend: Backend) -> Option<TestDb> {
        let server = match backend.env_var() {
            None => None,
            Some(var) => match std::env::var(var) {
                Ok(url) if !url.is_empty() => Some((var, url)),
                _ => return None,
            },
        };
        let name = unique_name();
        let (url, cleanup) = match (backend, server) {
            (Backend::Sqlite, _) => {
                let file = std::env::temp_dir().join(format!("{name}.sqlite"));
                let url = format!("sqlite://{}?mode=rwc", file.display());
                (url, Cleanup::File(file))
            }
            (Backend::Postgres, Some((var, admin_url))) => {
                let admin = admin(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{var} is set but PostgreSQL does not answer: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {name}"))
                    .await
                    .expect("create the test's schema");
                admin.close().await.ok();
                // The application name finds this test's connections in `pg_stat_activity`.
                let url = with_parameters(
                    &admin_url,
                    &format!("options[search_path]={name}&application_name={name}"),
                );
                let drop = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
                (url, Cleanup::Server { admin_url, drop })
            }
            (Backend::MySql, Some((var, admin_url))) => {
                let admin = admin(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{var} is set but MySQL does not answer: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"))
                    .await
                    .expect("create the test's database");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let drop = format!("DROP DATABASE IF EXISTS {name}");
                (url, Cleanup::Server { admin_url, drop })
            }
            (_, None) => unreachable!("server backends have a URL"),
        };
        let db = connect(&url, 8, Duration::from_secs(60)).await;
        Some(TestDb {
            db,
            backend,
            name,
            url,
            cleanup,
        })
    }

    /// Another connection pool on this test's database, e.g. to hold a lock or kill a
    /// connection of the main pool. On SQLite it waits at most 250 ms for a lock.
    pub async fn another_pool(&self, max_connections: u32) -> DatabaseConnection {
        connect(&self.url, max_connections, Duration::from_millis(250)).await
    }

    /// `name` quoted as an identifier on this backend.
    pub fn quote(&self, name: &str) -> String {
        self.backend.quote(name)
    }

    /// The first column of the first row of `sql`, as an integer (e.g. a `COUNT(*)`).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_else(|| panic!("{sql}: no row"));
        row.try_get_by_index::<i64>(0)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Every row of `sql`, as strings, one `Vec` per row.
    pub async fn strings(&self, sql: &str) -> Vec<Vec<String>> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .map(|row| {
                (0..row.column_names().len())
                    .map(|i| {
                        row.try_get_by_index::<String>(i)
                            .unwrap_or_else(|e| panic!("{sql}: column {i}: {e}"))
                    })
                    .collect()
            })
            .collect()
    }

    /// `(column, type)` of every column of `table`, in table order, as the database reports
    /// the type.
    pub async fn column_types(&self, table: &str) -> Vec<(String, String)> {
        let sql = match self.backend {
            Backend::Sqlite => {
                format!("SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid")
            }
            Backend::Postgres => format!(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}' \
                 ORDER BY ordinal_position"
            ),
            Backend::MySql => format!(
                "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR) \
                 FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' \
                 ORDER BY ORDINAL_POSITION"
            ),
        };
        self.strings(&sql)
            .await
            .into_iter()
            .map(|row| (row[0].clone(), row[1].to_lowercase()))
            .collect()
    }

    /// The names of the indexes on `table`, sorted.
    pub async fn index_names(&self, table: &str) -> Vec<String> {
        let sql = match self.backend {
            Backend::Sqlite => format!(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}'"
            ),
            Backend::Postgres => format!(
                "SELECT indexname::text FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename = '{table}'"
            ),
            Backend::MySql => format!(
                "SELECT DISTINCT CAST(INDEX_NAME AS CHAR) FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
            ),
        };
        let mut names: Vec<String> = self
            .strings(&sql)
            .await
            .into_iter()
            .map(|mut row| row.remove(0))
            .collect();
        names.sort();
        names
    }
}

/// A new SQLite database file with every table created.
pub async fn sqlite() -> TestDb {
    let db = TestDb::empty(Backend::Sqlite)
        .await
        .expect("SQLite needs no configuration");
    test_project::create_tables(&db)
        .await
        .expect("create tables");
    db
}

pub async fn user(db: &DatabaseConnection, username: &str) -> user::Model {
    user::ActiveModel {
        username: Set(username.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert user")
}

pub async fn group(db: &DatabaseConnection, name: &str) -> group::Model {
    group::ActiveModel {
        name: Set(name.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert group")
}

pub async fn post(db: &DatabaseConnection, author: &user::Model, title: &str) -> post::Model {
    post::ActiveModel {
        author_id: Set(author.id),
        title: Set(title.to_owned()),
        body: Set(format!("{title}, the body")),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert post")
}

pub async fn device(db: &DatabaseConnection, id: i64, name: &str) -> device::Model {
    device::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
    }
    .insert(db)
    .await
    .expect("insert device")
}

pub async fn tag(db: &DatabaseConnection, id: &str) -> tag::Model {
    tag::ActiveModel {
        id: Set(id.to_owned()),
    }
    .insert(db)
    .await
    .expect("insert tag")
}

/// The original test suite's users.
pub struct Beatles {
    pub lennon: user::Model,
    pub hendrix: user::Model,
    pub morrison: user::Model,
}

pub async fn beatles(db: &DatabaseConnection) -> Beatles {
    Beatles {
        lennon: user(db, "lennon").await,
        hendrix: user(db, "hendrix").await,
        morrison: user(db, "morrison").await,
    }
}

/// A description no other test run uses, to pick this test's events out of the
/// process-wide signal.
pub fn marker(what: &str, backend: Backend) -> String {
    format!(
        "{what}-{backend:?}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Record the SQL of every statement `db` runs from now on (sea-orm's metric callback), to
/// assert statement counts.
pub fn record_statements(
    db: &mut DatabaseConnection,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let statements = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&statements);
    db.set_metric_callback(move |info| {
        sink.lock().unwrap().push(info.statement.sql.clone());
    });
    statements
}
