//! Aggregated streams: actions grouped at read time by each verb's `group_by` rule, one
//! statement per page, on every backend.

mod common;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{TestDb, group, post, user};
use stream_core::prelude::*;
use stream_core::sea_orm::DbBackend;
use stream_core::{
    Cursor, Group, Grouping, InboxGroups, Mark, NotificationEntity, Period, StreamError,
};
use test_project::{Verb, action, notification};

common::on_every_backend!(
    likes_group_by_target_and_utc_day,
    actors_are_counted_once_and_loaded_newest_first,
    an_actor_is_a_model_and_its_key,
    pages_of_groups_walk_without_gaps_or_repeats_one_statement_each,
    a_verb_grouped_by_none_stays_one_action_per_group,
    changing_the_rule_regroups_the_same_rows,
    bad_page_sizes_are_the_errors_pages_return,
    inbox_groups_are_unseen_while_any_action_is,
    the_bell_counts_groups_in_one_statement,
    marking_a_group_read_leaves_what_joined_it_since,
);

/// `hour:minute:second` UTC, plus `micros`, on 30 November 2026 (a Monday) for `day` 30, and
/// the days after it for 31, 32, ..
fn at(day: i64, hour: u32, minute: u32, second: u32, micros: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, hour, minute, second)
        .unwrap()
        + TimeDelta::days(day - 30)
        + TimeDelta::microseconds(micros)
}

/// The usernames of a group's loaded actors, newest first.
fn actors(group: &Group<action::Entity>) -> Vec<String> {
    group
        .latest
        .iter()
        .map(|loaded| loaded.actor.to_string())
        .collect()
}

async fn like(
    db: &TestDb,
    who: &impl Actor<action::Entity>,
    what: &test_project::post::Model,
    when: DateTime<Utc>,
) {
    action::Entity::send(&**db, who, Verb::Liked)
        .target(what)
        .timestamp(when)
        .await
        .unwrap();
}

