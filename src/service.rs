//! The token service: the one composition of broker's core, used by every front end.
//!
//! ```text
//! ensure fresh (rotate::ensure_observed: read, and when due lock → re-read → ask Baidu →
//! save) → deliver (print, export, …) → sinks → hooks (hooks::fire: facts, run, record)
//! ```
//!
//! `token`, `env`, `exec`, `refresh`, `login` and `hooks run|test` differ only in what they
//! deliver and in whether a failed hook changes their exit code ([`OnHookFailure`]). Messages
//! go through the [`Messages`] given, data through the writer given: the service keeps no
//! output state of its own and never exits the process, so the same core can answer on a
//! socket. Choosing the profile (argument, `BROKER_PROFILE`, `broker use`, the config's
//! default) belongs to the front end, which hands the service a [`Profile`].

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::config::{Config, Event, Profile};
use crate::error::{HookError, InternalError, Kind, Result};
use crate::grant::Fresh;
use crate::hooks::{self, Facts, Report, Sinks, Trigger};
use crate::rotate::{self, Failed, Outcome, Policy};
use crate::store::{SealedStore, StateStore, TokenState, Vault};
use crate::ui::Messages;

/// Whether a failed sink or hook changes the result: only warned about (`token`, `env`,
/// `exec`: the token was served), or an error, exit 7 (`refresh`, `login`, `hooks run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnHookFailure {
    Warn,
    Fail,
}

/// How `broker token` writes the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormat {
    /// The token and a newline, nothing else.
    Plain,
    /// The token's one JSON shape ([`crate::export::token_json`]), as a `json` sink writes it.
    Json,
}

/// The core: a config, the store every state goes through, and where messages go.
pub struct TokenService<'a> {
    cfg: &'a Config,
    store: &'a dyn StateStore,
    vault: &'a Vault,
    out: Arc<dyn Messages>,
}

impl<'a> TokenService<'a> {
    pub fn new(cfg: &'a Config, store: &'a SealedStore, out: Arc<dyn Messages>) -> Self {
        TokenService {
            cfg,
            store,
            vault: store.vault(),
            out,
        }
    }

    pub fn store(&self) -> &dyn StateStore {
        self.store
    }

    pub fn vault(&self) -> &Vault {
        self.vault
    }

    /// A valid token for `profile`, rotating first when due; then `deliver`; then, when this
    /// process rotated, the sinks and `rotate` hooks (never for a cached token or one another
    /// process rotated, which is what makes 32 concurrent calls fire the hooks once). A failed
    /// attempt fires the `refresh_failed` hooks. `deliver` runs before the hooks, so a reader
    /// of the token need not wait for them; the hooks run even when delivering failed, because
    /// the rotation happened and the sinks must follow it.
    pub fn serve(
        &self,
        profile: &Profile,
        policy: Policy,
        on_hook_failure: OnHookFailure,
        deliver: impl FnOnce(&Outcome) -> Result<()>,
    ) -> Result<Outcome> {
        if profile.grant.static_key() {
            // An API key is the token: nothing to lock, read, rotate or announce.
            let outcome = Outcome::Cached(crate::grant::static_state(profile, self.vault)?);
            deliver(&outcome)?;
            return Ok(outcome);
        }
        let outcome = match rotate::ensure_observed(
            self.out.as_ref(),
            self.store,
            self.vault,
            profile,
            policy,
        ) {
            Ok(outcome) => outcome,
            Err(failed) => {
                // Their failures only warn: the rotation's own error is what the result says.
                self.after_failure(profile, &failed);
                hooks::ended_by_signal()?;
                return Err(failed.error);
            }
        };
        // A token learnt only now to be too short-lived for `--min-ttl` is saved, not
        // delivered; the sinks and hooks still follow the rotation.
        if let Err(e) = rotate::check_promise(profile.name.as_str(), outcome.state(), &policy) {
            self.after_outcome(profile, &outcome);
            hooks::ended_by_signal()?;
            return Err(e);
        }
        let delivered = deliver(&outcome);
        let hooks = self.after_outcome(profile, &outcome);
        hooks::ended_by_signal()?;
        delivered?;
        if on_hook_failure == OnHookFailure::Fail
            && let Some(report) = hooks
        {
            report.into_result()?;
        }
        Ok(outcome)
    }

