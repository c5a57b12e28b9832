// A template that prints a variable the context does not have: actions have no `username`.

pub mod user {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor, target, display = "username")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use stream_core::sea_orm::{self, entity::prelude::*};

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "follow")]
    Follow,
}

stream_core::action_entity! {
    pub mod action { table_name = "action", verb = crate::Verb, models = [crate::user] }
}

stream_templates::action_template! {
    /// The actor is `actor`; its username is reached through the model.
    pub struct FollowHtml for crate::action, template(
        source = "{{ username }} followed {{ target.unwrap() }}",
        ext = "html",
    )
}

fn main() {}
