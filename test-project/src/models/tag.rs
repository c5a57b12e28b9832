//! A tag whose primary key is its text.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A tag, e.g. "rust": the name is the primary key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "tag")]
#[stream(target, action_object, display = "id")]
pub struct Model {
    /// The tag itself: a string primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
}

/// Tags have no relations of their own; audit actions point at them.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
