// A misspelt role, in an application that uses the action entity and the model in its
// roles: the misspelling is the only error.
use stream_core::sea_orm::{self, entity::prelude::*};

pub mod user {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod post {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "post")]
    #[stream(target, acton_object)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "follow")]
    Follow,
}

stream_core::action_entity! {
    pub mod action { table_name = "stream_action", verb = crate::Verb, models = [crate::user, crate::post] }
}


async fn feed(db: &sea_orm::DatabaseConnection, lennon: &user::Model) -> Result<(), stream_core::StreamError> {
    use stream_core::prelude::*;
    let sent = action::Entity::send(db, lennon, Verb::Follow).await?;
    let _ = sent.actor_id();
    let _ = action::Entity::for_actor(lennon).page(None, 20).hydrated(db).await?;
    let _ = action::Column::ActorUser;
    Ok(())
}

fn main() {}
