//! Values that each backend stores its own way, checked to come back the same on all three:
//! timestamps (UTC, microseconds, their order), 64-bit and string primary keys, a verb slug
//! of 255 characters, and descriptions with multi-byte and binary-looking text.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{Backend, TestDb};
use stream_core::NewAction;
use stream_core::prelude::*;
use stream_core::schema::timestamp_value;
use stream_core::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use test_project::{AuditVerb, Verb, action, audit, device, tag};

common::on_every_backend!(
    timestamps_round_trip_to_the_microsecond_and_sort_alike,
    big_and_string_keys_and_the_longest_slug_round_trip,
    descriptions_keep_every_character,
    hydrated_pages_keep_role_keys_as_stored,
);

fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .with_timezone(&Utc)
}

/// Timestamps from the year 1000 to 9999 — before 1970, past 2038, with and without
/// microseconds, one instant twice — come back exactly, sort newest first by `(timestamp,
/// id)` as Rust sorts them, and compare the same in SQL. Nanoseconds are cut to
/// microseconds. A connection whose session is in another time zone reads and writes the
/// same instants.
async fn timestamps_round_trip_to_the_microsecond_and_sort_alike(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    let stamps = [
        "2024-06-30T23:59:59.123456Z",
        "1000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "1969-12-31T23:59:59.999999Z",
        "2038-01-19T03:14:08Z",
        "1970-01-01T00:00:00Z",
        "2000-02-29T12:34:56.5Z",
        "2038-01-19T03:14:07.999999Z",
        "1970-01-01T00:00:00.000001Z",
        "2000-02-29T12:34:56.500001Z",
        "2106-02-07T06:28:16Z",
        "2000-02-29T12:34:56Z",
        "2024-06-30T23:59:59.123456Z",
    ]
    .map(utc);

    let mut sent = Vec::new();
    for stamp in stamps {
        let action = action::Entity::send(&*db, &lennon, Verb::Default)
            .timestamp(stamp)
            .await
            .unwrap();
        assert_eq!(
            action.timestamp, stamp,
            "the returned row has the instant sent"
        );
        let stored = action::Entity::find_by_id(action.id)
            .one(&*db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.timestamp, stamp,
            "the stored row has the instant sent"
        );
        sent.push(action);
    }

    // Newest first, the later id first among equal instants.
    let mut expected: Vec<(DateTime<Utc>, i64)> =
        sent.iter().map(|a| (a.timestamp, a.id)).collect();
    expected.sort_by(|a, b| b.cmp(a));
    let streamed: Vec<(DateTime<Utc>, i64)> = action::Entity::stream()
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.timestamp, a.id))
        .collect();
    assert_eq!(streamed, expected);

    // Keyset pages, whose cursors compare timestamps in SQL, walk the same order.
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = action::Entity::stream()
            .page(cursor.as_ref(), 4)
            .all(&*db)
            .await
            .unwrap();
        paged.extend(page.items.iter().map(|a| (a.timestamp, a.id)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, expected);

    // Comparisons in SQL agree with Rust's.
    for pivot in [
        "1970-01-01T00:00:00Z",
        "2000-02-29T12:34:56.5Z",
        "2038-01-19T03:14:08Z",
    ] {
        let pivot = utc(pivot);
        let later = action::Entity::find()
            .filter(action::Column::Timestamp.gt(timestamp_value(db.get_database_backend(), pivot)))
            .count(&*db)
            .await
            .unwrap();
        assert_eq!(
            later,
            stamps.iter().filter(|&&s| s > pivot).count() as u64,
            "after {pivot}"
        );
    }

    // A raw query reads the column as a `DateTime<Utc>` too.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT {} FROM {} WHERE id = {}",
                db.quote("timestamp"),
                db.quote("stream_action"),
                sent[0].id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<DateTime<Utc>>(0).unwrap(), stamps[0]);

    // The bulk path stores them the same way.
    let mut subscription = action::Entity::signal().subscribe();
    let marker = common::marker("bulk-timestamps", db.backend);
    let bulk = stamps.map(|stamp| {
        NewAction::new(&lennon, Verb::Created)
            .description(&marker)
            .timestamp(stamp)
    });
    let stored = action::Entity::send_many(&*db, bulk).await.unwrap();
    assert_eq!(stored, stamps.len() as u64);
    let mut bulk_stamps: Vec<DateTime<Utc>> = action::Entity::find()
        .filter(action::Column::Description.eq(&marker))
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.timestamp)
        .collect();
    let mut signalled = Vec::new();
    while let Some(event) = subscription.try_recv() {
        if event.description.as_deref() == Some(marker.as_str()) {
            signalled.push(event.timestamp);
        }
    }
    let mut sorted = stamps.to_vec();
    sorted.sort();
    bulk_stamps.sort();
    signalled.sort();
    assert_eq!(bulk_stamps, sorted);
    assert_eq!(signalled, sorted);

    // Nanoseconds are cut, not rounded.
    let precise = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
    let cut = action::Entity::send(&*db, &lennon, Verb::Edit)
        .timestamp(precise)
        .await
        .unwrap();
    assert_eq!(
        cut.timestamp,
        Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap()
    );
    let now = action::Entity::send(&*db, &lennon, Verb::Edit)
        .await
        .unwrap();
    assert_eq!(
        action::Entity::find_by_id(now.id).one(&*db).await.unwrap(),
        Some(now),
        "the default timestamp (now) round-trips too"
    );

    // A session in another time zone changes nothing.
    let zoned_url = match db.backend {
        Backend::Sqlite => return,
        Backend::Postgres => common::with_parameters(&db.url, "options[TimeZone]=Asia/Kathmandu"),
        Backend::MySql => common::with_parameters(&db.url, "timezone=%2B05%3A45"),
    };
    let mut options = stream_core::sea_orm::ConnectOptions::new(zoned_url);
    options.sqlx_logging(false).max_connections(1);
    let zoned = stream_core::sea_orm::Database::connect(options)
        .await
        .unwrap();
    let stored = action::Entity::find_by_id(sent[0].id)
        .one(&zoned)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.timestamp, stamps[0]);
    let written = action::Entity::send(&zoned, &lennon, Verb::Created)
        .timestamp(stamps[4])
        .await
        .unwrap();
    let read = action::Entity::find_by_id(written.id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.timestamp, stamps[4]);
    zoned.close().await.unwrap();
}

