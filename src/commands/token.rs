//! `broker token [PROFILE] [--min-ttl DUR] [--json]`: a valid access token on stdout, and
//! nothing else. On a warm cache this reads the config and one state file: no network, no
//! async runtime, and no hook code runs. When this process rotated, the token is printed
//! first and the sinks and hooks run after; a failed hook only warns (exit 0).

use std::io::Write;

use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::TokenArgs;
use crate::commands::Context;
use crate::error::{Error, Result};
use crate::hooks;
use crate::rotate::{self, Policy};

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
    let outcome = match rotate::ensure_observed(&store, store.vault(), profile, policy) {
        Ok(outcome) => outcome,
        Err(failed) => {
            hooks::after_failure(&cfg, &store, profile, &failed);
            return Err(failed.error);
        }
    };
    let state = outcome.state();
    // A token learnt only now to be too short-lived for `--min-ttl` is saved, not printed; the
    // sinks and hooks still follow the rotation.
    if let Err(e) = rotate::check_promise(name.as_str(), state, &policy) {
        hooks::after_outcome(&cfg, &store, profile, &outcome);
        return Err(e);
    }
    let data = if args.json {
        let value = json!({
            "profile": name.as_str(),
            "grant": profile.grant.as_str(),
            "access_token": state.access_token.expose(),
            "expires_at": state.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "scope": state.scope,
        });
        Zeroizing::new(format!("{value}\n"))
    } else {
        Zeroizing::new(format!("{}\n", state.access_token.expose()))
    };
    let printed = {
        let mut out = std::io::stdout().lock();
        out.write_all(data.as_bytes()).and_then(|()| out.flush())
    };
    // After the token is out, so a reader of stdout need not wait for the hooks; and even
    // when the reader is gone, because the rotation happened and the sinks must follow it.
    hooks::after_outcome(&cfg, &store, profile, &outcome);
    match printed {
        Ok(()) => Ok(()),
        // `broker token | head -c1`: a closed pipe ends the program quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::internal(format!("cannot write to stdout: {e}"))),
    }
}
