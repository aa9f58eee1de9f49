//! Hooks and sinks (SPEC §8): telling the rest of the system that a token changed.
//!
//! Everything here runs after the new state is saved and the profile lock released, so a hook
//! may itself call `broker`. Sinks are written first, then the hooks run one after another:
//! global hooks, then the profile's, each in file order. A hook gets the facts of the event in
//! its environment and as one JSON object on stdin, never in argv; it runs in its own process
//! group, which its timeout ends as a whole. Its output goes to broker's stderr, prefixed with
//! its name and capped. A failure never loses the token: it is reported, recorded in the state
//! (the last result of each hook), and turned into exit 7 only by the commands that promise it.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use zeroize::Zeroizing;

use crate::config::{Config, Event, Hook, Profile, Run, Sink, SinkFormat};
use crate::error::{Error, Result, sanitize};
use crate::process::{self, Ended};
use crate::profile::ProfileName;
use crate::rotate::{self, Failed, Outcome, Policy};
use crate::secret::AccessToken;
use crate::store::state::HookResult;
use crate::store::{StateStore, TokenState, Vault, atomic};
use crate::ui;

/// A hook's time limit when its `timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most output of one hook (stdout and stderr together) copied to broker's stderr.
const MAX_OUTPUT: usize = 64 * 1024;
/// The longest line copied; the rest of a longer line is dropped.
const MAX_LINE: usize = 2000;
/// The longest default name derived from a hook's command.
const MAX_NAME: usize = 48;

/// Variables a hook never inherits from broker's environment, whatever the hook asks: they
/// unlock the secret store (the age identity and its passphrase), and the SecretKey is never
/// given to a hook. The variables named by `secret_key_env` are removed as well.
const WITHHELD: [&str; 2] = ["BROKER_AGE_KEY", "BROKER_AGE_PASSPHRASE"];

/// The variables that carry the facts of an event. They are removed from what a hook inherits
/// before being set, so a fact that is absent (no token on `refresh_failed`) is really absent.
const FACT_VARS: [&str; 10] = [
    "BROKER_EVENT",
    "BROKER_PROFILE",
    "BROKER_GRANT",
    "BROKER_APP_KEY",
    "BROKER_ACCESS_TOKEN",
    "BROKER_EXPIRES_AT",
    "BROKER_PREVIOUS_EXPIRES_AT",
    "BROKER_SCOPE",
    "BROKER_HOOK",
    "BROKER_ERROR",
];

/// The variable that lists (comma-separated) the profiles whose hooks are running around this
/// process: set for each hook, inherited by what it runs. A hook that rotates its own profile
/// would fire itself again, without end; [`refuse_nested`] stops that.
pub const IN_HOOKS_OF: &str = "BROKER_HOOK_PROFILES";

/// Whether this process runs (directly or through its parents) inside a hook of `profile`.
pub fn inside_hook_of(profile: &ProfileName) -> bool {
    std::env::var(IN_HOOKS_OF).is_ok_and(|v| v.split(',').any(|p| p == profile.as_str()))
}

/// The nesting guard: inside a hook of `profile`, `doing` (rotate, log in to, run the hooks of)
/// that same profile is refused with exit 2. Reading its stored token stays allowed.
pub fn refuse_nested(profile: &ProfileName, doing: &str) -> Result<()> {
    if !inside_hook_of(profile) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "cannot {doing} `{profile}` inside a hook of `{profile}`: that would run the hook again, without end"
    ))
    .with_hint(format!(
        "a hook gets the new token in `BROKER_ACCESS_TOKEN` and on stdin; `broker token {profile}` serves the stored token while it is valid"
    )))
}

/// The name of an event, as in the config, `BROKER_EVENT` and the state.
pub fn event_name(event: Event) -> &'static str {
    match event {
        Event::Rotate => "rotate",
        Event::Login => "login",
        Event::RefreshFailed => "refresh_failed",
        Event::Test => "test",
    }
}

/// What a hook is told about an event.
pub struct Facts {
    pub event: Event,
    pub profile: ProfileName,
    pub grant: &'static str,
    pub app_key: String,
    /// The new token; `None` on `refresh_failed` (there is none) and on `test` without one.
    pub access_token: Option<AccessToken>,
    pub expires_at: Option<DateTime<Utc>>,
    pub previous_expires_at: Option<DateTime<Utc>>,
    pub scope: Option<String>,
    /// Why the rotation failed (`refresh_failed` only): an error message, never a secret.
    pub error: Option<String>,
    /// When the event happened.
    pub at: DateTime<Utc>,
}

