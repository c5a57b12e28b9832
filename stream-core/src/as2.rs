//! How models, verbs and loaded actions describe themselves in Activity Streams 2.0 terms,
//! and how their paths become absolute IRIs.
//!
//! These traits are always compiled, so that the derives can implement them whatever the
//! features; the JSON output is [`activitystreams`](crate::activitystreams) (feature
//! `activitystreams`) and the feeds are [`atom`](crate::atom) (feature `atom`).

use crate::{ActionEntity, Verb};
use sea_orm::{EntityTrait, Value};
use std::borrow::Cow;

/// A model as an Activity Streams 2.0 object: its `type`, `name`, `id` and `url`.
///
/// `#[derive(Streamable)]` implements it from `#[stream(as2(..))]`:
///
/// ```
/// # pub mod user {
/// # use stream_core::sea_orm::{self, entity::prelude::*};
/// #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #[sea_orm(table_name = "user")]
/// #[stream(actor, as2(type = "Person", name = "username", id = "/api/users/{id}", url = "/users/{id}"))]
/// pub struct Model {
///     #[sea_orm(primary_key)]
///     pub id: i32,
///     pub username: String,
/// }
/// # #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// # pub enum Relation {}
/// # impl ActiveModelBehavior for ActiveModel {}
/// # }
/// use stream_core::As2Object;
/// let lennon = user::Model { id: 7, username: "lennon".into() };
/// assert_eq!(lennon.as2_type(), "Person");
/// assert_eq!(lennon.as2_name(), "lennon");
/// assert_eq!(lennon.as2_id(), "/api/users/7");
/// assert_eq!(lennon.as2_url().as_deref(), Some("/users/7"));
/// ```
///
/// Every key is optional: `type` defaults to `Object`, `name` to the model's `display`
/// (see [`Streamable::fmt_display`](crate::Streamable::fmt_display)), `id` to
/// `/<stream name>/<primary key>` (`/user/7`) or, when only `url` is given, to the `url`; an
/// object without `url` has none. In `id` and `url`, `{field}` is the `Display` of that field,
/// percent-encoded as a path segment. Paths are made absolute by the [`Iri`] of the output.
///
/// For full control, write `#[stream(actor, as2(manual))]` and implement this trait by hand;
/// with the `activitystreams` feature, overriding `to_as2` sets any property.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Activity Streams 2.0 form",
    label = "not an `As2Object`",
    note = "`#[derive(Streamable)]` implements `As2Object`; with `#[stream(as2(manual))]` implement it by hand"
)]
pub trait As2Object {
    /// The object's type: an Activity Streams type (`Person`, `Note`, `Group`, ..) or an
    /// absolute IRI of an extension type.
    fn as2_type(&self) -> Cow<'static, str>;

    /// The object's `name`, plain text.
    fn as2_name(&self) -> String;

    /// The object's `id`: a path of this application (`/api/users/7`) or an absolute IRI.
    fn as2_id(&self) -> String;

    /// Where a person reads the object (`url`): a path or an absolute URL, if any.
    fn as2_url(&self) -> Option<String> {
        None
    }

    /// The whole object as the JSON output writes it; override it to add or change any
    /// property (`summary`, `icon`, `attributedTo` ..) through `extra`.
    #[cfg(feature = "activitystreams")]
    fn to_as2(&self, iri: &dyn Iri) -> crate::activitystreams::Object {
        crate::activitystreams::Object::of(self, iri)
    }
}

/// A role's model as the formats see it: an [`As2Object`] that also shows itself as rendered
/// actions do. Implemented for every `Streamable` model.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Activity Streams 2.0 form, so the action entity cannot list it",
    label = "lists a model without `As2Object`",
    note = "a model with `#[stream(as2(manual))]` needs `impl stream_core::As2Object for Model {{ .. }}` written by hand; without `manual`, the derive writes it"
)]
pub trait StreamObject: As2Object {
    /// The model as `#[stream(display ..)]` shows it (see
    /// [`Streamable::fmt_display`](crate::Streamable::fmt_display)).
    fn shown(&self) -> String;
}

impl<T: As2Object + crate::Streamable> StreamObject for T {
    fn shown(&self) -> String {
        default_name(self)
    }
}

/// A hydrated action (the generated `Loaded`) as the formats read it: the action row and its
/// roles' models. `action_entity!` implements it.
pub trait LoadedAction {
    /// The action entity.
    type Entity: ActionEntity;
    /// The action row.
    fn action(&self) -> &<Self::Entity as EntityTrait>::Model;
    /// What the actor did.
    fn verb(&self) -> &<Self::Entity as ActionEntity>::Verb;
    /// The action's free-text description.
    fn description(&self) -> Option<&str>;
    /// Who did it.
    fn actor(&self) -> &dyn StreamObject;
    /// What it was done to.
    fn target(&self) -> Option<&dyn StreamObject>;
    /// What it was done with.
    fn action_object(&self) -> Option<&dyn StreamObject>;

    /// The Activity Streams `object` of the action: its action object if it has one ("alice
    /// added *photo 3* to album 9"), else its target ("lennon followed *hendrix*").
    fn as2_object(&self) -> Option<&dyn StreamObject> {
        self.action_object().or_else(|| self.target())
    }

    /// The Activity Streams `target`: the target, when the action object is the `object`.
    fn as2_target(&self) -> Option<&dyn StreamObject> {
        self.action_object().and(self.target())
    }

    /// The action's id.
    fn id(&self) -> i64 {
        Self::Entity::action_id(self.action())
    }

