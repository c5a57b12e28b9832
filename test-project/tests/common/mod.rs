//! Test databases and fixtures shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use stream_core::sea_orm::{ActiveModelTrait, ConnectOptions, Database, DatabaseConnection, Set};
use test_project::{group, post, user};

/// A fresh database of its own for one test, removed when dropped.
pub struct TestDb {
    pub db: DatabaseConnection,
    file: Option<PathBuf>,
}

impl std::ops::Deref for TestDb {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        &self.db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(name);
            }
        }
    }
}

/// A new SQLite database file with every table created.
pub async fn sqlite() -> TestDb {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let file = std::env::temp_dir().join(format!(
        "stream-test-{}-{}.sqlite",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(8);
    let db = Database::connect(options).await.expect("open SQLite");
    test_project::create_tables(&db)
        .await
        .expect("create tables");
    TestDb {
        db,
        file: Some(file),
    }
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
