//! The config file (SPEC §3), layered with figment into a validated [`Config`].
//!
//! The file is parsed once with `toml` into typed structs that deny unknown keys, because
//! that parser knows where every key stands: errors name the file, line and column. The
//! scalar settings are then layered with figment: built-in defaults < file < `BROKER_*`
//! environment < flags.

pub mod edit;
pub mod paths;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Serialized};
use serde::{Deserialize, Serialize};

use crate::duration::Humane;
use crate::error::{Error, Kind, Result, sanitize};
use crate::grant::GrantKind;
use crate::profile::ProfileName;
use crate::store::read;
pub use paths::Paths;

/// The longest `timeout` (of a command or a hook) broker accepts. Beyond it the deadlines
/// computed from it would overflow the clock's range, and nothing needs a day.
pub const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The armor line every age-encrypted secret starts with.
pub const AGE_ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";

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
}

/// One `[profiles.NAME]` table as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub grant: GrantKind,
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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sinks: Vec<Sink>,
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
    pub expires_in: Option<Humane>,
    pub env: BTreeMap<String, String>,
    pub hooks: Vec<Hook>,
    pub sinks: Vec<Sink>,
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

impl Config {
    pub fn load(paths: Paths, flags: &FlagSettings, plaintext: Plaintext) -> Result<Config> {
        let Some(contents) = read_config(&paths.config)? else {
            return Self::from_file(paths, ConfigFile::default(), false, flags, plaintext);
        };
        let text = config_text(&contents, &paths.config)?;
        Self::from_text(paths, text, flags, plaintext)
    }

    /// Parses and validates config text as if it had been read from `paths.config`: every
    /// check of [`Config::load`] but the file I/O (for `doctor`, the hostile-input tests and
    /// the fuzz targets).
    pub fn from_text(
        paths: Paths,
        text: &str,
        flags: &FlagSettings,
        plaintext: Plaintext,
    ) -> Result<Config> {
        let file = parse(text, &paths.config)?;
        Self::from_file(paths, file, true, flags, plaintext)
    }

    fn from_file(
        paths: Paths,
        file: ConfigFile,
        exists: bool,
        flags: &FlagSettings,
        plaintext: Plaintext,
    ) -> Result<Config> {
        let cfg_path = paths.config.display().to_string();
        let file_settings = FlagSettings {
            timeout: file.timeout,
        };
        #[derive(Serialize)]
        struct FileLayer {
            #[serde(skip_serializing_if = "Option::is_none")]
            timeout: Option<Humane>,
            #[serde(skip_serializing_if = "Option::is_none")]
            refresh_before: Option<Humane>,
        }
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Serialized::defaults(FileLayer {
                timeout: file_settings.timeout,
                refresh_before: file.store.refresh_before,
            }))
            .merge(Env::prefixed("BROKER_").only(&["timeout", "refresh_before"]))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| Error::usage(format!("invalid setting: {}", sanitize(&e.to_string()))))?;
        if settings.timeout.0 > MAX_TIMEOUT {
            return Err(Error::usage(format!(
                "`timeout` of `{}` is longer than broker allows",
                crate::duration::format(settings.timeout.0)
            ))
            .with_hint("at most `1d` (in the config, `BROKER_TIMEOUT` or `--timeout`)"));
        }

        let default_profile = match &file.default_profile {
            Some(name) => Some(
                ProfileName::parse(name).map_err(|e| in_file(e, &cfg_path, "default_profile"))?,
            ),
            None => None,
        };
        let mut profiles = BTreeMap::new();
        for (name, p) in file.profiles {
            let name = ProfileName::parse(&name)
                .map_err(|e| in_file(e, &cfg_path, &format!("profiles.{}", sanitize(&name))))?;
            let profile = validate_profile(
                name.clone(),
                p,
                settings.refresh_before,
                plaintext,
                &cfg_path,
            )?;
            profiles.insert(name, profile);
        }
        if let Some(d) = &default_profile
            && !profiles.contains_key(d)
        {
            return Err(Error::usage(format!(
                "`default_profile = \"{d}\"` in `{cfg_path}` names no profile"
            ))
            .with_hint(profile_list_hint(&profiles)));
        }
        for (i, hook) in file.hooks.iter().enumerate() {
            validate_hook(hook, &format!("hooks[{i}]"), &cfg_path)?;
        }
        for p in profiles.values() {
            for (i, hook) in p.hooks.iter().enumerate() {
                validate_hook(hook, &format!("profiles.{}.hooks[{i}]", p.name), &cfg_path)?;
            }
            for (i, sink) in p.sinks.iter().enumerate() {
                let key = format!("profiles.{}.sinks[{i}].path", p.name);
                check_sink_target(&sink.path, &paths, file.store.identity.as_deref())
                    .map_err(|e| in_file(e, &cfg_path, &key))?;
                if let Some(mode) = &sink.mode {
                    parse_mode(mode).map_err(|e| {
                        in_file(
                            e,
                            &cfg_path,
                            &format!("profiles.{}.sinks[{i}].mode", p.name),
                        )
                    })?;
                }
            }
        }
        Ok(Config {
            paths,
            exists,
            default_profile,
            recipients: file.store.recipients,
            identity: file.store.identity,
            settings,
            profiles,
            hooks: file.hooks,
        })
    }

    /// The named profile, or exit 2 listing the ones that exist.
    pub fn profile(&self, name: &ProfileName) -> Result<&Profile> {
        self.profiles.get(name).ok_or_else(|| {
            let err = Error::usage(format!(
                "unknown profile `{name}` in `{}`",
                self.paths.config.display()
            ));
            let near = suggest(name.as_str(), self.profiles.keys().map(ProfileName::as_str));
            match near {
                Some(s) => err.with_hint(format!("did you mean `{s}`?")),
                None => err.with_hint(profile_list_hint(&self.profiles)),
            }
        })
    }

    /// The variables any profile reads its SecretKey from (`secret_key_env`): what a hook or
    /// a command run by `exec` must not inherit.
    pub fn secret_key_vars(&self) -> impl Iterator<Item = &str> {
        self.profiles.values().filter_map(|p| match &p.secret {
            SecretSource::Env(var) => Some(var.as_str()),
            _ => None,
        })
    }
}

