//! The single-flight rotation path (SPEC §8): is it due? lock, re-read, ask Baidu once,
//! save durably, release. The same path for every grant, because a second token for the same
//! credential may kill the first.

mod journal;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::baidu::client::Client;
use crate::config::Profile;
use crate::error::{Error, GrantError, Hint, InternalError, Note, Result};
use crate::failpoint;
use crate::grant::{self, Fresh};
use crate::store::state::{NeedsLogin, Told};
use crate::store::{Place, StateStore, TokenState, Vault};
use crate::ui::Messages;
use journal::refresh_netdisk;

/// What [`ensure_observed`] did.
pub enum Outcome {
    /// The stored token was good enough; nothing was asked of Baidu.
    Cached(TokenState),
    /// This process rotated the token.
    Rotated {
        state: TokenState,
        previous_expires_at: Option<DateTime<Utc>>,
    },
    /// Another process rotated it while this one waited for the lock.
    RotatedElsewhere(TokenState),
}

impl Outcome {
    pub fn state(&self) -> &TokenState {
        match self {
            Outcome::Cached(s)
            | Outcome::RotatedElsewhere(s)
            | Outcome::Rotated { state: s, .. } => s,
        }
    }
    pub fn into_state(self) -> TokenState {
        match self {
            Outcome::Cached(s)
            | Outcome::RotatedElsewhere(s)
            | Outcome::Rotated { state: s, .. } => s,
        }
    }
}

/// When to rotate.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Rotate when less than this is left.
    pub min_ttl: Duration,
    /// `min_ttl` was asked for (`--min-ttl`), not the `refresh_before` default: a promise about
    /// the token handed out, so it is not capped at half the lifetime, and a token that cannot
    /// keep it is refused (exit 2) rather than printed.
    pub explicit: bool,
    /// Rotate even when not due (unless another process just did).
    pub force: bool,
    /// How long Baidu may take, retries included.
    pub timeout: Duration,
    /// `token --rejected`: the generation of the token reported rejected. Only that
    /// generation is rotated (with `force`): a report about a token already replaced gets the
    /// current one, so many reports of one token coalesce into one rotation.
    pub rejected: Option<u64>,
}

/// A token reported rejected within this long after it was issued was rejected "right after
/// it was issued": twice in a row stops the loop (exit 5).
pub const REJECTED_FRESH: Duration = Duration::from_secs(60);

/// Due when less than `min_ttl` is left — but never more than half the token's lifetime, so a
/// `refresh_before` longer than Baidu's lifetime cannot make every call rotate.
pub fn is_due(state: &TokenState, now: DateTime<Utc>, min_ttl: Duration) -> bool {
    state.is_due(now, min_ttl.min(lifetime(state) / 2))
}

/// [`is_due`] under `policy`: an explicit `--min-ttl` is not capped.
fn due(state: &TokenState, now: DateTime<Utc>, policy: &Policy) -> bool {
    if policy.explicit {
        state.is_due(now, policy.min_ttl)
    } else {
        is_due(state, now, policy.min_ttl)
    }
}

/// How long the token lived when it was obtained: Baidu's lifetime for it.
fn lifetime(state: &TokenState) -> Duration {
    (state.expires_at - state.obtained_at)
        .to_std()
        .unwrap_or_default()
}

/// An explicit `--min-ttl` that a token of this lifetime cannot keep even when fresh: exit 2.
/// Checked on the new token, and before rotating when the stored token's lifetime is Baidu's
/// (a rotation could not help, and a netdisk one would spend a refresh token for nothing, on
/// every call). A stored lifetime that is not Baidu's — an imported token's, or the zero of
/// an answer saved without a usable `expires_in` — is not checked: the rotation tells.
pub fn check_stored_promise(profile: &str, state: &TokenState, policy: &Policy) -> Result<()> {
    if state.imported || lifetime(state).is_zero() {
        return Ok(());
    }
    check_promise(profile, state, policy)
}

/// [`check_stored_promise`] for a token just obtained from Baidu.
pub fn check_promise(profile: &str, state: &TokenState, policy: &Policy) -> Result<()> {
    // To the minute: `obtained_at` is stamped a moment after Baidu's clock started.
    let life = match lifetime(state).as_secs() {
        s if s >= 3600 => Duration::from_secs((s + 30) / 60 * 60),
        s => Duration::from_secs(s),
    };
    if !policy.explicit || policy.min_ttl <= life {
        return Ok(());
    }
    let fmt = crate::duration::format;
    Err(GrantError::MinTtlUnmet {
        profile: profile.to_string(),
        min_ttl: fmt(policy.min_ttl),
        life: fmt(life),
    }
    .into())
}

