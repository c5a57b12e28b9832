//! The verbs a crate declares, read from its source: the slugs
//! (`#[sea_orm(string_value = "..")]`) of every enum in `src/` that derives `Verb`.
//!
//! A build script cannot see the crate it builds, so it reads the files. It does so with a
//! small tokenizer rather than syn: the pattern is narrow (a derive list, an enum's variants,
//! one attribute key), the build module stays free of dependencies and features (build.rs
//! depends on it with `default-features = false` and nothing else), and a scan of tokens
//! cannot fail on a file that is half-edited or uses syntax newer than a parser knows.
//! Comments, strings, raw strings and character literals are read as such, so a `Verb` in
//! a comment or a string is never taken for a derive.

use std::path::Path;

/// The verb slugs declared in `crate_dir/src/**/*.rs`, sorted, or why they cannot be known.
pub(super) fn find(crate_dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    rust_files(&crate_dir.join("src"), &mut files)
        .map_err(|err| format!("cannot read src/: {err}"))?;
    files.sort();
    let mut slugs = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file)
            .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
        for verbs in verb_enums(&source) {
            if let Some(variant) = verbs.without_slug.first() {
                let file = file.strip_prefix(crate_dir).unwrap_or(&file);
                return Err(format!(
                    "the variant `{variant}` of `{}` in {} has no `#[sea_orm(string_value = \"..\")]`",
                    verbs.name,
                    file.display()
                ));
            }
            slugs.extend(verbs.slugs);
        }
    }
    if slugs.is_empty() {
        return Err("found no enum deriving `Verb` in src/".to_owned());
    }
    slugs.sort();
    slugs.dedup();
    Ok(slugs)
}

/// The `.rs` files under `dir`, at any depth; none if it does not exist.
fn rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// An enum deriving `Verb`.
#[derive(Debug, PartialEq)]
struct VerbEnum {
    name: String,
    slugs: Vec<String>,
    /// Variants without `string_value` (sea-orm's `rename_all`, say): their slugs are unknown.
    without_slug: Vec<String>,
}

/// The enums of `source` whose `#[derive(..)]` lists `Verb` or a path ending in it
/// (`stream_core::Verb`), at any depth of modules.
fn verb_enums(source: &str) -> Vec<VerbEnum> {
    let tokens = tokenize(source);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_outer_attribute(&tokens, i) {
            i += 1;
            continue;
        }
        let mut derives_verb = false;
        while is_outer_attribute(&tokens, i) {
            let end = closing(&tokens, i + 1);
            derives_verb |= derives(&tokens[i + 2..end], "Verb");
            i = end + 1;
        }
        i = skip_visibility(&tokens, i);
        if !derives_verb || tokens.get(i) != Some(&Token::ident("enum")) {
            // Items inside this one (a module's, say) are scanned as the loop goes on.
            continue;
        }
        let Some(Token::Ident(name)) = tokens.get(i + 1) else {
            continue;
        };
        let Some(open) = (i + 2..tokens.len()).find(|&k| tokens[k] == Token::Punct('{')) else {
            break;
        };
        let close = closing(&tokens, open);
        found.push(variants(name, &tokens[open + 1..close]));
        i = close;
    }
    found
}

/// The variants of the enum `name`, from the tokens between its braces.
fn variants(name: &str, body: &[Token]) -> VerbEnum {
    let mut verbs = VerbEnum {
        name: name.to_owned(),
        slugs: Vec::new(),
        without_slug: Vec::new(),
    };
    let mut i = 0;
    while i < body.len() {
        let mut slug = None;
        while is_outer_attribute(body, i) {
            let end = closing(body, i + 1);
            slug = slug.or_else(|| string_value(&body[i + 2..end]));
            i = end + 1;
        }
        let Some(Token::Ident(variant)) = body.get(i) else {
            break;
        };
        match slug {
            Some(slug) => verbs.slugs.push(slug),
            None => verbs.without_slug.push(variant.clone()),
        }
        // Past the fields or discriminant, to the comma that ends the variant.
        while i < body.len() && body[i] != Token::Punct(',') {
            if body[i].opens() {
                i = closing(body, i);
            }
            i += 1;
        }
        i += 1;
    }
    verbs
}

