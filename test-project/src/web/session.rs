//! Who the visitor acts as: the "act as" chooser stores a user id in the `act_as` cookie.
//!
//! There are no passwords: this is a sample application, and choosing a user is how a
//! newcomer (or a browser test) tries the forms as different people.

use super::{AppState, WebError};
use crate::user;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use stream_core::sea_orm::EntityTrait;

/// The cookie holding the id of the user the visitor acts as.
pub const COOKIE_NAME: &str = "act_as";

/// The user the visitor acts as, if any (a cookie naming no existing user counts as none).
#[derive(Clone, Debug)]
pub struct Acting(pub Option<user::Model>);

impl Acting {
    /// The acting user, or the 403 that asks to choose one.
    pub fn required(self) -> Result<user::Model, WebError> {
        self.0.ok_or_else(WebError::nobody_acting)
    }
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Some(id) = cookie_user_id(&parts.headers) else {
            return Ok(Acting(None));
        };
        Ok(Acting(user::Entity::find_by_id(id).one(&state.db).await?))
    }
}

/// The user id in the `act_as` cookie, if there is a well-formed one.
fn cookie_user_id(headers: &HeaderMap) -> Option<i32> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| value.parse().ok())
}

/// The `Set-Cookie` header that makes the visitor act as `user`.
pub fn act_as(user: &user::Model) -> (axum::http::HeaderName, HeaderValue) {
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000",
        user.id
    );
    (
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("digits and ASCII only"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        headers
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(cookie_user_id(&headers("a=b; act_as=7; c=d")), Some(7));
        assert_eq!(cookie_user_id(&headers("act_as=x")), None);
        assert_eq!(cookie_user_id(&headers("other=7")), None);
        assert_eq!(cookie_user_id(&HeaderMap::new()), None);
    }
}
