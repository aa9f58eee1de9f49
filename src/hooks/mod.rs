//! Hooks and sinks (SPEC §8): telling the rest of the system that a token changed.
//!
//! Everything here runs after the new state is saved and the profile lock released, so a hook
//! may itself call `broker`. Sinks are written first, then the hooks run one after another:
//! global hooks, then the profile's, each in file order. A hook gets the facts of the event in
//! its environment and as one JSON object on stdin, never in argv; it runs in its own process
//! group, which its timeout ends as a whole. Its output goes to broker's stderr, prefixed with
//! its name and capped. A failure never loses the token: it is reported, recorded in the state
//! (the last result of each hook), and turned into exit 7 only by the commands that promise it.

pub mod error;
mod facts;
mod record;
mod report;
mod run;

pub(crate) use facts::{FACT_VARS, rfc3339};
pub use facts::{Facts, event_name};
pub use report::{Report, ended_by_signal};
pub(crate) use run::ran;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, Event, Hook, Profile, Run};
use crate::env_vars;
use crate::error::{HookError, Result, sanitize};
use crate::profile::ProfileName;
use crate::sinks::{sink_name, write_sink};
use crate::store::StateStore;
use crate::store::state::HookResult;
use crate::ui::Messages;

/// A hook's time limit when its `timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most output of one hook (stdout and stderr together) copied to broker's stderr.
pub(crate) const MAX_OUTPUT: usize = 64 * 1024;
/// The longest line copied; the rest of a longer line is dropped.
pub(crate) const MAX_LINE: usize = 2000;
/// The longest default name derived from a hook's command.
const MAX_NAME: usize = 48;

/// Variables a hook (or `broker watch`'s command) never inherits from broker's environment,
/// whatever it asks: they unlock the secret store (the age identity and its passphrase) or
/// may hold a password (the Redis URL), and the SecretKey is never given to a hook. The
/// variables named by `secret_key_env` are removed as well.
pub(crate) const WITHHELD: [&str; 3] = [
    env_vars::BROKER_AGE_KEY,
    env_vars::BROKER_AGE_PASSPHRASE,
    env_vars::BROKER_REDIS_URL,
];

/// The variable that lists (comma-separated) the profiles whose hooks are running around this
/// process: set for each hook, inherited by what it runs. A hook that rotates its own profile
/// would fire itself again, without end; [`refuse_nested`] stops that.
pub const IN_HOOKS_OF: &str = env_vars::BROKER_HOOK_PROFILES;

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
    // `doing` as the callers say it, as the catalog's key.
    let doing = match doing {
        "rotate" => "rotate",
        "log in to" => "log-in",
        _ => "run-hooks",
    };
    Err(HookError::Nested {
        profile: profile.to_string(),
        doing,
    }
    .into())
}

/// One hook of a profile, with the name it is reported and recorded under.
pub(crate) struct Named<'a> {
    pub(crate) name: String,
    pub(crate) hook: &'a Hook,
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

/// Whether an event writes the sinks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sinks {
    Write,
    Skip,
}

/// Who fired the hooks: a rotation (failures are told, successes only with `-v`), or a person
/// running `broker hooks test|run`, who is told about every one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Event,
    Person,
}

/// Runs the sinks (when asked) and then the hooks for `facts.event`, one after another, and
/// records their results in the profile's state.
pub fn fire(
    out: &Arc<dyn Messages>,
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
            tell(out.as_ref(), profile, facts.event, &result, trigger);
            report.results.push(result);
        }
    }
    let hooks = all_hooks(cfg, profile);
    for named in &hooks {
        if facts.event != Event::Test && !named.hook.on.contains(&facts.event) {
            continue;
        }
        let result = run::run_hook(out, named, &env, facts);
        // A signal ended the hook (see `process`): the command ends now, as it would have
        // without hooks; nothing more runs, and nothing is recorded.
        if crate::process::interrupted().is_some() {
            return report;
        }
        tell(out.as_ref(), profile, facts.event, &result, trigger);
        report.results.push(result);
    }
    let keep = configured(cfg, profile);
    record::record(
        out.as_ref(),
        store,
        &profile.name,
        &report.results,
        &keep,
        cfg.settings.timeout.0,
    );
    report
}

