//! Config validation beyond what serde checks: profiles, hooks, sinks, endpoints, names.

use std::path::{Path, PathBuf};

use super::diagnostics::in_file;
use super::{
    AGE_ARMOR_BEGIN, Hook, MAX_TIMEOUT, Paths, Plaintext, Profile, ProfileFile, Run, SecretSource,
};
use crate::duration::Humane;
use crate::error::{ConfigError, Error, Result, sanitize};
use crate::profile::ProfileName;

pub(super) fn validate_profile(
    name: ProfileName,
    p: ProfileFile,
    default_refresh_before: Humane,
    plaintext: Plaintext,
    cfg_path: &str,
) -> Result<Profile> {
    let key = |k: &str| format!("profiles.{name}.{k}");
    if p.app_key.trim().is_empty() && !p.grant.static_key() {
        return Err(ConfigError::EmptyAppKey {
            key: key("app_key"),
            config: cfg_path.into(),
        }
        .into());
    }
    let secret = match (&p.secret_key, &p.secret_key_env) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::TwoSecretSources {
                name: name.to_string(),
                config: cfg_path.into(),
            }
            .into());
        }
        (Some(s), None) if s.trim_start().starts_with(AGE_ARMOR_BEGIN) => {
            SecretSource::Encrypted(s.clone())
        }
        (Some(_), None) => match plaintext {
            Plaintext::Allow => SecretSource::Plaintext,
            Plaintext::Refuse => {
                return Err(ConfigError::PlaintextSecret {
                    key: key("secret_key"),
                    config: cfg_path.into(),
                }
                .into());
            }
        },
        (None, Some(var)) => SecretSource::Env(var.clone()),
        (None, None) => SecretSource::Missing,
    };
    let endpoint = match &p.endpoint {
        Some(url) => validate_endpoint(url).map_err(|e| in_file(e, cfg_path, &key("endpoint")))?,
        None => p.grant.default_endpoint().to_owned(),
    };
    // One lifetime key per grant: `expires_in` (bce) or `duration` (sts); the other refused.
    let lifetimes = [("expires_in", p.expires_in), ("duration", p.duration)];
    for (which, exp) in lifetimes.iter().filter_map(|(k, v)| Some((*k, (*v)?))) {
        let max = p
            .grant
            .max_expires_in()
            .filter(|_| p.grant.lifetime_key() == which);
        let Some(max) = max else {
            return Err(ConfigError::ExpiresInNotApplicable {
                key: key(which),
                grants: crate::grant::names_of(|g| {
                    g.max_expires_in().is_some() && g.lifetime_key() == which
                }),
            }
            .into());
        };
        if exp.as_secs() == 0 || exp.as_secs() > max {
            return Err(ConfigError::ExpiresInRange {
                key: key(which),
                max: crate::duration::format(std::time::Duration::from_secs(max)),
            }
            .into());
        }
    }
    if let Some(policy) = &p.policy {
        if !p.grant.takes_policy() {
            return Err(ConfigError::ExpiresInNotApplicable {
                key: key("policy"),
                grants: crate::grant::names_of(|g| g.takes_policy()),
            }
            .into());
        }
        if !matches!(
            serde_json::from_str::<serde_json::Value>(policy),
            Ok(serde_json::Value::Object(_))
        ) {
            return Err(ConfigError::PolicyNotJson {
                key: key("policy"),
                config: cfg_path.into(),
            }
            .into());
        }
    }
    if let Some(preset) = p.preset
        && !preset.fits(p.grant.as_str())
    {
        return Err(ConfigError::PresetNotApplicable {
            key: key("preset"),
            preset: preset.as_str(),
            grants: preset
                .grants()
                .iter()
                .map(|g| format!("`grant = \"{g}\"`"))
                .collect(),
        }
        .into());
    }
    // `timeout` and `[plugin]` belong to the plugin grant alone.
    let plugin_keys = [
        ("timeout", p.timeout.is_some()),
        ("plugin", p.plugin.is_some()),
    ];
    for (which, _) in plugin_keys.iter().filter(|(_, set)| *set) {
        if !p.grant.runs_plugin() {
            return Err(ConfigError::ExpiresInNotApplicable {
                key: key(which),
                grants: vec!["`grant = \"plugin:NAME\"`".to_owned()],
            }
            .into());
        }
    }
    if let Some(t) = p.timeout
        && (t.0.is_zero() || t.0 > MAX_TIMEOUT)
    {
        return Err(ConfigError::ExpiresInRange {
            key: key("timeout"),
            max: crate::duration::format(MAX_TIMEOUT),
        }
        .into());
    }
    // TOML values all have a JSON twin (a date becomes its text).
    let plugin_settings = p
        .plugin
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok())
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    for var in p.env.keys() {
        if !is_env_name(var) {
            return Err(ConfigError::InvalidEnvName {
                key: sanitize(&key(&format!("env.{var}"))),
                config: cfg_path.into(),
            }
            .into());
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
        expires_in: p.expires_in.or(p.duration),
        policy: p.policy,
        preset: p.preset,
        env: p.env,
        hooks: p.hooks,
        sinks: p.sinks,
        plugin_timeout: p.timeout,
        plugin_settings,
        name,
    })
}

