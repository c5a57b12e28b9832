//! Feeds: cursor pagination over every stream, and the query plans behind it.

mod common;

use chrono::{TimeZone, Utc};
use common::{Beatles, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Select, Statement};
use stream_core::{Cursor, StreamError};
use test_project::{Verb, action};

#[tokio::test]
async fn cursors_walk_a_stream_page_by_page_without_gaps_or_repeats() {
    let db = common::sqlite().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // 45 actions; ten pairs share a timestamp so that the id must break ties.
    let mut sent = Vec::new();
    for i in 0..45 {
        let when = Utc.timestamp_opt(1_700_000_000 + i / 2, 0).unwrap();
        sent.push(
            action::Entity::send(&db, &lennon, Verb::Default)
                .target(&hendrix)
                .timestamp(when)
                .await
                .unwrap(),
        );
    }
    sent.reverse(); // newest first

    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = action::Entity::for_actor(&lennon)
            .page(cursor.as_ref(), 20)
            .all(&*db)
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|a| a.id));
        match page.next {
            // The client carries the cursor as text, e.g. in a URL.
            Some(next) => cursor = Some(next.to_string().parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, sent.iter().map(|a| a.id).collect::<Vec<_>>());

    // A page that ends exactly at the end has no next cursor.
    let exact = action::Entity::stream().page(None, 45).all(&*db).await.unwrap();
    assert_eq!(exact.items.len(), 45);
    assert_eq!(exact.next, None);
}

#[tokio::test]
async fn malformed_and_tampered_cursors_are_typed_errors() {
    let db = common::sqlite().await;
    let Beatles { lennon, .. } = beatles(&db).await;
    for _ in 0..3 {
        action::Entity::send(&db, &lennon, Verb::Default).await.unwrap();
    }
    let page = action::Entity::stream().page(None, 1).all(&*db).await.unwrap();
    let good = page.next.unwrap().to_string();
    let mut tampered = good.clone().into_bytes();
    tampered[31] = if tampered[31] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();

    for bad in [tampered.as_str(), "", "not-a-cursor", &good[..40]] {
        let error = bad.parse::<Cursor>().unwrap_err();
        assert!(matches!(error, StreamError::InvalidCursor(_)), "{bad:?}: {error:?}");
    }
}

fn sqlite_plan(select: Select<action::Entity>) -> (String, String) {
    let sql = select.build(DbBackend::Sqlite).to_string();
    (sql.clone(), format!("EXPLAIN QUERY PLAN {sql}"))
}

#[tokio::test]
async fn pages_use_an_index_and_never_offset_on_sqlite() {
    let db = common::sqlite().await;
    let Beatles { lennon, hendrix, .. } = beatles(&db).await;
    for _ in 0..50 {
        action::Entity::send(&db, &lennon, Verb::Default).target(&hendrix).await.unwrap();
    }
    db.execute_unprepared("ANALYZE").await.unwrap();
    let cursor = action::Entity::stream().page(None, 20).all(&*db).await.unwrap().next;

    let streams: Vec<(&str, Select<action::Entity>, &str)> = vec![
        ("global", action::Entity::stream(), "timestamp_id"),
        ("actor", action::Entity::for_actor(&lennon), "actor_user"),
        ("target", action::Entity::for_target(&hendrix), "target_user"),
    ];
    for (name, select, index) in streams {
        let page = select.page(cursor.as_ref(), 20).into_select();
        let (sql, explain) = sqlite_plan(page);
        assert!(!sql.contains("OFFSET"), "{name}: {sql}");
        let plan: Vec<String> = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, explain))
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.try_get_by_index::<String>(3).unwrap())
            .collect();
        let plan = plan.join(" | ");
        // Either index is a range walk; SQLite picks by selectivity.
        let indexed = plan.contains(index) || plan.contains("timestamp_id");
        assert!(plan.contains("USING INDEX") && indexed, "{name}: {plan}");
        assert!(!plan.contains("SCAN stream_action"), "{name} scans the table: {plan}");
    }
}