impl Facts {
    /// The facts of a token that is stored (after a rotation or login, or for `hooks run`).
    pub fn of_state(
        event: Event,
        profile: &Profile,
        state: &TokenState,
        previous_expires_at: Option<DateTime<Utc>>,
    ) -> Facts {
        Facts {
            event,
            profile: profile.name.clone(),
            grant: profile.grant.as_str(),
            app_key: profile.app_key.clone(),
            access_token: Some(state.access_token.clone()),
            expires_at: Some(state.expires_at),
            previous_expires_at,
            scope: state.scope.clone().or_else(|| profile.scope.clone()),
            error: None,
            at: Utc::now(),
        }
    }

    /// The facts of a failed rotation: no token, the expiry of the one still stored.
    pub fn of_failure(profile: &Profile, failed: &Failed) -> Facts {
        let attempt = failed.attempt.clone().unwrap_or_default();
        Facts {
            event: Event::RefreshFailed,
            profile: profile.name.clone(),
            grant: profile.grant.as_str(),
            app_key: profile.app_key.clone(),
            access_token: None,
            expires_at: attempt.expires_at,
            previous_expires_at: None,
            scope: attempt.scope.or_else(|| profile.scope.clone()),
            error: Some(failed.error.message().to_owned()),
            at: Utc::now(),
        }
    }

    /// The JSON object a hook reads on stdin. Zeroised on drop: it holds the token.
    fn to_json(&self, hook: &str) -> Zeroizing<Vec<u8>> {
        let mut value = json!({
            "event": event_name(self.event),
            "profile": self.profile.as_str(),
            "grant": self.grant,
            "app_key": self.app_key,
            "access_token": self.access_token.as_ref().map(AccessToken::expose),
            "expires_at": self.expires_at.map(rfc3339),
            "previous_expires_at": self.previous_expires_at.map(rfc3339),
            "scope": self.scope,
            "at": rfc3339(self.at),
            "hook": hook,
        });
        if let (Some(e), Some(obj)) = (&self.error, value.as_object_mut()) {
            obj.insert("error".into(), json!(e));
        }
        let mut out = Zeroizing::new(Vec::with_capacity(512));
        // Writing a `Value` to a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, &value);
        out.push(b'\n');
        out
    }

    /// The `BROKER_*` variables; absent facts are left out.
    fn env(&self, hook: &str) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("BROKER_EVENT", event_name(self.event).to_owned()),
            ("BROKER_PROFILE", self.profile.as_str().to_owned()),
            ("BROKER_GRANT", self.grant.to_owned()),
            ("BROKER_APP_KEY", self.app_key.clone()),
            ("BROKER_SCOPE", self.scope.clone().unwrap_or_default()),
            ("BROKER_HOOK", hook.to_owned()),
        ];
        if let Some(t) = &self.access_token {
            vars.push(("BROKER_ACCESS_TOKEN", t.expose().to_owned()));
        }
        if let Some(t) = self.expires_at {
            vars.push(("BROKER_EXPIRES_AT", rfc3339(t)));
        }
        if let Some(t) = self.previous_expires_at {
            vars.push(("BROKER_PREVIOUS_EXPIRES_AT", rfc3339(t)));
        }
        if let Some(e) = &self.error {
            vars.push(("BROKER_ERROR", e.clone()));
        }
        vars
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What running the sinks and hooks of one event did.
pub struct Report {
    pub profile: ProfileName,
    pub event: Event,
    /// One per sink and hook that ran, in the order they ran.
    pub results: Vec<HookResult>,
    /// Run by `broker hooks run`, not by a rotation.
    rerun: bool,
}

