//! Notification inboxes: delivery in the action's transaction (explicit and by the sample
//! application's rules), counts, inbox pages, seen versus read, retention and cascades.

mod common;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Backend, Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, Statement,
};
use stream_core::{Counts, Cursor, Mark, NewAction, Transaction};
use test_project::{Verb, action, follow, notification, user};

common::on_every_backend!(
    rules_deliver_to_the_right_people_and_never_to_the_actor,
    a_rolled_back_send_notifies_nobody,
    explicit_and_rule_recipients_together_are_notified_once,
    ten_thousand_recipients_are_a_few_statements,
    counts_and_marks_keep_seen_and_read_apart,
    marking_another_recipients_notifications_does_nothing,
    inbox_pages_walk_without_gaps_or_repeats,
    a_get_or_create_that_finds_does_not_notify_again,
    a_bulk_load_is_delivered_by_the_rules,
    pruning_keeps_the_newest_and_drops_the_old_in_batches,
    deleting_an_action_deletes_its_notifications,
    inbox_reads_use_the_indexes,
    rules_may_include_the_actor,
);

// A second action table whose rules notify the actor too: "you did something".
stream_core::action_entity! {
    /// A diary: what each user did.
    pub mod diary {
        table_name = "diary_action",
        verb = test_project::Verb,
        models = [test_project::user],
        notify = crate::diary_inbox,
    }
}

stream_core::notification_entity! {
    /// The diary's inboxes.
    pub mod diary_inbox {
        table_name = "diary_notification",
        recipient = test_project::user,
        actions = crate::diary,
    }
}

