//! Procedural macros of `stream-core`; use them through `stream_core`, which re-exports them
//! with their documentation.
//!
//! Each macro parses its input into a typed model first (`input`, `attr`), checks it, then
//! expands; the entity macros learn the models' roles through `relay`. Generated code reaches
//! the runtime only through `<crate>::__private` (`::stream_core` unless the input says
//! `crate = ..`). When the input has errors, the derives still emit a stub (`fallback`), so
//! that the one mistake is reported once, not again by every use of the type.

mod action;
mod as2;
mod attr;
mod fallback;
mod follow;
mod input;
mod notification;
mod relay;
mod role;
mod streamable;
mod verb;

use proc_macro::TokenStream;

/// Register a sea-orm model with activity streams (see `stream_core::Streamable`).
#[proc_macro_derive(Streamable, attributes(stream))]
pub fn derive_streamable(input: TokenStream) -> TokenStream {
    let export = relay::export_name(&input);
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    streamable::expand(&input, &export)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Give a verb enum its labels (see `stream_core::Verb`).
#[proc_macro_derive(Verb, attributes(verb))]
pub fn derive_verb(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    verb::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declare the action entity (see `stream_core::action_entity!`). Also the entry point of
/// every step of the relay, for both entity macros.
#[proc_macro]
pub fn action_entity(input: TokenStream) -> TokenStream {
    let expanded = match syn::parse::<relay::Pass>(input) {
        Ok(relay::Pass::First(tokens)) => action::expand(tokens),
        Ok(relay::Pass::Step(step)) if step.declares_follow() => follow::step(step),
        Ok(relay::Pass::Step(step)) if step.declares_notification() => notification::step(step),
        Ok(relay::Pass::Step(step)) => action::step(step),
        Err(error) => Err(error),
    };
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declare the follow entity. Documented in `stream_core::follow_entity!`.
#[proc_macro]
pub fn follow_entity(input: TokenStream) -> TokenStream {
    follow::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declare a notification table. Documented in `stream_core::notification_entity!`.
#[proc_macro]
pub fn notification_entity(input: TokenStream) -> TokenStream {
    notification::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
