//! Posts, which users write.

use stream_core::sea_orm::{self, entity::prelude::*};

/// A post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
#[sea_orm(table_name = "post")]
#[stream(target, action_object, display = "title")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The title.
    pub title: String,
}

/// None.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
