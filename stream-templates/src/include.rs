//! `include_templates!`, and the macro behind the file the build script writes: the build
//! script lists the template files it found, one line each, and everything else is written
//! here, where the compiler and clippy check it.

/// Include the code that the build script generated from `templates/stream/`, in a module of
/// its own:
///
/// ```ignore
/// // src/lib.rs (or main.rs)
/// pub mod stream {
///     stream_templates::include_templates!();
/// }
/// ```
///
/// The build script (see [`build`](crate::build)) lists the files it found in
/// `$OUT_DIR/stream_templates.rs`; this macro includes that file.
///
/// # What it defines
///
/// For the action entity module that build.rs names, say `crate::action`
/// (`Templates::new("crate::action")`), the module gets:
///
/// - `pub fn render_html(action: &action::Loaded, now: stream_templates::DateTime, out: &mut
///   dyn core::fmt::Write) -> askama::Result<()>` renders one action into `out` with its
///   verb's `stream/<verb>.html`, else `stream/action.html`, else the built-in default; its
///   `ago` counts from `now`.
/// - `pub fn render_text(action: &action::Loaded, now: stream_templates::DateTime, out: &mut
///   dyn core::fmt::Write) -> askama::Result<()>`: the same with the `.txt` templates.
/// - `pub const TEMPLATES: &[&str]`: the files found when the crate was built, sorted, e.g.
///   `["stream/follow.html", "stream/follow.txt"]`.
/// - `pub fn unused_templates() -> Vec<&'static str>`: the files of `TEMPLATES` that no verb
///   renders with, neither `action.*` nor named after a verb's slug (a typo such as
///   `folow.html`). The build script warns about them too; asserting this is empty in a test
///   makes the mistake fail CI.
/// - `pub use stream_templates::RenderActions`, implemented for `action::Loaded` with the two
///   functions above, so [`RenderActions`](crate::RenderActions) renders an action, a slice or
///   a `Vec` of them.
/// - `pub use stream_templates::filters`: the askama filters `render_action` (HTML) and
///   `render_action_text` (plain text) for your own views, see [`filters`](crate::filters).
/// - One template struct per file, declared with [`action_template!`](crate::action_template):
///   `VerbFollowHtml<'a>` for `follow.html`, `VerbObjectEditedText<'a>` for
///   `object-edited.txt` (`Verb`, the slug in UpperCamelCase, `Html` or `Text`). Each has the
///   fields a template sees ([crate docs](crate#what-a-template-sees)) and
///   `pub fn new(action: &'a action::Loaded, now: stream_templates::DateTime) -> Self`, and
///   implements `askama::Template`.
/// - `ActionHtml<'a>` and `ActionText<'a>`, the same for the fallback: `stream/action.html`
///   (`.txt`) if the crate has one, else the built-in default
///   ([`build::DEFAULT_HTML`](crate::build::DEFAULT_HTML)).
/// - For groups of actions (the [`Group`](stream_core::Group)s of an aggregated page):
///   `pub fn render_group_html(group: &stream_core::Group<action::Entity>, now, out)` renders
///   with `stream/group/<verb>.html`; a group of a verb without one renders with
///   `stream/group/action.html`, else the built-in
///   ([`build::DEFAULT_GROUP_HTML`](crate::build::DEFAULT_GROUP_HTML): "hendrix, joplin and 3
///   others liked Wild Haze."), except that a group of one actor then renders as its newest
///   action does. `render_group_text` is the same with `.txt`. A template struct per file
///   ([`group_template!`](crate::group_template)): `GroupLikedHtml<'a>` for
///   `group/liked.html`, `GroupActionHtml<'a>` and `GroupActionText<'a>` for the fallbacks.
///   [`GroupTemplates`](crate::GroupTemplates) is implemented for `action::Entity` with them,
///   so [`RenderGroups`](crate::RenderGroups) and the filters `render_group` and
///   `render_group_text` render a group, a slice or a `Vec` of them.
///
/// # Example
///
/// A view of your own renders a page of actions with one filter expression. Here the module
/// holds what the build script writes for a crate without templates of its own, so every
/// verb renders with the built-in default:
///
/// ```
/// # use stream_core::prelude::*;
/// # use stream_core::sea_orm::{self, entity::prelude::*, QuerySelect};
/// # pub mod user {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "user")]
/// #     #[stream(actor, target, display = "username")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub username: String,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// # pub enum Verb {
/// #     #[sea_orm(string_value = "follow")]
/// #     #[verb(label = "follows")]
/// #     Follow,
/// # }
/// # stream_core::action_entity! {
/// #     pub mod action { table_name = "action", verb = crate::Verb, models = [crate::user] }
/// # }
/// pub mod stream {
///     // stream_templates::include_templates!();
/// #   stream_templates::__private::templates! {
/// #       entity = crate::action;
/// #       html { _ => ActionHtml(source = "{{ actor }} did {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.") }
/// #       text { _ => ActionText(source = "{{ actor }} did {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.") }
/// #       group_html { _ => GroupActionHtml(source = "{% for actor in named %}{% if !loop.first %}{% if loop.last && others == 0 %} and {% else %}, {% endif %}{% endif %}{{ actor }}{% endfor %}{% if others > 0 %} and {{ others }} other{% if others != 1 %}s{% endif %}{% endif %} {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.") }
/// #       group_text { _ => GroupActionText(source = "{% for actor in named %}{% if !loop.first %}{% if loop.last && others == 0 %} and {% else %}, {% endif %}{% endif %}{{ actor }}{% endfor %}{% if others > 0 %} and {{ others }} other{% if others != 1 %}s{% endif %}{% endif %} {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.") }
/// #       files = [];
/// #   }
/// }
///
/// // The view finds the `render_action` filter through this name.
/// use stream::filters;
///
/// #[derive(stream_templates::askama::Template)]
/// #[template(
///     source = "<ul>{{ actions|render_action }}</ul>",
///     ext = "html",
///     askama = stream_templates::askama,
/// )]
/// struct Feed {
///     actions: Vec<action::Loaded>,
/// }
///
/// // The groups of an aggregated page, through the `render_group` filter.
/// #[derive(stream_templates::askama::Template)]
/// #[template(
///     source = "<ul>{{ groups|render_group }}</ul>",
///     ext = "html",
///     askama = stream_templates::askama,
/// )]
/// struct Grouped {
///     groups: Vec<stream_core::Group<action::Entity>>,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let file = std::env::temp_dir().join(format!("stream-templates-include-{}.sqlite", std::process::id()));
/// # let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", file.display())).await?;
/// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
/// # let lennon = user::ActiveModel { username: sea_orm::Set("lennon".into()), ..Default::default() }
/// #     .insert(&db).await?;
/// # let hendrix = user::ActiveModel { username: sea_orm::Set("hendrix".into()), ..Default::default() }
/// #     .insert(&db).await?;
/// action::Entity::send(&db, &lennon, Verb::Follow).target(&hendrix).await?;
/// action::Entity::send(&db, &hendrix, Verb::Follow).await?;
///
/// let actions = action::Entity::stream().limit(20).hydrate().all(&db).await?;
/// let feed = Feed { actions };
/// assert_eq!(
///     askama::Template::render(&feed)?,
///     "<ul>hendrix did follows.\nlennon did follows hendrix.</ul>"
/// );
///
/// // One action, without a view:
/// let mut text = String::new();
/// stream::render_text(&feed.actions[1], chrono::Utc::now(), &mut text)?;
/// assert_eq!(text, "lennon did follows hendrix.");
/// assert!(stream::TEMPLATES.is_empty() && stream::unused_templates().is_empty());
///
/// // Two follows of hendrix on one day are one group; a group of one actor reads as its action.
/// # let morrison = user::ActiveModel { username: sea_orm::Set("morrison".into()), ..Default::default() }
/// #     .insert(&db).await?;
/// action::Entity::send(&db, &morrison, Verb::Follow).target(&hendrix).await?;
/// let page = action::Entity::stream().aggregated().page(None, 20).all(&db).await?;
/// let grouped = Grouped { groups: page.items };
/// assert_eq!(
///     askama::Template::render(&grouped)?,
///     "<ul>morrison and lennon follows hendrix.\nhendrix did follows.</ul>"
/// );
/// # drop(db);
/// # let _ = std::fs::remove_file(file);
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! include_templates {
    () => {
        ::core::include!(::core::concat!(
            ::core::env!("OUT_DIR"),
            "/stream_templates.rs"
        ));
    };
}

