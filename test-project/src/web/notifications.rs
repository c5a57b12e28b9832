//! The acting user's inbox: the page, the bell's count, and marking seen and read.
//!
//! | route | |
//! |---|---|
//! | `GET /notifications` | the inbox aggregated ("hendrix, joplin and 1 other liked Wild Haze"), newest group first (`?after=<cursor>` for older pages); marks what it shows as seen |
//! | `GET /notifications/count` | `{"unseen": N, "unread": M}`, counting groups, as the bell does |
//! | `POST /notifications/seen`, `/notifications/read` | mark seen / read everything up to the form's `up_to` cursor (all when empty) |
//! | `POST /notifications/{id}/read` | mark read the group whose newest action (as shown) is `id`, up to it, and go to what it is about |
//!
//! Every route is for the user the `act_as` cookie names: 403 without one.

use super::forms;
use super::handlers::{After, ValidForm, layout, render};
use super::pages::{NotificationItem, NotificationsPage};
use super::session::Acting;
use super::{AppState, PAGE_SIZE, WebError};
use crate::{action, notification};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stream_core::prelude::*;
use stream_core::sea_orm::EntityTrait;
use stream_core::{Counts, Cursor, Mark};

/// `POST /notifications/seen` and `/notifications/read`.
#[derive(Debug, Deserialize)]
pub struct MarkForm {
    /// The cursor of the newest notification the visitor was shown; empty: all.
    #[serde(default)]
    pub up_to: String,
    /// Where to go back to.
    #[serde(default)]
    pub next: String,
}

/// `GET /notifications`: the inbox page, aggregated. What it shows is marked seen, up to its
/// newest notification, so that one arriving meanwhile stays unseen.
pub async fn page(
    State(state): State<AppState>,
    acting: Acting,
    uri: Uri,
    after: After,
) -> Result<Response, WebError> {
    let db = &state.db;
    let me = acting.clone().required()?;
    let page = notification::Entity::inbox(&me)
        .aggregated()
        .page(after.0.as_ref(), PAGE_SIZE)
        .all(db)
        .await?;
    let up_to = page.items.first().map(|group| group.cursor);
    if let Some(up_to) = &up_to {
        notification::Entity::mark_seen(db, &me, Mark::UpTo(up_to)).await?;
    }
    // After marking: the bell shows what is left.
    let layout = layout(db, acting, &uri).await?;
    let items = page
        .items
        .into_iter()
        .map(|group| NotificationItem {
            id: group.cursor.id(),
            group,
        })
        .collect();
    let html = render(NotificationsPage {
        layout,
        items,
        older: page
            .next
            .map(|cursor| format!("/notifications?after={cursor}")),
        up_to: up_to.map(|cursor| cursor.to_string()),
    })?;
    Ok(html.into_response())
}

/// `GET /notifications/count`: `{"unseen": N, "unread": M}`, in groups, as the bell counts.
pub async fn count(State(state): State<AppState>, acting: Acting) -> Result<Response, WebError> {
    let me = acting.required()?;
    let counts = notification::Entity::inbox(&me)
        .aggregated()
        .counts(&state.db)
        .await?;
    Ok(json(counts))
}

fn json(Counts { unseen, unread }: Counts) -> Response {
    let body = serde_json::json!({ "unseen": unseen, "unread": unread }).to_string();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Which notifications a form marks: up to its cursor, or all.
fn up_to(form: &MarkForm) -> Result<Option<Cursor>, WebError> {
    match form.up_to.as_str() {
        "" => Ok(None),
        text => Ok(Some(text.parse()?)),
    }
}

/// `POST /notifications/seen`.
pub async fn seen(
    State(state): State<AppState>,
    acting: Acting,
    ValidForm(form): ValidForm<MarkForm>,
) -> Result<Redirect, WebError> {
    let me = acting.required()?;
    let next = forms::next_or(&form.next, "/notifications")?;
    let cursor = up_to(&form)?;
    let which = cursor.as_ref().map_or(Mark::All, Mark::UpTo);
    notification::Entity::mark_seen(&state.db, &me, which).await?;
    Ok(Redirect::to(&next))
}

/// `POST /notifications/read`.
pub async fn read(
    State(state): State<AppState>,
    acting: Acting,
    ValidForm(form): ValidForm<MarkForm>,
) -> Result<Redirect, WebError> {
    let me = acting.required()?;
    let next = forms::next_or(&form.next, "/notifications")?;
    let cursor = up_to(&form)?;
    let which = cursor.as_ref().map_or(Mark::All, Mark::UpTo);
    notification::Entity::mark_read(&state.db, &me, which).await?;
    Ok(Redirect::to(&next))
}

/// `POST /notifications/{id}/read`: mark read the group of notifications whose newest action
/// as shown is `id` (its actions up to `id`: a like that joined the group since stays
/// unread; someone else's notifications are left alone), then go to what it is about.
pub async fn read_one(
    State(state): State<AppState>,
    acting: Acting,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Redirect, WebError> {
    let db = &state.db;
    let me = acting.required()?;
    // Action ids are 64-bit; one that is not a number is a 404 page, as elsewhere.
    let Path(id) = id?;
    let Some(stored) = action::Entity::find_by_id(id).one(db).await? else {
        return Ok(Redirect::to("/notifications"));
    };
    notification::Entity::mark_group_read(db, &me, &stored).await?;
    let loaded = action::Entity::hydrated(db, &stored).await?;
    let url = match (&loaded.target, &loaded.action_object) {
        (Some(target), _) => target.url(),
        (None, Some(object)) => object.url(),
        (None, None) => loaded.actor.url(),
    };
    Ok(Redirect::to(&url))
}
