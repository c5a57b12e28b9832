//! Render activity-stream actions with per-verb askama templates: `templates/stream/<verb>.html`,
//! falling back to `templates/stream/action.html`, else to a built-in default.
//!
//! # How it fits together
//!
//! 1. Put templates next to your code: `templates/stream/follow.html`, `stream/created.txt`,
//!    optionally `stream/action.html` for every verb without its own. The file name is the
//!    verb's slug.
//! 2. A build script finds them and lists one askama template per file, so askama compiles
//!    and type-checks each at build time, and a **new** file is picked up by the next
//!    `cargo build` (the build script watches the folder). A file named after no verb
//!    (`folow.html`) makes cargo warn, naming the verbs it knows ([`build`]):
//!    ```toml
//!    [dependencies]
//!    stream-templates = "0.1"
//!    [build-dependencies]
//!    stream-templates = { version = "0.1", default-features = false }
//!    ```
//!    ```no_run
//!    // build.rs: the path of the module declared with `stream_core::action_entity!`
//!    stream_templates::build::Templates::new("crate::action").generate();
//!    ```
//! 3. Include the generated code in a module of your crate:
//!    ```ignore
//!    pub mod stream { stream_templates::include_templates!(); }
//!    ```
//!    It holds `render_html` / `render_text` (one loaded action → its template), the
//!    [`RenderActions`] trait (one action or a list), the askama [`filters`] `render_action`
//!    and `render_action_text`, `TEMPLATES` (the files found), `unused_templates()` (files
//!    named after no verb: assert it is empty in a test to make a misspelt file name fail)
//!    and a template struct per file; [`include_templates!`] lists each with its signature.
//! 4. Load a page with its models in one statement and render it from your own view:
//!    ```ignore
//!    let actions = action::Entity::stream().limit(20).hydrate().all(&db).await?;
//!    // templates/feed.html:  <ul>{{ actions|render_action }}</ul>
//!    use crate::stream::filters;
//!    #[derive(stream_templates::askama::Template)]
//!    #[template(path = "feed.html", askama = stream_templates::askama)]
//!    struct Feed { actions: Vec<action::Loaded> }
//!    ```
//!
//! # What a template sees
//!
//! | name | type | |
//! |---|---|---|
//! | `actor` | `&ActorModel` | the loaded model (an enum over the registered models) |
//! | `target` | `Option<&TargetModel>` | |
//! | `action_object` | `Option<&ActionObjectModel>` | |
//! | `verb` | `String` | the slug, e.g. `follow` |
//! | `verb_label` | `&'static str` | e.g. `follows` |
//! | `description` | `Option<&str>` | |
//! | `timestamp` | `DateTime<Utc>` | |
//! | `ago` | `String` | relative to the render time: `3 minutes ago` ([`time_ago`]) |
//! | `action` | `&Model` | the action row itself |
//!
//! `{{ actor }}` shows a model as its `#[derive(Streamable)]` says: `#[stream(display =
//! "username")]` shows that field, `#[stream(display)]` uses the model's own `Display`, and
//! without either a model shows as its stream name and key (`user 7`). To reach a model's
//! fields, match on the enum:
//! `{% match actor %}{% when crate::action::ActorModel::User(user) %}{{ user.username }}{% else %}{{ actor }}{% endmatch %}`.
//!
//! `.html` templates escape everything they print (`<script>` becomes `&#60;script&#62;`);
//! `.txt` templates print as is, for e-mail or terminals.
//!
//! The built-in default, used when the crate has no `stream/action.html`, is the original
//! app's: `{{ actor }} did {{ verb_label }} {{ target }}.`, so lennon / default / hendrix
//! reads `lennon did Stream Item hendrix.` (without a target: `lennon did Stream Item.`).
//!
//! # Example
//!
//! [`action_template!`] is what the build script writes for each file; here it takes the
//! template source inline:
//!
//! ```
//! use stream_core::prelude::*;
//! use stream_core::sea_orm::{self, entity::prelude::*, QuerySelect};
//!
//! pub mod user {
//!     use stream_core::sea_orm::{self, entity::prelude::*};
//!
//!     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//!     #[sea_orm(table_name = "user")]
//!     #[stream(actor, target, display = "username")]
//!     pub struct Model {
//!         #[sea_orm(primary_key)]
//!         pub id: i32,
//!         pub username: String,
//!     }
//!
//!     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//!     pub enum Relation {}
//!
//!     impl ActiveModelBehavior for ActiveModel {}
//! }
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! pub enum Verb {
//!     #[sea_orm(string_value = "follow")]
//!     #[verb(label = "follows")]
//!     Follow,
//! }
//!
//! stream_core::action_entity! {
//!     pub mod action { table_name = "action", verb = crate::Verb, models = [crate::user] }
//! }
//!
//! stream_templates::action_template! {
//!     /// How a `follow` reads.
//!     pub struct FollowHtml for crate::action, template(
//!         source = "<b>{{ actor }}</b> {{ verb_label }} {{ target.unwrap() }}, {{ ago }}.",
//!         ext = "html",
//!     )
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let file = std::env::temp_dir().join(format!("stream-templates-doc-{}.sqlite", std::process::id()));
//! # let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", file.display())).await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! let lennon = user::ActiveModel { username: sea_orm::Set("lennon".into()), ..Default::default() }
//!     .insert(&db).await?;
//! let hendrix = user::ActiveModel { username: sea_orm::Set("<hendrix>".into()), ..Default::default() }
//!     .insert(&db).await?;
//! let three_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(3);
//! action::Entity::send(&db, &lennon, Verb::Follow)
//!     .target(&hendrix)
//!     .timestamp(three_minutes_ago)
//!     .await?;
//!
//! let page = action::Entity::stream().limit(20).hydrate().all(&db).await?;
//! let html = askama::Template::render(&FollowHtml::new(&page[0], chrono::Utc::now()))?;
//! assert_eq!(html, "<b>lennon</b> follows &#60;hendrix&#62;, 3 minutes ago.");
//! # drop(db);
//! # let _ = std::fs::remove_file(file);
//! # Ok(())
//! # }
//! ```
//!
//! Features: `runtime` (default) is everything above; without it only the dependency-free
//! [`build`] module is left, for build scripts.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod build;
#[cfg(feature = "runtime")]
pub mod filters;
#[cfg(feature = "runtime")]
mod humane;
#[cfg(feature = "runtime")]
mod include;
#[cfg(feature = "runtime")]
mod render;

#[cfg(feature = "runtime")]
pub use askama;
#[cfg(feature = "runtime")]
pub use humane::time_ago;
#[cfg(feature = "runtime")]
pub use render::{GroupTemplates, RenderActions, RenderGroups};

/// When an action happened, and the time renders count from.
#[cfg(feature = "runtime")]
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// The askama render value that fixes "now" for the filters' relative times, e.g.
/// `view.render_with_values(&[(stream_templates::NOW, &now as &dyn Any)])`; without it, the
/// filters count from the current time.
#[cfg(feature = "runtime")]
pub const NOW: &str = "stream_templates_now";

/// The time the filters count relative times from: the render value [`NOW`] if set, else
/// the current time.
#[cfg(feature = "runtime")]
pub fn now(values: &dyn askama::Values) -> DateTime {
    askama::get_value::<DateTime>(values, NOW)
        .copied()
        .unwrap_or_else(|_| chrono::Utc::now())
}

/// Declare the askama template of one kind of action: a struct with the fields listed in the
/// [crate docs](crate#what-a-template-sees) and `fn new(&Loaded, now) -> Self`.
///
/// The build script writes one per template file (`template(path = "stream/follow.html")`);
/// write one yourself for a template elsewhere or inline (`template(source = "..", ext =
/// "html")`). Everything inside `template(..)` is passed to askama's `#[template(..)]`.
#[cfg(feature = "runtime")]
#[macro_export]
macro_rules! action_template {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident for $($entity:ident)::+, template($($key:ident = $value:tt),+ $(,)?)
    ) => {
        $(#[$attr])*
        #[derive($crate::askama::Template)]
        #[template($($key = $value,)+ askama = ::stream_templates::askama)]
        $vis struct $name<'a> {
            /// The action row: `id`, `verb`, `description`, `timestamp` and the role columns.
            pub action: &'a $($entity)::+::Model,
            /// Who did it, loaded.
            pub actor: &'a $($entity)::+::ActorModel,
            /// What it was done to, loaded.
            pub target: ::core::option::Option<&'a $($entity)::+::TargetModel>,
            /// What it was done with, loaded.
            pub action_object: ::core::option::Option<&'a $($entity)::+::ActionObjectModel>,
            /// The verb's slug, e.g. `follow`.
            pub verb: ::std::string::String,
            /// The verb's label, e.g. `follows`.
            pub verb_label: &'static str,
            /// The action's description.
            pub description: ::core::option::Option<&'a str>,
            /// When it happened.
            pub timestamp: $crate::DateTime,
            /// How long ago it happened, e.g. `3 minutes ago`.
            pub ago: ::std::string::String,
        }

        #[automatically_derived]
        impl<'a> $name<'a> {
            /// The template's context for `action`, its relative time counted from `now`.
            pub fn new(action: &'a $($entity)::+::Loaded, now: $crate::DateTime) -> Self {
                $name {
                    action: &action.action,
                    actor: &action.actor,
                    target: ::core::option::Option::as_ref(&action.target),
                    action_object: ::core::option::Option::as_ref(&action.action_object),
                    verb: $crate::__private::slug(&action.action.verb),
                    verb_label: $crate::__private::label(&action.action.verb),
                    description: ::core::option::Option::as_deref(&action.action.description),
                    timestamp: action.action.timestamp,
                    ago: $crate::time_ago(action.action.timestamp, now),
                }
            }
        }
    };
}

