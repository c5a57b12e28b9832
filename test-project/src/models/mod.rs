//! The sample application's models: users, groups, posts and comments; devices and tags
//! for the audit log.

pub mod comment;
pub mod device;
pub mod group;
pub mod post;
pub mod tag;
pub mod user;
