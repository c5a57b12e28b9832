//! Actions written in the caller's transaction: they commit with the application's own rows
//! or not at all, and the signal fires once per action, only after the outermost commit.

mod common;

use common::{Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionError, TransactionTrait,
};
use stream_core::{NewAction, StreamError, Subscription, Transaction};
use test_project::{Verb, action, follow, post, user};

common::on_every_backend!(
    a_post_and_its_action_commit_together_and_signal_once,
    a_rollback_or_a_dropped_transaction_stores_and_signals_nothing,
    a_savepoint_rolled_back_inside_a_committed_transaction_signals_only_the_rest,
    send_many_in_a_transaction_is_all_or_none_with_it,
    get_or_create_and_follow_in_a_transaction,
    get_or_create_in_concurrent_transactions_creates_once,
    run_commits_on_ok_and_rolls_back_on_err,
    a_failed_write_leaves_the_transaction_usable,
);

/// The actions this test sent (their description starts with `marker`) that the signal has
/// delivered so far, in delivery order.
fn delivered(subscription: &mut Subscription<action::Entity>, marker: &str) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(action) = subscription.try_recv() {
        if let Some(description) = action.description.as_deref()
            && description.starts_with(marker)
        {
            seen.push(description.to_owned());
        }
    }
    seen
}

fn new_post(author: &user::Model, title: &str) -> post::ActiveModel {
    post::ActiveModel {
        author_id: Set(author.id),
        title: Set(title.to_owned()),
        body: Set(format!("{title}, the body")),
        ..Default::default()
    }
}

async fn count_marked(db: &TestDb, marker: &str) -> u64 {
    action::Entity::find()
        .filter(action::Column::Description.starts_with(marker))
        .count(&**db)
        .await
        .unwrap()
}

async fn a_post_and_its_action_commit_together_and_signal_once(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let marker = common::marker("together", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let txn = Transaction::begin(&db).await.unwrap();
    let post = new_post(&lennon, "Wild Haze").insert(&txn).await.unwrap();
    let sent = action::Entity::send(&txn, &lennon, Verb::Created)
        .action_object(&post)
        .description(format!("{marker} posted"))
        .await
        .unwrap();
    // Read back inside the transaction, through every kind of query the library offers.
    let page = action::Entity::for_action_object(&post)
        .page(None, 10)
        .hydrated(&txn)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "the transaction sees its own action");
    assert_eq!(txn.pending_signals(), 1);
    assert!(
        delivered(&mut subscription, &marker).is_empty(),
        "nothing is signalled before the commit"
    );

    txn.commit().await.unwrap();

    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} posted")]
    );
    assert!(
        post::Entity::find_by_id(post.id)
            .one(&*db)
            .await
            .unwrap()
            .is_some()
    );
    let stored = action::Entity::find_by_id(sent.id)
        .one(&*db)
        .await
        .unwrap()
        .expect("the action is committed with the post");
    assert_eq!(stored.action_object_post, Some(post.id));
    assert!(
        delivered(&mut subscription, &marker).is_empty(),
        "signalled exactly once"
    );
}

async fn a_rollback_or_a_dropped_transaction_stores_and_signals_nothing(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let marker = common::marker("rollback", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let txn = Transaction::begin(&db).await.unwrap();
    let post = new_post(&lennon, "rolled back").insert(&txn).await.unwrap();
    action::Entity::send(&txn, &lennon, Verb::Created)
        .action_object(&post)
        .description(format!("{marker} rolled back"))
        .await
        .unwrap();
    txn.rollback().await.unwrap();

    {
        let txn = Transaction::begin(&db).await.unwrap();
        new_post(&lennon, "dropped").insert(&txn).await.unwrap();
        action::Entity::send(&txn, &lennon, Verb::Created)
            .description(format!("{marker} dropped"))
            .await
            .unwrap();
        // Dropped here without a commit.
    }

    assert_eq!(post::Entity::find().count(&*db).await.unwrap(), 0);
    assert_eq!(count_marked(&db, &marker).await, 0);
    assert!(delivered(&mut subscription, &marker).is_empty());

    // The connection the dropped transaction held works on.
    action::Entity::send(&*db, &lennon, Verb::Created)
        .description(format!("{marker} after"))
        .await
        .unwrap();
    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} after")]
    );
}

