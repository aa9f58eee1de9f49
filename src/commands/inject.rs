//! `broker inject [-i FILE] [-o FILE]`: a template (stdin by default) with each
//! `{{ broker://PROFILE/FIELD }}` replaced by that value, to stdout or to a file written
//! atomically with mode 0600. Every reference is checked, and every token obtained (through
//! the token service: rotated when due, with the profile's sinks and hooks, as `broker token`
//! does), before a byte is written: a bad reference leaves no file, and an old one unchanged.
//! Also the resolver `broker run` shares.

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::cli::InjectArgs;
use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, InternalError, IoOp, Kind, Result, sanitize};
use crate::export::reference::{Piece, Reference, parse_template};
use crate::process::{self, Ended};
use crate::profile::ProfileName;
use crate::rotate::Policy;
use crate::service::OnHookFailure;
use crate::store::{StateStore, TokenState};
use crate::ui;

/// How often `--watch` looks at the versions of the states it rendered from: one `stat` each
/// with the file store.
const POLL: Duration = Duration::from_secs(1);

/// How long `--watch` waits before trying again when Baidu could not be reached.
const RETRY: Duration = Duration::from_secs(10);

/// How long the `--exec` command may run for one render.
const EXEC_TIMEOUT: Duration = Duration::from_secs(300);

pub(crate) fn run(ctx: &Context, args: InjectArgs) -> Result<()> {
    let template = read_template(args.input.as_deref())?;
    let cfg = ctx.config()?;
    if let (Some(path), true) = (&args.output, args.watch) {
        return watch(ctx, &cfg, &template, path, args.exec.as_deref());
    }
    let rendered = render(ctx, &cfg, &template)?;
    match &args.output {
        Some(path) => crate::store::atomic::write(path, rendered.text.as_bytes(), 0o600),
        None => ui::print(rendered.text.as_str()),
    }
}

/// `--watch`: render and write, then render again whenever a state it came from changes (another
/// process rotated or logged in) or its earliest token falls due (this process rotates it,
/// with the sinks and hooks), writing and running `exec` only when the text changed. Like
/// Vault Agent's templates. An unreachable Baidu is retried; any other error ends the watch
/// with its exit code.
fn watch(
    ctx: &Context,
    cfg: &Config,
    template: &str,
    path: &Path,
    exec: Option<&str>,
) -> Result<()> {
    let mut names: Vec<ProfileName> = Vec::new();
    for piece in parse_template(template)? {
        if let Piece::Reference(r) = piece
            && !names.contains(&r.profile)
        {
            names.push(r.profile);
        }
    }
    let store = ctx.store(cfg);
    let versions = || names.iter().map(|n| store.version(n)).collect::<Vec<_>>();
    let shown = sanitize(&path.to_string_lossy());
    // Taken before rendering: a rotation meanwhile is seen at the first poll.
    let mut seen = versions();
    let first = render(ctx, cfg, template)?;
    crate::store::atomic::write(path, first.text.as_bytes(), 0o600)?;
    run_exec(cfg, exec, &shown)?;
    let mut last = first.text;
    let mut due = first.due;
    ui::say(crate::t!(
        "ui-inject-watching",
        path = shown.as_str(),
        profiles = names.len()
    ));
    loop {
        std::thread::sleep(POLL);
        let now = versions();
        if now == seen && due.is_none_or(|d| Utc::now() < d) {
            continue;
        }
        // Taken before rendering: a rotation meanwhile is seen at the next poll.
        seen = now;
        match render(ctx, cfg, template) {
            Ok(r) => {
                due = r.due;
                if r.text != last {
                    crate::store::atomic::write(path, r.text.as_bytes(), 0o600)?;
                    ui::debug(1, format!("rendered `{shown}` again"));
                    run_exec(cfg, exec, &shown)?;
                    last = r.text;
                }
            }
            Err(e) if e.kind() == Kind::Network => {
                ui::warn(crate::t!(
                    "ui-inject-retry",
                    path = shown.as_str(),
                    error = e.message(),
                    seconds = RETRY.as_secs()
                ));
                due = Some(Utc::now() + RETRY);
            }
            Err(e) => return Err(e),
        }
    }
}

