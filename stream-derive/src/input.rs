//! The input shared by `action_entity!` and `follow_entity!`:
//! `#[attrs] vis mod name { key = value, .. }`, parsed against the keys each macro knows.
//!
//! Every mistake in the body is collected before any is reported, so one compile shows them
//! all: an unknown key (answered with the list of known ones), a key given twice, a value of
//! the wrong shape. Which keys are required is the caller's rule (see `Entries::take_*`).

use crate::attr::Errors;
use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::{
    Attribute, Ident, LitBool, LitStr, Path, Token, Type, Visibility, braced, bracketed,
    ext::IdentExt,
    parse::{Parse, ParseStream},
    punctuated::Punctuated,
};

/// What a key's value looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `"..."`
    Str,
    /// `path::to::item`
    Path,
    /// `path::to::stream_core` or `"path::to::stream_core"`, as serde's `crate = "..."`.
    CratePath,
    /// `[path, ..]`
    Paths,
    /// `[name, ..]`
    Idents,
    /// A Rust type: `path::to::Data`, `Vec<String>`.
    Type,
    /// `true` (or `false`).
    Bool,
}

impl Shape {
    fn described(self) -> &'static str {
        match self {
            Shape::Str => "a string",
            Shape::Path | Shape::CratePath => "a path",
            Shape::Paths => "a list of paths",
            Shape::Idents => "a list of names",
            Shape::Type => "a type",
            Shape::Bool => "`true`",
        }
    }
}

/// A key of the `mod name { .. }` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub shape: Shape,
    /// The key as written with an example value, for messages.
    pub example: &'static str,
}

pub const TABLE_NAME: Key = Key {
    name: "table_name",
    shape: Shape::Str,
    example: "table_name = \"...\"",
};
pub const VERB: Key = Key {
    name: "verb",
    shape: Shape::Path,
    example: "verb = path::to::Verb",
};
pub const MODELS: Key = Key {
    name: "models",
    shape: Shape::Paths,
    example: "models = [path::to::model, ..]",
};
pub const SET_NULL: Key = Key {
    name: "set_null",
    shape: Shape::Idents,
    example: "set_null = [target, action_object]",
};
pub const DATA: Key = Key {
    name: "data",
    shape: Shape::Type,
    example: "data = path::to::Data",
};
pub const PUBLIC: Key = Key {
    name: "public",
    shape: Shape::Bool,
    example: "public = true",
};
pub const FOLLOWER: Key = Key {
    name: "follower",
    shape: Shape::Path,
    example: "follower = path::to::model",
};
pub const ACTIONS: Key = Key {
    name: "actions",
    shape: Shape::Paths,
    example: "actions = [path::to::action_module, ..]",
};
pub const RECIPIENT: Key = Key {
    name: "recipient",
    shape: Shape::Path,
    example: "recipient = path::to::model",
};
/// The action entity of a notification table: one module, not a list.
pub const ACTION_ENTITY: Key = Key {
    name: "actions",
    shape: Shape::Path,
    example: "actions = path::to::action_module",
};
pub const NOTIFY: Key = Key {
    name: "notify",
    shape: Shape::Path,
    example: "notify = path::to::notification_module",
};
pub const CRATE: Key = Key {
    name: "crate",
    shape: Shape::CratePath,
    example: "crate = path::to::stream_core",
};

/// The path generated code starts from when the input names none.
pub fn default_crate() -> Path {
    syn::parse_quote!(::stream_core)
}

