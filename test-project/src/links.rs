//! Where each object has its page in the web application: the URLs the templates link to.
//!
//! Every model, and every role enum of the action entity, has `url()`, so a template links
//! an object without knowing its model: `<a href="{{ actor.url() }}">{{ actor }}</a>`.

use crate::{action, comment, group, post, user};

impl user::Model {
    /// `/users/<id>`.
    pub fn url(&self) -> String {
        format!("/users/{}", self.id)
    }
}

impl group::Model {
    /// `/groups/<id>`.
    pub fn url(&self) -> String {
        format!("/groups/{}", self.id)
    }
}

impl post::Model {
    /// `/posts/<id>`.
    pub fn url(&self) -> String {
        format!("/posts/{}", self.id)
    }
}

impl comment::Model {
    /// A comment lives on its post's page: `/posts/<post id>#comment-<id>`.
    pub fn url(&self) -> String {
        format!("/posts/{}#comment-{}", self.post_id, self.id)
    }
}

impl action::ActorModel {
    /// The page of the actor.
    pub fn url(&self) -> String {
        match self {
            Self::User(user) => user.url(),
            Self::Group(group) => group.url(),
        }
    }
}

impl action::TargetModel {
    /// The page of the target.
    pub fn url(&self) -> String {
        match self {
            Self::User(user) => user.url(),
            Self::Group(group) => group.url(),
            Self::Post(post) => post.url(),
        }
    }
}

impl action::ActionObjectModel {
    /// The page of the action object.
    pub fn url(&self) -> String {
        match self {
            Self::User(user) => user.url(),
            Self::Group(group) => group.url(),
            Self::Post(post) => post.url(),
            Self::Comment(comment) => comment.url(),
        }
    }
}
