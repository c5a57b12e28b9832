//! Any stream as an [Atom](https://www.rfc-editor.org/rfc/rfc4287) feed (feature `atom`),
//! written by the [`atom_syndication`] crate.
//!
//! A page of a stream becomes one feed document: its `id` is the stream's absolute URL (the
//! same on every page), its `rel="self"` link the page's URL, `rel="next"` the next page
//! (RFC 5005's paged feeds), `updated` the newest action's time (the Unix epoch for an empty
//! page). Each action is an entry
//! whose `id` is the activity's IRI ([`Iri::activity`], the `id` of its Activity Streams
//! form, so both formats name an action alike), `updated` and `published` its timestamp,
//! its author the actor, and `title` and `content` one line of text:
//! [`LoadedAction::summary`] unless the application passes its own (`stream-templates`'
//! `render_text`, say).
//!
//! ```
//! use stream_core::atom::AtomFeed;
//! use stream_core::prelude::*;
//! use stream_core::BaseUrl;
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target, display = "username")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed }
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
//! let feed = AtomFeed::new("lennon's actions", "/users/1/atom", None, &base)
//!     .alternate("/users/1")
//!     .feed(&page);
//! let xml = feed.to_string(); // served as `application/atom+xml`
//! # assert!(xml.contains("<title>lennon Followed hendrix</title>"), "{xml}");
//! # Ok(())
//! # }
//! ```

use crate::as2::{Iri, LoadedAction, page_url};
use crate::{Cursor, Page};
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};

pub use atom_syndication;

/// The media type to serve Atom with.
pub const MEDIA_TYPE: &str = "application/atom+xml";

/// What a stream's feed says about itself; [`feed`](Self::feed) adds a page of actions.
#[derive(Clone)]
pub struct AtomFeed<'a> {
    title: String,
    collection: String,
    this_page: String,
    alternate: Option<String>,
    author: Option<String>,
    iri: &'a dyn Iri,
}

impl std::fmt::Debug for AtomFeed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomFeed")
            .field("title", &self.title)
            .field("collection", &self.collection)
            .field("this_page", &self.this_page)
            .field("alternate", &self.alternate)
            .field("author", &self.author)
            .finish_non_exhaustive()
    }
}

impl<'a> AtomFeed<'a> {
    /// The feed of the stream served at `collection` (a path or absolute URL), the page that
    /// starts after `after` (`None`: the first).
    pub fn new(
        title: impl Into<String>,
        collection: &str,
        after: Option<&Cursor>,
        iri: &'a dyn Iri,
    ) -> Self {
        let collection = iri.absolute(collection);
        AtomFeed {
            title: title.into(),
            this_page: after
                .map_or_else(|| collection.clone(), |after| page_url(&collection, after)),
            collection,
            alternate: None,
            author: None,
            iri,
        }
    }

    /// The stream's page for people (`rel="alternate"`, `text/html`).
    pub fn alternate(mut self, path: &str) -> Self {
        self.alternate = Some(self.iri.absolute(path));
        self
    }

    /// The feed's author (each entry's author is its actor).
    pub fn author(mut self, name: impl Into<String>) -> Self {
        self.author = Some(name.into());
        self
    }

    /// The feed of `page`, each entry's title and content its [`LoadedAction::summary`].
    pub fn feed<L: LoadedAction>(&self, page: &Page<L>) -> Feed {
        self.feed_with(page, |action| action.summary())
    }

    /// The feed of `page`, each entry's title and content `text(action)`.
    pub fn feed_with<L: LoadedAction>(&self, page: &Page<L>, text: impl Fn(&L) -> String) -> Feed {
        let mut feed = Feed::default();
        feed.set_id(self.collection.clone());
        feed.set_title(Text::plain(xml_text(&self.title)));
        let newest = page.items.first().map(LoadedAction::timestamp);
        feed.set_updated(fixed(newest.unwrap_or_default()));
        if let Some(author) = &self.author {
            feed.set_authors(vec![person(author, None)]);
        }
        let mut links = vec![link("self", &self.this_page, MEDIA_TYPE)];
        if let Some(alternate) = &self.alternate {
            links.push(link("alternate", alternate, "text/html"));
        }
        if let Some(next) = &page.next {
            links.push(link("next", &page_url(&self.collection, next), MEDIA_TYPE));
        }
        feed.set_links(links);
        feed.set_entries(
            page.items
                .iter()
                .map(|action| self.entry(action, &text(action)))
                .collect::<Vec<_>>(),
        );
        feed
    }

    fn entry<L: LoadedAction>(&self, action: &L, text: &str) -> Entry {
        let text = xml_text(text);
        let mut entry = Entry::default();
        entry.set_id(self.iri.activity(action.id()));
        entry.set_title(Text::plain(text.clone()));
        let at = fixed(action.timestamp());
        entry.set_updated(at);
        entry.set_published(Some(at));
        let actor = action.actor();
        let actor_uri = self
            .iri
            .absolute(&actor.as2_url().unwrap_or_else(|| actor.as2_id()));
        entry.set_authors(vec![person(&actor.shown(), Some(actor_uri))]);
        let mut content = Content::default();
        content.set_content_type(Some("text".to_owned()));
        content.set_value(Some(text));
        entry.set_content(Some(content));
        entry
    }
}

fn fixed(at: chrono::DateTime<chrono::Utc>) -> FixedDateTime {
    at.fixed_offset()
}

fn link(rel: &str, href: &str, mime_type: &str) -> Link {
    let mut link = Link::default();
    link.set_rel(rel);
    link.set_href(href);
    link.set_mime_type(Some(mime_type.to_owned()));
    link
}

fn person(name: &str, uri: Option<String>) -> Person {
    let mut person = Person::default();
    person.set_name(xml_text(name));
    person.set_uri(uri);
    person
}

/// `text` without the characters XML 1.0 cannot hold (control characters other than tab
/// and line breaks, U+FFFE, U+FFFF), which would make the whole feed unreadable.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || (!c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_loses_what_xml_cannot_hold() {
        assert_eq!(xml_text("a\u{1}b\tc\u{FFFF}é"), "ab\tcé");
    }
}
