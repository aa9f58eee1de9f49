//! `broker login [PROFILE] [--device | --code CODE | --browser | --with-token] [--no-qr]`:
//! authorize a netdisk app (a new refresh-token lineage), fetch a first token for the other
//! grants, or import a token obtained elsewhere (stdin, never argv).

use std::time::Duration;

use crate::cli::LoginArgs;
use crate::commands::Context;
use crate::config::Profile;
use crate::error::{Error, Result, UsageError, sanitize};
use crate::grant::{self, Fresh, Login};
use crate::{hooks, ui};

pub(crate) fn run(ctx: &Context, args: LoginArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    if profile.grant.static_key() {
        ui::say(crate::t!("ui-nothing-to-rotate", profile = name.as_str()));
        return Ok(());
    }
    hooks::refuse_nested(&name, "log in to")?;
    let store = ctx.store(&cfg);
    // Before any code is spent: a login saved where this identity cannot read it is lost.
    store.vault().check_readable_here_unlocking()?;
    let timeout = cfg.settings.timeout.0;
    if args.with_token {
        // Parsed before anything is touched; no SecretKey is needed to store a token.
        let fresh = imported(profile, chrono::Utc::now())?;
        return finish(ctx, &cfg, &store, profile, fresh, timeout, Source::Imported);
    }
    let secret = grant::secret_key(profile, store.vault())?;
    if (args.device || args.code.is_some() || args.browser) && !profile.grant.needs_login() {
        return Err(UsageError::LoginFlagsNotApplicable {
            profile: name.to_string(),
            grant: profile.grant.as_str().to_owned(),
            grants: grant::names_where(|g| g.needs_login(), str::to_owned),
        }
        .into());
    }
    let flow = match (&args.code, args.browser) {
        (Some(code), _) => Login::Code(code.as_str()),
        (None, true) => Login::Browser,
        (None, false) => Login::Device { qr: !args.no_qr },
    };
    let fresh = profile
        .grant
        .login(profile, &secret, flow, timeout, &ui::Stderr)?;
    finish(ctx, &cfg, &store, profile, fresh, timeout, Source::Baidu)
}

/// Where the token of a login came from.
#[derive(PartialEq)]
enum Source {
    /// From Baidu, just now.
    Baidu,
    /// From stdin (`--with-token`): obtained elsewhere, at a time broker does not know.
    Imported,
}

/// Saves a new authorization as a new lineage and runs the `login` hooks and sinks.
#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Context,
    cfg: &crate::config::Config,
    store: &crate::store::SealedStore,
    profile: &Profile,
    fresh: Fresh,
    timeout: Duration,
    source: Source,
) -> Result<()> {
    let name = &profile.name;
    let imported = source == Source::Imported;
    ctx.service(cfg, store)
        .login(profile, fresh, imported, timeout, |state| {
            let left = crate::duration::relative(state.seconds_left(chrono::Utc::now()));
            ui::say(if imported {
                crate::t!("ui-login-imported", profile = name.as_str(), left = left)
            } else {
                crate::t!("ui-login-done", profile = name.as_str(), left = left)
            });
        })
}

/// The most `--with-token` reads from stdin: a token JSON is well under 1 KiB.
const MAX_IMPORT: u64 = 64 * 1024;

/// The token of `--with-token`: one JSON object on stdin, as Baidu's token endpoint answers
/// it (and as bypy keeps it). `expires_at` (RFC 3339 or Unix seconds) wins over
/// `expires_in`, which is counted from now. Other fields are ignored.
fn imported(profile: &Profile, now: chrono::DateTime<chrono::Utc>) -> Result<Fresh> {
    use std::io::{IsTerminal, Read};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(UsageError::TokenFromTerminal.into());
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    stdin
        .lock()
        .take(MAX_IMPORT)
        .read_to_string(&mut text)
        .map_err(|e| {
            Error::from(UsageError::CannotReadToken {
                reason: e.to_string(),
            })
        })?;
    let bad = |problem: &'static str| {
        Error::from(UsageError::BadImportedToken {
            problem,
            grant: profile.grant.as_str().to_owned(),
        })
    };
    // Into the secret types at once, so the tokens are zeroised when dropped.
    let body: Imported = serde_json::from_str(text.trim()).map_err(|_| bad("not-json"))?;
    let usable = |t: &str| grant::valid_token(t) && !t.chars().any(char::is_whitespace);
    // A token is never echoed: it is a secret, even when it is unusable.
    let access = match body.access_token {
        Some(t) if usable(t.expose()) => t,
        Some(_) => return Err(bad("unusable-access-token")),
        None => return Err(bad("no-access-token")),
    };
    // Baidu's AI answers carry a refresh token too, but grants that do not refresh fetch anew
    // with the SecretKey.
    let refresh = if profile.grant.refreshes() {
        match body.refresh_token {
            Some(t) if usable(t.expose()) => Some(t),
            Some(_) => return Err(bad("unusable-refresh-token")),
            None => return Err(bad("no-refresh-token")),
        }
    } else {
        None
    };
    let seconds = |v: &serde_json::Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    let expires_at = match (&body.expires_at, &body.expires_in) {
        (Some(at), _) => at
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
            .or_else(|| seconds(at).and_then(|s| chrono::DateTime::from_timestamp(s, 0)))
            .ok_or_else(|| bad("has an unusable `expires_at` (RFC 3339 or Unix seconds)"))?,
        (None, Some(within)) => seconds(within)
            .filter(|s| *s > 0)
            .and_then(chrono::TimeDelta::try_seconds)
            .map(|d| now + d)
            .ok_or_else(|| bad("has an unusable `expires_in` (seconds)"))?,
        (None, None) => {
            return Err(bad(
                "says nothing of when it expires (`expires_in` or `expires_at`)",
            ));
        }
    };
    if expires_at <= now && refresh.is_none() {
        return Err(bad(
            "has expired, and there is no refresh token to renew it",
        ));
    }
    Ok(Fresh {
        access_token: access,
        expires_at,
        refresh_token: refresh,
        scope: body.scope.map(|s| sanitize(&s)),
        sts: None,
    })
}

/// What `--with-token` reads; any other field is ignored.
#[derive(serde::Deserialize)]
struct Imported {
    access_token: Option<crate::secret::AccessToken>,
    refresh_token: Option<crate::secret::RefreshToken>,
    expires_in: Option<serde_json::Value>,
    expires_at: Option<serde_json::Value>,
    scope: Option<String>,
}
