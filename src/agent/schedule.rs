//! Rotations ahead of time: each profile is rotated when less than its `refresh_before` (plus
//! a jitter, so that many agents and profiles do not ask Baidu at the same second) is left,
//! through the token service (sinks and hooks run). A failure backs off (capped exponential);
//! a throttle answer (`Trigger security policy`) pauses the profile, and the pause is kept in
//! the state folder so that an agent restarted in a loop cannot hammer Baidu. A profile that
//! needs a login is reported once and left alone until its state changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::{Error, GrantError, Problem, Result};
use crate::profile::ProfileName;
use crate::rotate::Policy;
use crate::service::{OnHookFailure, TokenService};
use crate::store::TokenState;
use crate::ui;

/// The first wait after a failure; each further failure doubles it, up to [`BACKOFF_MAX`].
const BACKOFF_FIRST: Duration = Duration::from_secs(5);
const BACKOFF_MAX: Duration = Duration::from_secs(15 * 60);
/// How long a throttled profile is left alone.
pub(super) const PAUSE: Duration = Duration::from_secs(3600);
/// The most a rotation is moved ahead of `refresh_before` (and at most a tenth of it).
const JITTER_MAX: Duration = Duration::from_secs(60);
/// The pauses, kept across restarts: `{"profile": "RFC 3339 time"}`, in the state folder.
const PAUSES_FILE: &str = "agent-pauses.json";

#[derive(Default)]
struct Entry {
    next: Option<DateTime<Utc>>,
    last_rotation: Option<DateTime<Utc>>,
    last_error: Option<String>,
    failures: u32,
    retry_at: Option<DateTime<Utc>>,
    paused_until: Option<DateTime<Utc>>,
    /// The generation (0: no state) whose need of a login was already reported.
    told: Option<u64>,
    jitter: Duration,
}

pub(super) struct Schedule {
    entries: BTreeMap<String, Entry>,
    pauses: PathBuf,
}

