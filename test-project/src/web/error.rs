//! Everything a request can get wrong, and the page that says so.
//!
//! A handler returns `Result<_, WebError>`; the error renders `templates/web/error.html` with
//! its status. Bad input is always a 4xx: an unknown id is 404, a malformed cursor or form
//! field 400, a form too large 413, a wrong method 405. Only a failing database is a 500.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use stream_core::StreamError;
use stream_core::sea_orm::DbErr;
use stream_templates::askama::Template;

/// Why a request failed, as the visitor should read it.
#[derive(Debug)]
pub struct WebError {
    /// The HTTP status.
    pub status: StatusCode,
    /// One sentence for the visitor.
    pub message: String,
}

impl WebError {
    /// A 404: `what` (e.g. "user 99") does not exist.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        WebError {
            status: StatusCode::NOT_FOUND,
            message: format!("There is no {what}."),
        }
    }

    /// A 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A 403: the form needs someone to act as.
    pub fn nobody_acting() -> Self {
        WebError {
            status: StatusCode::FORBIDDEN,
            message:
                "Choose who you are acting as (top right) before you post, comment, like or follow."
                    .into(),
        }
    }

    /// A 405.
    pub fn method_not_allowed() -> Self {
        WebError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "This page does not take that kind of request.".into(),
        }
    }

    /// A 500; the details go to the server's log, not to the visitor.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        eprintln!("error: {error}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Something went wrong on our side.".into(),
        }
    }
}

/// `templates/web/error.html`.
#[derive(Template)]
#[template(path = "web/error.html", askama = stream_templates::askama)]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

impl From<StreamError> for WebError {
    fn from(error: StreamError) -> Self {
        match error {
            StreamError::InvalidCursor(why) => {
                WebError::bad_request(format!("That \"Older\" link is broken ({why})."))
            }
            StreamError::MissingObject(_) => {
                WebError::bad_request("Something this refers to no longer exists.")
            }
            other => WebError::internal(other),
        }
    }
}

impl From<DbErr> for WebError {
    fn from(error: DbErr) -> Self {
        StreamError::from(error).into()
    }
}

impl From<FormRejection> for WebError {
    fn from(rejection: FormRejection) -> Self {
        rejected(rejection.status(), rejection.body_text())
    }
}

impl From<QueryRejection> for WebError {
    fn from(rejection: QueryRejection) -> Self {
        rejected(rejection.status(), rejection.body_text())
    }
}

impl From<PathRejection> for WebError {
    fn from(rejection: PathRejection) -> Self {
        // `/users/abc`: an id that is not a number is an id that does not exist.
        WebError {
            status: StatusCode::NOT_FOUND,
            message: format!("There is no such page ({}).", rejection.body_text()),
        }
    }
}

/// An extractor's rejection: its own 4xx status; anything else (never expected) as 400.
fn rejected(status: StatusCode, text: String) -> WebError {
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    WebError {
        status,
        message: text,
    }
}