/// Checks a hook at load time, so a bad one is a config error (exit 2) naming its key rather
/// than a failure when it first runs.
pub(super) fn validate_hook(hook: &Hook, key: &str, cfg_path: &str) -> Result<()> {
    let (key, config) = (key.to_owned(), cfg_path.to_owned());
    let empty = match &hook.run {
        Run::Argv(argv) => argv.is_empty() || argv[0].is_empty(),
        Run::Shell(s) => s.trim().is_empty(),
    };
    if empty {
        return Err(ConfigError::HookEmptyRun { key, config }.into());
    }
    if hook.timeout.is_some_and(|t| t.0 > MAX_TIMEOUT) {
        return Err(ConfigError::HookTimeoutTooLong { config }.into());
    }
    if hook.on.is_empty() {
        return Err(ConfigError::HookNoEvents { key, config }.into());
    }
    if let Some(var) = hook.env.keys().find(|v| !is_env_name(v)) {
        let var = sanitize(var);
        return Err(ConfigError::HookInvalidEnvName { key, config, var }.into());
    }
    if hook.timeout.is_some_and(|t| t.as_secs() == 0) {
        return Err(ConfigError::HookZeroTimeout { key, config }.into());
    }
    Ok(())
}

/// Refuses a sink that would overwrite broker's own files: the config, an identity file (the
/// default one, `[store] identity`, `BROKER_AGE_KEY_FILE`) or anything in the state folder.
/// Paths are compared resolved (symlinks followed) where they exist, lexically where not.
pub(super) fn check_sink_target(
    sink: &Path,
    paths: &Paths,
    config_identity: Option<&Path>,
) -> Result<()> {
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
        Some("config")
    } else if identities
        .into_iter()
        .flatten()
        .any(|p| target == resolve(p))
    {
        Some("identity")
    } else if target.starts_with(resolve(&paths.state_dir)) {
        Some("state-folder")
    } else {
        None
    };
    match what {
        None => Ok(()),
        Some(what) => Err(ConfigError::SinkOverwrites {
            sink: sanitize(&sink.display().to_string()),
            what,
        }
        .into()),
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
        _ => Err(ConfigError::InvalidSinkMode {
            mode: sanitize(text),
        }
        .into()),
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
    let bad = |why: &'static str, detail: String| -> Error {
        ConfigError::InvalidEndpoint {
            endpoint: sanitize(raw),
            why,
            detail,
        }
        .into()
    };
    let url = reqwest::Url::parse(raw).map_err(|e| bad("unparsable", e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials", String::new()));
    }
    if !(url.path() == "/" || url.path().is_empty())
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad("path", String::new()));
    }
    let host = url.host().ok_or_else(|| bad("no-host", String::new()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(bad("plain-http", String::new()));
        }
        other => return Err(bad("scheme", sanitize(other))),
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
}
