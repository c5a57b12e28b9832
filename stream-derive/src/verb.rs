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
    let mut grouping_arms = Vec::new();
    let mut any_grouping = false;
    for variant in &data.variants {
        let VariantAttr {
            label,
            as2,
            group_by,
        } = variant_attr(variant, &mut errors)?;
        let label = label.map_or_else(|| words(&variant.ident.to_string()), |l| l.value());
        let ident = &variant.ident;
        arms.push(quote! { Self::#ident => #label });
        let as2 = as2.map_or_else(|| "Activity".to_owned(), |as2| as2.value());
        as2_arms.push(quote! { Self::#ident => #as2 });
        any_grouping |= group_by.is_some();
        let grouping = group_by.unwrap_or_default().tokens(&krate);
        grouping_arms.push(quote! { Self::#ident => #grouping });
    }
    if let Err(error) = errors.finish() {
        return Ok(crate::fallback::verb(input, &krate, error));
    }

    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Without any `group_by`, the trait's default (`Grouping::DEFAULT`) says it all.
    let grouping = any_grouping.then(|| {
        quote! {
            fn grouping(&self) -> #krate::__private::Grouping {
                match self { #(#grouping_arms,)* }
            }
        }
    });
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::__private::Verb for #ident #ty_generics #where_clause {
            fn label(&self) -> &'static str {
                match self { #(#arms,)* }
            }

            fn as2_type(&self) -> &'static str {
                match self { #(#as2_arms,)* }
            }

            #grouping
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
    /// `group_by = "target, day"`, parsed.
    group_by: Option<GroupBy>,
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
    let mut group_by: Option<GroupBy> = None;
    let mut group_by_given = false;
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
            } else if meta.path.is_ident("group_by") {
                if group_by_given {
                    errors.push(meta.error("duplicate `group_by` in `#[verb(..)]`; give it once"));
                }
                group_by_given = true;
                let value =
                    crate::as2::string_value(&meta, "group_by", "group_by = \"target, day\"", errors)?;
                if let Some(rule) = value.and_then(|value| GroupBy::parse(&value, errors)) {
                    group_by = Some(rule);
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
                    "unknown key `{key}` in `#[verb(..)]`; expected `label = \"...\"`, `as2 = \"Like\"` or `group_by = \"target, day\"` (the slug is sea-orm's `#[sea_orm(string_value = \"...\")]`)"
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
    Ok(VariantAttr {
        label,
        as2,
        group_by,
    })
}

/// The parts `group_by` takes, for error messages.
const GROUP_BY_PARTS: &str = "any of `actor`, `target`, `action_object` and at most one of `hour`, `day`, `week` (e.g. `group_by = \"target, day\"`), or `group_by = \"none\"` to keep every action alone";

/// The roles and the period of `#[verb(group_by = "..")]`.
struct GroupBy {
    none: bool,
    roles: Vec<&'static str>,
    period: Option<&'static str>,
}

/// The rule of a verb without `group_by`: `"target, day"`.
impl Default for GroupBy {
    fn default() -> Self {
        GroupBy {
            none: false,
            roles: vec!["target"],
            period: Some("day"),
        }
    }
}

impl GroupBy {
    /// Parse `"target, day"`; every mistake goes to `errors` (and gives `None`).
    fn parse(value: &LitStr, errors: &mut Errors) -> Option<Self> {
        const ROLES: [&str; 3] = ["actor", "target", "action_object"];
        const PERIODS: [&str; 3] = ["hour", "day", "week"];
        let text = value.value();
        let mut error = |message: String| {
            errors.push(syn::Error::new_spanned(value, message));
            None
        };
        if text.trim().is_empty() {
            return error(format!(
                "`group_by` is empty; name what makes two actions of this verb one group: {GROUP_BY_PARTS}"
            ));
        }
        if text.trim() == "none" {
            return Some(GroupBy {
                none: true,
                roles: Vec::new(),
                period: None,
            });
        }
        let mut rule = GroupBy {
            none: false,
            roles: Vec::new(),
            period: None,
        };
        for part in text.split(',').map(str::trim) {
            if let Some(role) = ROLES.iter().find(|role| **role == part) {
                if rule.roles.contains(role) {
                    return error(format!(
                        "`{part}` appears twice in `group_by`; give each part once"
                    ));
                }
                rule.roles.push(role);
            } else if let Some(period) = PERIODS.iter().find(|period| **period == part) {
                if let Some(other) = rule.period {
                    return error(format!(
                        "`group_by` has two periods, `{other}` and `{period}`; give at most one of `hour`, `day`, `week`"
                    ));
                }
                rule.period = Some(period);
            } else if part == "none" {
                return error(
                    "`none` keeps every action alone and takes no other parts: write `group_by = \"none\"`, or leave `none` out".to_owned(),
                );
            } else if part.is_empty() {
                return error(format!(
                    "`group_by` has an empty part (two commas, or one at an end); the parts are {GROUP_BY_PARTS}"
                ));
            } else {
                let hint = crate::attr::did_you_mean(part, ROLES.into_iter().chain(PERIODS));
                return error(format!(
                    "unknown part `{part}` in `group_by`{hint}; the parts are {GROUP_BY_PARTS}"
                ));
            }
        }
        Some(rule)
    }

    /// `Grouping::BY_VERB.by(Role::Target).per(Period::Day)`.
    fn tokens(&self, krate: &Path) -> TokenStream {
        let private = quote! { #krate::__private };
        if self.none {
            return quote! { #private::Grouping::NONE };
        }
        let roles = self.roles.iter().map(|role| {
            let variant = syn::Ident::new(
                match *role {
                    "actor" => "Actor",
                    "target" => "Target",
                    _ => "ActionObject",
                },
                proc_macro2::Span::call_site(),
            );
            quote! { .by(#private::Role::#variant) }
        });
        let period = self.period.map(|period| {
            let variant = syn::Ident::new(
                match period {
                    "hour" => "Hour",
                    "day" => "Day",
                    _ => "Week",
                },
                proc_macro2::Span::call_site(),
            );
            quote! { .per(#private::Period::#variant) }
        });
        quote! { #private::Grouping::BY_VERB #(#roles)* #period }
    }
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