/// Refuses a config path that exists but is not a regular file (after symlinks): reading a
/// FIFO would block forever, and an atomic save would replace a device such as `/dev/null`.
pub fn regular_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(Error::usage(format!(
            "the config `{}` is not a regular file",
            path.display()
        ))
        .with_hint("point `--config` or `BROKER_CONFIG` at a TOML file")),
        _ => Ok(()),
    }
}

/// "profiles: a, b, c" or how to add one.
/// Reads the config file (`None` when there is none), refusing anything but a regular file of
/// at most [`read::MAX_CONFIG`] (exit 2), and warns once if others may change it: its hooks
/// run as the person running broker.
pub fn read_config(path: &Path) -> Result<Option<read::Contents>> {
    let what = format!("the config `{}`", path.display());
    let contents = read::regular_file(path, read::MAX_CONFIG, &what, Kind::Usage)?;
    if let Some(c) = &contents {
        read::warn_if_writable_by_others(path, c.mode, "its hooks run as you");
    }
    Ok(contents)
}

/// The config's text: it must be UTF-8 (exit 2 otherwise).
pub fn config_text<'a>(contents: &'a read::Contents, path: &Path) -> Result<&'a str> {
    std::str::from_utf8(&contents.bytes).map_err(|_| {
        Error::usage(format!(
            "cannot read the config `{}`: it is not valid UTF-8",
            path.display()
        ))
    })
}

pub fn profile_list_hint(profiles: &BTreeMap<ProfileName, Profile>) -> String {
    if profiles.is_empty() {
        let grants: Vec<&str> = crate::grant::GRANTS.iter().map(|g| g.as_str()).collect();
        format!(
            "no profiles yet: add one with `broker profile add NAME --grant {} --app-key KEY`",
            grants.join("|")
        )
    } else {
        let names: Vec<&str> = profiles.keys().map(|n| n.as_str()).collect();
        format!("profiles: {}", names.join(", "))
    }
}

fn in_file(e: Error, file: &str, key: &str) -> Error {
    e.map_message(|m| format!("{m} (key `{key}` in `{file}`)"))
}

