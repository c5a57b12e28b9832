//! Hydrated pages: a page of actions with every actor, target and action object loaded as
//! models, in one SQL statement.

mod common;

use common::TestDb;

use stream_core::prelude::*;
use stream_core::sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use test_project::{Verb, action, comment, post, user};

common::on_every_backend!(
    page_of_twenty_mixed_actions_is_one_statement,
    hydrate_composes_with_lookups_filters_and_limits,
    hydrated_action_equals_the_lazily_loaded_roles,
);

async fn comment(
    db: &DatabaseConnection,
    post: &post::Model,
    author: &user::Model,
) -> comment::Model {
    comment::ActiveModel {
        post_id: Set(post.id),
        author_id: Set(author.id),
        body: Set(format!("a comment on {}", post.title)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert comment")
}

/// What one sent action should load back as.
type Expected = (
    action::ActorModel,
    Option<action::TargetModel>,
    Option<action::ActionObjectModel>,
);

/// Twenty actions whose actors, targets and action objects cycle through every registered
/// model of each role (and no target / no object), oldest first.
async fn seed(db: &DatabaseConnection) -> Vec<(i64, Expected)> {
    let lennon = common::user(db, "lennon").await;
    let hendrix = common::user(db, "hendrix").await;
    let rust = common::group(db, "rust").await;
    let post = common::post(db, &hendrix, "Riffs").await;
    let remark = comment(db, &post, &lennon).await;

    use action::{ActionObjectModel as O, ActorModel as A, TargetModel as T};
    let actors = [
        A::User(lennon.clone()),
        A::Group(rust.clone()),
        A::User(hendrix.clone()),
    ];
    let targets = [
        Some(T::User(hendrix.clone())),
        Some(T::Group(rust.clone())),
        Some(T::Post(post.clone())),
        None,
    ];
    let objects = [
        Some(O::Comment(remark.clone())),
        None,
        Some(O::Post(post.clone())),
        Some(O::User(lennon.clone())),
        Some(O::Group(rust.clone())),
    ];
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    let mut sent = Vec::new();
    for i in 0..20 {
        let (actor, target, object) = (
            actors[i % actors.len()].clone(),
            targets[i % targets.len()].clone(),
            objects[i % objects.len()].clone(),
        );
        let mut new = stream_core::NewAction::new(&actor, Verb::Default)
            .timestamp(start + chrono::Duration::minutes(i as i64))
            .description(format!("action {i}"));
        if let Some(target) = &target {
            new = new.target(target);
        }
        if let Some(object) = &object {
            new = new.action_object(object);
        }
        let stored = action::Entity::create(db, new).await.unwrap();
        sent.push((stored.id, (actor, target, object)));
    }
    sent
}

async fn page_of_twenty_mixed_actions_is_one_statement(mut db: TestDb) {
    let sent = seed(&db).await;
    let statements = common::record_statements(&mut db.db);

    let page: Vec<action::Loaded> = action::Entity::stream()
        .limit(20)
        .hydrate()
        .all(&*db)
        .await
        .unwrap();

    let statements = statements.lock().unwrap().clone();
    assert_eq!(
        statements.len(),
        1,
        "one statement per page: {statements:#?}"
    );
    // One join per role column: user ×3, group ×3, post ×2, comment ×1.
    assert_eq!(statements[0].matches("LEFT JOIN").count(), 9);

    assert_eq!(page.len(), 20);
    let newest_first: Vec<_> = sent.iter().rev().collect();
    for (loaded, (id, (actor, target, object))) in page.iter().zip(newest_first) {
        assert_eq!(loaded.action.id, *id);
        assert_eq!(&loaded.actor, actor, "actor of action {id}");
        assert_eq!(&loaded.target, target, "target of action {id}");
        assert_eq!(
            &loaded.action_object, object,
            "action object of action {id}"
        );
    }
    // Every model of every role came back at least once.
    let shown: Vec<String> = page
        .iter()
        .flat_map(|l| {
            [
                Some(l.actor.to_string()),
                l.target.as_ref().map(ToString::to_string),
                l.action_object.as_ref().map(ToString::to_string),
            ]
        })
        .flatten()
        .collect();
    for name in ["lennon", "hendrix", "rust", "Riffs", "a comment on Riffs"] {
        assert!(shown.iter().any(|s| s == name), "{name} is in the page");
    }
}

async fn hydrate_composes_with_lookups_filters_and_limits(mut db: TestDb) {
    let sent = seed(&db).await;
    let lennon = match &sent[0].1.0 {
        action::ActorModel::User(user) => user.clone(),
        other => panic!("the first actor is lennon, not {other:?}"),
    };
    let statements = common::record_statements(&mut db.db);

    let page = action::Entity::for_actor(&lennon)
        .filter(action::Column::TargetUser.is_not_null())
        .limit(2)
        .hydrate()
        .all(&*db)
        .await
        .unwrap();

    assert_eq!(statements.lock().unwrap().len(), 1);
    let expected: Vec<i64> = sent
        .iter()
        .rev()
        .filter(|(_, (actor, target, _))| {
            *actor == action::ActorModel::User(lennon.clone())
                && matches!(target, Some(action::TargetModel::User(_)))
        })
        .map(|(id, _)| *id)
        .take(2)
        .collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(
        page.iter().map(|l| l.action.id).collect::<Vec<_>>(),
        expected
    );
    for loaded in &page {
        assert_eq!(loaded.actor, action::ActorModel::User(lennon.clone()));
        assert!(matches!(loaded.target, Some(action::TargetModel::User(_))));
    }

    // `one` and a single action by id work the same way.
    let first = action::Entity::find_by_id(expected[0])
        .hydrate()
        .one(&*db)
        .await
        .unwrap()
        .expect("the action exists");
    assert_eq!(first, page[0]);
    assert_eq!(statements.lock().unwrap().len(), 2);
}

async fn hydrated_action_equals_the_lazily_loaded_roles(db: TestDb) {
    let sent = seed(&db).await;
    let (id, _) = sent[7];
    let loaded = action::Entity::find_by_id(id)
        .hydrate()
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.actor, loaded.action.actor(&*db).await.unwrap());
    assert_eq!(loaded.target, loaded.action.target(&*db).await.unwrap());
    assert_eq!(
        loaded.action_object,
        loaded.action.action_object(&*db).await.unwrap()
    );
}
