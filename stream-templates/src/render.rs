//! One action or a list of them, rendered with the templates `include_templates!` defines.

use crate::DateTime;
use core::fmt::Write;

/// One action, or a list of them, rendered with its verb's template: what the filters
/// [`render_action`](crate::filters::render_action) (HTML) and
/// [`render_action_text`](crate::filters::render_action_text) (plain text) take.
///
/// [`include_templates!`](crate::include_templates) implements it for the `Loaded` of the
/// action entity its build script names, with that module's `render_html` and `render_text`;
/// here it is implemented for slices, `Vec`s and references of what implements it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rendered with the stream templates",
    label = "not an action loaded with its models, nor a list of them",
    note = "`stream_templates::include_templates!()` implements it for the `Loaded` of the action entity named in build.rs; load actions with `.hydrate()` to get them"
)]
pub trait RenderActions {
    /// Render as HTML; a list renders each action on its own line.
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()>;
    /// Render as plain text; a list renders each action on its own line.
    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()>;
}

impl<T: RenderActions> RenderActions for [T] {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        lines(self, out, |action, out| action.render_html(now, out))
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        lines(self, out, |action, out| action.render_text(now, out))
    }
}

impl<T: RenderActions> RenderActions for Vec<T> {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        self.as_slice().render_html(now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        self.as_slice().render_text(now, out)
    }
}

impl<T: RenderActions + ?Sized> RenderActions for &T {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        (**self).render_html(now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        (**self).render_text(now, out)
    }
}

/// Render each of `actions` with `render`, one per line.
fn lines<T>(
    actions: &[T],
    out: &mut dyn Write,
    mut render: impl FnMut(&T, &mut dyn Write) -> askama::Result<()>,
) -> askama::Result<()> {
    for (i, action) in actions.iter().enumerate() {
        if i > 0 {
            out.write_char('\n')?;
        }
        render(action, out)?;
    }
    Ok(())
}

/// The group templates of an action entity: implemented by
/// [`include_templates!`](crate::include_templates) for the `Entity` of the action entity its
/// build script names, with the generated `render_group_html` and `render_group_text`.
#[diagnostic::on_unimplemented(
    message = "the groups of `{Self}` cannot be rendered with the stream templates",
    label = "no `include_templates!` for this action entity",
    note = "`stream_templates::include_templates!()` implements it for the `Entity` of the action entity named in build.rs"
)]
pub trait GroupTemplates: stream_core::ActionEntity {
    /// Render `group` as HTML with its verb's group template.
    fn render_group_html(
        group: &stream_core::Group<Self>,
        now: DateTime,
        out: &mut dyn Write,
    ) -> askama::Result<()>;
    /// Render `group` as plain text with its verb's `.txt` group template.
    fn render_group_text(
        group: &stream_core::Group<Self>,
        now: DateTime,
        out: &mut dyn Write,
    ) -> askama::Result<()>;
}

/// One group of actions ([`stream_core::Group`], from an aggregated page), or a list of them,
/// rendered with its verb's group template: what the filters
/// [`render_group`](crate::filters::render_group) (HTML) and
/// [`render_group_text`](crate::filters::render_group_text) (plain text) take.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rendered with the stream group templates",
    label = "not a group of an aggregated page, nor a list of them",
    note = "read groups with `.aggregated().page(..).all(&db)` on a stream of the action entity named in build.rs"
)]
pub trait RenderGroups {
    /// Render as HTML; a list renders each group on its own line.
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()>;
    /// Render as plain text; a list renders each group on its own line.
    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()>;
}

impl<A: GroupTemplates> RenderGroups for stream_core::Group<A> {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        A::render_group_html(self, now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        A::render_group_text(self, now, out)
    }
}

/// A group of an aggregated inbox renders as its group does.
impl<A: GroupTemplates> RenderGroups for stream_core::InboxGroup<A> {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        A::render_group_html(&self.group, now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        A::render_group_text(&self.group, now, out)
    }
}

impl<T: RenderGroups> RenderGroups for [T] {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        lines(self, out, |group, out| group.render_html(now, out))
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        lines(self, out, |group, out| group.render_text(now, out))
    }
}

impl<T: RenderGroups> RenderGroups for Vec<T> {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        self.as_slice().render_html(now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        self.as_slice().render_text(now, out)
    }
}

impl<T: RenderGroups + ?Sized> RenderGroups for &T {
    fn render_html(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        (**self).render_html(now, out)
    }

    fn render_text(&self, now: DateTime, out: &mut dyn Write) -> askama::Result<()> {
        (**self).render_text(now, out)
    }
}
