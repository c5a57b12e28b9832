//! `#[derive(Verb)]`: labels for a verb enum whose slugs come from sea-orm's `DeriveActiveEnum`.

use crate::attr::{Errors, SeaOrmAttr, crate_path};
use crate::input::default_crate;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Data, DeriveInput, Fields, LitStr, Path, Variant};

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
    let krate = container_attr(&input.attrs, &mut errors);
    let mut arms = Vec::new();
    let mut as2_arms = Vec::new();
    for variant in &data.variants {
        let VariantAttr { label, as2 } = variant_attr(variant, &mut errors)?;
        let label = label.map_or_else(|| words(&variant.ident.to_string()), |l| l.value());
        let ident = &variant.ident;
        arms.push(quote! { Self::#ident => #label });
        let as2 = as2.map_or_else(|| "Activity".to_owned(), |as2| as2.value());
        as2_arms.push(quote! { Self::#ident => #as2 });
    }
    if let Err(error) = errors.finish() {
        return Ok(crate::fallback::verb(input, &krate, error));
    }

    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::__private::Verb for #ident #ty_generics #where_clause {
            fn label(&self) -> &'static str {
                match self { #(#arms,)* }
            }

            fn as2_type(&self) -> &'static str {
                match self { #(#as2_arms,)* }
            }
        }
    })
}

/// `#[verb(crate = path)]` on the enum; `::stream_core` without it.
fn container_attr(attrs: &[Attribute], errors: &mut Errors) -> Path {
    let mut krate = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("verb")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                if krate.is_some() {
                    errors.push(meta.error("duplicate `crate` in `#[verb(..)]`; give it once"));
                }
                krate = Some(crate_path(meta.value()?)?);
                Ok(())
            } else {
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                errors.push(meta.error(format!(
                    "unknown key `{key}` in `#[verb(..)]` on the enum; expected `crate = path::to::stream_core` (labels go on the variants: `#[verb(label = \"...\")]`)"
                )));
                crate::attr::skip_value(&meta)
            }
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    krate.unwrap_or_else(default_crate)
}

/// `#[verb(..)]` on a variant.
struct VariantAttr {
    label: Option<LitStr>,
    /// `as2 = "Like"`, checked against the vocabulary.
    as2: Option<LitStr>,
}

/// The variant's `#[verb(label = "...", as2 = "...")]`; every mistake on the variant goes to
/// `errors`.
fn variant_attr(variant: &Variant, errors: &mut Errors) -> syn::Result<VariantAttr> {
    if !matches!(variant.fields, Fields::Unit) {
        errors.push(syn::Error::new_spanned(
            &variant.fields,
            "verbs are stored as their slug, so a verb variant cannot carry fields",
        ));
    }
    let mut label: Option<LitStr> = None;
    let mut as2: Option<LitStr> = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("verb")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("as2") {
                if as2.is_some() {
                    errors.push(meta.error("duplicate `as2` in `#[verb(..)]`; give it once"));
                }
                let value = crate::as2::string_value(&meta, "as2", "as2 = \"Like\"", errors)?;
                if let Some(value) = value.filter(|value| {
                    crate::as2::check_type(value, crate::as2::ACTIVITY_TYPES, "activity", "Like", errors)
                }) {
                    as2 = Some(value);
                }
                Ok(())
            } else if meta.path.is_ident("label") {
                if label.is_some() {
                    errors.push(meta.error("duplicate `label` in `#[verb(..)]`; give it once"));
                }
                label = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                errors.push(meta.error(format!(
                    "unknown key `{key}` in `#[verb(..)]`; expected `label = \"...\"` or `as2 = \"Like\"` (the slug is sea-orm's `#[sea_orm(string_value = \"...\")]`)"
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
                format!(
                    "this slug has {length} characters; the `verb` column stores at most {MAX_SLUG}"
                ),
            ));
        }
    }
    Ok(VariantAttr { label, as2 })
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
