//! The relay through which `action_entity!` and `follow_entity!` learn the models' roles.
//!
//! The roles live on the models (`#[derive(Streamable)]`), but a proc macro cannot read
//! another item. So expansion is a relay: the first pass checks the input and calls the hidden
//! macro (named by [`MODEL_MACRO`]) that the derive left in the first model's module; that
//! macro calls `action_entity!` again with its roles prepended, and so on through the list.
//! When every model has answered, the last pass emits the entity.
//!
//! A model's macro is `#[macro_export]`ed, so that an entity in another crate can call it, under
//! a name unique in its crate ([`export_name`]); entities reach it by a fixed path from the
//! model's module, `<model>::__stream_derive_Streamable_on_Model::__stream_next`, which the
//! derive makes with a `pub use` of the macro's name in textual scope (a path to a
//! macro-expanded exported macro from its own crate is denied by rustc's
//! `macro_expanded_macro_exports_accessed_by_absolute_paths`; a textual name is not a path).
//! The paths the user wrote are seen from inside the generated module through [`from_child`]:
//! one that starts with a plain name (`entities::user`, `user`) may start at an item of the
//! invoking module or at a crate, so it goes through a module that glob-imports the invoking
//! module ([`PATHS`]), where both resolve as they do next to the macro.
//!
//! The protocol, from a model's macro back into `action_entity!`:
//! `@model { name = "..", model = "..", pk_column = .., roles = [..] } @state { <input> } [<infos>]`
//! where `<input>` is the declaring macro's input as it re-emits it (prefixed with `follow`
//! for `follow_entity!`) and `<infos>` are the `{ .. }` of the models that answered before.

mod relocate;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{
    Attribute, Ident, LitStr, Path, Token, Visibility, braced, bracketed,
    parse::{Parse, ParseStream},
    punctuated::Punctuated,
};

/// The hidden macro through which `#[derive(Streamable)]` hands a model's roles to
/// `action_entity!`. When a listed model lacks the derive, rustc reports "cannot find
/// `<this name>` in `<module>`", so the name is worded to say what is missing.
pub const MODEL_MACRO: &str = "__stream_derive_Streamable_on_Model";

/// The hidden module, inside the declared module, that sees the names of the module invoking
/// the macro: a glob import of that module, and an import of each plain name that a path in the
/// input starts with (an item of the invoking module, found through the glob, or a crate, found
/// in the extern prelude).
const PATHS: &str = "__stream_paths";

/// The name under which a model's derive exports its relay macro: unique in the crate, since
/// every `#[macro_export]` macro lives at the crate root. It hashes where the model is
/// (file, line and column of the derive input's first token) and what it is (its tokens), so
/// two models differ in one or the other; nothing outside the derive needs to know the name.
pub fn export_name(input: &proc_macro::TokenStream) -> Ident {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    if let Some(first) = input.clone().into_iter().next() {
        let span = first.span();
        (span.file(), span.line(), span.column()).hash(&mut hasher);
    }
    input.to_string().hash(&mut hasher);
    format_ident!("__stream_relay_{:016x}", hasher.finish())
}

/// What a model's derive reported.
pub struct ModelInfo {
    pub name: String,
    pub model: Ident,
    pub pk_column: Ident,
    pub roles: Vec<Ident>,
}

/// One call of `action_entity!`: the user's own, or a step of the relay.
pub enum Pass {
    First(TokenStream),
    Step(Step),
}

/// A step of the relay: the model that just answered, the declaring input and the answers
/// so far.
pub struct Step {
    model: Option<ModelInfo>,
    pub state: TokenStream,
    infos: Vec<ModelInfo>,
}

impl Step {
    /// Whether the relay is collecting roles for `follow_entity!`.
    pub fn declares_follow(&self) -> bool {
        matches!(self.state.clone().into_iter().next(), Some(TokenTree::Ident(first)) if first == "follow")
    }

    /// Whether the relay is collecting roles for `notification_entity!`.
    pub fn declares_notification(&self) -> bool {
        matches!(self.state.clone().into_iter().next(), Some(TokenTree::Ident(first)) if first == "notification")
    }

    /// Ask the next of `models` for its roles or, when all have answered, `emit` the entity
    /// with its call-site tokens moved to `at` (see [`relocate`](relocate::relocate)).
    pub fn advance(
        self,
        models: &[Path],
        krate: &Path,
        at: Span,
        emit: impl FnOnce(&[ModelInfo]) -> syn::Result<TokenStream>,
    ) -> syn::Result<TokenStream> {
        let mut infos = self.infos;
        infos.extend(self.model);
        if infos.len() < models.len() {
            Ok(next(models, krate, &self.state, &infos))
        } else {
            emit(&infos).map(|tokens| relocate::relocate(tokens, at))
        }
    }
}

