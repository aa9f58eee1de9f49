//! The config check: it parses and validates.

use super::report::{Report, plural};
use crate::commands::Context;
use crate::config::Config;

/// The config parses and validates. Plaintext secrets are let through here and reported per
/// profile, so one of them does not hide every other check.
pub(super) fn check_config(ctx: &Context, r: &mut Report) -> Option<Config> {
    let path = ctx.paths.config.display().to_string();
    match ctx.config_allowing_plaintext() {
        Err(e) => {
            r.fail_with(
                "config",
                None,
                &e,
                "fix the config file, then run `broker doctor` again",
            );
            None
        }
        Ok(cfg) if !cfg.exists => {
            r.warn(
                "config",
                None,
                format!("no config at `{path}`: no profiles"),
                "run `broker init`, then `broker profile add`",
            );
            Some(cfg)
        }
        Ok(cfg) => {
            let n = cfg.profiles.len();
            r.ok(
                "config",
                None,
                format!("`{path}` parses and validates ({n} profile{})", plural(n)),
            );
            Some(cfg)
        }
    }
}
