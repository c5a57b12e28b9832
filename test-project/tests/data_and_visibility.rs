//! The optional columns of `action_entity!`: typed JSON `data` and the `public` flag, through
//! every way of storing an action and every way of reading a stream — on every backend.

mod common;

use chrono::{TimeZone, Utc};
use common::{Beatles, TestDb, beatles};
use serde_json::json;
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use stream_core::{FollowEntity, NewAction, StreamError};
use test_project::{Rating, Verb, action, follow};

common::on_every_backend!(
    data_round_trips_typed_through_every_way_of_storing_and_reading,
    stored_json_that_no_longer_fits_is_an_error_for_that_action_alone,
    data_that_fails_to_serialize_stores_nothing,
    actions_are_public_unless_sent_private,
    public_only_leaves_private_actions_out_of_every_stream,
    get_or_create_matches_neither_on_public_nor_on_data,
);

/// A stream, the verbs of all its actions, and those of its public ones, newest first.
type Case = (
    &'static str,
    stream_core::sea_orm::Select<action::Entity>,
    Vec<Verb>,
    Vec<Verb>,
);

fn stars(n: u8) -> Rating {
    Rating::new(n).unwrap()
}

fn at(i: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + i, 0).unwrap()
}

/// The typed data of every action of `select`, newest first, read from a hydrated page (one
/// statement) and from plain rows, which must agree.
async fn page_data(
    db: &TestDb,
    select: stream_core::sea_orm::Select<action::Entity>,
) -> Vec<Option<u8>> {
    let mut counted = db.db.clone();
    let statements = common::record_statements(&mut counted);
    let page = select
        .clone()
        .page(None, 50)
        .hydrated(&counted)
        .await
        .unwrap();
    assert_eq!(statements.lock().unwrap().len(), 1, "one statement");
    let plain = select.page(None, 50).all(&**db).await.unwrap();
    let hydrated: Vec<Option<u8>> = page
        .items
        .iter()
        .map(|loaded| loaded.action.data().unwrap().map(|r| r.stars))
        .collect();
    let rows: Vec<Option<u8>> = plain
        .items
        .iter()
        .map(|action| action.data().unwrap().map(|r| r.stars))
        .collect();
    assert_eq!(hydrated, rows, "a hydrated page reads the data as rows do");
    hydrated
}

async fn data_round_trips_typed_through_every_way_of_storing_and_reading(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let imagine = common::post(&db, &lennon, "Imagine").await;

    // send, create, get_or_create: the stored row reads back typed at once.
    let sent = action::Entity::send(&db.db, &hendrix, Verb::Liked)
        .target(&imagine)
        .data(stars(4))
        .timestamp(at(0))
        .await
        .unwrap();
    assert_eq!(sent.data().unwrap(), Some(stars(4)));
    let rating = stars(2);
    let created = action::Entity::create(
        &db.db,
        NewAction::new(&morrison, Verb::Liked)
            .target(&imagine)
            .data(rating)
            .timestamp(at(1)),
    )
    .await
    .unwrap();
    assert_eq!(created.data().unwrap(), Some(rating));
    let (got, made) = action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
        .target(&imagine)
        .data(stars(5))
        .timestamp(at(2))
        .await
        .unwrap();
    assert!(made);
    assert_eq!(got.data().unwrap(), Some(stars(5)));
    // No data: SQL NULL, read as `None`.
    let plain = action::Entity::send(&db.db, &lennon, Verb::Default)
        .timestamp(at(3))
        .await
        .unwrap();
    assert_eq!((plain.data.clone(), plain.data().unwrap()), (None, None));

    // Stored as the JSON the type serializes to, in a JSON column.
    let stored = action::Entity::find_by_id(sent.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.data, Some(json!({ "stars": 4 })));

    // send_many, with and without someone listening (rows read back with `RETURNING`, or
    // not read back at all; on SQLite both through the staging table), and batches with
    // and without any data.
    let mut subscription = action::Entity::signal().subscribe();
    // The signal is the process's: this run's actions are the ones with its marker.
    let marker = common::marker("data", db.backend);
    let load = |first: i64| {
        let (hendrix, morrison, imagine, marker) = (&hendrix, &morrison, &imagine, &marker);
        (0..4).map(move |i| {
            let action = NewAction::new(if i % 2 == 0 { hendrix } else { morrison }, Verb::Liked)
                .target(imagine)
                .timestamp(at(first + i))
                .description(marker.clone());
            match i {
                3 => action,
                _ => action.data(stars(u8::try_from(i).unwrap() + 1)),
            }
        })
    };
    assert_eq!(
        action::Entity::send_many(&db.db, load(10)).await.unwrap(),
        4
    );
    let mut signalled = Vec::new();
    while signalled.len() < 4 {
        let action = subscription.recv().await.unwrap();
        if action.description.as_ref() == Some(&marker) {
            signalled.push(action.data().unwrap().map(|r| r.stars));
        }
    }
    assert_eq!(signalled, [Some(1), Some(2), Some(3), None]);
    drop(subscription);
    assert_eq!(
        action::Entity::send_many(&db.db, load(20)).await.unwrap(),
        4
    );
    let none = (0..3).map(|i| NewAction::new(&lennon, Verb::Default).timestamp(at(30 + i)));
    assert_eq!(action::Entity::send_many(&db.db, none).await.unwrap(), 3);

    // Every stream, hydrated in one statement or plain, reads it back the same.
    let newest_first = page_data(&db, action::Entity::stream()).await;
    assert_eq!(
        newest_first,
        [
            None,
            None,
            None,
            None,
            Some(3),
            Some(2),
            Some(1),
            None,
            Some(3),
            Some(2),
            Some(1),
            None,
            Some(5),
            Some(2),
            Some(4),
        ]
    );
    let for_post = page_data(&db, action::Entity::for_target(&imagine)).await;
    assert_eq!(for_post.iter().flatten().count(), 9);
    assert_eq!(
        db.scalar("SELECT count(*) FROM stream_action WHERE data IS NULL")
            .await,
        6,
        "no data is SQL NULL"
    );
}

