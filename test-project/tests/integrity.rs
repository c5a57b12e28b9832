//! Integrity under races and faults, on every backend: concurrent `get_or_create`, deletes
//! that cascade or set NULL, sends that fail (a missing row, a connection killed while its
//! INSERT waits), and many concurrent writers.

mod common;

use common::{Backend, Beatles, TestDb, beatles};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stream_core::sea_orm::sea_query::{TableName, TableRef};
use stream_core::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Identity, Iterable,
    PaginatorTrait, QueryFilter, QuerySelect, RelationTrait, Set, TransactionTrait,
};
use stream_core::{ActionEntity, StreamError};
use test_project::{AuditVerb, Verb, action, audit, comment, device, tag, user};

common::on_every_backend!(
    get_or_create_makes_one_row_for_64_concurrent_callers,
    deleting_a_user_cascades_or_sets_null_in_every_role,
    a_send_with_a_missing_object_stores_nothing_and_the_pool_goes_on,
    a_send_whose_connection_dies_stores_nothing_and_the_pool_goes_on,
    eight_concurrent_writers_lose_nothing,
);

/// How many of `A`'s foreign-key columns hold a key that is not in the referenced table, by
/// column: checked in SQL, one `LEFT JOIN` per relation of the entity.
async fn dangling<A: ActionEntity>(db: &TestDb) -> Vec<(String, i64)> {
    fn name(identity: &Identity) -> String {
        match identity {
            Identity::Unary(column) => column.to_string(),
            other => panic!("a composite key: {other:?}"),
        }
    }
    let table = A::default().table_name().to_owned();
    let mut dangling = Vec::new();
    for relation in A::Relation::iter() {
        let relation = relation.def();
        let TableRef::Table(TableName(_, referenced), _) = &relation.to_tbl else {
            panic!("a relation to a table: {relation:?}");
        };
        let (from, to) = (name(&relation.from_col), name(&relation.to_col));
        let q = |name: &str| db.quote(name);
        let count = db
            .scalar(&format!(
                "SELECT COUNT(*) FROM {} a LEFT JOIN {} m ON m.{} = a.{} \
                 WHERE a.{} IS NOT NULL AND m.{} IS NULL",
                q(&table),
                q(&referenced.to_string()),
                q(&to),
                q(&from),
                q(&from),
                q(&to),
            ))
            .await;
        if count != 0 {
            dangling.push((from, count));
        }
    }
    dangling
}

/// The events of `subscription` so far whose description is `marker`.
fn events_marked<A: ActionEntity>(
    subscription: &mut stream_core::Subscription<A>,
    marker: &str,
    description: impl Fn(&A::Model) -> Option<&str>,
) -> Vec<Arc<A::Model>> {
    let mut marked = Vec::new();
    while let Some(event) = subscription.try_recv() {
        if description(&event) == Some(marker) {
            marked.push(event);
        }
    }
    marked
}

fn action_description(action: &action::Model) -> Option<&str> {
    action.description.as_deref()
}

