//! askama filters for your own views: `{{ action|render_action }}` or
//! `{{ actions|render_action }}` renders one action or a list, each with its verb's template;
//! `render_action_text` renders plain text with the `.txt` templates. `{{ group|render_group }}`
//! and `{{ groups|render_group }}` render the groups of an aggregated page with the group
//! templates (`stream/group/<verb>.html`), `render_group_text` with their `.txt` ones.
//!
//! askama looks filters up in a module named `filters` in scope where the view is defined:
//! `use crate::stream::filters;` next to the view (the module that holds
//! [`include_templates!`](crate::include_templates) re-exports this one), or call them by
//! path: `{{ actions|crate::stream::filters::render_action }}`. Relative times count from the
//! render value [`NOW`](crate::NOW) when given, else from the current time.
//!
//! askama's `#[filter_fn]` turns each filter into a builder struct of the same name; what a
//! view writes is the filter's use above, and the value may be anything implementing
//! [`RenderActions`]: an action entity's `Loaded`, a slice or `Vec` of them, or a reference.

// The builder structs and their methods that `#[filter_fn]` writes have no docs of their own.
#![allow(missing_docs)]

use crate::{RenderActions, RenderGroups};

/// Render one action or a list as HTML, each with its verb's template.
#[askama::filter_fn]
pub fn render_action<T: RenderActions>(
    actions: &T,
    values: &dyn askama::Values,
) -> askama::Result<askama::filters::Safe<String>> {
    let mut out = String::new();
    actions.render_html(crate::now(values), &mut out)?;
    Ok(askama::filters::Safe(out))
}

/// Render one action or a list as plain text, each with its verb's `.txt` template.
#[askama::filter_fn]
pub fn render_action_text<T: RenderActions>(
    actions: &T,
    values: &dyn askama::Values,
) -> askama::Result<String> {
    let mut out = String::new();
    actions.render_text(crate::now(values), &mut out)?;
    Ok(out)
}

/// Render one group of actions or a list as HTML, each with its verb's group template.
#[askama::filter_fn]
pub fn render_group<T: RenderGroups>(
    groups: &T,
    values: &dyn askama::Values,
) -> askama::Result<askama::filters::Safe<String>> {
    let mut out = String::new();
    groups.render_html(crate::now(values), &mut out)?;
    Ok(askama::filters::Safe(out))
}

/// Render one group of actions or a list as plain text, each with its verb's `.txt` group
/// template.
#[askama::filter_fn]
pub fn render_group_text<T: RenderGroups>(
    groups: &T,
    values: &dyn askama::Values,
) -> askama::Result<String> {
    let mut out = String::new();
    groups.render_text(crate::now(values), &mut out)?;
    Ok(out)
}