/// The name under which a model's hidden module (see [`model_items`]) holds its relay macro.
const NEXT: &str = "__stream_next";

/// The hidden module, inside the declared module, through which the relay reaches the
/// `k`-th model's macro.
fn lookup_module(k: usize) -> Ident {
    format_ident!("__stream_model_{k}")
}

/// What the first pass puts in the declared module before the relay's first call: for each
/// model, a hidden module importing the model's relay macro, and a glob import of it.
///
/// A listed model without the derive has no module to import from. The import fails once
/// (rustc then skips the relay call through it), and the glob import of a module with a
/// failed import makes the names that the entity would have defined unknown rather than
/// missing: every later use of `action::Entity`, `action::Column`, .. stays silent instead
/// of adding "cannot find" errors to the one that says what to change. A path that starts with
/// a plain name is imported as written, next to a glob import of the invoking module (see
/// [`PATHS`]), so that the error names the path the user wrote.
pub fn lookups(models: &[Path]) -> TokenStream {
    let lookups = models.iter().enumerate().map(|(k, path)| {
        let module = lookup_module(k);
        let (invoking, model) = match plain_root(path) {
            Some(_) => (
                quote! {
                    #[allow(unused_imports)]
                    use super::super::*;
                },
                path.to_token_stream(),
            ),
            None => (TokenStream::new(), from_nested(path, 2)),
        };
        let relay = Ident::new(MODEL_MACRO, name_span(path));
        let next = Ident::new(NEXT, Span::call_site());
        quote! {
            #[doc(hidden)]
            mod #module {
                #invoking
                #[allow(unused_imports)]
                pub(crate) use #model::#relay::{#next, *};
            }
            #[allow(unused_imports)]
            use self::#module::*;
        }
    });
    quote! { #(#lookups)* }
}

/// The module named [`PATHS`], when some of `paths` start with a plain name.
fn paths_module(paths: &[&Path]) -> TokenStream {
    let mut roots: Vec<&Ident> = Vec::new();
    for root in paths.iter().filter_map(|path| plain_root(path)) {
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    if roots.is_empty() {
        return TokenStream::new();
    }
    let module = Ident::new(PATHS, Span::call_site());
    quote! {
        #[doc(hidden)]
        mod #module {
            // `pub(super)`: a name imported privately could not be re-exported below.
            #[allow(unused_imports)]
            pub(super) use super::super::*;
            #(
                #[allow(unused_imports)]
                pub(super) use #roots;
            )*
        }
    }
}

/// The first pass of either entity macro: assert that every listed model is `Streamable`,
/// declare the module, and start the relay inside it; the relay's last step fills it in.
/// `named` are the other paths of the input that the generated code names (the verb, the
/// action entities).
pub fn first_pass(
    (attrs, vis, ident): (&[Attribute], &Visibility, &Ident),
    models: &[Path],
    named: &[&Path],
    krate: &Path,
    state: &TokenStream,
) -> TokenStream {
    // Spanned on the path, so that a model without the derive is pointed at in `models`.
    let asserts = models.iter().map(|path| {
        quote_spanned! {name_span(path)=>
            #krate::__private::assert_streamable::<#path::Model>();
        }
    });
    let lookups = lookups(models);
    let paths: Vec<&Path> = models.iter().chain(named.iter().copied()).collect();
    let paths = paths_module(&paths);
    let relay = next(models, krate, state, &[]);
    quote! {
        const _: () = { #(#asserts)* };
        #(#attrs)*
        #vis mod #ident {
            #paths
            #lookups
            #relay
        }
    }
}

/// Ask the derive of `models[infos.len()]` for its roles, passing on `state`. The call is
/// made inside the declared module, through the lookups of [`lookups`].
pub fn next(
    models: &[Path],
    krate: &Path,
    state: &TokenStream,
    infos: &[ModelInfo],
) -> TokenStream {
    let module = lookup_module(infos.len());
    let next = Ident::new(NEXT, name_span(&models[infos.len()]));
    let infos = infos.iter().map(ModelInfo::to_tokens_info);
    quote! {
        #module::#next! { @crate { #krate } @state { #state } [ #(#infos)* ] }
    }
}

/// What a model's derive leaves in its module: the relay macro, exported as `export` (see
/// [`export_name`]) and answering with `info` (or with nothing, which ends the relay quietly),
/// and the hidden module named [`MODEL_MACRO`] that the declaring macros import it from (see
/// [`lookups`]), in this crate or another.
pub fn model_items(info: Option<&TokenStream>, export: &Ident) -> TokenStream {
    let relay = Ident::new(MODEL_MACRO, Span::call_site());
    let next = Ident::new(NEXT, Span::call_site());
    let body = match info {
        Some(info) => answer(info),
        None => quote! { ($($state:tt)*) => {}; },
    };
    quote! {
        /// Hands this model's roles to `stream_core::action_entity!`.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #export {
            #body
        }
        /// How `stream_core::action_entity!` reaches this model's roles.
        #[doc(hidden)]
        pub mod #relay {
            // The macro's name in textual scope: a path to it would be denied.
            #[allow(unused_imports)]
            pub use #export as #next;
        }
    }
}