/// The audit log's models have a 64-bit key (device) and a string key (tag), and its verb
/// enum a slug of exactly 255 characters: all of them are stored, matched and looked up
/// like any other.
async fn big_and_string_keys_and_the_longest_slug_round_trip(db: TestDb) {
    let slug = stream_core::sea_orm::ActiveEnum::to_value(&AuditVerb::ReviewedUnderRetentionPolicy);
    assert_eq!(slug.chars().count(), 255);
    let lennon = common::user(&db, "lennon").await;
    let mut devices = Vec::new();
    for (id, name) in [
        (i64::MAX, "max"),
        (5_000_000_000, "past 32 bits"),
        (-1, "minus one"),
    ] {
        devices.push(common::device(&db, id, name).await);
    }
    let mut tags = Vec::new();
    for id in [
        "rust".to_owned(),
        "ünïcødé-日本語-🎸".to_owned(),
        // 255 characters, 4 bytes each in UTF-8.
        "🎸".repeat(255),
        "with space and 'quote'".to_owned(),
    ] {
        tags.push(common::tag(&db, &id).await);
    }

    let mut sent = Vec::new();
    for device in &devices {
        for tag in &tags {
            let action = audit::Entity::send(&*db, device, AuditVerb::ReviewedUnderRetentionPolicy)
                .target(tag)
                .action_object(&lennon)
                .await
                .unwrap();
            assert_eq!(action.verb, AuditVerb::ReviewedUnderRetentionPolicy);
            assert_eq!(action.actor_id(), Some(audit::ActorId::Device(device.id)));
            assert_eq!(
                action.target_id(),
                Some(audit::TargetId::Tag(tag.id.clone()))
            );
            assert_eq!(
                action.actor(&*db).await.unwrap(),
                audit::ActorModel::Device(device.clone())
            );
            assert_eq!(
                action.target(&*db).await.unwrap(),
                Some(audit::TargetModel::Tag(tag.clone()))
            );
            let (found, created) =
                audit::Entity::get_or_create(&*db, device, AuditVerb::ReviewedUnderRetentionPolicy)
                    .target(tag)
                    .action_object(&lennon)
                    .await
                    .unwrap();
            assert!(!created, "found by its 64-bit and string keys");
            assert_eq!(found, action);
            sent.push(action);
        }
    }
    for device in &devices {
        assert_eq!(
            audit::Entity::for_actor(device).count(&*db).await.unwrap(),
            tags.len() as u64
        );
    }
    for tag in &tags {
        assert_eq!(
            audit::Entity::for_target(tag).count(&*db).await.unwrap(),
            devices.len() as u64,
            "tag {:?}",
            tag.id
        );
    }
    let mixed: [&dyn Actor<audit::Entity>; 2] = [&lennon, &devices[2]];
    assert_eq!(
        audit::Entity::for_actors(mixed).count(&*db).await.unwrap(),
        tags.len() as u64
    );
    let by_slug = audit::Entity::find()
        .filter(audit::Column::Verb.eq(AuditVerb::ReviewedUnderRetentionPolicy))
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(by_slug, sent.len() as u64);

    // The bulk path stores the same keys, in the order given.
    let pairs: Vec<(&device::Model, &tag::Model)> = devices
        .iter()
        .flat_map(|device| tags.iter().map(move |tag| (device, tag)))
        .collect();
    let bulk = pairs.iter().map(|&(device, tag)| {
        NewAction::new(device, AuditVerb::Registered)
            .target(tag)
            .action_object(&lennon)
    });
    let stored = audit::Entity::send_many(&*db, bulk).await.unwrap();
    assert_eq!(stored, pairs.len() as u64);
    let loaded = audit::Entity::find()
        .filter(audit::Column::Verb.eq(AuditVerb::Registered))
        .order_by_asc(audit::Column::Id)
        .all(&*db)
        .await
        .unwrap();
    let keys: Vec<_> = loaded
        .iter()
        .map(|a| (a.actor_id(), a.target_id(), a.action_object_id()))
        .collect();
    let expected: Vec<_> = pairs
        .iter()
        .map(|(device, tag)| {
            (
                Some(audit::ActorId::Device(device.id)),
                Some(audit::TargetId::Tag(tag.id.clone())),
                Some(audit::ActionObjectId::User(lennon.id)),
            )
        })
        .collect();
    assert_eq!(keys, expected);

    let (first, created) = audit::Entity::get_or_create(&*db, &devices[0], AuditVerb::Tagged)
        .target(&tags[2])
        .await
        .unwrap();
    assert!(created, "a different verb is a different key");
    assert_eq!(first.target_tag.as_deref(), Some(tags[2].id.as_str()));
}

