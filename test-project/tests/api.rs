//! The library's API beyond the original suite: ordering, exact matching, races, role
//! reassignment, custom queries, the signal's delivery guarantees and bad input.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect, QueryTrait, Statement,
};
use stream_core::{NewAction, StreamError};
use test_project::{AuditVerb, Verb, action, audit, user};

common::on_every_backend!(
    send_stores_every_field_and_returns_the_row,
    create_takes_a_prepared_action,
    streams_are_newest_first_with_id_breaking_ties,
    lookups_compose_and_mix_model_types,
    custom_queries_use_the_generated_columns,
    get_or_create_matches_exactly,
    get_or_create_is_atomic_under_concurrent_callers,
    get_or_create_after_a_plain_sea_orm_edit_matches_exactly,
    a_bulk_load_racing_single_sends_loses_nothing,
    a_send_is_one_statement_and_a_listened_bulk_load_stays_multi_row,
    reassigning_a_role_clears_its_other_columns,
    a_subscriber_that_stops_reading_never_blocks_a_send,
    an_unknown_verb_in_the_database_is_an_error_not_a_panic,
    a_missing_actor_row_is_a_typed_error_and_stores_nothing,
    a_one_megabyte_description_round_trips,
    timestamps_outside_the_years_1000_to_9999_are_refused_and_store_nothing,
    page_sizes_outside_1_to_the_maximum_are_refused,
    deleting_an_object_deletes_its_actions,
);
common::on_every_backend!(empty: migrations_create_the_same_schema);

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap()
}

async fn send_stores_every_field_and_returns_the_row(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let post = common::post(&db, &lennon, "hello").await;
    let when = Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap();

    let sent = action::Entity::send(&*db, &hendrix, Verb::Created)
        .target(&rust)
        .action_object(&post)
        .description("wrote a post")
        .timestamp(when)
        .await
        .unwrap();

    let stored = action::Entity::find_by_id(sent.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, sent);
    assert_eq!(stored.verb, Verb::Created);
    assert_eq!(stored.description.as_deref(), Some("wrote a post"));
    assert_eq!(
        stored.timestamp, when,
        "microseconds survive the round trip"
    );
    assert_eq!(stored.actor_id(), Some(action::ActorId::User(hendrix.id)));
    assert_eq!(stored.target_id(), Some(action::TargetId::Group(rust.id)));
    assert_eq!(
        stored.action_object_id(),
        Some(action::ActionObjectId::Post(post.id))
    );
    // Exactly one column per role is filled.
    assert_eq!(stored.actor_group, None);
    assert_eq!(stored.target_user, None);
    assert_eq!(stored.action_object_user, None);
}

async fn create_takes_a_prepared_action(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let prepared = NewAction::new(&lennon, Verb::Followed).target(&hendrix);
    let stored = action::Entity::create(&*db, prepared).await.unwrap();
    assert_eq!(stored.verb, Verb::Followed);
    assert_eq!(stored.target_id(), Some(action::TargetId::User(hendrix.id)));
}

async fn streams_are_newest_first_with_id_breaking_ties(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut sent = Vec::new();
    for seconds in [5, 1, 9, 5, 3] {
        sent.push(
            action::Entity::send(&*db, &lennon, Verb::Default)
                .target(&hendrix)
                .timestamp(at(seconds))
                .await
                .unwrap(),
        );
    }
    let ids = |rows: Vec<action::Model>| rows.into_iter().map(|a| a.id).collect::<Vec<_>>();
    // 9, then the two 5s newest id first, then 3, then 1.
    let expected = vec![sent[2].id, sent[3].id, sent[0].id, sent[4].id, sent[1].id];
    assert_eq!(
        ids(action::Entity::stream().all(&*db).await.unwrap()),
        expected
    );
    assert_eq!(
        ids(action::Entity::for_actor(&lennon).all(&*db).await.unwrap()),
        expected
    );
    assert_eq!(
        ids(action::Entity::for_target(&hendrix)
            .all(&*db)
            .await
            .unwrap()),
        expected
    );
    let everyone: [&dyn Actor<action::Entity>; 2] = [&lennon, &hendrix];
    assert_eq!(
        ids(action::Entity::for_actors(everyone)
            .all(&*db)
            .await
            .unwrap()),
        expected
    );
}

