//! The action and follow entities of this crate over the models of another (`entities`): the
//! actions are sent and read back hydrated, the follows work, and the foreign keys reach the
//! other crate's tables.

use app_crate::{action, follow, note};
use entities::blog::{comment, post};
use entities::verb::Verb;
use entities::{group, tag, user};
use streams::FollowEntity;
use streams::prelude::*;
use streams::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, Schema, Set,
};

async fn database() -> DatabaseConnection {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(user::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(group::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(post::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(comment::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(tag::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(note::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(follow::Entity))
        .await
        .unwrap();
    streams::schema::create_action_table::<action::Entity, _>(&db)
        .await
        .unwrap();
    db
}

async fn user(db: &DatabaseConnection, username: &str) -> user::Model {
    user::ActiveModel {
        username: Set(username.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

async fn post(db: &DatabaseConnection, title: &str) -> post::Model {
    post::ActiveModel {
        title: Set(title.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn actions_on_models_of_another_crate_are_sent_and_read_back_hydrated() {
    let db = database().await;
    let lennon = user(&db, "lennon").await;
    let beatles = group::ActiveModel {
        name: Set("the beatles".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let post = post(&db, "Help!").await;
    let comment = comment::ActiveModel {
        body: Set("yeah".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let rock = tag::ActiveModel {
        label: Set("rock".into()),
    }
    .insert(&db)
    .await
    .unwrap();
    let note = note::ActiveModel {
        text: Set("remember".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();

    action::Entity::send(&db, &lennon, Verb::Joined)
        .target(&beatles)
        .await
        .unwrap();
    action::Entity::send(&db, &lennon, Verb::Commented)
        .target(&post)
        .action_object(&comment)
        .await
        .unwrap();
    action::Entity::send(&db, &lennon, Verb::Tagged)
        .target(&rock)
        .action_object(&note)
        .await
        .unwrap();

    // Each model's column, named by its suffix (`team` for the group, by `#[stream(name)]`).
    let tagged = action::Entity::find()
        .filter(action::Column::TargetTag.eq("rock"))
        .filter(action::Column::ActionObjectNote.eq(note.id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tagged.verb, Verb::Tagged);
    assert_eq!(
        action::Entity::for_target(&beatles)
            .count(&db)
            .await
            .unwrap(),
        1
    );

    let page = action::Entity::for_actor(&lennon)
        .page(None, 10)
        .hydrated(&db)
        .await
        .unwrap();
    let loaded: Vec<_> = page
        .items
        .iter()
        .map(|item| {
            (
                item.action.verb,
                item.target.clone(),
                item.action_object.clone(),
            )
        })
        .collect();
    assert_eq!(
        loaded,
        [
            (
                Verb::Tagged,
                Some(action::TargetModel::Tag(rock)),
                Some(action::ActionObjectModel::Note(note)),
            ),
            (
                Verb::Commented,
                Some(action::TargetModel::Post(post.clone())),
                Some(action::ActionObjectModel::Comment(comment.clone())),
            ),
            (Verb::Joined, Some(action::TargetModel::Team(beatles)), None,),
        ]
    );
    assert!(
        page.items
            .iter()
            .all(|item| item.actor == action::ActorModel::User(lennon.clone()))
    );
    // `display` of the other crate's derive, and the label of its verb.
    assert_eq!(page.items[1].actor.to_string(), "lennon");
    assert_eq!(page.items[1].action.verb.label(), "commented on");
    assert_eq!(
        page.items[1].action.target(&db).await.unwrap(),
        Some(action::TargetModel::Post(post))
    );

    // A real foreign key to the other crate's table: deleting the comment deletes its action.
    comment.delete(&db).await.unwrap();
    assert_eq!(
        action::Entity::for_actor(&lennon).count(&db).await.unwrap(),
        2
    );
}

#[tokio::test]
async fn a_follower_of_another_crate_follows_its_models_and_reads_their_stream() {
    let db = database().await;
    let lennon = user(&db, "lennon").await;
    let hendrix = user(&db, "hendrix").await;
    let wing = post(&db, "Little Wing").await;

    assert!(
        follow::Entity::follow(&db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(follow::Entity::follow(&db, &lennon, &wing).await.unwrap());
    assert!(!follow::Entity::follow(&db, &lennon, &wing).await.unwrap());
    assert!(
        follow::Entity::is_following(&db, &lennon, &hendrix)
            .await
            .unwrap()
    );
    assert!(
        !follow::Entity::is_following(&db, &hendrix, &lennon)
            .await
            .unwrap()
    );

    action::Entity::send(&db, &hendrix, Verb::Posted)
        .action_object(&wing)
        .await
        .unwrap();
    // Not followed: neither hendrix's action nor one on a followed object.
    let other = user(&db, "other").await;
    action::Entity::send(&db, &other, Verb::Joined)
        .await
        .unwrap();

    let page = action::Entity::followed_by::<follow::Entity>(&lennon)
        .page(None, 10)
        .hydrated(&db)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        page.items[0].actor,
        action::ActorModel::User(hendrix.clone())
    );
    assert_eq!(
        page.items[0].action_object,
        Some(action::ActionObjectModel::Post(wing.clone()))
    );

    let followers = follow::Entity::followers(&wing).all(&db).await.unwrap();
    assert_eq!(followers, std::slice::from_ref(&lennon));
    assert!(follow::Entity::unfollow(&db, &lennon, &wing).await.unwrap());
    assert!(
        follow::Entity::followers(&wing)
            .all(&db)
            .await
            .unwrap()
            .is_empty()
    );
}
