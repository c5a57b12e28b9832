//! Every stream page, live: `GET /events`, `/users/{id}/events`, `/users/{id}/feed/events`,
//! `/groups/{id}/events` and `/posts/{id}/events` answer `text/event-stream` (server-sent
//! events) with the page's new actions as they commit, and the ids of its retracted ones.
//!
//! - `event: action`: `data` is the action as the page shows it (the `<li>` of
//!   `templates/web/stream_item.html`), `id` the cursor to resume from (see below);
//! - `event: retract`: `data` is the element id of the retracted action (`action-<id>`);
//! - a keep-alive comment every 15 s.
//!
//! A client resumes where it stopped: the browser's `EventSource` sends the last `id` it
//! received as `Last-Event-ID` when it reconnects, and the stream replays every action of the
//! page after it before going live. The page itself starts the stream with `?after=<cursor of
//! its newest action>`, so nothing committed between rendering the page and connecting is
//! lost. `Last-Event-ID` wins over `?after=`; a malformed one of either is a 400.
//!
//! The `id` of an action event is the cursor of the furthest action the stream has sent
//! ([`Tail::resume_cursor`](stream_core::Tail::resume_cursor)): the action's own cursor,
//! except for an action that committed after a newer one was sent, where resuming from the
//! action's own cursor would send the newer one twice.
//!
//! Each stream shows what its page shows ([`streams`]): public actions, and on a user's own
//! page, seen by that user, their private ones too.

use super::handlers::{Id, find_group, find_post, find_user};
use super::pages::StreamItem;
use super::session::Acting;
use super::{AppState, WebError, streams};
use crate::action;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::time::Duration;
use stream_core::sea_orm::DatabaseConnection;
use stream_core::{Cursor, LiveEvent, LiveStream};
use stream_templates::askama::Template;

/// How often an idle stream sends a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Deserialize)]
struct AfterParam {
    after: Option<String>,
}

/// Where a stream starts: `Last-Event-ID`, else `?after=`, else now. Malformed: a 400.
pub struct Resume(pub Option<Cursor>);

impl<S: Send + Sync> FromRequestParts<S> for Resume {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        if let Some(last) = parts.headers.get("last-event-id") {
            let text = last
                .to_str()
                .map_err(|_| WebError::bad_request("The Last-Event-ID header is not text."))?;
            let cursor = text.parse::<Cursor>().map_err(|error| {
                WebError::bad_request(format!(
                    "The Last-Event-ID header is not a cursor ({error})."
                ))
            })?;
            return Ok(Resume(Some(cursor)));
        }
        let Query(param) = Query::<AfterParam>::from_request_parts(parts, state).await?;
        match param.after.as_deref() {
            None | Some("") => Ok(Resume(None)),
            Some(text) => Ok(Resume(Some(text.parse()?))),
        }
    }
}

/// The server-sent events of `stream` from `after` on.
pub fn events(
    db: &DatabaseConnection,
    stream: LiveStream<action::Entity>,
    after: Option<Cursor>,
) -> Response {
    let tail = stream.tail_hydrated(db, after);
    let events = futures_util::stream::unfold(tail, |mut tail| async move {
        let event = match tail.recv().await {
            Ok(LiveEvent::Action { action, cursor }) => match (StreamItem { action }).render() {
                Ok(html) => Event::default()
                    .event("action")
                    .id(tail.resume_cursor().unwrap_or(cursor).to_string())
                    .data(html),
                Err(error) => {
                    tracing::error!(%error, "an action could not be rendered for its live page");
                    return None;
                }
            },
            Ok(LiveEvent::Retracted { id }) => Event::default()
                .event("retract")
                .data(format!("action-{id}")),
            Err(error) => {
                // The browser reconnects, and resumes from the last id it received.
                tracing::warn!(%error, "a live page's stream ended");
                return None;
            }
        };
        Some((Ok::<_, std::convert::Infallible>(event), tail))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// `GET /events`: everyone's actions, live.
pub async fn everyone(State(state): State<AppState>, Resume(after): Resume) -> Response {
    events(&state.db, streams::live_everyone(), after)
}

/// `GET /users/{id}/events`: what the user does, live; their private actions too when they
/// look at their own page.
pub async fn user(
    State(state): State<AppState>,
    acting: Acting,
    Id(id): Id,
    Resume(after): Resume,
) -> Result<Response, WebError> {
    let user = find_user(&state.db, id).await?;
    let own = acting.0.as_ref().is_some_and(|me| me.id == user.id);
    Ok(events(&state.db, streams::live_user(&user, own), after))
}

/// `GET /users/{id}/feed/events`: the user's followed stream, live.
pub async fn feed(
    State(state): State<AppState>,
    Id(id): Id,
    Resume(after): Resume,
) -> Result<Response, WebError> {
    let user = find_user(&state.db, id).await?;
    Ok(events(&state.db, streams::live_feed(&user), after))
}

/// `GET /groups/{id}/events`: everything involving the group, live.
pub async fn group(
    State(state): State<AppState>,
    Id(id): Id,
    Resume(after): Resume,
) -> Result<Response, WebError> {
    let group = find_group(&state.db, id).await?;
    Ok(events(&state.db, streams::live_group(&group), after))
}

/// `GET /posts/{id}/events`: everything involving the post, live.
pub async fn post(
    State(state): State<AppState>,
    Id(id): Id,
    Resume(after): Resume,
) -> Result<Response, WebError> {
    let post = find_post(&state.db, id).await?;
    Ok(events(&state.db, streams::live_post(&post), after))
}
