//! Notes: what a caller adds to an error raised below it — where it happened, what it means
//! there. Rendered as `note-<code>` with the error's message as `$error`.

use serde::Serialize;

use super::hint::Hint;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "note", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Note {
    /// The value came from an environment variable.
    FromEnv { var: String },
    /// The value came from a file.
    InFile { path: String },
    /// Only a new hint, the message unchanged.
    Hint { hint: Hint },
    /// Transition only: an English message rewritten by a caller not converted yet.
    Legacy { message: String },
    /// Transition only: an English hint added by a caller not converted yet.
    LegacyHint { hint: String },
}
