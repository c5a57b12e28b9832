//! The web application's Activity Streams (`/api/..`) and Atom (`../atom`) routes, request
//! by request against the router on SQLite: each answers in its media type, parses, names
//! every action of its HTML page's stream once across its `next` pages, keeps its ids from
//! one read to the next, and answers a bad cursor with 400 and an unknown object with 404.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use stream_core::BaseUrl;
use stream_core::prelude::*;
use stream_core::sea_orm::{EntityTrait, QueryOrder, Select};
use test_project::{action, follow, group, post, user, web};
use tower::ServiceExt;

const BASE: &str = "https://stream.example";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }
}

async fn get_with(app: &Router, uri: &str, host: Option<&str>) -> Reply {
    let mut builder = Request::get(uri);
    if let Some(host) = host {
        builder = builder.header(header::HOST, host);
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::empty()).unwrap())
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

async fn get(app: &Router, uri: &str) -> Reply {
    get_with(app, uri, None).await
}

/// The seeded site, served at [`BASE`].
async fn seeded() -> (common::TestDb, Router) {
    let db = common::sqlite().await;
    test_project::seed::seed(&db, chrono::Utc::now())
        .await
        .expect("seed");
    let app = web::router_at(db.db.clone(), BaseUrl::new(BASE).unwrap());
    (db, app)
}

/// The action id at the end of an activity IRI.
fn action_id(iri: &str) -> i64 {
    let id = iri
        .strip_prefix(&format!("{BASE}/activities/"))
        .unwrap_or_else(|| panic!("an activity IRI under the base: {iri}"));
    id.parse().expect("an action id")
}

/// One page of a route in either format: its action ids and its `next` and `prev` URLs.
struct FormatPage {
    ids: Vec<i64>,
    next: Option<String>,
    /// Only in Activity Streams: Atom has no `prev` here.
    prev: Option<String>,
}

fn read_json(reply: &Reply, route: &str) -> FormatPage {
    assert_eq!(reply.status, StatusCode::OK, "{route}: {}", reply.body);
    assert_eq!(reply.content_type(), "application/activity+json", "{route}");
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(json["@context"], "https://www.w3.org/ns/activitystreams");
    assert_eq!(json["type"], "OrderedCollectionPage", "{route}");
    let path = route.split('?').next().unwrap();
    assert_eq!(json["partOf"], format!("{BASE}{path}"), "{route}");
    assert_eq!(json["id"], format!("{BASE}{route}"), "{route}");
    let items = json["orderedItems"].as_array().expect("orderedItems");
    for item in items {
        for key in ["id", "type", "actor", "published", "summary"] {
            assert!(item.get(key).is_some(), "{route}: {key} in {item:#}");
        }
        assert!(item["actor"]["id"].as_str().unwrap().starts_with(BASE));
    }
    FormatPage {
        ids: items
            .iter()
            .map(|item| action_id(item["id"].as_str().unwrap()))
            .collect(),
        next: json["next"].as_str().map(str::to_owned),
        prev: json["prev"].as_str().map(str::to_owned),
    }
}

fn read_atom(reply: &Reply, route: &str) -> FormatPage {
    assert_eq!(reply.status, StatusCode::OK, "{route}: {}", reply.body);
    assert_eq!(reply.content_type(), "application/atom+xml", "{route}");
    let feed = feed_rs::parser::parse(reply.body.as_bytes()).expect("a valid Atom feed");
    let path = route.split('?').next().unwrap();
    assert_eq!(feed.id, format!("{BASE}{path}"), "{route}");
    assert!(feed.title.is_some() && feed.updated.is_some(), "{route}");
    let link = |rel: &str| {
        feed.links
            .iter()
            .find(|link| link.rel.as_deref() == Some(rel))
            .map(|link| link.href.clone())
    };
    assert_eq!(link("self"), Some(format!("{BASE}{route}")), "{route}");
    let html = path
        .strip_suffix("/atom")
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    assert_eq!(link("alternate"), Some(format!("{BASE}{html}")), "{route}");
    for entry in &feed.entries {
        assert!(entry.title.as_ref().is_some_and(|t| !t.content.is_empty()));
        assert!(
            entry
                .content
                .as_ref()
                .and_then(|c| c.body.as_ref())
                .is_some()
        );
        assert!(entry.published.is_some() && entry.updated.is_some());
        assert!(entry.authors[0].name.is_some(), "{route}");
    }
    FormatPage {
        ids: feed
            .entries
            .iter()
            .map(|entry| action_id(&entry.id))
            .collect(),
        next: link("next"),
        prev: None,
    }
}