/// Descriptions come back exactly — multi-byte text in every plane, every character from
/// U+0001 to U+00FF, escape-looking and SQL-looking text, edge whitespace, more than
/// MySQL's `text` holds — and compare exactly in SQL (case and accents matter).
async fn descriptions_keep_every_character(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    let texts = [
        "Ünïcödé ✓ 日本語 한국어 עברית العربية 🎸🤘🏽 👨‍👩‍👧 e\u{301} \u{FEFF}\u{200B}".to_owned(),
        (1u8..=255).map(char::from).collect::<String>(),
        "\\0 \\x00 \\u0000 %00 \\\\ \\n \u{7f} \u{1b}[31m \u{FFFD} \u{FFFF} \u{10FFFF}".to_owned(),
        "'; DROP TABLE stream_action; -- \" ` \\' %_ ? $1 :name".to_owned(),
        "  leading and trailing whitespace \t\r\n  ".to_owned(),
        "PK\u{3}\u{4}\u{14} \u{89}PNG\r\n\u{1a}\n \u{ff}\u{d8}\u{ff}\u{e0}".to_owned(),
        "ünïcødé ".repeat(70_000 / 8 + 1),
    ];
    for text in &texts {
        assert!(!text.contains('\0'));
        let sent = action::Entity::send(&*db, &lennon, Verb::Edit)
            .description(text.clone())
            .await
            .unwrap();
        assert_eq!(sent.description.as_ref(), Some(text));
        let found = action::Entity::find()
            .filter(action::Column::Description.eq(text.clone()))
            .all(&*db)
            .await
            .unwrap();
        assert_eq!(found, [sent], "found by its exact text");
    }
    for other in ["ÜNÏCÖDÉ ✓ 日本語", "Unicode ✓ 日本語"] {
        let prefix_like = action::Entity::find()
            .filter(action::Column::Description.eq(format!(
                "{other} 한국어 עברית العربية 🎸🤘🏽 👨‍👩‍👧 e\u{301} \u{FEFF}\u{200B}"
            )))
            .count(&*db)
            .await
            .unwrap();
        assert_eq!(prefix_like, 0, "{other:?} is a different description");
    }
    assert_eq!(
        action::Entity::find().count(&*db).await.unwrap(),
        texts.len() as u64
    );
    // The bulk path keeps them exactly too.
    let bulk = texts
        .iter()
        .map(|text| NewAction::new(&lennon, Verb::Created).description(text.clone()));
    assert_eq!(
        action::Entity::send_many(&*db, bulk).await.unwrap(),
        texts.len() as u64
    );
    let bulk: Vec<Option<String>> = action::Entity::find()
        .filter(action::Column::Verb.eq(Verb::Created))
        .order_by_asc(action::Column::Id)
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.description)
        .collect();
    let expected: Vec<Option<String>> = texts.iter().cloned().map(Some).collect();
    assert_eq!(bulk, expected);
}

