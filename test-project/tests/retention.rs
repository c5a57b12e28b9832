//! Retention of actions: pruning by age and keeping the newest N per object, in bounded
//! batches, on any stream, while sends go on.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::prune::MAX_BATCH_SIZE;
use stream_core::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use stream_core::{NewAction, Pruned, StreamError};
use test_project::{Verb, action};

common::on_every_backend!(
    an_age_deletes_what_is_older_in_batches,
    each_object_keeps_its_newest_in_every_model_column,
    a_stream_prunes_only_its_own_actions,
    a_bad_batch_size_deletes_nothing,
    sends_go_on_while_a_prune_runs,
    no_rule_deletes_nothing,
);

fn long_ago() -> DateTime<Utc> {
    // Whole seconds: every backend stores them exactly.
    DateTime::from_timestamp(Utc::now().timestamp() - 100 * 86_400, 0).unwrap()
}

/// The descriptions of the actions left, oldest first.
async fn left(db: &TestDb) -> Vec<String> {
    action::Entity::find()
        .order_by_asc(action::Column::Timestamp)
        .order_by_asc(action::Column::Id)
        .all(&**db)
        .await
        .unwrap()
        .into_iter()
        .map(|action| action.description.unwrap_or_default())
        .collect()
}

fn pruned(actions: u64, batches: u64) -> Pruned {
    let mut pruned = Pruned::default();
    pruned.actions = actions;
    pruned.batches = batches;
    pruned
}

async fn an_age_deletes_what_is_older_in_batches(mut db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let t0 = long_ago();
    let old = (0..10).map(|i| {
        NewAction::new(&lennon, Verb::Follow)
            .target(&hendrix)
            .description(format!("old {i}"))
            .timestamp(t0 + TimeDelta::hours(i))
    });
    action::Entity::send_many(&*db, old).await.unwrap();
    for i in 0..3 {
        action::Entity::send(&*db, &hendrix, Verb::Follow)
            .target(&lennon)
            .description(format!("new {i}"))
            .await
            .unwrap();
    }

    let statements = common::record_statements(&mut db.db);
    // Before the 7th old action: 7 go, 3 at a time.
    let result = action::Entity::prune()
        .before(t0 + TimeDelta::hours(7))
        .batch_size(3)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(result, pruned(7, 3));
    let deletes = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.trim_start().to_uppercase().starts_with("DELETE"))
        .count();
    assert_eq!(deletes, 3, "one DELETE per batch");
    assert_eq!(
        left(&db).await,
        ["old 7", "old 8", "old 9", "new 0", "new 1", "new 2"]
    );

    // An age: everything of 100 days ago goes, in one batch here (3 < 1,000).
    let result = action::Entity::prune()
        .older_than(TimeDelta::days(50))
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(result, pruned(3, 1));
    assert_eq!(left(&db).await, ["new 0", "new 1", "new 2"]);
}

async fn each_object_keeps_its_newest_in_every_model_column(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let t0 = long_ago();
    let mut actions = Vec::new();
    // lennon: 5 actions, the last three at one timestamp (the id decides among them).
    for i in 0..5 {
        let at = t0 + TimeDelta::minutes(i.min(2));
        actions.push(
            NewAction::new(&lennon, Verb::Joined)
                .target(&rust)
                .description(format!("lennon {i}"))
                .timestamp(at),
        );
    }
    // hendrix: 2, fewer than kept.
    for i in 0..2 {
        actions.push(
            NewAction::new(&hendrix, Verb::Follow)
                .target(&morrison)
                .description(format!("hendrix {i}"))
                .timestamp(t0 + TimeDelta::minutes(10 + i)),
        );
    }
    // A group acting: another model's actor column, 4 actions.
    for i in 0..4 {
        actions.push(
            NewAction::new(&rust, Verb::Default)
                .description(format!("rust {i}"))
                .timestamp(t0 + TimeDelta::minutes(20 + i)),
        );
    }
    action::Entity::send_many(&*db, actions).await.unwrap();

    let result = action::Entity::prune()
        .keep_newest(Role::Actor, 3)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(result.actions, 3, "2 of lennon's, 1 of the group's");
    assert_eq!(
        left(&db).await,
        [
            "lennon 2",
            "lennon 3",
            "lennon 4",
            "hendrix 0",
            "hendrix 1",
            "rust 1",
            "rust 2",
            "rust 3"
        ]
    );

    // Per target: rust keeps 1 of lennon's joins, morrison 1 of hendrix's follows; the
    // group's own actions have no target and stay.
    action::Entity::prune()
        .keep_newest(Role::Target, 1)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(
        left(&db).await,
        ["lennon 4", "hendrix 1", "rust 1", "rust 2", "rust 3"]
    );
}