/// Every page of `route` by its `next` links: the action ids, in order. In Activity Streams,
/// each page's `prev` link leads back to exactly the page before it, and the first has none.
async fn walk(app: &Router, route: &str, atom: bool) -> Vec<i64> {
    let mut pages: Vec<FormatPage> = Vec::new();
    let mut at = route.to_owned();
    loop {
        let reply = get(app, &at).await;
        let page = if atom {
            read_atom(&reply, &at)
        } else {
            read_json(&reply, &at)
        };
        assert!(page.ids.len() <= 20, "{at}: a page of at most 20");
        if !atom {
            match pages.last() {
                None => assert_eq!(page.prev, None, "{at}: the first page has no prev"),
                Some(before) => {
                    let prev = page.prev.as_deref().expect("a later page has prev");
                    let back = relative(prev);
                    assert_eq!(
                        read_json(&get(app, back).await, back).ids,
                        before.ids,
                        "{prev}"
                    );
                }
            }
        }
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(next) => at = relative(&next).to_owned(),
            None => return pages.into_iter().flat_map(|page| page.ids).collect(),
        }
    }
}

/// A link's path under [`BASE`].
fn relative(link: &str) -> &str {
    link.strip_prefix(BASE)
        .unwrap_or_else(|| panic!("links are absolute under the base: {link}"))
}