    /// When it happened.
    fn timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        Self::Entity::action_timestamp(self.action())
    }

    /// The action as one line of plain text: `lennon followed hendrix`, `alice commented on
    /// comment 3 on post 7`. Applications with templates (`stream-templates`' `render_text`)
    /// usually pass their own text to the formats instead.
    fn summary(&self) -> String {
        let mut text = format!("{} {}", self.actor().shown(), self.verb().label());
        if let Some(object) = self.action_object() {
            text.push(' ');
            text.push_str(&object.shown());
            if let Some(target) = self.target() {
                text.push_str(" on ");
                text.push_str(&target.shown());
            }
        } else if let Some(target) = self.target() {
            text.push(' ');
            text.push_str(&target.shown());
        }
        text
    }
}

/// Turns the paths of this application into absolute IRIs for the formats.
///
/// [`BaseUrl`] is the usual one; implement it to put objects and activities elsewhere.
pub trait Iri {
    /// `path` (starting with `/`) as an absolute IRI; an absolute IRI (`https:..`,
    /// `tag:..`) stays as it is.
    fn absolute(&self, path: &str) -> String;

    /// The `id` of the activity of action `id` (also the Atom entry id): by default the path
    /// `/activities/{id}` of [`absolute`](Self::absolute).
    fn activity(&self, id: i64) -> String {
        self.absolute(&format!("/activities/{id}"))
    }
}

/// The origin (and optional path prefix) of an application, e.g. `https://example.org` or
/// `https://example.org/social`: makes `/users/7` into `https://example.org/social/users/7`.
///
/// Configure it: a request's `Host` header is chosen by the client, so an IRI built from it
/// would let anyone make the application name other sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// `url` must be `http://` or `https://`, with a host, and without query or fragment; a
    /// trailing `/` is dropped.
    pub fn new(url: &str) -> Result<Self, crate::StreamError> {
        let invalid = |why: &'static str| crate::StreamError::InvalidBaseUrl {
            url: url.to_owned(),
            why,
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| invalid("it must start with http:// or https://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(invalid("it has no host"));
        }
        if url.contains(['?', '#']) {
            return Err(invalid("it must have no query or fragment"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("it contains spaces or control characters"));
        }
        Ok(BaseUrl(url.trim_end_matches('/').to_owned()))
    }

    /// The URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = crate::StreamError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        BaseUrl::new(url)
    }
}

impl Iri for BaseUrl {
    fn absolute(&self, path: &str) -> String {
        if is_absolute(path) {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{path}", self.0)
        } else {
            format!("{}/{path}", self.0)
        }
    }
}

impl<T: Iri + ?Sized> Iri for &T {
    fn absolute(&self, path: &str) -> String {
        (**self).absolute(path)
    }

    fn activity(&self, id: i64) -> String {
        (**self).activity(id)
    }
}

/// `collection?after=<cursor>` (`&after=` when it has a query already): the URL of a page.
pub fn page_url(collection: &str, after: &crate::Cursor) -> String {
    let separator = if collection.contains('?') { '&' } else { '?' };
    format!("{collection}{separator}after={after}")
}

/// Whether `iri` has a scheme (`https:`, `tag:`, `urn:`): letters, digits, `+ - .`, then `:`.
pub(crate) fn is_absolute(iri: &str) -> bool {
    match iri.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `text` percent-encoded as one path segment: everything but RFC 3986's unreserved
/// characters is escaped, so a `/` or `?` in a username cannot change the path.
pub fn path_segment(text: &dyn std::fmt::Display) -> String {
    let text = text.to_string();
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A primary key as text for a default object id: integers and strings as themselves,
/// anything else as its debug form.
pub(crate) fn key_text(key: Value) -> String {
    match key {
        Value::TinyInt(Some(n)) => n.to_string(),
        Value::SmallInt(Some(n)) => n.to_string(),
        Value::Int(Some(n)) => n.to_string(),
        Value::BigInt(Some(n)) => n.to_string(),
        Value::TinyUnsigned(Some(n)) => n.to_string(),
        Value::SmallUnsigned(Some(n)) => n.to_string(),
        Value::Unsigned(Some(n)) => n.to_string(),
        Value::BigUnsigned(Some(n)) => n.to_string(),
        Value::String(Some(text)) => text,
        other => format!("{other:?}"),
    }
}

/// The derive's default `id`: `/<stream name>/<primary key>`.
pub(crate) fn default_id<M: crate::Streamable>(model: &M) -> String {
    format!(
        "/{}/{}",
        path_segment(&M::STREAM_NAME),
        path_segment(&key_text(model.stream_pk().into()))
    )
}

/// The derive's default `name`: the model as `display` shows it.
pub(crate) fn default_name<M: crate::Streamable>(model: &M) -> String {
    struct Shown<'a, M>(&'a M);
    impl<M: crate::Streamable> std::fmt::Display for Shown<'_, M> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt_display(f)
        }
    }
    Shown(model).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            BaseUrl::new("https://example.org/").unwrap().as_str(),
            "https://example.org"
        );
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://",
            "https:///users",
            "https://example.org/?a=b",
            "https://example.org/#top",
            "https://exa mple.org",
        ] {
            assert!(BaseUrl::new(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn paths_become_absolute_and_absolute_iris_stay() {
        let base = BaseUrl::new("https://example.org/social").unwrap();
        assert_eq!(
            base.absolute("/users/7"),
            "https://example.org/social/users/7"
        );
        assert_eq!(
            base.absolute("users/7"),
            "https://example.org/social/users/7"
        );
        assert_eq!(
            base.absolute("tag:example.org,2026:7"),
            "tag:example.org,2026:7"
        );
        assert_eq!(
            base.activity(12),
            "https://example.org/social/activities/12"
        );
    }

    #[test]
    fn path_segments_cannot_escape_their_segment() {
        assert_eq!(path_segment(&"a b/../?x#é"), "a%20b%2F..%2F%3Fx%23%C3%A9");
        assert_eq!(path_segment(&7), "7");
    }
}