/// `derive(.., Verb, ..)`, from the tokens inside `#[..]`: whether a listed path ends in `name`.
fn derives(attribute: &[Token], name: &str) -> bool {
    let [
        Token::Ident(derive),
        Token::Punct('('),
        list @ ..,
        Token::Punct(')'),
    ] = attribute
    else {
        return false;
    };
    derive == "derive"
        && list
            .split(|token| *token == Token::Punct(','))
            .any(|path| path.last() == Some(&Token::ident(name)))
}

/// `sea_orm(.., string_value = "..", ..)`, from the tokens inside `#[..]`: the value.
fn string_value(attribute: &[Token]) -> Option<String> {
    let [Token::Ident(sea_orm), Token::Punct('('), keys @ ..] = attribute else {
        return None;
    };
    if sea_orm != "sea_orm" {
        return None;
    }
    keys.windows(3).find_map(|window| match window {
        [Token::Ident(key), Token::Punct('='), Token::Str(value)] if key == "string_value" => {
            Some(value.clone())
        }
        _ => None,
    })
}

/// `#` `[` at `i`: an outer attribute (`#![..]` is an inner one).
fn is_outer_attribute(tokens: &[Token], i: usize) -> bool {
    tokens.get(i) == Some(&Token::Punct('#')) && tokens.get(i + 1) == Some(&Token::Punct('['))
}

/// Past `pub`, `pub(crate)`, `pub(in path)`.
fn skip_visibility(tokens: &[Token], mut i: usize) -> usize {
    if tokens.get(i) == Some(&Token::ident("pub")) {
        i += 1;
        if tokens.get(i) == Some(&Token::Punct('(')) {
            i = closing(tokens, i) + 1;
        }
    }
    i
}

/// The index of the bracket that closes the one at `open` (the end, if none does).
fn closing(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        if token.opens() {
            depth += 1;
        } else if token.closes() {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    tokens.len()
}

/// What the scan needs of Rust's tokens.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Punct(char),
    /// A string literal's value, escapes decoded.
    Str(String),
    /// Numbers, characters, lifetimes, byte and C strings.
    Other,
}

impl Token {
    fn ident(name: &str) -> Self {
        Token::Ident(name.to_owned())
    }

    fn opens(&self) -> bool {
        matches!(self, Token::Punct('(' | '[' | '{'))
    }

    fn closes(&self) -> bool {
        matches!(self, Token::Punct(')' | ']' | '}'))
    }
}

/// Rust source as tokens, without comments. Lenient: what it does not know (a stray
/// character, an unterminated literal) becomes a token or ends the scan, never an error.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            i = (i..chars.len())
                .find(|&k| chars[k] == '\n')
                .unwrap_or(chars.len());
        } else if c == '/' && next == Some('*') {
            i = block_comment_end(&chars, i);
        } else if c == '"' {
            let (value, end) = string(&chars, i + 1);
            tokens.push(Token::Str(value));
            i = end;
        } else if c == '\'' {
            tokens.push(Token::Other);
            i = quote_end(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let (token, end) = prefixed(&chars, word, i);
            tokens.push(token);
            i = end;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Other);
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// The word read up to `i`, or the literal it prefixes: `r"..", r#".."#, r#ident, b"..",
/// br"..", c"..", b'x'`. Returns the token and where the next one starts.
fn prefixed(chars: &[char], word: String, i: usize) -> (Token, usize) {
    match (word.as_str(), chars.get(i)) {
        ("r" | "br" | "cr", Some('"' | '#')) => {
            let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + hashes) == Some(&'"') {
                let (value, end) = raw_string(chars, i + hashes + 1, hashes);
                let token = if word == "r" {
                    Token::Str(value)
                } else {
                    Token::Other
                };
                (token, end)
            } else if word == "r" && hashes == 1 {
                // A raw identifier, `r#type`: the identifier follows.
                let end = (i + 1..chars.len())
                    .find(|&k| !(chars[k].is_alphanumeric() || chars[k] == '_'))
                    .unwrap_or(chars.len());
                (Token::Ident(chars[i + 1..end].iter().collect()), end)
            } else {
                (Token::Ident(word), i)
            }
        }
        ("b" | "c", Some('"')) => (Token::Other, string(chars, i + 1).1),
        ("b", Some('\'')) => (Token::Other, quote_end(chars, i)),
        _ => (Token::Ident(word), i),
    }
}

