//! The entities under their table names, as sea-orm-cli's `prelude.rs` has them.

pub use super::blog::comment::Entity as Comment;
pub use super::blog::post::Entity as Post;
pub use super::group::Entity as Group;
pub use super::tag::Entity as Tag;
pub use super::user::Entity as User;
