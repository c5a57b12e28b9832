//! The live pages of the web application, request by request on SQLite: every stream page
//! links its event stream, `<page>/events` streams the page's new actions rendered as the
//! page renders them and its retracted ones, a reconnect with `Last-Event-ID` replays what
//! was missed, visibility follows the pages, and bad cursors are a 400.
//!
//! The signal is one per process and every test database has the same ids: the tests here
//! take one lock, so that no test's actions reach another's streams.

mod common;

use axum::Router;
use axum::body::{Body, BodyDataStream};
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use std::time::Duration;
use stream_core::prelude::*;
use stream_core::sea_orm::{EntityTrait, QueryOrder};
use stream_core::{Cursor, Paginate};
use test_project::{Verb, action, post as post_model, user, web};
use tower::ServiceExt;

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One server-sent event.
#[derive(Debug, Default, PartialEq)]
struct SseEvent {
    event: String,
    id: Option<String>,
    data: String,
}

/// An open event stream.
struct Events {
    body: BodyDataStream,
    buffer: String,
}

impl Events {
    /// The next event (comments skipped), or a failed test if none comes (a guard against
    /// hanging, not a timing assertion).
    async fn next(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent::default();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        event.event = value.trim_start().to_owned();
                    } else if let Some(value) = line.strip_prefix("id:") {
                        event.id = Some(value.trim_start().to_owned());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if event.event.is_empty() && data.is_empty() {
                    continue; // a keep-alive comment
                }
                event.data = data.join("\n");
                return event;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.body.next())
                .await
                .expect("an event within 20 s")
                .expect("the stream stays open")
                .expect("the body reads");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event, which must be an action: its id, and the element id of its `<li>`.
    async fn next_action(&mut self) -> (String, String) {
        let event = self.next().await;
        assert_eq!(event.event, "action", "{event:?}");
        let element = event
            .data
            .strip_prefix("<li id=\"")
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("an <li> with an id: {}", event.data))
            .to_owned();
        (event.id.expect("an action event has an id"), element)
    }
}

async fn open(app: &Router, uri: &str, me: Option<i32>, last: Option<&str>) -> Events {
    let response = send(app, uri, me, last).await;
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream",
        "{uri}"
    );
    Events {
        body: response.into_body().into_data_stream(),
        buffer: String::new(),
    }
}

async fn send(
    app: &Router,
    uri: &str,
    me: Option<i32>,
    last: Option<&str>,
) -> axum::response::Response {
    let mut builder = Request::get(uri);
    if let Some(me) = me {
        builder = builder.header(header::COOKIE, format!("act_as={me}"));
    }
    if let Some(last) = last {
        builder = builder.header("last-event-id", last);
    }
    app.clone()
        .oneshot(builder.body(Body::empty()).unwrap())
        .await
        .expect("infallible")
}

async fn body_of(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn form(app: &Router, uri: &str, me: i32, body: &str) {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("act_as={me}"))
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{uri}");
}

async fn seeded() -> (common::TestDb, Router) {
    let db = common::sqlite().await;
    test_project::seed::seed(&db, chrono::Utc::now())
        .await
        .expect("seed");
    let app = web::router(db.db.clone());
    (db, app)
}

async fn newest(db: &common::TestDb) -> action::Model {
    action::Entity::stream().one(&**db).await.unwrap().unwrap()
}