impl Report {
    fn empty(profile: &ProfileName, event: Event, rerun: bool) -> Report {
        Report {
            profile: profile.clone(),
            event,
            results: Vec::new(),
            rerun,
        }
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.ok).count()
    }

    pub fn is_ok(&self) -> bool {
        self.failed() == 0
    }

    /// For `refresh` and `login` (and `hooks run|test`): exit 7 when any sink or hook failed.
    /// Each failure was already reported on its own line as it happened.
    pub fn into_result(self) -> Result<()> {
        let failed = self.failed();
        if failed == 0 {
            return Ok(());
        }
        let name = &self.profile;
        let total = self.results.len();
        let sinks = self.results.iter().any(|r| r.name.starts_with("sink "));
        let things = if sinks { "sinks and hooks" } else { "hooks" };
        let what = match (self.event, self.rerun) {
            (_, true) => "when run again",
            (Event::Rotate, _) => "after the new token was saved",
            (Event::Login, _) => "after the login was saved",
            (Event::RefreshFailed, _) => "after the rotation failed",
            (Event::Test, _) => "in the test",
        };
        let hint = match (self.event, self.rerun) {
            (Event::Test, _) => {
                format!("see the lines above; fix them and run `broker hooks test {name}` again")
            }
            (_, true) => format!("see the lines above; the stored token of `{name}` is unchanged"),
            _ => format!(
                "the token is saved; fix the hook, then re-run it with `broker hooks run {name}`"
            ),
        };
        Err(Error::hook(format!(
            "{failed} of {total} {things} of `{name}` failed {what}"
        ))
        .with_hint(hint))
    }
}

/// One hook of a profile, with the name it is reported and recorded under.
struct Named<'a> {
    name: String,
    hook: &'a Hook,
}

/// Every hook that applies to `profile`: global ones first, then the profile's, in file order,
/// each with a name unique among them (so each keeps its own last result in the state).
fn all_hooks<'a>(cfg: &'a Config, profile: &'a Profile) -> Vec<Named<'a>> {
    let mut out: Vec<Named<'a>> = Vec::new();
    for hook in cfg.hooks.iter().chain(profile.hooks.iter()) {
        let base = hook.name.clone().unwrap_or_else(|| default_name(&hook.run));
        let mut name = sanitize(&base);
        let mut n = 1;
        while out.iter().any(|h| h.name == name) {
            n += 1;
            name = format!("{} #{n}", sanitize(&base));
        }
        out.push(Named { name, hook });
    }
    out
}

/// The names the sinks and hooks of `profile` are recorded under: a recorded result under
/// any other name is of one since removed from the config.
pub fn configured(cfg: &Config, profile: &Profile) -> Vec<String> {
    let mut names: Vec<String> = profile.sinks.iter().map(sink_name).collect();
    names.extend(all_hooks(cfg, profile).into_iter().map(|h| h.name));
    names
}