/// "expected `a`, `b` or `c`".
pub fn expected(keys: &[Key]) -> String {
    let examples: Vec<String> = keys
        .iter()
        .map(|key| format!("`{}`", key.example))
        .collect();
    match examples.split_last() {
        Some((last, [])) => format!("expected {last}"),
        Some((last, rest)) => format!("expected {} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A value as written.
pub enum Value {
    Str(LitStr),
    Path(Path),
    List(Vec<Path>),
    Idents(Vec<Ident>),
    Type(Box<Type>),
    Bool(LitBool),
}

/// The parsed body: each known key with its value, in the order written.
pub struct Entries {
    macro_name: &'static str,
    keys: &'static [Key],
    /// The name of the declared module, where "missing key" errors point.
    at: Span,
    found: Vec<(Key, Ident, Value)>,
    /// Keys given with a value of the wrong shape: already reported, so not also missing.
    malformed: Vec<Key>,
}

/// `#[attrs] vis mod name { .. }` with its body parsed against `keys`.
pub struct EntityInput {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub entries: Entries,
}

impl EntityInput {
    /// Parse the input of `macro_name`; `example` is a complete invocation for the message
    /// when the input is not a module. Mistakes inside the body go to `errors`.
    pub fn parse(
        input: ParseStream,
        macro_name: &'static str,
        keys: &'static [Key],
        example: &str,
        errors: &mut Errors,
    ) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![mod]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `mod <name> {{ .. }}`, e.g. `{example}`"),
            )
        })?;
        let ident: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let mut entries = Entries {
            macro_name,
            keys,
            at: ident.span(),
            found: Vec::new(),
            malformed: Vec::new(),
        };
        while !body.is_empty() {
            entries.parse_entry(&body, errors)?;
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        Ok(EntityInput {
            attrs,
            vis,
            ident,
            entries,
        })
    }
}

impl Entries {
    fn parse_entry(&mut self, body: ParseStream, errors: &mut Errors) -> syn::Result<()> {
        // `crate` is a keyword; every key is read as a name.
        let key = Ident::parse_any(body)?;
        body.parse::<Token![=]>()?;
        let Some(known) = self.keys.iter().find(|k| key == k.name).copied() else {
            errors.push(syn::Error::new_spanned(
                &key,
                format!(
                    "unknown key `{key}` in `{}!`; {}{}",
                    self.macro_name,
                    expected(self.keys),
                    crate::attr::did_you_mean(&key.to_string(), self.keys.iter().map(|k| k.name)),
                ),
            ));
            return skip_value(body);
        };
        if self.found.iter().any(|(k, ..)| *k == known) {
            errors.push(syn::Error::new_spanned(
                &key,
                format!("duplicate key `{key}`; give it once"),
            ));
            return skip_value(body);
        }
        match parse_value(body, known.shape) {
            Ok(value) => self.found.push((known, key, value)),
            Err(error) => {
                // After a whole value, more tokens: most likely a missing comma.
                let message = if error.to_string() == AFTER_VALUE {
                    format!(
                        "expected `,` after the value of `{}`; it takes {}: `{}`",
                        known.name,
                        known.shape.described(),
                        known.example
                    )
                } else {
                    format!(
                        "`{}` takes {}: `{}`",
                        known.name,
                        known.shape.described(),
                        known.example
                    )
                };
                errors.push(syn::Error::new(error.span(), message));
                self.malformed.push(known);
                skip_value(body)?;
            }
        }
        Ok(())
    }

    fn take(&mut self, key: Key) -> Option<(Ident, Value)> {
        let index = self.found.iter().position(|(k, ..)| *k == key)?;
        let (_, ident, value) = self.found.remove(index);
        Some((ident, value))
    }

    /// Report a required `key` as absent, unless it was given in a shape already reported.
    fn missing(&self, key: Key, errors: &mut Errors) {
        if self.malformed.contains(&key) {
            return;
        }
        errors.push(syn::Error::new(
            self.at,
            format!(
                "`{}!` needs `{}`; {}",
                self.macro_name,
                key.example,
                expected(self.keys)
            ),
        ));
    }

    pub fn take_str(&mut self, key: Key, errors: &mut Errors) -> Option<LitStr> {
        match self.take(key) {
            Some((_, Value::Str(lit))) => Some(lit),
            _ => {
                self.missing(key, errors);
                None
            }
        }
    }

    /// An optional path.
    pub fn take_optional_path(&mut self, key: Key) -> Option<Path> {
        match self.take(key) {
            Some((_, Value::Path(path))) => Some(path),
            _ => None,
        }
    }

    pub fn take_path(&mut self, key: Key, errors: &mut Errors) -> Option<Path> {
        match self.take(key) {
            Some((_, Value::Path(path))) => Some(path),
            _ => {
                self.missing(key, errors);
                None
            }
        }
    }