async fn a_savepoint_rolled_back_inside_a_committed_transaction_signals_only_the_rest(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let marker = common::marker("savepoint", db.backend);
    let mut subscription = action::Entity::signal().subscribe();
    macro_rules! send {
        ($db:expr, $what:expr) => {
            action::Entity::send($db, &lennon, Verb::Follow)
                .target(&hendrix)
                .description(format!("{marker} {}", $what))
        };
    }

    let txn = Transaction::begin(&db).await.unwrap();
    send!(&txn, "outer, before").await.unwrap();

    let inner = txn.begin().await.unwrap();
    send!(&inner, "rolled-back savepoint").await.unwrap();
    inner.rollback().await.unwrap();

    let inner = txn.begin().await.unwrap();
    send!(&inner, "committed savepoint").await.unwrap();
    let innermost = inner.begin().await.unwrap();
    send!(&innermost, "dropped savepoint").await.unwrap();
    drop(innermost);
    inner.commit().await.unwrap();
    assert!(
        delivered(&mut subscription, &marker).is_empty(),
        "a committed savepoint waits for the outermost commit"
    );
    assert_eq!(txn.pending_signals(), 2);

    send!(&txn, "outer, after").await.unwrap();
    txn.commit().await.unwrap();

    let expected: Vec<String> = ["outer, before", "committed savepoint", "outer, after"]
        .iter()
        .map(|what| format!("{marker} {what}"))
        .collect();
    assert_eq!(delivered(&mut subscription, &marker), expected);
    let stored: Vec<String> = action::Entity::for_actor(&lennon)
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .filter_map(|action| action.description)
        .collect();
    assert_eq!(stored, expected, "only what was committed is stored");
}

async fn send_many_in_a_transaction_is_all_or_none_with_it(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let marker = common::marker("bulk", db.backend);
    // A subscriber makes the load read its rows back for the signal.
    let mut subscription = action::Entity::signal().subscribe();
    let batch = |what: &str| {
        [&hendrix, &morrison, &lennon]
            .into_iter()
            .enumerate()
            .map(|(i, whom)| {
                NewAction::new(&lennon, Verb::Follow)
                    .target(whom)
                    .description(format!("{marker} {what} {i}"))
            })
            .collect::<Vec<_>>()
    };

    let txn = Transaction::begin(&db).await.unwrap();
    let post = new_post(&lennon, "bulk").insert(&txn).await.unwrap();
    assert_eq!(
        action::Entity::send_many(&txn, batch("kept"))
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        action::Entity::for_actor(&lennon)
            .count(&txn)
            .await
            .unwrap(),
        3,
        "the load is visible inside the transaction"
    );
    assert!(delivered(&mut subscription, &marker).is_empty());
    txn.commit().await.unwrap();
    let expected: Vec<String> = (0..3).map(|i| format!("{marker} kept {i}")).collect();
    assert_eq!(delivered(&mut subscription, &marker), expected);
    assert!(
        post::Entity::find_by_id(post.id)
            .one(&*db)
            .await
            .unwrap()
            .is_some()
    );

    let txn = Transaction::begin(&db).await.unwrap();
    action::Entity::send_many(&txn, batch("rolled back"))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(count_marked(&db, &marker).await, 3);
    assert!(delivered(&mut subscription, &marker).is_empty());

    // A load that fails inside the transaction takes back only its own rows: the load is a
    // savepoint of the caller's transaction.
    let txn = Transaction::begin(&db).await.unwrap();
    action::Entity::send(&txn, &lennon, Verb::Follow)
        .description(format!("{marker} before the failed load"))
        .await
        .unwrap();
    let mut failing = batch("failed load");
    failing.push(
        NewAction::new(&lennon, Verb::Follow).timestamp(
            chrono::DateTime::parse_from_rfc3339("0999-12-31T23:59:59Z")
                .unwrap()
                .into(),
        ),
    );
    let error = action::Entity::send_many(&txn, failing).await.unwrap_err();
    assert!(
        matches!(error, StreamError::TimestampOutOfRange(_)),
        "{error:?}"
    );
    txn.commit().await.unwrap();
    assert_eq!(count_marked(&db, &marker).await, 4);
    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} before the failed load")]
    );
}

