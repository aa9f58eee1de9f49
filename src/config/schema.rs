//! The config's types: the file as written (serde, unknown keys denied) and the validated
//! form commands use.

use crate::shell::preset::Preset;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Paths;
use crate::duration::Humane;
use crate::grant::GrantKind;
use crate::profile::ProfileName;

/// Events a hook can listen to (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Rotate,
    Login,
    RefreshFailed,
    Test,
}

/// A hook's command: an argv run directly, or a string run with `sh -c`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Run {
    Argv(Vec<String>),
    Shell(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// A name for messages and `status`; defaults to the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub on: Vec<Event>,
    pub run: Run,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Humane>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkFormat {
    #[default]
    Token,
    Json,
    Env,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    pub path: PathBuf,
    #[serde(default)]
    pub format: SinkFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `[store]`: who can decrypt, and when to rotate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreFile {
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_before: Option<Humane>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PathBuf>,
    /// `file` (the default) or `redis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The Redis URL (`BROKER_REDIS_URL` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The Redis key namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// How long a local copy of a Redis state is served without asking Redis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_window: Option<Humane>,
}

/// One `[profiles.NAME]` table as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub grant: GrantKind,
    /// Required but for `api-key`, where it is only a label.
    #[serde(default)]
    pub app_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_before: Option<Humane>,
    /// Lifetime asked for a `bce` bearer token (at most 30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<Humane>,
    /// Lifetime asked for `sts` temporary credentials (default 12h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Humane>,
    /// `sts`: the ACL (a JSON object, as text) that limits the temporary credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The variables one consumer tool reads (`openai`, `qianfan`, …), added to the exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sinks: Vec<Sink>,
    /// `plugin:NAME`: how long the plugin may run (default 30s, within the command's timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Humane>,
    /// `plugin:NAME`: the `[profiles.NAME.plugin]` table, sent to the plugin as `settings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<toml::Table>,
}

/// The whole file, as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    /// How long a command may spend talking to Baidu, retries included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Humane>,
    #[serde(default)]
    pub store: StoreFile,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
}

/// The scalar settings that figment layers: defaults < file < `BROKER_*` env < flags.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub timeout: Humane,
    pub refresh_before: Humane,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Humane::from_secs(30),
            refresh_before: Humane::from_secs(24 * 3600),
        }
    }
}

/// Settings given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlagSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Humane>,
}

/// Where a profile's SecretKey lives.
#[derive(Debug, Clone, PartialEq)]
pub enum SecretSource {
    /// age-armored ciphertext in the config.
    Encrypted(String),
    /// Read from this environment variable.
    Env(String),
    /// A plaintext value in the config: only `secret encrypt` may load such a file.
    Plaintext,
    /// Not set.
    Missing,
}

impl SecretSource {
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Encrypted(_) => "encrypted in the config (age)".into(),
            SecretSource::Env(var) => format!("environment variable `{var}`"),
            SecretSource::Plaintext => {
                "PLAINTEXT in the config (run `broker secret encrypt`)".into()
            }
            SecretSource::Missing => "not set".into(),
        }
    }
}

/// A validated profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: ProfileName,
    pub grant: GrantKind,
    pub app_key: String,
    pub secret: SecretSource,
    pub scope: Option<String>,
    pub description: Option<String>,
    /// Base URL: scheme, host, optional port; no trailing slash.
    pub endpoint: String,
    pub refresh_before: Humane,
    /// The lifetime asked for (`expires_in` for `bce`, `duration` for `sts`), checked
    /// against the grant's range.
    pub expires_in: Option<Humane>,
    /// `sts`: the ACL JSON sent as the request body.
    pub policy: Option<String>,
    /// The consumer tool whose variables are exported too.
    pub preset: Option<Preset>,
    pub env: BTreeMap<String, String>,
    pub hooks: Vec<Hook>,
    pub sinks: Vec<Sink>,
    /// `plugin:NAME`: the plugin's time limit (`timeout`), if the profile sets one.
    pub plugin_timeout: Option<Humane>,
    /// `plugin:NAME`: the `[profiles.NAME.plugin]` table as JSON (an empty object if none).
    pub plugin_settings: serde_json::Value,
}

/// The validated config that commands use.
#[derive(Debug, Clone)]
pub struct Config {
    pub paths: Paths,
    /// Whether the config file exists (a missing file is an empty config).
    pub exists: bool,
    pub default_profile: Option<ProfileName>,
    pub recipients: Vec<String>,
    pub identity: Option<PathBuf>,
    /// Where states live (`[store] backend`).
    pub backend: crate::store::StoreBackend,
    pub settings: Settings,
    pub profiles: BTreeMap<ProfileName, Profile>,
    pub hooks: Vec<Hook>,
}

/// How strict loading is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plaintext {
    /// Refuse a plaintext `secret_key` (every command but `secret encrypt`).
    Refuse,
    /// Accept it, so `secret encrypt` can fix the file.
    Allow,
}