    /// `broker token`: [`serve`](Self::serve), writing the token to `w`. A closed reader
    /// (`broker token | head -c1`) is not an error.
    pub fn token(
        &self,
        profile: &Profile,
        policy: Policy,
        format: TokenFormat,
        w: &mut dyn Write,
    ) -> Result<()> {
        self.serve(profile, policy, OnHookFailure::Warn, |outcome| {
            write_token(profile, outcome.state(), format, w)
        })
        .map(drop)
    }

    /// `broker token --rejected`: the caller says Baidu refused `rejected` (`None`: the
    /// current token). Only the generation that holds it is rotated, under the lock, so many
    /// reports of one token make one rotation, and a report about a token already replaced
    /// (or one broker never issued) gets the current token. The loop guard is
    /// [`rotate::REJECTED_FRESH`]'s.
    pub fn rejected(
        &self,
        profile: &Profile,
        rejected: Option<&str>,
        timeout: Duration,
        deliver: impl FnOnce(&Outcome) -> Result<()>,
    ) -> Result<Outcome> {
        let current = self.store.load(&profile.name)?;
        let generation = match (&current, rejected) {
            (Some(s), None) => Some(s.generation),
            (Some(s), Some(t)) if s.access_token.expose() == t => Some(s.generation),
            _ => None,
        };
        let policy = Policy {
            min_ttl: profile.refresh_before.0,
            explicit: false,
            force: generation.is_some(),
            timeout,
            rejected: generation,
        };
        self.serve(profile, policy, OnHookFailure::Warn, deliver)
    }

    /// `broker login`: save a new authorization as a new lineage (replacing a stored state
    /// this identity cannot read), `deliver`, then the sinks and `login` hooks (exit 7 when
    /// one fails). `imported`: the token came from elsewhere (`--with-token`).
    pub fn login(
        &self,
        profile: &Profile,
        fresh: Fresh,
        imported: bool,
        timeout: Duration,
        deliver: impl FnOnce(&TokenState),
    ) -> Result<()> {
        self.replace_unreadable(profile, timeout)?;
        let (state, previous) = rotate::save_login(self.store, profile, fresh, imported, timeout)?;
        deliver(&state);
        // The lock was released by `save_login`: a hook may call broker itself.
        self.after_login(profile, &state, previous).into_result()
    }

    /// A login starts a new lineage, so a stored state this identity cannot decrypt (the
    /// identity it was encrypted to is lost) has nothing worth keeping: it is removed, with a
    /// warning, instead of failing the login that is the way back.
    fn replace_unreadable(&self, profile: &Profile, timeout: Duration) -> Result<()> {
        let name = &profile.name;
        let Err(e) = self.store.load(name) else {
            return Ok(());
        };
        if e.kind() != Kind::Store {
            return Err(e);
        }
        self.out.warn(crate::t!(
            "ui-login-replaces-unreadable",
            error = e.message(),
            profile = name.as_str()
        ));
        let mut lock = self.store.lock(name, timeout + Duration::from_secs(5))?;
        lock.remove()
    }

    /// After `broker secret set` replaced the key of a [`static_key`] profile (an API key): the
    /// sinks and `rotate` hooks, so consumers follow a manual rotation (exit 7 when one fails).
    ///
    /// [`static_key`]: crate::grant::Grant::static_key
    pub fn key_replaced(&self, profile: &Profile) -> Result<()> {
        let state = crate::grant::static_state(profile, self.vault)?;
        let facts = Facts::of_state(Event::Rotate, profile, &state, None);
        self.fire(profile, &facts, Sinks::Write, Trigger::Event)
            .into_result()
    }