/// A hook without a `name` is called by its command, shortened.
fn default_name(run: &Run) -> String {
    let text = match run {
        Run::Argv(argv) => argv.join(" "),
        Run::Shell(s) => s.clone(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_NAME {
        text.chars().take(MAX_NAME - 1).chain(['…']).collect()
    } else {
        text
    }
}

fn sink_name(sink: &Sink) -> String {
    format!("sink {}", sanitize(&sink.path.display().to_string()))
}

/// True when nothing would run: lets callers skip all the work (and the state write).
fn nothing_for(cfg: &Config, profile: &Profile, event: Event, sinks: Sinks) -> bool {
    let sinks = sinks == Sinks::Write && !profile.sinks.is_empty();
    !sinks
        && !cfg
            .hooks
            .iter()
            .chain(profile.hooks.iter())
            .any(|h| event == Event::Test || h.on.contains(&event))
}

/// The rotation path with its hooks, for the commands whose exit code a hook never changes
/// (`token`, `env`, `exec`): sinks and hooks run only when this process rotated (never for a
/// cached token or one another process rotated, which is what makes 32 concurrent calls fire
/// the hooks once), `refresh_failed` hooks when its attempt failed; failures only warn.
pub fn ensure(
    cfg: &Config,
    store: &dyn StateStore,
    vault: &Vault,
    profile: &Profile,
    policy: Policy,
) -> Result<Outcome> {
    match rotate::ensure_observed(store, vault, profile, policy) {
        Ok(outcome) => {
            after_outcome(cfg, store, profile, &outcome);
            Ok(outcome)
        }
        Err(failed) => {
            after_failure(cfg, store, profile, &failed);
            Err(failed.error)
        }
    }
}

/// Sinks and `rotate` hooks when `outcome` is a rotation by this process; `None` otherwise.
pub fn after_outcome(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    outcome: &Outcome,
) -> Option<Report> {
    match outcome {
        Outcome::Rotated {
            state,
            previous_expires_at,
        } => Some(fire(
            cfg,
            store,
            profile,
            &Facts::of_state(Event::Rotate, profile, state, *previous_expires_at),
            Sinks::Write,
            Trigger::Event,
        )),
        Outcome::Cached(_) | Outcome::RotatedElsewhere(_) => None,
    }
}

/// `refresh_failed` hooks when the failure was an attempt to rotate; `None` otherwise.
pub fn after_failure(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    failed: &Failed,
) -> Option<Report> {
    failed.attempt.as_ref()?;
    Some(fire(
        cfg,
        store,
        profile,
        &Facts::of_failure(profile, failed),
        Sinks::Skip,
        Trigger::Event,
    ))
}

/// Sinks and `login` hooks after a login was saved.
pub fn after_login(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    state: &TokenState,
    previous_expires_at: Option<DateTime<Utc>>,
) -> Report {
    fire(
        cfg,
        store,
        profile,
        &Facts::of_state(Event::Login, profile, state, previous_expires_at),
        Sinks::Write,
        Trigger::Event,
    )
}

/// `broker hooks run`: sinks and `rotate` hooks again, for the token stored now.
pub fn rerun(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    state: &TokenState,
) -> Report {
    fire(
        cfg,
        store,
        profile,
        &Facts::of_state(Event::Rotate, profile, state, None),
        Sinks::Write,
        Trigger::Person,
    )
}

/// `broker hooks test`: every hook of the profile, whatever its `on`, with `BROKER_EVENT=test`
/// and the stored token if there is one. Sinks are not written: a test changes nothing.
pub fn test(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    state: Option<&TokenState>,
) -> Report {
    let facts = match state {
        Some(s) => Facts::of_state(Event::Test, profile, s, None),
        None => Facts {
            event: Event::Test,
            profile: profile.name.clone(),
            grant: profile.grant.as_str(),
            app_key: profile.app_key.clone(),
            access_token: None,
            expires_at: None,
            previous_expires_at: None,
            scope: profile.scope.clone(),
            error: None,
            at: Utc::now(),
        },
    };
    fire(cfg, store, profile, &facts, Sinks::Skip, Trigger::Person)
}

/// Whether an event writes the sinks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sinks {
    Write,
    Skip,
}

/// Who fired the hooks: a rotation (failures are told, successes only with `-v`), or a person
/// running `broker hooks test|run`, who is told about every one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Event,
    Person,
}

/// Runs the sinks (when asked) and then the hooks for `facts.event`, one after another, and
/// records their results in the profile's state.
fn fire(
    cfg: &Config,
    store: &dyn StateStore,
    profile: &Profile,
    facts: &Facts,
    sinks: Sinks,
    trigger: Trigger,
) -> Report {
    let rerun = trigger == Trigger::Person && facts.event != Event::Test;
    let mut report = Report::empty(&profile.name, facts.event, rerun);
    if nothing_for(cfg, profile, facts.event, sinks) {
        return report;
    }
    let env = Environment::new(cfg);
    if sinks == Sinks::Write {
        for sink in &profile.sinks {
            let result = write_sink(sink, &env.base_dir, profile, facts);
            tell(profile, facts.event, &result, trigger);
            report.results.push(result);
        }
    }
    let hooks = all_hooks(cfg, profile);
    for named in &hooks {
        if facts.event != Event::Test && !named.hook.on.contains(&facts.event) {
            continue;
        }
        let result = run_hook(named, &env, facts);
        tell(profile, facts.event, &result, trigger);
        report.results.push(result);
    }
    let keep = configured(cfg, profile);
    record(
        store,
        &profile.name,
        &report.results,
        &keep,
        cfg.settings.timeout.0,
    );
    report
}

