//! `broker agent`: the socket, the connections, the verbs, the signals and the config reloads.
//! Each connection has its thread; every token it hands out comes from the one token service
//! (rotate → sinks → hooks), so what the agent serves is what `broker token` would print.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use age::x25519;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::client::token_data;
use super::protocol::{self, ANOTHER_CONFIG, MAX_LINE, Request};
use super::schedule::Schedule;
use crate::config::{Config, FlagSettings, Paths, Plaintext};
use crate::error::{Error, InternalError, Result, UsageError};
use crate::profile::ProfileName;
use crate::rotate::Policy;
use crate::service::{OnHookFailure, TokenService};
use crate::store::identity::IdentitySource;
use crate::store::{SealedStore, Vault};
use crate::ui::{self, Messages};

/// How often the main loop wakes: signals, `stop`, the config's mtime, rotations due.
const TICK: Duration = Duration::from_millis(200);
/// How often the config file's modification time is looked at.
const CONFIG_POLL: Duration = Duration::from_secs(1);

/// Whether the process at the other end of `stream` runs as this user (`SO_PEERCRED`).
pub(crate) fn same_user(stream: &UnixStream) -> bool {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    getsockopt(stream, PeerCredentials)
        .is_ok_and(|cred| cred.uid() == nix::unistd::geteuid().as_raw())
}

/// What one config file gives the agent: the config and the store over the unlocked identity.
struct Core {
    cfg: Config,
    store: SealedStore,
}

impl Core {
    /// The store over the identity unlocked at start (a config naming another identity needs a
    /// restart of the agent).
    fn new(cfg: Config, paths: &Paths, identities: &[x25519::Identity]) -> Core {
        let source = IdentitySource::from_env(cfg.identity.clone(), paths.default_identity.clone());
        let vault = Vault::with_identities(cfg.recipients.clone(), source, identities.to_vec());
        // The agent serves many loads of the same states: each is decrypted once per write.
        let store = cfg.open_store(vault).keeping_decrypted();
        Core { cfg, store }
    }
}

struct Agent {
    paths: Paths,
    flags: FlagSettings,
    /// The config file, canonical, for telling a client with another one to work alone.
    config: PathBuf,
    identities: Vec<x25519::Identity>,
    core: RwLock<Arc<Core>>,
    stop: AtomicBool,
    schedule: Mutex<Schedule>,
    out: Arc<dyn Messages>,
}

/// `broker agent [--socket PATH]`, in the foreground until SIGTERM, SIGINT or `agent stop`.
pub fn run(paths: Paths, flags: FlagSettings, socket: &Path) -> Result<()> {
    let cfg = Config::load(paths.clone(), &flags, Plaintext::Refuse)?;
    let source = IdentitySource::from_env(cfg.identity.clone(), paths.default_identity.clone());
    // Once, now: a passphrase is asked here (or read from BROKER_AGE_PASSPHRASE), and the
    // keys stay in this process's memory only.
    let identities = Vault::new(cfg.recipients.clone(), source).unlock()?;
    let listener = bind(socket)?;
    let bound = std::fs::metadata(socket).map(|m| m.ino()).ok();
    let core = Core::new(cfg, &paths, &identities);
    let agent = Arc::new(Agent {
        config: std::fs::canonicalize(&paths.config).unwrap_or_else(|_| paths.config.clone()),
        schedule: Mutex::new(Schedule::new(&paths.state_dir)),
        paths,
        flags,
        identities,
        core: RwLock::new(Arc::new(core)),
        stop: AtomicBool::new(false),
        out: Arc::new(ui::Stderr),
    });
    let (term, hup) = watch_signals()?;
    {
        let agent = Arc::clone(&agent);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let agent = Arc::clone(&agent);
                std::thread::spawn(move || agent.serve_connection(&conn));
            }
        });
    }
    ui::say(crate::t!(
        "ui-agent-serving",
        config = agent.config.display().to_string(),
        socket = socket.display().to_string(),
        pid = std::process::id()
    ));
    let mut mtime = modified(&agent.paths.config);
    let mut polled = Instant::now();
    while !term.load(Ordering::SeqCst) && !agent.stop.load(Ordering::SeqCst) {
        let changed = polled.elapsed() >= CONFIG_POLL && {
            polled = Instant::now();
            let now = modified(&agent.paths.config);
            std::mem::replace(&mut mtime, now) != now
        };
        if hup.swap(false, Ordering::SeqCst) || changed {
            match agent.reload() {
                Ok(()) => ui::say(crate::t!("ui-agent-reloaded")),
                Err(e) => ui::warn(crate::t!("ui-agent-kept-config", error = e.message())),
            }
        }
        agent.rotate_due();
        std::thread::sleep(TICK);
    }
    // Only the socket this agent made: a newer agent may have replaced it meanwhile.
    if std::fs::metadata(socket).map(|m| m.ino()).ok() == bound {
        let _ = std::fs::remove_file(socket);
    }
    ui::say(crate::t!("ui-agent-stopped"));
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// SIGTERM and SIGINT end the agent cleanly, SIGHUP re-reads the config. Hooks the agent runs
/// are not sent these signals (their time limit still ends them).
fn watch_signals() -> Result<(Arc<AtomicBool>, Arc<AtomicBool>)> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let term = Arc::new(AtomicBool::new(false));
    let hup = Arc::new(AtomicBool::new(false));
    let cannot = |e: std::io::Error| {
        Error::from(InternalError::CannotWatchSignals {
            reason: e.to_string(),
        })
    };
    for sig in [SIGTERM, SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&term)).map_err(cannot)?;
    }
    signal_hook::flag::register(SIGHUP, Arc::clone(&hup)).map_err(cannot)?;
    crate::process::hand_over_signals();
    Ok((term, hup))
}

