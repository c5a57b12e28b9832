//! The pages, as askama views over `templates/web/`. Each stream on a page is rendered
//! action by action with the per-verb templates of `templates/stream/` (the
//! `render_action` filter of stream-templates).

use crate::{action, comment, group, post, user};
// The templates find the `render_action` filter through this name.
#[allow(unused_imports)]
use crate::stream::filters;
use stream_templates::askama::Template;

/// What every page shows around its content: the navigation and the "act as" chooser.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The user the visitor acts as.
    pub me: Option<user::Model>,
    /// The acting user's unseen notifications, for the bell.
    pub unseen: Option<u64>,
    /// Everyone the visitor can act as.
    pub users: Vec<user::Model>,
    /// This page's path and query, where forms come back to.
    pub path: String,
    /// The page's stream as Atom and Activity Streams, if it shows one.
    pub alternates: Option<super::formats::Alternates>,
}

impl Layout {
    /// Whether the visitor acts as the user `id`.
    pub fn is_me(&self, id: &i32) -> bool {
        self.me.as_ref().is_some_and(|me| me.id == *id)
    }
}

/// One page of a stream, newest first, and the link to the next (older) page.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The actions with their actors, targets and action objects.
    pub items: Vec<action::Loaded>,
    /// `<path>?after=<cursor>`, or `None` on the last page.
    pub older: Option<String>,
    /// On the first page, where its live updates come from: `<path>/events?after=<cursor
    /// of its newest action>` (see [`live`](super::live)).
    pub live: Option<String>,
}

/// One action as a stream shows it: the `<li>` of the page, and the data of a live update.
#[derive(Template)]
#[template(path = "web/stream_item.html", askama = stream_templates::askama)]
pub struct StreamItem {
    /// The action with its actor, target and action object.
    pub action: action::Loaded,
}

/// The follow / unfollow button of a page.
#[derive(Clone, Debug)]
pub struct FollowButton {
    /// `user`, `group` or `post`.
    pub kind: &'static str,
    /// The object's id.
    pub id: i32,
    /// Whether the visitor already follows it.
    pub following: bool,
}

/// What a user follows.
#[derive(Clone, Debug, Default)]
pub struct Following {
    /// Users.
    pub users: Vec<user::Model>,
    /// Groups.
    pub groups: Vec<group::Model>,
    /// Posts.
    pub posts: Vec<post::Model>,
}

/// `/`: everyone's actions, the post form, and who and what there is.
#[derive(Template)]
#[template(path = "web/home.html", askama = stream_templates::askama)]
pub struct Home {
    /// Navigation and chooser.
    pub layout: Layout,
    /// The groups, for the post form and the side bar.
    pub groups: Vec<group::Model>,
    /// The global stream.
    pub stream: Stream,
}

/// `/users/{id}`: a user's own actions.
#[derive(Template)]
#[template(path = "web/user.html", askama = stream_templates::askama)]
pub struct UserPage {
    /// Navigation and chooser.
    pub layout: Layout,
    /// Whose page.
    pub user: user::Model,
    /// Follow / unfollow, unless the visitor is nobody or this user.
    pub follow: Option<FollowButton>,
    /// How many follow this user.
    pub followers: u64,
    /// The actions of this user.
    pub stream: Stream,
}

/// `/users/{id}/feed`: the followed stream of a user.
#[derive(Template)]
#[template(path = "web/feed.html", askama = stream_templates::askama)]
pub struct FeedPage {
    /// Navigation and chooser.
    pub layout: Layout,
    /// Whose feed.
    pub user: user::Model,
    /// What they follow.
    pub following: Following,
    /// Actions by, to or with what they follow.
    pub stream: Stream,
    /// Which path served the stream: `redis`, `redis+sql` or `sql` (in an HTML comment, and
    /// the `X-Stream-Source` header).
    pub source: &'static str,
}

/// `/groups/{id}`: everything that involves a group.
#[derive(Template)]
#[template(path = "web/group.html", askama = stream_templates::askama)]
pub struct GroupPage {
    /// Navigation and chooser.
    pub layout: Layout,
    /// The group.
    pub group: group::Model,
    /// Follow / unfollow, unless the visitor is nobody.
    pub follow: Option<FollowButton>,
    /// How many follow the group.
    pub followers: u64,
    /// Actions involving the group.
    pub stream: Stream,
}

/// `/posts/{id}`: a post, its comments, and everything that involves it.
#[derive(Template)]
#[template(path = "web/post.html", askama = stream_templates::askama)]
pub struct PostPage {
    /// Navigation and chooser.
    pub layout: Layout,
    /// The post.
    pub post: post::Model,
    /// Who wrote it.
    pub author: user::Model,
    /// The comments, oldest first, with their authors.
    pub comments: Vec<(comment::Model, user::Model)>,
    /// Follow / unfollow, unless the visitor is nobody.
    pub follow: Option<FollowButton>,
    /// How many like the post.
    pub likes: u64,
    /// Whether the visitor likes it (then the page offers "Unlike").
    pub liked: bool,
    /// Actions involving the post.
    pub stream: Stream,
}

/// One item of the inbox: a group of notifications ("hendrix, joplin and 1 other liked Wild
/// Haze"), rendered with the group templates.
#[derive(Clone, Debug)]
pub struct NotificationItem {
    /// The group, its newest actors loaded, and whether it was seen and read.
    pub group: stream_core::InboxGroup<action::Entity>,
    /// The id of its newest action: `/notifications/{id}/read` reads the group up to it.
    pub id: i64,
}

/// `/notifications`: the acting user's inbox, newest first.
#[derive(Template)]
#[template(path = "web/notifications.html", askama = stream_templates::askama)]
pub struct NotificationsPage {
    /// Navigation and chooser.
    pub layout: Layout,
    /// The groups of notifications of this page, newest first.
    pub items: Vec<NotificationItem>,
    /// `/notifications?after=<cursor>`, or `None` on the last page.
    pub older: Option<String>,
    /// The cursor of the newest notification shown: "mark read" marks up to it.
    pub up_to: Option<String>,
}