/// Where the (nested) block comment starting at `i` ends.
fn block_comment_end(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    i
}

/// The value of the string literal whose content starts at `i`, and where it ends.
fn string(chars: &[char], mut i: usize) -> (String, usize) {
    let mut value = String::new();
    while i < chars.len() {
        match chars[i] {
            '"' => return (value, i + 1),
            '\\' => i = escape(chars, i + 1, &mut value),
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    (value, i)
}

/// Decode the escape whose first character (after `\`) is at `i`; where the literal goes on.
fn escape(chars: &[char], i: usize, value: &mut String) -> usize {
    let Some(&c) = chars.get(i) else {
        return i;
    };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '0' => Some('\0'),
        '\\' | '"' | '\'' => Some(c),
        _ => None,
    };
    if let Some(decoded) = simple {
        value.push(decoded);
        return i + 1;
    }
    match c {
        'x' => {
            let hex: String = chars[i + 1..].iter().take(2).collect();
            value.extend(u8::from_str_radix(&hex, 16).ok().map(char::from));
            i + 1 + hex.chars().count()
        }
        'u' => {
            let end = (i..chars.len())
                .find(|&k| chars[k] == '}')
                .unwrap_or(chars.len());
            let hex: String = chars[i + 1..end]
                .iter()
                .filter(|c| c.is_ascii_hexdigit())
                .collect();
            value.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            end + 1
        }
        // A line continuation: the line break and the next line's leading whitespace vanish.
        _ if c.is_whitespace() => (i..chars.len())
            .find(|&k| !chars[k].is_whitespace())
            .unwrap_or(chars.len()),
        _ => {
            value.push(c);
            i + 1
        }
    }
}

/// The content of the raw string starting at `i`, closed by `"` and `hashes` `#`s, and where
/// it ends.
fn raw_string(chars: &[char], i: usize, hashes: usize) -> (String, usize) {
    let closed = |k: usize| chars[k] == '"' && (1..=hashes).all(|h| chars.get(k + h) == Some(&'#'));
    let end = (i..chars.len()).find(|&k| closed(k)).unwrap_or(chars.len());
    let value = chars[i..end].iter().collect();
    (value, (end + 1 + hashes).min(chars.len()))
}

/// Where the character literal or lifetime starting with the `'` at `i` ends: `'x'`,
/// `'\n'`, `'\u{1F600}'`, `'a` (a lifetime or label).
fn quote_end(chars: &[char], i: usize) -> usize {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => (i + 3..chars.len())
            .find(|&k| chars[k] == '\'')
            .map_or(chars.len(), |k| k + 1),
        (Some(_), Some('\'')) => i + 3,
        _ => (i + 1..chars.len())
            .find(|&k| !(chars[k].is_alphanumeric() || chars[k] == '_'))
            .unwrap_or(chars.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(source: &str) -> Vec<(String, Vec<String>)> {
        verb_enums(source)
            .into_iter()
            .map(|verbs| (verbs.name, verbs.slugs))
            .collect()
    }

    fn owned(slugs: &[&str]) -> Vec<String> {
        slugs.iter().map(|slug| (*slug).to_owned()).collect()
    }

    #[test]
    fn the_slugs_of_an_enum_deriving_verb() {
        let source = r#"
            use stream_core::sea_orm::{self, entity::prelude::*};

            /// What an actor did.
            #[derive(
                Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, stream_core::Verb,
            )]
            #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
            pub enum Verb {
                /// The default stream type.
                #[sea_orm(string_value = "default")]
                #[verb(label = "Stream Item")]
                Default,
                #[verb(label = "follows")]
                #[sea_orm(
                    string_value = "follow"
                )]
                Follow,
                #[sea_orm(string_value = "object-edited", rename = "unused")] ObjectEdited
            }
        "#;
        assert_eq!(
            slugs(source),
            [(
                "Verb".to_owned(),
                owned(&["default", "follow", "object-edited"])
            )]
        );
    }

    #[test]
    fn only_enums_that_derive_verb() {
        let source = r#"
            #[derive(Clone, DeriveActiveEnum)]
            #[sea_orm(rs_type = "String", db_type = "Text")]
            pub enum Colour { #[sea_orm(string_value = "red")] Red }

            #[derive(Verb)]
            pub struct NotAnEnum;

            #[derive(Debug, VerbLike)]
            enum Close { #[sea_orm(string_value = "close")] Close }

            mod nested {
                #[derive(Clone, Verb)]
                pub(crate) enum Inner { #[sea_orm(string_value = "inner")] Inner = 1, }
            }
        "#;
        assert_eq!(slugs(source), [("Inner".to_owned(), owned(&["inner"]))]);
    }

    #[test]
    fn comments_strings_and_characters_are_not_code() {
        let source = r###"
            // #[derive(Verb)] enum Commented { #[sea_orm(string_value = "no")] No }
            /* #[derive(Verb)] /* nested */ enum Block { } */
            const S: &str = "#[derive(Verb)] enum InString { }";
            const R: &str = r#"#[derive(Verb)] enum "InRawString" { }"#;
            const C: char = '{';
            const E: char = '\'';
            fn f<'a>(x: &'a str) -> &'a str { x }
            #[derive(Verb)]
            enum Real {
                #[sea_orm(string_value = "quote\"d \u{e9}t\x41 \
                    joined")]
                Quoted,
                #[sea_orm(string_value = r#"raw "one""#)]
                Raw,
            }
        "###;
        assert_eq!(
            slugs(source),
            [(
                "Real".to_owned(),
                owned(&["quote\"d \u{e9}tA joined", "raw \"one\""])
            )]
        );
    }

    #[test]
    fn a_variant_without_string_value_is_reported() {
        let source = r#"
            #[derive(DeriveActiveEnum, stream_core::Verb)]
            #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
            enum Verb { #[sea_orm(string_value = "follow")] Follow, Like }
        "#;
        assert_eq!(
            verb_enums(source),
            [VerbEnum {
                name: "Verb".to_owned(),
                slugs: owned(&["follow"]),
                without_slug: owned(&["Like"]),
            }]
        );
    }

    #[test]
    fn the_crates_verbs_sorted_from_every_file() {
        let dir =
            std::env::temp_dir().join(format!("stream-templates-verbs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src/models")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "#[derive(Verb)] enum A { #[sea_orm(string_value = \"like\")] Like }",
        )
        .unwrap();
        std::fs::write(
            dir.join("src/models/audit.rs"),
            "#[derive(Verb)] enum B { #[sea_orm(string_value = \"audit\")] Audit, #[sea_orm(string_value = \"like\")] Like }",
        )
        .unwrap();
        assert_eq!(find(&dir), Ok(owned(&["audit", "like"])));

        std::fs::write(
            dir.join("src/models/bad.rs"),
            "#[derive(Verb)] enum C { Unnamed }",
        )
        .unwrap();
        assert_eq!(
            find(&dir),
            Err(format!(
                "the variant `Unnamed` of `C` in {} has no `#[sea_orm(string_value = \"..\")]`",
                Path::new("src/models/bad.rs").display()
            ))
        );
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(
            find(&dir),
            Err("found no enum deriving `Verb` in src/".to_owned())
        );
    }
}
