//! The config file (SPEC §3), layered with figment into a validated [`Config`].
//!
//! The file is parsed once with `toml` into typed structs that deny unknown keys, because
//! that parser knows where every key stands: errors name the file, line and column. The
//! scalar settings are then layered with figment: built-in defaults < file < `BROKER_*`
//! environment < flags.

mod diagnostics;
pub mod edit;
pub mod error;
pub mod paths;
mod schema;
mod validation;

use std::collections::BTreeMap;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Serialized};
use serde::Serialize;

use crate::duration::Humane;
use crate::error::{ConfigError, Error, Hint, Result, sanitize};
use crate::profile::ProfileName;
use crate::store::read;
use diagnostics::{in_file, toml_error};
pub use diagnostics::{profile_list_hint, suggest};
pub use paths::Paths;
pub use schema::{
    Config, ConfigFile, Event, FlagSettings, Hook, Plaintext, Profile, ProfileFile, Run,
    SecretSource, Settings, Sink, SinkFormat, StoreFile,
};
use validation::{check_sink_target, validate_hook, validate_profile};
pub use validation::{is_env_name, parse_mode, validate_endpoint};

/// The longest `timeout` (of a command or a hook) broker accepts. Beyond it the deadlines
/// computed from it would overflow the clock's range, and nothing needs a day.
pub const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The armor line every age-encrypted secret starts with.
pub const AGE_ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
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
            .map_err(|e| ConfigError::InvalidSetting {
                message: sanitize(&e.to_string()),
            })?;
        if settings.timeout.0 > MAX_TIMEOUT {
            return Err(ConfigError::TimeoutTooLong {
                timeout: crate::duration::format(settings.timeout.0),
            }
            .into());
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
            return Err(ConfigError::DefaultProfileMissing {
                name: d.to_string(),
                config: cfg_path,
                hint: profile_list_hint(&profiles),
            }
            .into());
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
        let backend = store_backend(&file.store, &cfg_path)?;
        Ok(Config {
            paths,
            exists,
            default_profile,
            recipients: file.store.recipients,
            identity: file.store.identity,
            backend,
            settings,
            profiles,
            hooks: file.hooks,
        })
    }

    /// The store this config asks for.
    pub fn open_store(&self, vault: crate::store::Vault) -> crate::store::SealedStore {
        crate::store::open_backend(
            &self.backend,
            self.paths.state_dir.clone(),
            vault,
            self.settings.timeout.0,
        )
    }

    /// The named profile, or exit 2 listing the ones that exist.
    pub fn profile(&self, name: &ProfileName) -> Result<&Profile> {
        self.profiles.get(name).ok_or_else(|| {
            let near = suggest(name.as_str(), self.profiles.keys().map(ProfileName::as_str));
            let hint = match near {
                Some(near) => Hint::DidYouMean { near: near.into() },
                None => profile_list_hint(&self.profiles),
            };
            Error::from(ConfigError::UnknownProfile {
                name: name.to_string(),
                config: self.paths.config.display().to_string(),
                hint,
            })
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
        Ok(m) if !m.is_file() => Err(ConfigError::NotRegularFile {
            path: path.display().to_string(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// Reads the config file (`None` when there is none), refusing anything but a regular file of
/// at most [`read::MAX_CONFIG`] (exit 2), and warns once if others may change it: its hooks
/// run as the person running broker.
pub fn read_config(path: &Path) -> Result<Option<read::Contents>> {
    let contents = read::file(path, read::MAX_CONFIG, read::FileRole::Config)?;
    if let Some(c) = &contents {
        read::warn_if_writable_by_others(path, c.mode, read::Holds::Hooks);
    }
    Ok(contents)
}

/// The config's text: it must be UTF-8 (exit 2 otherwise).
pub fn config_text<'a>(contents: &'a read::Contents, path: &Path) -> Result<&'a str> {
    std::str::from_utf8(&contents.bytes).map_err(|_| {
        ConfigError::NotUtf8 {
            path: path.display().to_string(),
        }
        .into()
    })
}

/// Parses the file text into its typed form, with file, line and column in every error.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
    toml::from_str::<ConfigFile>(text).map_err(|e| toml_error(&e, text, path))
}

/// `[store] backend` and, for Redis, its settings (`BROKER_REDIS_URL` overriding `url`).
/// Nothing of Redis is looked at for the file backend.
fn store_backend(store: &StoreFile, cfg_path: &str) -> Result<crate::store::StoreBackend> {
    use crate::store::{StoreBackend, redis::RedisSettings, redis::errors};
    match store.backend.as_deref() {
        None | Some("file") => Ok(StoreBackend::File),
        Some("redis") => {
            let env_url = std::env::var(crate::env_vars::BROKER_REDIS_URL).ok();
            RedisSettings::from_config(
                store.url.as_deref(),
                env_url.as_deref(),
                store.prefix.as_deref(),
                store.cache_window.map(|w| w.0),
                cfg_path,
            )
            .map(StoreBackend::Redis)
        }
        Some(other) => Err(errors::unknown_backend(other, cfg_path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    pub(super) fn load_text(text: &str) -> Result<Config> {
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
    fn unknown_grant_lists_the_valid_ones() {
        let err = load_text("[profiles.a]\ngrant = \"oauth\"\napp_key = \"k\"\n").unwrap_err();
        for g in ["ai", "netdisk", "bce", "sts", "api-key"] {
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
        assert_eq!(cfg.profiles.len(), 5);
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
            "duration",
            "policy",
            "preset",
        ] {
            assert!(text.contains(key), "{key} is not shown");
        }
    }
}
