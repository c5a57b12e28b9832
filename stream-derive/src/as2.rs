//! `#[stream(as2(..))]` and `#[verb(as2 = "..")]`: the Activity Streams 2.0 form of a model
//! and of a verb. Parsed into a typed model, checked against the model's fields and the
//! vocabulary, then expanded into the `As2Object` impl.

use crate::attr::{Errors, did_you_mean};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Field, Ident, LitStr, Token, meta::ParseNestedMeta, punctuated::Punctuated};

/// The object types of the Activity Streams vocabulary (core and extended).
pub const OBJECT_TYPES: &[&str] = &[
    "Object",
    "Link",
    "Mention",
    "Activity",
    "IntransitiveActivity",
    "Collection",
    "OrderedCollection",
    "CollectionPage",
    "OrderedCollectionPage",
    "Application",
    "Group",
    "Organization",
    "Person",
    "Service",
    "Article",
    "Audio",
    "Document",
    "Event",
    "Image",
    "Note",
    "Page",
    "Place",
    "Profile",
    "Relationship",
    "Tombstone",
    "Video",
];

/// The activity types of the Activity Streams vocabulary.
pub const ACTIVITY_TYPES: &[&str] = &[
    "Activity",
    "IntransitiveActivity",
    "Accept",
    "Add",
    "Announce",
    "Arrive",
    "Block",
    "Create",
    "Delete",
    "Dislike",
    "Flag",
    "Follow",
    "Ignore",
    "Invite",
    "Join",
    "Leave",
    "Like",
    "Listen",
    "Move",
    "Offer",
    "Question",
    "Reject",
    "Read",
    "Remove",
    "TentativeReject",
    "TentativeAccept",
    "Travel",
    "Undo",
    "Update",
    "View",
];

/// `#[stream(as2(..))]` as written.
#[derive(Default)]
pub struct As2Attr {
    kind: Option<LitStr>,
    name: Option<LitStr>,
    id: Option<LitStr>,
    url: Option<LitStr>,
    manual: Option<Span>,
}

const KEYS: [&str; 5] = ["type", "name", "id", "url", "manual"];

