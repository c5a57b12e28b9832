//! Where rustc points at errors in the generated action entity.
//!
//! The relay's last pass runs inside the last model's derive, so its call site, and with it
//! every token `quote!` makes there, lies on that model's `#[derive(Streamable)]`. An error in
//! the entity (a misspelt `Column` variant, a verb type that is not a `Verb`) would point at
//! that unrelated derive. [`relocate`] moves those tokens to a span of the user's
//! `action_entity!` input; their name resolution (hygiene) stays the call site's, and the tokens
//! that came from the input keep their own place.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// `tokens`, with the ones made at the call site moved to where `to` is.
pub fn relocate(tokens: TokenStream, to: Span) -> TokenStream {
    // `Span` has no equality; its `Debug` names the location and the hygiene context.
    let call_site = format!("{:?}", Span::call_site());
    let moved = |span: Span| {
        if format!("{span:?}") == call_site {
            span.located_at(to)
        } else {
            span
        }
    };
    relocate_with(tokens, &moved)
}

fn relocate_with(tokens: TokenStream, moved: &impl Fn(Span) -> Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut relocated =
                    Group::new(group.delimiter(), relocate_with(group.stream(), moved));
                relocated.set_span(moved(group.span()));
                TokenTree::Group(relocated)
            }
            mut other => {
                other.set_span(moved(other.span()));
                other
            }
        })
        .collect()
}