    /// The crate path, `::stream_core` unless the input gives one.
    pub fn take_crate(&mut self) -> Path {
        match self.take(CRATE) {
            Some((_, Value::Path(path))) => path,
            _ => default_crate(),
        }
    }

    /// A required, non-empty list; `what` says what belongs in it.
    pub fn take_list(&mut self, key: Key, what: &str, errors: &mut Errors) -> Option<Vec<Path>> {
        match self.take(key) {
            Some((ident, Value::List(list))) if list.is_empty() => {
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("`{}` is empty; list {what}", key.name),
                ));
                None
            }
            Some((_, Value::List(list))) => Some(list),
            _ => {
                self.missing(key, errors);
                None
            }
        }
    }

    /// An optional list, empty when absent.
    pub fn take_optional_list(&mut self, key: Key) -> Vec<Path> {
        match self.take(key) {
            Some((_, Value::List(list))) => list,
            _ => Vec::new(),
        }
    }

    /// An optional type.
    pub fn take_type(&mut self, key: Key) -> Option<Type> {
        match self.take(key) {
            Some((_, Value::Type(ty))) => Some(*ty),
            _ => None,
        }
    }

    /// An optional flag: `None` when absent.
    pub fn take_bool(&mut self, key: Key) -> Option<LitBool> {
        match self.take(key) {
            Some((_, Value::Bool(flag))) => Some(flag),
            _ => None,
        }
    }

    /// An optional list of names, empty when absent.
    pub fn take_idents(&mut self, key: Key) -> Vec<Ident> {
        match self.take(key) {
            Some((_, Value::Idents(idents))) => idents,
            _ => Vec::new(),
        }
    }
}

/// The items of a sea-orm entity module. A path to one of them where a model's module belongs
/// is reported with the module to write instead.
const ENTITY_ITEMS: &[&str] = &[
    "Model",
    "Entity",
    "ActiveModel",
    "Column",
    "PrimaryKey",
    "Relation",
];

/// Report each of `paths` (the value of `key`) that names an item of a model's module
/// (`entities::user::Model`) instead of the module (`entities::user`).
pub fn check_model_modules<'a>(
    key: Key,
    paths: impl IntoIterator<Item = &'a Path>,
    errors: &mut Errors,
) {
    for path in paths {
        let Some(last) = path.segments.last() else {
            continue;
        };
        let item = last.ident.to_string();
        if !ENTITY_ITEMS.contains(&item.as_str()) {
            continue;
        }
        let mut module = path.clone();
        module.segments.pop();
        let module = module.to_token_stream().to_string().replace(' ', "");
        let module = module.trim_end_matches("::");
        let what = if module.is_empty() {
            String::new()
        } else {
            format!(": write `{module}`")
        };
        errors.push(syn::Error::new_spanned(
            path,
            format!(
                "`{}` takes the module of a model, where it derives `Streamable`, not its `{item}`{what}",
                key.name
            ),
        ));
    }
}

fn parse_value(body: ParseStream, shape: Shape) -> syn::Result<Value> {
    Ok(match shape {
        Shape::Str => Value::Str(body.parse()?),
        Shape::Path => Value::Path(body.parse()?),
        Shape::CratePath => Value::Path(crate::attr::crate_path(body)?),
        Shape::Paths => Value::List(bracketed_list(body)?),
        Shape::Idents => Value::Idents(bracketed_list(body)?),
        Shape::Type => Value::Type(Box::new(value_type(body)?)),
        Shape::Bool => Value::Bool(body.parse()?),
    })
}

/// The parse error of a value followed by more than the `,` that ends it.
const AFTER_VALUE: &str = "more after the value";

/// A type that is the whole value: `data = Vec<String>` reads `Vec<String>`, and `data = ,`
/// or `data = Data Data` are mistakes (rather than the start of the next key).
fn value_type(body: ParseStream) -> syn::Result<Type> {
    if body.is_empty() || body.peek(Token![,]) {
        return Err(body.error("a type"));
    }
    let ty: Type = body.parse()?;
    if !body.is_empty() && !body.peek(Token![,]) {
        return Err(body.error(AFTER_VALUE));
    }
    Ok(ty)
}