/// The `data-events` of a page's stream.
fn events_link(page: &str) -> String {
    let at = page
        .find("data-events=\"")
        .unwrap_or_else(|| panic!("the stream links its events: {page}"));
    page[at + 13..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
}

#[tokio::test]
async fn each_page_streams_its_new_actions_as_it_renders_them_and_its_retractions() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (db, app) = seeded().await;
    let post = post_model::Entity::find_by_id(1)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    // Someone who does not like the post yet.
    let liker = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(&*db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id != post.author_id)
        .unwrap();
    form(&app, "/posts/1/unlike", liker.id, "").await;

    for (page, events) in [
        ("/", "/events"),
        ("/users/1", "/users/1/events"),
        ("/users/1/feed", "/users/1/feed/events"),
        ("/groups/1", "/groups/1/events"),
        ("/posts/1", "/posts/1/events"),
    ] {
        let html = body_of(send(&app, page, Some(1), None).await).await;
        let link = events_link(&html);
        assert!(
            link.starts_with(&format!("{events}?after=")),
            "{page}: {link}"
        );
        // The page's newest action is where its events start.
        let newest_on_page = html.split("<li id=\"action-").nth(1).unwrap();
        let newest_id: i64 = newest_on_page.split('"').next().unwrap().parse().unwrap();
        let newest_row = action::Entity::find_by_id(newest_id)
            .one(&*db)
            .await
            .unwrap()
            .unwrap();
        assert!(link.ends_with(&Cursor::after::<action::Entity>(&newest_row).to_string()));
        // An older page does not update live.
        let older = body_of(
            send(
                &app,
                &format!(
                    "{page}?after={}",
                    Cursor::after::<action::Entity>(&newest_row)
                ),
                Some(1),
                None,
            )
            .await,
        )
        .await;
        assert!(!older.contains("data-events"), "{page}, an older page");
    }

    let mut everyone = open(&app, "/events", None, None).await;
    let mut on_post = open(&app, "/posts/1/events", None, None).await;
    let mut on_other_post = open(&app, "/posts/2/events", None, None).await;

    form(&app, "/posts/1/comments", liker.id, "body=live+and+well").await;
    let comment = newest(&db).await;
    assert_eq!(comment.verb, Verb::Commented);
    form(&app, "/posts/1/like", liker.id, "stars=4").await;
    let like = newest(&db).await;
    assert_eq!(like.verb, Verb::Liked);

    // Each event is the page's own <li> for the action, and its id the action's cursor.
    let page = body_of(send(&app, "/posts/1", None, None).await).await;
    for events in [&mut everyone, &mut on_post] {
        for action in [&comment, &like] {
            let event = events.next().await;
            assert_eq!(event.event, "action");
            assert_eq!(
                event.id.as_deref(),
                Some(Cursor::after::<action::Entity>(action).to_string().as_str())
            );
            let li = page
                .lines()
                .map(str::trim)
                .find(|line| line.starts_with(&format!("<li id=\"action-{}\"", action.id)))
                .expect("the page shows the action");
            assert_eq!(
                event.data, li,
                "the event renders the action as the page does"
            );
        }
    }
    // Unlike: the like leaves both streams.
    form(&app, "/posts/1/unlike", liker.id, "").await;
    for events in [&mut everyone, &mut on_post] {
        let event = events.next().await;
        assert_eq!(
            (event.event.as_str(), event.id, event.data),
            ("retract", None, format!("action-{}", like.id))
        );
    }
    // The other post's stream heard nothing of this: its next event is its own.
    form(&app, "/posts/2/comments", liker.id, "body=elsewhere").await;
    let elsewhere = newest(&db).await;
    let (_, element) = on_other_post.next_action().await;
    assert_eq!(element, format!("action-{}", elsewhere.id));
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_replays_what_was_missed_once() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (db, app) = seeded().await;
    let post = post_model::Entity::find_by_id(1)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    let page = test_project::web::streams::post(&post)
        .page(None, 5)
        .all(&*db)
        .await
        .unwrap();
    let expected: Vec<String> = page.items[..4]
        .iter()
        .rev()
        .map(|a| format!("action-{}", a.id))
        .collect();
    // The client last saw the fifth newest action; the four after it were missed.
    let last = Cursor::after::<action::Entity>(&page.items[4]).to_string();
    let mut events = open(
        &app,
        "/posts/1/events?after=garbage-ignored",
        None,
        Some(&last),
    )
    .await;
    let mut replayed = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..4 {
        let (id, element) = events.next_action().await;
        replayed.push(element);
        ids.push(id);
    }
    assert_eq!(replayed, expected, "oldest first, each once");
    // Reconnecting from the last id replays nothing: the next event is new.
    let mut again = open(&app, "/posts/1/events", None, Some(ids.last().unwrap())).await;
    form(&app, "/posts/1/comments", 3, "body=after+the+reconnect").await;
    let new = newest(&db).await;
    for events in [&mut events, &mut again] {
        let (_, element) = events.next_action().await;
        assert_eq!(element, format!("action-{}", new.id));
    }
}

#[tokio::test]
async fn the_live_streams_keep_private_actions_to_their_actors_own_page() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (db, app) = seeded().await;
    form(&app, "/posts/1/unlike", 3, "").await;
    let mut own = open(&app, "/users/3/events", Some(3), None).await;
    let mut seen_by_other = open(&app, "/users/3/events", Some(1), None).await;
    let mut on_post = open(&app, "/posts/1/events", Some(3), None).await;
    form(&app, "/posts/1/like", 3, "private=on").await;
    let private = newest(&db).await;
    assert!(!private.public);
    let (_, element) = own.next_action().await;
    assert_eq!(element, format!("action-{}", private.id));
    // The others' next event is a public one sent after it.
    form(&app, "/posts/1/comments", 3, "body=in+public").await;
    let public = newest(&db).await;
    for events in [&mut own, &mut seen_by_other, &mut on_post] {
        let (_, element) = events.next_action().await;
        assert_eq!(element, format!("action-{}", public.id));
    }
}

#[tokio::test]
async fn bad_cursors_are_a_400_and_unknown_objects_a_404() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (_db, app) = seeded().await;
    let good = body_of(send(&app, "/", None, None).await).await;
    let good = events_link(&good);
    let cursor = good.split("after=").nth(1).unwrap();
    let mut edited = cursor.to_owned();
    edited.replace_range(0..1, if cursor.starts_with('0') { "1" } else { "0" });
    for route in [
        "/events",
        "/users/1/events",
        "/users/1/feed/events",
        "/groups/1/events",
        "/posts/1/events",
    ] {
        for bad in ["nonsense", edited.as_str()] {
            let reply = send(&app, route, None, Some(bad)).await;
            assert_eq!(
                reply.status(),
                StatusCode::BAD_REQUEST,
                "{route} Last-Event-ID {bad}"
            );
            let reply = send(&app, &format!("{route}?after={bad}"), None, None).await;
            assert_eq!(
                reply.status(),
                StatusCode::BAD_REQUEST,
                "{route}?after={bad}"
            );
        }
        let reply = send(&app, route, None, Some(cursor)).await;
        assert_eq!(reply.status(), StatusCode::OK, "{route} with a good cursor");
    }
    for route in [
        "/users/999/events",
        "/users/999/feed/events",
        "/groups/999/events",
        "/posts/999/events",
    ] {
        assert_eq!(
            send(&app, route, None, None).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}