/// `--exec CMD` after a render, in its own process group with a time limit; a failure is
/// reported and the watch goes on. It never inherits what unlocks the secret store, nor a
/// SecretKey (as a hook).
fn run_exec(cfg: &Config, exec: Option<&str>, shown_path: &str) -> Result<()> {
    let Some(command) = exec else {
        return Ok(());
    };
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(command);
    for var in crate::hooks::WITHHELD
        .iter()
        .copied()
        .chain(cfg.secret_key_vars())
    {
        cmd.env_remove(var);
    }
    let shown = sanitize(command);
    match process::spawn(&mut cmd).and_then(|mut g| g.wait(EXEC_TIMEOUT)) {
        Ok(Ended::Exited(s)) if s.success() => {}
        Ok(Ended::Exited(s)) => ui::warn(crate::t!(
            "ui-inject-exec-failed",
            command = shown.as_str(),
            path = shown_path,
            how = process::describe(s)
        )),
        Ok(Ended::TimedOut) => ui::warn(crate::t!(
            "ui-inject-exec-timed-out",
            command = shown.as_str(),
            path = shown_path,
            seconds = EXEC_TIMEOUT.as_secs()
        )),
        Err(e) => {
            return Err(InternalError::CannotRun {
                command: shown,
                cause: "other",
                reason: crate::error::internal::io_reason(&e),
            }
            .into());
        }
    }
    // A signal that ended the command ends the watch too (128 + the signal).
    match process::interrupted() {
        Some(code) => Err(Error::exit_with(code)),
        None => Ok(()),
    }
}

/// The template: FILE, or stdin.
fn read_template(input: Option<&Path>) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    match input {
        Some(path) => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| Error::io(IoOp::Read, path, e))?,
        None => std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io(IoOp::Read, Path::new("-"), e))?,
    };
    Ok(text)
}

/// A rendered template, and when the first token it holds falls due for rotation.
struct Rendered {
    text: Zeroizing<String>,
    due: Option<DateTime<Utc>>,
}

/// `template` with its references replaced.
fn render(ctx: &Context, cfg: &Config, template: &str) -> Result<Rendered> {
    let pieces = parse_template(template)?;
    let refs: Vec<&Reference> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Reference(r) => Some(r),
            Piece::Text(_) => None,
        })
        .collect();
    let Resolved { values, due } = resolve(ctx, cfg, &refs)?;
    let mut out = Zeroizing::new(String::with_capacity(template.len()));
    let mut values = values.iter();
    for piece in &pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Reference(_) => out.push_str(values.next().map_or("", |v| v.as_str())),
        }
    }
    Ok(Rendered { text: out, due })
}

/// The values of references, and when the first of their tokens falls due (`None`: none
/// expires).
pub(crate) struct Resolved {
    pub values: Vec<Zeroizing<String>>,
    pub due: Option<DateTime<Utc>>,
}

/// The value of each reference, in order. All are checked (profile known, field of its grant)
/// before any token is asked for; each profile's token is then obtained once.
pub(crate) fn resolve(ctx: &Context, cfg: &Config, refs: &[&Reference]) -> Result<Resolved> {
    for r in refs {
        r.check(cfg.profile(&r.profile)?)?;
    }
    if refs.is_empty() {
        return Ok(Resolved {
            values: Vec::new(),
            due: None,
        });
    }
    let store = ctx.store(cfg);
    let service = ctx.service(cfg, &store);
    let mut states: Vec<(&ProfileName, TokenState)> = Vec::new();
    let mut values = Vec::with_capacity(refs.len());
    let mut due = None;
    for r in refs {
        let profile = cfg.profile(&r.profile)?;
        let i = match states.iter().position(|(n, _)| *n == &r.profile) {
            Some(i) => i,
            None => {
                let policy = Policy {
                    min_ttl: profile.refresh_before.0,
                    explicit: false,
                    force: false,
                    timeout: cfg.settings.timeout.0,
                    rejected: None,
                };
                // Through a running agent, as `token` does; alone otherwise.
                let options = crate::agent::protocol::Options::default();
                let state = match ctx.ask_agent(cfg, "token", &r.profile, options) {
                    Some(answer) => crate::agent::client::token_state(&answer?)?,
                    None => service
                        .serve(profile, policy, OnHookFailure::Warn, |_| Ok(()))?
                        .into_state(),
                };
                if !profile.grant.static_key() {
                    let before = chrono::Duration::from_std(profile.refresh_before.0)
                        .unwrap_or(chrono::Duration::zero());
                    let at = state.expires_at - before;
                    due = Some(due.map_or(at, |d: DateTime<Utc>| d.min(at)));
                }
                states.push((&r.profile, state));
                states.len() - 1
            }
        };
        values.push(r.field.value(profile, &states[i].1));
    }
    Ok(Resolved { values, due })
}
