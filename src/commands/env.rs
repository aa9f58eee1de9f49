//! `broker env [PROFILE] [--format F] [--unset]`: a profile's variables (SPEC §6), quoted for
//! a shell, a `.env` file, JSON or GitHub Actions. Also what `use`, `exec` and the prompt hook
//! share: a profile's exports, and the script that switches a shell from one profile to another.

use std::io::Write;
use std::path::Path;

use zeroize::Zeroizing;

use crate::agent::protocol::Options;
use crate::cli::EnvArgs;
use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, Result, UsageError};
use crate::export::{self, Format};
use crate::profile::ProfileName;
use crate::rotate::{Outcome, Policy};
use crate::service::{OnHookFailure, TokenService};
use crate::shell::{self, Var};
use crate::store::{SealedStore, StateStore};
use crate::ui;

pub(crate) fn run(ctx: &Context, args: EnvArgs) -> Result<()> {
    let format = if args.json { Format::Json } else { args.format };
    if args.if_changed {
        return if_changed(ctx, format);
    }
    if args.unset {
        return unset(ctx, args.profile.as_deref(), format);
    }
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let exports = exports(ctx, &cfg, &name)?;
    match format {
        Format::Github => github(&exports.vars),
        f if f.is_shell() => {
            let mut vars = exports.vars;
            let extra = shell::bookkeeping(&vars, exports.stamp);
            vars.extend(extra);
            print_secret(&export::exports(f, &vars)?)
        }
        f => print_secret(&export::exports(f, &exports.vars)?),
    }
}

/// A profile's variables, and the stamp of the state they were computed from.
pub(crate) struct Exports {
    pub vars: Vec<Var>,
    pub stamp: String,
}

/// The variables of profile `name` for a valid token, rotating first when due (with the
/// profile's sinks and hooks, as `broker token` does): from the agent when one serves this
/// config, else by this process.
pub(crate) fn exports(ctx: &Context, cfg: &Config, name: &ProfileName) -> Result<Exports> {
    let profile = cfg.profile(name)?;
    // A bad template is a config error: say so before any network traffic.
    shell::templates(profile, &cfg.paths.config)?;
    if let Some(answer) = ctx.ask_agent(cfg, "env", name, Options::default()) {
        return from_agent(&answer?);
    }
    let store = ctx.store(cfg);
    exports_in(cfg, &store, &ctx.service(cfg, &store), name)
}

/// The exports the agent answered (`env` verb).
fn from_agent(answer: &serde_json::Value) -> Result<Exports> {
    let bad = || {
        Error::from(crate::error::InternalError::AgentAnswer {
            reason: "no vars".into(),
        })
    };
    let vars = answer["vars"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| {
            Var::new(
                v["name"].as_str().unwrap_or_default(),
                v["value"].as_str().unwrap_or_default().to_owned(),
                v["secret"].as_bool().unwrap_or(true),
            )
        })
        .collect();
    Ok(Exports {
        vars,
        stamp: answer["stamp"].as_str().ok_or_else(bad)?.to_owned(),
    })
}

/// [`exports`] by this process (or the agent, which serves `env` with it).
pub(crate) fn exports_in(
    cfg: &Config,
    store: &SealedStore,
    service: &TokenService<'_>,
    name: &ProfileName,
) -> Result<Exports> {
    let profile = cfg.profile(name)?;
    shell::templates(profile, &cfg.paths.config)?;
    // Taken before the state is read: if another process saves in between, the stamp is
    // older than the token and the prompt hook re-exports once, instead of never.
    let before = shell::fingerprint(store.version(name));
    let policy = Policy {
        min_ttl: profile.refresh_before.0,
        explicit: false,
        force: false,
        timeout: cfg.settings.timeout.0,
        rejected: None,
    };
    let outcome = service.serve(profile, policy, OnHookFailure::Warn, |_| Ok(()))?;
    let fingerprint = match outcome {
        Outcome::Rotated { .. } => shell::fingerprint(store.version(name)),
        Outcome::Cached(_) | Outcome::RotatedElsewhere(_) => before,
    };
    let state = outcome.into_state();
    let vars = shell::variables(profile, &state, &cfg.paths.config, || {
        crate::grant::secret_key(profile, store.vault())
    })?;
    Ok(Exports {
        stamp: shell::stamp(name.as_str(), state.generation, &fingerprint),
        vars,
    })
}