/// Says how one sink or hook went, as soon as it is known.
fn tell(profile: &Profile, event: Event, result: &HookResult, trigger: Trigger) {
    if result.ok && trigger == Trigger::Person {
        ui::say(format!(
            "{}: ok ({})",
            kind_and_name(&result.name),
            result.status
        ));
    } else if result.ok {
        ui::debug(
            1,
            format!(
                "{} on `{}` of `{}`: {}",
                result.name,
                event_name(event),
                profile.name,
                result.status
            ),
        );
    } else {
        ui::warn(format!(
            "{} failed on `{}` of `{}`: {}",
            kind_and_name(&result.name),
            event_name(event),
            profile.name,
            result.status
        ));
    }
}

/// "hook `x`" or "sink `/path`", for messages.
fn kind_and_name(name: &str) -> String {
    match name.strip_prefix("sink ") {
        Some(path) => format!("sink `{path}`"),
        None => format!("hook `{name}`"),
    }
}

/// Keeps the last result of each hook in the profile's state. Only `hooks` is touched, under
/// the lock and on the state read under it, so a rotation saved meanwhile is never undone.
/// Results of hooks no longer in the config are dropped.
fn record(
    store: &dyn StateStore,
    profile: &ProfileName,
    results: &[HookResult],
    configured: &[String],
    timeout: Duration,
) {
    if results.is_empty() {
        return;
    }
    let saved = (|| -> Result<()> {
        let mut lock = store.lock(profile, timeout + Duration::from_secs(5))?;
        let Some(mut state) = lock.load()? else {
            // Logged out meanwhile, or `hooks test` before any token: nothing to attach to.
            return Ok(());
        };
        state
            .hooks
            .retain(|h| configured.contains(&h.name) && !results.iter().any(|r| r.name == h.name));
        state.hooks.extend(results.iter().cloned());
        lock.save(&state)
    })();
    if let Err(e) = saved {
        ui::warn(format!(
            "could not record the hook results of `{profile}`: {}",
            e.message()
        ));
    }
}

/// What every hook of one run shares: where relative paths start, and the environment it
/// inherits.
struct Environment {
    /// The folder of the config file: the default `cwd`, and what relative `cwd`, sink paths
    /// and `./script` commands are relative to, so they mean the same whoever runs broker
    /// from wherever.
    base_dir: PathBuf,
    /// Variables removed from the inherited environment.
    withheld: Vec<String>,
    /// Set so that a hook calling `broker` uses the same config and state as this process.
    config: PathBuf,
    state_dir: PathBuf,
}

impl Environment {
    fn new(cfg: &Config) -> Environment {
        let config = std::path::absolute(&cfg.paths.config).unwrap_or(cfg.paths.config.clone());
        let state_dir =
            std::path::absolute(&cfg.paths.state_dir).unwrap_or(cfg.paths.state_dir.clone());
        let base_dir = match config.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("/"),
        };
        let mut withheld: Vec<String> = WITHHELD.iter().map(|s| (*s).to_owned()).collect();
        withheld.extend(FACT_VARS.iter().map(|s| (*s).to_owned()));
        withheld.extend(cfg.secret_key_vars().map(str::to_owned));
        Environment {
            base_dir,
            withheld,
            config,
            state_dir,
        }
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }
}

/// Writes one sink atomically (a reader sees the old file or the new one, never a part).
fn write_sink(sink: &Sink, base_dir: &Path, profile: &Profile, facts: &Facts) -> HookResult {
    let name = sink_name(sink);
    let at = Utc::now();
    let written = (|| -> Result<()> {
        let mode = crate::config::parse_mode(sink.mode.as_deref().unwrap_or("0600"))?;
        let Some(token) = &facts.access_token else {
            return Err(Error::internal("no token to write"));
        };
        let path = if sink.path.is_absolute() {
            sink.path.clone()
        } else {
            base_dir.join(&sink.path)
        };
        let bytes = sink_bytes(
            sink.format,
            profile,
            token,
            facts.expires_at,
            facts.scope.as_deref(),
        );
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            atomic::create_dir(dir)?;
        }
        atomic::write(&path, &bytes, mode)
    })();
    HookResult {
        name,
        event: event_name(facts.event).to_owned(),
        at,
        ok: written.is_ok(),
        status: match written {
            Ok(()) => "written".into(),
            Err(e) => e.message().to_owned(),
        },
    }
}

