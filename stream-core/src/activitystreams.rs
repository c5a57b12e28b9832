//! Actions as [Activity Streams 2.0](https://www.w3.org/TR/activitystreams-core/) JSON
//! (feature `activitystreams`): an action is an [`Activity`], a stream page an
//! [`OrderedCollectionPage`].
//!
//! The types are written here by hand, with serde: every Rust crate of the vocabulary is
//! GPL or AGPL. They cover what this library writes (and read it back); properties of
//! extensions go in the `extra` map of each type.
//!
//! ```
//! use stream_core::activitystreams::{Activity, OrderedCollectionPage};
//! use stream_core::prelude::*;
//! use stream_core::BaseUrl;
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target, display = "username", as2(type = "Person", url = "/users/{id}"))]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "followed")] #[verb(as2 = "Follow")] Followed }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let lennon = named("lennon").insert(&db).await?;
//! # let hendrix = named("hendrix").insert(&db).await?;
//! # action::Entity::send(&db, &lennon, Verb::Followed).target(&hendrix).await?;
//! let base = BaseUrl::new("https://example.org")?;
//! let page = action::Entity::for_actor(&lennon).page(None, 20).hydrated(&db).await?;
//! let json = OrderedCollectionPage::of(&page, "/users/1/activities", None, &base);
//! let text = serde_json::to_string(&json)?; // served as `application/activity+json`
//! # let json: serde_json::Value = serde_json::from_str(&text)?;
//! # assert_eq!(json["orderedItems"][0]["type"], "Follow");
//! # assert_eq!(json["orderedItems"][0]["object"]["url"], "https://example.org/users/2");
//! # Ok(())
//! # }
//! ```
//!
//! An action's `object` is its action object if it has one, else its target; its `target`
//! is then the target ("alice added *photo 3* to *album 9*"; "lennon followed *hendrix*").

pub use crate::as2::page_url;
use crate::as2::{As2Object, Iri, LoadedAction};
use crate::{Cursor, Page};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The JSON-LD context of Activity Streams 2.0, the `@context` of every document.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The media type to serve Activity Streams 2.0 with.
pub const MEDIA_TYPE: &str = "application/activity+json";

/// An object: a model in one of an action's roles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Object {
    /// Its absolute IRI.
    pub id: String,
    /// `Person`, `Note`, .. or an extension type's IRI.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where a person reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Any other property, written as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Object {
    /// `object` as its [`As2Object`] methods describe it, its paths made absolute by `iri`.
    pub fn of<T: As2Object + ?Sized>(object: &T, iri: &dyn Iri) -> Object {
        Object {
            id: iri.absolute(&object.as2_id()),
            kind: object.as2_type().into_owned(),
            name: Some(object.as2_name()),
            url: object.as2_url().map(|url| iri.absolute(&url)),
            extra: Map::new(),
        }
    }
}

/// An action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// [`CONTEXT`] on a document of its own; absent inside a collection.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Its absolute IRI, from [`Iri::activity`].
    pub id: String,
    /// From the verb: `Like`, `Follow`, `Create`, .. or `Activity`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who did it.
    pub actor: Object,
    /// What it was done to, or with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Object>,
    /// Where `object` went: the target of an action with an action object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Object>,
    /// When it happened, RFC 3339 in UTC.
    pub published: String,
    /// The action as one line of text.
    pub summary: String,
    /// The action's description, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Any other property, written as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Activity {
    /// The activity of a hydrated action, as a document of its own (with `@context`); its
    /// summary is [`LoadedAction::summary`].
    pub fn of<L: LoadedAction + ?Sized>(action: &L, iri: &dyn Iri) -> Activity {
        Activity::item(action, iri).with_context()
    }

    /// As [`of`](Self::of), without `@context`: an item of a collection.
    pub fn item<L: LoadedAction + ?Sized>(action: &L, iri: &dyn Iri) -> Activity {
        Activity {
            context: None,
            id: iri.activity(action.id()),
            kind: crate::Verb::as2_type(action.verb()).to_owned(),
            actor: action.actor().to_as2(iri),
            object: action.as2_object().map(|object| object.to_as2(iri)),
            target: action.as2_target().map(|target| target.to_as2(iri)),
            published: published(action.timestamp()),
            summary: action.summary(),
            content: action.description().map(str::to_owned),
            extra: Map::new(),
        }
    }

    /// The same activity, with `@context`.
    pub fn with_context(mut self) -> Activity {
        self.context = Some(CONTEXT.to_owned());
        self
    }

    /// The same activity with another summary, e.g. the text of the application's
    /// templates.
    pub fn with_summary(mut self, summary: impl Into<String>) -> Activity {
        self.summary = summary.into();
        self
    }
}