/// Declare the askama template of one kind of group of actions (an aggregated stream's
/// [`Group`](stream_core::Group)): a struct with the fields listed below and
/// `fn new(&Group, now) -> Self`.
///
/// The build script writes one per file of `templates/stream/group/`
/// (`template(path = "stream/group/liked.html")`); write one yourself for a template elsewhere
/// or inline (`template(source = "..", ext = "html")`). Everything inside `template(..)` is
/// passed to askama's `#[template(..)]`.
///
/// | name | type | |
/// |---|---|---|
/// | `group` | `&Group<Entity>` | the group: `actions`, `actors`, `latest`, `key` .. |
/// | `actors` | `Vec<&ActorModel>` | the loaded actors, newest first (3 unless `.actors(n)`) |
/// | `named` | `Vec<&ActorModel>` | the first two of them, as the built-in names them .. |
/// | `others` | `u64` | .. and how many other actors the group has ("and 3 others") |
/// | `actions` | `u64` | how many actions the group has |
/// | `target` | `Option<&TargetModel>` | of the newest action |
/// | `action_object` | `Option<&ActionObjectModel>` | of the newest action |
/// | `action` | `&Model` | the newest action's row |
/// | `verb` | `String` | the slug, e.g. `liked` |
/// | `verb_label` | `&'static str` | e.g. `liked` |
/// | `timestamp` | `DateTime<Utc>` | when the newest action happened |
/// | `ago` | `String` | relative to the render time: `3 minutes ago` |
#[cfg(feature = "runtime")]
#[macro_export]
macro_rules! group_template {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident for $($entity:ident)::+, template($($key:ident = $value:tt),+ $(,)?)
    ) => {
        $(#[$attr])*
        #[derive($crate::askama::Template)]
        #[template($($key = $value,)+ askama = ::stream_templates::askama)]
        $vis struct $name<'a> {
            /// The group.
            pub group: &'a $crate::__private::Group<$($entity)::+::Entity>,
            /// The newest action's row.
            pub action: &'a $($entity)::+::Model,
            /// The loaded actors, newest first.
            pub actors: ::std::vec::Vec<&'a $($entity)::+::ActorModel>,
            /// The first two loaded actors, as "hendrix, joplin and 3 others" names them.
            pub named: ::std::vec::Vec<&'a $($entity)::+::ActorModel>,
            /// How many actors the group has beyond `named`.
            pub others: u64,
            /// How many actions the group has.
            pub actions: u64,
            /// The newest action's target, loaded.
            pub target: ::core::option::Option<&'a $($entity)::+::TargetModel>,
            /// The newest action's action object, loaded.
            pub action_object: ::core::option::Option<&'a $($entity)::+::ActionObjectModel>,
            /// The verb's slug, e.g. `liked`.
            pub verb: ::std::string::String,
            /// The verb's label, e.g. `liked`.
            pub verb_label: &'static str,
            /// When the newest action happened.
            pub timestamp: $crate::DateTime,
            /// How long ago the newest action happened, e.g. `3 minutes ago`.
            pub ago: ::std::string::String,
        }

        #[automatically_derived]
        impl<'a> $name<'a> {
            /// The template's context for `group`, its relative time counted from `now`.
            pub fn new(
                group: &'a $crate::__private::Group<$($entity)::+::Entity>,
                now: $crate::DateTime,
            ) -> Self {
                let newest = group.newest_action();
                let actors: ::std::vec::Vec<&'a $($entity)::+::ActorModel> =
                    group.latest.iter().map(|loaded| &loaded.actor).collect();
                let named = actors.iter().copied().take($crate::__private::NAMED).collect();
                $name {
                    group,
                    action: &newest.action,
                    named,
                    others: group.others($crate::__private::NAMED),
                    actors,
                    actions: group.actions,
                    target: ::core::option::Option::as_ref(&newest.target),
                    action_object: ::core::option::Option::as_ref(&newest.action_object),
                    verb: $crate::__private::slug(&newest.action.verb),
                    verb_label: $crate::__private::label(&newest.action.verb),
                    timestamp: group.newest,
                    ago: $crate::time_ago(group.newest, now),
                }
            }
        }
    };
}

