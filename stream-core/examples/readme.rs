//! The README example: a user follows another, and the follow shows up in their stream.

use stream_core::prelude::*;
use stream_core::sea_orm::{self, ActiveModelTrait, Database, Set, entity::prelude::*};

/// A user who can act and be acted on.
pub mod user {
    #![allow(missing_docs)]
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor, target)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What users do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    /// Started following someone.
    #[sea_orm(string_value = "followed")]
    #[verb(label = "followed")]
    Followed,
}

stream_core::action_entity! {
    /// The action table.
    pub mod action {
        table_name = "stream_action",
        verb = Verb,
        models = [user],
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::connect("sqlite::memory:").await?;
    db.get_schema_builder()
        .register(user::Entity)
        .register(action::Entity)
        .apply(&db)
        .await?;
    // Each FK column's (column, timestamp, id) index, which sea-orm's derive cannot declare.
    stream_core::schema::create_stream_indexes::<action::Entity, _>(&db).await?;
    let lennon = user::ActiveModel {
        username: Set("lennon".into()),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let hendrix = user::ActiveModel {
        username: Set("hendrix".into()),
        ..Default::default()
    }
    .insert(&db)
    .await?;

    let followed = action::Entity::send(&db, &lennon, Verb::Followed)
        .target(&hendrix)
        .await?;
    assert_eq!(
        followed.target_id(),
        Some(action::TargetId::User(hendrix.id))
    );

    let feed = action::Entity::for_actor(&lennon).all(&db).await?;
    assert_eq!(feed, vec![followed]);
    Ok(())
}