/// 64 tasks call `get_or_create` with one key at the same moment: one row, every caller gets
/// it, one of them created it, one signal. Several rounds, until two callers have both tried
/// to INSERT — the `ON CONFLICT DO NOTHING` (on MySQL: `ON DUPLICATE KEY UPDATE`) path.
async fn get_or_create_makes_one_row_for_64_concurrent_callers(mut db: TestDb) {
    let inserts = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&inserts);
    db.db.set_metric_callback(move |info| {
        if info.statement.sql.starts_with("INSERT") {
            *counter.lock().unwrap() += 1;
        }
    });
    let Beatles { lennon, .. } = beatles(&db).await;
    let mut subscription = action::Entity::signal().subscribe();
    let mut contended_rounds = 0;
    for round in 0..8 {
        let target = common::user(&db, &format!("target {round}")).await;
        let marker = common::marker("race", db.backend);
        *inserts.lock().unwrap() = 0;
        let start = Arc::new(tokio::sync::Barrier::new(64));
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (db, lennon, target) = (db.db.clone(), lennon.clone(), target.clone());
            let (start, marker) = (Arc::clone(&start), marker.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                action::Entity::get_or_create(&db, &lennon, Verb::Follow)
                    .target(&target)
                    .description(marker)
                    .await
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(
                task.await
                    .unwrap()
                    .expect("get_or_create never fails in a race"),
            );
        }

        let rows = action::Entity::for_target(&target).all(&*db).await.unwrap();
        assert_eq!(rows.len(), 1, "exactly one row");
        assert!(
            results.iter().all(|(action, _)| *action == rows[0]),
            "every caller gets that row"
        );
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        let fired = events_marked(&mut subscription, &marker, action_description);
        assert_eq!(fired.len(), 1, "one signal");
        assert_eq!(*fired[0], rows[0]);
        if *inserts.lock().unwrap() > 1 {
            contended_rounds += 1;
            if contended_rounds >= 2 {
                break;
            }
        }
    }
    assert!(
        contended_rounds > 0,
        "no round had two INSERTs racing; the conflict path went untested"
    );
}

/// Deleting a user deletes the actions it is in, in any role and through the posts and
/// comments that cascade with it; where the action entity says `set_null` (the audit log's
/// target and action object), the row stays and the column is emptied. No row is left
/// pointing at a missing one.
async fn deleting_a_user_cascades_or_sets_null_in_every_role(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let riffs = common::post(&db, &hendrix, "Riffs").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    let on_imagine = comment::ActiveModel {
        post_id: Set(imagine.id),
        author_id: Set(hendrix.id),
        body: Set("nice".into()),
        ..Default::default()
    }
    .insert(&*db)
    .await
    .unwrap();
    let phone = common::device(&db, 7_000_000_000, "phone").await;
    let rust = common::tag(&db, "rust").await;

    let send = |actor: &user::Model| action::Entity::send(&*db, actor, Verb::Default);
    // Each of these involves hendrix, directly or through his post or comment.
    send(&hendrix).await.unwrap();
    send(&lennon).target(&hendrix).await.unwrap();
    send(&lennon).action_object(&hendrix).await.unwrap();
    send(&lennon).target(&riffs).await.unwrap();
    send(&morrison).action_object(&riffs).await.unwrap();
    send(&lennon)
        .target(&imagine)
        .action_object(&on_imagine)
        .await
        .unwrap();
    // These do not.
    let kept = [
        send(&lennon).target(&morrison).await.unwrap(),
        send(&morrison)
            .target(&imagine)
            .action_object(&lennon)
            .await
            .unwrap(),
    ];

    let log = |actor: &user::Model| audit::Entity::send(&*db, actor, AuditVerb::Registered);
    log(&hendrix).target(&phone).await.unwrap();
    let nulled_target = log(&lennon).target(&hendrix).await.unwrap();
    let nulled_object = log(&morrison)
        .target(&rust)
        .action_object(&hendrix)
        .await
        .unwrap();
    let untouched = audit::Entity::send(&*db, &phone, AuditVerb::Tagged)
        .target(&lennon)
        .await
        .unwrap();

    user::Entity::delete_by_id(hendrix.id)
        .exec(&*db)
        .await
        .unwrap();

    let mut left = action::Entity::stream().all(&*db).await.unwrap();
    left.sort_by_key(|a| a.id);
    assert_eq!(left, kept, "every action involving hendrix is gone");

    let mut logged = audit::Entity::stream().all(&*db).await.unwrap();
    logged.sort_by_key(|a| a.id);
    let mut expected_target = nulled_target.clone();
    expected_target.target_user = None;
    let mut expected_object = nulled_object.clone();
    expected_object.action_object_user = None;
    assert_eq!(
        logged,
        [expected_target, expected_object, untouched.clone()],
        "the entry hendrix made is gone; where he was target or object, the role is empty"
    );
    assert_eq!(logged[0].target(&*db).await.unwrap(), None);
    assert_eq!(
        logged[1].target(&*db).await.unwrap(),
        Some(audit::TargetModel::Tag(rust.clone()))
    );

    // String and 64-bit keys: deleting the tag empties the role, deleting the device (an
    // actor) deletes its entries.
    tag::Entity::delete_by_id(rust.id.clone())
        .exec(&*db)
        .await
        .unwrap();
    let entry = audit::Entity::find_by_id(nulled_object.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.target_id(), None);
    device::Entity::delete_by_id(phone.id)
        .exec(&*db)
        .await
        .unwrap();
    assert_eq!(
        audit::Entity::find_by_id(untouched.id)
            .one(&*db)
            .await
            .unwrap(),
        None
    );

    assert_eq!(dangling::<action::Entity>(&db).await, []);
    assert_eq!(dangling::<audit::Entity>(&db).await, []);
}

