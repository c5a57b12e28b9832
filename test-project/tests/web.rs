//! The web application, request by request: `tower::ServiceExt::oneshot` against the router,
//! on SQLite. Pages render, every link in a stream leads to a page, forms create actions that
//! the next page load shows, and bad requests get a 4xx page — never a 500.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use std::collections::BTreeSet;
use stream_core::sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use test_project::{action, post as post_model, user, web};
use tower::ServiceExt;

/// The answer to one request.
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

    /// Every `href="/.."` of the page, in order.
    fn links(&self) -> Vec<String> {
        self.body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|href| href.starts_with('/'))
            .map(str::to_owned)
            .collect()
    }

    /// The `<li>` lines of the page's stream.
    fn stream(&self) -> Vec<&str> {
        let Some(start) = self.body.find("<ol class=\"stream\"") else {
            return Vec::new();
        };
        let end = self.body[start..]
            .find("</ol>")
            .map_or(self.body.len(), |e| start + e);
        self.body[start..end]
            .lines()
            .filter(|line| line.trim_start().starts_with("<li id=\"action-"))
            .collect()
    }

    fn older(&self) -> Option<String> {
        let at = self.body.find("class=\"older\"")?;
        let href = self.body[at..].split("href=\"").nth(1)?;
        href.split('"').next().map(str::to_owned)
    }
}