/// The bytes of a sink file. Zeroised on drop: they hold the token.
fn sink_bytes(
    format: SinkFormat,
    profile: &Profile,
    token: &AccessToken,
    expires_at: Option<DateTime<Utc>>,
    scope: Option<&str>,
) -> Zeroizing<Vec<u8>> {
    let expires = expires_at.map(rfc3339).unwrap_or_default();
    let text = match format {
        SinkFormat::Token => format!("{}\n", token.expose()),
        SinkFormat::Json => format!(
            "{}\n",
            json!({
                "profile": profile.name.as_str(),
                "grant": profile.grant.as_str(),
                "app_key": profile.app_key,
                "access_token": token.expose(),
                "expires_at": expires,
                "scope": scope,
            })
        ),
        SinkFormat::Env => [
            ("BROKER_PROFILE", profile.name.as_str()),
            ("BAIDU_ACCESS_TOKEN", token.expose()),
            ("BAIDU_APP_KEY", profile.app_key.as_str()),
            ("BAIDU_TOKEN_EXPIRES_AT", expires.as_str()),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}\n", env_value(v)))
        .collect(),
    };
    Zeroizing::new(text.into_bytes())
}

/// A value for an env file: bare when it holds only characters no reader treats specially
/// (every real Baidu token), so systemd's `EnvironmentFile=`, `docker --env-file` and `sh`'s
/// `.` all read it the same; otherwise single-quoted the POSIX way, which `sh` reads exactly.
fn env_value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c));
    if plain {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

/// Runs one hook to its end (or its timeout) and says how it went.
fn run_hook(named: &Named, env: &Environment, facts: &Facts) -> HookResult {
    let hook = named.hook;
    let at = Utc::now();
    let timeout = hook.timeout.map_or(DEFAULT_TIMEOUT, |t| t.0);
    let (ok, status) = match spawn(named, env, facts) {
        Ok(running) => running.finish(timeout),
        Err(why) => (false, why),
    };
    HookResult {
        name: named.name.clone(),
        event: event_name(facts.event).to_owned(),
        at,
        ok,
        status,
    }
}

/// A started hook: the child, and the threads feeding its stdin and copying its output.
struct Running {
    group: process::Group,
    /// One message per output thread when its pipe reached end of file.
    drained: mpsc::Receiver<()>,
    readers: usize,
}

fn spawn(named: &Named, env: &Environment, facts: &Facts) -> std::result::Result<Running, String> {
    let hook = named.hook;
    let cwd = match &hook.cwd {
        Some(dir) => env.resolve(dir),
        None => env.base_dir.clone(),
    };
    if !cwd.is_dir() {
        return Err(format!(
            "cannot run: the folder `{}` does not exist",
            sanitize(&cwd.display().to_string())
        ));
    }
    let mut cmd = match &hook.run {
        Run::Argv(argv) => {
            let Some((program, args)) = argv.split_first() else {
                return Err("cannot run: empty command".into());
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
    cmd.env("BROKER_CONFIG", &env.config)
        .env("BROKER_STATE_DIR", &env.state_dir);
    for (k, v) in &hook.env {
        if !crate::config::is_env_name(k) {
            return Err(format!(
                "cannot run: `{}` is not a valid environment variable name",
                sanitize(k)
            ));
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
    let out = child
        .stdout
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    for pipe in [out, err].into_iter().flatten() {
        let (tx, budget, prefix) = (tx.clone(), budget.clone(), prefix.clone());
        readers += 1;
        std::thread::spawn(move || {
            forward(pipe, &prefix, &budget);
            let _ = tx.send(());
        });
    }
    Ok(Running {
        group,
        drained,
        readers,
    })
}

fn spawn_error(run: &Run, e: &io::Error) -> String {
    let program = match run {
        Run::Argv(argv) => argv.first().map(String::as_str).unwrap_or(""),
        Run::Shell(_) => "sh",
    };
    let program = sanitize(program);
    match e.kind() {
        io::ErrorKind::NotFound => format!("cannot run `{program}`: not found"),
        io::ErrorKind::PermissionDenied => {
            format!("cannot run `{program}`: permission denied (is it executable?)")
        }
        _ => format!(
            "cannot run `{program}`: {}",
            sanitize(&e.to_string().to_lowercase())
        ),
    }
}

impl Running {
    /// Waits for the hook, ending its process group at the timeout (see [`process`]). Returns
    /// whether it succeeded and its status text.
    fn finish(mut self, timeout: Duration) -> (bool, String) {
        let status = match self.group.wait(timeout) {
            Ok(Ended::Exited(status)) => Ok(status),
            Ok(Ended::TimedOut) => Err(format!(
                "timed out after {}",
                crate::duration::format(timeout)
            )),
            Err(e) => Err(format!("cannot wait for it: {e}")),
        };
        // Let the output threads copy what is left, but not forever (see DRAIN).
        let drain_until = Instant::now() + process::DRAIN;
        for _ in 0..self.readers {
            let left = drain_until.saturating_duration_since(Instant::now());
            if self.drained.recv_timeout(left).is_err() {
                ui::debug(
                    1,
                    "a hook left a process running that holds its output; the rest is not shown",
                );
                break;
            }
        }
        match status {
            Ok(s) => (s.success(), process::describe(s)),
            Err(why) => (false, why),
        }
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
    fn take(&self, n: usize, prefix: &str) -> bool {
        let before = self.used.fetch_add(n, Ordering::Relaxed);
        if before + n <= MAX_OUTPUT {
            return true;
        }
        if !self.told.swap(true, Ordering::Relaxed) {
            ui::say(format!(
                "{prefix} … more output dropped (a hook's output is capped at {} KiB)",
                MAX_OUTPUT / 1024
            ));
        }
        false
    }
}

/// Copies a pipe to stderr line by line, each line prefixed, control characters (and bidi
/// overrides, isolates and zero-width characters) escaped, long
/// lines cut, and everything past the budget dropped; reads to the end either way, so the hook
/// never blocks on a full pipe.
fn forward(mut pipe: Box<dyn Read + Send>, prefix: &str, budget: &Budget) {
    let mut buf = [0u8; 8192];
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    let emit = |line: &[u8], cut: bool| {
        if budget.take(line.len() + 1, prefix) {
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
            ui::say(format!("{prefix} {shown}"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    #[test]
    fn modes_are_octal_permission_bits() {
        let table = [
            ("0600", Some(0o600)),
            ("600", Some(0o600)),
            ("0640", Some(0o640)),
            ("0o644", Some(0o644)),
            ("0777", Some(0o777)),
            ("1777", None),
            ("0800", None),
            ("rw-------", None),
            ("", None),
            ("06000", None),
            ("60", None),
        ];
        for (text, want) in table {
            assert_eq!(crate::config::parse_mode(text).ok(), want, "{text:?}");
        }
        let err = crate::config::parse_mode("abc").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("`abc`"), "{}", err.message());
    }

    #[test]
    fn env_values_are_bare_when_safe_and_quoted_otherwise() {
        let table = [
            ("121.abc-DEF_ghi.x", "121.abc-DEF_ghi.x"),
            ("bce-v3/ALTAK/abc+def=", "bce-v3/ALTAK/abc+def="),
            ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
            ("", "''"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("$(x)`y`\n", "'$(x)`y`\n'"),
        ];
        for (value, want) in table {
            assert_eq!(env_value(value), want, "{value:?}");
        }
    }

    #[test]
    fn default_names_are_the_command_shortened() {
        assert_eq!(
            default_name(&Run::Argv(vec!["./push.sh".into(), "a".into()])),
            "./push.sh a"
        );
        assert_eq!(
            default_name(&Run::Shell("logger  -t broker\n done".into())),
            "logger -t broker done"
        );
        let long = default_name(&Run::Shell("x".repeat(100)));
        assert_eq!(long.chars().count(), MAX_NAME);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn exit_statuses_read_plainly() {
        assert_eq!(process::describe(ExitStatus::from_raw(0)), "exit 0");
        assert_eq!(process::describe(ExitStatus::from_raw(3 << 8)), "exit 3");
        assert_eq!(
            process::describe(ExitStatus::from_raw(15)),
            "killed by SIGTERM"
        );
    }

    #[test]
    fn every_event_has_its_config_name() {
        for (event, name) in [
            (Event::Rotate, "rotate"),
            (Event::Login, "login"),
            (Event::RefreshFailed, "refresh_failed"),
            (Event::Test, "test"),
        ] {
            assert_eq!(event_name(event), name);
            assert_eq!(serde_json::to_value(event).unwrap(), json!(name));
        }
    }
}
