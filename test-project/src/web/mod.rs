//! The sample application as a web site: the router, its handlers, forms and error pages.
//!
//! | route | |
//! |---|---|
//! | `GET /` | everyone's actions, newest first; the post form |
//! | `GET /users/{id}` | a user's own actions; follow / unfollow |
//! | `GET /users/{id}/feed` | the user's followed stream |
//! | `GET /groups/{id}`, `GET /posts/{id}` | everything involving the group or post |
//! | `POST /posts`, `/posts/{id}/comments`, `/posts/{id}/like` | post, comment, like |
//! | `POST /follow`, `/unfollow` | follow or unfollow a user, group or post |
//! | `POST /act-as` | choose the user the visitor acts as (a cookie) |
//!
//! Every stream takes `?after=<cursor>` for its older pages. Bad input gets a 4xx page (see
//! [`WebError`]), never a 500.

mod error;
pub mod forms;
mod handlers;
pub mod pages;
pub mod session;

pub use error::WebError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use stream_core::sea_orm::DatabaseConnection;

/// Actions per page of every stream.
pub const PAGE_SIZE: u64 = 20;

/// What every handler gets: the database.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
}

/// The whole site, over `db` (migrated; seeded or not).
pub fn router(db: DatabaseConnection) -> Router {
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
        .route("/follow", post(handlers::follow))
        .route("/unfollow", post(handlers::unfollow))
        .route("/act-as", post(handlers::act_as))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(forms::MAX_FORM_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            handlers::panicked,
        ))
        .with_state(AppState { db })
}

/// Serve the site on `listener` until Ctrl-C.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
) -> std::io::Result<()> {
    axum::serve(listener, router(db))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
