//! Running one hook: its command in its own process group (through [`crate::process`]), the
//! facts on stdin and in its environment, its output copied line by line, capped and escaped.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{
    DEFAULT_TIMEOUT, Environment, Facts, IN_HOOKS_OF, MAX_LINE, MAX_OUTPUT, Named, event_name,
};
use crate::config::Run;
use crate::env_vars;
use crate::error::sanitize;
use crate::hooks::error::{HookError, HookRun};
use crate::process::{self, Ended};
use crate::store::state::{HookResult, Told};
use crate::ui::Messages;

/// Runs one hook to its end (or its timeout) and says how it went.
pub(super) fn run_hook(
    out: &Arc<dyn Messages>,
    named: &Named,
    env: &Environment,
    facts: &Facts,
) -> HookResult {
    let hook = named.hook;
    let at = Utc::now();
    let timeout = hook.timeout.map_or(DEFAULT_TIMEOUT, |t| t.0);
    let (ok, run) = match spawn(out, named, env, facts) {
        Ok(running) => running.finish(out.as_ref(), timeout),
        Err(why) => (false, why),
    };
    HookResult {
        name: named.name.clone(),
        event: event_name(facts.event).to_owned(),
        at,
        ok,
        status: ran(run),
    }
}

/// How a run ended, as the state keeps it.
pub(crate) fn ran(run: HookRun) -> Told {
    Told::error(&HookError::Ran { run }.into())
}

/// A started hook: the child, and the threads feeding its stdin and copying its output.
struct Running {
    group: process::Group,
    /// One message per output thread when its pipe reached end of file.
    drained: mpsc::Receiver<()>,
    readers: usize,
}

fn spawn(
    out: &Arc<dyn Messages>,
    named: &Named,
    env: &Environment,
    facts: &Facts,
) -> std::result::Result<Running, HookRun> {
    let hook = named.hook;
    let cwd = match &hook.cwd {
        Some(dir) => env.resolve(dir),
        None => env.base_dir.clone(),
    };
    if !cwd.is_dir() {
        return Err(HookRun::NoFolder {
            folder: sanitize(&cwd.display().to_string()),
        });
    }
    let mut cmd = match &hook.run {
        Run::Argv(argv) => {
            let Some((program, args)) = argv.split_first() else {
                return Err(HookRun::EmptyCommand);
            };
            // `./push.sh` means the one beside the config (or in `cwd`), not wherever broker
            // happens to run; a bare name is looked up in PATH.
            let program = if program.contains('/') {
                cwd.join(program)
            } else {
                PathBuf::from(program)
            };
            let mut c = Command::new(program);
            c.args(args);
            c
        }
        Run::Shell(script) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(script);
            c
        }
    };
    for var in &env.withheld {
        cmd.env_remove(var);
    }
    cmd.env(env_vars::BROKER_CONFIG, &env.config)
        .env(env_vars::BROKER_STATE_DIR, &env.state_dir);
    for (k, v) in &hook.env {
        if !crate::config::is_env_name(k) {
            return Err(HookRun::BadEnvName { name: sanitize(k) });
        }
        cmd.env(k, v);
    }
    // The facts last: a hook's own `env` cannot make them lie.
    for (k, v) in facts.env(&named.name) {
        cmd.env(k, v);
    }
    let mut nested = std::env::var(IN_HOOKS_OF).unwrap_or_default();
    if !nested.split(',').any(|p| p == facts.profile.as_str()) {
        if !nested.is_empty() {
            nested.push(',');
        }
        nested.push_str(facts.profile.as_str());
    }
    cmd.env(IN_HOOKS_OF, nested);
    cmd.current_dir(&cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so the timeout (or a signal to broker) ends it with everything
    // it started.
    let mut group = process::spawn(&mut cmd).map_err(|e| spawn_error(&hook.run, &e))?;
    let child = group.child();

    if let Some(mut stdin) = child.stdin.take() {
        let json = facts.to_json(&named.name);
        // A thread, because a hook that never reads stdin must not block broker on a full pipe;
        // a hook that exits without reading makes the write fail, which is fine.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&json);
        });
    }
    let (tx, drained) = mpsc::channel();
    let budget = Arc::new(Budget::default());
    let prefix: Arc<str> = Arc::from(format!("[hook {}]", named.name));
    let mut readers = 0;
    let stdout = child
        .stdout
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let stderr = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    for pipe in [stdout, stderr].into_iter().flatten() {
        let (tx, budget, prefix, out) = (tx.clone(), budget.clone(), prefix.clone(), out.clone());
        readers += 1;
        std::thread::spawn(move || {
            forward(out.as_ref(), pipe, &prefix, &budget);
            let _ = tx.send(());
        });
    }
    Ok(Running {
        group,
        drained,
        readers,
    })
}