async fn likes_group_by_target_and_utc_day(db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let (hendrix, joplin, morrison) = (
        user(&db, "hendrix").await,
        user(&db, "joplin").await,
        user(&db, "morrison").await,
    );
    let haze = post(&db, &lennon, "Wild Haze").await;
    let other = post(&db, &lennon, "Other").await;
    // The last microsecond of 30 November and the first of 1 December: two days.
    like(&db, &hendrix, &haze, at(30, 10, 0, 0, 0)).await;
    like(&db, &joplin, &haze, at(30, 23, 59, 59, 999_999)).await;
    like(&db, &morrison, &haze, at(31, 0, 0, 0, 0)).await;
    like(&db, &hendrix, &other, at(30, 12, 0, 0, 0)).await;

    let page = action::Entity::for_target(&haze)
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!(page.next, None);
    let [december, november] = &page.items[..] else {
        panic!("two groups: {:#?}", page.items);
    };
    assert_eq!((december.actions, december.actors), (1, 1));
    assert_eq!(actors(december), ["morrison"]);
    assert_eq!(december.key.since, Some(at(31, 0, 0, 0, 0)));
    assert_eq!((november.actions, november.actors), (2, 2));
    assert_eq!(actors(november), ["joplin", "hendrix"]);
    assert_eq!(november.key.since, Some(at(30, 0, 0, 0, 0)));
    assert_eq!(november.newest, at(30, 23, 59, 59, 999_999));
    assert_eq!(november.key.verb, Verb::Liked);
    assert_eq!(
        november.key.grouping,
        Grouping::BY_VERB.by(Role::Target).per(Period::Day)
    );
    let target = november.key.target.as_ref().expect("grouped by target");
    assert_eq!(target.value(), &stream_core::sea_orm::Value::from(haze.id));
    assert!(november.key.actor.is_none() && november.key.action_object.is_none());

    // The whole stream: the other post's like is a group of its own, between the two.
    let all = action::Entity::stream()
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    let shape: Vec<(u64, String)> = all
        .items
        .iter()
        .map(|group| {
            (
                group.actions,
                group.newest_action().target.as_ref().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (1, "Wild Haze".into()),
            (2, "Wild Haze".into()),
            (1, "Other".into())
        ]
    );
}

async fn actors_are_counted_once_and_loaded_newest_first(db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    let mut fans = Vec::new();
    for name in ["hendrix", "joplin", "morrison", "starr", "harrison"] {
        fans.push(user(&db, name).await);
    }
    // hendrix likes first and last: twice an action, once an actor, and the newest actor.
    like(&db, &fans[0], &haze, at(30, 9, 0, 0, 0)).await;
    for (i, fan) in fans.iter().enumerate().skip(1) {
        like(&db, fan, &haze, at(30, 10, i as u32, 0, 0)).await;
    }
    like(&db, &fans[0], &haze, at(30, 11, 0, 0, 0)).await;

    let stream = || action::Entity::for_target(&haze).aggregated();
    let page = stream().page(None, 20).all(&*db).await.unwrap();
    let [likes] = &page.items[..] else {
        panic!("one group: {:#?}", page.items);
    };
    assert_eq!((likes.actions, likes.actors), (6, 5));
    // The newest action of each of the three newest distinct actors, hydrated.
    assert_eq!(actors(likes), ["hendrix", "harrison", "starr"]);
    assert_eq!(likes.latest[0].action.timestamp, at(30, 11, 0, 0, 0));
    assert_eq!(
        likes.latest[0].target,
        Some(action::TargetModel::Post(haze.clone()))
    );
    assert_eq!(likes.others(2), 3);
    assert_eq!(
        likes.cursor,
        Cursor::after::<action::Entity>(&likes.latest[0].action)
    );

    let more = stream().actors(10).page(None, 20).all(&*db).await.unwrap();
    assert_eq!(
        actors(&more.items[0]),
        ["hendrix", "harrison", "starr", "morrison", "joplin"]
    );
    let one = stream().actors(0).page(None, 20).all(&*db).await.unwrap();
    assert_eq!(actors(&one.items[0]), ["hendrix"]);
    assert_eq!((one.items[0].actions, one.items[0].actors), (6, 5));
}

async fn an_actor_is_a_model_and_its_key(db: TestDb) {
    // A user and a group that share the key 1 are two actors.
    let lennon = user(&db, "lennon").await;
    let rust = group(&db, "rust").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    like(&db, &lennon, &haze, at(30, 9, 0, 0, 0)).await;
    like(&db, &rust, &haze, at(30, 9, 1, 0, 0)).await;
    like(&db, &lennon, &haze, at(30, 9, 2, 0, 0)).await;

    let page = action::Entity::for_target(&haze)
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!((page.items[0].actions, page.items[0].actors), (3, 2));
    assert_eq!(actors(&page.items[0]), ["lennon", "rust"]);
}

async fn pages_of_groups_walk_without_gaps_or_repeats_one_statement_each(mut db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let (hendrix, joplin) = (user(&db, "hendrix").await, user(&db, "joplin").await);
    let mut posts = Vec::new();
    for i in 0..7 {
        posts.push(post(&db, &lennon, &format!("post {i}")).await);
    }
    // Each post liked twice, the likes of different posts interleaved; posts 5 and 6 share
    // their newest timestamp, so the id breaks the tie.
    for (i, post) in posts.iter().enumerate() {
        let i = i as u32;
        like(&db, &hendrix, post, at(30, 8, i, 0, 0)).await;
        let newest = if i == 6 {
            at(30, 9, 5, 0, 0)
        } else {
            at(30, 9, i, 0, 0)
        };
        like(&db, &joplin, post, newest).await;
    }
    let expected: Vec<String> = [
        "post 6", "post 5", "post 4", "post 3", "post 2", "post 1", "post 0",
    ]
    .map(String::from)
    .into();

    let statements = common::record_statements(&mut db.db);
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = action::Entity::for_actor(&joplin)
            .aggregated()
            .page(cursor.as_ref(), 3)
            .all(&*db)
            .await
            .unwrap();
        pages += 1;
        assert_eq!(
            statements.lock().unwrap().len(),
            pages,
            "one statement per page"
        );
        for group in &page.items {
            assert_eq!((group.actions, group.actors), (1, 1), "joplin's stream");
            seen.push(group.newest_action().target.as_ref().unwrap().to_string());
        }
        match page.next {
            Some(next) => cursor = Some(next.to_string().parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    // The target streams of all posts: each group has both likes.
    let everything = action::Entity::for_targets(&posts).aggregated();
    let page = everything.page(None, 1000).all(&*db).await.unwrap();
    let counts: Vec<(u64, u64)> = page.items.iter().map(|g| (g.actions, g.actors)).collect();
    assert_eq!(counts, vec![(2, 2); 7]);
    let titles: Vec<String> = page
        .items
        .iter()
        .map(|g| g.newest_action().target.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(titles, expected);
}

async fn a_verb_grouped_by_none_stays_one_action_per_group(db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let hendrix = user(&db, "hendrix").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    for minute in 0..3 {
        action::Entity::send(&*db, &hendrix, Verb::Commented)
            .target(&haze)
            .timestamp(at(30, 9, minute, 0, 0))
            .await
            .unwrap();
    }
    like(&db, &hendrix, &haze, at(30, 9, 10, 0, 0)).await;
    like(&db, &lennon, &haze, at(30, 9, 11, 0, 0)).await;
    assert!(Verb::Commented.grouping().is_none());

    let page = action::Entity::for_target(&haze)
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    let shape: Vec<(Verb, u64)> = page.items.iter().map(|g| (g.key.verb, g.actions)).collect();
    assert_eq!(
        shape,
        [
            (Verb::Liked, 2),
            (Verb::Commented, 1),
            (Verb::Commented, 1),
            (Verb::Commented, 1)
        ]
    );
}

/// The same table read through an entity whose `liked` groups by actor and hour.
mod by_actor {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
    pub enum Verb {
        #[sea_orm(string_value = "liked")]
        #[verb(group_by = "actor, hour")]
        Liked,
    }

    stream_core::action_entity! {
        pub mod action {
            table_name = "stream_action",
            verb = crate::by_actor::Verb,
            models = [test_project::user, test_project::group, test_project::post, test_project::comment],
        }
    }
}

async fn changing_the_rule_regroups_the_same_rows(db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let hendrix = user(&db, "hendrix").await;
    let (haze, other) = (
        post(&db, &lennon, "Wild Haze").await,
        post(&db, &lennon, "Other").await,
    );
    like(&db, &hendrix, &haze, at(30, 9, 0, 0, 0)).await;
    like(&db, &hendrix, &other, at(30, 9, 30, 0, 0)).await;
    like(&db, &lennon, &haze, at(30, 9, 40, 0, 0)).await;
    like(&db, &hendrix, &haze, at(30, 10, 0, 0, 0)).await;

    // By target and day: two groups.
    let by_target = action::Entity::stream()
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    let shape: Vec<u64> = by_target.items.iter().map(|g| g.actions).collect();
    assert_eq!(shape, [3, 1]);

    // By actor and hour: hendrix at 10, lennon at 9, hendrix at 9 (two posts).
    use by_actor::action as by_actor_action;
    let regrouped = by_actor_action::Entity::stream()
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    let shape: Vec<(String, u64, Option<DateTime<Utc>>)> = regrouped
        .items
        .iter()
        .map(|g| (g.newest_action().actor.to_string(), g.actions, g.key.since))
        .collect();
    assert_eq!(
        shape,
        [
            ("hendrix".into(), 1, Some(at(30, 10, 0, 0, 0))),
            ("lennon".into(), 1, Some(at(30, 9, 0, 0, 0))),
            ("hendrix".into(), 2, Some(at(30, 9, 0, 0, 0))),
        ]
    );
    assert!(regrouped.items[2].key.actor.is_some() && regrouped.items[2].key.target.is_none());
}

async fn bad_page_sizes_are_the_errors_pages_return(db: TestDb) {
    for size in [0, stream_core::MAX_PAGE_SIZE + 1] {
        let err = action::Entity::stream()
            .aggregated()
            .page(None, size)
            .all(&*db)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StreamError::InvalidPageSize { size: s, .. } if s == size),
            "{err:?}"
        );
    }
    // The statement is there to look at, for each backend.
    let sql = action::Entity::stream()
        .aggregated()
        .page(None, 20)
        .statement(DbBackend::Postgres)
        .sql;
    assert!(sql.contains("ROW_NUMBER() OVER"), "{sql}");
    assert!(sql.contains("date_trunc('day'"), "{sql}");
}

/// Likes of lennon's post reach lennon's inbox by the sample application's rules.
async fn inbox_groups_are_unseen_while_any_action_is(mut db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    let other = post(&db, &lennon, "Other").await;
    let fans = [
        user(&db, "hendrix").await,
        user(&db, "joplin").await,
        user(&db, "morrison").await,
        user(&db, "starr").await,
    ];
    for (i, fan) in fans[..3].iter().enumerate() {
        like(&db, fan, &haze, at(30, 9, i as u32, 0, 0)).await;
    }
    like(&db, &fans[0], &other, at(30, 9, 30, 0, 0)).await;
    // lennon's own like is not in lennon's inbox.
    like(&db, &lennon, &haze, at(30, 9, 40, 0, 0)).await;

    let statements = common::record_statements(&mut db.db);
    let inbox = || notification::Entity::inbox(&lennon).aggregated();
    let page = inbox().page(None, 20).all(&*db).await.unwrap();
    assert_eq!(
        statements.lock().unwrap().len(),
        1,
        "one statement per page"
    );
    let shape: Vec<(String, u64, u64, bool, bool)> = page
        .items
        .iter()
        .map(|g| {
            let target = g.newest_action().target.as_ref().unwrap().to_string();
            (target, g.actions, g.actors, g.seen, g.read)
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("Other".into(), 1, 1, false, false),
            ("Wild Haze".into(), 3, 3, false, false),
        ]
    );
    assert_eq!(actors(&page.items[1]), ["morrison", "joplin", "hendrix"]);

    // The inbox was shown: everything up to its newest group is seen.
    notification::Entity::mark_seen(&*db, &lennon, Mark::UpTo(&page.items[0].cursor))
        .await
        .unwrap();
    let seen = inbox().page(None, 20).all(&*db).await.unwrap();
    assert!(seen.items.iter().all(|g| g.seen && !g.read));

    // A fourth like: the Wild Haze group is unseen again, and first.
    like(&db, &fans[3], &haze, at(30, 10, 0, 0, 0)).await;
    let again = inbox().page(None, 20).all(&*db).await.unwrap();
    let state: Vec<(u64, bool)> = again.items.iter().map(|g| (g.actions, g.seen)).collect();
    assert_eq!(state, [(4, false), (1, true)]);

    // Pages of one group each walk the inbox.
    let first = inbox().page(None, 1).all(&*db).await.unwrap();
    let second = inbox()
        .page(first.next.as_ref(), 1)
        .all(&*db)
        .await
        .unwrap();
    assert_eq!((first.items[0].actions, second.items[0].actions), (4, 1));
    assert_eq!(second.next, None);
}

async fn the_bell_counts_groups_in_one_statement(mut db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    let other = post(&db, &lennon, "Other").await;
    let (hendrix, joplin) = (user(&db, "hendrix").await, user(&db, "joplin").await);
    like(&db, &hendrix, &haze, at(30, 9, 0, 0, 0)).await;
    like(&db, &joplin, &haze, at(30, 9, 1, 0, 0)).await;
    like(&db, &joplin, &other, at(30, 9, 2, 0, 0)).await;
    // Every comment is a group of its own.
    for minute in 3..5 {
        action::Entity::send(&*db, &hendrix, Verb::Commented)
            .target(&haze)
            .timestamp(at(30, 9, minute, 0, 0))
            .await
            .unwrap();
    }
    let statements = common::record_statements(&mut db.db);
    let bell = notification::Entity::inbox(&lennon).aggregated();
    let counts = bell.counts(&*db).await.unwrap();
    assert_eq!(statements.lock().unwrap().len(), 1);
    assert_eq!((counts.unseen, counts.unread), (4, 4));
    // Per notification, there are five.
    let plain = notification::Entity::counts(&*db, &lennon).await.unwrap();
    assert_eq!((plain.unseen, plain.unread), (5, 5));

    notification::Entity::mark_seen(&*db, &lennon, Mark::All)
        .await
        .unwrap();
    assert_eq!(bell.counts(&*db).await.unwrap().unseen, 0);
    like(&db, &hendrix, &other, at(30, 9, 10, 0, 0)).await;
    let counts = bell.counts(&*db).await.unwrap();
    assert_eq!((counts.unseen, counts.unread), (1, 4));
}

async fn marking_a_group_read_leaves_what_joined_it_since(db: TestDb) {
    let lennon = user(&db, "lennon").await;
    let haze = post(&db, &lennon, "Wild Haze").await;
    let other = post(&db, &lennon, "Other").await;
    let (hendrix, joplin, starr) = (
        user(&db, "hendrix").await,
        user(&db, "joplin").await,
        user(&db, "starr").await,
    );
    like(&db, &hendrix, &haze, at(30, 9, 0, 0, 0)).await;
    like(&db, &joplin, &haze, at(30, 9, 1, 0, 0)).await;
    like(&db, &joplin, &other, at(30, 9, 2, 0, 0)).await;
    // Yesterday's like of the same post is another group.
    like(&db, &starr, &haze, at(29, 9, 0, 0, 0)).await;
    let inbox = || notification::Entity::inbox(&lennon).aggregated();
    let page = inbox().page(None, 20).all(&*db).await.unwrap();
    let haze_today = page
        .items
        .iter()
        .find(|g| g.actions == 2)
        .expect("the two likes of today");
    let shown = haze_today.newest_action().action.clone();

    // A like joins the group after the page was shown.
    like(&db, &starr, &haze, at(30, 9, 3, 0, 0)).await;
    let counts = notification::Entity::mark_group_read(&*db, &lennon, &shown)
        .await
        .unwrap();
    // The group is still unread (starr's like), as are Other and yesterday's group.
    assert_eq!(counts.unread, 3);
    let plain = notification::Entity::counts(&*db, &lennon).await.unwrap();
    assert_eq!(
        plain.unread, 3,
        "hendrix's and joplin's likes of Wild Haze were read"
    );
    let page = inbox().page(None, 20).all(&*db).await.unwrap();
    let today = &page.items[0];
    assert_eq!((today.actions, today.read), (3, false));
    // Marking with the newest action reads it all.
    let newest = today.newest_action().action.clone();
    let counts = notification::Entity::mark_group_read(&*db, &lennon, &newest)
        .await
        .unwrap();
    assert_eq!((counts.unseen, counts.unread), (2, 2));
    let page = inbox().page(None, 20).all(&*db).await.unwrap();
    let read: Vec<(u64, bool, bool)> = page
        .items
        .iter()
        .map(|g| (g.actions, g.read, g.seen))
        .collect();
    assert_eq!(
        read,
        [(3, true, true), (1, false, false), (1, false, false)]
    );
}
