//! The build-script half: find `templates/stream/*.{html,txt}`, check that each is named after
//! a verb, and list them for [`include_templates!`](crate::include_templates), which declares
//! one askama template per file and the dispatch from a verb's slug to its template.
//!
//! A proc macro cannot notice a template file that did not exist when it last ran; a build
//! script can, because it tells cargo to re-run it whenever the directory changes
//! (`cargo::rerun-if-changed=templates/stream`).
//!
//! This module has no dependencies, so a build script can use the crate with
//! `default-features = false` and not compile askama or sea-orm a second time:
//!
//! ```toml
//! [build-dependencies]
//! stream-templates = { version = "0.1", default-features = false }
//! ```
//!
//! ```no_run
//! // in `fn main()` of build.rs; the path of the module declared with `action_entity!`
//! stream_templates::build::Templates::new("crate::action").generate();
//! ```
//!
//! # Files named after no verb
//!
//! A file whose name is no verb's slug (`folow.html`) would never render, so cargo prints a
//! warning naming it and the verbs. The build script learns the verbs from the crate's source:
//! the `#[sea_orm(string_value = "..")]` of every variant of every enum in `src/` that derives
//! `Verb` (`#[derive(.., stream_core::Verb)]`); it runs again when `src/` changes. When the
//! verb enum lives elsewhere (another crate, a macro), name the verbs instead:
//!
//! ```no_run
//! stream_templates::build::Templates::new("crate::action")
//!     .verbs(["follow", "like", "joined"])
//!     .generate();
//! ```
//!
//! When neither finds a verb, cargo warns once that the names cannot be checked.

mod names;
mod verbs;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file `generate` writes into `OUT_DIR`, read by `include_templates!`.
pub const OUT_FILE: &str = "stream_templates.rs";

/// The built-in HTML rendering, used when the crate has no `stream/action.html`: the
/// original app's `stream/action.html`.
pub const DEFAULT_HTML: &str =
    "{{ actor }} did {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.";

/// The built-in plain-text rendering, used when the crate has no `stream/action.txt`.
pub const DEFAULT_TEXT: &str = DEFAULT_HTML;

/// The built-in HTML rendering of a group of actions of two or more actors, used when the
/// crate has neither `stream/group/<verb>.html` nor `stream/group/action.html`: "hendrix,
/// joplin and 3 others liked Wild Haze." (two actors: "hendrix and joplin liked Wild Haze.").
/// A group of one actor renders as its newest action does.
pub const DEFAULT_GROUP_HTML: &str = "{% for actor in named %}{% if !loop.first %}{% if loop.last && others == 0 %} and {% else %}, {% endif %}{% endif %}{{ actor }}{% endfor %}{% if others > 0 %} and {{ others }} other{% if others != 1 %}s{% endif %}{% endif %} {{ verb_label }}{% if let Some(target) = target %} {{ target }}{% endif %}.";

/// The built-in plain-text rendering of a group, used without `stream/group/<verb>.txt` or
/// `stream/group/action.txt`.
pub const DEFAULT_GROUP_TEXT: &str = DEFAULT_GROUP_HTML;

/// The folder of `templates/stream/` that holds the templates of groups of actions
/// (`group/liked.html`), as a prefix of the file names the build lists.
const GROUP_DIR: &str = "group/";

/// The two kinds of output: HTML (escaped) and plain text (`.txt`, not escaped).
const KINDS: [Kind; 2] = [
    Kind {
        ext: "html",
        group: "html",
        suffix: "Html",
        default: DEFAULT_HTML,
    },
    Kind {
        ext: "txt",
        group: "text",
        suffix: "Text",
        default: DEFAULT_TEXT,
    },
];

/// The same for groups of actions, from `stream/group/`.
const GROUP_KINDS: [Kind; 2] = [
    Kind {
        ext: "html",
        group: "group_html",
        suffix: "Html",
        default: DEFAULT_GROUP_HTML,
    },
    Kind {
        ext: "txt",
        group: "group_text",
        suffix: "Text",
        default: DEFAULT_GROUP_TEXT,
    },
];

struct Kind {
    /// The file extension.
    ext: &'static str,
    /// Its group in the generated list.
    group: &'static str,
    /// The end of its template structs' names.
    suffix: &'static str,
    /// The fallback's source when the crate has no `action.<ext>`.
    default: &'static str,
}

impl Kind {
    /// `follow` for `follow.html` when this is the HTML kind.
    fn stem<'f>(&self, file: &'f str) -> Option<&'f str> {
        file.strip_suffix(self.ext)?.strip_suffix('.')
    }
}