/// What the generated code uses. Not public API.
#[cfg(feature = "runtime")]
#[doc(hidden)]
pub mod __private {
    pub use crate::__stream_templates as templates;
    pub use stream_core::Group;

    /// How many actors a group's `named` holds: "hendrix, joplin and 3 others".
    pub const NAMED: usize = 2;

    /// The slug of a verb.
    pub fn slug<V: stream_core::Verb>(verb: &V) -> String {
        verb.slug()
    }

    /// The label of a verb.
    pub fn label<V: stream_core::Verb>(verb: &V) -> &'static str {
        verb.label()
    }

    /// The `stream/<stem>.<ext>` and `stream/group/<stem>.<ext>` files whose stem is neither
    /// `action` nor a slug of `V`.
    pub fn unused_templates<V: stream_core::Verb>(files: &[&'static str]) -> Vec<&'static str> {
        let slugs: Vec<String> = V::all().iter().map(V::slug).collect();
        files
            .iter()
            .copied()
            .filter(|file| {
                let stem = file
                    .strip_prefix("stream/")
                    .map(|name| name.strip_prefix("group/").unwrap_or(name))
                    .and_then(|name| name.rsplit_once('.'))
                    .map_or(*file, |(stem, _)| stem);
                stem != "action" && !slugs.iter().any(|slug| slug == stem)
            })
            .collect()
    }
}
