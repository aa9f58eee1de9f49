//! `broker token [PROFILE] [--min-ttl DUR] [--json] [--rejected]`: a valid access token on
//! stdout, and nothing else. From the agent when one serves this config; otherwise, on a warm
//! cache this reads the config and one state file: no network, no async runtime, and no hook
//! code runs. When this process rotated, the token is printed first and the sinks and hooks
//! run after; a failed hook only warns (exit 0).

use std::io::{BufRead, IsTerminal, Read};

use zeroize::Zeroizing;

use crate::agent::client::token_state;
use crate::agent::protocol::Options;
use crate::cli::TokenArgs;
use crate::commands::Context;
use crate::error::Result;
use crate::rotate::Policy;
use crate::service::{TokenFormat, write_token};

pub(crate) fn run(ctx: &Context, args: TokenArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    let format = if args.json {
        TokenFormat::Json
    } else {
        TokenFormat::Plain
    };
    let stdout = &mut std::io::stdout().lock();
    let reported = if args.rejected {
        Some(reported_token())
    } else {
        None
    };
    let (verb, options) = match &reported {
        Some(token) => (
            "rejected",
            Options {
                token: token.as_ref().map(|t| t.to_string()),
                ..Options::default()
            },
        ),
        None => (
            "token",
            Options {
                min_ttl: args.min_ttl.map(|d| d.0.as_secs()),
                ..Options::default()
            },
        ),
    };
    if let Some(answer) = ctx.ask_agent(&cfg, verb, &name, options) {
        return write_token(profile, &token_state(&answer?)?, format, stdout);
    }
    let store = ctx.store(&cfg);
    let service = ctx.service(&cfg, &store);
    if let Some(token) = reported {
        let timeout = cfg.settings.timeout.0;
        return service
            .rejected(
                profile,
                token.as_deref().map(|t| t.as_str()),
                timeout,
                |o| write_token(profile, o.state(), format, stdout),
            )
            .map(drop);
    }
    let policy = Policy {
        min_ttl: args.min_ttl.unwrap_or(profile.refresh_before).0,
        explicit: args.min_ttl.is_some(),
        force: false,
        timeout: cfg.settings.timeout.0,
        rejected: None,
    };
    service.token(profile, policy, format, stdout)
}

/// The token the caller says Baidu refused: the first line of stdin (unless it is a terminal
/// or empty), else `BAIDU_ACCESS_TOKEN`, else `None` (the current token). Never from argv.
fn reported_token() -> Option<Zeroizing<String>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = Zeroizing::new(String::new());
        let _ = stdin.lock().take(64 * 1024).read_line(&mut line);
        let token = line.trim();
        if !token.is_empty() {
            return Some(Zeroizing::new(token.to_owned()));
        }
    }
    std::env::var(crate::env_vars::BAIDU_ACCESS_TOKEN)
        .ok()
        .filter(|t| !t.is_empty())
        .map(Zeroizing::new)
}