/// The file names of one kind of template: actions (`follow.html`) or groups
/// (`group/follow.html`), without the folder.
fn of_folder(files: &[String], groups: bool) -> Vec<String> {
    files
        .iter()
        .filter_map(|file| match (file.strip_prefix(GROUP_DIR), groups) {
            (Some(name), true) => Some(name.to_owned()),
            (None, false) => Some(file.clone()),
            _ => None,
        })
        .collect()
}

/// Configuration of the generated templates; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct Templates {
    entity: String,
    templates_dir: PathBuf,
    /// The verbs' slugs given in build.rs; `None` reads them from `src/`.
    verbs: Option<Vec<String>>,
}

impl Templates {
    /// Templates for the action entity module at `entity`, a path as written in the crate
    /// that includes the generated code (e.g. `"crate::action"`).
    pub fn new(entity: &str) -> Self {
        Templates {
            entity: entity.to_owned(),
            templates_dir: PathBuf::from("templates"),
            verbs: None,
        }
    }

    /// askama's template directory, relative to the crate's manifest (default `templates`,
    /// askama's own default). The templates are read from its `stream/` folder.
    pub fn templates_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.templates_dir = dir.into();
        self
    }

    /// The slugs of the crate's verbs, which template files are checked against, for a crate
    /// whose verb enum the build script cannot find in `src/` (see the
    /// [module docs](self#files-named-after-no-verb)).
    pub fn verbs<I>(mut self, verbs: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.verbs = Some(verbs.into_iter().map(Into::into).collect());
        self
    }

    /// Scan the templates, warn about files named after no verb, write
    /// `$OUT_DIR/stream_templates.rs` and tell cargo to run the build script again when the
    /// template folder (or, when it reads the verbs, `src/`) changes. For `build.rs` only: it
    /// reads cargo's environment and panics, with a message saying why, when it cannot work.
    pub fn generate(&self) {
        let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect(
            "stream_templates::build runs from a build script (CARGO_MANIFEST_DIR is not set)",
        ));
        let out_dir = PathBuf::from(
            std::env::var_os("OUT_DIR")
                .expect("stream_templates::build runs from a build script (OUT_DIR is not set)"),
        );
        let stream_dir = self.templates_dir.join("stream");
        // A directory is watched as a whole: adding, removing or editing a file in it re-runs
        // the build script. Watch the nearest folder that exists, so that creating
        // `templates/stream` later is noticed too.
        let watched = [stream_dir.clone(), self.templates_dir.clone()]
            .into_iter()
            .find(|dir| manifest_dir.join(dir).is_dir())
            .unwrap_or_else(|| PathBuf::from("build.rs"));
        println!("cargo::rerun-if-changed={}", watched.display());

        let read = |dir: &Path| {
            scan(dir).unwrap_or_else(|err| {
                panic!("cannot read the templates in {}: {err}", dir.display())
            })
        };
        let mut files = read(&manifest_dir.join(&stream_dir));
        let groups = read(&manifest_dir.join(&stream_dir).join(GROUP_DIR));
        files.extend(groups.into_iter().map(|file| format!("{GROUP_DIR}{file}")));
        let verbs = match &self.verbs {
            Some(verbs) => Ok(verbs.clone()),
            None => {
                // A verb added or renamed changes which files are named after one.
                if manifest_dir.join("src").is_dir() {
                    println!("cargo::rerun-if-changed=src");
                }
                verbs::find(&manifest_dir)
            }
        };
        for warning in self.warnings(&files, &verbs) {
            println!("cargo::warning={warning}");
        }
        let code = self.code(&files);
        let out = out_dir.join(OUT_FILE);
        // Rewritten only when it changes: the build script also runs after edits to `src/`.
        if std::fs::read_to_string(&out).ok().as_deref() != Some(code.as_str()) {
            std::fs::write(&out, code)
                .unwrap_or_else(|err| panic!("cannot write {}: {err}", out.display()));
        }
    }

    /// The generated source for these template file names (`"follow.html"`, ..): one line per
    /// file for the [`include_templates!`](crate::include_templates) macro, which writes the
    /// code.
    pub fn code(&self, files: &[String]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "// Generated by stream_templates::build from templates/stream/; do not edit."
        );
        let _ = writeln!(out, "::stream_templates::__private::templates! {{");
        let _ = writeln!(out, "    entity = {};", self.entity);
        for (kinds, folder, prefix) in [(&KINDS, "", "Verb"), (&GROUP_KINDS, GROUP_DIR, "Group")] {
            let names = of_folder(files, !folder.is_empty());
            for kind in kinds {
                let _ = writeln!(out, "    {} {{", kind.group);
                for file in &names {
                    let Some(slug) = kind.stem(file) else {
                        continue;
                    };
                    if slug != "action" {
                        let name = format!("{prefix}{}{}", upper_camel(slug), kind.suffix);
                        let file = path(&format!("{folder}{file}"));
                        let _ = writeln!(out, "        {slug:?} => {name}(path = {file:?}),");
                    }
                }
                let own = format!("action.{}", kind.ext);
                let fallback = if names.contains(&own) {
                    format!("path = {:?}", path(&format!("{folder}{own}")))
                } else {
                    format!("source = {:?}", kind.default)
                };
                let fallback_name = if folder.is_empty() {
                    "Action"
                } else {
                    "GroupAction"
                };
                let _ = writeln!(
                    out,
                    "        _ => {fallback_name}{}({fallback}),",
                    kind.suffix
                );
                let _ = writeln!(out, "    }}");
            }
        }
        let mut paths: Vec<String> = files.iter().map(|file| path(file)).collect();
        paths.sort();
        let _ = writeln!(out, "    files = [");
        for path in paths {
            let _ = writeln!(out, "        {path:?},");
        }
        let _ = writeln!(out, "    ];");
        let _ = writeln!(out, "}}");
        out
    }
}