async fn lookups_compose_and_mix_model_types(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    action::Entity::send(&*db, &rust, Verb::Created)
        .target(&morrison)
        .await
        .unwrap();
    action::Entity::send(&*db, &morrison, Verb::Follow)
        .target(&rust)
        .await
        .unwrap();

    let user_and_group: [&dyn Actor<action::Entity>; 2] = [&lennon, &rust];
    assert_eq!(
        action::Entity::for_actors(user_and_group)
            .count(&*db)
            .await
            .unwrap(),
        2
    );
    let targets: [&dyn Target<action::Entity>; 2] = [&rust, &hendrix];
    assert_eq!(
        action::Entity::for_targets(targets)
            .count(&*db)
            .await
            .unwrap(),
        2
    );

    // Objects of one model go in directly; mixed models name the first one's trait object.
    assert_eq!(
        action::Entity::for_actors([&lennon, &morrison])
            .count(&*db)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        action::Entity::for_actors([&lennon as &dyn Actor<_>, &rust])
            .count(&*db)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        action::Entity::for_targets(vec![&rust])
            .count(&*db)
            .await
            .unwrap(),
        1
    );

    // An empty list selects nothing rather than failing or selecting everything.
    let nobody: Vec<&user::Model> = Vec::new();
    assert_eq!(
        action::Entity::for_actors(nobody)
            .count(&*db)
            .await
            .unwrap(),
        0
    );
    let none: [&dyn Actor<action::Entity>; 0] = [];
    assert_eq!(
        action::Entity::for_actors(none).count(&*db).await.unwrap(),
        0
    );
    let none: Vec<&dyn ActionObject<action::Entity>> = Vec::new();
    assert_eq!(
        action::Entity::for_action_objects(none)
            .count(&*db)
            .await
            .unwrap(),
        0
    );

    // A lookup is an ordinary `Select`: filter it further.
    let follows_by_lennon = action::Entity::for_actor(&lennon)
        .filter(action::Column::Verb.eq(Verb::Follow))
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(follows_by_lennon, 1);

    // The per-role enums work as lookup keys too.
    let first = action::Entity::stream().one(&*db).await.unwrap().unwrap();
    let by_id = action::Entity::for_actor(&first.actor_id().unwrap())
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(by_id, 1);
}

async fn custom_queries_use_the_generated_columns(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let alice = common::user(&db, "alice").await;
    let adam = common::user(&db, "adam").await;
    for actor in [&lennon, &alice, &hendrix, &adam, &alice] {
        action::Entity::send(&*db, actor, Verb::Follow)
            .target(&morrison)
            .await
            .unwrap();
    }

    // Actions whose actor is a user whose username starts with "a", through a subquery.
    let usernames_with_a = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Username.starts_with("a"))
        .into_query();
    let by_a = action::Entity::stream()
        .filter(action::Column::ActorUser.in_subquery(usernames_with_a))
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(by_a.len(), 3);
    assert!(by_a.iter().all(|a| {
        matches!(a.actor_id(), Some(action::ActorId::User(id)) if id == alice.id || id == adam.id)
    }));
}

