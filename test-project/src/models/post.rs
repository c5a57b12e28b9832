//! A post: target and action object, never an actor.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A post written by a user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "post")]
#[stream(
    target,
    action_object,
    display = "title",
    as2(type = "Article", name = "title", url = "/posts/{id}")
)]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Who wrote it.
    pub author_id: i32,
    /// Title.
    pub title: String,
    /// Body text.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

/// A post belongs to its author.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The author.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