fn rfc3339(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

fn jitter(refresh_before: Duration) -> Duration {
    let most = (refresh_before / 10).min(JITTER_MAX);
    most.mul_f64(rand::random::<f64>())
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

impl Schedule {
    /// A schedule with the pauses a previous agent left.
    pub(super) fn new(state_dir: &Path) -> Schedule {
        let pauses = state_dir.join(PAUSES_FILE);
        let mut entries = BTreeMap::new();
        if let Ok(text) = std::fs::read_to_string(&pauses)
            && let Ok(map) = serde_json::from_str::<BTreeMap<String, DateTime<Utc>>>(&text)
        {
            for (name, until) in map {
                let entry: &mut Entry = entries.entry(name).or_default();
                entry.paused_until = Some(until);
                entry.next = Some(until);
            }
        }
        Schedule { entries, pauses }
    }

    /// Rotates every profile that is due now. The schedule is not locked while a rotation
    /// runs, so `agent status` answers meanwhile.
    pub(super) fn rotate_due(this: &Mutex<Schedule>, cfg: &Config, service: &TokenService<'_>) {
        let lock = || this.lock().unwrap_or_else(|e| e.into_inner());
        let due = lock().plan(cfg, service);
        for (name, margin) in due {
            let Ok(profile) = cfg.profile(&name) else {
                continue;
            };
            let policy = Policy {
                min_ttl: margin,
                explicit: false,
                force: false,
                timeout: cfg.settings.timeout.0,
                rejected: None,
            };
            let result = service
                .serve(profile, policy, OnHookFailure::Warn, |_| Ok(()))
                .map(crate::rotate::Outcome::into_state);
            lock().record(&name, margin, result);
        }
    }

    /// The profiles due now, with the margin to rotate them at.
    fn plan(&mut self, cfg: &Config, service: &TokenService<'_>) -> Vec<(ProfileName, Duration)> {
        let now = Utc::now();
        let mut due = Vec::new();
        for (name, profile) in &cfg.profiles {
            let refresh_before = profile.refresh_before.0;
            let entry = self.entries.entry(name.to_string()).or_default();
            if entry.jitter.is_zero() {
                entry.jitter = jitter(refresh_before);
            }
            if let Some(until) = entry.paused_until {
                if now < until {
                    entry.next = Some(until);
                    continue;
                }
                entry.paused_until = None;
                self.save_pauses();
                let entry = self.entries.entry(name.to_string()).or_default();
                entry.retry_at = None;
            }
            let entry = self.entries.entry(name.to_string()).or_default();
            if entry.retry_at.is_some_and(|t| now < t) {
                continue;
            }
            let state = match service.store().load(name) {
                Ok(state) => state,
                Err(e) => {
                    self.failed(name.as_str(), e);
                    continue;
                }
            };
            let margin = refresh_before + entry.jitter;
            let needs_login = match &state {
                None => profile.grant.needs_login(),
                Some(s) => s.needs_login.is_some() || s.credentials_rejected.is_some(),
            };
            let generation = state.as_ref().map_or(0, |s| s.generation);
            if needs_login {
                entry.next = None;
                if entry.told != Some(generation) {
                    entry.told = Some(generation);
                    let why = if state.is_none() {
                        "no-token"
                    } else {
                        "person"
                    };
                    // `agent status --json` is data: its words are English.
                    entry.last_error = Some(crate::t!(
                        crate::catalog::Lang::En; "ui-agent-needs-login",
                        profile = name.as_str(),
                        why = why
                    ));
                    ui::warn(crate::t!(
                        "ui-agent-not-rotating",
                        profile = name.as_str(),
                        why = why
                    ));
                }
                continue;
            }
            entry.told = None;
            if let Some(s) = &state {
                if s.handed_off.is_some() {
                    entry.next = None;
                    continue;
                }
                entry.last_rotation = s.last_rotation.or(Some(s.obtained_at));
                let next = next_rotation(s, margin);
                entry.next = Some(next);
                if now < next {
                    continue;
                }
            }
            due.push((name.clone(), margin));
        }
        due
    }

    fn record(&mut self, name: &ProfileName, margin: Duration, result: Result<TokenState>) {
        match result {
            Ok(state) => {
                let entry = self.entries.entry(name.to_string()).or_default();
                entry.failures = 0;
                entry.retry_at = None;
                entry.last_error = None;
                entry.last_rotation = state.last_rotation.or(Some(state.obtained_at));
                entry.next = Some(next_rotation(&state, margin));
                entry.jitter = Duration::ZERO;
            }
            Err(e) => self.failed(name.as_str(), e),
        }
    }

    fn failed(&mut self, name: &str, e: Error) {
        let now = Utc::now();
        let message = e.message();
        let throttled = matches!(e.problem(), Problem::Grant(GrantError::Throttled { .. }));
        let entry = self.entries.entry(name.to_owned()).or_default();
        // `agent status --json` is data: its words are English.
        entry.last_error =
            Some(crate::catalog::render_record_in(crate::catalog::Lang::En, &e.record()).message);
        if throttled {
            let until = now + delta(PAUSE);
            entry.paused_until = Some(until);
            entry.next = Some(until);
            ui::warn(crate::t!(
                "ui-agent-paused",
                error = message,
                profile = name,
                until = until.to_rfc3339_opts(SecondsFormat::Secs, true)
            ));
            self.save_pauses();
            return;
        }
        entry.failures = entry.failures.saturating_add(1);
        let doubled = BACKOFF_FIRST.saturating_mul(1 << entry.failures.min(16).saturating_sub(1));
        let wait = doubled.min(BACKOFF_MAX);
        entry.retry_at = Some(now + delta(wait));
        entry.next = entry.retry_at;
        ui::warn(crate::t!(
            "ui-agent-retry",
            error = message,
            profile = name,
            after = crate::duration::format(wait)
        ));
    }

    /// Writes the pauses still in force; a failure only warns (the pause holds in memory).
    fn save_pauses(&self) {
        let map: BTreeMap<&str, String> = self
            .entries
            .iter()
            .filter_map(|(name, e)| {
                e.paused_until
                    .map(|t| (name.as_str(), t.to_rfc3339_opts(SecondsFormat::Secs, true)))
            })
            .collect();
        let text = serde_json::to_vec_pretty(&map).unwrap_or_default();
        let saved = self
            .pauses
            .parent()
            .map_or(Ok(()), crate::store::atomic::create_dir)
            .and_then(|()| crate::store::atomic::write(&self.pauses, &text, 0o600));
        if let Err(e) = saved {
            ui::warn(crate::t!(
                "ui-agent-cannot-keep-pauses",
                error = e.message()
            ));
        }
    }

    /// `agent status --json`'s data: `{"profiles": [{"profile", "next_rotation",
    /// "last_rotation", "last_error", "paused_until"}]}`.
    pub(super) fn status(&self, cfg: &Config) -> Value {
        let profiles: Vec<Value> = cfg
            .profiles
            .keys()
            .map(|name| {
                let e = self.entries.get(name.as_str());
                json!({
                    "profile": name.as_str(),
                    "next_rotation": rfc3339(e.and_then(|e| e.next)),
                    "last_rotation": rfc3339(e.and_then(|e| e.last_rotation)),
                    "last_error": e.and_then(|e| e.last_error.clone()),
                    "paused_until": rfc3339(e.and_then(|e| e.paused_until)),
                })
            })
            .collect();
        json!({ "profiles": profiles })
    }
}

/// When `state` becomes due with `margin`, capped as `rotate::is_due` caps it (half the
/// token's lifetime).
fn next_rotation(state: &TokenState, margin: Duration) -> DateTime<Utc> {
    let lifetime = (state.expires_at - state.obtained_at)
        .to_std()
        .unwrap_or_default();
    state.expires_at - delta(margin.min(lifetime / 2))
}