async fn get_or_create_matches_exactly(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;

    let (bare, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .await
        .unwrap();
    assert!(created);
    // No target given means "target IS NULL": an action with a target is a different one.
    let (with_target, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    assert!(created);
    assert_ne!(bare.id, with_target.id);
    // Same key again: found, whatever the description.
    let (again, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .description("ignored when found")
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, with_target.id);
    // Each of verb, target model, target row and action object makes a different key.
    let variants = [
        action::Entity::get_or_create(&*db, &lennon, Verb::Followed).target(&hendrix),
        action::Entity::get_or_create(&*db, &lennon, Verb::Follow).target(&rust),
        action::Entity::get_or_create(&*db, &lennon, Verb::Follow).target(&morrison),
        action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
            .target(&hendrix)
            .action_object(&morrison),
        action::Entity::get_or_create(&*db, &hendrix, Verb::Follow).target(&hendrix),
    ];
    for variant in variants {
        let (_, created) = variant.await.unwrap();
        assert!(created);
    }
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 7);

    // An action made by `send` is found too.
    let sent = action::Entity::send(&*db, &morrison, Verb::Edit)
        .target(&rust)
        .await
        .unwrap();
    let (found, created) = action::Entity::get_or_create(&*db, &morrison, Verb::Edit)
        .target(&rust)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(found.id, sent.id);
}

/// Plain sea-orm code edits a row `get_or_create` made, leaving the key it was made with: the
/// original combination is no longer that row, so it is created again.
async fn get_or_create_after_a_plain_sea_orm_edit_matches_exactly(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let original = || action::Entity::get_or_create(&*db, &lennon, Verb::Follow).target(&hendrix);

    // The verb changed through an ActiveModel.
    let (first, created) = original().await.unwrap();
    assert!(created);
    let mut edited = first.clone().into_active_model();
    edited.verb = stream_core::sea_orm::Set(Verb::Liked);
    edited.update(&*db).await.unwrap();
    let (second, created) = original().await.unwrap();
    assert!(created, "the edited row no longer matches");
    assert_ne!(second.id, first.id);
    assert_eq!(
        (second.verb, second.target_user),
        (Verb::Follow, Some(hendrix.id))
    );
    let (again, created) = original().await.unwrap();
    assert_eq!((again.id, created), (second.id, false));

    // The target changed through `update_many`.
    action::Entity::update_many()
        .col_expr(
            action::Column::TargetUser,
            stream_core::sea_orm::sea_query::Expr::value(morrison.id),
        )
        .filter(action::Column::Id.eq(second.id))
        .exec(&*db)
        .await
        .unwrap();
    let (third, created) = original().await.unwrap();
    assert!(created, "the retargeted row no longer matches");
    assert_eq!(third.target_user, Some(hendrix.id));
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 3);
    // The edited rows are left as they were edited.
    let first = action::Entity::find_by_id(first.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.verb, Verb::Liked);
    let second = action::Entity::find_by_id(second.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.target_user, Some(morrison.id));
}

