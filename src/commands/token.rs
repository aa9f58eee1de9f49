//! `broker token [PROFILE] [--min-ttl DUR] [--json]`: a valid access token on stdout, and
//! nothing else. On a warm cache this reads the config and one state file: no network, no
//! async runtime.

use serde_json::json;

use crate::cli::TokenArgs;
use crate::commands::Context;
use crate::error::Result;
use crate::rotate::{self, Policy};
use crate::ui;

pub fn run(ctx: &Context, args: TokenArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    let store = ctx.store(&cfg);
    let policy = Policy {
        min_ttl: args.min_ttl.unwrap_or(profile.refresh_before).0,
        force: false,
        timeout: cfg.settings.timeout.0,
    };
    let outcome = rotate::ensure(&store, store.vault(), profile, policy)?;
    let state = outcome.state();
    if args.json {
        let value = json!({
            "profile": name.as_str(),
            "grant": profile.grant.as_str(),
            "access_token": state.access_token.expose(),
            "expires_at": state.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "scope": state.scope,
        });
        ui::print(format!("{value}\n"));
    } else {
        ui::print(format!("{}\n", state.access_token.expose()));
    }
    Ok(())
}