async fn stored_json_that_no_longer_fits_is_an_error_for_that_action_alone(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    let mut ids = Vec::new();
    for (i, who) in [&lennon, &hendrix, &lennon].into_iter().enumerate() {
        let sent = action::Entity::send(&db.db, who, Verb::Liked)
            .target(&imagine)
            .data(stars(3))
            .timestamp(at(i as i64))
            .await
            .unwrap();
        ids.push(sent.id);
    }
    // Rows written by an older version of the type, or by hand: valid JSON, not a `Rating`.
    for (id, json) in [
        (ids[0], json!({ "stars": 9 })),
        (ids[2], json!("five stars")),
    ] {
        action::Entity::update_many()
            .col_expr(action::Column::Data, Expr::value(json))
            .filter(action::Column::Id.eq(id))
            .exec(&*db)
            .await
            .unwrap();
    }

    // The page loads — hydrated and plain, on a one-object stream and a merged one — and
    // only the two rows say their data does not fit.
    follow::Entity::follow(&*db, &hendrix, &lennon)
        .await
        .unwrap();
    follow::Entity::follow(&*db, &hendrix, &hendrix)
        .await
        .unwrap();
    let streams = [
        action::Entity::for_target(&imagine),
        action::Entity::followed_by::<follow::Entity>(&hendrix),
        action::Entity::stream().public_only(),
    ];
    for select in streams {
        let page = select.clone().page(None, 20).hydrated(&*db).await.unwrap();
        let plain = select.all(&*db).await.unwrap();
        assert_eq!(page.items.len(), 3);
        for (loaded, action) in page.items.iter().zip(&plain) {
            assert_eq!(&loaded.action, action);
            let id = action.id;
            match action.data() {
                Ok(data) => {
                    assert_eq!(id, ids[1]);
                    assert_eq!(data, Some(stars(3)));
                }
                Err(StreamError::InvalidData { action, source }) => {
                    assert_eq!(action, id);
                    assert!(id == ids[0] || id == ids[2], "{id}");
                    assert!(
                        source.downcast_ref::<serde_json::Error>().is_some(),
                        "{source}"
                    );
                    if id == ids[0] {
                        assert!(source.to_string().contains("not 9"), "{source}");
                    }
                }
                Err(other) => panic!("{other:?}"),
            }
        }
    }
}

