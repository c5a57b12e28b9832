//! Template files named after no verb: what the build script tells cargo to warn about.

use super::{GROUP_DIR, Templates};

impl Templates {
    /// The warnings for the template `files` given the crate's verbs (or why they are
    /// unknown): one per file that no verb renders with, naming the file and the verbs; or,
    /// when the verbs are unknown and there is a file to check, one saying how to give them.
    pub(super) fn warnings(
        &self,
        files: &[String],
        verbs: &Result<Vec<String>, String>,
    ) -> Vec<String> {
        let dir = self.templates_dir.join("stream");
        // `group/liked.html` is named after `liked` too.
        let per_verb: Vec<(&String, &str, &str)> = files
            .iter()
            .filter_map(|file| {
                let (stem, ext) = file.rsplit_once('.')?;
                Some((file, stem.strip_prefix(GROUP_DIR).unwrap_or(stem), ext))
            })
            .filter(|(_, stem, _)| *stem != "action")
            .collect();
        let verbs = match verbs {
            Ok(verbs) => verbs,
            Err(_) if per_verb.is_empty() => return Vec::new(),
            Err(why) => {
                return vec![format!(
                    "cannot check that the files in {} are named after verbs: {why}; list the verbs in build.rs: `Templates::new({:?}).verbs([\"follow\", ..])`",
                    dir.display(),
                    self.entity,
                )];
            }
        };
        let origin = if self.verbs.is_some() {
            "given to `Templates::verbs`"
        } else {
            "from the enums deriving `Verb` in src/"
        };
        let known = match verbs.as_slice() {
            [] => "none".to_owned(),
            verbs => verbs
                .iter()
                .map(|verb| format!("`{verb}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        per_verb
            .into_iter()
            .filter(|(_, stem, _)| !verbs.iter().any(|verb| verb == stem))
            .map(|(file, stem, ext)| {
                let guess = nearest(stem, verbs)
                    .map(|verb| format!(" (did you mean `{verb}.{ext}`?)"))
                    .unwrap_or_default();
                format!(
                    "{} is named after no verb, so no action renders with it{guess}; the verbs ({origin}) are {known}",
                    dir.join(file).display(),
                )
            })
            .collect()
    }
}

/// The verb closest to `stem` when it is a likely typo of it: at most a third of its letters
/// (at least one) inserted, deleted or changed.
fn nearest<'v>(stem: &str, verbs: &'v [String]) -> Option<&'v str> {
    let most = (stem.chars().count() / 3).max(1);
    verbs
        .iter()
        .map(|verb| (edits(stem, verb), verb))
        .filter(|(distance, _)| *distance <= most)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, verb)| verb.as_str())
}

/// Levenshtein distance: the fewest insertions, deletions and changes from `a` to `b`.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbs(slugs: &[&str]) -> Result<Vec<String>, String> {
        Ok(slugs.iter().map(|slug| (*slug).to_owned()).collect())
    }

    fn files(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_misspelt_file_names_the_file_and_the_verbs() {
        let templates = Templates::new("crate::action");
        let found = files(&["action.html", "folow.html", "follow.txt", "like.html"]);
        assert_eq!(
            templates.warnings(&found, &verbs(&["follow", "like"])),
            [format!(
                "{} is named after no verb, so no action renders with it (did you mean `follow.html`?); the verbs (from the enums deriving `Verb` in src/) are `follow`, `like`",
                std::path::Path::new("templates/stream/folow.html").display()
            )]
        );
    }

    #[test]
    fn verbs_given_in_build_rs_are_named_as_such() {
        let templates = Templates::new("crate::action").verbs(["joined"]);
        let warnings = templates.warnings(&files(&["unrelated.txt"]), &verbs(&["joined"]));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains(
                "no action renders with it; the verbs (given to `Templates::verbs`) are `joined`"
            ),
            "{warnings:?}"
        );

        let none = Templates::new("crate::action").verbs(Vec::<String>::new());
        let warnings = none.warnings(&files(&["joined.html"]), &verbs(&[]));
        assert!(warnings[0].ends_with("are none"), "{warnings:?}");
    }

    #[test]
    fn unknown_verbs_warn_once_and_only_with_files_to_check() {
        let templates = Templates::new("crate::action");
        let why = Err("found no enum deriving `Verb` in src/".to_owned());
        assert_eq!(
            templates.warnings(&files(&["folow.html", "like.html"]), &why),
            [format!(
                "cannot check that the files in {} are named after verbs: found no enum deriving `Verb` in src/; list the verbs in build.rs: `Templates::new(\"crate::action\").verbs([\"follow\", ..])`",
                std::path::Path::new("templates/stream").display()
            )]
        );
        assert!(
            templates
                .warnings(&files(&["action.html"]), &why)
                .is_empty()
        );
        assert!(templates.warnings(&[], &why).is_empty());
    }

    #[test]
    fn typos_are_near_and_other_words_are_not() {
        let known = verbs(&["follow", "like", "commented"]).unwrap();
        assert_eq!(nearest("folow", &known), Some("follow"));
        assert_eq!(nearest("follwo", &known), Some("follow"));
        assert_eq!(nearest("likes", &known), Some("like"));
        assert_eq!(nearest("comented", &known), Some("commented"));
        assert_eq!(nearest("joined", &known), None);
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "abc"), 3);
    }
}