async fn a_stream_prunes_only_its_own_actions(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let song = common::post(&db, &lennon, "Imagine").await;
    let other = common::post(&db, &lennon, "Help").await;
    let t0 = long_ago();
    let mut actions = Vec::new();
    for (i, (who, verb, post)) in [
        (&hendrix, Verb::Liked, &song),
        (&morrison, Verb::Liked, &song),
        (&hendrix, Verb::Commented, &song),
        (&hendrix, Verb::Liked, &other),
        (&morrison, Verb::Liked, &song),
        (&morrison, Verb::Liked, &other),
    ]
    .into_iter()
    .enumerate()
    {
        actions.push(
            NewAction::new(who, verb)
                .target(post)
                .description(format!("{i}"))
                .timestamp(t0 + TimeDelta::minutes(i as i64)),
        );
    }
    action::Entity::send_many(&*db, actions).await.unwrap();

    // The likes of one post keep their newest; its comment and the other post's likes stay.
    let result = action::Entity::for_target(&song)
        .filter(action::Column::Verb.eq(Verb::Liked))
        .prune()
        .keep_newest(Role::Target, 1)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(result.actions, 2);
    assert_eq!(left(&db).await, ["2", "3", "4", "5"]);

    // An age on one actor's stream, one action a batch: morrison's old actions stay.
    let result = action::Entity::for_actor(&hendrix)
        .prune()
        .older_than(TimeDelta::days(1))
        .batch_size(1)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(result, pruned(2, 2));
    assert_eq!(left(&db).await, ["4", "5"]);
}

async fn a_bad_batch_size_deletes_nothing(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .timestamp(long_ago())
        .await
        .unwrap();
    for size in [0, MAX_BATCH_SIZE + 1] {
        let error = action::Entity::prune()
            .older_than(TimeDelta::days(1))
            .batch_size(size)
            .run(&*db)
            .await
            .unwrap_err();
        assert!(
            matches!(error, StreamError::InvalidBatchSize { size: s, max } if s == size && max == MAX_BATCH_SIZE),
            "{error:?}"
        );
    }
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
}

async fn sends_go_on_while_a_prune_runs(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let t0 = long_ago();
    let old: Vec<_> = (0..2_000)
        .map(|i| {
            NewAction::new(&lennon, Verb::Follow)
                .target(&hendrix)
                .timestamp(t0 + TimeDelta::seconds(i))
        })
        .collect();
    action::Entity::send_many(&*db, old).await.unwrap();

    let pruning = {
        let db = db.another_pool(2).await;
        tokio::spawn(async move {
            action::Entity::prune()
                .older_than(TimeDelta::days(1))
                .batch_size(50)
                .run(&db)
                .await
        })
    };
    let sending = {
        let db = db.another_pool(2).await;
        let (lennon, hendrix) = (lennon.clone(), hendrix.clone());
        tokio::spawn(async move {
            for i in 0..50 {
                action::Entity::send(&db, &hendrix, Verb::Follow)
                    .target(&lennon)
                    .description(format!("sent while pruning {i}"))
                    .await?;
            }
            Ok::<_, StreamError>(())
        })
    };
    let result = pruning.await.unwrap().unwrap();
    sending.await.unwrap().unwrap();
    assert_eq!(result, pruned(2_000, 40));
    let kept = left(&db).await;
    assert_eq!(kept.len(), 50, "every send was stored and none pruned");
    assert!(kept.iter().all(|d| d.starts_with("sent while pruning")));
}

async fn no_rule_deletes_nothing(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    action::Entity::send(&*db, &lennon, Verb::Default)
        .timestamp(long_ago())
        .await
        .unwrap();
    let result = action::Entity::prune().run(&*db).await.unwrap();
    assert_eq!(result, Pruned::default());
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
}
