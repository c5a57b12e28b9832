//! Feeds: cursor pagination over every stream and the query plans behind it, the any-role and
//! model streams, follows and the user stream — on every backend.

mod common;

use chrono::{TimeZone, Utc};
use common::{Backend, Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select, Statement, sea_query::Expr,
};
use stream_core::{Cursor, FollowEntity, NewAction, StreamError};
use test_project::{Verb, action, follow, group, notification, post, user};

common::on_every_backend!(
    cursors_walk_a_stream_page_by_page_without_gaps_or_repeats,
    malformed_and_tampered_cursors_are_typed_errors,
    pages_use_an_index_and_never_offset,
    any_role_and_model_streams,
    follow_unfollow_and_who_follows_whom,
    the_user_stream_is_one_statement,
    bulk_send_is_all_or_nothing_with_a_signal_per_action,
    hydrated_pages_are_one_statement_and_carry_the_cursor,
    bulk_rows_keep_exactly_the_columns_they_set,
    streams_over_several_columns_page_like_their_plain_condition,
    a_follower_of_a_thousand_objects_pages_like_the_plain_condition,
);

async fn cursors_walk_a_stream_page_by_page_without_gaps_or_repeats(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // 45 actions; pairs share a timestamp so that the id must break ties.
    let mut sent = Vec::new();
    for i in 0..45 {
        let when = Utc.timestamp_opt(1_700_000_000 + i / 2, 0).unwrap();
        sent.push(
            action::Entity::send(&*db, &lennon, Verb::Default)
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
    let exact = action::Entity::stream()
        .page(None, 45)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(exact.items.len(), 45);
    assert_eq!(exact.next, None);
}

async fn malformed_and_tampered_cursors_are_typed_errors(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    for _ in 0..3 {
        action::Entity::send(&*db, &lennon, Verb::Default)
            .await
            .unwrap();
    }
    let page = action::Entity::stream()
        .page(None, 1)
        .all(&*db)
        .await
        .unwrap();
    let good = page.next.unwrap().to_string();
    let mut tampered = good.clone().into_bytes();
    tampered[31] = if tampered[31] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();

    for bad in [tampered.as_str(), "", "not-a-cursor", &good[..40]] {
        let error = bad.parse::<Cursor>().unwrap_err();
        assert!(
            matches!(error, StreamError::InvalidCursor(_)),
            "{bad:?}: {error:?}"
        );
    }
}

/// The query plan of `statement` as one line per step; on SQLite each step is
/// `<id>/<parent>: <detail>`, so steps inside a derived table can be told apart.
async fn plan(db: &TestDb, statement: Statement) -> String {
    assert!(!statement.sql.contains("OFFSET"), "{}", statement.sql);
    let explain = match db.backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {}", statement.sql),
        Backend::Postgres => format!("EXPLAIN {}", statement.sql),
        Backend::MySql => return String::new(),
    };
    let values = statement.values.map(|values| values.0).unwrap_or_default();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            explain,
            values,
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| match db.backend {
            Backend::Sqlite => format!(
                "{}/{}: {}",
                row.try_get_by_index::<i64>(0).unwrap(),
                row.try_get_by_index::<i64>(1).unwrap(),
                row.try_get_by_index::<String>(3).unwrap()
            ),
            _ => row.try_get_by_index::<String>(0).unwrap(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The steps of a SQLite plan that read `stream_action` itself: for a hydrated page, those
/// inside the derived table (the outer `SCAN stream_action` reads the page's rows).
fn sqlite_action_steps(plan: &str) -> Vec<&str> {
    let steps: Vec<(&str, &str, &str)> = plan
        .split(" | ")
        .map(|step| {
            let (ids, detail) = step.split_once(": ").unwrap();
            let (id, parent) = ids.split_once('/').unwrap();
            (id, parent, detail)
        })
        .collect();
    // The derived table's steps and their descendants (a parent comes before its children).
    let mut page: Vec<&str> = steps
        .iter()
        .filter(|(_, _, detail)| *detail == "CO-ROUTINE stream_action")
        .map(|(id, _, _)| *id)
        .collect();
    let derived = !page.is_empty();
    steps
        .iter()
        .filter(|(id, parent, detail)| {
            let inside = page.contains(parent);
            if inside {
                page.push(id);
            }
            detail.contains(" stream_action") && (!derived || inside)
        })
        .map(|(_, _, detail)| *detail)
        .collect()
}

/// `plan` reads `stream_action` through one of `indexes`, never by scanning the table.
fn assert_walks_an_index(db: &TestDb, name: &str, plan: &str, indexes: &[&str]) {
    let indexed = indexes.iter().any(|index| plan.contains(index));
    match db.backend {
        Backend::Sqlite => {
            let steps = sqlite_action_steps(plan);
            assert!(
                steps.iter().any(|step| step.contains("USING")) && indexed,
                "{name}: {plan}"
            );
            // `SCAN .. USING INDEX` walks the index in order and stops at the limit; a bare
            // `SCAN stream_action` would read the whole table.
            let full_scan = steps
                .iter()
                .any(|step| step.starts_with("SCAN stream_action") && !step.contains("INDEX"));
            assert!(!full_scan, "{name} scans: {plan}");
        }
        Backend::Postgres => {
            assert!(plan.contains("Index") && indexed, "{name}: {plan}");
            assert!(
                !plan.contains("Seq Scan on stream_action"),
                "{name} scans: {plan}"
            );
        }
        // On a table this small MariaDB may prefer a filesort; the plan is checked on SQLite
        // and PostgreSQL, and MariaDB is measured by the benchmark.
        Backend::MySql => {}
    }
}

async fn pages_use_an_index_and_never_offset(db: TestDb) {
    // Twenty users, 2,000 actions: enough rows that a planner prefers an index to a scan.
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(common::user(&db, &format!("user{i}")).await);
    }
    let rows: Vec<String> = (0..2000)
        .map(|i| {
            let when = Utc.timestamp_opt(1_700_000_000 + i, 0).unwrap();
            let when = match db.backend {
                Backend::MySql => when.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
                _ => when.to_rfc3339(),
            };
            let actor = users[(i * 7 % 20) as usize].id;
            let target = users[(i * 3 % 20) as usize].id;
            format!("('{when}', 'default', {actor}, {target})")
        })
        .collect();
    db.execute_unprepared(&format!(
        "INSERT INTO stream_action (timestamp, verb, actor_user, target_user) VALUES {}",
        rows.join(", ")
    ))
    .await
    .unwrap();
    let analyze = match db.backend {
        Backend::Sqlite | Backend::Postgres => "ANALYZE",
        Backend::MySql => "ANALYZE TABLE stream_action",
    };
    db.execute_unprepared(analyze).await.unwrap();

    let cursor = action::Entity::stream()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap()
        .next;
    let streams: Vec<(&str, Select<action::Entity>, &str)> = vec![
        ("global", action::Entity::stream(), "timestamp_id"),
        ("actor", action::Entity::for_actor(&users[7]), "actor_user"),
        (
            "target",
            action::Entity::for_target(&users[3]),
            "target_user",
        ),
        // The public filter is checked on the rows the index walk reads anyway (the page
        // reads each row for its columns): the same index, no sort, no scan.
        (
            "global, public only",
            action::Entity::stream().public_only(),
            "timestamp_id",
        ),
        (
            "actor, public only",
            action::Entity::for_actor(&users[7]).public_only(),
            "actor_user",
        ),
    ];
    let backend = db.get_database_backend();
    for (name, select, index) in streams {
        for page in [None, cursor.as_ref()] {
            let query = select.clone().page(page, 20);
            for statement in [query.statement(backend), query.hydrated_statement(backend)] {
                // Either the role's index or the (timestamp, id) one: both are range walks,
                // and the planner picks by selectivity.
                let plan = plan(&db, statement).await;
                assert_walks_an_index(&db, name, &plan, &[index, "timestamp_id"]);
            }
        }
    }

    // The user stream walks an index, never the whole table, and joins the roles only for
    // the rows of the page (inside the derived table, before the joins).
    for k in [3, 5, 11] {
        follow::Entity::follow(&*db, &users[0], &users[k])
            .await
            .unwrap();
    }
    let query = action::Entity::followed_by::<follow::Entity>(&users[0]).page(None, 20);
    let plan = plan(&db, query.hydrated_statement(backend)).await;
    let public_only = action::Entity::followed_by::<follow::Entity>(&users[0])
        .public_only()
        .page(None, 20);
    // As for the whole stream, the planner picks one of the two by the statistics (the
    // filter changes its estimates, so the two plans need not be the same one).
    let public_plan = self::plan(&db, public_only.hydrated_statement(backend)).await;
    assert_walks_an_index(
        &db,
        "user stream, public only",
        &public_plan,
        &["newest-actor_user", "timestamp_id"],
    );
    if db.backend == Backend::Sqlite {
        assert!(plan.contains("CO-ROUTINE stream_action"), "{plan}");
        assert!(
            public_plan.contains("CO-ROUTINE stream_action"),
            "{public_plan}"
        );
    }
    // Per followed user its index, or the (timestamp, id) index walked newest first (here,
    // where they act often): the planner picks by the statistics.
    assert_walks_an_index(
        &db,
        "user stream",
        &plan,
        &["newest-actor_user", "timestamp_id"],
    );
    // On SQLite, one limited page per column of the role, none of them a MULTI-INDEX OR that
    // collects and sorts every match: each walks its column's index (covering: the page's
    // rows are read by id after), or the (timestamp, id) one newest first where the
    // statistics say the followed objects act often. With a cursor too, and for `involving`.
    if db.backend == Backend::Sqlite {
        let pages = [
            (
                "user stream",
                query.hydrated_statement(backend),
                &["actor_user", "actor_group"][..],
            ),
            (
                "user stream after a cursor",
                action::Entity::followed_by::<follow::Entity>(&users[0])
                    .page(cursor.as_ref(), 20)
                    .statement(backend),
                &["actor_user", "actor_group"],
            ),
            (
                "involving after a cursor",
                action::Entity::involving(&users[3])
                    .page(cursor.as_ref(), 20)
                    .hydrated_statement(backend),
                &["actor_user", "target_user", "action_object_user"],
            ),
        ];
        for (name, statement, columns) in pages {
            let steps = self::plan(&db, statement).await;
            assert!(!steps.contains("MULTI-INDEX OR"), "{name}: {steps}");
            assert!(
                steps.contains("SEARCH stream_action USING INTEGER PRIMARY KEY (rowid=?)"),
                "{name} reads the page by id: {steps}"
            );
            let arms: Vec<&str> = steps.split("CO-ROUTINE stream_arm_").skip(1).collect();
            assert_eq!(
                arms.len(),
                columns.len(),
                "{name}: one page per column: {steps}"
            );
            for column in columns {
                let own =
                    format!("USING COVERING INDEX idx-stream_action-newest-{column} ({column}=");
                let newest = "USING INDEX idx-stream_action-timestamp_id";
                assert!(
                    arms.iter()
                        .any(|arm| arm.contains(&own) || arm.contains(newest)),
                    "{name} walks an index for {column}: {steps}"
                );
            }
            for arm in arms {
                assert!(
                    arm.contains("idx-stream_action-newest-") || arm.contains("timestamp_id"),
                    "{name}: every page walks an index: {steps}"
                );
            }
        }
    }
    let page = query.hydrated(&*db).await.unwrap();
    assert_eq!(page.items.len(), 20);
    assert!(page.items.iter().all(|loaded| matches!(
        &loaded.actor,
        action::ActorModel::User(u) if [3, 5, 11].map(|k| users[k].id).contains(&u.id)
    )));
    assert!(
        page.items
            .windows(2)
            .all(|w| (w[0].action.timestamp, w[0].action.id)
                > (w[1].action.timestamp, w[1].action.id)),
        "newest first"
    );

    // The role indexes are partial on SQLite and PostgreSQL: an action adds entries only
    // for the columns it sets. 2,000 actions set `actor_user` and `target_user` only.
    let entries = match db.backend {
        Backend::Sqlite => Some(
            "SELECT count(*) FROM stream_action INDEXED BY \"idx-stream_action-newest-target_group\" \
             WHERE target_group IS NOT NULL",
        ),
        Backend::Postgres => Some(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'stream_action' \
             AND indexdef LIKE '%newest-target_group%WHERE (target_group IS NOT NULL)'",
        ),
        Backend::MySql => None,
    };
    if let Some(sql) = entries {
        let row = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        let count = row.try_get_by_index::<i64>(0).unwrap();
        match db.backend {
            Backend::Sqlite => assert_eq!(count, 0, "no entries for NULL columns"),
            _ => assert_eq!(count, 1, "the index is declared partial"),
        }
    }
}

async fn any_role_and_model_streams(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    let a = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    let b = action::Entity::send(&*db, &morrison, Verb::Default)
        .target(&rust)
        .action_object(&hendrix)
        .await
        .unwrap();
    let c = action::Entity::send(&*db, &hendrix, Verb::Created)
        .action_object(&imagine)
        .await
        .unwrap();
    let d = action::Entity::send(&*db, &morrison, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();

    let ids = |rows: Vec<action::Model>| rows.into_iter().map(|a| a.id).collect::<Vec<_>>();
    // hendrix as target, action object and actor; newest first.
    let involving = action::Entity::involving(&hendrix).all(&*db).await.unwrap();
    assert_eq!(ids(involving), vec![c.id, b.id, a.id]);
    assert_eq!(
        ids(action::Entity::involving(&rust).all(&*db).await.unwrap()),
        vec![b.id]
    );
    // Any post, in any role; any group.
    let posts = action::Entity::involving_any::<post::Model>()
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(ids(posts), vec![c.id]);
    let groups = action::Entity::involving_any::<group::Model>()
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(ids(groups), vec![b.id]);
    let users = action::Entity::involving_any::<user::Model>()
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(users, 4);
    let _ = d;
}

async fn follow_unfollow_and_who_follows_whom(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;

    assert!(
        follow::Entity::follow(&*db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(
        !follow::Entity::follow(&*db, &lennon, &hendrix)
            .await
            .unwrap(),
        "already"
    );
    assert!(follow::Entity::follow(&*db, &lennon, &rust).await.unwrap());
    assert!(
        follow::Entity::follow(&*db, &morrison, &hendrix)
            .await
            .unwrap()
    );
    assert_eq!(follow::Entity::find().count(&*db).await.unwrap(), 3);

    assert!(
        follow::Entity::is_following(&*db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(
        !follow::Entity::is_following(&*db, &hendrix, &lennon)
            .await
            .unwrap()
    );
    let mut fans: Vec<String> = follow::Entity::followers(&hendrix)
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    fans.sort();
    assert_eq!(fans, ["lennon", "morrison"]);
    let followed = follow::Entity::following(&lennon).all(&*db).await.unwrap();
    let mut what: Vec<_> = followed.iter().filter_map(|f| f.followed_id()).collect();
    what.sort_by_key(|id| format!("{id:?}"));
    assert_eq!(
        what,
        [
            follow::FollowedId::Group(rust.id),
            follow::FollowedId::User(hendrix.id)
        ]
    );
    let users = follow::Entity::following_of::<user::Model>(&lennon)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(users, std::slice::from_ref(&hendrix));

    assert!(
        follow::Entity::unfollow(&*db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(
        !follow::Entity::unfollow(&*db, &lennon, &hendrix)
            .await
            .unwrap(),
        "already"
    );
    assert!(
        !follow::Entity::is_following(&*db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    // Deleting the followed object removes the follows of it.
    user::Entity::delete_by_id(hendrix.id)
        .exec(&*db)
        .await
        .unwrap();
    assert_eq!(follow::Entity::find().count(&*db).await.unwrap(), 1);
}

async fn the_user_stream_is_one_statement(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let joplin = common::user(&db, "joplin").await;
    let by_hendrix = action::Entity::send(&*db, &hendrix, Verb::Default)
        .await
        .unwrap();
    let by_rust = action::Entity::send(&*db, &rust, Verb::Created)
        .target(&morrison)
        .await
        .unwrap();
    let by_morrison = action::Entity::send(&*db, &morrison, Verb::Follow)
        .target(&rust)
        .await
        .unwrap();
    let to_hendrix = action::Entity::send(&*db, &joplin, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();

    follow::Entity::follow(&*db, &lennon, &hendrix)
        .await
        .unwrap();
    follow::Entity::follow(&*db, &lennon, &rust).await.unwrap();
    // Someone else's follow must not leak into lennon's stream.
    follow::Entity::follow(&*db, &joplin, &morrison)
        .await
        .unwrap();

    let mut counted = db.db.clone();
    let statements = common::record_statements(&mut counted);
    let stream = action::Entity::followed_by::<follow::Entity>(&lennon)
        .page(None, 20)
        .all(&counted)
        .await
        .unwrap();
    assert_eq!(
        statements.lock().unwrap().len(),
        1,
        "{:?}",
        statements.lock().unwrap()
    );
    let ids: Vec<i64> = stream.items.iter().map(|a| a.id).collect();
    assert_eq!(ids, [by_rust.id, by_hendrix.id]);

    // Also through the target: rust and hendrix are followed, and are targets.
    let wider =
        action::Entity::followed_by_in::<follow::Entity>(&lennon, &[Role::Actor, Role::Target])
            .all(&*db)
            .await
            .unwrap();
    let ids: Vec<i64> = wider.iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [to_hendrix.id, by_morrison.id, by_rust.id, by_hendrix.id]
    );

    // Following nobody: an empty stream, not an error.
    let nobody = action::Entity::followed_by::<follow::Entity>(&morrison)
        .all(&*db)
        .await
        .unwrap();
    assert!(nobody.is_empty());
}

async fn bulk_send_is_all_or_nothing_with_a_signal_per_action(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    let marker = common::marker("bulk", db.backend);
    let mut subscription = action::Entity::signal().subscribe();
    let actions = |n: usize| {
        let (lennon, hendrix, morrison, rust, imagine, marker) =
            (&lennon, &hendrix, &morrison, &rust, &imagine, &marker);
        (0..n).map(move |i| {
            let action = match i % 3 {
                0 => NewAction::new(lennon, Verb::Follow).target(hendrix),
                1 => NewAction::new(rust, Verb::Created)
                    .target(morrison)
                    .action_object(imagine),
                _ => NewAction::new(hendrix, Verb::Default),
            };
            action
                .description(marker.clone())
                .timestamp(Utc.timestamp_opt(1_700_000_000 + i as i64, 0).unwrap())
        })
    };

    // SQLite: an index of the application's own beside the library's. A load larger than the
    // table drops every index and creates it again after (see below).
    let indexes_before = if db.backend == Backend::Sqlite {
        db.execute_unprepared(
            r#"CREATE INDEX "app-described" ON stream_action (description) WHERE description <> ''"#,
        )
        .await
        .unwrap();
        let indexes = sqlite_indexes(&db).await;
        assert!(indexes.len() > 10, "{indexes:#?}");
        indexes
    } else {
        Vec::new()
    };
    let ghost = user::Model {
        id: 9_999,
        username: "ghost".into(),
    };
    // A failed load larger than the table (and than the 5,000 rows from which a load may
    // rebuild the indexes): its indexes come back with the rollback.
    let error = action::Entity::send_many(
        &*db,
        actions(5_500).chain([NewAction::new(&ghost, Verb::Default)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StreamError::MissingObject(_)), "{error:?}");
    if db.backend == Backend::Sqlite {
        assert_eq!(sqlite_indexes(&db).await, indexes_before);
    }

    let mut counted = db.db.clone();
    let statements = common::record_statements(&mut counted);
    let stored = action::Entity::send_many(&counted, actions(6_000))
        .await
        .unwrap();
    assert_eq!(stored, 6_000);
    if db.backend == Backend::Sqlite {
        // The same indexes, made by the same statements, around the load.
        assert_eq!(sqlite_indexes(&db).await, indexes_before);
        let statements = statements.lock().unwrap();
        let dropped = statements
            .iter()
            .filter(|sql| sql.starts_with("DROP INDEX"))
            .count();
        assert_eq!(dropped, indexes_before.len(), "{statements:#?}");
        for (_, create) in &indexes_before {
            assert!(statements.contains(create), "{create} not run again");
        }
    }
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 6_000);
    // The sample application's rules notify hendrix of each of the 2,000 follows: their
    // deliveries go together, 500 to a statement, after the actions.
    let deliveries = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| {
            sql.starts_with(r#"INSERT INTO "stream_notification""#)
                || sql.starts_with("INSERT INTO `stream_notification`")
        })
        .count();
    assert_eq!(deliveries, 4);
    assert_eq!(
        notification::Entity::find().count(&*db).await.unwrap(),
        2_000
    );
    let inserts: Vec<String> = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.starts_with("INSERT") && !sql.contains("stream_notification"))
        .cloned()
        .collect();
    // 12 columns a row, at most 30,000 parameters a statement: 2,500 rows each.
    match db.backend {
        Backend::Postgres => assert_eq!(inserts.len(), 3, "one multi-row INSERT per batch"),
        Backend::Sqlite => {
            // Each batch into the staging table, then one statement moves every row.
            assert_eq!(inserts.len(), 4, "{inserts:#?}");
            assert!(
                inserts[..3]
                    .iter()
                    .all(|sql| sql.starts_with(r#"INSERT INTO "temp"."stream_bulk_stream_action""#)),
                "{inserts:#?}"
            );
            assert!(
                inserts[3].starts_with(r#"INSERT INTO "stream_action""#)
                    && inserts[3].contains(r#"SELECT "timestamp""#)
                    && inserts[3].contains("ORDER BY rowid ASC"),
                "{}",
                inserts[3]
            );
        }
        // Read back row by row for the signal's subscribers.
        Backend::MySql => {}
    }
    let mut signalled = 0;
    while let Some(event) = subscription.try_recv() {
        signalled += usize::from(event.description.as_deref() == Some(marker.as_str()));
    }
    assert_eq!(
        signalled, 6_000,
        "a signal for each action, after the commit"
    );
    // Every role landed in its column.
    let created = action::Entity::for_action_object(&imagine)
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(created, 2_000);

    // One bad row (an actor that does not exist) and nothing of the batch is stored.
    let with_ghost = actions(3_000).chain([NewAction::new(&ghost, Verb::Default)]);
    let error = action::Entity::send_many(&*db, with_ghost)
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::MissingObject(_)), "{error:?}");
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 6_000);
    while let Some(event) = subscription.try_recv() {
        assert_ne!(
            event.description.as_deref(),
            Some(marker.as_str()),
            "no signal"
        );
    }
    // The failed load left nothing behind on its connection (SQLite's staging table included):
    // the next load works. A small load into an empty table leaves the indexes alone.
    let stored = action::Entity::send_many(&*db, actions(10)).await.unwrap();
    assert_eq!(stored, 10);
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 6_010);
    let statements = common::record_statements(&mut counted);
    action::Entity::delete_many().exec(&*db).await.unwrap();
    let stored = action::Entity::send_many(&counted, actions(10))
        .await
        .unwrap();
    assert_eq!(stored, 10);
    assert!(
        !statements
            .lock()
            .unwrap()
            .iter()
            .any(|sql| sql.contains("INDEX")),
        "no index dropped or created"
    );
}

/// Name and `CREATE INDEX` statement of each index of SQLite's action table, as SQLite keeps
/// them.
async fn sqlite_indexes(db: &TestDb) -> Vec<(String, String)> {
    db.query_all_raw(Statement::from_string(
        DbBackend::Sqlite,
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
         AND tbl_name = 'stream_action' AND sql IS NOT NULL ORDER BY name",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get_by_index(0).unwrap(),
            row.try_get_by_index(1).unwrap(),
        )
    })
    .collect()
}

async fn hydrated_pages_are_one_statement_and_carry_the_cursor(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    for i in 0..30 {
        let action = match i % 3 {
            0 => NewAction::new(&lennon, Verb::Follow).target(&hendrix),
            1 => NewAction::new(&lennon, Verb::Commented)
                .target(&rust)
                .action_object(&imagine),
            _ => NewAction::new(&lennon, Verb::Joined).target(&rust),
        };
        action::Entity::create(&*db, action).await.unwrap();
    }
    let mut counted = db.db.clone();
    let statements = common::record_statements(&mut counted);
    let first = action::Entity::for_actor(&lennon)
        .page(None, 20)
        .hydrated(&counted)
        .await
        .unwrap();
    assert_eq!(statements.lock().unwrap().len(), 1);
    assert_eq!(first.items.len(), 20);
    let plain = action::Entity::for_actor(&lennon)
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(
        first.next, plain.next,
        "hydrated and plain pages end at the same cursor"
    );
    assert!(
        first
            .items
            .iter()
            .all(|l| l.actor == action::ActorModel::User(lennon.clone()))
    );
    let commented = first
        .items
        .iter()
        .find(|l| l.action.verb == Verb::Commented)
        .unwrap();
    assert_eq!(
        commented.target,
        Some(action::TargetModel::Group(rust.clone()))
    );
    assert_eq!(
        commented.action_object,
        Some(action::ActionObjectModel::Post(imagine.clone()))
    );
    let rest = action::Entity::for_actor(&lennon)
        .page(first.next.as_ref(), 20)
        .hydrated(&*db)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 10);
    assert_eq!(rest.next, None);

    // A select with a column of its own is joined and decoded by column name instead of by
    // position: the same page either way.
    let own_column = action::Entity::for_actor(&lennon)
        .column_as(Expr::val(7), "seven")
        .page(None, 20)
        .hydrated(&*db)
        .await
        .unwrap();
    assert_eq!(own_column, first);
    // So is one with a join of its own.
    let own_join = action::Entity::for_actor(&lennon)
        .join(JoinType::InnerJoin, action::Relation::ActorUser.def())
        .page(None, 20)
        .hydrated(&*db)
        .await
        .unwrap();
    assert_eq!(own_join, first);

    // MySQL/MariaDB read the stream of one object flat (one index range, already in order),
    // and a stream over several objects as a derived table (the page first, then the joins).
    let derived = |select: Select<action::Entity>, cursor: Option<&Cursor>| {
        select
            .page(cursor, 20)
            .hydrated_statement(DbBackend::MySql)
            .sql
            .contains(" FROM (SELECT ")
    };
    assert!(!derived(action::Entity::for_actor(&lennon), None));
    assert!(!derived(
        action::Entity::for_actor(&lennon),
        first.next.as_ref()
    ));
    assert!(!derived(action::Entity::stream(), first.next.as_ref()));
    let both: [&dyn stream_core::Actor<action::Entity>; 2] = [&lennon, &hendrix];
    assert!(derived(action::Entity::for_actors(both), None));
    assert!(derived(
        action::Entity::followed_by::<follow::Entity>(&lennon),
        first.next.as_ref()
    ));
    assert!(derived(action::Entity::involving(&rust), None));

    // PostgreSQL's page is put together from cached parts: exactly what sea-query builds.
    let select = action::Entity::for_actor(&lennon);
    assert_eq!(
        select
            .clone()
            .page(None, 20)
            .hydrated_statement(DbBackend::Postgres)
            .sql,
        format!(
            "{} LIMIT 21",
            action::Entity::__join_roles_for_page(select)
                .build(DbBackend::Postgres)
                .sql
        )
    );
}

async fn bulk_rows_keep_exactly_the_columns_they_set(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    // 2,600 plain actions, then a mix: the first batch (2,500 rows) sets only the actor,
    // the second sets targets, action objects and descriptions on some rows only, so the
    // two batches insert different columns.
    let mix = |i: usize| match i % 4 {
        0 => NewAction::new(&lennon, Verb::Follow).target(&hendrix),
        1 => NewAction::new(&rust, Verb::Created)
            .target(&lennon)
            .action_object(&imagine)
            .description(format!("created {i}")),
        2 => NewAction::new(&hendrix, Verb::Default).description(""),
        _ => NewAction::new(&hendrix, Verb::Default).target(&rust),
    };
    let at = |i: usize| Utc.timestamp_opt(1_700_000_000 + i as i64, 0).unwrap();
    let actions = (0..2_600)
        .map(|i| NewAction::new(&lennon, Verb::Default).timestamp(at(i)))
        .chain((2_600..2_700).map(|i| mix(i).timestamp(at(i))));
    let cache_before = sqlite_cache_size(&db).await;
    assert_eq!(
        action::Entity::send_many(&*db, actions).await.unwrap(),
        2_700
    );
    assert_eq!(
        sqlite_cache_size(&db).await,
        cache_before,
        "send_many gives the connection its page cache back"
    );

    let stored = action::Entity::find()
        .order_by_asc(action::Column::Timestamp)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2_700);
    use action::{ActionObjectId, ActorId, TargetId};
    for (i, action) in stored.iter().enumerate() {
        type Expected = (
            ActorId,
            Option<TargetId>,
            Option<ActionObjectId>,
            Option<String>,
            Verb,
        );
        let expected: Expected = match (i < 2_600, i % 4) {
            (true, _) => (ActorId::User(lennon.id), None, None, None, Verb::Default),
            (false, 0) => (
                ActorId::User(lennon.id),
                Some(TargetId::User(hendrix.id)),
                None,
                None,
                Verb::Follow,
            ),
            (false, 1) => (
                ActorId::Group(rust.id),
                Some(TargetId::User(lennon.id)),
                Some(ActionObjectId::Post(imagine.id)),
                Some(format!("created {i}")),
                Verb::Created,
            ),
            (false, 2) => (
                ActorId::User(hendrix.id),
                None,
                None,
                Some(String::new()),
                Verb::Default,
            ),
            _ => (
                ActorId::User(hendrix.id),
                Some(TargetId::Group(rust.id)),
                None,
                None,
                Verb::Default,
            ),
        };
        let actual: Expected = (
            action.actor_id().unwrap(),
            action.target_id(),
            action.action_object_id(),
            action.description.clone(),
            action.verb,
        );
        assert_eq!(actual, expected, "row {i}");
        assert_eq!(action.timestamp, at(i), "row {i}");
        assert_eq!(action.get_or_create_key, None, "row {i}");
    }
}

/// `PRAGMA cache_size` of the test's SQLite connection (`None` elsewhere).
async fn sqlite_cache_size(db: &TestDb) -> Option<i64> {
    if db.backend != Backend::Sqlite {
        return None;
    }
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA cache_size",
        ))
        .await
        .unwrap()
        .unwrap();
    Some(row.try_get_by_index::<i64>(0).unwrap())
}

/// Every page of `select`, walked by cursor with pages of `size`, read plain and hydrated:
/// the ids of each walk, after checking that the walk read one statement per page and that,
/// on SQLite, a stream over several columns was read as one limited page per column.
async fn walk(db: &TestDb, name: &str, select: &Select<action::Entity>, size: u64) -> Vec<i64> {
    let backend = db.get_database_backend();
    let several = select
        .as_query()
        .to_string(stream_core::sea_orm::sea_query::SqliteQueryBuilder);
    let several = several.contains(" OR ");
    let mut walks = Vec::new();
    for hydrated in [false, true] {
        let (mut ids, mut cursor, mut pages) = (Vec::new(), None::<Cursor>, 0);
        loop {
            let query = select.clone().page(cursor.as_ref(), size);
            let statement = match hydrated {
                false => query.statement(backend),
                true => query.hydrated_statement(backend),
            };
            if db.backend == Backend::Sqlite {
                assert_eq!(
                    statement.sql.contains("UNION ALL"),
                    several,
                    "{name}: one limited page per column exactly when the condition is an OR \
                     of several: {}",
                    statement.sql
                );
            }
            let mut counted = db.db.clone();
            let statements = common::record_statements(&mut counted);
            let page = if hydrated {
                let page = query.hydrated(&counted).await.unwrap();
                let next = page.next;
                (
                    page.items.iter().map(|l| l.action.id).collect::<Vec<_>>(),
                    next,
                )
            } else {
                let page = query.all(&counted).await.unwrap();
                (page.items.iter().map(|a| a.id).collect(), page.next)
            };
            assert_eq!(
                statements.lock().unwrap().len(),
                1,
                "{name}: one statement a page"
            );
            assert!(page.0.len() <= size as usize, "{name}");
            pages += 1;
            ids.extend(page.0);
            match page.1 {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(pages < 1_000, "{name}: the walk ends");
        }
        walks.push(ids);
    }
    assert_eq!(walks[0], walks[1], "{name}: plain and hydrated pages agree");
    walks.remove(0)
}

/// The ids of `select` read whole with its plain condition (no page, no union), newest first.
async fn plain_ids(db: &TestDb, select: &Select<action::Entity>) -> Vec<i64> {
    select
        .clone()
        .all(&**db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect()
}

async fn streams_over_several_columns_page_like_their_plain_condition(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let joplin = common::user(&db, "joplin").await;
    let rust = common::group(&db, "rust").await;
    let go = common::group(&db, "go").await;
    let post = common::post(&db, &hendrix, "riffs").await;
    let other = common::post(&db, &morrison, "poems").await;
    // 120 actions over users and groups as actors and users, groups and posts as targets;
    // actions go in threes at one timestamp, so ids break ties inside pages and across them.
    let actors: [&dyn Actor<action::Entity>; 5] = [&hendrix, &rust, &morrison, &go, &joplin];
    let targets: [&dyn Target<action::Entity>; 6] =
        [&lennon, &rust, &post, &hendrix, &other, &joplin];
    let verbs = [Verb::Default, Verb::Follow, Verb::Created];
    let actions = (0..120).map(|i| {
        let when = Utc.timestamp_opt(1_700_000_000 + i / 3, 0).unwrap();
        let action = NewAction::new(&actors[i as usize % 5], verbs[i as usize % 3]).timestamp(when);
        match i % 4 {
            3 => action,
            k => action.target(&targets[(i as usize + k as usize) % 6]),
        }
    });
    let actions: Vec<_> = actions.collect();
    action::Entity::send_many(&*db, actions).await.unwrap();
    for object in [&hendrix as &dyn std::any::Any, &rust, &post] {
        if let Some(user) = object.downcast_ref::<user::Model>() {
            follow::Entity::follow(&*db, &lennon, user).await.unwrap();
        } else if let Some(group) = object.downcast_ref::<group::Model>() {
            follow::Entity::follow(&*db, &lennon, group).await.unwrap();
        } else if let Some(post) = object.downcast_ref::<post::Model>() {
            follow::Entity::follow(&*db, &lennon, post).await.unwrap();
        }
    }
    follow::Entity::follow(&*db, &joplin, &go).await.unwrap();

    let all_roles = [Role::Actor, Role::Target, Role::ActionObject];
    let streams: Vec<(&str, Select<action::Entity>)> = vec![
        (
            "followed_by",
            action::Entity::followed_by::<follow::Entity>(&lennon),
        ),
        (
            "followed_by_in, every role",
            action::Entity::followed_by_in::<follow::Entity>(&lennon, &all_roles),
        ),
        (
            "followed_by_in, actor and target, one verb",
            action::Entity::followed_by_in::<follow::Entity>(&lennon, &[Role::Actor, Role::Target])
                .filter(action::Column::Verb.eq(Verb::Follow)),
        ),
        (
            "followed_by of a follower of nothing",
            action::Entity::followed_by::<follow::Entity>(&morrison),
        ),
        ("involving a user", action::Entity::involving(&hendrix)),
        ("involving a group", action::Entity::involving(&rust)),
        (
            "involving any post",
            action::Entity::involving_any::<post::Model>(),
        ),
        (
            "for_actors of two models",
            action::Entity::for_actors([&hendrix as &dyn Actor<_>, &rust, &joplin]),
        ),
        (
            "for_targets of three models",
            action::Entity::for_targets([&lennon as &dyn Target<_>, &rust, &post]),
        ),
        (
            "for_actors of one model",
            action::Entity::for_actors([&hendrix, &joplin]),
        ),
        ("every action", action::Entity::stream()),
    ];
    let mut nonempty = 0;
    for (name, select) in &streams {
        let expected = plain_ids(&db, select).await;
        nonempty += usize::from(expected.len() > 7);
        for size in [1, 7, 20] {
            assert_eq!(
                walk(&db, name, select, size).await,
                expected,
                "{name}, pages of {size}"
            );
        }
    }
    assert_eq!(
        nonempty,
        streams.len() - 1,
        "only the follower of nothing has an empty stream"
    );
    assert!(plain_ids(&db, &streams[3].1).await.is_empty());
}

async fn a_follower_of_a_thousand_objects_pages_like_the_plain_condition(db: TestDb) {
    let fan = common::user(&db, "fan").await;
    let insert = (0..1_000)
        .map(|i| format!("('user{i}')"))
        .collect::<Vec<_>>()
        .join(", ");
    db.execute_unprepared(&format!(
        "INSERT INTO {} (username) VALUES {insert}",
        db.backend.quote("user")
    ))
    .await
    .unwrap();
    let users = user::Entity::find()
        .filter(user::Column::Id.ne(fan.id))
        .order_by_asc(user::Column::Id)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(users.len(), 1_000);
    let groups = [common::group(&db, "a").await, common::group(&db, "b").await];
    for user in &users {
        follow::Entity::follow(&*db, &fan, user).await.unwrap();
    }
    follow::Entity::follow(&*db, &fan, &groups[0])
        .await
        .unwrap();
    // 400 actions, by 400 of the followed users, a group and the fan himself (not followed),
    // in pairs at one timestamp.
    let actions = (0..400usize).map(|i| {
        let when = Utc
            .timestamp_opt(1_700_000_000 + (i / 2) as i64, 0)
            .unwrap();
        let actor: &dyn Actor<action::Entity> = match i % 10 {
            0 => &groups[0],
            1 => &groups[1],
            2 => &fan,
            _ => &users[(i * 7) % 1_000],
        };
        NewAction::new(&actor, Verb::Default).timestamp(when)
    });
    let actions: Vec<_> = actions.collect();
    action::Entity::send_many(&*db, actions).await.unwrap();
    let stream = action::Entity::followed_by::<follow::Entity>(&fan);
    let expected = plain_ids(&db, &stream).await;
    assert_eq!(
        expected.len(),
        320,
        "the followed users' and group's actions"
    );
    for size in [20, 100] {
        assert_eq!(
            walk(&db, "a thousand follows", &stream, size).await,
            expected
        );
    }
}
