//! Posts and their comments, one level down: the app names them `entities::blog::post`.

pub mod comment;
pub mod post;