async fn get_or_create_is_atomic_under_concurrent_callers(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut subscription = action::Entity::signal().subscribe();
    // Stored by the one caller that creates the row; tells its event from other tests'.
    let marker = common::marker("race", db.backend);

    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (db, lennon, hendrix) = (db.db.clone(), lennon.clone(), hendrix.clone());
        let marker = marker.clone();
        tasks.push(tokio::spawn(async move {
            action::Entity::get_or_create(&db, &lennon, Verb::Followed)
                .target(&hendrix)
                .description(marker)
                .await
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap().unwrap());
    }

    assert_eq!(
        action::Entity::find().count(&*db).await.unwrap(),
        1,
        "exactly one row"
    );
    let id = results[0].0.id;
    assert!(
        results.iter().all(|(action, _)| action.id == id),
        "every caller gets that row"
    );
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    let mut fired = 0;
    while let Some(event) = subscription.try_recv() {
        if event.description.as_deref() == Some(marker.as_str()) {
            assert_eq!(event.id, id);
            fired += 1;
        }
    }
    assert_eq!(fired, 1, "the signal fires for the one created row");
}

async fn reassigning_a_role_clears_its_other_columns(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let post = common::post(&db, &lennon, "hello").await;
    let sent = action::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .action_object(&post)
        .await
        .unwrap();

    let mut edit = sent.clone().into_active_model();
    edit.set_actor(&rust);
    edit.set_target(&post);
    edit.clear_action_object();
    let saved = edit.update(&*db).await.unwrap();

    assert_eq!(saved.actor_user, None);
    assert_eq!(saved.actor_group, Some(rust.id));
    assert_eq!(saved.target_user, None);
    assert_eq!(saved.target_post, Some(post.id));
    assert_eq!(saved.action_object_id(), None);
    assert_eq!(saved.action_object(&*db).await.unwrap(), None);
    assert_eq!(
        saved.actor(&*db).await.unwrap(),
        action::ActorModel::Group(rust)
    );
}

async fn a_subscriber_that_stops_reading_never_blocks_a_send(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    // Tests running at the same time subscribe and unsubscribe too: many stalled
    // subscriptions make the drop below visible in the process-wide count.
    let stalled: Vec<_> = (0..100)
        .map(|_| action::Entity::signal().subscribe())
        .collect();
    let mut reading = action::Entity::signal().subscribe();
    let marker = common::marker("stalled", db.backend);

    for _ in 0..500 {
        action::Entity::send(&*db, &lennon, Verb::Default)
            .target(&hendrix)
            .description(&marker)
            .await
            .unwrap();
    }
    let mut seen = 0;
    while let Some(event) = reading.try_recv() {
        seen += usize::from(event.description.as_deref() == Some(marker.as_str()));
    }
    assert_eq!(seen, 500, "the reading subscriber saw every action once");

    let before = action::Entity::signal().subscriber_count();
    drop(stalled);
    action::Entity::send(&*db, &lennon, Verb::Default)
        .await
        .unwrap();
    assert!(
        action::Entity::signal().subscriber_count() + 50 < before,
        "dropping unsubscribes"
    );
}

async fn an_unknown_verb_in_the_database_is_an_error_not_a_panic(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let sent = action::Entity::send(&*db, &lennon, Verb::Default)
        .await
        .unwrap();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!(
            "UPDATE stream_action SET verb = 'moonwalked' WHERE id = {}",
            sent.id
        ),
    ))
    .await
    .unwrap();

    let error = action::Entity::stream().all(&*db).await.unwrap_err();
    let error = StreamError::from(error);
    assert!(matches!(error, StreamError::Decode(_)), "{error:?}");
    // The database error that says which slug is unknown is kept as the source.
    let source = std::error::Error::source(&error).expect("the decoding error");
    assert!(source.to_string().contains("moonwalked"), "{source}");
}

async fn a_missing_actor_row_is_a_typed_error_and_stores_nothing(db: TestDb) {
    let Beatles { hendrix, .. } = beatles(&db).await;
    let ghost = user::Model {
        id: 9_999,
        username: "ghost".into(),
    };
    let mut subscription = action::Entity::signal().subscribe();

    let error = action::Entity::send(&*db, &ghost, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::MissingObject(_)), "{error:?}");
    assert!(error.to_string().contains("does not exist"), "{error}");
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 0);
    while let Some(event) = subscription.try_recv() {
        assert_ne!(
            event.actor_user,
            Some(ghost.id),
            "no signal for a failed send"
        );
    }
    // The pool is still usable.
    action::Entity::send(&*db, &hendrix, Verb::Follow)
        .await
        .unwrap();
}

async fn a_one_megabyte_description_round_trips(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    let description: String = "Ünïcödé ✓ ".repeat(1024 * 1024 / 14);
    assert!(description.len() >= 1_000_000);
    let sent = action::Entity::send(&*db, &lennon, Verb::Edit)
        .description(description.clone())
        .await
        .unwrap();
    let stored = action::Entity::find_by_id(sent.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.description.as_deref(), Some(description.as_str()));
}

