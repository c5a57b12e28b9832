//! The original app's test suite, ported with the same assertions: users lennon, hendrix and
//! morrison, with User (and Group) registered in all three roles.

mod common;

use common::{Beatles, TestDb, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, PaginatorTrait};
use test_project::{Verb, action, user};

common::on_every_backend!(
    create,
    get_or_create,
    get_for_actor,
    get_for_target,
    get_for_action_object,
    getters_setters,
    signals,
    multi_lookups,
);

async fn create(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;

    let sent = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    assert_eq!(sent.actor_id(), Some(action::ActorId::User(lennon.id)));
    assert_eq!(sent.target_id(), Some(action::TargetId::User(hendrix.id)));

    let (found, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    assert!(
        !created,
        "an existing action is returned, not created again"
    );
    assert_eq!(found.id, sent.id);
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
}

async fn get_or_create(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;

    let (action, created) = action::Entity::get_or_create(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    assert!(created, "the table was empty");
    assert_eq!(action.verb, Verb::Follow);
    assert_eq!(action::Entity::find().count(&*db).await.unwrap(), 1);
}

async fn get_for_actor(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    for target in [&hendrix, &morrison] {
        action::Entity::send(&*db, &lennon, Verb::Follow)
            .target(target)
            .await
            .unwrap();
    }
    action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();

    let count = action::Entity::for_actor(&lennon)
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

async fn get_for_target(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    for actor in [&lennon, &morrison] {
        action::Entity::send(&*db, actor, Verb::Follow)
            .target(&hendrix)
            .await
            .unwrap();
    }
    action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();

    let count = action::Entity::for_target(&hendrix)
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

async fn get_for_action_object(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    for actor in [&lennon, &hendrix] {
        action::Entity::send(&*db, actor, Verb::Default)
            .action_object(&morrison)
            .await
            .unwrap();
    }
    action::Entity::send(&*db, &lennon, Verb::Default)
        .action_object(&hendrix)
        .await
        .unwrap();

    let count = action::Entity::for_action_object(&morrison)
        .count(&*db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

async fn getters_setters(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let sent = action::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .action_object(&morrison)
        .await
        .unwrap();
    assert_eq!(
        sent.actor(&*db).await.unwrap(),
        action::ActorModel::User(lennon.clone())
    );
    assert_eq!(
        sent.target(&*db).await.unwrap(),
        Some(action::TargetModel::User(hendrix.clone()))
    );
    assert_eq!(
        sent.action_object(&*db).await.unwrap(),
        Some(action::ActionObjectModel::User(morrison.clone()))
    );

    let mut reassigned = sent.clone().into_active_model();
    reassigned.set_actor(&hendrix);
    reassigned.set_target(&morrison);
    reassigned.set_action_object(&lennon);
    reassigned.update(&*db).await.unwrap();

    let reloaded = action::Entity::find_by_id(sent.id)
        .one(&*db)
        .await
        .unwrap()
        .expect("the action is still there");
    assert_eq!(
        reloaded.actor(&*db).await.unwrap(),
        action::ActorModel::User(hendrix)
    );
    assert_eq!(
        reloaded.target(&*db).await.unwrap(),
        Some(action::TargetModel::User(morrison))
    );
    assert_eq!(
        reloaded.action_object(&*db).await.unwrap(),
        Some(action::ActionObjectModel::User(lennon))
    );
}

async fn signals(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    // The signal is process-wide; other tests send too, so this one recognises its own
    // action by a description no other test uses.
    let marker = common::marker("signals", db.backend);
    let mut subscription = action::Entity::signal().subscribe();

    let sent = action::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .action_object(&morrison)
        .description(&marker)
        .await
        .unwrap();

    let mut seen = Vec::new();
    while let Some(event) = subscription.try_recv() {
        if event.description.as_deref() == Some(marker.as_str()) {
            seen.push(event);
        }
    }
    assert_eq!(seen.len(), 1, "the handler runs exactly once");
    let event = &seen[0];
    assert_eq!(event.id, sent.id);
    assert_eq!(
        event.actor(&*db).await.unwrap(),
        action::ActorModel::User(lennon)
    );
    assert_eq!(
        event.target(&*db).await.unwrap(),
        Some(action::TargetModel::User(hendrix))
    );
    assert_eq!(
        event.action_object(&*db).await.unwrap(),
        Some(action::ActionObjectModel::User(morrison))
    );
}

async fn multi_lookups(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let everyone: [&dyn Actor<action::Entity>; 3] = [&lennon, &hendrix, &morrison];
    let everyone_as_target: [&dyn Target<action::Entity>; 3] = [&lennon, &hendrix, &morrison];
    let counts = async || {
        (
            action::Entity::for_actors(everyone)
                .count(&*db)
                .await
                .unwrap(),
            action::Entity::for_targets(everyone_as_target)
                .count(&*db)
                .await
                .unwrap(),
        )
    };
    assert_eq!(counts().await, (0, 0));

    let sends: [(&user::Model, &user::Model); 4] = [
        (&lennon, &hendrix),
        (&lennon, &morrison),
        (&hendrix, &morrison),
        (&hendrix, &lennon),
    ];
    for (n, (actor, target)) in sends.into_iter().enumerate() {
        action::Entity::send(&*db, actor, Verb::Follow)
            .target(target)
            .await
            .unwrap();
        assert_eq!(counts().await, (n as u64 + 1, n as u64 + 1));
    }

    let actor_counts = [
        action::Entity::for_actors([&lennon as &dyn Actor<_>])
            .count(&*db)
            .await
            .unwrap(),
        action::Entity::for_actors([&hendrix as &dyn Actor<_>])
            .count(&*db)
            .await
            .unwrap(),
        action::Entity::for_actors([&morrison as &dyn Actor<_>])
            .count(&*db)
            .await
            .unwrap(),
    ];
    assert_eq!(actor_counts, [2, 2, 0]);
    let target_counts = [
        action::Entity::for_targets([&lennon as &dyn Target<_>])
            .count(&*db)
            .await
            .unwrap(),
        action::Entity::for_targets([&hendrix as &dyn Target<_>])
            .count(&*db)
            .await
            .unwrap(),
        action::Entity::for_targets([&morrison as &dyn Target<_>])
            .count(&*db)
            .await
            .unwrap(),
    ];
    assert_eq!(target_counts, [1, 1, 2]);
}
