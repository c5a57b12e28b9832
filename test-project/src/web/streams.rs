//! Which actions each page shows, in one place: the HTML pages, their live updates
//! (`../events`), their Activity Streams JSON (`/api/..`) and their Atom feeds (`../atom`) read
//! the same selection, so they always agree. Every stream keeps to public actions, except a
//! user's own page seen by that user: the JSON and Atom documents are public, so they never
//! show a private action.
//!
//! Each stream is written once, as a [`LiveStream`]: what its live tail matches, and the
//! select its pages read (`.select()`).

use crate::{action, follow, group, post, user};
use stream_core::LiveStream;
use stream_core::prelude::*;
use stream_core::sea_orm::Select;

/// `/`: everyone's actions.
pub fn everyone() -> Select<action::Entity> {
    live_everyone().select()
}

/// `/users/{id}`: what the user did; with `private`, their private actions too (their own
/// page, seen by them).
pub fn user(user: &user::Model, private: bool) -> Select<action::Entity> {
    live_user(user, private).select()
}

/// `/users/{id}/feed`: actions whose actor, target or action object the user follows.
pub fn feed(user: &user::Model) -> Select<action::Entity> {
    live_feed(user).select()
}

/// `/groups/{id}`: everything involving the group.
pub fn group(group: &group::Model) -> Select<action::Entity> {
    live_group(group).select()
}

/// `/posts/{id}`: everything involving the post.
pub fn post(post: &post::Model) -> Select<action::Entity> {
    live_post(post).select()
}

/// [`everyone()`], live.
pub fn live_everyone() -> LiveStream<action::Entity> {
    action::Entity::live().stream().public_only()
}

/// [`user()`], live.
pub fn live_user(user: &user::Model, private: bool) -> LiveStream<action::Entity> {
    let actions = action::Entity::live().for_actor(user);
    if private {
        actions
    } else {
        actions.public_only()
    }
}

/// [`feed()`], live.
pub fn live_feed(user: &user::Model) -> LiveStream<action::Entity> {
    action::Entity::live()
        .followed_by_in::<follow::Entity>(user, &[Role::Actor, Role::Target, Role::ActionObject])
        .public_only()
}

/// [`group()`], live.
pub fn live_group(group: &group::Model) -> LiveStream<action::Entity> {
    action::Entity::live().involving(group).public_only()
}

/// [`post()`], live.
pub fn live_post(post: &post::Model) -> LiveStream<action::Entity> {
    action::Entity::live().involving(post).public_only()
}
