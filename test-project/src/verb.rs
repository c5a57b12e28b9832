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
    #[verb(as2 = "Update", label = "Object edited")]
    Edit,
    /// An object was created.
    #[sea_orm(string_value = "created")]
    #[verb(as2 = "Create", label = "Object created")]
    Created,
    /// An object was deleted.
    #[sea_orm(string_value = "deleted")]
    #[verb(as2 = "Delete", label = "Object deleted")]
    Deleted,
    /// An object was followed.
    #[sea_orm(string_value = "followed")]
    #[verb(as2 = "Follow", label = "Object followed")]
    Followed,
    /// A user liked something. Likes of one target on one UTC day are one group in
    /// aggregated streams ("hendrix, joplin and 3 others liked Wild Haze").
    #[sea_orm(string_value = "liked")]
    #[verb(as2 = "Like", label = "liked", group_by = "target, day")]
    Liked,
    /// A user commented on something. Every comment shows on its own, also in aggregated
    /// streams.
    #[sea_orm(string_value = "commented")]
    #[verb(as2 = "Create", label = "commented on", group_by = "none")]
    Commented,
    /// A user joined a group.
    #[sea_orm(string_value = "joined")]
    #[verb(as2 = "Join", label = "joined")]
    Joined,
    /// Someone follows someone (the original's tests use it).
    #[sea_orm(string_value = "follow")]
    #[verb(as2 = "Follow", label = "follows")]
    Follow,
}
