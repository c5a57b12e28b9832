//! The sample application's pages, rendered with askama.

use crate::action;
// The view's template finds the `render_action` filter through this name.
use crate::stream::filters;
use stream_core::prelude::*;
use stream_core::sea_orm::{ConnectionTrait, DbErr, QuerySelect};

/// The newest actions, each rendered with its verb's template.
#[derive(stream_templates::askama::Template)]
#[template(path = "feed.html", askama = stream_templates::askama)]
pub struct Feed {
    /// The page, newest first, with every actor, target and action object loaded.
    pub actions: Vec<action::Loaded>,
}

impl Feed {
    /// The newest `limit` actions, loaded in one SQL statement.
    pub async fn newest<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Self, DbErr> {
        let actions = action::Entity::stream()
            .limit(limit)
            .hydrate()
            .all(db)
            .await?;
        Ok(Feed { actions })
    }
}