/// One page of a stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderedCollectionPage {
    /// [`CONTEXT`].
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// This page's absolute URL.
    pub id: String,
    /// `OrderedCollectionPage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The stream: the collection's absolute URL (its first page).
    #[serde(rename = "partOf")]
    pub part_of: String,
    /// The actions, newest first.
    #[serde(rename = "orderedItems")]
    pub ordered_items: Vec<Activity>,
    /// The next (older) page, absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous (newer) page, absent on the first. [`of`](Self::of) leaves it out: finding
    /// it takes a statement ([`PageQuery::previous`](crate::PageQuery::previous)), which
    /// [`with_previous`](Self::with_previous) turns into the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// Any other property, written as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl OrderedCollectionPage {
    /// The page of the stream served at `collection` (a path or absolute URL) that starts
    /// after `after`: its `id` is `collection?after=<after>` (just `collection` on the first
    /// page), `next` the same with the page's `next` cursor.
    pub fn of<L: LoadedAction>(
        page: &Page<L>,
        collection: &str,
        after: Option<&Cursor>,
        iri: &dyn Iri,
    ) -> OrderedCollectionPage {
        let collection = iri.absolute(collection);
        OrderedCollectionPage {
            context: Some(CONTEXT.to_owned()),
            id: after.map_or_else(|| collection.clone(), |after| page_url(&collection, after)),
            kind: "OrderedCollectionPage".to_owned(),
            ordered_items: page
                .items
                .iter()
                .map(|item| Activity::item(item, iri))
                .collect(),
            next: page.next.as_ref().map(|next| page_url(&collection, next)),
            prev: None,
            part_of: collection,
            extra: Map::new(),
        }
    }

    /// The same page with a link to the previous one.
    pub fn with_prev(mut self, prev: impl Into<String>) -> OrderedCollectionPage {
        self.prev = Some(prev.into());
        self
    }

    /// The same page with its `prev` link built from what
    /// [`PageQuery::previous`](crate::PageQuery::previous) found: the collection itself for
    /// [`Previous::Newest`](crate::Previous::Newest), `collection?after=<cursor>` for
    /// [`Previous::After`](crate::Previous::After), no link for `None`.
    pub fn with_previous(self, previous: Option<&crate::Previous>) -> OrderedCollectionPage {
        match previous {
            None => self,
            Some(previous) => {
                let prev = match previous.cursor() {
                    None => self.part_of.clone(),
                    Some(cursor) => page_url(&self.part_of, cursor),
                };
                self.with_prev(prev)
            }
        }
    }
}

/// RFC 3339 in UTC, to the second or finer as stored: `2026-12-01T03:11:33Z`.
fn published(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Example 1 of the Activity Streams 2.0 vocabulary ("Sally did something to a note"),
    /// minimal: `type`, `actor` and `object` with their `type` and `name`, read back by
    /// these types with nothing lost.
    #[test]
    fn reads_the_specification_example_of_an_activity() {
        let example = serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Activity",
            "id": "http://www.test.example/activity/1",
            "summary": "Sally did something to a note",
            "published": "2014-12-12T12:12:12Z",
            "actor": {"type": "Person", "id": "http://sally.example.org", "name": "Sally"},
            "object": {"type": "Note", "id": "http://example.org/notes/1", "name": "A Note"}
        });
        let activity: Activity = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(activity.kind, "Activity");
        assert_eq!(activity.actor.name.as_deref(), Some("Sally"));
        assert_eq!(serde_json::to_value(&activity).unwrap(), example);
    }
}
