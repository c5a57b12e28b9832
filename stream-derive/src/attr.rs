//! Attribute helpers shared by the derives.

use syn::{Attribute, Expr, LitStr, Token, meta::ParseNestedMeta};

/// Collects every error so the user sees all mistakes at once.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Skip the value of a key we do not interpret (`key`, `key = value` or `key(..)`).
pub fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// The string values of `key = "..."` inside `#[sea_orm(..)]` attributes, and whether the
/// flag `flag` appears.
pub struct SeaOrmAttr {
    pub values: Vec<(String, LitStr)>,
    pub flags: Vec<String>,
}

impl SeaOrmAttr {
    pub fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = SeaOrmAttr {
            values: Vec::new(),
            flags: Vec::new(),
        };
        for attr in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            attr.parse_nested_meta(|meta| {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                if meta.input.peek(Token![=]) {
                    let value = meta.value()?;
                    if value.peek(LitStr) {
                        out.values.push((key, value.parse()?));
                    } else {
                        value.parse::<Expr>()?;
                    }
                } else if meta.input.peek(syn::token::Paren) {
                    skip_value(&meta)?;
                } else {
                    out.flags.push(key);
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    pub fn value(&self, key: &str) -> Option<&LitStr> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// `snake_case` → `UpperCamelCase`, the way sea-orm names columns and relations.
pub fn upper_camel(snake: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(snake)
}

/// Whether `name` can follow `actor_` in a Rust field name and, in UpperCamelCase, start a
/// Rust type name (`UserPk`): a lowercase letter, then lowercase letters, digits and `_`.
pub fn is_snake_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A path as text without the spaces `quote!` puts between tokens: `::stream_core::Role`,
/// for sea-orm's string attributes and for doc links.
pub fn path_text(path: &impl quote::ToTokens) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// The value of `crate = ..`: a path, bare or quoted as serde's `#[serde(crate = "...")]`.
pub fn crate_path(input: syn::parse::ParseStream) -> syn::Result<syn::Path> {
    if input.peek(LitStr) {
        input.parse::<LitStr>()?.parse()
    } else {
        syn::Path::parse_mod_style(input)
    }
}

/// `; did you mean `<known>`?` when `word` is a small misspelling of one of `known` (at most
/// two edits, and fewer than half its letters), else nothing.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    known
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|&(distance, _)| distance <= 2 && distance * 2 < word.chars().count())
        .min_by_key(|&(distance, _)| distance)
        .map_or_else(String::new, |(_, candidate)| {
            format!("; did you mean `{candidate}`?")
        })
}

/// Levenshtein distance: insertions, deletions and substitutions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misspellings_are_suggested() {
        let roles = ["actor", "target", "action_object"];
        assert_eq!(
            did_you_mean("acton_object", roles),
            "; did you mean `action_object`?"
        );
        assert_eq!(did_you_mean("targte", roles), "; did you mean `target`?");
        assert_eq!(did_you_mean("actr", roles), "; did you mean `actor`?");
    }

    #[test]
    fn other_words_are_not() {
        let roles = ["actor", "target", "action_object"];
        assert_eq!(did_you_mean("colour", roles), "");
        assert_eq!(did_you_mean("at", roles), "");
    }
}
