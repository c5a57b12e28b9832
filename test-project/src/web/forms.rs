//! The forms: what each accepts, and the limits that keep bad input out of the database.

use super::WebError;
use serde::Deserialize;

/// The longest post title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest post body, in characters.
pub const MAX_BODY: usize = 10_000;
/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 2_000;
/// The longest `next` path a form may send back to.
pub const MAX_NEXT: usize = 2_000;
/// The largest form body accepted, in bytes (more is a 413).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// `POST /act-as`: act as another user.
#[derive(Debug, Deserialize)]
pub struct ActAs {
    /// The user's id.
    pub user_id: i32,
    /// Where to go back to.
    #[serde(default)]
    pub next: String,
}

/// `POST /posts`: write a post, optionally in a group.
#[derive(Debug, Deserialize)]
pub struct NewPost {
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// The group posted in; empty for none.
    #[serde(default)]
    pub group_id: String,
    /// Where to go back to; empty for the new post's page.
    #[serde(default)]
    pub next: String,
}

/// `POST /posts/{id}/comments`.
#[derive(Debug, Deserialize)]
pub struct NewComment {
    /// The text.
    pub body: String,
}

/// `POST /posts/{id}/like`: a rating, whether only the liker sees it, and where to go back to.
#[derive(Debug, Deserialize)]
pub struct Like {
    /// `1` to `5` stars, or empty for a like without a rating.
    #[serde(default)]
    pub stars: String,
    /// Present (a checked box) for a private like, which shows only on the liker's own page.
    #[serde(default)]
    pub private: Option<String>,
    /// Where to go back to.
    #[serde(default)]
    pub next: String,
}

/// `POST /posts/{id}/unlike`: where to go back to.
#[derive(Debug, Deserialize)]
pub struct Unlike {
    /// Where to go back to.
    #[serde(default)]
    pub next: String,
}

/// The optional rating of a like form: empty for none, else 1 to 5 stars.
pub fn rating(text: &str) -> Result<Option<crate::Rating>, WebError> {
    match text.trim() {
        "" => Ok(None),
        stars => stars
            .parse()
            .ok()
            .and_then(crate::Rating::new)
            .map(Some)
            .ok_or_else(|| {
                WebError::bad_request(format!(
                    "A rating is {} to {} stars.",
                    crate::Rating::MIN,
                    crate::Rating::MAX
                ))
            }),
    }
}

/// What a follow form is about.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A user.
    User,
    /// A group.
    Group,
    /// A post.
    Post,
}

/// `POST /follow` and `POST /unfollow`.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    /// What kind of object.
    pub kind: Kind,
    /// Its id.
    pub id: i32,
    /// Where to go back to.
    #[serde(default)]
    pub next: String,
}

/// `text` with its ends trimmed, if it is not empty and at most `max` characters.
pub fn text(field: &str, text: &str, max: usize) -> Result<String, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(WebError::bad_request(format!("The {field} is empty.")));
    }
    let length = text.chars().count();
    if length > max {
        return Err(WebError::bad_request(format!(
            "The {field} is too long: {length} characters, at most {max}."
        )));
    }
    Ok(text.to_owned())
}

/// The optional group id of a form: empty for none.
pub fn optional_id(field: &str, text: &str) -> Result<Option<i32>, WebError> {
    match text.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| WebError::bad_request(format!("The {field} is not a number."))),
    }
}

/// Where to redirect after a form: `next` if it is a path of this site, else `fallback`.
pub fn next_or(next: &str, fallback: impl Into<String>) -> Result<String, WebError> {
    if next.is_empty() {
        return Ok(fallback.into());
    }
    if next.len() > MAX_NEXT {
        return Err(WebError::bad_request("The return address is too long."));
    }
    // Only local paths: `//host` and `/\host` would leave the site.
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    if !local {
        return Err(WebError::bad_request(
            "The return address is not on this site.",
        ));
    }
    Ok(next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("title", "  Imagine ", 10).unwrap(), "Imagine");
        assert_eq!(text("title", "   ", 10).unwrap_err().status, 400);
        assert_eq!(text("title", &"é".repeat(11), 10).unwrap_err().status, 400);
        assert_eq!(text("title", &"é".repeat(10), 10).unwrap(), "é".repeat(10));
    }

    #[test]
    fn a_rating_is_one_to_five_stars_or_none() {
        assert_eq!(rating("").unwrap(), None);
        assert_eq!(rating(" 4 ").unwrap(), crate::Rating::new(4));
        for bad in ["0", "6", "four", "-1", "300"] {
            assert_eq!(rating(bad).unwrap_err().status, 400, "{bad:?}");
        }
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(next_or("", "/posts/1").unwrap(), "/posts/1");
        assert_eq!(next_or("/users/2", "/").unwrap(), "/users/2");
        for bad in ["https://evil.example", "//evil.example", "/\\evil", "/a\nb"] {
            assert!(next_or(bad, "/").is_err(), "{bad:?}");
        }
    }
}
