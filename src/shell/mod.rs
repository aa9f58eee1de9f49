//! Shell integration: the variables a profile exports (SPEC §6), their quoting for every
//! output format ([`crate::export`]), `[env]` templates ([`template`]), the `shell-init` templates,
//! and the stamp that lets a prompt hook notice a rotation without decrypting anything.

pub mod preset;
pub mod template;

use std::path::Path;

use chrono::SecondsFormat;
use zeroize::Zeroizing;

use crate::config::{Profile, is_env_name};
use crate::env_vars;
use crate::error::{ConfigError, Result, UsageError, sanitize};
use crate::secret::SecretKey;
use crate::store::{StsKeys, TokenState};
use template::{BadTemplate, Placeholder, Template};

/// What every profile exports (SPEC §6).
pub const DEFAULT_NAMES: [&str; 4] = [
    env_vars::BROKER_PROFILE,
    env_vars::BAIDU_ACCESS_TOKEN,
    env_vars::BAIDU_APP_KEY,
    env_vars::BAIDU_TOKEN_EXPIRES_AT,
];

/// What an `sts` profile exports besides the defaults: the three values that work together,
/// and their expiry.
pub const STS_NAMES: [&str; 4] = [
    env_vars::BCE_ACCESS_KEY_ID,
    env_vars::BCE_SECRET_ACCESS_KEY,
    env_vars::BCE_SESSION_TOKEN,
    env_vars::BCE_TOKEN_EXPIRES_AT,
];

/// The `sts` variables of a state that holds STS credentials, in [`STS_NAMES`] order; none
/// for any other state.
pub fn sts_values(keys: Option<&StsKeys>, session_token: &str, expires_at: &str) -> Vec<Var> {
    let Some(keys) = keys else {
        return Vec::new();
    };
    vec![
        Var::new(STS_NAMES[0], keys.access_key_id.clone(), false),
        Var::new(
            STS_NAMES[1],
            keys.secret_access_key.expose().to_owned(),
            true,
        ),
        Var::new(STS_NAMES[2], session_token.to_owned(), true),
        Var::new(STS_NAMES[3], expires_at.to_owned(), false),
    ]
}

