//! What the derives emit next to an error: stubs that satisfy every later use of the type,
//! so that the user sees the one mistake, not "not `Streamable`" or "not a verb" again at
//! each place the type is named.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Ident, Path, Type};

/// A `Streamable` impl that is never called, and a relay macro that ends the relay quietly:
/// an entity that lists the model reports nothing more, since the model's derive already
/// said what to change. `pk` is the primary-key type; without one the model is no sea-orm
/// entity model either, and a stub would only add errors about that.
pub fn streamable(
    input: &DeriveInput,
    krate: &Path,
    pk: Option<&Type>,
    error: syn::Error,
    export: &Ident,
) -> TokenStream {
    let error = error.into_compile_error();
    let relay = end_relay(export);
    let Some(pk) = pk else {
        return quote! { #error #relay };
    };
    let ident = &input.ident;
    let private = quote! { #krate::__private };
    let column = quote! {
        <<#ident as #private::sea_orm::ModelTrait>::Entity as #private::sea_orm::EntityTrait>::Column
    };
    quote! {
        #error

        #[automatically_derived]
        impl #private::Streamable for #ident {
            const STREAM_NAME: &'static str = "";
            type Pk = #pk;
            fn stream_pk(&self) -> Self::Pk {
                ::core::unreachable!()
            }
            const __STREAM_COLUMNS: &'static [#column] = &[];
            const __STREAM_PAGE_COLUMNS: &'static [#column] = &[];
            fn __stream_decode(
                _: &#private::sea_orm::QueryResult,
                _: usize,
                _: &Self::Pk,
            ) -> ::core::result::Result<Self, #private::sea_orm::TryGetError> {
                ::core::unreachable!()
            }
        }

        #relay
    }
}

/// The relay macro of a model whose derive failed: it answers nothing, so the relay stops
/// without emitting an entity.
fn end_relay(export: &Ident) -> TokenStream {
    crate::relay::model_items(None, export)
}

/// A `Verb` impl whose label is never asked for.
pub fn verb(input: &DeriveInput, krate: &Path, error: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let error = error.into_compile_error();
    quote! {
        #error
        #[automatically_derived]
        impl #impl_generics #krate::__private::Verb for #ident #ty_generics #where_clause {
            fn label(&self) -> &'static str {
                ::core::unreachable!()
            }
        }
    }
}
