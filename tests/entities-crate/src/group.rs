//! Groups, which users join and follow.

use stream_core::sea_orm::{self, entity::prelude::*};

/// A group; its column suffix is `team`, not its table name.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
#[sea_orm(table_name = "group")]
#[stream(actor, target, name = "team", display = "name")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The group's name.
    pub name: String,
}

/// None.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
