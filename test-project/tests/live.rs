//! Live tails of every kind of stream, resumption from a cursor, late commits, a tail that
//! fell behind, and retraction.
//!
//! The signal is one per action table per process, shared by every test of this binary, and
//! the tests' databases all have a user 1: the tests here take one lock, so that no test's
//! actions reach another's tails.

mod common;

use common::{Beatles, TestDb, beatles};
use std::time::Duration;
use stream_core::prelude::*;
use stream_core::sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait};
use stream_core::{Cursor, Event, LiveEvent, Tail, Transaction};
use test_project::{Verb, action, follow};

common::on_every_backend!(
    each_stream_delivers_its_actions_once_in_order_and_nothing_else,
    an_action_outside_a_stream_costs_its_tail_no_query,
    a_tail_resumes_from_a_cursor_without_gap_or_duplicate,
    an_action_committed_late_with_an_older_cursor_is_delivered,
    a_tail_that_fell_behind_catches_up_from_its_cursor,
    a_filtered_stream_asks_the_database_about_candidates_only,
    a_followed_stream_follows_follows_and_unfollows,
    a_hydrated_tail_delivers_loaded_actions,
    a_retraction_reaches_the_tails_of_its_streams_after_commit_only,
);

/// One test at a time in this binary (see the module docs).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The next event, or a failed test if none comes (a guard against hanging, not a timing
/// assertion).
async fn next<T, D: stream_core::live::Delivery<action::Entity, Item = T>>(
    tail: &mut Tail<action::Entity, D>,
) -> LiveEvent<T> {
    tokio::time::timeout(Duration::from_secs(20), tail.recv())
        .await
        .expect("an event within 20 s")
        .expect("the tail reads")
}

/// The description of the next event, which must be an action.
async fn next_description(tail: &mut Tail<action::Entity>) -> String {
    match next(tail).await {
        LiveEvent::Action { action, cursor } => {
            assert_eq!(cursor, Cursor::after::<action::Entity>(&action));
            action.description.clone().unwrap_or_default()
        }
        other => panic!("expected an action, got {other:?}"),
    }
}

async fn each_stream_delivers_its_actions_once_in_order_and_nothing_else(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let post = common::post(&db, &hendrix, "Little Wing").await;
    let live = || action::Entity::live();
    let mut by_lennon = live().for_actor(&lennon).tail(&db, None);
    let mut by_either = live().for_actors([&lennon, &morrison]).tail(&db, None);
    let mut to_post = live().for_target(&post).tail(&db, None);
    let mut with_post = live().for_action_object(&post).tail(&db, None);
    let mut rust_any_role = live().involving(&rust).tail(&db, None);
    let mut any_post = live()
        .involving_any::<test_project::post::Model>()
        .tail(&db, None);
    let mut public = live().stream().public_only().tail(&db, None);
    let mut everything = live().stream().tail(&db, None);

    let send = |actor: &test_project::user::Model, verb, text: &str| {
        action::Entity::send(&*db, actor, verb).description(text.to_owned())
    };
    send(&lennon, Verb::Joined, "1 lennon joined rust")
        .target(&rust)
        .await
        .unwrap();
    send(&hendrix, Verb::Created, "2 hendrix created the post")
        .action_object(&post)
        .target(&rust)
        .await
        .unwrap();
    send(
        &morrison,
        Verb::Liked,
        "3 morrison liked the post, privately",
    )
    .target(&post)
    .private()
    .await
    .unwrap();
    send(&lennon, Verb::Follow, "4 lennon followed hendrix")
        .target(&hendrix)
        .await
        .unwrap();
    send(&hendrix, Verb::Default, "5 hendrix, alone")
        .await
        .unwrap();

    // Each tail gets exactly its actions, in order; the last one of each is followed by
    // action 5 where it belongs, so nothing else was waiting in between.
    let expect = [
        (&mut by_lennon, vec!["1", "4"]),
        (&mut by_either, vec!["1", "3", "4"]),
        (&mut to_post, vec!["3"]),
        (&mut with_post, vec!["2"]),
        (&mut rust_any_role, vec!["1", "2"]),
        (&mut any_post, vec!["2", "3"]),
        (&mut public, vec!["1", "2", "4", "5"]),
        (&mut everything, vec!["1", "2", "3", "4", "5"]),
    ];
    for (tail, numbers) in expect {
        let mut got = Vec::new();
        for _ in &numbers {
            got.push(next_description(tail).await[..1].to_owned());
        }
        assert_eq!(got, numbers);
    }
    // A sentinel that every tail of hendrix-free streams would not see: send one more for
    // lennon, and his tail's next event is it (nothing else was queued before it).
    send(&lennon, Verb::Default, "6 lennon again")
        .await
        .unwrap();
    assert!(next_description(&mut by_lennon).await.starts_with('6'));
}