/// A template file's path as askama reads it, relative to the template directory.
fn path(file: &str) -> String {
    format!("stream/{file}")
}

/// The template files directly in `dir`, sorted; none if the folder does not exist.
fn scan(dir: &Path) -> std::io::Result<Vec<String>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let usable = KINDS
            .iter()
            .any(|kind| kind.stem(&name).is_some_and(is_slug));
        if usable {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

/// A file stem that can be a verb slug and a Rust identifier once camel-cased.
fn is_slug(stem: &str) -> bool {
    !stem.is_empty()
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `object-edited` → `ObjectEdited`.
fn upper_camel(slug: &str) -> String {
    slug.split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_file_and_the_builtin_fallback() {
        let code = Templates::new("crate::action").code(&[
            "follow.txt".into(),
            "follow.html".into(),
            "object-edited.html".into(),
            "group/liked.html".into(),
            "group/action.txt".into(),
        ]);
        let builtin = format!("{DEFAULT_HTML:?}");
        let group = format!("{DEFAULT_GROUP_HTML:?}");
        assert_eq!(
            code,
            format!(
                r#"// Generated by stream_templates::build from templates/stream/; do not edit.
::stream_templates::__private::templates! {{
    entity = crate::action;
    html {{
        "follow" => VerbFollowHtml(path = "stream/follow.html"),
        "object-edited" => VerbObjectEditedHtml(path = "stream/object-edited.html"),
        _ => ActionHtml(source = {builtin}),
    }}
    text {{
        "follow" => VerbFollowText(path = "stream/follow.txt"),
        _ => ActionText(source = {builtin}),
    }}
    group_html {{
        "liked" => GroupLikedHtml(path = "stream/group/liked.html"),
        _ => GroupActionHtml(source = {group}),
    }}
    group_text {{
        _ => GroupActionText(path = "stream/group/action.txt"),
    }}
    files = [
        "stream/follow.html",
        "stream/follow.txt",
        "stream/group/action.txt",
        "stream/group/liked.html",
        "stream/object-edited.html",
    ];
}}
"#
            )
        );
    }

    #[test]
    fn the_crates_action_template_replaces_the_builtin() {
        let code = Templates::new("crate::action").code(&["action.html".into()]);
        assert!(code.contains(
            "    html {\n        _ => ActionHtml(path = \"stream/action.html\"),\n    }\n"
        ));
        assert!(code.contains("    text {\n        _ => ActionText(source = "));
        assert!(code.contains("    files = [\n        \"stream/action.html\",\n    ];\n"));
    }

    #[test]
    fn without_templates_only_the_fallbacks() {
        let code = Templates::new("super::action").code(&[]);
        assert!(code.contains("    entity = super::action;\n"));
        assert!(code.contains("    html {\n        _ => ActionHtml(source = "));
        assert!(code.contains("    text {\n        _ => ActionText(source = "));
        assert!(code.contains("    files = [\n    ];\n"));
    }

    #[test]
    fn slugs_become_identifiers() {
        assert_eq!(upper_camel("object-edited"), "ObjectEdited");
        assert_eq!(upper_camel("follow_up"), "FollowUp");
        assert!(is_slug("object-edited"));
        assert!(!is_slug("has space"));
        assert!(!is_slug(".hidden"));
    }

    #[test]
    fn scanning_a_missing_folder_finds_nothing() {
        assert!(
            scan(Path::new("/nonexistent/templates/stream"))
                .unwrap()
                .is_empty()
        );
    }
}