async fn request(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
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

async fn get(app: &Router, uri: &str, me: Option<i32>) -> Reply {
    let mut builder = Request::get(uri);
    if let Some(me) = me {
        builder = builder.header(header::COOKIE, format!("act_as={me}"));
    }
    request(app, builder.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, uri: &str, me: Option<i32>, fields: &[(&str, &str)]) -> Reply {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let mut builder =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(me) = me {
        builder = builder.header(header::COOKIE, format!("act_as={me}"));
    }
    request(app, builder.body(Body::from(body)).unwrap()).await
}

/// `application/x-www-form-urlencoded` escaping.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A 4xx error page: HTML, with the status in its heading.
fn assert_error_page(reply: &Reply, status: StatusCode, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    let content_type = reply.headers.get(header::CONTENT_TYPE).unwrap();
    assert!(
        content_type.to_str().unwrap().starts_with("text/html"),
        "{what}: {content_type:?}"
    );
    assert!(
        reply.body.contains(&format!("<h1>{}", status.as_u16())),
        "{what}: {}",
        reply.body
    );
}

/// A database with the sample data, and the site over it.
async fn seeded() -> (common::TestDb, Router) {
    let db = common::sqlite().await;
    test_project::seed::seed(&db, chrono::Utc::now())
        .await
        .expect("seed");
    let app = web::router(db.db.clone());
    (db, app)
}

async fn actions(db: &common::TestDb) -> u64 {
    action::Entity::find().count(&**db).await.unwrap()
}

#[tokio::test]
async fn the_seed_covers_every_verb_the_site_uses() {
    let (db, _) = seeded().await;
    let count = actions(&db).await;
    assert!(count >= 2_000, "a few thousand actions: {count}");
    assert_eq!(user::Entity::find().count(&*db).await.unwrap(), 20);
    let verbs = db
        .strings("SELECT DISTINCT verb FROM stream_action ORDER BY verb")
        .await;
    let verbs: Vec<&str> = verbs.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        verbs,
        [
            "commented",
            "created",
            "deleted",
            "edit",
            "follow",
            "followed",
            "joined",
            "liked"
        ]
    );
}

#[tokio::test]
async fn every_page_renders_and_every_link_in_it_leads_to_a_page() {
    let (_db, app) = seeded().await;
    let mut checked = BTreeSet::new();
    for page in ["/", "/users/1", "/users/1/feed", "/groups/1", "/posts/1"] {
        let reply = get(&app, page, Some(1)).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
        assert!(
            reply.stream().len() > 1,
            "{page} shows a stream: {}",
            reply.body
        );
        for line in reply.stream() {
            // Every object an action names is a link: no bare text between the tags
            // except the verb's words and the time.
            assert!(line.contains("<a "), "{page}: {line}");
        }
        for link in reply.links() {
            let path = link.split('#').next().unwrap().to_owned();
            if checked.insert(path.clone()) {
                let target = get(&app, &path, Some(1)).await;
                assert_eq!(target.status, StatusCode::OK, "{page} links to {path}");
            }
        }
    }
    assert!(checked.len() > 40, "{checked:?}");
}

/// Every actor, target and action object of every seeded action is a link to its page, in
/// whichever verb's template renders it.
#[tokio::test]
async fn every_object_of_every_seeded_action_links_to_its_page() {
    use stream_core::prelude::*;
    let (db, _) = seeded().await;
    let all = action::Entity::stream().hydrate().all(&*db).await.unwrap();
    assert!(all.len() > 2_000);
    for loaded in &all {
        let mut expected = vec![loaded.actor.url()];
        expected.extend(loaded.target.as_ref().map(|t| t.url()));
        expected.extend(loaded.action_object.as_ref().map(|o| o.url()));
        let mut html = String::new();
        test_project::stream::render_html(loaded, chrono::Utc::now(), &mut html).unwrap();
        let mut links: Vec<String> = html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect();
        links.sort();
        expected.sort();
        assert_eq!(links, expected, "{html}");
    }
}

#[tokio::test]
async fn older_links_walk_the_whole_stream_once() {
    let (db, app) = seeded().await;
    // Everyone's stream: the public actions (the seed has private likes too).
    let total = db
        .scalar("SELECT count(*) FROM stream_action WHERE public")
        .await as usize;
    assert!(total < actions(&db).await as usize);
    let mut seen = BTreeSet::new();
    let mut next = Some("/".to_owned());
    let mut pages = 0;
    let mut shown = 0;
    while let Some(uri) = next {
        let reply = get(&app, &uri, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        for line in reply.stream() {
            shown += 1;
            assert!(seen.insert(line.to_owned()), "shown twice: {line}");
        }
        pages += 1;
        next = reply.older();
        if let Some(next) = &next {
            assert!(next.starts_with("/?after="), "{next}");
        }
    }
    assert_eq!(shown, total, "every public action once");
    assert_eq!(pages, total.div_ceil(web::PAGE_SIZE as usize));
}

#[tokio::test]
async fn each_form_creates_an_action_that_the_next_page_load_shows() {
    let (db, app) = seeded().await;
    let lennon = 1;
    let hendrix = 2;

    // Act as lennon.
    let reply = post(
        &app,
        "/act-as",
        None,
        &[("user_id", "1"), ("next", "/users/2")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/users/2");
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("act_as=1;"), "{cookie}");
    let page = get(&app, "/", Some(lennon)).await;
    assert!(
        page.body
            .contains("<option value=\"1\" selected>lennon</option>")
    );

    // Follow hendrix (unfollow first: the seed may have made lennon follow him).
    let unfollow = [("kind", "user"), ("id", "2"), ("next", "/users/2")];
    assert_eq!(
        post(&app, "/unfollow", Some(lennon), &unfollow)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = get(&app, "/users/2", Some(lennon)).await;
    assert!(page.body.contains("id=\"follow\""), "{}", page.body);
    let reply = post(&app, "/follow", Some(lennon), &unfollow).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/users/2");
    let page = get(&app, "/users/2", Some(lennon)).await;
    assert!(page.body.contains("id=\"unfollow\""), "{}", page.body);
    let newest = get(&app, "/", None).await;
    assert!(
        newest.stream()[0].contains("<a class=\"actor\" href=\"/users/1\">lennon</a> follows <a class=\"target\" href=\"/users/2\">hendrix</a>"),
        "{}",
        newest.stream()[0]
    );

    // hendrix posts in group 1; it shows on everyone's stream and on lennon's feed.
    let reply = post(
        &app,
        "/posts",
        Some(hendrix),
        &[
            ("title", "Are You Experienced"),
            ("body", "A new record."),
            ("group_id", "1"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/");
    let url = post_model::Entity::find()
        .order_by_desc(post_model::Column::Id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap()
        .url();
    let newest = get(&app, "/", None).await;
    assert!(
        newest.stream()[0].contains(&format!(
            "hendrix</a> created <a href=\"{url}\">Are You Experienced</a> in <a href=\"/groups/1\">rust</a>"
        )),
        "{}",
        newest.stream()[0]
    );
    let feed = get(&app, "/users/1/feed", Some(lennon)).await;
    assert!(
        feed.stream()[0].contains("Are You Experienced"),
        "{}",
        feed.body
    );

    // lennon comments on it and likes it, twice: one like.
    let reply = post(
        &app,
        &format!("{url}/comments"),
        Some(lennon),
        &[("body", "Purple & <b>haze</b>")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(
        reply.location().starts_with(&format!("{url}#comment-")),
        "{}",
        reply.location()
    );
    let before = actions(&db).await;
    for _ in 0..2 {
        let reply = post(
            &app,
            &format!("{url}/like"),
            Some(lennon),
            &[("next", url.as_str())],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), url);
    }
    assert_eq!(actions(&db).await, before + 1, "liking twice is one like");
    let page = get(&app, &url, Some(lennon)).await;
    let stream = page.stream();
    assert!(
        stream[0].contains(&format!(
            "lennon</a> liked <a class=\"target\" href=\"{url}\">"
        )),
        "{}",
        stream[0]
    );
    assert!(
        stream[1].contains(&format!(
            "commented on <a class=\"target\" href=\"{url}\">Are You Experienced</a>: <a class=\"object\""
        )),
        "{}",
        stream[1]
    );
    assert!(
        stream[1].contains("“Purple &#38; &#60;b&#62;haze&#60;/b&#62;”"),
        "escaped: {}",
        stream[1]
    );
    assert!(page.body.contains("1 like<"), "{}", page.body);

    // Following a group or a post records "followed".
    post(
        &app,
        "/unfollow",
        Some(lennon),
        &[("kind", "group"), ("id", "2")],
    )
    .await;
    let reply = post(
        &app,
        "/follow",
        Some(lennon),
        &[("kind", "group"), ("id", "2")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let newest = get(&app, "/", None).await;
    assert!(
        newest.stream()[0]
            .contains("lennon</a> followed <a class=\"target\" href=\"/groups/2\">beatles</a>"),
        "{}",
        newest.stream()[0]
    );
}

#[tokio::test]
async fn unknown_ids_get_404() {
    let (db, app) = seeded().await;
    for uri in [
        "/users/999",
        "/users/999/feed",
        "/groups/999",
        "/posts/999",
        "/users/abc",
        "/posts/99999999999",
        "/posts/-",
        "/no/such/page",
    ] {
        assert_error_page(&get(&app, uri, Some(1)).await, StatusCode::NOT_FOUND, uri);
    }
    for (uri, fields) in [
        ("/posts/999/comments", &[("body", "hello")][..]),
        ("/posts/999/like", &[][..]),
        ("/follow", &[("kind", "user"), ("id", "999")][..]),
        ("/follow", &[("kind", "post"), ("id", "999")][..]),
        ("/unfollow", &[("kind", "group"), ("id", "999")][..]),
        (
            "/posts",
            &[("title", "t"), ("body", "b"), ("group_id", "999")][..],
        ),
        ("/act-as", &[("user_id", "999")][..]),
    ] {
        assert_error_page(
            &post(&app, uri, Some(1), fields).await,
            StatusCode::NOT_FOUND,
            uri,
        );
    }
    // A cookie naming a user who does not exist is nobody.
    assert_error_page(
        &post(&app, "/posts/1/like", Some(999), &[]).await,
        StatusCode::FORBIDDEN,
        "unknown acting user",
    );
    drop(db);
}

#[tokio::test]
async fn malformed_cursors_get_400() {
    let (_db, app) = seeded().await;
    let good = get(&app, "/", None).await.older().unwrap();
    let cursor = good.trim_start_matches("/?after=");
    let flipped = format!(
        "{}{}",
        &cursor[..cursor.len() - 1],
        if cursor.ends_with('0') { '1' } else { '0' }
    );
    for uri in [
        "/?after=zzz".to_owned(),
        "/?after=%FF%FE".to_owned(),
        format!("/?after={}", &cursor[..10]),
        format!("/?after={flipped}"),
        format!("/?after={cursor}{cursor}"),
        format!("/users/1?after={flipped}"),
        format!("/users/1/feed?after={flipped}"),
        format!("/groups/1?after={flipped}"),
        format!("/posts/1?after={flipped}"),
    ] {
        assert_error_page(&get(&app, &uri, None).await, StatusCode::BAD_REQUEST, &uri);
    }
    // An empty cursor is the first page, a good one the next.
    assert_eq!(get(&app, "/?after=", None).await.status, StatusCode::OK);
    assert_eq!(get(&app, &good, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn over_long_form_fields_get_400_and_store_nothing() {
    let (db, app) = seeded().await;
    let before = actions(&db).await;
    let long_title = "a".repeat(201);
    let long_body = "b".repeat(10_001);
    let long_comment = "c".repeat(2_001);
    let long_next = format!("/{}", "n".repeat(2_001));
    for (uri, fields) in [
        (
            "/posts",
            vec![("title", long_title.as_str()), ("body", "b")],
        ),
        ("/posts", vec![("title", "t"), ("body", long_body.as_str())]),
        (
            "/posts",
            vec![("title", "t"), ("body", "b"), ("next", long_next.as_str())],
        ),
        ("/posts/1/comments", vec![("body", long_comment.as_str())]),
        ("/posts/1/like", vec![("next", long_next.as_str())]),
    ] {
        assert_error_page(
            &post(&app, uri, Some(1), &fields).await,
            StatusCode::BAD_REQUEST,
            uri,
        );
    }
    // Multi-byte characters count as characters: 200 of them is fine.
    let ok = post(
        &app,
        "/posts",
        Some(1),
        &[("title", &"é".repeat(200)), ("body", "b")],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // A body past the form limit is refused before it is parsed.
    let huge = "x".repeat(test_project::web::forms::MAX_FORM_BYTES + 1);
    assert_error_page(
        &post(&app, "/posts", Some(1), &[("title", "t"), ("body", &huge)]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "huge form",
    );
    assert_eq!(actions(&db).await, before + 1);
}

#[tokio::test]
async fn malformed_and_anonymous_forms_get_4xx() {
    let (db, app) = seeded().await;
    let before = actions(&db).await;
    for (uri, fields, status) in [
        (
            "/posts",
            &[("title", "t")][..],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/posts",
            &[("title", "  "), ("body", "b")][..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "/posts",
            &[("title", "t"), ("body", "b"), ("group_id", "rust")][..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "/posts",
            &[
                ("title", "t"),
                ("body", "b"),
                ("next", "https://example.com/"),
            ][..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "/posts",
            &[("title", "t"), ("body", "b"), ("next", "//example.com/")][..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "/follow",
            &[("kind", "planet"), ("id", "1")][..],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/follow",
            &[("kind", "user"), ("id", "one")][..],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/follow",
            &[("kind", "user"), ("id", "1")][..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "/act-as",
            &[("user_id", "")][..],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = post(&app, uri, Some(1), fields).await;
        assert_error_page(&reply, status, &format!("{uri} {fields:?}"));
    }
    // Not a form at all.
    let reply = request(
        &app,
        Request::post("/posts")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, "act_as=1")
            .body(Body::from("{\"title\": \"t\"}"))
            .unwrap(),
    )
    .await;
    assert_error_page(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON body");
    // Nobody to act as.
    for uri in [
        "/posts",
        "/posts/1/comments",
        "/posts/1/like",
        "/follow",
        "/unfollow",
    ] {
        let fields = [("title", "t"), ("body", "b"), ("kind", "user"), ("id", "2")];
        assert_error_page(
            &post(&app, uri, None, &fields).await,
            StatusCode::FORBIDDEN,
            uri,
        );
    }
    assert_eq!(actions(&db).await, before);
}

#[tokio::test]
async fn wrong_methods_get_405() {
    let (_db, app) = seeded().await;
    for (method, uri) in [
        (Method::DELETE, "/"),
        (Method::POST, "/"),
        (Method::PUT, "/users/1"),
        (Method::POST, "/users/1/feed"),
        (Method::GET, "/posts"),
        (Method::GET, "/posts/1/like"),
        (Method::GET, "/posts/1/comments"),
        (Method::GET, "/follow"),
        (Method::PATCH, "/act-as"),
    ] {
        let reply = request(
            &app,
            Request::builder()
                .method(method.clone())
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_error_page(
            &reply,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{method} {uri}"),
        );
    }
}

#[tokio::test]
async fn a_private_like_shows_only_on_the_likers_own_page_and_a_rating_shows_as_stars() {
    let (db, app) = seeded().await;
    let (lennon, hendrix, morrison) = (1, 2, 3);
    // A fresh post by hendrix, and morrison follows lennon (his feed shows what lennon does).
    let reply = post(
        &app,
        "/posts",
        Some(hendrix),
        &[("title", "Little Wing"), ("body", "Well she's walking.")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let url = reply.location().to_owned();
    post(
        &app,
        "/unfollow",
        Some(morrison),
        &[("kind", "user"), ("id", "1")],
    )
    .await;
    let reply = post(
        &app,
        "/follow",
        Some(morrison),
        &[("kind", "user"), ("id", "1")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    // A rating outside 1 to 5 is a 400 and stores nothing.
    let before = actions(&db).await;
    for bad in ["0", "6", "many"] {
        let reply = post(
            &app,
            &format!("{url}/like"),
            Some(lennon),
            &[("stars", bad)],
        )
        .await;
        assert_error_page(&reply, StatusCode::BAD_REQUEST, bad);
    }
    assert_eq!(actions(&db).await, before);

    // lennon likes it privately with four stars.
    let reply = post(
        &app,
        &format!("{url}/like"),
        Some(lennon),
        &[("stars", "4"), ("private", "on"), ("next", url.as_str())],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(actions(&db).await, before + 1);
    let liked = format!("lennon</a> liked <a class=\"target\" href=\"{url}\">Little Wing</a>");

    // On lennon's own page, to lennon: the like, its stars, marked private.
    let own = get(&app, "/users/1", Some(lennon)).await;
    assert!(own.stream()[0].contains(&liked), "{}", own.stream()[0]);
    assert!(
        own.stream()[0].contains("<span class=\"rating\" title=\"4 of 5 stars\">★★★★☆</span>"),
        "{}",
        own.stream()[0]
    );
    assert!(
        own.stream()[0].contains("class=\"private\""),
        "{}",
        own.stream()[0]
    );
    // Nowhere else: not on his page to others, not on everyone's stream, the post's page or
    // its like count, not in the feed of someone who follows him.
    for (page, me) in [
        ("/users/1", Some(hendrix)),
        ("/users/1", None),
        ("/", Some(lennon)),
        (url.as_str(), Some(lennon)),
        ("/users/3/feed", Some(morrison)),
    ] {
        let reply = get(&app, page, me).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        assert!(
            reply.stream().iter().all(|line| !line.contains(&liked)),
            "{page} as {me:?}: {}",
            reply.body
        );
        assert!(!reply.body.contains("class=\"private\""), "{page}");
    }
    assert!(get(&app, &url, None).await.body.contains("0 likes<"));

    // hendrix likes it in public with two stars: everyone sees that one, with its stars.
    let reply = post(
        &app,
        &format!("{url}/like"),
        Some(hendrix),
        &[("stars", "2"), ("next", url.as_str())],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = get(&app, &url, Some(morrison)).await;
    assert!(page.body.contains("1 like<"), "{}", page.body);
    assert!(
        page.stream()[0].contains(&format!(
            "hendrix</a> liked <a class=\"target\" href=\"{url}\">Little Wing</a> <span class=\"rating\" title=\"2 of 5 stars\">★★☆☆☆</span>"
        )),
        "{}",
        page.stream()[0]
    );
    let newest = get(&app, "/", None).await;
    assert!(
        newest.stream()[0].contains("★★☆☆☆"),
        "{}",
        newest.stream()[0]
    );

    // The seed's likes carry ratings, and a few are private (everyone's stream leaves them
    // out: see `older_links_walk_the_whole_stream_once`).
    let private = db
        .scalar("SELECT count(*) FROM stream_action WHERE NOT public")
        .await;
    assert!(private > 10, "{private}");
    let rated = db
        .scalar("SELECT count(*) FROM stream_action WHERE data IS NOT NULL")
        .await;
    assert!(rated > 100, "{rated}");
}
