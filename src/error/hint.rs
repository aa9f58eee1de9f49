//! Hints shared by many errors (`hint-<code>` in the catalog). An error whose hint depends on
//! its facts carries one of these in a `hint` field; one whose hint is always the same has it
//! as the `.hint` attribute of its own message instead.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Hint {
    /// `run broker login NAME`.
    Login { profile: String },
    /// `did you mean X?`
    DidYouMean { near: String },
    /// The profiles that exist (`count` of them), or how to add the first: `grants` is the
    /// `--grant` choices as the flag takes them (`a|b|c`).
    Profiles {
        names: Vec<String>,
        count: usize,
        grants: String,
    },

    // group A
    /// How to change a profile chosen outside the command line (`source`: `environment` or
    /// `use-default`), then the hint of the error: `then` is its code (`did-you-mean` or
    /// `profiles`) and the other facts are its facts.
    ChangeProfile {
        source: &'static str,
        then: &'static str,
        near: Option<String>,
        names: Vec<String>,
        count: usize,
        grants: String,
    },
}

/// The hint in words, for a caller that shows it on its own (`status` with no profiles).
impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let record = serde_json::to_value(self).unwrap_or_default();
        f.write_str(&crate::catalog::render_hint(&record).unwrap_or_default())
    }
}