async fn an_action_outside_a_stream_costs_its_tail_no_query(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut tail_db = db.another_pool(2).await;
    let statements = common::record_statements(&mut tail_db);
    let mut tail = action::Entity::live()
        .for_actor(&lennon)
        .tail(&tail_db, None);
    for n in 0..20 {
        action::Entity::send(&*db, &hendrix, Verb::Default)
            .description(format!("hendrix {n}"))
            .await
            .unwrap();
    }
    action::Entity::send(&*db, &lennon, Verb::Default)
        .description("lennon")
        .await
        .unwrap();
    assert_eq!(next_description(&mut tail).await, "lennon");
    assert_eq!(
        *statements.lock().unwrap(),
        Vec::<String>::new(),
        "twenty actions of others and one of the stream, delivered from the signal: no query"
    );
}

async fn a_tail_resumes_from_a_cursor_without_gap_or_duplicate(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut first = action::Entity::live().for_actor(&lennon).tail(&db, None);
    let send =
        |n: usize| action::Entity::send(&*db, &lennon, Verb::Default).description(format!("{n}"));
    for n in 0..3 {
        send(n).await.unwrap();
    }
    action::Entity::send(&*db, &hendrix, Verb::Default)
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(next_description(&mut first).await);
    }
    // The client goes away after two, and resumes from the last it saw while more arrive.
    let cursor = first.resume_cursor().expect("delivered something");
    drop(first);
    for n in 3..5 {
        send(n).await.unwrap();
    }
    let mut resumed = action::Entity::live()
        .for_actor(&lennon)
        .tail(&db, Some(cursor));
    // Sent after the tail subscribed, before its catch-up ran: in the query and the signal.
    send(5).await.unwrap();
    for _ in 0..4 {
        seen.push(next_description(&mut resumed).await);
    }
    send(6).await.unwrap();
    seen.push(next_description(&mut resumed).await);
    assert_eq!(seen, ["0", "1", "2", "3", "4", "5", "6"]);

    // The cursor of the newest action replays nothing: the next event is a new one.
    let newest = action::Entity::for_actor(&lennon)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    let mut at_end = action::Entity::live()
        .for_actor(&lennon)
        .tail(&db, Some(Cursor::after::<action::Entity>(&newest)));
    send(7).await.unwrap();
    assert_eq!(next_description(&mut at_end).await, "7");
}