/// The items [`include_templates!`] defines, from the lists the build script writes
/// ([`build::Templates::code`](crate::build::Templates::code)):
///
/// ```text
/// ::stream_templates::__private::templates! {
///     entity = crate::action;
///     html {
///         "follow" => VerbFollowHtml(path = "stream/follow.html"),
///         _ => ActionHtml(source = "{{ actor }} did {{ verb_label }}."),
///     }
///     text {
///         _ => ActionText(path = "stream/action.txt"),
///     }
///     group_html {
///         "liked" => GroupLikedHtml(path = "stream/group/liked.html"),
///         _ => GroupActionHtml(source = "{% for actor in named %}.."),
///     }
///     group_text {
///         _ => GroupActionText(source = "{% for actor in named %}.."),
///     }
///     files = ["stream/action.txt", "stream/follow.html", "stream/group/liked.html"];
/// }
/// ```
///
/// Each group lists a verb's slug and its template struct, one per file, then the fallback:
/// the crate's own `action.*` (`path`) or the built-in default (`source`); `group_html` and
/// `group_text` do the same for `stream/group/`. `files` is every file found, sorted, for
/// `TEMPLATES`. Reached as `__private::templates!`; not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __stream_templates {
    (
        entity = $($entity:ident)::+;
        html { $($html:tt)* }
        text { $($text:tt)* }
        group_html { $($group_html:tt)* }
        group_text { $($group_text:tt)* }
        files = [$($file:literal),* $(,)?];
    ) => {
        // One name for the entity module: a path of idents cannot be repeated per file below.
        use $($entity)::+ as __stream_entity;

        $crate::__stream_templates! { @kind render_html "html" $($html)* }
        $crate::__stream_templates! { @kind render_text "txt" $($text)* }
        $crate::__stream_templates! { @group render_group_html render_html "html" $($group_html)* }
        $crate::__stream_templates! { @group render_group_text render_text "txt" $($group_text)* }

        pub use $crate::RenderGroups;

        #[automatically_derived]
        impl $crate::GroupTemplates for __stream_entity::Entity {
            fn render_group_html(
                group: &$crate::__private::Group<Self>,
                now: $crate::DateTime,
                out: &mut dyn ::core::fmt::Write,
            ) -> $crate::askama::Result<()> {
                render_group_html(group, now, out)
            }

            fn render_group_text(
                group: &$crate::__private::Group<Self>,
                now: $crate::DateTime,
                out: &mut dyn ::core::fmt::Write,
            ) -> $crate::askama::Result<()> {
                render_group_text(group, now, out)
            }
        }

        /// The template files found in `templates/stream/` when the crate was built.
        #[allow(dead_code)] // a binary crate may use only some of these
        pub const TEMPLATES: &[&str] = &[$($file),*];

        /// The files of [`TEMPLATES`] that no verb renders with: neither `action.*` nor named
        /// after a verb's slug (a typo such as `folow.html`). Worth asserting empty in a test.
        #[allow(dead_code)]
        pub fn unused_templates() -> ::std::vec::Vec<&'static str> {
            $crate::__private::unused_templates::<__stream_entity::ActionVerb>(TEMPLATES)
        }

        pub use $crate::{RenderActions, filters};

        #[automatically_derived]
        impl $crate::RenderActions for __stream_entity::Loaded {
            fn render_html(
                &self,
                now: $crate::DateTime,
                out: &mut dyn ::core::fmt::Write,
            ) -> $crate::askama::Result<()> {
                render_html(self, now, out)
            }

            fn render_text(
                &self,
                now: $crate::DateTime,
                out: &mut dyn ::core::fmt::Write,
            ) -> $crate::askama::Result<()> {
                render_text(self, now, out)
            }
        }
    };

    // One kind of output: a struct per file, the fallback's, and the function that picks one.
    (
        @kind $render:ident $ext:literal
        $($slug:literal => $name:ident(path = $path:literal),)*
        _ => $fallback:ident($key:ident = $template:literal) $(,)?
    ) => {
        $(
            $crate::action_template! {
                #[doc = ::core::concat!("Renders `templates/", $path, "`.")]
                pub struct $name for __stream_entity, template(path = $path)
            }
        )*
        $crate::__stream_templates! { @fallback $ext $fallback($key = $template) }

        #[doc = ::core::concat!(
            "Render `action` into `out` with its verb's `stream/<verb>.", $ext,
            "`, else `stream/action.", $ext, "`, else the built-in default; `now` is the time ",
            "its relative age is counted from.",
        )]
        #[allow(dead_code)] // a binary crate may use only some of these
        pub fn $render(
            action: &__stream_entity::Loaded,
            now: $crate::DateTime,
            out: &mut dyn ::core::fmt::Write,
        ) -> $crate::askama::Result<()> {
            $crate::__stream_templates!(@dispatch action now out [$($slug => $name),*] $fallback)
        }
    };

    // Groups of actions: a struct per file of `stream/group/`, the fallback's, and the function
    // that picks one; a group of one actor without a template of its verb renders as its
    // newest action.
    (
        @group $render:ident $render_action:ident $ext:literal
        $($slug:literal => $name:ident(path = $path:literal),)*
        _ => $fallback:ident($key:ident = $template:literal) $(,)?
    ) => {
        $(
            $crate::group_template! {
                #[doc = ::core::concat!("Renders `templates/", $path, "`.")]
                pub struct $name for __stream_entity, template(path = $path)
            }
        )*
        $crate::__stream_templates! { @group_fallback $ext $fallback($key = $template) }

        #[doc = ::core::concat!(
            "Render `group` into `out` with its verb's `stream/group/<verb>.", $ext,
            "`, else (a group of one actor) as its newest action, else `stream/group/action.",
            $ext, "`, else the built-in default; `now` is the time its relative age is counted from.",
        )]
        #[allow(dead_code)] // a binary crate may use only some of these
        pub fn $render(
            group: &$crate::__private::Group<__stream_entity::Entity>,
            now: $crate::DateTime,
            out: &mut dyn ::core::fmt::Write,
        ) -> $crate::askama::Result<()> {
            $crate::__stream_templates!(@group_dispatch group now out $render_action [$($slug => $name),*] $fallback)
        }
    };

    (@group_fallback $ext:literal $name:ident(path = $path:literal)) => {
        $crate::group_template! {
            #[doc = ::core::concat!(
                "Renders `templates/", $path, "`, the fallback for groups of verbs without a template.",
            )]
            pub struct $name for __stream_entity, template(path = $path)
        }
    };
    (@group_fallback $ext:literal $name:ident(source = $source:literal)) => {
        $crate::group_template! {
            #[doc = ::core::concat!(
                "The built-in fallback for groups of verbs without a template (the crate has no ",
                "`templates/stream/group/action.", $ext, "`).",
            )]
            pub struct $name for __stream_entity, template(source = $source, ext = $ext)
        }
    };

    (@group_dispatch $group:ident $now:ident $out:ident $render_action:ident [] $fallback:ident) => {
        if $group.actors <= 1 {
            $render_action($group.newest_action(), $now, $out)
        } else {
            $crate::askama::Template::render_into(&$fallback::new($group, $now), $out)
        }
    };
    (@group_dispatch $group:ident $now:ident $out:ident $render_action:ident [$($slug:literal => $name:ident),+] $fallback:ident) => {
        match $crate::__private::slug($group.verb()).as_str() {
            $($slug => $crate::askama::Template::render_into(&$name::new($group, $now), $out),)+
            _ => $crate::__stream_templates!(@group_dispatch $group $now $out $render_action [] $fallback),
        }
    };

    (@fallback $ext:literal $name:ident(path = $path:literal)) => {
        $crate::action_template! {
            #[doc = ::core::concat!(
                "Renders `templates/", $path, "`, the fallback for verbs without a template.",
            )]
            pub struct $name for __stream_entity, template(path = $path)
        }
    };
    (@fallback $ext:literal $name:ident(source = $source:literal)) => {
        $crate::action_template! {
            #[doc = ::core::concat!(
                "The built-in fallback for verbs without a template (the crate has no ",
                "`templates/stream/action.", $ext, "`).",
            )]
            pub struct $name for __stream_entity, template(source = $source, ext = $ext)
        }
    };

    // Without a template per verb, a plain call: a `match` with only `_` is what
    // `clippy::match_single_binding` flags. (Clippy skips that lint in another crate's macro
    // today; the code should not depend on it.)
    (@dispatch $action:ident $now:ident $out:ident [] $fallback:ident) => {
        $crate::askama::Template::render_into(&$fallback::new($action, $now), $out)
    };
    (@dispatch $action:ident $now:ident $out:ident [$($slug:literal => $name:ident),+] $fallback:ident) => {
        match $crate::__private::slug(&$action.action.verb).as_str() {
            $($slug => $crate::askama::Template::render_into(&$name::new($action, $now), $out),)+
            _ => $crate::askama::Template::render_into(&$fallback::new($action, $now), $out),
        }
    };
}