/// A rotation that failed, and whether it failed while asking Baidu for a new token.
pub struct Failed {
    pub error: Error,
    /// Set when this process held the lock, found the token due and could not get a new one:
    /// the `refresh_failed` event of SPEC §8. `None` for failures before that point (config,
    /// store, lock, a profile already marked as needing a login), which fire no hook: they
    /// would fire on every call without anything having been tried.
    pub attempt: Option<Attempt>,
}

/// What is known of the token still stored when an attempt to rotate it failed.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// The expiry of the stored token (it may have passed); `None` if there was none.
    pub expires_at: Option<DateTime<Utc>>,
    pub scope: Option<String>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed {
            error,
            attempt: None,
        }
    }
}

/// A valid token for `profile`, rotating it first when due, saying on failure whether a
/// rotation was attempted (for `refresh_failed` hooks). The warm-cache path: one state read,
/// no lock. Sinks and hooks are not run here: [`crate::service`] composes them.
pub fn ensure_observed(
    out: &dyn Messages,
    store: &dyn StateStore,
    vault: &Vault,
    profile: &Profile,
    policy: Policy,
) -> Result<Outcome, Failed> {
    let name = &profile.name;
    // Only a netdisk state holds a single-use lineage that a copy could split.
    let here = if profile.grant.refreshes() {
        store.place(name)
    } else {
        None
    };
    let mut warned = false;
    // Fast path, no lock: readers never block, because writers replace files atomically.
    let seen = store.load(name)?;
    if let Some(state) = &seen {
        check_needs_login(profile, state)?;
        if policy.rejected.is_some_and(|g| g != state.generation) {
            return Ok(Outcome::Cached(state.clone()));
        }
        if state.handed_off.is_some() {
            return serve_handed_off(profile, state, &policy).map_err(Failed::from);
        }
        check_stored_promise(name.as_str(), state, &policy)?;
        if state.newly_copied(here.as_ref()) {
            warn_copied(out, profile, state, here.as_ref());
            warned = true;
        }
        // A journal mark seen without the lock may belong to a refresh under way right now:
        // wait for the lock and look again.
        if state.refresh_in_flight.is_none() && !policy.force && !due(state, Utc::now(), &policy) {
            if warned {
                record_copy(out, store, profile, state, here.as_ref());
            }
            return Ok(Outcome::Cached(state.clone()));
        }
    } else if profile.grant.needs_login() {
        return Err(not_logged_in(profile).into());
    }

    // The nesting guard: inside a hook of this profile, a rotation would fire that hook again.
    // A token still valid is served, even when due; otherwise the rotation is refused.
    if crate::hooks::inside_hook_of(name) {
        if let Some(state) = &seen
            && !policy.force
            && !state.is_expired(Utc::now())
        {
            return Ok(Outcome::Cached(state.clone()));
        }
        crate::hooks::refuse_nested(name, "rotate")?;
    }
    let mut lock = store.lock(name, policy.timeout + Duration::from_secs(5))?;
    let current = lock.load()?;
    // Someone else rotated while we waited: their token is ours too.
    if let Some(state) = &current
        && seen
            .as_ref()
            .is_none_or(|s| s.generation != state.generation)
    {
        check_needs_login(profile, state)?;
        if state.refresh_in_flight.is_none() && (!due(state, Utc::now(), &policy) || policy.force) {
            return Ok(Outcome::RotatedElsewhere(state.clone()));
        }
    }
    if let Some(state) = &current {
        check_needs_login(profile, state)?;
        if state.handed_off.is_some() {
            return serve_handed_off(profile, state, &policy).map_err(Failed::from);
        }
        if !warned && state.newly_copied(here.as_ref()) {
            warn_copied(out, profile, state, here.as_ref());
        }
    }

    let rejected_streak = match (&current, policy.rejected) {
        (Some(state), Some(_)) => rejected_streak(profile, state)?,
        _ => 0,
    };
    let previous_expires_at = current.as_ref().map(|s| s.expires_at);
    let attempted = |error: Error| Failed {
        error,
        attempt: Some(Attempt {
            expires_at: previous_expires_at,
            scope: current.as_ref().and_then(|s| s.scope.clone()),
        }),
    };
    if profile.grant.needs_login() && current.is_none() {
        return Err(not_logged_in(profile).into());
    }
    // Before anything is sent: a state this identity cannot read back would strand the new
    // token (and, for netdisk, the refresh token Baidu has just taken).
    vault.check_readable_here()?;
    let result = (|| -> Result<(TokenState, Option<Error>)> {
        let secret = grant::secret_key(profile, vault)?;
        failpoint::panic_with("rotate.panic-holding-secret", secret.expose());
        let client = Client::new(policy.timeout, out)?;
        // Not sent by a refresh, but still a secret an answer must not carry on.
        if let Some(current) = &current {
            client.knows(current.access_token.expose());
        }
        let (fresh, deferred) = match current.clone() {
            // A plugin that handed out no refresh token fetches again with the SecretKey.
            Some(mut state)
                if profile.grant.refreshes()
                    && (state.refresh_token.is_some() || profile.grant.needs_login()) =>
            {
                refresh_netdisk(
                    out,
                    &mut *lock,
                    &client,
                    profile,
                    &secret,
                    &mut state,
                    here.as_ref(),
                )?
            }
            None if profile.grant.needs_login() => return Err(not_logged_in(profile)),
            _ => {
                failpoint::hit("rotate.before-send");
                (grant::fetch_unattended(&client, profile, &secret)?, None)
            }
        };
        failpoint::hit("rotate.after-answer");
        let mut state = fresh.into_state(profile.grant, current.as_ref(), Utc::now());
        // The same lineage as long as refresh tokens chain; a new one only at a login.
        if state.refresh_token.is_some() {
            state.lineage = (current.as_ref().and_then(|c| c.lineage.clone()))
                .or_else(|| Some(TokenState::new_lineage()));
        }
        state.stamp(here.as_ref());
        state.rejected_streak = rejected_streak;
        lock.save(&state).map_err(|e| {
            if !profile.grant.refreshes() {
                return e;
            }
            // The journal mark saved before sending stays, so the next run says what happened.
            e.note(Note::NewTokenLost {
                profile: name.to_string(),
            })
        })?;
        failpoint::hit("rotate.after-save");
        Ok((state, deferred))
    })();
    let (state, deferred) = match result {
        Ok(done) => done,
        Err(e) => {
            if e.exit_code() == 4 {
                record_rejection(&mut *lock, &e);
            }
            // A recovery that got no settling answer (Baidu down, a 5xx) keeps its mark for
            // the next rotation. The stored token is still good and not due: serve it rather
            // than turn an outage into an error for every `token` call.
            if let Ok(Some(kept)) = lock.load()
                && kept.refresh_in_flight.is_some()
                && kept.needs_login.is_none()
                && !policy.force
                && !due(&kept, Utc::now(), &policy)
            {
                out.warn(crate::t!(
                    "ui-rotate-serving-stored",
                    error = e.message(),
                    profile = name.as_str()
                ));
                return Ok(Outcome::Cached(kept));
            }
            return Err(attempted(e));
        }
    };
    drop(lock);
    if let Some(error) = deferred {
        return Err(attempted(error));
    }
    out.debug(
        1,
        format!("rotated `{name}` (generation {})", state.generation),
    );
    Ok(Outcome::Rotated {
        state,
        previous_expires_at,
    })
}