impl As2Attr {
    /// The inside of `as2(..)`; each mistake goes to `errors`.
    pub fn parse(meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<As2Attr> {
        let mut attr = As2Attr::default();
        if !meta.input.peek(syn::token::Paren) {
            errors.push(meta.error(
                "`as2` takes its settings in parentheses, e.g. `as2(type = \"Person\", name = \"username\", url = \"/users/{id}\")`, or `as2(manual)` to implement `As2Object` by hand",
            ));
            return crate::attr::skip_value(meta).map(|()| attr);
        }
        meta.parse_nested_meta(|inner| {
            let key = inner.path.get_ident().map(ToString::to_string).unwrap_or_default();
            if key == "manual" {
                if inner.input.peek(Token![=]) || inner.input.peek(syn::token::Paren) {
                    errors.push(inner.error("`manual` is a flag and takes no value; write `as2(manual)`"));
                    crate::attr::skip_value(&inner)?;
                }
                attr.manual = Some(inner.path.get_ident().map_or_else(Span::call_site, Ident::span));
                return Ok(());
            }
            let slot = match key.as_str() {
                "type" => &mut attr.kind,
                "name" => &mut attr.name,
                "id" => &mut attr.id,
                "url" => &mut attr.url,
                _ => {
                    let suggestion = did_you_mean(&key, KEYS);
                    errors.push(inner.error(format!(
                        "unknown key `{key}` in `as2(..)`; expected `type = \"Person\"`, `name = \"field\"`, `id = \"/path/{{field}}\"`, `url = \"/path/{{field}}\"` or `manual`{suggestion}"
                    )));
                    return crate::attr::skip_value(&inner);
                }
            };
            if slot.is_some() {
                errors.push(inner.error(format!("duplicate `{key}` in `as2(..)`; give it once")));
            }
            let example = match key.as_str() {
                "type" => "type = \"Person\"",
                "name" => "name = \"username\"",
                _ => "url = \"/users/{id}\"",
            };
            *slot = string_value(&inner, &key, example, errors)?;
            Ok(())
        })?;
        Ok(attr)
    }
}

/// The string of `key = "..."`; anything else is reported (`None`), naming `example`.
pub fn string_value(
    meta: &ParseNestedMeta,
    key: &str,
    example: &str,
    errors: &mut Errors,
) -> syn::Result<Option<LitStr>> {
    let value = meta.value()?;
    if value.peek(LitStr) {
        return value.parse().map(Some);
    }
    let expr: syn::Expr = value.parse()?;
    errors.push(syn::Error::new_spanned(
        expr,
        format!("`{key}` takes a string in quotes: `{example}`"),
    ));
    Ok(None)
}

/// One piece of an `id` or `url` template.
pub enum Piece {
    Text(String),
    Field(Ident),
}

/// What the `As2Object` impl is made of, after checking.
pub enum As2Model {
    /// `as2(manual)`: the user implements it.
    Manual,
    Derived {
        kind: String,
        name: Option<Ident>,
        id: Option<Vec<Piece>>,
        url: Option<Vec<Piece>>,
    },
}

impl As2Model {
    /// Check `attr` against the model's fields; what is wrong goes to `errors` and falls back
    /// to the default, so that expansion goes on.
    pub fn new(
        model: &Ident,
        attr: Option<As2Attr>,
        fields: &Punctuated<Field, Token![,]>,
        errors: &mut Errors,
    ) -> As2Model {
        let attr = attr.unwrap_or_default();
        if let Some(span) = attr.manual {
            let others = [&attr.kind, &attr.name, &attr.id, &attr.url];
            if others.iter().any(|other| other.is_some()) {
                errors.push(syn::Error::new(
                    span,
                    "`as2(manual)` means you implement `stream_core::As2Object` yourself, so it takes no other key; drop `manual` to have the derive write it from `type`, `name`, `id` and `url`",
                ));
            }
            return As2Model::Manual;
        }
        let field_names: Vec<String> = fields
            .iter()
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        let kind = attr.kind.as_ref().and_then(|kind| {
            check_type(kind, OBJECT_TYPES, "object", "Person", errors).then(|| kind.value())
        });
        let name = attr.name.as_ref().and_then(|name| {
            let found = field_names.contains(&name.value());
            if !found {
                errors.push(syn::Error::new_spanned(
                    name,
                    format!(
                        "`{model}` has no field `{}`; `name` names the field whose `Display` is the object's Activity Streams name{}",
                        name.value(),
                        did_you_mean(&name.value(), field_names.iter().map(String::as_str))
                    ),
                ));
            }
            found.then(|| Ident::new(&name.value(), name.span()))
        });
        let mut template = |lit: &Option<LitStr>, key: &str| {
            lit.as_ref()
                .and_then(|lit| parse_template(model, lit, key, &field_names, errors))
        };
        let id = template(&attr.id, "id");
        let url = template(&attr.url, "url");
        As2Model::Derived {
            kind: kind.unwrap_or_else(|| "Object".to_owned()),
            name,
            id,
            url,
        }
    }

