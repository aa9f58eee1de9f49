//! Notes: what a caller adds to an error raised below it — where it happened, what it means
//! there. Rendered as `note-<code>` with the error's message as `$error`.

use serde::Serialize;

use super::hint::Hint;

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "note", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Note {
    /// The error is about one key of the config.
    ConfigKey { key: String, file: String },
    /// The value came from an environment variable.
    FromEnv { var: String },
    /// The value came from a file.
    InFile { path: String },
    /// Only a new hint, the message unchanged.
    Hint { hint: Hint },

    // group A
    /// A profile chosen outside the command line (`source`: `environment` or `use-default`)
    /// that the config does not have; the hint says how to change it, then the hint below.
    ProfileFrom { source: &'static str, hint: Hint },
    /// A passphrase for a new identity is needed, and there is no terminal to type it.
    NewPassphrase,

    // group C
    /// A request retried and given up on: `attempts` over `over` (`21 s`).
    Retried { attempts: u32, over: String },
    /// An authorization code refused: they are single-use and short-lived.
    CodesAreSingleUse,
    /// The journal mark could not be saved, so the refresh token stayed unsent.
    RefreshTokenNotSent,
    /// An answer with a good new refresh token and a bad field: the token is kept.
    NewRefreshTokenSaved,
    /// No answer to a refresh: whether Baidu took the token is unknown.
    MaybeSpent { profile: String },
    /// A recovery found the refresh token spent: `story` is the interrupted refresh (a
    /// `grant` `refresh-interrupted` error), most likely what spent it.
    RecoverySpent {
        profile: String,
        story: Box<super::Error>,
    },
    /// A refresh token found spent, in a state copied from `from_path` on `from_host`.
    SpentByCopy {
        profile: String,
        from_path: String,
        from_host: String,
    },
    /// A refresh token found spent, most likely used elsewhere.
    SpentElsewhere { profile: String },
    /// The new token could not be saved after Baidu took the old refresh token.
    NewTokenLost { profile: String },
}
