//! `#[derive(Verb)]`: labels for a verb enum whose slugs come from sea-orm's `DeriveActiveEnum`.

use crate::attr::{Errors, SeaOrmAttr};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

/// The longest slug the `verb` column stores.
const MAX_SLUG: usize = 255;

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Verb)]` goes on an enum whose variants are the verbs",
        ));
    };
    let mut errors = Errors::default();
    let mut arms = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            errors.push(syn::Error::new_spanned(
                &variant.fields,
                "verbs are stored as their slug, so a verb variant cannot carry fields",
            ));
        }
        let mut label: Option<LitStr> = None;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("verb")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("label") {
                    if label.is_some() {
                        errors.push(meta.error("duplicate `label` in `#[verb(..)]`; give it once"));
                    }
                    label = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                    errors.push(meta.error(format!(
                        "unknown key `{key}` in `#[verb(..)]`; expected `label = \"...\"` (the slug is sea-orm's `#[sea_orm(string_value = \"...\")]`)"
                    )));
                    crate::attr::skip_value(&meta)
                }
            });
            if let Err(error) = result {
                errors.push(error);
            }
        }
        if let Some(slug) = SeaOrmAttr::parse(&variant.attrs)?.value("string_value") {
            let length = slug.value().chars().count();
            if length > MAX_SLUG {
                errors.push(syn::Error::new_spanned(
                    slug,
                    format!("this slug has {length} characters; the `verb` column stores at most {MAX_SLUG}"),
                ));
            }
        }
        let label = label.map_or_else(|| words(&variant.ident.to_string()), |l| l.value());
        let ident = &variant.ident;
        arms.push(quote! { Self::#ident => #label });
    }
    // Next to an error, a stub impl: otherwise every use of the enum as a verb would add
    // "not a verb" errors to the real one.
    let (errors, body) = match errors.finish() {
        Ok(()) => (None, quote! { match self { #(#arms,)* } }),
        Err(errors) => (
            Some(errors.into_compile_error()),
            quote! { ::core::unreachable!() },
        ),
    };

    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #errors
        #[automatically_derived]
        impl #impl_generics ::stream_core::Verb for #ident #ty_generics #where_clause {
            fn label(&self) -> &'static str {
                #body
            }
        }
    })
}

/// `ObjectEdited` → `Object edited`.
fn words(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
