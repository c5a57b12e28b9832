use stream_core::sea_orm::{self, entity::prelude::*};

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "liked")]
    #[verb(group_by = "")]
    Liked,
}

fn main() {}