/// The loop guard of `token --rejected`, under the lock, for the token `state` holds (the
/// one reported): the streak the new token starts with, or exit 5 when this token and the one
/// before it were both reported right after they were issued.
fn rejected_streak(profile: &Profile, state: &TokenState) -> Result<u8> {
    let age = (Utc::now() - state.obtained_at)
        .to_std()
        .unwrap_or_default();
    if age >= REJECTED_FRESH {
        return Ok(0);
    }
    if state.rejected_streak >= 1 {
        return Err(GrantError::RejectedLoop {
            profile: profile.name.to_string(),
        }
        .into());
    }
    Ok(state.rejected_streak + 1)
}

/// Baidu rejected the app's credentials: noted in the state, when there is one, so that
/// `status` can say so (the failing command already did). Best effort: a state that cannot
/// be written changes nothing about the error being reported.
fn record_rejection(lock: &mut dyn crate::store::ProfileLock, e: &Error) {
    if let Ok(Some(mut state)) = lock.load() {
        state.credentials_rejected = Some(NeedsLogin {
            reason: Told::error(e),
            at: Utc::now(),
        });
        let _ = lock.save(&state);
    }
}

/// Says, once, that a netdisk state is read somewhere other than where it was written.
fn warn_copied(out: &dyn Messages, profile: &Profile, state: &TokenState, here: Option<&Place>) {
    let (Some(from), Some(here)) = (state.copied_from(here), here) else {
        return;
    };
    let (name, from, here) = (profile.name.as_str(), from.to_string(), here.to_string());
    out.warn(match state.lineage.as_deref() {
        Some(lineage) => crate::t!(
            "ui-rotate-copied-lineage",
            profile = name,
            lineage = lineage,
            from = from,
            here = here
        ),
        None => crate::t!("ui-rotate-copied", profile = name, from = from, here = here),
    });
}

