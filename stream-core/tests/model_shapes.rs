//! Hydrated pages read each joined model by position. Models whose fields are not one plain
//! column each must still come back whole: the primary key not first, nullable fields (`NULL`
//! and set), a renamed column with its own `enum_name`, a raw identifier, a field sea-orm
//! ignores. Both decoders — by position (`.page(..).hydrated`) and by column name
//! (`.hydrate()`) — must agree with the stored rows.

use stream_core::StreamError;
use stream_core::prelude::*;
use stream_core::sea_orm::{
    self, ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    QuerySelect, Schema, Set,
};

/// A note: an actor and a target with an awkward field layout.
pub mod note {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// The fields in an order unlike the usual `id` first.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "note")]
    #[stream(actor, target, display = "title")]
    pub struct Model {
        /// Before the primary key.
        pub title: String,
        /// The primary key, second.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Nullable.
        pub summary: Option<String>,
        /// A raw identifier in a renamed column with its own variant name.
        #[sea_orm(column_name = "kind_of_note", enum_name = "Kind")]
        pub r#type: String,
        /// Not a column: always the default when read.
        #[sea_orm(ignore)]
        pub scratch: Option<String>,
        /// Nullable, not text.
        pub rating: Option<i64>,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A person: the plain kind of model.
pub mod person {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// Someone who writes notes.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "person")]
    #[stream(actor, action_object, display = "name")]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Display name.
        pub name: String,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A badge: an integer key and nothing else that is never `NULL`, so a page selects its key
/// (the only column that tells a joined badge from a missing one).
pub mod badge {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// Given with a note.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "badge")]
    #[stream(action_object)]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// Optional, like every other field.
        pub label: Option<String>,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What happened to a note.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
    stream_core::Verb,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::N(255))"
)]
pub enum NoteVerb {
    /// Written.
    #[sea_orm(string_value = "wrote")]
    Wrote,
    /// Shared with someone.
    #[sea_orm(string_value = "shared")]
    Shared,
}

stream_core::action_entity! {
    /// Actions on notes.
    pub mod act {
        table_name = "note_action",
        verb = crate::NoteVerb,
        models = [crate::person, crate::note, crate::badge],
    }
}

async fn database() -> DatabaseConnection {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(person::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(note::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(badge::Entity))
        .await
        .unwrap();
    stream_core::schema::create_action_table::<act::Entity, _>(&db)
        .await
        .unwrap();
    db
}

async fn ada(db: &DatabaseConnection) -> person::Model {
    person::ActiveModel {
        name: Set("ada".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

async fn note(
    db: &DatabaseConnection,
    title: &str,
    summary: Option<&str>,
    rating: Option<i64>,
) -> note::Model {
    note::ActiveModel {
        title: Set(title.into()),
        summary: Set(summary.map(Into::into)),
        r#type: Set(format!("{title} kind")),
        rating: Set(rating),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

async fn badge(db: &DatabaseConnection, label: Option<&str>) -> badge::Model {
    badge::ActiveModel {
        label: Set(label.map(Into::into)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn models_of_every_field_layout_load_whole_by_position_and_by_name() {
    let db = database().await;
    let ada = ada(&db).await;
    let bare = note(&db, "bare", None, None).await;
    let full = note(&db, "full", Some("all fields set"), Some(-7)).await;
    assert_eq!(bare.scratch, None);

    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    let sends = [
        // A person writes a note with nothing optional set.
        (
            act::ActorModel::Person(ada.clone()),
            Some(bare.clone()),
            None,
        ),
        // A note as the actor, with the person as action object.
        (
            act::ActorModel::Note(full.clone()),
            None,
            Some(act::ActionObjectModel::Person(ada.clone())),
        ),
        // A person and a note with every optional field set.
        (
            act::ActorModel::Person(ada.clone()),
            Some(full.clone()),
            None,
        ),
        // Badges, the only models whose page columns include the key: label unset and set.
        (
            act::ActorModel::Person(ada.clone()),
            Some(bare.clone()),
            Some(act::ActionObjectModel::Badge(badge(&db, None).await)),
        ),
        (
            act::ActorModel::Note(full.clone()),
            None,
            Some(act::ActionObjectModel::Badge(
                badge(&db, Some("gold")).await,
            )),
        ),
    ];
    for (i, (actor, target, object)) in sends.iter().enumerate() {
        let mut new = stream_core::NewAction::new(actor, NoteVerb::Shared)
            .timestamp(start + chrono::Duration::minutes(i as i64));
        if let Some(target) = target {
            new = new.target(target);
        }
        if let Some(object) = object {
            new = new.action_object(object);
        }
        act::Entity::create(&db, new).await.unwrap();
    }

    let by_position = act::Entity::stream()
        .page(None, 10)
        .hydrated(&db)
        .await
        .unwrap()
        .items;
    let by_name: Vec<act::Loaded> = act::Entity::stream()
        .limit(10)
        .hydrate()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(by_position, by_name);
    assert_eq!(by_position.len(), 5);
    for (loaded, (actor, target, object)) in by_position.iter().zip(sends.iter().rev()) {
        assert_eq!(&loaded.actor, actor);
        assert_eq!(
            loaded.target,
            target.clone().map(act::TargetModel::Note),
            "target of action {}",
            loaded.action.id
        );
        assert_eq!(&loaded.action_object, object);
    }
    // The stored rows, read by sea-orm itself, are what the page loaded.
    assert_eq!(
        note::Entity::find_by_id(full.id).one(&db).await.unwrap(),
        Some(full)
    );
}

/// Delete row `id` of `table` under the actions that point at it, as can happen where
/// foreign keys are not enforced, and read the stream's first hydrated page: its error.
async fn page_error_once_deleted(db: &DatabaseConnection, table: &str, id: i64) -> StreamError {
    db.execute_unprepared("PRAGMA foreign_keys = OFF")
        .await
        .unwrap();
    db.execute_unprepared(&format!("DELETE FROM {table} WHERE id = {id}"))
        .await
        .unwrap();
    act::Entity::stream()
        .page(None, 10)
        .hydrated(db)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_missing_joined_row_is_reported_not_decoded() {
    let db = database().await;
    let gone = note(&db, "gone", Some("soon deleted"), None).await;
    let ada = ada(&db).await;
    let action = act::Entity::create(
        &db,
        stream_core::NewAction::new(&ada, NoteVerb::Wrote).target(&gone),
    )
    .await
    .unwrap();
    let err = page_error_once_deleted(&db, "note", gone.id.into()).await;
    assert!(
        matches!(err, StreamError::MissingRole { action: a, role: Role::Target } if a == action.id),
        "{err:?}"
    );
    // Every other path that reads the role's row says the same.
    let by_name = act::Entity::stream().hydrate().all(&db).await.unwrap_err();
    let err = StreamError::from(by_name);
    assert!(
        matches!(err, StreamError::MissingRole { action: a, role: Role::Target } if a == action.id),
        "{err:?}"
    );
    let err = action.target(&db).await.unwrap_err();
    assert!(
        matches!(err, StreamError::MissingRole { action: a, role: Role::Target } if a == action.id),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_missing_joined_row_is_reported_where_the_page_selects_its_key() {
    let db = database().await;
    let ada = ada(&db).await;
    let gone = badge(&db, Some("soon deleted")).await;
    let action = act::Entity::create(
        &db,
        stream_core::NewAction::new(&ada, NoteVerb::Wrote).action_object(&gone),
    )
    .await
    .unwrap();
    let err = page_error_once_deleted(&db, "badge", gone.id).await;
    assert!(
        matches!(err, StreamError::MissingRole { action: a, role: Role::ActionObject } if a == action.id),
        "{err:?}"
    );
}

/// A page selects a joined model's key only where nothing else tells a joined row from a
/// missing one: elsewhere the key is the action's role column, already in the row.
#[test]
fn a_page_selects_the_keys_of_joined_models_only_where_it_needs_them() {
    use sea_orm::IdenStatic;
    use stream_core::Streamable;
    fn names<C: IdenStatic>(columns: &[C]) -> Vec<&'static str> {
        columns.iter().map(|column| column.as_str()).collect()
    }
    assert_eq!(
        names(note::Model::__STREAM_PAGE_COLUMNS),
        ["title", "summary", "kind_of_note", "rating"]
    );
    assert_eq!(names(person::Model::__STREAM_PAGE_COLUMNS), ["name"]);
    assert_eq!(names(badge::Model::__STREAM_PAGE_COLUMNS), ["id", "label"]);
    // `hydrate()` reads by name, with every column.
    assert_eq!(names(person::Model::__STREAM_COLUMNS), ["id", "name"]);
    for backend in [
        sea_orm::DbBackend::Sqlite,
        sea_orm::DbBackend::Postgres,
        sea_orm::DbBackend::MySql,
    ] {
        let sql = act::Entity::stream()
            .page(None, 10)
            .hydrated_statement(backend)
            .sql
            .replace('`', "\"");
        assert!(!sql.contains("\"actor_person\".\"id\" AS"), "{sql}");
        assert!(!sql.contains("\"target_note\".\"id\" AS"), "{sql}");
        assert!(sql.contains("\"action_object_badge\".\"id\" AS"), "{sql}");
        assert!(sql.contains("\"target_note\".\"title\" AS"), "{sql}");
    }
}
