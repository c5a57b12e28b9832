//! Comments on posts.

use stream_core::sea_orm::{self, entity::prelude::*};

/// A comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
#[sea_orm(table_name = "comment")]
#[stream(action_object, display = "body")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// What the comment says.
    pub body: String,
}

/// None.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
