//! The acting user's inbox: the page, the bell's count, and marking seen and read.
//!
//! | route | |
//! |---|---|
//! | `GET /notifications` | the inbox aggregated ("hendrix, joplin and 1 other liked Wild Haze"), newest group first (`?after=<cursor>` for older pages); marks what it shows as seen |
//! | `GET /notifications/count` | `{"unseen": N, "unread": M}`, counting groups, as the bell does |
//! | `GET /notifications/events` | the same counts live (server-sent events): at once, then whenever they change |
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

/// What the bell's live stream keeps between events.
struct Bell {
    db: stream_core::sea_orm::DatabaseConnection,
    me: crate::user::Model,
    events: stream_core::Events<action::Entity>,
    /// The counts last sent; `None` before the first.
    sent: Option<Counts>,
}

impl Bell {
    /// The bell's counts: groups, as `/notifications/count` and the header count them.
    async fn counts(&self) -> Result<Counts, stream_core::StreamError> {
        notification::Entity::inbox(&self.me)
            .aggregated()
            .counts(&self.db)
            .await
    }

    /// Whether `event` can change the counts: a new action that notified this user (one
    /// lookup on the inbox's unique `(recipient, action)`), a retraction (its notifications
    /// went with it), or events missed.
    async fn concerns_me(
        &self,
        event: Result<stream_core::Event<action::Entity>, stream_core::Missed>,
    ) -> Result<bool, stream_core::StreamError> {
        use stream_core::sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        match event {
            Ok(stream_core::Event::Created(created)) => {
                let mine = notification::Entity::find()
                    .filter(notification::Column::Recipient.eq(self.me.id))
                    .filter(notification::Column::Action.eq(created.action().id))
                    .count(&self.db)
                    .await?;
                Ok(mine > 0)
            }
            Ok(stream_core::Event::Retracted(_)) | Err(_) => Ok(true),
        }
    }

    /// The next counts to send: at once for the first, then when they change.
    async fn next(&mut self) -> Result<Counts, stream_core::StreamError> {
        if self.sent.is_none() {
            return self.counts().await;
        }
        loop {
            let event = self.events.recv().await;
            if !self.concerns_me(event).await? {
                continue;
            }
            let counts = self.counts().await?;
            if Some(counts) != self.sent {
                return Ok(counts);
            }
        }
    }
}

/// `GET /notifications/events`: the bell, live (server-sent events). An `event: count` with
/// `{"unseen": N, "unread": M}` (groups, as `/notifications/count`) when the stream opens and
/// whenever an action that notifies the acting user commits or an action is retracted and the
/// counts changed; keep-alive comments. Marking seen or read in another tab sends nothing: the
/// next page load shows it.
pub async fn events(State(state): State<AppState>, acting: Acting) -> Result<Response, WebError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let me = acting.required()?;
    let bell = Bell {
        // Subscribed before the first count: nothing committed after it is missed.
        events: action::Entity::signal().subscribe_events(),
        db: state.db.clone(),
        me,
        sent: None,
    };
    let stream = futures_util::stream::unfold(bell, |mut bell| async move {
        match bell.next().await {
            Ok(counts) => {
                bell.sent = Some(counts);
                let data = serde_json::json!({ "unseen": counts.unseen, "unread": counts.unread });
                let event = Event::default().event("count").data(data.to_string());
                Some((Ok::<_, std::convert::Infallible>(event), bell))
            }
            Err(error) => {
                // The browser reconnects and starts with fresh counts.
                tracing::warn!(%error, "the bell's live count ended");
                None
            }
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(super::live::KEEP_ALIVE))
        .into_response())
}
