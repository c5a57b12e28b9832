//! The inbox pages of the web application, request by request (`oneshot` against the
//! router, on SQLite): the aggregated inbox, the bell and the count as JSON (both counting
//! groups), and marking seen and read.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use stream_core::prelude::*;
use stream_core::sea_orm::EntityTrait;
use test_project::{notification, user, web};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The number in the bell of the page's header.
    fn bell(&self) -> Option<u64> {
        let at = self.body.find("id=\"bell-count\">")?;
        let rest = &self.body[at + "id=\"bell-count\">".len()..];
        rest.split('<').next()?.parse().ok()
    }

    /// The `<li>` of each notification on the page.
    fn notifications(&self) -> usize {
        self.body.matches("<li id=\"notification-").count()
    }
}

async fn request(app: &Router, uri: &str, me: Option<i32>, form: Option<&str>) -> Reply {
    let mut builder = match form {
        Some(_) => {
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        }
        None => Request::get(uri),
    };
    if let Some(me) = me {
        builder = builder.header(header::COOKIE, format!("act_as={me}"));
    }
    let body = Body::from(form.unwrap_or_default().to_owned());
    let response = app
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body is readable");
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    }
}

async fn count(app: &Router, me: i32) -> serde_json::Value {
    let reply = request(app, "/notifications/count", Some(me), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    serde_json::from_str(&reply.body).unwrap()
}

fn counts(unseen: u64, unread: u64) -> serde_json::Value {
    serde_json::json!({ "unseen": unseen, "unread": unread })
}

#[tokio::test]
async fn every_notification_route_is_403_without_an_acting_user() {
    let db = common::sqlite().await;
    let app = web::router(db.db.clone());
    for (uri, form) in [
        ("/notifications", None),
        ("/notifications/count", None),
        ("/notifications/seen", Some("")),
        ("/notifications/read", Some("")),
        ("/notifications/1/read", Some("")),
    ] {
        let reply = request(&app, uri, None, form).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}: {}", reply.body);
    }
}