/// A send, or a `get_or_create`, naming a row that does not exist fails with
/// `MissingObject`, stores nothing, fires nothing, and the pool keeps working.
async fn a_send_with_a_missing_object_stores_nothing_and_the_pool_goes_on(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let ghost = user::Model {
        id: 9_999,
        username: "ghost".into(),
    };
    let marker = common::marker("missing", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    for attempt in 0..4 {
        let error = match attempt {
            0 => action::Entity::send(&*db, &ghost, Verb::Follow)
                .description(&marker)
                .await
                .unwrap_err(),
            1 => action::Entity::send(&*db, &lennon, Verb::Follow)
                .target(&ghost)
                .description(&marker)
                .await
                .unwrap_err(),
            2 => action::Entity::get_or_create(&*db, &ghost, Verb::Follow)
                .description(&marker)
                .await
                .unwrap_err(),
            _ => action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
                .action_object(&ghost)
                .description(&marker)
                .await
                .unwrap_err(),
        };
        assert!(matches!(error, StreamError::MissingObject(_)), "{error:?}");
    }
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 0);
    assert!(events_marked(&mut subscription, &marker, action_description).is_empty());

    let sent = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .description(&marker)
        .await
        .unwrap();
    assert_eq!(
        events_marked(&mut subscription, &marker, action_description),
        [Arc::new(sent)]
    );
}

