//! Sample data for the web application: musicians, groups, posts, comments, follows and a few
//! thousand actions over the last sixty days, in every verb the application uses.
//!
//! The data is the same on every run (a fixed pseudo-random sequence), so the pages a newcomer
//! sees and the browser tests can rely on the same names. `Verb::Default`, the original app's
//! placeholder, is left out: it renders with stream-templates' built-in default, which the
//! template tests keep as the original's exact output.

use crate::{Rating, Verb, action, comment, follow, group, post, user};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder, TransactionTrait,
};
use stream_core::{FollowEntity, NewAction, StreamError};

/// The seeded users, in id order: `lennon` is user 1.
pub const USERS: [&str; 20] = [
    "lennon",
    "hendrix",
    "joplin",
    "morrison",
    "mccartney",
    "harrison",
    "starr",
    "cobain",
    "bowie",
    "prince",
    "fitzgerald",
    "holiday",
    "simone",
    "franklin",
    "cash",
    "dylan",
    "mitchell",
    "young",
    "marley",
    "wonder",
];

/// The seeded groups, in id order.
pub const GROUPS: [&str; 6] = ["rust", "beatles", "jazz", "blues", "folk", "soul"];

const POSTS: usize = 200;
const COMMENTS: usize = 700;
const LIKES: usize = 1400;

const ADJECTIVES: [&str; 12] = [
    "Purple", "Yellow", "Electric", "Lonely", "Midnight", "Quiet", "Rolling", "Golden", "Strange",
    "Little", "Blue", "Wild",
];
const NOUNS: [&str; 12] = [
    "Haze",
    "Submarine",
    "Ladyland",
    "Hearts",
    "Rider",
    "Storm",
    "Stone",
    "Road",
    "Days",
    "Wing",
    "Moon",
    "Horses",
];
const REMARKS: [&str; 10] = [
    "Love this one.",
    "Played it all night.",
    "The bridge is wonderful.",
    "Not my favourite, but the solo!",
    "Who else saw them live?",
    "Needs more cowbell.",
    "A classic.",
    "The B-side is better.",
    "Learning this on guitar now.",
    "Still gives me chills.",
];

/// What [`seed`] stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Users.
    pub users: usize,
    /// Groups.
    pub groups: usize,
    /// Posts.
    pub posts: usize,
    /// Comments.
    pub comments: usize,
    /// Follows (rows of the follow table).
    pub follows: usize,
    /// Actions.
    pub actions: u64,
}

impl std::fmt::Display for Seeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} groups, {} posts, {} comments, {} follows and {} actions",
            self.users, self.groups, self.posts, self.comments, self.follows, self.actions
        )
    }
}

/// Seed the database if it has no users yet; `None` when it already had some.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<Option<Seeded>, StreamError> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    seed(db, Utc::now()).await.map(Some)
}