    /// `broker hooks run`: sinks and `rotate` hooks again, for the token stored now.
    pub fn rerun_hooks(&self, profile: &Profile) -> Result<()> {
        let name = &profile.name;
        hooks::refuse_nested(name, "run the hooks of")?;
        if self.hooks_of(profile, Event::Rotate) == 0 && profile.sinks.is_empty() {
            self.out
                .say(crate::t!("ui-hooks-run-nothing", profile = name.as_str()));
            return Ok(());
        }
        let Some(state) = self.current(profile)? else {
            return Err(HookError::NoStoredToken {
                profile: name.to_string(),
            }
            .into());
        };
        if state.is_expired(Utc::now()) {
            self.out
                .warn(crate::t!("ui-hooks-run-expired", profile = name.as_str()));
        }
        self.fire(
            profile,
            &Facts::of_state(Event::Rotate, profile, &state, None),
            Sinks::Write,
            Trigger::Person,
        )
        .into_result()
    }

    /// `broker hooks test`: every hook of the profile, whatever its `on`, with
    /// `BROKER_EVENT=test` and the stored token if there is one (without one the hooks run all
    /// the same, with no `BROKER_ACCESS_TOKEN`). Sinks are not written: a test changes nothing.
    pub fn test_hooks(&self, profile: &Profile) -> Result<()> {
        let name = &profile.name;
        hooks::refuse_nested(name, "run the hooks of")?;
        if self.hooks_of(profile, Event::Test) == 0 {
            self.out
                .say(crate::t!("ui-hooks-test-nothing", profile = name.as_str()));
            return Ok(());
        }
        let state = self.current(profile)?;
        let facts = match &state {
            Some(s) => Facts::of_state(Event::Test, profile, s, None),
            None => Facts {
                event: Event::Test,
                profile: name.clone(),
                grant: profile.grant.as_str(),
                app_key: profile.app_key.clone(),
                access_token: None,
                expires_at: None,
                previous_expires_at: None,
                scope: profile.scope.clone(),
                error: None,
                at: Utc::now(),
                sts: None,
            },
        };
        self.fire(profile, &facts, Sinks::Skip, Trigger::Person)
            .into_result()
    }

    /// The stored state, or for an API key the key itself (never stored).
    fn current(&self, profile: &Profile) -> Result<Option<TokenState>> {
        if profile.grant.static_key() {
            return crate::grant::static_state(profile, self.vault).map(Some);
        }
        self.store.load(&profile.name)
    }

    fn hooks_of(&self, profile: &Profile, event: Event) -> usize {
        self.cfg
            .hooks
            .iter()
            .chain(profile.hooks.iter())
            .filter(|h| event == Event::Test || h.on.contains(&event))
            .count()
    }

    /// Sinks and `rotate` hooks when `outcome` is a rotation by this process; `None` otherwise.
    fn after_outcome(&self, profile: &Profile, outcome: &Outcome) -> Option<Report> {
        match outcome {
            Outcome::Rotated {
                state,
                previous_expires_at,
            } => Some({
                // Other machines of a fleet run their own sinks and hooks on it (`watch`).
                self.store.announce(&profile.name, state);
                self.fire(
                    profile,
                    &Facts::of_state(Event::Rotate, profile, state, *previous_expires_at),
                    Sinks::Write,
                    Trigger::Event,
                )
            }),
            Outcome::Cached(_) | Outcome::RotatedElsewhere(_) => None,
        }
    }

    /// `refresh_failed` hooks when the failure was an attempt to rotate; `None` otherwise.
    fn after_failure(&self, profile: &Profile, failed: &Failed) -> Option<Report> {
        failed.attempt.as_ref()?;
        Some(self.fire(
            profile,
            &Facts::of_failure(profile, failed),
            Sinks::Skip,
            Trigger::Event,
        ))
    }

    /// Sinks and `login` hooks after a login was saved.
    fn after_login(
        &self,
        profile: &Profile,
        state: &TokenState,
        previous_expires_at: Option<DateTime<Utc>>,
    ) -> Report {
        self.store.announce(&profile.name, state);
        self.fire(
            profile,
            &Facts::of_state(Event::Login, profile, state, previous_expires_at),
            Sinks::Write,
            Trigger::Event,
        )
    }