async fn data_that_fails_to_serialize_stores_nothing(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // A `Rating` refuses to serialize outside 1 to 5 stars.
    let bad = Rating { stars: 9 };
    let refused = |error: StreamError| match error {
        StreamError::UnserializableData(source) => {
            assert!(
                source.downcast_ref::<serde_json::Error>().is_some(),
                "{source}"
            );
            assert!(
                source.to_string().contains("1 to 5 stars, not 9"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    };

    refused(
        action::Entity::send(&db.db, &lennon, Verb::Liked)
            .target(&hendrix)
            .data(bad)
            .await
            .unwrap_err(),
    );
    refused(
        action::Entity::create(&db.db, NewAction::new(&lennon, Verb::Liked).data(bad))
            .await
            .unwrap_err(),
    );
    refused(
        action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
            .data(bad)
            .await
            .unwrap_err(),
    );
    // One bad action fails the whole load: the good ones before it are not stored either,
    // nor a batch already sent (the load is one transaction).
    let load = (0..3_000)
        .map(|i| {
            NewAction::new(&lennon, Verb::Liked)
                .target(&hendrix)
                .data(stars(1 + (i % 5) as u8))
        })
        .chain([NewAction::new(&hendrix, Verb::Liked).data(bad)]);
    refused(action::Entity::send_many(&db.db, load).await.unwrap_err());
    assert_eq!(db.scalar("SELECT count(*) FROM stream_action").await, 0);

    // get_or_create fails even when the action exists, rather than return it as if the data
    // had been accepted.
    action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
        .target(&hendrix)
        .await
        .unwrap();
    refused(
        action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
            .target(&hendrix)
            .data(bad)
            .await
            .unwrap_err(),
    );
    assert_eq!(db.scalar("SELECT count(*) FROM stream_action").await, 1);
}

async fn actions_are_public_unless_sent_private(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let public = action::Entity::send(&db.db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    let private = action::Entity::send(&db.db, &lennon, Verb::Follow)
        .target(&hendrix)
        .private()
        .await
        .unwrap();
    assert!(public.public && !private.public);
    let created = action::Entity::create(&db.db, NewAction::new(&hendrix, Verb::Default).private())
        .await
        .unwrap();
    assert!(!created.public);
    // A row written without the column (by hand, or before the column existed) is public:
    // the column's default.
    db.execute_unprepared(&format!(
        "INSERT INTO stream_action (timestamp, verb, actor_user) VALUES ('{}', 'default', {})",
        match db.backend {
            common::Backend::MySql => "2024-01-01 00:00:00",
            _ => "2024-01-01T00:00:00+00:00",
        },
        hendrix.id
    ))
    .await
    .unwrap();
    let by_hand = action::Entity::for_actor(&hendrix)
        .filter(action::Column::Verb.eq(Verb::Default))
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(
        by_hand.iter().map(|a| a.public).collect::<Vec<_>>(),
        [false, true],
        "newest first: the one sent private now, then the 2024 row"
    );
    // Bulk: a batch with a private action lists the column, one without leaves the default.
    let load = |private: bool| {
        let lennon = &lennon;
        (0..3).map(move |i| {
            let action = NewAction::new(lennon, Verb::Joined).timestamp(at(i));
            if private && i == 1 {
                action.private()
            } else {
                action
            }
        })
    };
    action::Entity::send_many(&db.db, load(true)).await.unwrap();
    action::Entity::send_many(&db.db, load(false))
        .await
        .unwrap();
    let joined = action::Entity::stream()
        .filter(action::Column::Verb.eq(Verb::Joined))
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(joined.iter().filter(|a| !a.public).count(), 1);
    assert_eq!(joined.len(), 6);
}

async fn public_only_leaves_private_actions_out_of_every_stream(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let imagine = common::post(&db, &lennon, "Imagine").await;
    // Lennon likes Imagine in public and follows hendrix in private; hendrix comments in
    // public and joins rust in private.
    action::Entity::send(&db.db, &lennon, Verb::Liked)
        .target(&imagine)
        .data(stars(5))
        .timestamp(at(0))
        .await
        .unwrap();
    action::Entity::send(&db.db, &lennon, Verb::Follow)
        .target(&hendrix)
        .private()
        .timestamp(at(1))
        .await
        .unwrap();
    let load = [
        NewAction::new(&hendrix, Verb::Commented)
            .target(&imagine)
            .timestamp(at(2)),
        NewAction::new(&hendrix, Verb::Joined)
            .target(&rust)
            .private()
            .timestamp(at(3)),
    ];
    action::Entity::send_many(&db.db, load).await.unwrap();
    let (made, created) = action::Entity::get_or_create(&db.db, &morrison, Verb::Liked)
        .target(&imagine)
        .private()
        .timestamp(at(4))
        .await
        .unwrap();
    assert!(created && !made.public);
    for who in [&lennon, &hendrix] {
        follow::Entity::follow(&*db, &morrison, who).await.unwrap();
    }
    follow::Entity::follow(&*db, &morrison, &imagine)
        .await
        .unwrap();

    // (stream, every action's verb, the public ones' verbs), newest first.
    use Verb::{Commented, Follow, Joined, Liked};
    let cases: Vec<Case> = vec![
        (
            "everyone",
            action::Entity::stream(),
            vec![Liked, Joined, Commented, Follow, Liked],
            vec![Commented, Liked],
        ),
        (
            "lennon's",
            action::Entity::for_actor(&lennon),
            vec![Follow, Liked],
            vec![Liked],
        ),
        (
            "about hendrix",
            action::Entity::involving(&hendrix),
            vec![Joined, Commented, Follow],
            vec![Commented],
        ),
        (
            "about Imagine",
            action::Entity::for_target(&imagine),
            vec![Liked, Commented, Liked],
            vec![Commented, Liked],
        ),
        (
            "morrison's feed",
            action::Entity::followed_by_in::<follow::Entity>(
                &morrison,
                &[Role::Actor, Role::Target],
            ),
            vec![Liked, Joined, Commented, Follow, Liked],
            vec![Commented, Liked],
        ),
        (
            "what morrison's people did",
            action::Entity::followed_by::<follow::Entity>(&morrison),
            vec![Joined, Commented, Follow, Liked],
            vec![Commented, Liked],
        ),
    ];
    for (name, select, every, public) in cases {
        let verbs = |actions: Vec<action::Model>| -> Vec<Verb> {
            actions.into_iter().map(|a| a.verb).collect()
        };
        assert_eq!(
            verbs(select.clone().all(&*db).await.unwrap()),
            every,
            "{name}"
        );
        let only = select.clone().public_only();
        assert_eq!(
            verbs(only.clone().all(&*db).await.unwrap()),
            public,
            "{name}"
        );
        // Pages, plain and hydrated (one statement), page by page from a cursor.
        let mut counted = db.db.clone();
        let statements = common::record_statements(&mut counted);
        let first = only.clone().page(None, 1).hydrated(&counted).await.unwrap();
        assert_eq!(statements.lock().unwrap().len(), 1, "{name}");
        let rest = match &first.next {
            Some(next) => {
                only.clone()
                    .page(Some(next), 20)
                    .hydrated(&*db)
                    .await
                    .unwrap()
                    .items
            }
            None => Vec::new(),
        };
        let paged: Vec<Verb> = first
            .items
            .iter()
            .chain(&rest)
            .map(|loaded| {
                assert!(loaded.action.public, "{name}");
                loaded.action.verb
            })
            .collect();
        assert_eq!(paged, public, "{name}");
        let plain = only.page(None, 20).all(&*db).await.unwrap();
        assert_eq!(verbs(plain.items), public, "{name}");
    }
}

async fn get_or_create_matches_neither_on_public_nor_on_data(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // Made private with a rating; asked again in public with another rating, it is found as
    // it is: the flag and the data are stored when the action is created, like its
    // description and timestamp.
    let (first, created) = action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
        .target(&hendrix)
        .private()
        .data(stars(2))
        .await
        .unwrap();
    assert!(created);
    let (again, created) = action::Entity::get_or_create(&db.db, &lennon, Verb::Liked)
        .target(&hendrix)
        .data(stars(5))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert!(!again.public);
    assert_eq!(again.data().unwrap(), Some(stars(2)));
    assert_eq!(db.scalar("SELECT count(*) FROM stream_action").await, 1);
}
