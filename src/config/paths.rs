//! Where broker's files live (SPEC §2): config, state folder, default identity.

use std::path::PathBuf;

use crate::error::{ConfigError, Result};

/// The folders broker uses, resolved once from flags and the environment.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The config file (`--config`, `BROKER_CONFIG`, or the XDG default).
    pub config: PathBuf,
    /// The state folder (`BROKER_STATE_DIR`, or the XDG default).
    pub state_dir: PathBuf,
    /// The identity file used when no other identity source is set.
    pub default_identity: PathBuf,
}

impl Paths {
    pub fn resolve(config_flag: Option<PathBuf>) -> Result<Self> {
        let config_home = xdg_dir(crate::env_vars::XDG_CONFIG_HOME, ".config")?;
        let config = match config_flag.or_else(|| env_path(crate::env_vars::BROKER_CONFIG)) {
            Some(p) => p,
            None => config_home.join("broker/profiles.toml"),
        };
        let state_dir = match env_path(crate::env_vars::BROKER_STATE_DIR) {
            Some(p) => p,
            None => xdg_dir(crate::env_vars::XDG_STATE_HOME, ".local/state")?.join("broker"),
        };
        let default_identity = config_home.join("broker/identity.txt");
        Ok(Paths {
            config,
            state_dir,
            default_identity,
        })
    }
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `$XDG_*` when set to an absolute path (the XDG spec says to ignore relative ones), else `~/<fallback>`.
fn xdg_dir(var: &str, fallback: &str) -> Result<PathBuf> {
    if let Some(p) = env_path(var).filter(|p| p.is_absolute()) {
        return Ok(p);
    }
    match env_path(crate::env_vars::HOME) {
        Some(home) => Ok(home.join(fallback)),
        None => Err(ConfigError::NoHome { var: var.into() }.into()),
    }
}