    /// The `As2Object` impl, or nothing for `manual`.
    pub fn expand(&self, model: &Ident, private: &TokenStream) -> TokenStream {
        let As2Model::Derived {
            kind,
            name,
            id,
            url,
        } = self
        else {
            return TokenStream::new();
        };
        let name = match name {
            Some(field) => quote! { ::std::string::ToString::to_string(&self.#field) },
            None => quote! { #private::as2_default_name(self) },
        };
        let id = match id.as_ref().or(url.as_ref()) {
            Some(pieces) => build(pieces, private),
            None => quote! { #private::as2_default_id(self) },
        };
        let url = match url {
            Some(pieces) => {
                let url = build(pieces, private);
                quote! { ::core::option::Option::Some(#url) }
            }
            None => quote! { ::core::option::Option::None },
        };
        quote! {
            #[automatically_derived]
            impl #private::As2Object for #model {
                fn as2_type(&self) -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(#kind)
                }
                fn as2_name(&self) -> ::std::string::String {
                    #name
                }
                fn as2_id(&self) -> ::std::string::String {
                    #id
                }
                fn as2_url(&self) -> ::core::option::Option<::std::string::String> {
                    #url
                }
            }
        }
    }
}

/// Whether `lit` is a type of `known` or an absolute IRI; reports it if not.
pub fn check_type(
    lit: &LitStr,
    known: &[&str],
    what: &str,
    example: &str,
    errors: &mut Errors,
) -> bool {
    let value = lit.value();
    if known.contains(&value.as_str()) || is_absolute_iri(&value) {
        return true;
    }
    errors.push(syn::Error::new_spanned(
        lit,
        format!(
            "`{value}` is not an Activity Streams {what} type; write one of the vocabulary's (`{example}`, ..: {}) or an absolute IRI for an extension type (`https://example.org/ns#{value}`){}",
            known.join(", "),
            did_you_mean(&value, known.iter().copied())
        ),
    ));
    false
}

/// `scheme:rest` with a scheme of letters, digits, `+ - .` starting with a letter, and no
/// spaces.
fn is_absolute_iri(text: &str) -> bool {
    match text.split_once(':') {
        Some((scheme, rest)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !rest.is_empty()
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// `"/users/{id}"` → text and fields; `None` (after an error) when it is malformed.
fn parse_template(
    model: &Ident,
    lit: &LitStr,
    key: &str,
    fields: &[String],
    errors: &mut Errors,
) -> Option<Vec<Piece>> {
    let value = lit.value();
    let error = |message: String| syn::Error::new_spanned(lit, message);
    if !value.starts_with('/') && !is_absolute_iri(&value) {
        errors.push(error(format!(
            "`{key}` is a path of the application starting with `/` (`/users/{{id}}`) or an absolute IRI (`https://example.org/users/{{id}}`), not `{value}`"
        )));
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = value.as_str();
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            errors.push(error(format!(
                "`}}` without `{{` in `{key}`; a field goes in braces: `/users/{{id}}`"
            )));
            return None;
        }
        pieces.push(Piece::Text(rest[..open].to_owned()));
        let Some(close) = rest[open..].find('}') else {
            errors.push(error(format!(
                "unclosed `{{` in `{key}`; a field goes in braces: `/users/{{id}}`"
            )));
            return None;
        };
        let field = &rest[open + 1..open + close];
        if !fields.iter().any(|f| f == field) {
            errors.push(error(format!(
                "`{model}` has no field `{field}`; `{{..}}` in `{key}` names a field whose `Display` goes in the path{}",
                did_you_mean(field, fields.iter().map(String::as_str))
            )));
            return None;
        }
        pieces.push(Piece::Field(Ident::new(field, lit.span())));
        rest = &rest[open + close + 1..];
    }
    pieces.push(Piece::Text(rest.to_owned()));
    Some(pieces)
}

/// The code that builds a template's text, each field percent-encoded as a path segment.
fn build(pieces: &[Piece], private: &TokenStream) -> TokenStream {
    let pushes = pieces.iter().map(|piece| match piece {
        Piece::Text(text) if text.is_empty() => quote! {},
        Piece::Text(text) => quote! { out.push_str(#text); },
        Piece::Field(field) => quote! { out.push_str(&#private::path_segment(&self.#field)); },
    });
    quote! {{
        let mut out = ::std::string::String::new();
        #(#pushes)*
        out
    }}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_need_a_scheme() {
        assert!(is_absolute_iri("https://example.org/ns#Thing"));
        assert!(is_absolute_iri("urn:example:thing"));
        assert!(!is_absolute_iri("Liked"));
        assert!(!is_absolute_iri("1x:y"));
        assert!(!is_absolute_iri("https://exa mple"));
    }
}
