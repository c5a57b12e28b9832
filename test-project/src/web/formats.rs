//! Every stream page of the site in two more formats: Activity Streams 2.0 JSON at
//! `/api/everyone`, `/api/users/{id}`, `/api/users/{id}/feed`, `/api/groups/{id}`,
//! `/api/posts/{id}` (`application/activity+json`), and Atom at `/atom`, `/users/{id}/atom`,
//! `/users/{id}/feed/atom`, `/groups/{id}/atom`, `/posts/{id}/atom` (`application/atom+xml`).
//!
//! Each shows what its HTML page shows (both read their selection from [`streams`]), a page
//! at a time with the same `?after=` cursor; `next` links are absolute, built from the
//! configured [`BaseUrl`](stream_core::BaseUrl), never from the request's `Host` header.
//! A bad cursor is a 400 and an unknown id a 404: as JSON (`{"error": ..}`) on `/api/..`,
//! as the site's error page on the feeds.

use super::handlers::{After, Id, find_group, find_post, find_user};
use super::{AppState, PAGE_SIZE, WebError, streams};
use crate::action;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use stream_core::activitystreams::{self, Activity, OrderedCollectionPage};
use stream_core::atom::{self, AtomFeed};
use stream_core::prelude::*;
use stream_core::sea_orm::{DatabaseConnection, Select};
use stream_core::{Cursor, Page};

/// An error of an `/api/..` route: its status, and `{"error": "<sentence>"}` as JSON, for a
/// client that reads JSON rather than an HTML error page.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(error: WebError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.message }).to_string();
        (
            self.0.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// The links a page's `<head>` gives to its other formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternates {
    /// The Atom feed.
    pub atom: String,
    /// The Activity Streams JSON.
    pub activity_streams: String,
}

