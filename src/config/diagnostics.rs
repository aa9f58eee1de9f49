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
    let hint = near_miss(&message).map(|near| Hint::DidYouMean { near });
    let message = sanitize(&message);
    let (kind, name, expected) = serde_sentence(&message);
    ConfigError::Syntax {
        path: path.display().to_string(),
        line,
        column,
        hint,
        kind,
        name,
        expected,
        message,
    }
    .into()
}

/// serde's usual sentences, taken apart (see [`ConfigError::Syntax`]): only when putting
/// the parts back together in English gives the very same words.
fn serde_sentence(message: &str) -> (&'static str, Option<String>, Option<String>) {
    let quoted = |rest: &str| -> Option<(String, String)> {
        let rest = rest.strip_prefix('`')?;
        let (name, after) = rest.split_once('`')?;
        Some((name.to_owned(), after.to_owned()))
    };
    let parsed = if let Some(rest) = message.strip_prefix("unknown field ") {
        quoted(rest).and_then(|(name, after)| {
            let expected = after.strip_prefix(", expected one of ")?;
            Some(("unknown-field", Some(name), Some(expected.to_owned())))
        })
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        quoted(rest).and_then(|(name, after)| {
            let expected = after.strip_prefix(", expected one of ")?;
            Some(("unknown-variant", Some(name), Some(expected.to_owned())))
        })
    } else if let Some(rest) = message.strip_prefix("missing field ") {
        quoted(rest).and_then(|(name, after)| {
            after
                .is_empty()
                .then_some(("missing-field", Some(name), None))
        })
    } else {
        None
    };
    let english = |(kind, name, expected): &(&str, Option<String>, Option<String>)| {
        let (name, expected) = (
            name.as_deref().unwrap_or(""),
            expected.as_deref().unwrap_or(""),
        );
        match *kind {
            "unknown-field" => format!("unknown field `{name}`, expected one of {expected}"),
            "unknown-variant" => format!("unknown variant `{name}`, expected one of {expected}"),
            _ => format!("missing field `{name}`"),
        }
    };
    match parsed {
        Some(p) if english(&p) == message => p,
        _ => ("other", None, None),
    }
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
    fn serdes_usual_sentences_are_taken_apart_only_when_they_go_back_together() {
        assert_eq!(
            serde_sentence("unknown field `scop`, expected one of `scope`, `grant`"),
            (
                "unknown-field",
                Some("scop".into()),
                Some("`scope`, `grant`".into())
            )
        );
        assert_eq!(
            serde_sentence("unknown variant `oauth`, expected one of `ai`, `netdisk`"),
            (
                "unknown-variant",
                Some("oauth".into()),
                Some("`ai`, `netdisk`".into())
            )
        );
        assert_eq!(
            serde_sentence("missing field `grant`"),
            ("missing-field", Some("grant".into()), None)
        );
        for other in [
            "unknown field `x`, expected `y`",
            "unknown field `x`, there are no fields",
            "missing field `grant` somewhere",
            "invalid type: string \"x\", expected u64",
            "unknown field `x",
        ] {
            assert_eq!(serde_sentence(other), ("other", None, None), "{other}");
        }
    }

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
