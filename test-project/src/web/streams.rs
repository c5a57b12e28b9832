//! Which actions each page shows, in one place: the HTML pages, their Activity Streams JSON
//! (`/api/..`) and their Atom feeds (`../atom`) read the same selection, so the three always
//! agree.

use crate::{action, follow, group, post, user};
use stream_core::prelude::*;
use stream_core::sea_orm::Select;

/// `/`: everyone's actions.
pub fn everyone() -> Select<action::Entity> {
    action::Entity::stream()
}

/// `/users/{id}`: what the user did.
pub fn user(user: &user::Model) -> Select<action::Entity> {
    action::Entity::for_actor(user)
}

/// `/users/{id}/feed`: actions whose actor, target or action object the user follows.
pub fn feed(user: &user::Model) -> Select<action::Entity> {
    action::Entity::followed_by_in::<follow::Entity>(
        user,
        &[Role::Actor, Role::Target, Role::ActionObject],
    )
}

/// `/groups/{id}`: everything involving the group.
pub fn group(group: &group::Model) -> Select<action::Entity> {
    action::Entity::involving(group)
}

/// `/posts/{id}`: everything involving the post.
pub fn post(post: &post::Model) -> Select<action::Entity> {
    action::Entity::involving(post)
}
