//! The handlers: one per route, each loading what its page shows or storing what its form
//! says, then rendering or redirecting.

use super::forms::{self, ActAs, FollowForm, Kind, Like, NewComment, NewPost, Unlike};
use super::pages::{
    FeedPage, FollowButton, Following, GroupPage, Home, Layout, PostPage, Stream, UserPage,
};
use super::session::{self, Acting};
use super::{AppState, PAGE_SIZE, WebError, streams};
use crate::{Verb, action, comment, follow, group, post, user};
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use stream_core::prelude::*;
use stream_core::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use stream_core::{Cursor, FollowEntity, Followable, Transaction};
use stream_templates::askama::Template;

/// The numeric id in the path; anything else is a 404.
pub struct Id(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let Path(id) = Path::<i32>::from_request_parts(parts, state).await?;
        Ok(Id(id))
    }
}

#[derive(Deserialize)]
struct AfterParam {
    after: Option<String>,
}

/// `?after=<cursor>`: where the page starts (none: the newest). A malformed cursor is a 400.
pub struct After(pub Option<Cursor>);

impl<S: Send + Sync> FromRequestParts<S> for After {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let Query(param) = Query::<AfterParam>::from_request_parts(parts, state).await?;
        match param.after.as_deref() {
            None | Some("") => Ok(After(None)),
            Some(text) => Ok(After(Some(text.parse()?))),
        }
    }
}

/// A form body; a malformed one gets the error page with the extractor's 4xx status.
pub struct ValidForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ValidForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let Form(value) = Form::<T>::from_request(request, state).await?;
        Ok(ValidForm(value))
    }
}

pub(super) fn render(page: impl Template) -> Result<Html<String>, WebError> {
    page.render().map(Html).map_err(WebError::internal)
}

pub(super) async fn layout(
    db: &DatabaseConnection,
    acting: Acting,
    uri: &Uri,
) -> Result<Layout, WebError> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Username)
        .limit(200)
        .all(db)
        .await?;
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    // The bell: the unseen groups of the inbox, one statement.
    let unseen = match &acting.0 {
        Some(me) => Some(
            crate::notification::Entity::inbox(me)
                .aggregated()
                .counts(db)
                .await?
                .unseen,
        ),
        None => None,
    };
    Ok(Layout {
        me: acting.0,
        unseen,
        users,
        path,
        alternates: super::formats::alternates(uri.path()),
    })
}

/// The first page updates live, from its newest action on: the `<path>/events?after=..` its
/// script listens to. Later pages do not.
fn live_link(items: &[action::Loaded], after: &After, uri: &Uri) -> Option<String> {
    after.0.is_none().then(|| {
        let events = match uri.path() {
            "/" => "/events".to_owned(),
            path => format!("{}/events", path.trim_end_matches('/')),
        };
        match items.first() {
            Some(newest) => format!(
                "{events}?after={}",
                Cursor::after::<action::Entity>(&newest.action)
            ),
            None => events,
        }
    })
}

/// One page of `select`, loaded with its objects in one statement, and the "Older" link.
async fn stream(
    db: &DatabaseConnection,
    select: Select<action::Entity>,
    after: After,
    uri: &Uri,
) -> Result<Stream, WebError> {
    let page = select
        .page(after.0.as_ref(), PAGE_SIZE)
        .hydrated(db)
        .await?;
    let live = live_link(&page.items, &after, uri);
    Ok(Stream {
        items: page.items,
        older: page
            .next
            .map(|cursor| format!("{}?after={cursor}", uri.path())),
        live,
    })
}

pub(super) async fn find_user(db: &DatabaseConnection, id: i32) -> Result<user::Model, WebError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| WebError::not_found(format!("user {id}")))
}

pub(super) async fn find_group(db: &DatabaseConnection, id: i32) -> Result<group::Model, WebError> {
    group::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| WebError::not_found(format!("group {id}")))
}

pub(super) async fn find_post(db: &DatabaseConnection, id: i32) -> Result<post::Model, WebError> {
    post::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| WebError::not_found(format!("post {id}")))
}