#[tokio::test]
async fn likes_ring_the_bell_until_the_inbox_is_seen_and_opening_one_reads_it() {
    let db = common::sqlite().await;
    let app = web::router(db.db.clone());
    let lennon = common::user(&db, "lennon").await;
    let fans = [
        common::user(&db, "hendrix").await,
        common::user(&db, "joplin").await,
        common::user(&db, "starr").await,
    ];
    let post = common::post(&db, &lennon, "Wild Haze").await;
    let like = format!("/posts/{}/like", post.id);
    for fan in &fans {
        let reply = request(&app, &like, Some(fan.id), Some("stars=")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    // Three likes of one post today are one group: the bell counts groups.
    assert_eq!(count(&app, lennon.id).await, counts(1, 1));
    // The bell of any page shows the unseen count.
    let home = request(&app, "/", Some(lennon.id), None).await;
    assert_eq!(home.bell(), Some(1));
    assert!(home.body.contains("href=\"/notifications\""));
    // No bell for nobody.
    assert_eq!(request(&app, "/", None, None).await.bell(), None);

    // Viewing the inbox marks it seen: the page's own bell already shows 0.
    let inbox = request(&app, "/notifications", Some(lennon.id), None).await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    assert_eq!(inbox.notifications(), 1);
    assert!(
        inbox.body.contains("and 1 other liked"),
        "the group reads as one item: {}",
        inbox.body
    );
    assert_eq!(inbox.bell(), Some(0));
    assert_eq!(count(&app, lennon.id).await, counts(0, 1));

    // A fourth like rings it again; a like of another post is another group.
    let morrison = common::user(&db, "morrison").await;
    request(&app, &like, Some(morrison.id), Some("stars=")).await;
    assert_eq!(count(&app, lennon.id).await, counts(1, 1));
    let other = common::post(&db, &lennon, "Other").await;
    let like_other = format!("/posts/{}/like", other.id);
    request(&app, &like_other, Some(fans[0].id), Some("stars=")).await;
    assert_eq!(count(&app, lennon.id).await, counts(2, 2));

    // Opening a group marks it read and goes to the post.
    let page = notification::Entity::inbox(&lennon)
        .aggregated()
        .page(None, 20)
        .all(&*db)
        .await
        .unwrap();
    let (other_group, haze_group) = (page.items[0].cursor.id(), page.items[1].cursor.id());
    let reply = request(
        &app,
        &format!("/notifications/{haze_group}/read"),
        Some(lennon.id),
        Some(""),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), format!("/posts/{}", post.id));
    assert_eq!(count(&app, lennon.id).await, counts(1, 1));
    // Someone else opening lennon's notification changes nothing of his.
    request(
        &app,
        &format!("/notifications/{other_group}/read"),
        Some(morrison.id),
        Some(""),
    )
    .await;
    assert_eq!(count(&app, lennon.id).await, counts(1, 1));

    // "Mark all read" up to what was shown: a like that arrives after stays unread.
    let inbox = request(&app, "/notifications", Some(lennon.id), None).await;
    assert_eq!(count(&app, lennon.id).await, counts(0, 1));
    let up_to = inbox
        .body
        .split("name=\"up_to\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let starr = common::user(&db, "ringo").await;
    request(&app, &like, Some(starr.id), Some("stars=")).await;
    assert_eq!(count(&app, lennon.id).await, counts(1, 2));
    let reply = request(
        &app,
        "/notifications/read",
        Some(lennon.id),
        Some(&format!("up_to={up_to}&next=%2Fnotifications")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/notifications");
    assert_eq!(count(&app, lennon.id).await, counts(1, 1));
    // Without a cursor: all.
    request(&app, "/notifications/seen", Some(lennon.id), Some("")).await;
    assert_eq!(count(&app, lennon.id).await, counts(0, 1));
    request(&app, "/notifications/read", Some(lennon.id), Some("")).await;
    assert_eq!(count(&app, lennon.id).await, counts(0, 0));
    // An id that is not a number is a 404 page.
    let reply = request(&app, "/notifications/abc/read", Some(lennon.id), Some("")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // A mangled cursor is a 400.
    let reply = request(
        &app,
        "/notifications/seen",
        Some(lennon.id),
        Some("up_to=nonsense"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_seed_gives_every_user_notifications() {
    let db = common::sqlite().await;
    test_project::seed::seed(&db, chrono::Utc::now())
        .await
        .expect("seed");
    let users = user::Entity::find().all(&*db).await.unwrap();
    assert!(!users.is_empty());
    for user in &users {
        let counts = notification::Entity::counts(&*db, user).await.unwrap();
        assert!(counts.unseen > 0, "{} has no notifications", user.username);
    }
}

/// The `data` of the next `count` event of the bell's event stream (keep-alive comments
/// skipped), or a failed test if none comes (a guard against hanging, not a timing assertion).
async fn next_count(
    body: &mut axum::body::BodyDataStream,
    buffer: &mut String,
) -> serde_json::Value {
    use futures_util::StreamExt;
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().all(|line| line.starts_with(':')) {
                continue;
            }
            assert!(block.contains("event: count"), "{block}");
            let data = block
                .lines()
                .find_map(|line| line.strip_prefix("data: "))
                .expect("a count has data");
            return serde_json::from_str(data).unwrap();
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(20), body.next())
            .await
            .expect("an event within 20 s")
            .expect("the stream stays open")
            .expect("the body reads");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn the_bell_counts_live() {
    let db = common::sqlite().await;
    let app = web::router(db.db.clone());
    let lennon = common::user(&db, "lennon").await;
    let hendrix = common::user(&db, "hendrix").await;
    let joplin = common::user(&db, "joplin").await;
    let haze = common::post(&db, &lennon, "Wild Haze").await;
    let other = common::post(&db, &lennon, "Other").await;
    let like = |post: i32| format!("/posts/{post}/like");

    let nobody = request(&app, "/notifications/events", None, None).await;
    assert_eq!(nobody.status, StatusCode::FORBIDDEN);

    let open = Request::get("/notifications/events")
        .header(header::COOKIE, format!("act_as={}", lennon.id))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(open).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let (mut body, mut buffer) = (response.into_body().into_data_stream(), String::new());
    // The counts at once.
    assert_eq!(next_count(&mut body, &mut buffer).await, counts(0, 0));

    // A like of lennon's post: the bell rings.
    let reply = request(&app, &like(haze.id), Some(hendrix.id), Some("stars=")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(next_count(&mut body, &mut buffer).await, counts(1, 1));

    // Nothing changes the counts here, so nothing is sent: a second like joins the same
    // group, an action notifying someone else, and viewing the inbox in another tab.
    request(&app, &like(haze.id), Some(joplin.id), Some("stars=")).await;
    let theirs = common::post(&db, &hendrix, "Theirs").await;
    request(&app, &like(theirs.id), Some(joplin.id), Some("stars=")).await;
    request(&app, "/notifications", Some(lennon.id), None).await;
    // .. so the next event is the next change: a like of another post, a new group.
    request(&app, &like(other.id), Some(joplin.id), Some("stars=")).await;
    assert_eq!(next_count(&mut body, &mut buffer).await, counts(1, 2));
}