async fn get_or_create_and_follow_in_a_transaction(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let marker = common::marker("get_or_create", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let txn = Transaction::begin(&db).await.unwrap();
    let (first, created) = action::Entity::get_or_create(&txn, &lennon, Verb::Follow)
        .target(&hendrix)
        .description(format!("{marker} follows"))
        .await
        .unwrap();
    assert!(created);
    let (again, created) = action::Entity::get_or_create(&txn, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    assert!(!created, "the transaction finds the row it created");
    assert_eq!(again.id, first.id);
    assert!(
        follow::Entity::follow(&txn, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(
        follow::Entity::is_following(&txn, &lennon, &hendrix)
            .await
            .unwrap()
    );
    txn.rollback().await.unwrap();

    assert!(
        !follow::Entity::is_following(&*db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(delivered(&mut subscription, &marker).is_empty());
    // The rolled-back row took its key with it: the combination can be created again.
    let (created_now, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .description(format!("{marker} follows again"))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} follows again")]
    );
    assert_eq!(
        action::Entity::find().count(&*db).await.unwrap(),
        1,
        "{created_now:?}"
    );
}

async fn run_commits_on_ok_and_rolls_back_on_err(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let marker = common::marker("run", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    // As with sea-orm's `transaction`, the callback owns what it uses.
    let (lennon_ref, marker_ref) = (lennon.clone(), marker.clone());
    let post = Transaction::run(&db, move |txn| {
        Box::pin(async move {
            let post = new_post(&lennon_ref, "run").insert(txn).await?;
            action::Entity::send(txn, &lennon_ref, Verb::Created)
                .action_object(&post)
                .description(format!("{marker_ref} ok"))
                .await?;
            Ok::<_, StreamError>(post)
        })
    })
    .await
    .unwrap();
    assert_eq!(post.title, "run");
    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} ok")]
    );

    let (lennon_ref, marker_ref) = (lennon.clone(), marker.clone());
    let failed = Transaction::run(&db, move |txn| {
        Box::pin(async move {
            new_post(&lennon_ref, "run, failed").insert(txn).await?;
            action::Entity::send(txn, &lennon_ref, Verb::Created)
                .description(format!("{marker_ref} err"))
                .await?;
            Err::<(), _>(StreamError::Database(DbErr::Custom(
                "changed my mind".into(),
            )))
        })
    })
    .await;
    assert!(matches!(failed, Err(TransactionError::Transaction(_))));
    assert!(delivered(&mut subscription, &marker).is_empty());
    assert_eq!(count_marked(&db, &marker).await, 1);
    assert_eq!(
        post::Entity::find()
            .filter(post::Column::Title.starts_with("run"))
            .count(&*db)
            .await
            .unwrap(),
        1
    );
}

async fn a_failed_write_leaves_the_transaction_usable(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let marker = common::marker("failed write", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let txn = Transaction::begin(&db).await.unwrap();
    let error = action::Entity::send(&txn, &lennon, Verb::Created)
        .description(format!("{marker} too old"))
        .timestamp(
            chrono::DateTime::parse_from_rfc3339("0999-01-01T00:00:00Z")
                .unwrap()
                .into(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::TimestampOutOfRange(_)));
    action::Entity::send(&txn, &lennon, Verb::Created)
        .description(format!("{marker} kept"))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        delivered(&mut subscription, &marker),
        [format!("{marker} kept")]
    );
    assert_eq!(count_marked(&db, &marker).await, 1);
}

async fn get_or_create_in_concurrent_transactions_creates_once(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let marker = common::marker("concurrent", db.backend);
    let mut subscription = action::Entity::signal().subscribe();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (db, lennon, hendrix) = (db.db.clone(), lennon.clone(), hendrix.clone());
            let (start, marker) = (start.clone(), marker.clone());
            tokio::spawn(async move {
                start.wait().await;
                let txn = Transaction::begin(&db).await.unwrap();
                // Read first, as an application would: on MariaDB this fixes the
                // transaction's snapshot before the row exists.
                user::Entity::find().all(&txn).await.unwrap();
                let found = action::Entity::get_or_create(&txn, &lennon, Verb::Follow)
                    .target(&hendrix)
                    .description(marker)
                    .await
                    .unwrap();
                txn.commit().await.unwrap();
                found
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    assert!(
        results
            .iter()
            .all(|(action, _)| action.id == results[0].0.id)
    );
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
    assert_eq!(delivered(&mut subscription, &marker).len(), 1);
}