/// The follow button for `object`, when the visitor acts as someone other than it.
async fn follow_button<O: Followable<follow::Entity> + Sync>(
    db: &DatabaseConnection,
    me: Option<&user::Model>,
    kind: &'static str,
    id: i32,
    object: &O,
) -> Result<Option<FollowButton>, WebError> {
    let Some(me) = me else { return Ok(None) };
    if kind == "user" && me.id == id {
        return Ok(None);
    }
    let following = follow::Entity::is_following(db, me, object).await?;
    Ok(Some(FollowButton {
        kind,
        id,
        following,
    }))
}

/// `GET /`.
pub async fn home(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    after: After,
) -> Result<Html<String>, WebError> {
    let db = &state.db;
    let layout = layout(db, acting, &uri).await?;
    let groups = group::Entity::find()
        .order_by_asc(group::Column::Name)
        .all(db)
        .await?;
    let stream = stream(db, streams::everyone(), after, &uri).await?;
    render(Home {
        layout,
        groups,
        stream,
    })
}

/// `GET /users/{id}`.
pub async fn user_page(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Html<String>, WebError> {
    let db = &state.db;
    let user = find_user(db, id).await?;
    let layout = layout(db, acting, &uri).await?;
    let follow = follow_button(db, layout.me.as_ref(), "user", user.id, &user).await?;
    let followers = follow::Entity::followers(&user).count(db).await?;
    // A user's private actions show on their own page, to them alone.
    let stream = stream(
        db,
        streams::user(&user, layout.is_me(&user.id)),
        after,
        &uri,
    )
    .await?;
    render(UserPage {
        layout,
        user,
        follow,
        followers,
        stream,
    })
}

/// `GET /users/{id}/feed`: actions whose actor, target or action object the user follows.
pub async fn feed_page(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Response, WebError> {
    let db = &state.db;
    let user = find_user(db, id).await?;
    let layout = layout(db, acting, &uri).await?;
    let following = Following {
        users: follow::Entity::following_of::<user::Model>(&user)
            .order_by_asc(user::Column::Username)
            .all(db)
            .await?,
        groups: follow::Entity::following_of::<group::Model>(&user)
            .order_by_asc(group::Column::Name)
            .all(db)
            .await?,
        posts: follow::Entity::following_of::<post::Model>(&user)
            .order_by_asc(post::Column::Title)
            .all(db)
            .await?,
    };
    let (stream, source) = match &state.timelines {
        Some(timelines) => {
            let read = timelines.page(&user, after.0.as_ref(), PAGE_SIZE).await?;
            let stream = Stream {
                live: live_link(&read.page.items, &after, &uri),
                items: read.page.items,
                older: read
                    .page
                    .next
                    .map(|cursor| format!("{}?after={cursor}", uri.path())),
            };
            (stream, read.source.as_str())
        }
        None => (stream(db, streams::feed(&user), after, &uri).await?, "sql"),
    };
    let page = render(FeedPage {
        layout,
        user,
        following,
        stream,
        source,
    })?;
    Ok(([("x-stream-source", source)], page).into_response())
}

/// `GET /groups/{id}`.
pub async fn group_page(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Html<String>, WebError> {
    let db = &state.db;
    let group = find_group(db, id).await?;
    let layout = layout(db, acting, &uri).await?;
    let follow = follow_button(db, layout.me.as_ref(), "group", group.id, &group).await?;
    let followers = follow::Entity::followers(&group).count(db).await?;
    let stream = stream(db, streams::group(&group), after, &uri).await?;
    render(GroupPage {
        layout,
        group,
        follow,
        followers,
        stream,
    })
}

/// `GET /posts/{id}`.
pub async fn post_page(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Html<String>, WebError> {
    let db = &state.db;
    let post = find_post(db, id).await?;
    let layout = layout(db, acting, &uri).await?;
    let author = find_user(db, post.author_id).await?;
    let comments = comment::Entity::find()
        .filter(comment::Column::PostId.eq(post.id))
        .order_by_asc(comment::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let authors: HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(comments.iter().map(|c| c.author_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|user| (user.id, user))
        .collect();
    let comments = comments
        .into_iter()
        .filter_map(|c| authors.get(&c.author_id).cloned().map(|author| (c, author)))
        .collect();
    let likes = action::Entity::for_target(&post)
        .public_only()
        .filter(action::Column::Verb.eq(Verb::Liked))
        .count(db)
        .await?;
    let liked = match &layout.me {
        Some(me) => likes_of(me, &post).count(db).await? > 0,
        None => false,
    };
    let follow = follow_button(db, layout.me.as_ref(), "post", post.id, &post).await?;
    let stream = stream(db, streams::post(&post), after, &uri).await?;
    render(PostPage {
        layout,
        post,
        author,
        comments,
        follow,
        likes,
        liked,
        stream,
    })
}

/// `POST /act-as`: set the cookie, go back.
pub async fn act_as(
    State(state): State<AppState>,
    ValidForm(form): ValidForm<ActAs>,
) -> Result<Response, WebError> {
    let next = forms::next_or(&form.next, "/")?;
    let user = find_user(&state.db, form.user_id).await?;
    Ok(([session::act_as(&user)], Redirect::to(&next)).into_response())
}

/// `POST /posts`: a post, and the action "created it (in the group)".
pub async fn new_post(
    State(state): State<AppState>,
    acting: Acting,
    ValidForm(form): ValidForm<NewPost>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let title = forms::text("title", &form.title, forms::MAX_TITLE)?;
    let body = forms::text("body", &form.body, forms::MAX_BODY)?;
    let group = match forms::optional_id("group", &form.group_id)? {
        Some(id) => Some(find_group(db, id).await?),
        None => None,
    };
    forms::next_or(&form.next, "/")?;
    // The post and its action commit together: a failed send leaves no post without one.
    let txn = Transaction::begin(db).await?;
    let post = post::ActiveModel {
        author_id: Set(me.id),
        title: Set(title),
        body: Set(body),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut created = action::Entity::send(&txn, &me, Verb::Created).action_object(&post);
    if let Some(group) = &group {
        created = created.target(group);
    }
    created.await?;
    txn.commit().await?;
    Ok(Redirect::to(&forms::next_or(&form.next, post.url())?))
}

/// `POST /posts/{id}/comments`: a comment, and the action "commented on the post".
pub async fn new_comment(
    State(state): State<AppState>,
    acting: Acting,
    Id(id): Id,
    ValidForm(form): ValidForm<NewComment>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let post = find_post(db, id).await?;
    let body = forms::text("comment", &form.body, forms::MAX_COMMENT)?;
    let txn = Transaction::begin(db).await?;
    let comment = comment::ActiveModel {
        post_id: Set(post.id),
        author_id: Set(me.id),
        body: Set(body),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    action::Entity::send(&txn, &me, Verb::Commented)
        .action_object(&comment)
        .target(&post)
        .await?;
    txn.commit().await?;
    Ok(Redirect::to(&comment.url()))
}

/// `POST /posts/{id}/like`: the action "liked the post", once per user and post, with the
/// rating (the action's data) and visibility of the first like.
pub async fn like(
    State(state): State<AppState>,
    acting: Acting,
    Id(id): Id,
    ValidForm(form): ValidForm<Like>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let post = find_post(db, id).await?;
    let next = forms::next_or(&form.next, post.url())?;
    let rating = forms::rating(&form.stars)?;
    let mut like = action::Entity::get_or_create(db, &me, Verb::Liked).target(&post);
    if let Some(rating) = rating {
        like = like.data(rating);
    }
    if form.private.is_some() {
        like = like.private();
    }
    like.await?;
    Ok(Redirect::to(&next))
}

/// The likes of `post` by `me` (one, made by `get_or_create`, or none).
fn likes_of(me: &user::Model, post: &post::Model) -> Select<action::Entity> {
    action::Entity::find().filter(likes_condition(me, post))
}

fn likes_condition(me: &user::Model, post: &post::Model) -> Condition {
    Condition::all()
        .add(action::Column::ActorUser.eq(me.id))
        .add(action::Column::Verb.eq(Verb::Liked))
        .add(action::Column::TargetPost.eq(post.id))
}

/// `POST /posts/{id}/unlike`: retract the visitor's like of the post, so that it leaves
/// every page, open ones included.
pub async fn unlike(
    State(state): State<AppState>,
    acting: Acting,
    Id(id): Id,
    ValidForm(form): ValidForm<Unlike>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let post = find_post(db, id).await?;
    let next = forms::next_or(&form.next, post.url())?;
    action::Entity::retract_where(db, likes_condition(&me, &post)).await?;
    Ok(Redirect::to(&next))
}

/// `POST /follow`: follow a user, group or post, and the action that says so.
pub async fn follow(
    State(state): State<AppState>,
    acting: Acting,
    ValidForm(form): ValidForm<FollowForm>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let next = forms::next_or(&form.next, "/")?;
    match form.kind {
        Kind::User => {
            let user = find_user(db, form.id).await?;
            if user.id == me.id {
                return Err(WebError::bad_request("You cannot follow yourself."));
            }
            start_following(&state, &me, &user, Verb::Follow).await?;
        }
        Kind::Group => {
            let group = find_group(db, form.id).await?;
            start_following(&state, &me, &group, Verb::Followed).await?;
        }
        Kind::Post => {
            let post = find_post(db, form.id).await?;
            start_following(&state, &me, &post, Verb::Followed).await?;
        }
    }
    Ok(Redirect::to(&next))
}

/// Follow `object`; when newly followed, record `me` `verb` `object`, in one transaction.
async fn start_following<O>(
    state: &AppState,
    me: &user::Model,
    object: &O,
    verb: Verb,
) -> Result<(), WebError>
where
    O: Followable<follow::Entity> + Target<action::Entity> + Sync,
{
    let txn = Transaction::begin(&state.db).await?;
    // With timelines, the followed object's recent actions join the timeline on commit.
    let followed = match &state.timelines {
        Some(timelines) => timelines.follow(&txn, me, object).await?,
        None => follow::Entity::follow(&txn, me, object).await?,
    };
    if followed {
        action::Entity::send(&txn, me, verb).target(object).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// `POST /unfollow`.
pub async fn unfollow(
    State(state): State<AppState>,
    acting: Acting,
    ValidForm(form): ValidForm<FollowForm>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    let next = forms::next_or(&form.next, "/")?;
    match form.kind {
        Kind::User => {
            let user = find_user(db, form.id).await?;
            stop_following(&state, &me, &user, action::Column::TargetUser.eq(user.id)).await?;
        }
        Kind::Group => {
            let group = find_group(db, form.id).await?;
            stop_following(
                &state,
                &me,
                &group,
                action::Column::TargetGroup.eq(group.id),
            )
            .await?;
        }
        Kind::Post => {
            let post = find_post(db, form.id).await?;
            stop_following(&state, &me, &post, action::Column::TargetPost.eq(post.id)).await?;
        }
    }
    Ok(Redirect::to(&next))
}

/// Unfollow `object`, and retract the action that said `me` followed it, in one transaction;
/// with timelines, the object's actions leave `me`'s timeline after the commit.
async fn stop_following<O>(
    state: &AppState,
    me: &user::Model,
    object: &O,
    is_target: stream_core::sea_orm::sea_query::SimpleExpr,
) -> Result<(), WebError>
where
    O: Followable<follow::Entity> + Sync,
{
    let txn = Transaction::begin(&state.db).await?;
    let unfollowed = match &state.timelines {
        Some(timelines) => timelines.unfollow(&txn, me, object).await?,
        None => follow::Entity::unfollow(&txn, me, object).await?,
    };
    if unfollowed {
        let followed = Condition::all()
            .add(action::Column::ActorUser.eq(me.id))
            .add(action::Column::Verb.is_in([Verb::Follow, Verb::Followed]))
            .add(is_target);
        action::Entity::retract_where(&txn, followed).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// `GET /style.css`.
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/style.css"),
    )
}

/// Any path without a route.
pub async fn not_found() -> WebError {
    WebError::not_found("such page")
}

/// A route asked with a method it does not take.
pub async fn method_not_allowed() -> WebError {
    WebError::method_not_allowed()
}

/// A handler panicked (a bug): the error page instead of a dropped connection.
pub fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    WebError::internal("a handler panicked").into_response()
}