async fn deleting_an_object_deletes_its_actions(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&morrison)
        .await
        .unwrap();
    action::Entity::send(&*db, &morrison, Verb::Default)
        .action_object(&hendrix)
        .await
        .unwrap();
    action::Entity::send(&*db, &morrison, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();

    user::Entity::delete_by_id(hendrix.id)
        .exec(&*db)
        .await
        .unwrap();
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
    let left = action::Entity::find().one(&*db).await.unwrap().unwrap();
    assert_eq!(left.actor_user, Some(morrison.id));
}

/// The migrations (`stream_core::schema::CreateActionTable`) and the schema builder followed
/// by `fix_column_types` make the same tables: same column types, same indexes.
async fn migrations_create_the_same_schema(empty: TestDb) {
    let migrated = test_project::connect(&empty.url).await.unwrap();
    let lennon = common::user(&migrated, "lennon").await;
    action::Entity::send(&migrated, &lennon, Verb::Default)
        .await
        .unwrap();
    let built = TestDb::empty(empty.backend).await.unwrap();
    test_project::create_tables(&built).await.unwrap();

    for table in ["stream_action", "audit_action"] {
        let columns = empty.column_types(table).await;
        assert_eq!(columns, built.column_types(table).await);
        let indexes = empty.index_names(table).await;
        assert_eq!(indexes, built.index_names(table).await);
        for column in ["actor_user", "verb", "timestamp_id"] {
            assert!(
                indexes.iter().any(|name| name.ends_with(column)),
                "an index on {column} in {indexes:?}"
            );
        }
        let type_of = |name: &str| {
            columns
                .iter()
                .find(|(column, _)| column == name)
                .map(|(_, ty)| ty.as_str())
                .unwrap_or_else(|| panic!("no column {name} in {columns:?}"))
        };
        let expected = match empty.backend {
            common::Backend::Sqlite => ["timestamp_with_timezone_text", "text"],
            common::Backend::Postgres => ["timestamp with time zone", "text"],
            common::Backend::MySql => ["datetime(6)", "longtext"],
        };
        assert_eq!([type_of("timestamp"), type_of("description")], expected);
        // `data = ..` and `public = true` add a column each to the table that declares them;
        // the audit log declares neither and has neither.
        let extra = [
            ("public", columns.iter().any(|(c, _)| c == "public")),
            ("data", columns.iter().any(|(c, _)| c == "data")),
        ];
        assert_eq!(
            extra,
            [
                ("public", table == "stream_action"),
                ("data", table == "stream_action")
            ]
        );
    }
    // The inboxes: the same columns and indexes either way, microsecond timestamps on
    // MySQL/MariaDB, and an index for each read.
    let columns = empty.column_types("stream_notification").await;
    assert_eq!(columns, built.column_types("stream_notification").await);
    let indexes = empty.index_names("stream_notification").await;
    assert_eq!(indexes, built.index_names("stream_notification").await);
    for index in ["recipient_action", "inbox", "unseen", "unread", "action"] {
        assert!(
            indexes.iter().any(|name| name.ends_with(index)),
            "an index {index} in {indexes:?}"
        );
    }
    if empty.backend == common::Backend::MySql {
        for column in ["timestamp", "seen_at", "read_at"] {
            assert!(
                columns.contains(&(column.to_owned(), "datetime(6)".to_owned())),
                "{column} in {columns:?}"
            );
        }
    }
    let columns = empty.column_types("stream_action").await;
    let type_of = |name: &str| {
        columns
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, ty)| ty.as_str())
            .unwrap()
    };
    // JSON where the backend has it (MariaDB's `json` is `longtext` with a JSON check).
    let expected = match empty.backend {
        common::Backend::Sqlite => ["boolean", "jsonb_text"],
        common::Backend::Postgres => ["boolean", "jsonb"],
        common::Backend::MySql => ["tinyint(1)", "longtext"],
    };
    assert_eq!([type_of("public"), type_of("data")], expected);
    // A migrated table takes both: a private action with data reads back as sent.
    let hendrix = common::user(&migrated, "hendrix").await;
    let sent = action::Entity::send(&migrated, &hendrix, Verb::Liked)
        .target(&lennon)
        .data(test_project::Rating::new(3).unwrap())
        .private()
        .await
        .unwrap();
    let page = action::Entity::for_actor(&hendrix)
        .page(None, 20)
        .hydrated(&migrated)
        .await
        .unwrap();
    assert_eq!(page.items[0].action, sent);
    assert_eq!(sent.data().unwrap(), test_project::Rating::new(3));
    assert!(!sent.public);
    assert!(
        action::Entity::for_actor(&hendrix)
            .public_only()
            .all(&migrated)
            .await
            .unwrap()
            .is_empty()
    );
    let indexes = empty.index_names("stream_action").await;
    for column in ["actor_group", "target_post", "action_object_comment"] {
        assert!(
            indexes.iter().any(|name| name.ends_with(column)),
            "an index on {column} in {indexes:?}"
        );
    }
    migrated.close().await.unwrap();
}