fn spawn_error(run: &Run, e: &io::Error) -> HookRun {
    let program = match run {
        Run::Argv(argv) => argv.first().map(String::as_str).unwrap_or(""),
        Run::Shell(_) => "sh",
    };
    let program = sanitize(program);
    match e.kind() {
        io::ErrorKind::NotFound => HookRun::NotFound { program },
        io::ErrorKind::PermissionDenied => HookRun::NotExecutable { program },
        _ => HookRun::CannotRun {
            program,
            reason: sanitize(&e.to_string().to_lowercase()),
        },
    }
}

impl Running {
    /// Waits for the hook, ending its process group at the timeout (see [`process`]). Returns
    /// whether it succeeded and how it ended.
    fn finish(mut self, out: &dyn Messages, timeout: Duration) -> (bool, HookRun) {
        let status = match self.group.wait(timeout) {
            Ok(Ended::Exited(status)) => Ok(status),
            Ok(Ended::TimedOut) => Err(HookRun::TimedOut {
                after: crate::duration::format(timeout),
            }),
            Err(e) => Err(HookRun::CannotWait {
                reason: e.to_string(),
            }),
        };
        // Let the output threads copy what is left, but not forever (see DRAIN).
        let drain_until = Instant::now() + process::DRAIN;
        for _ in 0..self.readers {
            let left = drain_until.saturating_duration_since(Instant::now());
            if self.drained.recv_timeout(left).is_err() {
                out.debug(
                    1,
                    "a hook left a process running that holds its output; the rest is not shown"
                        .into(),
                );
                break;
            }
        }
        match status {
            Ok(s) => (s.success(), exited(s)),
            Err(why) => (false, why),
        }
    }
}

/// How an ended process ended: `exit 3`, `killed by SIGTERM`.
pub(crate) fn exited(status: std::process::ExitStatus) -> HookRun {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(exit_code), _) => HookRun::Exit { exit_code },
        (None, Some(number)) => match nix::sys::signal::Signal::try_from(number) {
            Ok(s) => HookRun::Killed {
                signal: s.as_str().to_owned(),
            },
            Err(_) => HookRun::KilledByNumber { number },
        },
        (None, None) => HookRun::Ended,
    }
}

/// The output a hook may still copy to broker's stderr.
#[derive(Default)]
struct Budget {
    used: AtomicUsize,
    told: AtomicBool,
}

impl Budget {
    /// Takes `n` bytes from the budget; false once it is spent (and says so once).
    fn take(&self, out: &dyn Messages, n: usize, prefix: &str) -> bool {
        let before = self.used.fetch_add(n, Ordering::Relaxed);
        if before + n <= MAX_OUTPUT {
            return true;
        }
        if !self.told.swap(true, Ordering::Relaxed) {
            out.say(format!(
                "{prefix} {}",
                crate::t!("ui-hooks-output-capped", kib = MAX_OUTPUT / 1024)
            ));
        }
        false
    }
}

/// Copies a pipe to stderr line by line, each line prefixed, control characters (and bidi
/// overrides, isolates and zero-width characters) escaped, long
/// lines cut, and everything past the budget dropped; reads to the end either way, so the hook
/// never blocks on a full pipe.
fn forward(out: &dyn Messages, mut pipe: Box<dyn Read + Send>, prefix: &str, budget: &Budget) {
    let mut buf = [0u8; 8192];
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    let emit = |line: &[u8], cut: bool| {
        if budget.take(out, line.len() + 1, prefix) {
            let text = String::from_utf8_lossy(line);
            let mut shown: String = text
                .chars()
                .flat_map(|c| {
                    // The same characters as server text: controls, and the invisible
                    // ones (bidi overrides, isolates) that make a line read differently.
                    if crate::error::is_unsafe_to_echo(c) && c != '\t' {
                        c.escape_default().collect::<Vec<_>>()
                    } else {
                        vec![c]
                    }
                })
                .collect();
            if cut {
                shown.push('…');
            }
            out.say(format!("{prefix} {shown}"));
        }
    };
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                emit(&line, cut);
                line.clear();
                cut = false;
            } else if line.len() < MAX_LINE {
                line.push(b);
            } else {
                cut = true;
            }
        }
    }
    if !line.is_empty() {
        emit(&line, cut);
    }
}
