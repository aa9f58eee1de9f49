//! `broker token [PROFILE] [--min-ttl DUR] [--json]`: a valid access token on stdout, and
//! nothing else. On a warm cache this reads the config and one state file: no network, no
//! async runtime, and no hook code runs. When this process rotated, the token is printed
//! first and the sinks and hooks run after; a failed hook only warns (exit 0).

use crate::cli::TokenArgs;
use crate::commands::Context;
use crate::error::Result;
use crate::rotate::Policy;
use crate::service::TokenFormat;

pub(crate) fn run(ctx: &Context, args: TokenArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    let store = ctx.store(&cfg);
    let policy = Policy {
        min_ttl: args.min_ttl.unwrap_or(profile.refresh_before).0,
        explicit: args.min_ttl.is_some(),
        force: false,
        timeout: cfg.settings.timeout.0,
    };
    let format = if args.json {
        TokenFormat::Json
    } else {
        TokenFormat::Plain
    };
    ctx.service(&cfg, &store)
        .token(profile, policy, format, &mut std::io::stdout().lock())
}
