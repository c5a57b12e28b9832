//! The verbs of the sample application: the original app's stream types, plus `follow`.

use stream_core::sea_orm::{self, entity::prelude::*};

/// What an actor did.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, stream_core::Verb,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    /// The default stream type.
    #[sea_orm(string_value = "default")]
    #[verb(label = "Stream Item")]
    Default,
    /// An object was edited.
    #[sea_orm(string_value = "edit")]
    #[verb(label = "Object edited")]
    Edit,
    /// An object was created.
    #[sea_orm(string_value = "created")]
    #[verb(label = "Object created")]
    Created,
    /// An object was deleted.
    #[sea_orm(string_value = "deleted")]
    #[verb(label = "Object deleted")]
    Deleted,
    /// An object was followed.
    #[sea_orm(string_value = "followed")]
    #[verb(label = "Object followed")]
    Followed,
    /// A user liked something.
    #[sea_orm(string_value = "liked")]
    #[verb(label = "liked")]
    Liked,
    /// A user commented on something.
    #[sea_orm(string_value = "commented")]
    #[verb(label = "commented on")]
    Commented,
    /// A user joined a group.
    #[sea_orm(string_value = "joined")]
    #[verb(label = "joined")]
    Joined,
    /// Someone follows someone (the original's tests use it).
    #[sea_orm(string_value = "follow")]
    #[verb(label = "follows")]
    Follow,
}