/// Saves a copied state where it now is, recording where it came from: the
/// warning is not repeated on every call, and a refresh token later found spent can be
/// explained. Best effort, under a short wait for the lock: if it fails nothing changes, and
/// the warning comes again next time.
fn record_copy(
    out: &dyn Messages,
    store: &dyn StateStore,
    profile: &Profile,
    seen: &TokenState,
    here: Option<&Place>,
) {
    let saved = (|| -> Result<()> {
        let mut lock = store.lock(&profile.name, Duration::from_secs(1))?;
        if let Some(state) = lock.load()?
            && state.generation == seen.generation
            && state.refresh_in_flight.is_none()
            && state.newly_copied(here)
        {
            let mut state = state;
            state.stamp(here);
            lock.save(&state)?;
        }
        Ok(())
    })();
    if let Err(e) = saved {
        out.debug(
            1,
            format!(
                "could not record that `{}` was copied: {}",
                profile.name,
                e.message()
            ),
        );
    }
}

/// A state handed off to another store (`broker state export`): its token is served until it
/// is due; after that, exit 3 naming when and to whom. Never a rotation here.
fn serve_handed_off(profile: &Profile, state: &TokenState, policy: &Policy) -> Result<Outcome> {
    let name = &profile.name;
    if !policy.force && !due(state, Utc::now(), policy) {
        return Ok(Outcome::Cached(state.clone()));
    }
    Err(match &state.handed_off {
        Some(h) => h.error(name.as_str(), false),
        None => InternalError::Unreachable {
            what: "a state served as handed off without its mark",
        }
        .into(),
    })
}

/// Refuses a state that Baidu said needs a new login.
fn check_needs_login(profile: &Profile, state: &TokenState) -> Result<()> {
    let name = &profile.name;
    match &state.needs_login {
        Some(n) => Err(GrantError::NeedsLogin {
            profile: name.to_string(),
            since: n.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            reason: n.reason.as_fact(),
            hint: Hint::Login {
                profile: name.to_string(),
            },
        }
        .into()),
        None => Ok(()),
    }
}

fn not_logged_in(profile: &Profile) -> Error {
    GrantError::NotLoggedIn {
        profile: profile.name.to_string(),
    }
    .into()
}

/// Saves the token of a new authorization (login): a fresh lineage, marks cleared.
/// `imported`: the token came from `login --with-token`, not from Baidu just now.
pub fn save_login(
    store: &dyn StateStore,
    profile: &Profile,
    fresh: Fresh,
    imported: bool,
    timeout: Duration,
) -> Result<(TokenState, Option<DateTime<Utc>>)> {
    let mut lock = store.lock(&profile.name, timeout + Duration::from_secs(5))?;
    let previous = lock.load()?;
    let mut state = fresh.into_state(profile.grant, previous.as_ref(), Utc::now());
    state.imported = imported;
    if state.refresh_token.is_some() {
        state.lineage = Some(TokenState::new_lineage());
        state.stamp(store.place(&profile.name).as_ref());
    }
    lock.save(&state)?;
    Ok((state, previous.map(|p| p.expires_at)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::AccessToken;
    use chrono::TimeDelta;

    fn state(lifetime_secs: i64, left_secs: i64) -> TokenState {
        let now = Utc::now();
        let expires = now + TimeDelta::seconds(left_secs);
        TokenState::new(
            "ai",
            AccessToken::new("t"),
            expires,
            expires - TimeDelta::seconds(lifetime_secs),
        )
    }

    #[test]
    fn due_when_less_than_min_ttl_is_left() {
        let day = Duration::from_secs(86400);
        assert!(!is_due(&state(30 * 86400, 10 * 86400), Utc::now(), day));
        assert!(is_due(&state(30 * 86400, 3600), Utc::now(), day));
        assert!(is_due(&state(30 * 86400, -5), Utc::now(), day));
    }

    #[test]
    fn an_explicit_min_ttl_is_not_capped_and_must_fit_the_lifetime() {
        let day = 86400;
        let policy = |d: u64, explicit| Policy {
            min_ttl: Duration::from_secs(d * day),
            explicit,
            force: false,
            timeout: Duration::from_secs(30),
            rejected: None,
        };
        // 30-day token, 20 days left: 25d is past the 15d cap, but asked for explicitly.
        let s = state(30 * day as i64, 20 * day as i64);
        assert!(!due(&s, Utc::now(), &policy(25, false)));
        assert!(due(&s, Utc::now(), &policy(25, true)));
        let p = "nd";
        assert!(check_promise(p, &s, &policy(30, true)).is_ok());
        assert!(check_promise(p, &s, &policy(40, false)).is_ok());
        let err = check_promise(p, &s, &policy(40, true)).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("30d"), "{}", err.message());
    }

    #[test]
    fn a_short_lived_token_is_not_due_right_after_it_was_obtained() {
        // 1h tokens with the 24h default: due only in the second half of their life.
        let day = Duration::from_secs(86400);
        assert!(!is_due(&state(3600, 3590), Utc::now(), day));
        assert!(is_due(&state(3600, 1700), Utc::now(), day));
    }
}