/// The other formats of the HTML page at `path`, if it shows a stream.
pub fn alternates(path: &str) -> Option<Alternates> {
    if path == "/" {
        return Some(Alternates {
            atom: "/atom".into(),
            activity_streams: "/api/everyone".into(),
        });
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let streams = match segments.as_slice() {
        ["users" | "groups" | "posts", id] => id.parse::<i32>().is_ok(),
        ["users", id, "feed"] => id.parse::<i32>().is_ok(),
        _ => false,
    };
    streams.then(|| Alternates {
        atom: format!("{path}/atom"),
        activity_streams: format!("/api{path}"),
    })
}

/// A stream of the site: which actions, its title and its HTML page.
struct Source {
    select: Select<action::Entity>,
    title: String,
    html: String,
}

/// Which page's stream a route serves.
#[derive(Clone, Copy)]
enum StreamOf {
    Everyone,
    User(i32),
    Feed(i32),
    Group(i32),
    Post(i32),
}

impl StreamOf {
    /// The selection of the HTML page; an unknown id is a 404.
    async fn source(self, db: &DatabaseConnection) -> Result<Source, WebError> {
        Ok(match self {
            StreamOf::Everyone => Source {
                select: streams::everyone(),
                title: "Everyone".into(),
                html: "/".into(),
            },
            StreamOf::User(id) => {
                let user = find_user(db, id).await?;
                Source {
                    select: streams::user(&user, false),
                    title: user.username.clone(),
                    html: user.url(),
                }
            }
            StreamOf::Feed(id) => {
                let user = find_user(db, id).await?;
                Source {
                    select: streams::feed(&user),
                    title: format!("{}'s feed", user.username),
                    html: format!("{}/feed", user.url()),
                }
            }
            StreamOf::Group(id) => {
                let group = find_group(db, id).await?;
                Source {
                    select: streams::group(&group),
                    title: group.name.clone(),
                    html: group.url(),
                }
            }
            StreamOf::Post(id) => {
                let post = find_post(db, id).await?;
                Source {
                    select: streams::post(&post),
                    title: post.title.clone(),
                    html: post.url(),
                }
            }
        })
    }

    async fn page(
        self,
        db: &DatabaseConnection,
        after: Option<&Cursor>,
    ) -> Result<(Source, Page<action::Loaded>), WebError> {
        let source = self.source(db).await?;
        let page = source
            .select
            .clone()
            .page(after, PAGE_SIZE)
            .hydrated(db)
            .await?;
        Ok((source, page))
    }

    /// The page as an `OrderedCollectionPage`, its items' summaries the site's text
    /// templates.
    async fn activity_streams(
        self,
        state: &AppState,
        uri: &Uri,
        After(after): After,
    ) -> Result<Response, WebError> {
        let source = self.source(&state.db).await?;
        let query = source.select.page(after.as_ref(), PAGE_SIZE);
        let previous = query.previous(&state.db).await?;
        let page = query.hydrated(&state.db).await?;
        let mut json = OrderedCollectionPage::of(&page, uri.path(), after.as_ref(), &state.base)
            .with_previous(previous.as_ref());
        for (item, action) in json.ordered_items.iter_mut().zip(&page.items) {
            *item = Activity::item(action, &state.base).with_summary(text(action));
        }
        let body = serde_json::to_string(&json).map_err(WebError::internal)?;
        Ok(([(header::CONTENT_TYPE, activitystreams::MEDIA_TYPE)], body).into_response())
    }

    /// The page as an Atom feed, its entries' text the site's text templates.
    async fn atom(
        self,
        state: &AppState,
        uri: &Uri,
        After(after): After,
    ) -> Result<Response, WebError> {
        let (source, page) = self.page(&state.db, after.as_ref()).await?;
        let feed = AtomFeed::new(
            format!("{} · stream", source.title),
            uri.path(),
            after.as_ref(),
            &state.base,
        )
        .alternate(&source.html)
        .author("stream sample app")
        .feed_with(&page, text);
        Ok(([(header::CONTENT_TYPE, atom::MEDIA_TYPE)], feed.to_string()).into_response())
    }
}

/// An action as one line of the site's text templates (`templates/stream/*.txt`), as of its
/// own time, so that the text of an entry does not change between two reads of the feed.
fn text(action: &action::Loaded) -> String {
    let mut out = String::new();
    match crate::stream::render_text(action, action.timestamp(), &mut out) {
        Ok(()) => out.trim().to_owned(),
        Err(_) => action.summary(),
    }
}

/// `GET /api/everyone`.
pub async fn api_everyone(
    State(state): State<AppState>,
    uri: Uri,
    after: Result<After, WebError>,
) -> Result<Response, ApiError> {
    Ok(StreamOf::Everyone
        .activity_streams(&state, &uri, after?)
        .await?)
}

/// `GET /api/users/{id}`.
pub async fn api_user(
    State(state): State<AppState>,
    uri: Uri,
    id: Result<Id, WebError>,
    after: Result<After, WebError>,
) -> Result<Response, ApiError> {
    let Id(id) = id?;
    Ok(StreamOf::User(id)
        .activity_streams(&state, &uri, after?)
        .await?)
}

/// `GET /api/users/{id}/feed`.
pub async fn api_feed(
    State(state): State<AppState>,
    uri: Uri,
    id: Result<Id, WebError>,
    after: Result<After, WebError>,
) -> Result<Response, ApiError> {
    let Id(id) = id?;
    Ok(StreamOf::Feed(id)
        .activity_streams(&state, &uri, after?)
        .await?)
}

/// `GET /api/groups/{id}`.
pub async fn api_group(
    State(state): State<AppState>,
    uri: Uri,
    id: Result<Id, WebError>,
    after: Result<After, WebError>,
) -> Result<Response, ApiError> {
    let Id(id) = id?;
    Ok(StreamOf::Group(id)
        .activity_streams(&state, &uri, after?)
        .await?)
}

/// `GET /api/posts/{id}`.
pub async fn api_post(
    State(state): State<AppState>,
    uri: Uri,
    id: Result<Id, WebError>,
    after: Result<After, WebError>,
) -> Result<Response, ApiError> {
    let Id(id) = id?;
    Ok(StreamOf::Post(id)
        .activity_streams(&state, &uri, after?)
        .await?)
}

/// `GET /atom`.
pub async fn atom_everyone(
    State(state): State<AppState>,
    uri: Uri,
    after: After,
) -> Result<Response, WebError> {
    StreamOf::Everyone.atom(&state, &uri, after).await
}

/// `GET /users/{id}/atom`.
pub async fn atom_user(
    State(state): State<AppState>,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Response, WebError> {
    StreamOf::User(id).atom(&state, &uri, after).await
}

/// `GET /users/{id}/feed/atom`.
pub async fn atom_feed(
    State(state): State<AppState>,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Response, WebError> {
    StreamOf::Feed(id).atom(&state, &uri, after).await
}

/// `GET /groups/{id}/atom`.
pub async fn atom_group(
    State(state): State<AppState>,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Response, WebError> {
    StreamOf::Group(id).atom(&state, &uri, after).await
}

/// `GET /posts/{id}/atom`.
pub async fn atom_post(
    State(state): State<AppState>,
    uri: Uri,
    Id(id): Id,
    after: After,
) -> Result<Response, WebError> {
    StreamOf::Post(id).atom(&state, &uri, after).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_pages_have_alternates_and_others_do_not() {
        assert_eq!(alternates("/").unwrap().atom, "/atom");
        let user = alternates("/users/7/feed").unwrap();
        assert_eq!(user.atom, "/users/7/feed/atom");
        assert_eq!(user.activity_streams, "/api/users/7/feed");
        assert_eq!(
            alternates("/posts/3").unwrap().activity_streams,
            "/api/posts/3"
        );
        assert_eq!(alternates("/users/x"), None);
        assert_eq!(alternates("/style.css"), None);
        assert_eq!(alternates("/users/7/atom"), None);
    }
}
