//! The sample application of `stream`: users, groups, posts and comments, the original app's
//! verbs, and one action table with a column per model per role.

pub mod models;
pub mod verb;

pub use models::{comment, group, post, user};
pub use verb::Verb;

stream_core::action_entity! {
    /// The activity stream of the sample application.
    pub mod action {
        table_name = "stream_action",
        verb = crate::Verb,
        models = [crate::user, crate::group, crate::post, crate::comment],
    }
}
