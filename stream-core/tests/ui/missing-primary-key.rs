use stream_core::sea_orm::{self, entity::prelude::*};

pub mod user {
    use stream_core::sea_orm;

    // `DeriveEntityModel` would report the missing key first, followed by a dozen errors of
    // its own; `FromQueryResult` only lends the `#[sea_orm]` attribute, to show our message.
    #[derive(Clone, Debug, sea_orm::FromQueryResult, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor)]
    pub struct Model {
        pub id: i32,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "follow")]
    Follow,
}

fn main() {}
