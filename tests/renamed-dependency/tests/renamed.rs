//! The generated entities work end to end when stream-core is known only as `activity`.

use activity::FollowEntity;
use activity::prelude::*;
use activity::sea_orm::{
    ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Schema, Set,
};
use renamed_dependency::verb::Verb;
use renamed_dependency::{action, follow, person, song};

async fn database() -> DatabaseConnection {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(person::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(song::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(follow::Entity))
        .await
        .unwrap();
    activity::schema::create_action_table::<action::Entity, _>(&db)
        .await
        .unwrap();
    db
}

async fn person(db: &DatabaseConnection, name: &str) -> person::Model {
    person::ActiveModel {
        name: Set(name.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_action_is_sent_and_read_back_hydrated() {
    let db = database().await;
    let lennon = person(&db, "lennon").await;
    let hendrix = person(&db, "hendrix").await;
    let song = song::ActiveModel {
        title: Set("Little Wing".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();

    action::Entity::send(&db, &hendrix, Verb::Played)
        .target(&lennon)
        .action_object(&song)
        .await
        .unwrap();
    assert!(
        follow::Entity::follow(&db, &lennon, &hendrix)
            .await
            .unwrap()
    );

    let page = action::Entity::followed_by::<follow::Entity>(&lennon)
        .page(None, 10)
        .hydrated(&db)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let loaded = &page.items[0];
    assert_eq!(loaded.actor, action::ActorModel::Person(hendrix.clone()));
    assert_eq!(loaded.target, Some(action::TargetModel::Person(lennon)));
    assert_eq!(
        loaded.action_object,
        Some(action::ActionObjectModel::Song(song))
    );
    assert_eq!(loaded.actor.to_string(), "hendrix");
    assert_eq!(loaded.action.verb.label(), "played for");
    assert_eq!(
        loaded.action.actor(&db).await.unwrap(),
        action::ActorModel::Person(hendrix)
    );
}