impl stream_core::NotificationRules<diary::Entity> for diary_inbox::Entity {
    fn recipients(action: &diary::Model, to: &mut stream_core::Recipients<Self>) {
        to.keys(action.actor_user).keys(action.target_user);
        if action.verb == Verb::Edit {
            to.include_actor();
        }
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap()
}

async fn counts(db: &TestDb, who: &user::Model) -> (u64, u64) {
    let Counts { unseen, unread } = notification::Entity::counts(&**db, who).await.unwrap();
    (unseen, unread)
}

/// The actions in `who`'s inbox, newest first.
async fn inbox(db: &TestDb, who: &user::Model) -> Vec<i64> {
    notification::Entity::inbox(who)
        .page(None, 1000)
        .all(&**db)
        .await
        .unwrap()
        .items
        .iter()
        .map(|n| n.action.id)
        .collect()
}

async fn rules_deliver_to_the_right_people_and_never_to_the_actor(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let post = common::post(&db, &lennon, "Wild Haze").await;
    let like = action::Entity::send(&*db, &hendrix, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    // A like of your own post tells nobody.
    action::Entity::send(&*db, &lennon, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    let follow = action::Entity::send(&*db, &morrison, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();
    assert_eq!(inbox(&db, &lennon).await, [follow.id, like.id]);
    assert_eq!(inbox(&db, &hendrix).await, [] as [i64; 0]);

    // A post in a group goes to its followers, but not to its author.
    let rust = common::group(&db, "rust").await;
    for who in [&lennon, &hendrix, &morrison] {
        follow::Entity::follow(&*db, who, &rust).await.unwrap();
    }
    let news = common::post(&db, &hendrix, "news").await;
    let created = action::Entity::send(&*db, &hendrix, Verb::Created)
        .action_object(&news)
        .target(&rust)
        .await
        .unwrap();
    assert_eq!(inbox(&db, &lennon).await[0], created.id);
    assert_eq!(inbox(&db, &morrison).await, [created.id]);
    assert_eq!(inbox(&db, &hendrix).await, [] as [i64; 0]);
    // A verb without a rule tells nobody.
    action::Entity::send(&*db, &morrison, Verb::Default)
        .target(&lennon)
        .await
        .unwrap();
    assert_eq!(counts(&db, &lennon).await, (3, 3));
}

async fn a_rolled_back_send_notifies_nobody(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let post = common::post(&db, &lennon, "Wild Haze").await;
    let txn = Transaction::begin(&db).await.unwrap();
    action::Entity::send(&txn, &hendrix, Verb::Liked)
        .target(&post)
        .notify::<notification::Entity>([&morrison])
        .await
        .unwrap();
    // Inside the transaction, the notifications are there ..
    assert_eq!(
        notification::Entity::counts(&txn, &lennon).await.unwrap(),
        Counts {
            unseen: 1,
            unread: 1
        }
    );
    txn.rollback().await.unwrap();
    // .. and rolled back with the action.
    assert_eq!(counts(&db, &lennon).await, (0, 0));
    assert_eq!(counts(&db, &morrison).await, (0, 0));
    assert_eq!(notification::Entity::find().count(&*db).await.unwrap(), 0);

    let txn = Transaction::begin(&db).await.unwrap();
    action::Entity::send(&txn, &hendrix, Verb::Liked)
        .target(&post)
        .notify::<notification::Entity>([&morrison])
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(counts(&db, &lennon).await, (1, 1));
    assert_eq!(counts(&db, &morrison).await, (1, 1));
}

async fn explicit_and_rule_recipients_together_are_notified_once(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let post = common::post(&db, &lennon, "Wild Haze").await;
    // lennon by the rules and explicitly, morrison twice explicitly, hendrix is the actor.
    let like = action::Entity::send(&*db, &hendrix, Verb::Liked)
        .target(&post)
        .notify::<notification::Entity>([&lennon, &morrison, &morrison, &hendrix])
        .await
        .unwrap();
    assert_eq!(inbox(&db, &lennon).await, [like.id]);
    assert_eq!(inbox(&db, &morrison).await, [like.id]);
    assert_eq!(inbox(&db, &hendrix).await, [] as [i64; 0]);
    assert_eq!(notification::Entity::find().count(&*db).await.unwrap(), 2);
    // The copy of the timestamp is the action's.
    let row = notification::Entity::find()
        .filter(notification::Column::Recipient.eq(lennon.id))
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.action, row.timestamp), (like.id, like.timestamp));
    // `create` takes recipients too.
    let waved = action::Entity::create(
        &*db,
        NewAction::new(&morrison, Verb::Default).notify::<notification::Entity>([&hendrix]),
    )
    .await
    .unwrap();
    assert_eq!(inbox(&db, &hendrix).await, [waved.id]);
}

async fn ten_thousand_recipients_are_a_few_statements(mut db: TestDb) {
    const FANS: usize = 10_000;
    let Beatles { lennon, .. } = beatles(&db).await;
    for chunk in (0..FANS).collect::<Vec<_>>().chunks(2_000) {
        user::Entity::insert_many(chunk.iter().map(|i| user::ActiveModel {
            username: Set(format!("fan{i}")),
            ..Default::default()
        }))
        .exec(&*db)
        .await
        .unwrap();
    }
    let fans = user::Entity::find()
        .filter(user::Column::Username.starts_with("fan"))
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(fans.len(), FANS);
    // The first send asks a MySQL-protocol server what it is; later ones know.
    action::Entity::send(&*db, &lennon, Verb::Default)
        .await
        .unwrap();
    let statements = common::record_statements(&mut db.db);
    action::Entity::send(&*db, &lennon, Verb::Default)
        .notify::<notification::Entity>(&fans)
        .await
        .unwrap();
    let deliveries = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.contains("stream_notification"))
        .count();
    assert!(deliveries <= 2, "{deliveries} delivery statements");
    assert_eq!(
        notification::Entity::find().count(&*db).await.unwrap(),
        FANS as u64
    );
    assert_eq!(counts(&db, &fans[FANS - 1]).await, (1, 1));
}

async fn counts_and_marks_keep_seen_and_read_apart(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(
            action::Entity::send(&*db, &hendrix, Verb::Follow)
                .target(&lennon)
                .timestamp(at(i))
                .await
                .unwrap(),
        );
    }
    assert_eq!(counts(&db, &lennon).await, (3, 3));
    // The inbox showed the two newest: marked seen up to the first shown.
    let page = notification::Entity::inbox(&lennon)
        .page(None, 2)
        .all(&*db)
        .await
        .unwrap();
    assert!(page.items.iter().all(|n| !n.is_seen() && !n.is_read()));
    let first = Cursor::after::<action::Entity>(&page.items[0].action);
    // Meanwhile, a newer one arrives: it stays unseen.
    let newer = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .timestamp(at(10))
        .await
        .unwrap();
    let after_seen = notification::Entity::mark_seen(&*db, &lennon, Mark::UpTo(&first))
        .await
        .unwrap();
    assert_eq!(
        after_seen,
        Counts {
            unseen: 1,
            unread: 4
        }
    );
    let unseen = notification::Entity::inbox(&lennon)
        .unseen_only()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(
        unseen.items.iter().map(|n| n.action.id).collect::<Vec<_>>(),
        [newer.id]
    );
    // Reading one marks it seen as well; reading keeps the first time it was seen.
    let seen_at = notification::Entity::inbox(&lennon)
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap()
        .items[1]
        .seen_at
        .unwrap();
    let counts_now =
        notification::Entity::mark_read(&*db, &lennon, Mark::Actions(&[newer.id, sent[2].id]))
            .await
            .unwrap();
    assert_eq!(
        counts_now,
        Counts {
            unseen: 0,
            unread: 2
        }
    );
    let items = notification::Entity::inbox(&lennon)
        .page(None, 20)
        .hydrated(&*db)
        .await
        .unwrap()
        .items;
    assert!(items[0].is_seen() && items[0].is_read());
    assert_eq!(
        items[1].seen_at,
        Some(seen_at),
        "the first time it was seen"
    );
    assert!(items[1].is_read());
    assert!(items[2].is_seen() && !items[2].is_read());
    assert_eq!(
        items[0].action.actor,
        action::ActorModel::User(hendrix.clone())
    );
    let unread = notification::Entity::inbox(&lennon)
        .unread_only()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(unread.items.len(), 2);
    // Marking is idempotent, and `All` marks the rest.
    let all = notification::Entity::mark_read(&*db, &lennon, Mark::All)
        .await
        .unwrap();
    assert_eq!(all, Counts::default());
    assert_eq!(
        notification::Entity::mark_seen(&*db, &lennon, Mark::All)
            .await
            .unwrap(),
        Counts::default()
    );
}