/// Says how one sink or hook went, as soon as it is known.
fn tell(
    out: &dyn Messages,
    profile: &Profile,
    event: Event,
    result: &HookResult,
    trigger: Trigger,
) {
    if result.ok && trigger == Trigger::Person {
        out.say(match sink_path(&result.name) {
            Some(path) => crate::t!(
                "ui-hooks-sink-ok",
                sink = path,
                status = result.status.to_string()
            ),
            None => crate::t!(
                "ui-hooks-hook-ok",
                hook = result.name.as_str(),
                status = result.status.to_string()
            ),
        });
    } else if result.ok {
        out.debug(
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
        let (event, profile) = (event_name(event), profile.name.as_str());
        let status = result.status.to_string();
        out.warn(match sink_path(&result.name) {
            Some(path) => crate::t!(
                "ui-hooks-sink-failed",
                sink = path,
                event = event,
                profile = profile,
                status = status.as_str()
            ),
            None => crate::t!(
                "ui-hooks-hook-failed",
                hook = result.name.as_str(),
                event = event,
                profile = profile,
                status = status.as_str()
            ),
        });
    }
}

/// The path of a sink's result (named `sink PATH`), or None for a hook's.
fn sink_path(name: &str) -> Option<&str> {
    name.strip_prefix("sink ")
}

/// What every hook of one run shares: where relative paths start, and the environment it
/// inherits.
pub(crate) struct Environment {
    /// The folder of the config file: the default `cwd`, and what relative `cwd`, sink paths
    /// and `./script` commands are relative to, so they mean the same whoever runs broker
    /// from wherever.
    pub(crate) base_dir: PathBuf,
    /// Variables removed from the inherited environment.
    pub(crate) withheld: Vec<String>,
    /// Set so that a hook calling `broker` uses the same config and state as this process.
    pub(crate) config: PathBuf,
    pub(crate) state_dir: PathBuf,
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

    pub(crate) fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use serde_json::json;
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
        let shown = |raw| run::ran(run::exited(ExitStatus::from_raw(raw))).to_string();
        assert_eq!(shown(0), "exit 0");
        assert_eq!(shown(3 << 8), "exit 3");
        assert_eq!(shown(15), "killed by SIGTERM");
        assert_eq!(shown(100), "killed by signal 100");
    }

    /// The state keeps how a hook ended as codes and facts; shown, they read as before.
    #[test]
    fn a_hook_status_is_kept_as_facts_and_shown_in_words() {
        use crate::hooks::error::HookRun;
        let status = run::ran(HookRun::TimedOut {
            after: "30s".into(),
        });
        let kept = serde_json::to_value(&status).unwrap();
        assert_eq!(
            kept,
            serde_json::json!({"domain": "hooks", "code": "ran", "run": "timed-out", "after": "30s"})
        );
        assert_eq!(status.to_string(), "timed out after 30s");
        let table = [
            (
                HookRun::Killed {
                    signal: "SIGKILL".into(),
                },
                "killed by SIGKILL",
            ),
            (HookRun::Ended, "ended"),
            (
                HookRun::CannotWait { reason: "x".into() },
                "cannot wait for it: x",
            ),
            (
                HookRun::NoFolder {
                    folder: "/f".into(),
                },
                "cannot run: the folder `/f` does not exist",
            ),
            (HookRun::EmptyCommand, "cannot run: empty command"),
            (
                HookRun::BadEnvName { name: "A B".into() },
                "cannot run: `A B` is not a valid environment variable name",
            ),
            (
                HookRun::NotFound {
                    program: "p".into(),
                },
                "cannot run `p`: not found",
            ),
            (
                HookRun::NotExecutable {
                    program: "p".into(),
                },
                "cannot run `p`: permission denied (is it executable?)",
            ),
            (
                HookRun::CannotRun {
                    program: "p".into(),
                    reason: "busy".into(),
                },
                "cannot run `p`: busy",
            ),
            (HookRun::Written, "written"),
            (
                HookRun::SinkFailed {
                    error: Box::new(HookError::SinkWithoutToken.into()),
                },
                "no token to write",
            ),
        ];
        for (ended, words) in table {
            assert_eq!(run::ran(ended).to_string(), words);
        }
        // A state written by an older broker keeps its text.
        let old: crate::store::state::Told = serde_json::from_str(r#""exit 3""#).unwrap();
        assert_eq!((old.to_string().as_str(), old.code()), ("exit 3", None));
    }

    #[test]
    fn a_nested_run_names_what_it_would_do_and_why_not() {
        for (doing, words) in [
            ("rotate", "cannot rotate `p`"),
            ("log-in", "cannot log in to `p`"),
            ("run-hooks", "cannot run the hooks of `p`"),
        ] {
            let e = Error::from(HookError::Nested {
                profile: "p".into(),
                doing,
            });
            assert_eq!(
                e.message(),
                format!("{words} inside a hook of `p`: that would run the hook again, without end")
            );
            assert_eq!(e.exit_code(), 2);
            assert!(
                e.hint()
                    .unwrap()
                    .contains("`broker token p` serves the stored token")
            );
        }
        let e = Error::from(HookError::NoStoredToken {
            profile: "p".into(),
        });
        assert_eq!(
            (e.message().as_str(), e.hint().as_deref(), e.exit_code()),
            (
                "no token is stored for `p`",
                Some("get one with `broker token p` (or `broker login p`); its hooks run then"),
                3
            )
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
