//! The sample application's models: users, groups, posts and comments.

pub mod comment;
pub mod group;
pub mod post;
pub mod user;
