//! Who is told of what: the rules of the sample application's inboxes.
//!
//! - a like of or a comment on your post: you, its author;
//! - someone follows you: you;
//! - a new post in a group you joined or follow: you, a follower of the group.
//!
//! Nobody is told of their own action (a like of your own post notifies nobody).

use crate::{Verb, action, follow, notification, post};
use stream_core::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use stream_core::{NotificationRules, Recipients, Role};

impl NotificationRules<action::Entity> for notification::Entity {
    fn recipients(action: &action::Model, to: &mut Recipients<Self>) {
        match action.verb {
            Verb::Liked | Verb::Commented => {
                if let Some(post) = action.target_post {
                    to.query(
                        post::Entity::find()
                            .select_only()
                            .column(post::Column::AuthorId)
                            .filter(post::Column::Id.eq(post)),
                    );
                }
            }
            Verb::Follow => {
                to.keys(action.target_user);
            }
            Verb::Created if action.target_group.is_some() => {
                to.followers_of::<follow::Entity>(action, Role::Target);
            }
            _ => {}
        }
    }
}