async fn timestamps_outside_the_years_1000_to_9999_are_refused_and_store_nothing(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let first = Utc.with_ymd_and_hms(1000, 1, 1, 0, 0, 0).unwrap();
    let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    let too_early = first - chrono::Duration::microseconds(1);
    let too_late = last + chrono::Duration::seconds(1);
    let refused = |error: StreamError, at: DateTime<Utc>| {
        assert!(
            matches!(error, StreamError::TimestampOutOfRange(t) if t == at),
            "{error:?}"
        );
    };

    for at in [too_early, too_late] {
        let error = action::Entity::send(&*db, &lennon, Verb::Follow)
            .target(&hendrix)
            .timestamp(at)
            .await
            .unwrap_err();
        refused(error, at);
        let error =
            action::Entity::create(&*db, NewAction::new(&lennon, Verb::Liked).timestamp(at))
                .await
                .unwrap_err();
        refused(error, at);
        // One bad action fails the whole load: the good ones before it are not stored either.
        let load = [
            NewAction::new(&lennon, Verb::Follow).timestamp(first),
            NewAction::new(&hendrix, Verb::Follow).timestamp(at),
        ];
        let error = action::Entity::send_many(&*db, load).await.unwrap_err();
        refused(error, at);
    }
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 0);

    // The ends of the range are stored, read back and sorted as they are everywhere.
    for at in [last, first] {
        action::Entity::send(&*db, &lennon, Verb::Follow)
            .timestamp(at)
            .await
            .unwrap();
    }
    let stream = action::Entity::stream().all(&*db).await.unwrap();
    let stored: Vec<_> = stream.iter().map(|action| action.timestamp).collect();
    assert_eq!(stored, [last, first]);
}

async fn page_sizes_outside_1_to_the_maximum_are_refused(db: TestDb) {
    let Beatles { lennon, .. } = beatles(&db).await;
    action::Entity::send(&*db, &lennon, Verb::Follow)
        .await
        .unwrap();
    let max = stream_core::MAX_PAGE_SIZE;
    for size in [0, max + 1, u64::MAX] {
        let error = action::Entity::stream()
            .page(None, size)
            .all(&*db)
            .await
            .unwrap_err();
        assert!(
            matches!(error, StreamError::InvalidPageSize { size: s, max: m } if s == size && m == max),
            "{error:?}"
        );
        let error = action::Entity::for_actor(&lennon)
            .page(None, size)
            .hydrated(&*db)
            .await
            .unwrap_err();
        assert!(
            matches!(error, StreamError::InvalidPageSize { .. }),
            "{error:?}"
        );
    }
    for size in [1, max] {
        let page = action::Entity::stream()
            .page(None, size)
            .hydrated(&*db)
            .await
            .unwrap();
        assert_eq!((page.items.len(), page.next), (1, None));
    }
}