async fn marking_another_recipients_notifications_does_nothing(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let follow = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();
    // morrison marks lennon's notification, by its action id, up to it, and all of his own.
    let cursor = Cursor::after::<action::Entity>(&follow);
    for mark in [Mark::Actions(&[follow.id]), Mark::UpTo(&cursor), Mark::All] {
        let his = notification::Entity::mark_read(&*db, &morrison, mark)
            .await
            .unwrap();
        assert_eq!(his, Counts::default());
    }
    assert_eq!(counts(&db, &lennon).await, (1, 1));
    // An empty list marks nothing.
    notification::Entity::mark_read(&*db, &lennon, Mark::Actions(&[]))
        .await
        .unwrap();
    assert_eq!(counts(&db, &lennon).await, (1, 1));
}

async fn inbox_pages_walk_without_gaps_or_repeats(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // 45 notifications; pairs share a timestamp so that the action id must break ties.
    let mut sent = Vec::new();
    for i in 0..45 {
        sent.push(
            action::Entity::send(&*db, &hendrix, Verb::Follow)
                .target(&lennon)
                .timestamp(at(i / 2))
                .await
                .unwrap()
                .id,
        );
    }
    sent.reverse();
    for hydrated in [false, true] {
        let mut seen = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let query = notification::Entity::inbox(&lennon).page(cursor.as_ref(), 20);
            let (ids, next) = if hydrated {
                let page = query.hydrated(&*db).await.unwrap();
                let ids: Vec<i64> = page.items.iter().map(|n| n.action.as_ref().id).collect();
                (ids, page.next)
            } else {
                let page = query.all(&*db).await.unwrap();
                (page.items.iter().map(|n| n.action.id).collect(), page.next)
            };
            seen.extend(ids);
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, sent, "hydrated: {hydrated}");
    }
    // A page size outside 1..=1000 is refused.
    assert!(matches!(
        notification::Entity::inbox(&lennon)
            .page(None, 0)
            .all(&*db)
            .await,
        Err(stream_core::StreamError::InvalidPageSize { .. })
    ));
}

