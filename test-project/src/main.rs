//! The sample application: seeds a small social site in an in-memory SQLite database and
//! prints its activity stream, newest first.

use stream_core::prelude::*;
use stream_core::sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use test_project::{Verb, action, group, post, user};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = test_project::connect("sqlite::memory:").await?;
    seed(&db).await?;

    println!("The global stream, newest first:\n");
    for action in action::Entity::stream().all(&db).await? {
        println!("  {}", describe(&db, &action).await?);
    }
    Ok(())
}

async fn seed(db: &DatabaseConnection) -> Result<(), Box<dyn std::error::Error>> {
    let mut users = Vec::new();
    for name in ["lennon", "hendrix", "morrison", "joplin"] {
        users.push(
            user::ActiveModel {
                username: Set(name.into()),
                ..Default::default()
            }
            .insert(db)
            .await?,
        );
    }
    let rust = group::ActiveModel {
        name: Set("rust".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let post = post::ActiveModel {
        author_id: Set(users[0].id),
        title: Set("Imagine".into()),
        body: Set("Imagine all the people".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;

    action::Entity::send(db, &users[0], Verb::Follow)
        .target(&users[1])
        .await?;
    action::Entity::send(db, &users[1], Verb::Followed)
        .target(&rust)
        .await?;
    action::Entity::send(db, &users[0], Verb::Created)
        .action_object(&post)
        .target(&rust)
        .description("a first post")
        .await?;
    action::Entity::send(db, &users[2], Verb::Edit)
        .action_object(&post)
        .await?;
    action::Entity::send(db, &users[3], Verb::Default)
        .target(&users[2])
        .await?;
    Ok(())
}

/// "lennon follows hendrix", "lennon Object created Imagine in rust".
async fn describe(
    db: &DatabaseConnection,
    action: &action::Model,
) -> Result<String, stream_core::StreamError> {
    let actor = match action.actor(db).await? {
        action::ActorModel::User(u) => u.username,
        action::ActorModel::Group(g) => g.name,
    };
    let mut line = format!("{actor} {}", action.verb.label());
    if let Some(object) = action.action_object(db).await? {
        let object = match object {
            action::ActionObjectModel::User(u) => u.username,
            action::ActionObjectModel::Group(g) => g.name,
            action::ActionObjectModel::Post(p) => p.title,
            action::ActionObjectModel::Comment(c) => c.body,
        };
        line.push_str(&format!(" {object}"));
    }
    if let Some(target) = action.target(db).await? {
        let target = match target {
            action::TargetModel::User(u) => u.username,
            action::TargetModel::Group(g) => g.name,
            action::TargetModel::Post(p) => p.title,
        };
        let joiner = if action.action_object_id().is_some() { " in" } else { "" };
        line.push_str(&format!("{joiner} {target}"));
    }
    if let Some(description) = &action.description {
        line.push_str(&format!(" ({description})"));
    }
    Ok(line)
}
