//! `broker exec [PROFILE] [--force] [-- CMD [ARGS…]]`: run CMD (without one: `$SHELL`, else
//! /bin/sh) with the profile's variables set and the stale ones of any earlier profile
//! removed; SIGINT, SIGTERM and SIGHUP sent to broker reach CMD, and broker exits with CMD's
//! code (128 + the signal when a signal ended it). stdin, stdout, stderr and the terminal stay
//! CMD's.
//! The variables profiles read their SecretKey from (`secret_key_env`) are removed, unless the
//! profile's `[env]` asks for `{secret_key}` (then its own one stays: the SecretKey is CMD's by
//! the config's choice).

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;

use crate::cli::ExecArgs;
use crate::commands::Context;
use crate::commands::env::exports;
use crate::config::SecretSource;
use crate::env_vars;
use crate::error::{Error, InternalError, Result, UsageError, sanitize};
use crate::shell;
use crate::shell::template::Placeholder;
use crate::ui;

/// `BROKER_*` variables that say where broker's files are and how it behaves, kept for a
/// broker run by CMD. Every other `BROKER_*` (a previous profile's bookkeeping, the identity
/// itself, its passphrase or key command) and every `BAIDU_*` is removed.
const KEPT: [&str; 5] = [
    env_vars::BROKER_CONFIG,
    env_vars::BROKER_STATE_DIR,
    env_vars::BROKER_TIMEOUT,
    env_vars::BROKER_REFRESH_BEFORE,
    env_vars::BROKER_AGE_KEY_FILE,
];

pub(crate) fn run(ctx: &Context, args: ExecArgs) -> Result<()> {
    // The aws-vault guard: a nested exec would silently mix two profiles' variables.
    if let Ok(outer) = std::env::var(env_vars::BROKER_EXEC)
        && !outer.is_empty()
        && !args.force
    {
        return Err(UsageError::NestedExec {
            profile: sanitize(&outer),
        }
        .into());
    }
    let cfg = ctx.config()?;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let exports = exports(ctx, &cfg, &name)?;
    // The SecretKey reaches CMD only where the profile's `[env]` asks for `{secret_key}`.
    let asks_secret = shell::templates(cfg.profile(&name)?, &cfg.paths.config)?
        .iter()
        .any(|(_, t)| t.uses(Placeholder::SecretKey));
    let own_secret_var = match &cfg.profile(&name)?.secret {
        SecretSource::Env(var) if asks_secret => Some(var.as_str()),
        _ => None,
    };

    let shell_program;
    let (program, rest) = match args.command.split_first() {
        Some((program, rest)) => (program, rest),
        // No command: a shell with the variables, as aws-vault does; BROKER_PROFILE and
        // BROKER_EXEC in it show the profile, and a nested `broker exec` is refused there.
        None => {
            shell_program = user_shell();
            ui::say(crate::t!(
                "ui-exec-shell",
                shell = sanitize(&shell_program.to_string_lossy()),
                profile = name.as_str()
            ));
            (&shell_program, &[][..])
        }
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    let exported = shell::exported_names();
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| is_stale(k, &exported)) {
            cmd.env_remove(&key);
        }
    }
    for var in cfg.secret_key_vars() {
        if Some(var) != own_secret_var {
            cmd.env_remove(var);
        }
    }
    for v in &exports.vars {
        cmd.env(&v.name, v.value());
    }
    cmd.env(env_vars::BROKER_EXEC, name.as_str());
    // A `--config` flag reaches a broker that CMD runs, as the same config.
    if let Some(config) = &ctx.global.config {
        let absolute = std::path::absolute(config).unwrap_or_else(|_| config.clone());
        cmd.env(env_vars::BROKER_CONFIG, absolute);
    }

    // The token's copies here are no longer needed once CMD has them.
    drop(exports);
    ui::debug(1, format!("running a command with profile `{name}`"));
    supervise(cmd, program)
}

