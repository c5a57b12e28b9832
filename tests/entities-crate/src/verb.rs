//! What users do.

use stream_core::sea_orm::{self, entity::prelude::*};

/// A verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    /// Someone joined a group.
    #[sea_orm(string_value = "joined")]
    Joined,
    /// Someone posted something.
    #[sea_orm(string_value = "posted")]
    Posted,
    /// Someone commented on a post.
    #[sea_orm(string_value = "commented")]
    #[verb(label = "commented on")]
    Commented,
    /// Someone tagged something.
    #[sea_orm(string_value = "tagged")]
    Tagged,
}