    fn fire(&self, profile: &Profile, facts: &Facts, sinks: Sinks, trigger: Trigger) -> Report {
        hooks::fire(
            &self.out, self.cfg, self.store, profile, facts, sinks, trigger,
        )
    }
}

/// The token as `broker token` prints it, whoever obtained it (this process or an agent).
/// A closed reader (`broker token | head -c1`) is not an error.
pub fn write_token(
    profile: &Profile,
    state: &TokenState,
    format: TokenFormat,
    w: &mut dyn Write,
) -> Result<()> {
    let data = match format {
        TokenFormat::Json => crate::export::token_json(
            profile,
            &state.access_token,
            (!profile.grant.static_key()).then_some(state.expires_at),
            state.scope.as_deref(),
            state.sts.as_ref(),
        ),
        TokenFormat::Plain => Zeroizing::new(format!("{}\n", state.access_token.expose())),
    };
    match w.write_all(data.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(InternalError::Stdout {
            reason: crate::error::internal::io_reason(&e),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FlagSettings, Paths, Plaintext};
    use crate::secret::AccessToken;
    use crate::store::identity::IdentitySource;
    use std::sync::Mutex;

    /// Messages kept, not printed: what another front end would do with them.
    #[derive(Default)]
    struct Kept(Mutex<Vec<String>>);

    impl Messages for Kept {
        fn say(&self, msg: String) {
            self.0.lock().unwrap().push(msg);
        }
        fn warn(&self, msg: String) {
            self.0.lock().unwrap().push(format!("warning: {msg}"));
        }
        fn debug(&self, _level: u8, msg: String) {
            self.0.lock().unwrap().push(format!("debug: {msg}"));
        }
    }

    #[test]
    fn the_service_writes_to_the_writer_and_messages_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config: dir.path().join("profiles.toml"),
            state_dir: dir.path().join("state"),
            default_identity: dir.path().join("identity.txt"),
        };
        let text = "[profiles.ai]\ngrant = \"ai\"\napp_key = \"k\"\nsecret_key_env = \"SERVICE_TEST_SK\"\n\
                    [[profiles.ai.hooks]]\nname = \"hello\"\non = [\"rotate\"]\nrun = \"echo hello-from-hook\"\n";
        let cfg = Config::from_text(
            paths.clone(),
            text,
            &FlagSettings::default(),
            Plaintext::Refuse,
        )
        .unwrap();
        let key = age::x25519::Identity::generate();
        let vault = Vault::new(
            vec![key.to_public().to_string()],
            IdentitySource::Key(key.to_string()),
        );
        let store = crate::store::open(paths.state_dir.clone(), vault);
        let profile = cfg
            .profile(&crate::profile::ProfileName::parse("ai").unwrap())
            .unwrap();
        {
            let now = Utc::now();
            let mut lock = store.lock(&profile.name, Duration::ZERO).unwrap();
            lock.load().unwrap();
            lock.save(&TokenState::new(
                "ai",
                AccessToken::new("24.cached"),
                now + chrono::TimeDelta::days(30),
                now,
            ))
            .unwrap();
        }
        let kept = Arc::new(Kept::default());
        let service = TokenService::new(&cfg, &store, kept.clone());
        let policy = Policy {
            min_ttl: Duration::from_secs(3600),
            explicit: false,
            force: false,
            timeout: Duration::from_secs(5),
            rejected: None,
        };
        // Twice: the core is reusable, and a cached token needs no network and fires no hook.
        for _ in 0..2 {
            let mut written = Vec::new();
            service
                .token(profile, policy, TokenFormat::Plain, &mut written)
                .unwrap();
            assert_eq!(written, b"24.cached\n");
        }
        assert!(kept.0.lock().unwrap().is_empty());
        // The hook's output and the verdict reach the messages given.
        service.test_hooks(profile).unwrap();
        let said = kept.0.lock().unwrap().join("\n");
        assert!(said.contains("[hook hello] hello-from-hook"), "{said}");
        assert!(said.contains("hook `hello`: ok (exit 0)"), "{said}");
    }
}