/// The script that switches a shell to `exports`: clear what the last export set (the names
/// in `BROKER_EXPORTED`) and is not set again, then export the new variables and bookkeeping.
pub(crate) fn switch_script(format: Format, exports: Exports) -> Result<Zeroizing<String>> {
    let mut vars = exports.vars;
    let extra = shell::bookkeeping(&vars, exports.stamp);
    vars.extend(extra);
    let stale: Vec<String> = shell::exported_names()
        .into_iter()
        .filter(|n| !vars.iter().any(|v| v.name == *n))
        .collect();
    let mut out = Zeroizing::new(export::unset(format, &stale)?);
    out.push_str(&export::exports(format, &vars)?);
    Ok(out)
}

/// `--unset`: the defaults, the bookkeeping, the names in `BROKER_EXPORTED`, and the `[env]`
/// names of PROFILE when one is given. Needs no config unless a profile is named.
fn unset(ctx: &Context, positional: Option<&str>, format: Format) -> Result<()> {
    let mut names: Vec<String> = shell::DEFAULT_NAMES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    names.extend([
        crate::env_vars::BROKER_EXPORTED.to_owned(),
        crate::env_vars::BROKER_STAMP.to_owned(),
    ]);
    names.extend(shell::exported_names());
    if positional.is_some() || ctx.global.profile.is_some() {
        let cfg = ctx.config()?;
        let (name, _) = ctx.select(&cfg, positional)?;
        names.extend(shell::names(cfg.profile(&name)?));
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    ui::print(export::unset(format, &names)?)?;
    Ok(())
}

/// The prompt hook: print nothing unless the state file of the exported profile changed since
/// the stamp; then re-export what is stored. One `stat` in the common case; never a rotation,
/// never the network.
fn if_changed(ctx: &Context, format: Format) -> Result<()> {
    if !format.is_shell() {
        return Err(UsageError::IfChangedNeedsShell.into());
    }
    let (Ok(profile), Ok(stamp)) = (
        std::env::var(crate::env_vars::BROKER_PROFILE),
        std::env::var(crate::env_vars::BROKER_STAMP),
    ) else {
        return Ok(());
    };
    let name = ProfileName::parse(&profile)?;
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    let fingerprint = shell::fingerprint(store.version(&name));
    if shell::stamp_matches(&stamp, name.as_str(), &fingerprint) {
        return Ok(());
    }
    let profile = cfg.profile(&name)?;
    let Some(state) = store.load(&name)? else {
        return Ok(());
    };
    let vars = shell::variables(profile, &state, &cfg.paths.config, || {
        crate::grant::secret_key(profile, store.vault())
    })?;
    let exports = Exports {
        stamp: shell::stamp(name.as_str(), state.generation, &fingerprint),
        vars,
    };
    print_secret(&switch_script(format, exports)?)
}

/// `--format github`: masks on stdout, the variables appended to `$GITHUB_ENV`.
fn github(vars: &[Var]) -> Result<()> {
    let Some(path) = std::env::var_os(crate::env_vars::GITHUB_ENV).filter(|p| !p.is_empty()) else {
        return Err(UsageError::GithubEnvNotSet.into());
    };
    let out = export::github(vars)?;
    // The masks first: once a value is in the environment file, later steps may print it.
    ui::print(&out.stdout)?;
    append(Path::new(&path), &out.env_file)?;
    ui::say(crate::t!("ui-env-github", count = vars.len()));
    Ok(())
}

/// Appends to the runner's file (it already exists and other steps append to it too, so this
/// is an append, not an atomic replace).
fn append(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(crate::error::IoOp::Open, path, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(crate::error::IoOp::AppendTo, path, e))
}

/// Prints data that holds secrets without copying it into an unzeroised buffer.
fn print_secret(text: &str) -> Result<()> {
    ui::print(text)?;
    Ok(())
}