/// The listening socket, 0600, in a folder broker made 0700 (an existing folder named by
/// `--socket` is left as it is). A socket file nobody answers on is a dead agent's: replaced.
/// One somebody answers on is a live agent's: exit 2. Anything else there is not touched.
fn bind(path: &Path) -> Result<UnixListener> {
    let failed = |e: std::io::Error| {
        Error::from(InternalError::AgentSocket {
            path: path.display().to_string(),
            reason: crate::error::internal::io_reason(&e),
        })
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::store::atomic::create_dir(dir)?;
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if UnixStream::connect(path).is_ok() {
            return Err(UsageError::AgentAlreadyRunning {
                path: path.display().to_string(),
            }
            .into());
        }
        if !meta.file_type().is_socket() {
            return Err(failed(std::io::Error::from(
                std::io::ErrorKind::AlreadyExists,
            )));
        }
        std::fs::remove_file(path).map_err(failed)?;
    }
    // Created 0600 (no window in which another user could connect), then made sure of it.
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o177));
    let listener = UnixListener::bind(path);
    nix::sys::stat::umask(old);
    let listener = listener.map_err(failed)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(failed)?;
    Ok(listener)
}

impl Agent {
    fn core(&self) -> Arc<Core> {
        Arc::clone(&self.core.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Reads the config again; the identity stays the one unlocked at start.
    fn reload(&self) -> Result<()> {
        let cfg = Config::load(self.paths.clone(), &self.flags, Plaintext::Refuse)?;
        let core = Core::new(cfg, &self.paths, &self.identities);
        *self.core.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(core);
        Ok(())
    }

    fn rotate_due(&self) {
        let core = self.core();
        let service = TokenService::new(&core.cfg, &core.store, Arc::clone(&self.out));
        Schedule::rotate_due(&self.schedule, &core.cfg, &service);
    }

    fn serve_connection(&self, stream: &UnixStream) {
        if !same_user(stream) {
            ui::warn(crate::t!("ui-agent-refused-user"));
            return;
        }
        let mut reader = BufReader::new(stream);
        loop {
            let mut line = Zeroizing::new(String::new());
            match reader.by_ref().take(MAX_LINE).read_line(&mut line) {
                Ok(n) if n > 0 => {}
                _ => return,
            }
            let mut send = |answer: &Value| {
                let mut out = Zeroizing::new(serde_json::to_vec(answer).unwrap_or_default());
                out.push(b'\n');
                let mut w = stream;
                w.write_all(&out).and_then(|()| w.flush()).is_ok()
            };
            if let Some(answer) = self.answer(&line, &mut send)
                && !send(&answer)
            {
                return;
            }
        }
    }

    /// The answer to one request line; `None` when it was already sent through `send` (a
    /// token is sent as soon as it is known, before the hooks of a rotation run, as `broker
    /// token` prints it before them).
    fn answer(&self, line: &str, send: &mut dyn FnMut(&Value) -> bool) -> Option<Value> {
        let Ok(request) = serde_json::from_str::<Request>(line) else {
            return Some(protocol::refusal(
                &Value::Null,
                "agent/bad-request",
                "not a request: one JSON object per line, with `verb`",
            ));
        };
        let id = &request.id;
        let mut sent = false;
        let mut send_once = |answer: &Value| {
            sent = true;
            send(answer);
        };
        let answer = match request.verb.as_str() {
            "status" => protocol::ok(id, self.status()),
            "stop" => {
                self.stop.store(true, Ordering::SeqCst);
                protocol::ok(id, json!({}))
            }
            "token" | "env" | "rejected" => match self.serve(&request, &mut send_once) {
                Ok(Some(data)) => protocol::ok(id, data),
                Ok(None) => {
                    protocol::refusal(id, ANOTHER_CONFIG, "this agent serves another config file")
                }
                Err(e) => protocol::error(id, &e),
            },
            _ => protocol::refusal(
                id,
                "agent/unknown-verb",
                "unknown verb: token, env, rejected, status or stop",
            ),
        };
        if sent {
            // One answer per request: what went wrong after the token was sent is only logged.
            if let Some(error) = answer.get("error") {
                let words = match &error["record"] {
                    record @ serde_json::Value::Object(_) => {
                        crate::catalog::render_record(record).message
                    }
                    _ => error["message"].as_str().unwrap_or_default().to_owned(),
                };
                ui::warn(crate::t!("ui-agent-after-answer", error = words));
            }
            return None;
        }
        Some(answer)
    }

    /// `token`, `env`, `rejected`: `None` when the client reads another config file. A token
    /// is handed to `send` (as the whole answer) before the hooks of a rotation run; the data
    /// returned then is not sent again.
    fn serve(&self, request: &Request, send: &mut dyn FnMut(&Value)) -> Result<Option<Value>> {
        let canonical = |p: &PathBuf| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if let Some(config) = &request.options.config
            && canonical(config) != self.config
        {
            return Ok(None);
        }
        if let Some(state_dir) = &request.options.state_dir
            && canonical(state_dir) != canonical(&self.paths.state_dir)
        {
            return Ok(None);
        }
        let core = self.core();
        let cfg = &core.cfg;
        let name = match &request.profile {
            Some(n) => ProfileName::parse(n)?,
            None => cfg.default_profile.clone().ok_or_else(|| {
                Error::from(UsageError::NoProfileChosen {
                    hint: crate::config::profile_list_hint(&cfg.profiles),
                })
            })?,
        };
        let profile = cfg.profile(&name)?;
        let service = TokenService::new(cfg, &core.store, Arc::clone(&self.out));
        let timeout = cfg.settings.timeout.0;
        let data = match request.verb.as_str() {
            "rejected" => {
                let outcome =
                    service.rejected(profile, request.options.token.as_deref(), timeout, |o| {
                        send(&protocol::ok(
                            &request.id,
                            token_data(name.as_str(), o.state()),
                        ));
                        Ok(())
                    })?;
                token_data(name.as_str(), outcome.state())
            }
            "env" => {
                let exports = crate::commands::env::exports_in(cfg, &core.store, &service, &name)?;
                let vars: Vec<Value> = exports
                    .vars
                    .iter()
                    .map(|v| json!({"name": v.name, "value": v.value(), "secret": v.secret}))
                    .collect();
                json!({ "vars": vars, "stamp": exports.stamp })
            }
            _ => {
                let min_ttl = request.options.min_ttl.map(Duration::from_secs);
                let policy = Policy {
                    min_ttl: min_ttl.unwrap_or(profile.refresh_before.0),
                    explicit: min_ttl.is_some(),
                    force: false,
                    timeout,
                    rejected: None,
                };
                let outcome = service.serve(profile, policy, OnHookFailure::Warn, |o| {
                    send(&protocol::ok(
                        &request.id,
                        token_data(name.as_str(), o.state()),
                    ));
                    Ok(())
                })?;
                token_data(name.as_str(), outcome.state())
            }
        };
        Ok(Some(data))
    }

    fn status(&self) -> Value {
        let core = self.core();
        let mut status = self
            .schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .status(&core.cfg);
        status["config"] = json!(self.config);
        status["pid"] = json!(std::process::id());
        status
    }
}
