//! The config check: it parses and validates.

use super::report::Report;
use crate::commands::Context;
use crate::config::Config;

/// The config parses and validates. Plaintext secrets are let through here and reported per
/// profile, so one of them does not hide every other check.
pub(super) fn check_config(ctx: &Context, r: &mut Report) -> Option<Config> {
    let path = ctx.paths.config.display().to_string();
    match ctx.config_allowing_plaintext() {
        Err(e) => {
            r.fail_with("config", None, &e, &crate::t!("ui-doctor-config-fix"));
            None
        }
        Ok(cfg) if !cfg.exists => {
            r.warn(
                "config",
                None,
                crate::t!("ui-doctor-config-missing", path = path.as_str()),
                crate::t!("ui-doctor-config-missing-fix"),
            );
            Some(cfg)
        }
        Ok(cfg) => {
            let n = cfg.profiles.len();
            r.ok(
                "config",
                None,
                crate::t!("ui-doctor-config-ok", path = path.as_str(), count = n),
            );
            Some(cfg)
        }
    }
}