fn bracketed_list<T: Parse>(body: ParseStream) -> syn::Result<Vec<T>> {
    let list;
    bracketed!(list in body);
    Ok(Punctuated::<T, Token![,]>::parse_terminated(&list)?
        .into_iter()
        .collect())
}

/// Skip what is left of a value, up to the `,` that ends it, so that the keys after a
/// mistake are still read.
fn skip_value(body: ParseStream) -> syn::Result<()> {
    while !body.is_empty() && !body.peek(Token![,]) {
        body.parse::<TokenTree>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    const KEYS: &[Key] = &[TABLE_NAME, MODELS, CRATE];

    fn parse(tokens: &str) -> (Option<EntityInput>, Vec<String>) {
        let mut errors = Errors::default();
        let parsed = (|input: ParseStream| {
            EntityInput::parse(input, "test_entity", KEYS, "mod m { .. }", &mut errors)
        })
        .parse_str(tokens);
        let mut messages: Vec<String> = errors
            .finish()
            .err()
            .into_iter()
            .flat_map(|e| e.into_iter().map(|e| e.to_string()))
            .collect();
        let input = match parsed {
            Ok(input) => Some(input),
            Err(error) => {
                messages.push(error.to_string());
                None
            }
        };
        (input, messages)
    }

    #[test]
    fn reads_every_known_key() {
        let (input, errors) =
            parse(r#"pub mod m { table_name = "t", models = [a::b, c], crate = "::x" }"#);
        assert!(errors.is_empty(), "{errors:?}");
        let mut entries = input.unwrap().entries;
        let mut errors = Errors::default();
        assert_eq!(
            entries.take_str(TABLE_NAME, &mut errors).unwrap().value(),
            "t"
        );
        assert_eq!(entries.take_list(MODELS, "", &mut errors).unwrap().len(), 2);
        let krate = entries.take_crate();
        assert_eq!(quote::quote!(#krate).to_string(), ":: x");
        assert!(errors.finish().is_ok());
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let (input, errors) = parse(
            r#"mod m { colour = 1, table_name = "a", table_name = "b", crate = 7, models = [] }"#,
        );
        assert!(input.is_some());
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("unknown key `colour` in `test_entity!`; expected `table_name = \"...\"`, `models = [path::to::model, ..]` or `crate = path::to::stream_core`"));
        assert_eq!(errors[1], "duplicate key `table_name`; give it once");
        assert_eq!(
            errors[2],
            "`crate` takes a path: `crate = path::to::stream_core`"
        );
    }

    #[test]
    fn names_what_is_missing_and_empty() {
        let (input, errors) = parse("mod m { models = [] }");
        assert!(errors.is_empty());
        let mut entries = input.unwrap().entries;
        let mut errors = Errors::default();
        assert!(entries.take_str(TABLE_NAME, &mut errors).is_none());
        assert!(
            entries
                .take_list(MODELS, "the models", &mut errors)
                .is_none()
        );
        assert_eq!(entries.take_crate(), default_crate());
        let messages: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert!(messages[0].starts_with("`test_entity!` needs `table_name = \"...\"`"));
        assert_eq!(messages[1], "`models` is empty; list the models");
    }

    #[test]
    fn a_path_to_an_item_of_a_model_module_names_the_module_to_write() {
        let paths: Vec<Path> = vec![
            syn::parse_quote!(entities::user),
            syn::parse_quote!(entities::user::Model),
            syn::parse_quote!(crate::post::Entity),
            syn::parse_quote!(Model),
            syn::parse_quote!(crate::models),
        ];
        let mut errors = Errors::default();
        check_model_modules(MODELS, &paths, &mut errors);
        let messages: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "`models` takes the module of a model, where it derives `Streamable`, not its `Model`: write `entities::user`",
                "`models` takes the module of a model, where it derives `Streamable`, not its `Entity`: write `crate::post`",
                "`models` takes the module of a model, where it derives `Streamable`, not its `Model`",
            ]
        );
    }
}
