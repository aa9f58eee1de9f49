//! Config errors (exit 2 unless a variant says otherwise): the config file, its profiles and
//! their settings.

use serde::Serialize;

use crate::error::{Hint, Kind};

// Every config error is exit 2: the file (or a flag or variable standing in for it) must be
// fixed by whoever wrote it.

#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ConfigError {
    /// A profile the config does not have; the hint names a near one or lists them.
    UnknownProfile {
        name: String,
        config: String,
        hint: Hint,
    },
    /// The TOML does not parse, or has a key or value serde refuses. `line`/`column` are 0
    /// when the parser gave no place; `message` is the parser's words.
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
        /// What serde's `message` says, when it is one of its usual sentences, so that it can
        /// be put in the person's language: `unknown-field`, `unknown-variant` (with `name`
        /// and `expected`, the list as serde wrote it) or `missing-field` (with `name`); else
        /// `other`, and the message is shown as the parser wrote it.
        kind: &'static str,
        name: Option<String>,
        expected: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<Hint>,
    },
    /// `toml_edit` cannot parse what `toml` could (for a config edit).
    Edit { path: String, message: String },
    /// A setting (`timeout`, `refresh_before`) from the config, the environment or a flag
    /// that does not parse.
    InvalidSetting { message: String },
    /// `timeout` over the cap.
    TimeoutTooLong { timeout: String },
    /// `default_profile` names no profile.
    DefaultProfileMissing {
        name: String,
        config: String,
        hint: Hint,
    },
    /// The config path is a folder, FIFO or device.
    NotRegularFile { path: String },
    /// The config is not UTF-8.
    NotUtf8 { path: String },
    /// Neither the XDG variable nor `HOME` is set.
    NoHome { var: String },
    /// A profile already in the config (`profile add`).
    ProfileExists { name: String, config: String },
    /// A profile not in the file being edited.
    UnknownProfileInFile { name: String, config: String },
    /// `app_key` empty.
    EmptyAppKey { key: String, config: String },
    /// Both `secret_key` and `secret_key_env`.
    TwoSecretSources { name: String, config: String },
    /// A plaintext `secret_key` where plaintext is refused.
    PlaintextSecret { key: String, config: String },
    /// `expires_in` on a grant that has none; `grants` lists those that do.
    ExpiresInNotApplicable { key: String, grants: Vec<String> },
    /// `expires_in` out of the grant's range.
    ExpiresInRange { key: String, max: String },
    /// A `preset` on a profile whose grant it does not fit; `grants` lists those it fits.
    PresetNotApplicable {
        key: String,
        preset: &'static str,
        grants: Vec<String>,
    },
    /// An `sts` `policy` that is not a JSON object.
    PolicyNotJson { key: String, config: String },
    /// A `[profiles.X.env]` name no shell can export.
    InvalidEnvName { key: String, config: String },
    /// A hook whose `run` is empty.
    HookEmptyRun { key: String, config: String },
    /// A hook `timeout` over the cap.
    HookTimeoutTooLong { config: String },
    /// A hook with no events.
    HookNoEvents { key: String, config: String },
    /// A hook `env` name no shell can export.
    HookInvalidEnvName {
        key: String,
        config: String,
        var: String,
    },
    /// A hook `timeout` of zero.
    HookZeroTimeout { key: String, config: String },
    /// A sink that would overwrite broker's own files; `what`: `config`, `identity` or
    /// `state-folder`.
    SinkOverwrites { sink: String, what: &'static str },
    /// A sink `mode` that is not octal permission bits.
    InvalidSinkMode { mode: String },
    /// An `[env]` template that does not parse; `why`: `unclosed` or `unknown-placeholder`.
    EnvTemplate {
        key: String,
        config: String,
        why: &'static str,
        placeholder: String,
        placeholders: Vec<String>,
    },
    /// An `endpoint` broker refuses; `why`: `unparsable` (then `detail` is the parser's
    /// words), `credentials`, `path`, `no-host`, `plain-http`, `scheme` (then `detail` is it).
    InvalidEndpoint {
        endpoint: String,
        why: &'static str,
        detail: String,
    },
}

impl ConfigError {
    pub fn kind(&self) -> Kind {
        Kind::Usage
    }
}