/// Runs `cmd` (`program` names it in errors) to its end: SIGINT, SIGTERM and SIGHUP sent to
/// broker alone reach it, and its exit code (128 + the signal when a signal ended it) becomes
/// broker's. Shared by `exec` and `run`.
pub(crate) fn supervise(mut cmd: Command, program: &OsString) -> Result<()> {
    // A hook run above may have installed broker's own watcher (which ends broker on a signal
    // when no hook runs): from here on, signals are CMD's business.
    crate::process::hand_over_signals();
    // Handlers are installed before the child exists, so a signal can never end broker and
    // leave CMD running unseen. The child starts with default dispositions (exec resets them).
    let mut signals = SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM, SIGHUP]).map_err(|e| {
        Error::from(InternalError::CannotWatchSignals {
            reason: e.to_string(),
        })
    })?;
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => return Err(not_started(program, &e)),
    };
    // The token's copies here are no longer needed while CMD runs.
    drop(cmd);
    let pid = i32::try_from(child.id())
        .map(Pid::from_raw)
        .map_err(|_| Error::from(InternalError::PidOutOfRange))?;
    let handle = signals.handle();
    let forwarder = std::thread::spawn(move || {
        for origin in signals.forever() {
            // The terminal's ^C, ^\ or hangup went to the whole foreground process group, CMD
            // included: sending it again would make CMD see two. A signal sent to broker alone
            // (kill, a supervisor, a CI runner's cancel) is passed on.
            if origin.cause == Cause::Kernel {
                continue;
            }
            if let Ok(sig) = Signal::try_from(origin.signal) {
                let _ = kill(pid, sig);
            }
        }
    });
    let status = child.wait().map_err(|e| {
        Error::from(InternalError::CannotWaitForCommand {
            reason: e.to_string(),
        })
    });
    // From here on the pid may be reused: stop forwarding before anything else.
    handle.close();
    let _ = forwarder.join();
    let status = status?;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    };
    // The exit code is CMD's, as a shell's is.
    match u8::try_from(code) {
        Ok(0) => Ok(()),
        Ok(code) => Err(Error::exit_with(code)),
        Err(_) => Err(Error::exit_with(1)),
    }
}

/// The person's shell: `$SHELL`, else /bin/sh.
fn user_shell() -> OsString {
    std::env::var_os(env_vars::SHELL)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| OsString::from("/bin/sh"))
}

/// A variable CMD must not inherit: any `BAIDU_*`, the STS `BCE_*` credentials (another
/// profile's), any `BROKER_*` but [`KEPT`], and the
/// extra names the last export listed in `BROKER_EXPORTED`.
fn is_stale(name: &str, exported: &[String]) -> bool {
    name.starts_with(env_vars::BAIDU_PREFIX)
        || (name.starts_with(env_vars::BROKER_PREFIX) && !KEPT.contains(&name))
        || shell::STS_NAMES.contains(&name)
        || exported.iter().any(|n| n == name)
}

/// CMD could not be started: why, in one line, with the exit code a shell would give (127 not
/// found, 126 not executable).
fn not_started(program: &OsString, e: &std::io::Error) -> Error {
    let (code, cause) = match e.kind() {
        std::io::ErrorKind::NotFound => (127, "not-found"),
        std::io::ErrorKind::PermissionDenied => (126, "not-executable"),
        _ => (126, "other"),
    };
    Error::from(InternalError::CannotRun {
        command: sanitize(&program.to_string_lossy()),
        cause,
        reason: crate::error::internal::io_reason(e),
    })
    .with_exit_code(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_variables() {
        let exported = vec!["PAN_TOKEN".to_owned()];
        for (name, stale) in [
            ("BAIDU_ACCESS_TOKEN", true),
            ("BAIDU_ANYTHING", true),
            ("BROKER_PROFILE", true),
            ("BROKER_STAMP", true),
            ("BROKER_AGE_KEY", true),
            ("BROKER_AGE_PASSPHRASE", true),
            ("BROKER_EXEC", true),
            ("PAN_TOKEN", true),
            ("BROKER_CONFIG", false),
            ("BROKER_STATE_DIR", false),
            ("PATH", false),
            ("HOME", false),
        ] {
            assert_eq!(is_stale(name, &exported), stale, "{name}");
        }
    }
}
