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

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "follow")]
    Follow,
}

stream_core::action_entity! {
    pub mod action {
        table_name = "stream_action",
        verb = crate::Verb,
        models = [crate::user],
        notify = crate::notification,
    }
}

stream_core::notification_entity! {
    pub mod notification {
        table_name = "stream_notification",
        recipient = crate::user,
        actions = crate::action,
    }
}

fn main() {}