async fn ids(db: &common::TestDb, select: Select<action::Entity>) -> Vec<i64> {
    select
        .all(&**db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect()
}

/// Each route shows what its HTML page shows: the whole stream, newest first, each action
/// once — checked against the stream written out here with the library's lookups.
#[tokio::test]
async fn every_route_walks_its_pages_stream_whole_in_both_formats() {
    let (db, app) = seeded().await;
    let user = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    let group = group::Entity::find()
        .order_by_asc(group::Column::Id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    let post = post::Entity::find()
        .order_by_asc(post::Column::Id)
        .one(&*db)
        .await
        .unwrap()
        .unwrap();
    let streams = [
        ("", "/api/everyone", "/atom", action::Entity::stream()),
        (
            "user",
            &*format!("/api/users/{}", user.id),
            &*format!("/users/{}/atom", user.id),
            action::Entity::for_actor(&user),
        ),
        (
            "feed",
            &*format!("/api/users/{}/feed", user.id),
            &*format!("/users/{}/feed/atom", user.id),
            action::Entity::followed_by_in::<follow::Entity>(
                &user,
                &[Role::Actor, Role::Target, Role::ActionObject],
            ),
        ),
        (
            "group",
            &*format!("/api/groups/{}", group.id),
            &*format!("/groups/{}/atom", group.id),
            action::Entity::involving(&group),
        ),
        (
            "post",
            &*format!("/api/posts/{}", post.id),
            &*format!("/posts/{}/atom", post.id),
            action::Entity::involving(&post),
        ),
    ];
    for (what, json, atom, select) in streams {
        // The documents are public: private actions never show in them.
        let expected = ids(&db, select.public_only()).await;
        // A post has fewer actions than a page (17 for the first); the others span pages.
        let least = if what == "post" { 2 } else { 21 };
        assert!(
            expected.len() >= least,
            "{what}: {} actions",
            expected.len()
        );
        assert_eq!(walk(&app, json, false).await, expected, "{json}");
        assert_eq!(walk(&app, atom, true).await, expected, "{atom}");
    }
}

/// Two reads give the same documents: ids, texts and dates are the actions', not the
/// time of the request.
#[tokio::test]
async fn two_reads_give_the_same_documents() {
    let (_db, app) = seeded().await;
    for route in [
        "/api/everyone",
        "/atom",
        "/api/users/2",
        "/users/2/feed/atom",
    ] {
        let first = get(&app, route).await;
        let second = get(&app, route).await;
        assert_eq!(first.status, StatusCode::OK, "{route}");
        assert_eq!(first.body, second.body, "{route}");
    }
    let json = read_json(&get(&app, "/api/everyone").await, "/api/everyone");
    let atom = read_atom(&get(&app, "/atom").await, "/atom");
    assert_eq!(json.ids, atom.ids, "an entry's id is its activity's id");
}

/// An `/api/..` error is JSON with a sentence; an Atom route's is the site's HTML error page.
fn assert_error_body(reply: &Reply, route: &str) {
    if route.starts_with("/api/") {
        assert_eq!(reply.content_type(), "application/json", "{route}");
        let json: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
        assert!(
            json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{route}: {json}"
        );
    } else {
        assert!(reply.content_type().starts_with("text/html"), "{route}");
    }
}

const ROUTES: [&str; 10] = [
    "/api/everyone",
    "/api/users/1",
    "/api/users/1/feed",
    "/api/groups/1",
    "/api/posts/1",
    "/atom",
    "/users/1/atom",
    "/users/1/feed/atom",
    "/groups/1/atom",
    "/posts/1/atom",
];

#[tokio::test]
async fn a_bad_cursor_is_400_on_every_route() {
    let (_db, app) = seeded().await;
    let first = read_json(&get(&app, "/api/everyone").await, "/api/everyone");
    let good = first.next.unwrap();
    let good = good.split("after=").nth(1).unwrap().to_owned();
    // The same cursor with its last digit changed: the checksum catches it.
    let last = good.chars().last().unwrap();
    let edited = format!(
        "{}{}",
        &good[..good.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    for route in ROUTES {
        for cursor in ["nonsense", "00", edited.as_str(), "%FF"] {
            let reply = get(&app, &format!("{route}?after={cursor}")).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{route}?after={cursor}"
            );
        }
        let reply = get(&app, &format!("{route}?after={good}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{route} with a good cursor");
    }
}

#[tokio::test]
async fn an_unknown_object_is_404_on_every_route() {
    let (_db, app) = seeded().await;
    for route in ROUTES.iter().filter(|route| route.contains("/1")) {
        for id in ["999999", "abc", "-1"] {
            let uri = route.replacen("/1", &format!("/{id}"), 1);
            let reply = get(&app, &uri).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
            assert_error_body(&reply, route);
        }
    }
}

/// The `next` links and every IRI come from the configured base URL: a request's `Host`
/// header is the client's to choose.
#[tokio::test]
async fn urls_come_from_the_base_url_not_the_host_header() {
    let (_db, app) = seeded().await;
    let reply = get_with(&app, "/api/everyone", Some("evil.example")).await;
    assert!(!reply.body.contains("evil.example"), "{}", reply.body);
    let page = read_json(&reply, "/api/everyone");
    assert!(
        page.next
            .unwrap()
            .starts_with(&format!("{BASE}/api/everyone?after="))
    );
    let reply = get_with(&app, "/atom", Some("evil.example")).await;
    assert!(!reply.body.contains("evil.example"));
}

/// Every HTML page with a stream names its two other formats in its `<head>`.
#[tokio::test]
async fn html_pages_link_their_feeds() {
    let (_db, app) = seeded().await;
    for (page, atom, json) in [
        ("/", "/atom", "/api/everyone"),
        ("/users/1", "/users/1/atom", "/api/users/1"),
        ("/users/1/feed", "/users/1/feed/atom", "/api/users/1/feed"),
        ("/groups/1", "/groups/1/atom", "/api/groups/1"),
        ("/posts/1", "/posts/1/atom", "/api/posts/1"),
    ] {
        let reply = get(&app, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        let head = reply.body.split("</head>").next().unwrap();
        assert!(
            head.contains(&format!(
                r#"<link rel="alternate" type="application/atom+xml" title="Atom" href="{atom}">"#
            )),
            "{page}: {head}"
        );
        assert!(
            head.contains(&format!(
                r#"<link rel="alternate" type="application/activity+json" title="Activity Streams" href="{json}">"#
            )),
            "{page}: {head}"
        );
    }
}