/// The `macro_rules!` body a model's derive leaves in its module: it answers with `info`.
fn answer(info: &TokenStream) -> TokenStream {
    quote! {
        (@crate { $($krate:tt)* } $($state:tt)*) => {
            $($krate)*::action_entity! { @model #info $($state)* }
        };
    }
}

impl ModelInfo {
    pub fn to_tokens_info(&self) -> TokenStream {
        let ModelInfo {
            name,
            model,
            pk_column,
            roles,
        } = self;
        let model = model.to_string();
        quote! { { name = #name, model = #model, pk_column = #pk_column, roles = [#(#roles),*] } }
    }
}

/// What the derives and `action_entity!` pass between them is theirs alone: anything else
/// means the two were built from different versions.
fn mismatch(span: Span) -> syn::Error {
    syn::Error::new(span, "stream-derive version mismatch")
}

impl Parse for ModelInfo {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let body;
        braced!(body in input);
        let (mut name, mut model, mut pk_column, mut roles) = (None, None, None, Vec::new());
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "name" => name = Some(body.parse::<LitStr>()?.value()),
                "model" => {
                    let lit: LitStr = body.parse()?;
                    model = Some(Ident::new(&lit.value(), lit.span()));
                }
                "pk_column" => pk_column = Some(body.parse::<Ident>()?),
                "roles" => {
                    let list;
                    bracketed!(list in body);
                    roles = Punctuated::<Ident, Token![,]>::parse_terminated(&list)?
                        .into_iter()
                        .collect();
                }
                _ => return Err(mismatch(key.span())),
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        let mismatch = || mismatch(Span::call_site());
        Ok(ModelInfo {
            name: name.ok_or_else(mismatch)?,
            model: model.ok_or_else(mismatch)?,
            pk_column: pk_column.ok_or_else(mismatch)?,
            roles,
        })
    }
}

impl Parse for Pass {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Token![@]) {
            return Ok(Pass::First(input.parse()?));
        }
        let mut model = None;
        input.parse::<Token![@]>()?;
        let mut marker: Ident = input.parse()?;
        if marker == "model" {
            model = Some(input.parse::<ModelInfo>()?);
            input.parse::<Token![@]>()?;
            marker = input.parse()?;
        }
        if marker != "state" {
            return Err(mismatch(marker.span()));
        }
        let state;
        braced!(state in input);
        let state: TokenStream = state.parse()?;
        let infos_body;
        bracketed!(infos_body in input);
        let mut infos = Vec::new();
        while !infos_body.is_empty() {
            infos.push(infos_body.parse::<ModelInfo>()?);
        }
        Ok(Pass::Step(Step {
            model,
            state,
            infos,
        }))
    }
}

/// A path written next to the macro, as seen from inside the generated module.
pub fn from_child(path: &Path) -> TokenStream {
    from_nested(path, 1)
}

/// A path written next to the macro, as seen from a module `depth` levels inside it. One
/// that starts with a plain name goes through the module named [`PATHS`].
fn from_nested(path: &Path, depth: usize) -> TokenStream {
    let supers = std::iter::repeat_n(quote! { super }, depth);
    let first = path.segments.first().map(|s| s.ident.to_string());
    match first.as_deref() {
        _ if path.leading_colon.is_some() => path.to_token_stream(),
        Some("crate" | "$crate") => path.to_token_stream(),
        Some("self") => {
            let rest = path.segments.iter().skip(1);
            quote! { #(#supers)::* #(:: #rest)* }
        }
        Some("super") => quote! { #(#supers::)* #path },
        _ => {
            let paths = Ident::new(PATHS, Span::call_site());
            let up = match depth {
                1 => vec![quote! { self }],
                _ => std::iter::repeat_n(quote! { super }, depth - 1).collect(),
            };
            quote! { #(#up::)* #paths::#path }
        }
    }
}

/// The first name of a path that starts with a plain name: an item of the invoking module or
/// a crate. `None` for `::..`, `crate::..`, `self::..` and `super::..`.
fn plain_root(path: &Path) -> Option<&Ident> {
    let first = &path.segments.first()?.ident;
    let special = ["crate", "$crate", "self", "super", "Self"];
    (path.leading_colon.is_none() && !special.contains(&first.to_string().as_str()))
        .then_some(first)
}

/// Where a path the user wrote ends: its last name.
pub fn name_span(path: &Path) -> Span {
    path.segments
        .last()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}
