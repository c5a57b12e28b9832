//! A comment on a post: only ever an action object.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A comment a user wrote on a post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "comment")]
#[stream(
    action_object,
    display = "body",
    as2(type = "Note", url = "/posts/{post_id}#comment-{id}")
)]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The post commented on.
    pub post_id: i32,
    /// Who wrote it.
    pub author_id: i32,
    /// The text.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

/// A comment belongs to a post and an author.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The post.
    #[sea_orm(
        belongs_to = "super::post::Entity",
        from = "Column::PostId",
        to = "super::post::Column::Id",
        on_delete = "Cascade"
    )]
    Post,
    /// The author.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl ActiveModelBehavior for ActiveModel {}
