//! Procedural macros of `stream-core`; use them through `stream_core`, which re-exports them
//! with their documentation.

mod action;
mod attr;
mod follow;
mod relocate;
mod streamable;
mod verb;

use proc_macro::TokenStream;

/// The hidden macro through which `#[derive(Streamable)]` hands a model's roles to
/// `action_entity!`. When a listed model lacks the derive, rustc reports "cannot find
/// `<this name>` in `<module>`", so the name is worded to say what is missing.
const MODEL_MACRO: &str = "__stream_derive_Streamable_on_Model";

/// Register a sea-orm model with activity streams (see `stream_core::Streamable`).
#[proc_macro_derive(Streamable, attributes(stream))]
pub fn derive_streamable(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    streamable::expand(&input)
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

/// Declare the action entity (see `stream_core::action_entity!`).
#[proc_macro]
pub fn action_entity(input: TokenStream) -> TokenStream {
    action::expand(input.into())
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