/// The shells `broker shell-init` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    pub fn as_str(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
        }
    }

    /// The `broker env` format this shell evaluates.
    pub fn format(self) -> crate::export::Format {
        match self {
            Shell::Bash | Shell::Zsh => crate::export::Format::Sh,
            Shell::Fish => crate::export::Format::Fish,
            Shell::Powershell => crate::export::Format::Powershell,
        }
    }

    /// `BROKER_SHELL` as set by the wrapper: None when unset or empty.
    pub fn from_env() -> Result<Option<Shell>> {
        match std::env::var(env_vars::BROKER_SHELL) {
            Ok(v) if v.is_empty() => Ok(None),
            Ok(v) => match v.as_str() {
                "bash" | "sh" => Ok(Some(Shell::Bash)),
                "zsh" => Ok(Some(Shell::Zsh)),
                "fish" => Ok(Some(Shell::Fish)),
                "powershell" | "pwsh" => Ok(Some(Shell::Powershell)),
                other => Err(UsageError::UnknownShell {
                    var: env_vars::BROKER_SHELL.into(),
                    value: sanitize(other),
                }
                .into()),
            },
            Err(_) => Ok(None),
        }
    }

    /// The integration script: one template per shell, the prompt hook kept or cut out.
    pub fn init_script(self, prompt_hook: bool) -> String {
        let text = match self {
            Shell::Bash => include_str!("init.bash"),
            Shell::Zsh => include_str!("init.zsh"),
            Shell::Fish => include_str!("init.fish"),
            Shell::Powershell => include_str!("init.ps1"),
        };
        if prompt_hook {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut inside = false;
        for line in text.lines() {
            if line.contains("BEGIN prompt hook") {
                inside = true;
            } else if line.contains("END prompt hook") {
                inside = false;
            } else if !inside {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

/// One variable to export. The value may be a secret: `Debug` never shows it, and it is
/// zeroised on drop.
pub struct Var {
    pub name: String,
    value: Zeroizing<String>,
    /// Holds a token or the SecretKey (masked in CI logs).
    pub secret: bool,
}

impl Var {
    pub fn new(name: impl Into<String>, value: String, secret: bool) -> Var {
        Var {
            name: name.into(),
            value: Zeroizing::new(value),
            secret,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

impl std::fmt::Debug for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.secret { "****" } else { &self.value };
        write!(f, "{}={shown:?}", self.name)
    }
}

/// The variables of `profile` for the token in `state`: the SPEC §6 defaults, then the
/// profile's `[env]` templates (which may replace a default). The SecretKey is asked for only
/// when a template names `{secret_key}`; every template is checked before anything is.
pub fn variables(
    profile: &Profile,
    state: &TokenState,
    config_path: &Path,
    secret_key: impl FnOnce() -> Result<SecretKey>,
) -> Result<Vec<Var>> {
    let templates = templates(profile, config_path)?;
    let secret = if templates
        .iter()
        .any(|(_, t)| t.uses(Placeholder::SecretKey))
    {
        Some(secret_key()?)
    } else {
        None
    };
    let expires_at = expires_at(profile, state);
    let scope = scope(profile, state);
    let value = |p: Placeholder| -> &str {
        match p {
            Placeholder::AccessToken => state.access_token.expose(),
            Placeholder::AppKey => &profile.app_key,
            Placeholder::ExpiresAt => &expires_at,
            Placeholder::Profile => profile.name.as_str(),
            Placeholder::Scope => &scope,
            Placeholder::SecretKey => secret.as_ref().map_or("", |s| s.expose()),
        }
    };
    let mut vars = vec![
        Var::new(DEFAULT_NAMES[0], profile.name.to_string(), false),
        Var::new(
            DEFAULT_NAMES[1],
            state.access_token.expose().to_owned(),
            true,
        ),
        Var::new(DEFAULT_NAMES[2], profile.app_key.clone(), false),
        Var::new(DEFAULT_NAMES[3], expires_at.clone(), false),
    ];
    if profile.grant.static_key() {
        // An API key has no expiry to export.
        vars.retain(|v| v.name != DEFAULT_NAMES[3]);
    }
    vars.extend(sts_values(
        state.sts.as_ref(),
        state.access_token.expose(),
        &expires_at,
    ));
    if let Some(preset) = profile.preset {
        for var in preset.variables(profile, state) {
            match vars.iter_mut().find(|v| v.name == var.name) {
                Some(existing) => *existing = var,
                None => vars.push(var),
            }
        }
    }
    for (name, t) in &templates {
        let var = Var::new(name.as_str(), t.expand(value), t.is_secret());
        match vars.iter_mut().find(|v| v.name == *name) {
            Some(existing) => *existing = var,
            None => vars.push(var),
        }
    }
    Ok(vars)
}

/// `{expires_at}`: RFC 3339; empty for an API key, which never expires.
pub fn expires_at(profile: &Profile, state: &TokenState) -> String {
    if profile.grant.static_key() {
        String::new()
    } else {
        state.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// `{scope}`: the one granted, else the one asked for, else the grant's default, else empty.
pub fn scope(profile: &Profile, state: &TokenState) -> String {
    state
        .scope
        .clone()
        .or_else(|| profile.scope.clone())
        .unwrap_or_else(|| profile.grant.default_scope().unwrap_or("").to_owned())
}

/// The profile's `[env]` templates, parsed; an unknown placeholder is a config error (exit 2).
pub fn templates(profile: &Profile, config_path: &Path) -> Result<Vec<(String, Template)>> {
    profile
        .env
        .iter()
        .map(|(name, text)| {
            Template::parse(text)
                .map(|t| (name.clone(), t))
                .map_err(|bad| {
                    let (why, placeholder) = match bad {
                        BadTemplate::Unclosed => ("unclosed", String::new()),
                        BadTemplate::UnknownPlaceholder(p) => ("unknown-placeholder", p),
                    };
                    ConfigError::EnvTemplate {
                        why,
                        placeholder,
                        key: format!("profiles.{}.env.{name}", profile.name),
                        config: config_path.display().to_string(),
                        placeholders: template::placeholder_list(),
                    }
                    .into()
                })
        })
        .collect()
}

/// The names a profile exports (defaults and `[env]`), without computing any value.
pub fn names(profile: &Profile) -> Vec<String> {
    let mut out: Vec<String> = DEFAULT_NAMES
        .iter()
        .filter(|n| !(profile.grant.static_key() && **n == DEFAULT_NAMES[3]))
        .map(|s| (*s).to_owned())
        .collect();
    if profile.grant.temporary_keys() {
        out.extend(STS_NAMES.iter().map(|s| (*s).to_owned()));
    }
    let preset = profile
        .preset
        .map_or(&[][..], |p| p.names(profile.grant.as_str()));
    for name in preset
        .iter()
        .copied()
        .map(str::to_owned)
        .chain(profile.env.keys().cloned())
    {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The names listed in `BROKER_EXPORTED` (what the last export in this environment set).
/// It comes from the environment, so each name is checked before it is ever printed.
pub fn exported_names() -> Vec<String> {
    std::env::var(env_vars::BROKER_EXPORTED)
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter(|n| is_env_name(n))
        .map(str::to_owned)
        .collect()
}

/// The bookkeeping variables a shell keeps beside the profile's: which names were exported,
/// and the stamp of the state they came from.
pub fn bookkeeping(vars: &[Var], stamp: String) -> [Var; 2] {
    let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
    [
        Var::new(env_vars::BROKER_EXPORTED, names.join(" "), false),
        Var::new(env_vars::BROKER_STAMP, stamp, false),
    ]
}

/// The stamp's text for a state's stored version ([`crate::store::StateStore::version`]):
/// every save changes it, so a rotation by any process does; reading it costs no decryption.
pub fn fingerprint(version: Option<crate::store::Version>) -> String {
    version.map_or_else(|| "none".into(), |v| v.0)
}

/// `BROKER_STAMP`: `PROFILE:GENERATION:FINGERPRINT`.
pub fn stamp(profile: &str, generation: u64, fingerprint: &str) -> String {
    format!("{profile}:{generation}:{fingerprint}")
}

/// Whether `stamp` was made for `profile` from the file version `fingerprint`.
pub fn stamp_matches(stamp: &str, profile: &str, fingerprint: &str) -> bool {
    let mut parts = stamp.splitn(3, ':');
    parts.next() == Some(profile) && parts.nth(1) == Some(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_compare_profile_and_fingerprint_only() {
        let s = stamp("nd", 7, "1.2.3.4.5");
        assert_eq!(s, "nd:7:1.2.3.4.5");
        assert!(stamp_matches(&s, "nd", "1.2.3.4.5"));
        assert!(!stamp_matches(&s, "nd", "1.2.3.4.6"));
        assert!(!stamp_matches(&s, "ai", "1.2.3.4.5"));
        assert!(!stamp_matches("garbage", "nd", "1.2.3.4.5"));
    }

    #[test]
    fn the_hook_block_is_cut_out_on_request() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let with = shell.init_script(true);
            let without = shell.init_script(false);
            assert!(with.contains("__broker_hook"), "{shell:?}");
            assert!(!without.contains("__broker_hook"), "{shell:?}");
            assert!(without.contains("BROKER_SHELL"), "{shell:?}");
        }
    }

    #[test]
    fn debug_hides_secret_values() {
        let v = Var::new("T", "121.secret".into(), true);
        assert_eq!(format!("{v:?}"), "T=\"****\"");
        let v = Var::new("P", "nd".into(), false);
        assert_eq!(format!("{v:?}"), "P=\"nd\"");
    }
}
