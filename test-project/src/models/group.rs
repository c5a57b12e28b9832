//! A group of users: actor, target and action object.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A group, e.g. "rust".
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "group")]
#[stream(
    actor,
    target,
    action_object,
    display = "name",
    as2(type = "Group", url = "/groups/{id}")
)]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Display name.
    pub name: String,
}

/// Groups have no relations of their own; actions point at them.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