/// Store the sample data, the newest action shortly before `now`.
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Seeded, StreamError> {
    let mut random = Random(0x5eed_cafe_f00d_d00d);
    let start = now - Duration::days(60);
    let latest = now - Duration::minutes(1);
    let mut seeded = Seeded::default();

    // The objects, in one transaction.
    let txn = db.begin().await?;
    user::Entity::insert_many(USERS.iter().map(|name| user::ActiveModel {
        username: Set((*name).to_owned()),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    group::Entity::insert_many(GROUPS.iter().map(|name| group::ActiveModel {
        name: Set((*name).to_owned()),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(&txn)
        .await?;
    let groups = group::Entity::find()
        .order_by_asc(group::Column::Id)
        .all(&txn)
        .await?;

    // Each post: who wrote it, in which group, when.
    let mut post_meta = Vec::with_capacity(POSTS);
    let mut new_posts = Vec::with_capacity(POSTS);
    for i in 0..POSTS {
        let author = random.below(users.len());
        let group = random.below(groups.len());
        let spread = Duration::minutes((60 * 24 * 55 * i / POSTS) as i64);
        let at = start + spread + Duration::minutes(random.below(600) as i64);
        let title = format!(
            "{} {}",
            ADJECTIVES[random.below(ADJECTIVES.len())],
            NOUNS[random.below(NOUNS.len())]
        );
        new_posts.push(post::ActiveModel {
            author_id: Set(users[author].id),
            body: Set(format!(
                "{} wrote this for the {} group. {}",
                users[author].username,
                groups[group].name,
                REMARKS[random.below(REMARKS.len())]
            )),
            title: Set(title),
            ..Default::default()
        });
        post_meta.push((author, group, at));
    }
    post::Entity::insert_many(new_posts).exec(&txn).await?;
    let posts = post::Entity::find()
        .order_by_asc(post::Column::Id)
        .all(&txn)
        .await?;

    let mut comment_meta = Vec::with_capacity(COMMENTS);
    let mut new_comments = Vec::with_capacity(COMMENTS);
    for _ in 0..COMMENTS {
        let author = random.below(users.len());
        let on = random.below(posts.len());
        let at = after(post_meta[on].2, &mut random, 10 * 24 * 60, latest);
        new_comments.push(comment::ActiveModel {
            post_id: Set(posts[on].id),
            author_id: Set(users[author].id),
            body: Set(REMARKS[random.below(REMARKS.len())].to_owned()),
            ..Default::default()
        });
        comment_meta.push((author, on, at));
    }
    comment::Entity::insert_many(new_comments)
        .exec(&txn)
        .await?;
    let comments = comment::Entity::find()
        .order_by_asc(comment::Column::Id)
        .all(&txn)
        .await?;

    // Who follows whom: five users, two groups and a post each.
    let mut follows: Vec<NewAction<action::Entity>> = Vec::new();
    for (i, who) in users.iter().enumerate() {
        let mut followed = HashSet::new();
        while followed.len() < 5 {
            let whom = random.below(users.len());
            if whom != i && followed.insert(whom) {
                follow::Entity::follow(&txn, who, &users[whom]).await?;
                let at = start + Duration::minutes(random.below(60 * 24 * 50) as i64);
                follows.push(
                    NewAction::new(who, Verb::Follow)
                        .target(&users[whom])
                        .timestamp(at),
                );
            }
        }
        let mut joined = HashSet::new();
        while joined.len() < 2 {
            let group = &groups[random.below(groups.len())];
            if joined.insert(group.id) {
                follow::Entity::follow(&txn, who, group).await?;
                let at = start + Duration::minutes(random.below(60 * 24 * 50) as i64);
                follows.push(
                    NewAction::new(who, Verb::Joined)
                        .target(group)
                        .timestamp(at),
                );
                follows.push(
                    NewAction::new(who, Verb::Followed)
                        .target(group)
                        .timestamp(at + Duration::seconds(1)),
                );
            }
        }
        let post = &posts[random.below(posts.len())];
        follow::Entity::follow(&txn, who, post).await?;
        let at = start + Duration::minutes(random.below(60 * 24 * 55) as i64);
        follows.push(
            NewAction::new(who, Verb::Followed)
                .target(post)
                .timestamp(at),
        );
    }
    txn.commit().await?;

    // The actions, in one bulk send.
    let mut actions = follows;
    seeded.follows = users.len() * 8;
    for (post, &(author, group, at)) in posts.iter().zip(&post_meta) {
        actions.push(
            NewAction::new(&users[author], Verb::Created)
                .action_object(post)
                .target(&groups[group])
                .timestamp(at),
        );
        if random.below(10) < 4 {
            let edited = after(at, &mut random, 48 * 60, latest);
            actions.push(
                NewAction::new(&users[author], Verb::Edit)
                    .action_object(post)
                    .timestamp(edited),
            );
        }
    }
    for (comment, &(author, on, at)) in comments.iter().zip(&comment_meta) {
        actions.push(
            NewAction::new(&users[author], Verb::Commented)
                .action_object(comment)
                .target(&posts[on])
                .timestamp(at),
        );
    }
    let mut liked = HashSet::new();
    while liked.len() < LIKES {
        let who = random.below(users.len());
        let what = random.below(posts.len());
        if liked.insert((who, what)) {
            let at = after(post_meta[what].2, &mut random, 20 * 24 * 60, latest);
            // Most likes rate the post; one in eight is private. Both are derived from who
            // and what, so the seed draws the same random numbers as it did without them.
            let like = NewAction::new(&users[who], Verb::Liked)
                .target(&posts[what])
                .timestamp(at);
            let like = match u8::try_from((who + what) % 6).ok().and_then(Rating::new) {
                Some(rating) => like.data(rating),
                None => like,
            };
            actions.push(if (who * 7 + what).is_multiple_of(8) {
                like.private()
            } else {
                like
            });
        }
    }
    // Groups act too: a group likes a post of its own.
    for (post, &(_, group, at)) in posts.iter().zip(&post_meta).step_by(4) {
        let at = after(at, &mut random, 24 * 60, latest);
        actions.push(
            NewAction::new(&groups[group], Verb::Liked)
                .target(post)
                .timestamp(at),
        );
    }
    for _ in 0..60 {
        let who = &users[random.below(users.len())];
        let group = &groups[random.below(groups.len())];
        let at = start + Duration::minutes(random.below(60 * 24 * 59) as i64);
        actions.push(
            NewAction::new(who, Verb::Deleted)
                .target(group)
                .description("an old post")
                .timestamp(at),
        );
    }

    seeded.users = users.len();
    seeded.groups = groups.len();
    seeded.posts = posts.len();
    seeded.comments = comments.len();
    seeded.actions = action::Entity::send_many(db, actions).await?;
    Ok(seeded)
}

/// A time up to `minutes` after `at`, spread over what is left before `latest`.
fn after(
    at: DateTime<Utc>,
    random: &mut Random,
    minutes: usize,
    latest: DateTime<Utc>,
) -> DateTime<Utc> {
    let left = usize::try_from((latest - at).num_minutes()).unwrap_or(0);
    let window = minutes.min(left).max(1);
    (at + Duration::minutes(random.below(window) as i64 + 1)).min(latest)
}

/// xorshift64: the same sequence on every run, no dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
