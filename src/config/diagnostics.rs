//! Config error rendering: file, line and column for a parse error, "did you mean" for a
//! near-miss key or profile name, the key an error is about.

use std::collections::BTreeMap;
use std::path::Path;

use super::Profile;
use crate::error::{ConfigError, Error, Hint, Note, sanitize};
use crate::profile::ProfileName;

/// "profiles: a, b, c" or how to add one.
pub fn profile_list_hint(profiles: &BTreeMap<ProfileName, Profile>) -> Hint {
    let grants: Vec<&str> = crate::grant::GRANTS.iter().map(|g| g.as_str()).collect();
    Hint::Profiles {
        names: profiles.keys().map(|n| n.to_string()).collect(),
        count: profiles.len(),
        grants: grants.join("|"),
    }
}

pub(super) fn in_file(e: Error, file: &str, key: &str) -> Error {
    e.note(Note::ConfigKey {
        key: key.to_owned(),
        file: file.to_owned(),
    })
}

pub(super) fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> Error {
    let (line, column) = e.span().map_or((0, 0), |span| line_col(text, span.start));
    let message = e.message().trim().to_owned();
    ConfigError::Syntax {
        path: path.display().to_string(),
        line,
        column,
        hint: near_miss(&message).map(|near| Hint::DidYouMean { near }),
        message: sanitize(&message),
    }
    .into()
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // A span that does not fall on a character boundary must not panic: step back to one.
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// For serde's "unknown field `scop`, expected one of `scope`, …", the closest expected name.
fn near_miss(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field ")
        .or_else(|| message.strip_prefix("unknown variant "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let unknown = quoted.next()?;
    suggest(unknown, quoted).map(str::to_owned)
}

/// The candidate closest to `unknown` when it is close enough to be a typo (for config keys
/// and profile names alike).
pub fn suggest<'a>(unknown: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|cand| (edit_distance(unknown, cand), cand))
        .filter(|(d, cand)| *d <= 2.max(cand.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance: small and only used on key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::load_text;

    #[test]
    fn unknown_key_names_line_and_near_miss() {
        let err =
            load_text("[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nscop = \"x\"\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("line 4"), "{}", err.message());
        assert!(err.message().contains("scop"), "{}", err.message());
        assert_eq!(err.hint().as_deref(), Some("did you mean `scope`?"));
    }

    #[test]
    fn malformed_toml_names_line_and_column() {
        let err = load_text("a = \n").unwrap_err();
        assert!(
            err.message().contains("line 1, column"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn edit_distance_table() {
        assert_eq!(edit_distance("scop", "scope"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