async fn a_get_or_create_that_finds_does_not_notify_again(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let post = common::post(&db, &lennon, "Wild Haze").await;
    let (like, created) = action::Entity::get_or_create(&*db, &hendrix, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    assert!(created);
    notification::Entity::mark_read(&*db, &lennon, Mark::All)
        .await
        .unwrap();
    let (again, created) = action::Entity::get_or_create(&*db, &hendrix, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, like.id);
    assert_eq!(counts(&db, &lennon).await, (0, 0));
    assert_eq!(notification::Entity::find().count(&*db).await.unwrap(), 1);
}

async fn a_bulk_load_is_delivered_by_the_rules(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let post = common::post(&db, &lennon, "Wild Haze").await;
    let load =
        [&hendrix, &morrison, &lennon].map(|who| NewAction::new(who, Verb::Liked).target(&post));
    assert_eq!(action::Entity::send_many(&*db, load).await.unwrap(), 3);
    assert_eq!(counts(&db, &lennon).await, (2, 2));
    assert_eq!(counts(&db, &hendrix).await, (0, 0));
}

async fn pruning_keeps_the_newest_and_drops_the_old_in_batches(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let now = Utc::now();
    for who in [&lennon, &morrison] {
        for i in 0..7 {
            action::Entity::send(&*db, &hendrix, Verb::Follow)
                .target(who)
                .timestamp(now - TimeDelta::days(i * 10))
                .await
                .unwrap();
        }
    }
    assert!(matches!(
        notification::Entity::prune()
            .keep_newest(1)
            .batch_size(0)
            .run(&*db)
            .await,
        Err(stream_core::StreamError::InvalidBatchSize { .. })
    ));
    // Older than 35 days: 3 of each (40, 50, 60 days), two at a time.
    let old = notification::Entity::prune()
        .older_than(TimeDelta::days(35))
        .batch_size(2)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(old, 6);
    let newest = notification::Entity::prune()
        .keep_newest(2)
        .batch_size(3)
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(newest, 4);
    assert_eq!(inbox(&db, &lennon).await.len(), 2);
    assert_eq!(inbox(&db, &morrison).await.len(), 2);
    // The actions stay.
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 14);
    // Nothing is left to prune.
    let none = notification::Entity::prune()
        .keep_newest(2)
        .older_than(TimeDelta::days(35))
        .run(&*db)
        .await
        .unwrap();
    assert_eq!(none, 0);
}

async fn deleting_an_action_deletes_its_notifications(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let old = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .timestamp(Utc::now() - TimeDelta::days(400))
        .await
        .unwrap();
    let new = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();
    let retracted = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();
    assert_eq!(counts(&db, &lennon).await, (3, 3));
    assert!(action::Entity::retract(&*db, &retracted).await.unwrap());
    action::Entity::prune()
        .older_than(TimeDelta::days(365))
        .run(&*db)
        .await
        .unwrap();
    assert!(old.id != new.id);
    assert_eq!(inbox(&db, &lennon).await, [new.id]);
    // Deleting the recipient empties the inbox.
    user::Entity::delete_by_id(lennon.id)
        .exec(&*db)
        .await
        .unwrap();
    assert_eq!(notification::Entity::find().count(&*db).await.unwrap(), 0);
}