async fn an_action_committed_late_with_an_older_cursor_is_delivered(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles { lennon, .. } = beatles(&db).await;
    let mut tail = action::Entity::live().for_actor(&lennon).tail(&db, None);
    let now = chrono::Utc::now();
    action::Entity::send(&*db, &lennon, Verb::Default)
        .description("newer, committed first")
        .timestamp(now)
        .await
        .unwrap();
    assert_eq!(next_description(&mut tail).await, "newer, committed first");
    let watermark = tail.resume_cursor().unwrap();
    // Committed after the newer one, it stands before it in the stream: a tail that caught
    // up from its cursor alone would skip it.
    action::Entity::send(&*db, &lennon, Verb::Default)
        .description("older, committed late")
        .timestamp(now - chrono::Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(next_description(&mut tail).await, "older, committed late");
    assert_eq!(
        tail.resume_cursor(),
        Some(watermark),
        "the resume cursor stays at the furthest action, so a reconnect repeats nothing"
    );

    if db.backend != common::Backend::Sqlite {
        // The same with a transaction that stays open across another's commit (SQLite
        // allows one writer at a time, so there the open transaction would block the other).
        let txn = Transaction::begin(&db).await.unwrap();
        action::Entity::send(&txn, &lennon, Verb::Default)
            .description("in a long transaction")
            .await
            .unwrap();
        action::Entity::send(&*db, &lennon, Verb::Default)
            .description("on its own")
            .await
            .unwrap();
        assert_eq!(next_description(&mut tail).await, "on its own");
        txn.commit().await.unwrap();
        assert_eq!(next_description(&mut tail).await, "in a long transaction");
    }
}

async fn a_tail_that_fell_behind_catches_up_from_its_cursor(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut tail_db = db.another_pool(2).await;
    let statements = common::record_statements(&mut tail_db);
    let mut tail = action::Entity::live()
        .for_actor(&lennon)
        .tail(&tail_db, None);
    action::Entity::send(&*db, &lennon, Verb::Default)
        .description("0")
        .await
        .unwrap();
    assert_eq!(next_description(&mut tail).await, "0");
    // More events than the shared buffer holds, while the tail does not read: it misses
    // some, and reads the stream from its cursor instead.
    let total = stream_core::EVENT_BUFFER + 100;
    let actions = (1..=total).map(|n| {
        let actor: &dyn Actor<action::Entity> = if n % 2 == 0 { &lennon } else { &hendrix };
        stream_core::NewAction::new(&actor, Verb::Default).description(format!("{n}"))
    });
    action::Entity::send_many(&*db, actions).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..total / 2 {
        seen.push(next_description(&mut tail).await.parse::<usize>().unwrap());
    }
    let expected: Vec<usize> = (1..=total).filter(|n| n % 2 == 0).collect();
    assert_eq!(seen, expected, "every action of the stream once, in order");
    // Caught up, the tail is live again: later actions come from the signal, not queries.
    for n in 0..3 {
        action::Entity::send(&*db, &lennon, Verb::Default)
            .description(format!("after {n}"))
            .await
            .unwrap();
        assert_eq!(next_description(&mut tail).await, format!("after {n}"));
    }
    let queries = statements.lock().unwrap().len() as u64;
    assert_eq!(
        queries,
        (total as u64 / 2).div_ceil(stream_core::live::CATCH_UP_BATCH),
        "one query per batch of the catch-up, none for the actions after it"
    );
}

async fn a_filtered_stream_asks_the_database_about_candidates_only(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut tail_db = db.another_pool(2).await;
    let statements = common::record_statements(&mut tail_db);
    let mut likes = action::Entity::live()
        .for_actor(&lennon)
        .filter(action::Column::Verb.eq(Verb::Liked))
        .tail(&tail_db, None);
    action::Entity::send(&*db, &hendrix, Verb::Liked)
        .description("hendrix liked")
        .await
        .unwrap();
    action::Entity::send(&*db, &lennon, Verb::Default)
        .description("lennon, not a like")
        .await
        .unwrap();
    action::Entity::send(&*db, &lennon, Verb::Liked)
        .description("lennon liked")
        .await
        .unwrap();
    assert_eq!(next_description(&mut likes).await, "lennon liked");
    assert_eq!(
        statements.lock().unwrap().len(),
        2,
        "one query per candidate (lennon's two actions), none for hendrix's"
    );
}

async fn a_followed_stream_follows_follows_and_unfollows(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    follow::Entity::follow(&*db, &lennon, &hendrix)
        .await
        .unwrap();
    let mut feed = action::Entity::live()
        .followed_by::<follow::Entity>(&lennon)
        .tail(&db, None);
    let say = |who: &test_project::user::Model, text: &str| {
        action::Entity::send(&*db, who, Verb::Default).description(text.to_owned())
    };
    say(&morrison, "morrison, not followed").await.unwrap();
    say(&hendrix, "hendrix 1").await.unwrap();
    assert_eq!(next_description(&mut feed).await, "hendrix 1");
    follow::Entity::follow(&*db, &lennon, &morrison)
        .await
        .unwrap();
    follow::Entity::unfollow(&*db, &lennon, &hendrix)
        .await
        .unwrap();
    say(&hendrix, "hendrix, no longer followed").await.unwrap();
    say(&morrison, "morrison, followed now").await.unwrap();
    assert_eq!(next_description(&mut feed).await, "morrison, followed now");
}

async fn a_hydrated_tail_delivers_loaded_actions(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let post = common::post(&db, &hendrix, "Little Wing").await;
    let before = action::Entity::send(&*db, &lennon, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    let tail = || {
        action::Entity::live()
            .for_target(&post)
            .tail_hydrated(&db, Some(Cursor::after::<action::Entity>(&before)))
    };
    let (mut one, mut two) = (tail(), tail());
    let mut tail_db = db.another_pool(2).await;
    let statements = common::record_statements(&mut tail_db);
    let mut three = action::Entity::live()
        .for_target(&post)
        .tail_hydrated(&tail_db, None);
    let like = action::Entity::send(&*db, &hendrix, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    for tail in [&mut one, &mut two, &mut three] {
        match next(tail).await {
            LiveEvent::Action { action, .. } => {
                assert_eq!(action.action, like);
                assert_eq!(action.actor, action::ActorModel::User(hendrix.clone()));
                assert_eq!(action.target, Some(action::TargetModel::Post(post.clone())));
            }
            other => panic!("expected an action, got {other:?}"),
        }
    }
    assert!(
        statements.lock().unwrap().len() <= 1,
        "the action is loaded once for every tail of the process"
    );
}

async fn a_retraction_reaches_the_tails_of_its_streams_after_commit_only(db: TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let post = common::post(&db, &hendrix, "Little Wing").await;
    let mut to_post = action::Entity::live().for_target(&post).tail(&db, None);
    let mut by_hendrix = action::Entity::live().for_actor(&hendrix).tail(&db, None);
    let mut events = action::Entity::signal().subscribe_events();
    let like = action::Entity::send(&*db, &lennon, Verb::Liked)
        .target(&post)
        .await
        .unwrap();
    let id = like.id;
    assert!(matches!(next(&mut to_post).await, LiveEvent::Action { .. }));

    // Rolled back: still there, and nobody hears of it.
    let txn = Transaction::begin(&db).await.unwrap();
    assert!(action::Entity::retract(&txn, &like).await.unwrap());
    txn.rollback().await.unwrap();
    assert_eq!(action::Entity::find_by_id(id).count(&*db).await.unwrap(), 1);
    // In a transaction: heard of at the commit.
    let txn = Transaction::begin(&db).await.unwrap();
    assert!(action::Entity::retract(&txn, &like).await.unwrap());
    assert_eq!(txn.pending_signals(), 1);
    txn.commit().await.unwrap();
    assert_eq!(next(&mut to_post).await, LiveEvent::Retracted { id });
    assert!(!action::Entity::retract(&*db, &like).await.unwrap());

    // Hendrix's tail heard nothing of lennon's like: its next event is its own.
    let mine = action::Entity::send(&*db, &hendrix, Verb::Default)
        .await
        .unwrap();
    match next(&mut by_hendrix).await {
        LiveEvent::Action { action, .. } => assert_eq!(*action, mine),
        other => panic!("expected hendrix's action, got {other:?}"),
    }

    // By condition: one event per deleted action, in the signal, each with its row.
    let likes = [
        action::Entity::send(&*db, &lennon, Verb::Liked)
            .target(&post)
            .await
            .unwrap(),
        action::Entity::send(&*db, &hendrix, Verb::Liked)
            .target(&post)
            .await
            .unwrap(),
    ];
    let gone = action::Entity::retract_where(
        &*db,
        Condition::all()
            .add(action::Column::TargetPost.eq(post.id))
            .add(action::Column::Verb.eq(Verb::Liked)),
    )
    .await
    .unwrap();
    assert_eq!(gone, 2);
    let mut retracted = Vec::new();
    while let Ok(Some(event)) = events.try_recv() {
        if let Event::Retracted(event) = event {
            assert_eq!(event.action().map(|a| a.id), Some(event.id()));
            retracted.push(event.id());
        }
    }
    retracted.sort();
    assert_eq!(retracted, [id, likes[0].id, likes[1].id]);
    let mut ids = Vec::new();
    for _ in 0..4 {
        match next(&mut to_post).await {
            LiveEvent::Retracted { id } => ids.push(id),
            LiveEvent::Action { .. } => {}
        }
    }
    ids.sort();
    assert_eq!(ids, [likes[0].id, likes[1].id]);
}
