//! A user: actor, target and action object.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A registered user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "user")]
#[stream(
    actor,
    target,
    action_object,
    display = "username",
    as2(type = "Person", url = "/users/{id}")
)]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique login name.
    #[sea_orm(unique)]
    pub username: String,
}

/// Users have no relations of their own; actions point at them.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