async fn plan(db: &TestDb, statement: Statement) -> String {
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
            Backend::Sqlite => row.try_get_by_index::<String>(3).unwrap(),
            _ => row.try_get_by_index::<String>(0).unwrap(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

async fn inbox_reads_use_the_indexes(mut db: TestDb) {
    // 20 recipients, 2,000 notifications: enough rows that a planner prefers an index.
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(common::user(&db, &format!("user{i}")).await);
    }
    let actor = common::user(&db, "actor").await;
    let load = (0..100).map(|i| {
        NewAction::new(&actor, Verb::Default)
            .timestamp(at(i))
            .description(format!("{i}"))
    });
    action::Entity::send_many(&*db, load).await.unwrap();
    let actions = action::Entity::find().all(&*db).await.unwrap();
    for action in &actions {
        let rows = users.iter().map(|user| notification::ActiveModel {
            recipient: Set(user.id),
            action: Set(action.id),
            timestamp: Set(action.timestamp),
            ..Default::default()
        });
        notification::Entity::insert_many(rows)
            .exec(&*db)
            .await
            .unwrap();
    }
    let analyze = match db.backend {
        Backend::Sqlite | Backend::Postgres => "ANALYZE",
        Backend::MySql => "ANALYZE TABLE stream_notification",
    };
    db.execute_unprepared(analyze).await.unwrap();

    let recorded = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Statement>::new()));
    let sink = std::sync::Arc::clone(&recorded);
    db.db.set_metric_callback(move |info| {
        sink.lock().unwrap().push(info.statement.clone());
    });
    let who = &users[7];
    notification::Entity::counts(&*db, who).await.unwrap();
    let first = notification::Entity::inbox(who)
        .page(None, 20)
        .hydrated(&*db)
        .await
        .unwrap();
    notification::Entity::inbox(who)
        .unseen_only()
        .page(first.next.as_ref(), 20)
        .all(&*db)
        .await
        .unwrap();
    let recorded: Vec<Statement> = recorded.lock().unwrap().clone();
    assert_eq!(recorded.len(), 3, "one statement each: {recorded:#?}");
    for (name, statement) in ["counts", "page", "unseen page after a cursor"]
        .into_iter()
        .zip(recorded)
    {
        let plan = plan(&db, statement).await;
        match db.backend {
            Backend::Sqlite => {
                assert!(
                    plan.contains("stream_notification USING")
                        && !plan.contains("SCAN stream_notification "),
                    "{name}: {plan}"
                );
                assert!(!plan.contains("TEMP B-TREE"), "{name} sorts: {plan}");
            }
            Backend::Postgres => {
                assert!(
                    !plan.contains("Seq Scan on stream_notification"),
                    "{name} scans: {plan}"
                );
            }
            // On a table this small MariaDB may prefer other plans; the benchmark measures it.
            Backend::MySql => {}
        }
    }
}

async fn rules_may_include_the_actor(db: TestDb) {
    stream_core::schema::create_action_table::<diary::Entity, _>(&*db)
        .await
        .unwrap();
    stream_core::schema::create_notification_table::<diary_inbox::Entity, _>(&*db)
        .await
        .unwrap();
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // By default the actor is left out, even when the rules name it ..
    diary::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .await
        .unwrap();
    // .. unless they include it.
    let edit = diary::Entity::send(&*db, &lennon, Verb::Edit)
        .await
        .unwrap();
    assert_eq!(diary_of(&db, &lennon).await, [Verb::Edit]);
    assert_eq!(diary_of(&db, &hendrix).await, [Verb::Default]);
    assert_eq!(
        diary_inbox::Entity::counts(&*db, &lennon).await.unwrap(),
        Counts {
            unseen: 1,
            unread: 1
        }
    );
    assert!(edit.id > 0);
}

async fn diary_of(db: &TestDb, who: &user::Model) -> Vec<Verb> {
    diary_inbox::Entity::inbox(who)
        .page(None, 20)
        .all(&**db)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.action.verb)
        .collect()
}