/// A send whose connection dies while its INSERT waits — killed from another connection
/// (`pg_terminate_backend`, `KILL CONNECTION`); on SQLite, which has no server to kill
/// anything, the lock wait times out instead — fails, stores nothing, fires nothing, and the
/// next sends on the same pool work.
async fn a_send_whose_connection_dies_stores_nothing_and_the_pool_goes_on(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let marker = common::marker("killed", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    // Another connection holds lennon's row (SQLite: the whole database) in a transaction,
    // so the INSERT's foreign-key check has to wait.
    let locker = db.another_pool(1).await;
    let lock = locker.begin().await.unwrap();
    let user_table = db.quote("user");
    let hold = match db.backend {
        Backend::Sqlite => format!(
            "UPDATE {user_table} SET username = username WHERE id = {}",
            lennon.id
        ),
        Backend::Postgres | Backend::MySql => {
            format!(
                "SELECT id FROM {user_table} WHERE id = {} FOR UPDATE",
                lennon.id
            )
        }
    };
    lock.execute_unprepared(&hold).await.unwrap();
    // SQLite: a pool that gives up on a lock after 250 ms rather than the main pool's minute.
    let pool = match db.backend {
        Backend::Sqlite => db.another_pool(8).await,
        Backend::Postgres | Backend::MySql => db.db.clone(),
    };

    let started = Instant::now();
    let sending = tokio::spawn({
        let (db, lennon, hendrix, marker) = (
            pool.clone(),
            lennon.clone(),
            hendrix.clone(),
            marker.clone(),
        );
        async move {
            action::Entity::send(&db, &lennon, Verb::Follow)
                .target(&hendrix)
                .description(marker)
                .await
        }
    });

    if db.backend != Backend::Sqlite {
        let killer = db.another_pool(1).await;
        let (find, kill): (String, fn(i64) -> String) = match db.backend {
            Backend::Postgres => (
                format!(
                    "SELECT pid::bigint FROM pg_stat_activity WHERE application_name = '{}' \
                     AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO%'",
                    db.name
                ),
                |pid| format!("SELECT pg_terminate_backend({pid})"),
            ),
            _ => (
                format!(
                    "SELECT CAST(ID AS SIGNED) FROM information_schema.PROCESSLIST \
                     WHERE DB = '{}' AND INFO LIKE 'INSERT INTO%'",
                    db.name
                ),
                |id| format!("KILL CONNECTION {id}"),
            ),
        };
        let victim = loop {
            let waiting = killer
                .query_one_raw(stream_core::sea_orm::Statement::from_string(
                    killer.get_database_backend(),
                    find.clone(),
                ))
                .await
                .unwrap();
            if let Some(row) = waiting {
                break row.try_get_by_index::<i64>(0).unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the INSERT never waited for the lock"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        killer.execute_unprepared(&kill(victim)).await.unwrap();
    }

    let error = sending.await.unwrap().unwrap_err();
    assert!(
        matches!(error, StreamError::Database(_)),
        "a dead connection is a database error: {error:?}"
    );
    lock.rollback().await.unwrap();

    let stored = action::Entity::find()
        .filter(action::Column::Description.eq(&marker))
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(stored, 0, "the failed send stored nothing");
    assert!(
        events_marked(&mut subscription, &marker, action_description).is_empty(),
        "and fired nothing"
    );

    // More sends than the pool has connections, at once: whichever connection each gets
    // (the dead one is replaced), they all work.
    let mut sends = Vec::new();
    for _ in 0..16 {
        let (db, lennon, marker) = (pool.clone(), lennon.clone(), marker.clone());
        sends.push(tokio::spawn(async move {
            action::Entity::send(&db, &lennon, Verb::Follow)
                .description(marker)
                .await
        }));
    }
    for send in sends {
        send.await.unwrap().expect("the pool recovered");
    }
    assert_eq!(
        events_marked(&mut subscription, &marker, action_description).len(),
        16
    );
}

/// 8 tasks send 5,000 actions each at the same time: all 40,000 rows are stored, no send
/// fails, and the signal fires once per row.
async fn eight_concurrent_writers_lose_nothing(db: TestDb) {
    const WRITERS: usize = 8;
    const SENDS: usize = 5_000;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let marker = common::marker("writers", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (db, lennon, hendrix, marker) = (
            db.db.clone(),
            lennon.clone(),
            hendrix.clone(),
            marker.clone(),
        );
        writers.push(tokio::spawn(async move {
            for _ in 0..SENDS {
                let send = if writer % 2 == 0 {
                    action::Entity::send(&db, &lennon, Verb::Default).target(&hendrix)
                } else {
                    action::Entity::send(&db, &hendrix, Verb::Edit).action_object(&lennon)
                };
                send.description(&marker).await?;
            }
            Ok::<_, StreamError>(())
        }));
    }
    for writer in writers {
        writer.await.unwrap().expect("no send fails");
    }

    let rows = action::Entity::find().count(&*db).await.unwrap();
    assert_eq!(rows, (WRITERS * SENDS) as u64);
    let events = events_marked(&mut subscription, &marker, action_description);
    assert_eq!(events.len() as u64, rows, "one signal per row");
    let signalled: HashSet<i64> = events.iter().map(|event| event.id).collect();
    assert_eq!(signalled.len(), events.len(), "no action signalled twice");
    let stored: HashSet<i64> = action::Entity::find()
        .select_only()
        .column(action::Column::Id)
        .into_tuple::<i64>()
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        signalled, stored,
        "the signalled actions are the stored ones"
    );
}