/// A bulk load while eight tasks send one action after another, three times over. On SQLite
/// a deferred transaction that read before it wrote could not wait for the other writers
/// (`database is locked`, SQLITE_BUSY_SNAPSHOT); no write of the library may fail that way.
async fn a_bulk_load_racing_single_sends_loses_nothing(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    const SENDERS: usize = 8;
    const SENDS: usize = 25;
    const LOAD: usize = 6_000;
    for round in 0..3 {
        let mut senders = Vec::new();
        for _ in 0..SENDERS {
            let (db, lennon, hendrix) = (db.db.clone(), lennon.clone(), hendrix.clone());
            senders.push(tokio::spawn(async move {
                for _ in 0..SENDS {
                    action::Entity::send(&db, &lennon, Verb::Follow)
                        .target(&hendrix)
                        .await
                        .map(|_| ())?;
                }
                Ok::<_, StreamError>(())
            }));
        }
        let load = (0..LOAD).map(|i| {
            NewAction::new(&hendrix, Verb::Liked).timestamp(at(i64::try_from(i).unwrap()))
        });
        let loaded = action::Entity::send_many(&*db, load).await;
        assert_eq!(loaded.unwrap(), LOAD as u64, "round {round}");
        for sender in senders {
            sender.await.unwrap().unwrap();
        }
        let expected = (round + 1) * (SENDERS * SENDS + LOAD);
        let stored = action::Entity::find().count(&*db).await.unwrap();
        assert_eq!(stored, expected as u64, "round {round}");
    }
}

/// With a subscriber listening: a send is one statement on every backend but MySQL (MariaDB
/// 10.5 and later return the row with `INSERT .. RETURNING`), and a bulk load inserts many
/// rows per statement.
async fn a_send_is_one_statement_and_a_listened_bulk_load_stays_multi_row(mut db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let mut subscription = action::Entity::signal().subscribe();
    let version: String = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            match db.backend {
                common::Backend::Sqlite => "SELECT sqlite_version()",
                _ => "SELECT VERSION()",
            },
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    let returning = db.backend != common::Backend::MySql || version.contains("MariaDB");
    // The first send asks a MySQL-protocol server what it is; later ones know. (The audit
    // log: an action table without `notify = ..`, whose sends deliver no notifications.)
    audit::Entity::send(&*db, &lennon, AuditVerb::Registered)
        .await
        .unwrap();
    let statements = common::record_statements(&mut db.db);

    let sent = audit::Entity::send(&*db, &lennon, AuditVerb::Registered)
        .target(&hendrix)
        .description("one statement")
        .await
        .unwrap();
    assert_eq!(sent.target_user, Some(hendrix.id));
    assert_eq!(sent.description.as_deref(), Some("one statement"));
    let sends = statements.lock().unwrap().len();
    assert_eq!(sends, if returning { 1 } else { 2 }, "{version}");

    statements.lock().unwrap().clear();
    // Tells this test's events from those of tests running beside it.
    let marker = common::marker("listened-load", db.backend);
    let load = (0..10).map(|i| {
        NewAction::new(&hendrix, Verb::Liked)
            .timestamp(at(i))
            .description(marker.clone())
    });
    assert_eq!(action::Entity::send_many(&*db, load).await.unwrap(), 10);
    let inserts = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.starts_with("INSERT"))
        .count();
    // SQLite: into the staging table, then one INSERT .. SELECT.
    assert!(
        if returning {
            inserts <= 2
        } else {
            inserts == 10
        },
        "{inserts} INSERTs on {version}"
    );
    // Every stored action reached the subscriber, with the row as stored.
    let mut loaded = Vec::new();
    while let Some(event) = subscription.try_recv() {
        if event.description.as_deref() == Some(marker.as_str()) {
            loaded.push(event.timestamp);
        }
    }
    loaded.sort();
    assert_eq!(loaded, (0..10).map(at).collect::<Vec<_>>());
}
