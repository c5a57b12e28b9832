//! The sample application as a web site: the router, its handlers, forms and error pages.
//!
//! | route | |
//! |---|---|
//! | `GET /` | everyone's actions, newest first; the post form |
//! | `GET /users/{id}` | a user's own actions; follow / unfollow |
//! | `GET /users/{id}/feed` | the user's followed stream (from Redis timelines when the site runs with them; the `X-Stream-Source` header and an HTML comment say `redis`, `redis+sql` or `sql`) |
//! | `GET /groups/{id}`, `GET /posts/{id}` | everything involving the group or post |
//! | `POST /posts`, `/posts/{id}/comments`, `/posts/{id}/like` | post, comment, like |
//! | `POST /posts/{id}/unlike` | retract the visitor's like |
//! | `POST /follow`, `/unfollow` | follow or unfollow a user, group or post (unfollow retracts the action of the follow) |
//! | `GET /events`, `/users/{id}/events`, `/users/{id}/feed/events`, `/groups/{id}/events`, `/posts/{id}/events` | each stream page's new and retracted actions, live (server-sent events, see [`live`]) |
//! | `POST /act-as` | choose the user the visitor acts as (a cookie) |
//! | `GET /notifications`, `GET /notifications/count`, `POST /notifications/seen`, `/notifications/read`, `/notifications/{id}/read` | the acting user's inbox, its counts as JSON, and marking seen / read (see [`notifications`]) |
//! | `GET /api/everyone`, `/api/users/{id}`, `/api/users/{id}/feed`, `/api/groups/{id}`, `/api/posts/{id}` | each stream as Activity Streams 2.0 JSON |
//! | `GET /atom`, `/users/{id}/atom`, `/users/{id}/feed/atom`, `/groups/{id}/atom`, `/posts/{id}/atom` | each stream as an Atom feed |
//!
//! Every stream takes `?after=<cursor>` for its older pages. Bad input gets a 4xx page (see
//! [`WebError`]), never a 500. The JSON and Atom formats (see [`formats`]) write absolute
//! URLs from the [`BaseUrl`] the site is served under.

mod error;
pub mod formats;
pub mod forms;
mod handlers;
pub mod live;
pub mod notifications;
pub mod pages;
pub mod session;
pub mod streams;

pub use error::WebError;
pub use streams::{FeedTimelines, feed_timelines};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use stream_core::BaseUrl;
use stream_core::sea_orm::DatabaseConnection;

/// Actions per page of every stream.
pub const PAGE_SIZE: u64 = 20;

/// Where the site is served when nothing else is said: the default address of `main`.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:3000";

/// What every handler gets: the database, and the URL the site is served under.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The origin of the absolute URLs in the Activity Streams and Atom formats; configured,
    /// since a request's `Host` header is whatever the client says.
    pub base: BaseUrl,
    /// The followed streams' timelines on Redis, when the site runs with them (`--redis`).
    pub timelines: Option<FeedTimelines>,
}

/// The whole site, over `db` (migrated; seeded or not), served at [`DEFAULT_BASE_URL`].
pub fn router(db: DatabaseConnection) -> Router {
    let base = BaseUrl::new(DEFAULT_BASE_URL).expect("the default base URL is valid");
    router_at(db, base)
}

/// The whole site, over `db`, served at `base` (the Activity Streams and Atom links use it).
pub fn router_at(db: DatabaseConnection, base: BaseUrl) -> Router {
    router_with(db, base, None)
}

/// The whole site, over `db`, served at `base`, its followed streams read from `timelines`
/// when given.
pub fn router_with(
    db: DatabaseConnection,
    base: BaseUrl,
    timelines: Option<FeedTimelines>,
) -> Router {
    Router::new()
        .route("/", get(handlers::home))
        .route("/style.css", get(handlers::style))
        .route("/users/{id}", get(handlers::user_page))
        .route("/users/{id}/feed", get(handlers::feed_page))
        .route("/groups/{id}", get(handlers::group_page))
        .route("/posts", post(handlers::new_post))
        .route("/posts/{id}", get(handlers::post_page))
        .route("/posts/{id}/comments", post(handlers::new_comment))
        .route("/posts/{id}/like", post(handlers::like))
        .route("/posts/{id}/unlike", post(handlers::unlike))
        .route("/events", get(live::everyone))
        .route("/users/{id}/events", get(live::user))
        .route("/users/{id}/feed/events", get(live::feed))
        .route("/groups/{id}/events", get(live::group))
        .route("/posts/{id}/events", get(live::post))
        .route("/follow", post(handlers::follow))
        .route("/unfollow", post(handlers::unfollow))
        .route("/act-as", post(handlers::act_as))
        .route("/notifications", get(notifications::page))
        .route("/notifications/count", get(notifications::count))
        .route("/notifications/events", get(notifications::events))
        .route("/notifications/seen", post(notifications::seen))
        .route("/notifications/read", post(notifications::read))
        .route("/notifications/{id}/read", post(notifications::read_one))
        .route("/api/everyone", get(formats::api_everyone))
        .route("/api/users/{id}", get(formats::api_user))
        .route("/api/users/{id}/feed", get(formats::api_feed))
        .route("/api/groups/{id}", get(formats::api_group))
        .route("/api/posts/{id}", get(formats::api_post))
        .route("/atom", get(formats::atom_everyone))
        .route("/users/{id}/atom", get(formats::atom_user))
        .route("/users/{id}/feed/atom", get(formats::atom_feed))
        .route("/groups/{id}/atom", get(formats::atom_group))
        .route("/posts/{id}/atom", get(formats::atom_post))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(forms::MAX_FORM_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            handlers::panicked,
        ))
        .with_state(AppState {
            db,
            base,
            timelines,
        })
}

/// Serve the site on `listener` until Ctrl-C, its absolute links under `base`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
    base: BaseUrl,
) -> std::io::Result<()> {
    serve_with(listener, db, base, None).await
}

/// [`serve`], the followed streams read from `timelines` when given.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
    base: BaseUrl,
    timelines: Option<FeedTimelines>,
) -> std::io::Result<()> {
    axum::serve(listener, router_with(db, base, timelines))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