/// A hydrated page takes the set role's key from the joined model where the database compares
/// keys exactly; the action still reads back exactly as stored. MySQL and MariaDB compare
/// strings case-insensitively, so there a key may differ from the primary key it joins.
async fn hydrated_pages_keep_role_keys_as_stored(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    let phone = common::device(&db, 7, "phone").await;
    let rust = common::tag(&db, "rust").await;
    let tagged = audit::Entity::send(&*db, &lennon, AuditVerb::Tagged)
        .target(&rust)
        .action_object(&lennon)
        .await
        .unwrap();
    audit::Entity::send(&*db, &phone, AuditVerb::Registered)
        .target(&phone)
        .await
        .unwrap();
    if db.backend == Backend::MySql {
        // Accepted by the foreign key: 'RUST' = 'rust' under the column's collation.
        db.execute_unprepared(&format!(
            "UPDATE audit_action SET target_tag = 'RUST' WHERE id = {}",
            tagged.id
        ))
        .await
        .unwrap();
    }

    let page = audit::Entity::stream()
        .page(None, 10)
        .hydrated(&*db)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    for loaded in &page.items {
        let stored = audit::Entity::find_by_id(loaded.action.id)
            .one(&*db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded.action, stored);
    }
    let tagged = &page.items[1];
    assert_eq!(tagged.target, Some(audit::TargetModel::Tag(rust)));
    let expected = match db.backend {
        Backend::MySql => "RUST",
        _ => "rust",
    };
    assert_eq!(tagged.action.target_tag.as_deref(), Some(expected));
    assert_eq!(
        page.items[0].action.target_device,
        Some(phone.id),
        "a 64-bit key from the joined model"
    );
}