/// Parses the file text into its typed form, with file, line and column in every error.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
    toml::from_str::<ConfigFile>(text).map_err(|e| toml_error(&e, text, path))
}

fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> Error {
    let place = match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("`{}` line {line}, column {col}", path.display())
        }
        None => format!("`{}`", path.display()),
    };
    let message = e.message().trim().to_owned();
    let err = Error::usage(format!("{place}: {}", sanitize(&message)));
    match near_miss(&message) {
        Some(s) => err.with_hint(format!("did you mean `{s}`?")),
        None => err,
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

fn validate_profile(
    name: ProfileName,
    p: ProfileFile,
    default_refresh_before: Humane,
    plaintext: Plaintext,
    cfg_path: &str,
) -> Result<Profile> {
    let key = |k: &str| format!("profiles.{name}.{k}");
    if p.app_key.trim().is_empty() {
        return Err(Error::usage(format!(
            "`{}` is empty in `{cfg_path}`",
            key("app_key")
        )));
    }
    let secret = match (&p.secret_key, &p.secret_key_env) {
        (Some(_), Some(_)) => {
            return Err(Error::usage(format!(
                "profile `{name}` sets both `secret_key` and `secret_key_env` in `{cfg_path}`; keep one"
            )));
        }
        (Some(s), None) if s.trim_start().starts_with(AGE_ARMOR_BEGIN) => {
            SecretSource::Encrypted(s.clone())
        }
        (Some(_), None) => match plaintext {
            Plaintext::Allow => SecretSource::Plaintext,
            Plaintext::Refuse => {
                return Err(Error::usage(format!(
                    "`{}` in `{cfg_path}` is plaintext",
                    key("secret_key")
                ))
                .with_hint(
                    "run `broker secret encrypt` to encrypt every plaintext secret in place",
                ));
            }
        },
        (None, Some(var)) => SecretSource::Env(var.clone()),
        (None, None) => SecretSource::Missing,
    };
    let endpoint = match &p.endpoint {
        Some(url) => validate_endpoint(url).map_err(|e| in_file(e, cfg_path, &key("endpoint")))?,
        None => p.grant.default_endpoint().to_owned(),
    };
    if let Some(exp) = p.expires_in {
        let Some(max) = p.grant.max_expires_in() else {
            return Err(Error::usage(format!(
                "`{}` applies only to {} profiles",
                key("expires_in"),
                crate::grant::names_where(
                    |g| g.max_expires_in().is_some(),
                    |n| format!("`grant = \"{n}\"`")
                )
            )));
        };
        if exp.as_secs() == 0 || exp.as_secs() > max {
            return Err(Error::usage(format!(
                "`{}` must be between 1s and {}",
                key("expires_in"),
                crate::duration::format(std::time::Duration::from_secs(max))
            )));
        }
    }
    for var in p.env.keys() {
        if !is_env_name(var) {
            return Err(Error::usage(format!(
                "`{}` is not a valid environment variable name in `{cfg_path}`",
                sanitize(&key(&format!("env.{var}")))
            )));
        }
    }
    Ok(Profile {
        grant: p.grant,
        app_key: p.app_key,
        secret,
        scope: p.scope,
        description: p.description,
        endpoint,
        refresh_before: p.refresh_before.unwrap_or(default_refresh_before),
        expires_in: p.expires_in,
        env: p.env,
        hooks: p.hooks,
        sinks: p.sinks,
        name,
    })
}

/// Checks a hook at load time, so a bad one is a config error (exit 2) naming its key rather
/// than a failure when it first runs.
fn validate_hook(hook: &Hook, key: &str, cfg_path: &str) -> Result<()> {
    let bad = |what: String| Error::usage(format!("`{key}` in `{cfg_path}` {what}"));
    let empty = match &hook.run {
        Run::Argv(argv) => argv.is_empty() || argv[0].is_empty(),
        Run::Shell(s) => s.trim().is_empty(),
    };
    if empty {
        return Err(bad("has an empty `run`".into()));
    }
    if hook.timeout.is_some_and(|t| t.0 > MAX_TIMEOUT) {
        return Err(Error::usage(format!(
            "a hook in `{cfg_path}` has a `timeout` longer than `1d`"
        )));
    }
    if hook.on.is_empty() {
        return Err(bad("has an empty `on` list".into())
            .with_hint("events: rotate, login, refresh_failed, test"));
    }
    if let Some(var) = hook.env.keys().find(|v| !is_env_name(v)) {
        return Err(bad(format!(
            "sets `env.{}`, which is not a variable name",
            sanitize(var)
        )));
    }
    if hook.timeout.is_some_and(|t| t.as_secs() == 0) {
        return Err(bad("has a zero `timeout`".into()));
    }
    Ok(())
}

/// Refuses a sink that would overwrite broker's own files: the config, an identity file (the
/// default one, `[store] identity`, `BROKER_AGE_KEY_FILE`) or anything in the state folder.
/// Paths are compared resolved (symlinks followed) where they exist, lexically where not.
fn check_sink_target(sink: &Path, paths: &Paths, config_identity: Option<&Path>) -> Result<()> {
    // As the hooks resolve it: relative to the config's folder.
    let config = std::path::absolute(&paths.config).unwrap_or_else(|_| paths.config.clone());
    let base = config.parent().unwrap_or(Path::new("/"));
    let target = resolve(&base.join(sink));
    let key_file = std::env::var_os(crate::store::identity::ENV_KEY_FILE)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let identities = [
        Some(paths.default_identity.as_path()),
        config_identity,
        key_file.as_deref(),
    ];
    let what = if target == resolve(&config) {
        Some("the config")
    } else if identities
        .into_iter()
        .flatten()
        .any(|p| target == resolve(p))
    {
        Some("an age identity")
    } else if target.starts_with(resolve(&paths.state_dir)) {
        Some("in broker's state folder")
    } else {
        None
    };
    match what {
        None => Ok(()),
        Some(what) => Err(Error::usage(format!(
            "the sink `{}` is {what}: writing a token there would destroy it",
            sanitize(&sink.display().to_string())
        ))
        .with_hint("choose a path of its own for the sink")),
    }
}

/// `path` made absolute with symlinks followed as far as it exists (the longest existing
/// ancestor is canonicalised), and `.`/`..` folded lexically in the rest.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match part {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// A sink's `mode`: octal permission bits like `0600` (at most `0777`).
pub fn parse_mode(text: &str) -> Result<u32> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    let valid =
        (3..=4).contains(&digits.len()) && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if valid && mode <= 0o777 => Ok(mode),
        _ => Err(Error::usage(format!(
            "invalid sink mode `{}`: expected octal permission bits like `0600`",
            sanitize(text)
        ))),
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a name every shell format can export.
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Scheme, host and optional port, no path; `http://` only for loopback hosts.
pub fn validate_endpoint(raw: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::usage(format!("invalid endpoint `{}`: {why}", sanitize(raw)))
            .with_hint("write scheme, host and optional port, e.g. `https://openapi.baidu.com` or `http://127.0.0.1:8080`")
    };
    let url = reqwest::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials in the URL are not allowed"));
    }
    if !(url.path() == "/" || url.path().is_empty())
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad("no path, query or fragment allowed"));
    }
    let host = url.host().ok_or_else(|| bad("no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(bad(
                "plain `http://` is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost)",
            ));
        }
        other => return Err(bad(&format!("unsupported scheme `{other}`"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config> {
        let paths = Paths {
            config: PathBuf::from("/tmp/profiles.toml"),
            state_dir: PathBuf::from("/tmp/state"),
            default_identity: PathBuf::from("/tmp/id.txt"),
        };
        let file = parse(text, &paths.config)?;
        Config::from_file(
            paths,
            file,
            true,
            &FlagSettings::default(),
            Plaintext::Refuse,
        )
    }

    const ARMOR: &str =
        "-----BEGIN AGE ENCRYPTED FILE-----\nabc\n-----END AGE ENCRYPTED FILE-----\n";

    #[test]
    fn a_full_profile_loads() {
        let text = format!(
            "default_profile = \"nd\"\n[store]\nrefresh_before = \"12h\"\n[profiles.nd]\ngrant = \"netdisk\"\napp_key = \"k\"\nsecret_key = \"\"\"\n{ARMOR}\"\"\"\n[profiles.ai]\ngrant = \"ai\"\napp_key = \"k2\"\nsecret_key_env = \"SK\"\nrefresh_before = \"1h\"\n"
        );
        let cfg = load_text(&text).unwrap();
        let nd = &cfg.profiles[&ProfileName::parse("nd").unwrap()];
        assert_eq!(nd.endpoint, "https://openapi.baidu.com");
        assert_eq!(nd.refresh_before.as_secs(), 12 * 3600);
        assert!(matches!(nd.secret, SecretSource::Encrypted(_)));
        let ai = &cfg.profiles[&ProfileName::parse("ai").unwrap()];
        assert_eq!(ai.refresh_before.as_secs(), 3600);
        assert_eq!(ai.secret, SecretSource::Env("SK".into()));
    }

    #[test]
    fn unknown_key_names_line_and_near_miss() {
        let err =
            load_text("[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nscop = \"x\"\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("line 4"), "{}", err.message());
        assert!(err.message().contains("scop"), "{}", err.message());
        assert_eq!(err.hint(), Some("did you mean `scope`?"));
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
    fn unknown_grant_lists_the_valid_ones() {
        let err = load_text("[profiles.a]\ngrant = \"oauth\"\napp_key = \"k\"\n").unwrap_err();
        for g in ["ai", "netdisk", "bce"] {
            assert!(err.message().contains(g), "{}", err.message());
        }
    }

    #[test]
    fn plaintext_secret_is_refused_with_a_hint() {
        let err =
            load_text("[profiles.a]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key = \"plain\"\n")
                .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.hint().unwrap().contains("broker secret encrypt"));
        assert!(!err.message().contains("plain\""));
    }

    #[test]
    fn bad_profile_names_are_refused() {
        for name in [
            "\"../x\"",
            "\"a/b\"",
            "\"\"",
            &format!("\"{}\"", "x".repeat(65)),
        ] {
            let err = load_text(&format!(
                "[profiles.{name}]\ngrant = \"ai\"\napp_key = \"k\"\n"
            ))
            .unwrap_err();
            assert_eq!(err.exit_code(), 2, "{name}");
        }
    }

    #[test]
    fn endpoints() {
        for ok in [
            "https://openapi.baidu.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9/",
            "http://127.3.4.5",
        ] {
            assert!(validate_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://x",
            "https://x/path",
            "https://u:p@x",
            "nonsense",
            "https://x?q=1",
        ] {
            assert_eq!(validate_endpoint(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
        assert_eq!(
            validate_endpoint("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn absurd_timeouts_are_refused_rather_than_overflowing_a_deadline() {
        for text in [
            "timeout = \"99999999999999d\"\n",
            "[[hooks]]\non = [\"rotate\"]\nrun = \"true\"\ntimeout = \"99999999999999d\"\n",
        ] {
            let err = load_text(text).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{text}");
            assert!(err.message().contains("timeout"), "{}", err.message());
        }
        assert!(load_text("timeout = \"1d\"\n").is_ok());
    }

    #[test]
    fn edit_distance_table() {
        assert_eq!(edit_distance("scop", "scope"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The shipped example must stay a valid config that shows every key.
    #[test]
    fn profiles_example_toml_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let file = parse(&text, &path).unwrap();
        let paths = Paths {
            config: path,
            state_dir: "/tmp/s".into(),
            default_identity: "/tmp/i".into(),
        };
        let cfg = Config::from_file(
            paths,
            file,
            true,
            &FlagSettings::default(),
            Plaintext::Refuse,
        )
        .unwrap();
        assert_eq!(cfg.profiles.len(), 3);
        let nd = &cfg.profiles[&ProfileName::parse("netdisk-dev").unwrap()];
        assert_eq!((nd.hooks.len(), nd.sinks.len(), nd.env.len()), (1, 1, 1));
        for key in [
            "default_profile",
            "timeout",
            "recipients",
            "refresh_before",
            "identity",
            "secret_key_env",
            "expires_in",
        ] {
            assert!(text.contains(key), "{key} is not shown");
        }
    }
}
