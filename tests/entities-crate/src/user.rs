//! Users, who act, are acted on and follow.

use stream_core::sea_orm::{self, entity::prelude::*};

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
#[sea_orm(table_name = "user")]
#[stream(actor, target, display = "username")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Display name.
    pub username: String,
}

/// None.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
