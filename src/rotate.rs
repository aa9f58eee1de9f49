//! The single-flight rotation path (SPEC §8): is it due? lock, re-read, ask Baidu once,
//! save durably, release. The same path for every grant, because a second token for the same
//! credential may kill the first.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::baidu::client::Client;
use crate::config::{Grant, Profile};
use crate::error::{Error, Result};
use crate::grant::{self, Fresh, netdisk};
use crate::store::state::{InFlight, NeedsLogin};
use crate::store::{StateStore, TokenState, Vault};
use crate::ui;

/// What [`ensure`] did.
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
    /// Rotate even when not due (unless another process just did).
    pub force: bool,
    /// How long Baidu may take, retries included.
    pub timeout: Duration,
}

/// Due when less than `min_ttl` is left — but never more than half the token's lifetime, so a
/// `refresh_before` longer than Baidu's lifetime cannot make every call rotate.
pub fn is_due(state: &TokenState, now: DateTime<Utc>, min_ttl: Duration) -> bool {
    let lifetime = (state.expires_at - state.obtained_at)
        .to_std()
        .unwrap_or_default();
    state.is_due(now, min_ttl.min(lifetime / 2))
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

/// A valid token for `profile`, rotating it first when due.
pub fn ensure(
    store: &dyn StateStore,
    vault: &Vault,
    profile: &Profile,
    policy: Policy,
) -> Result<Outcome> {
    ensure_observed(store, vault, profile, policy).map_err(|f| f.error)
}

/// [`ensure`], saying on failure whether a rotation was attempted (for `refresh_failed` hooks).
/// The warm-cache path is the same: one state read, no lock.
pub fn ensure_observed(
    store: &dyn StateStore,
    vault: &Vault,
    profile: &Profile,
    policy: Policy,
) -> Result<Outcome, Failed> {
    let name = &profile.name;
    // Fast path, no lock: readers never block, because writers replace files atomically.
    let seen = store.load(name)?;
    if let Some(state) = &seen {
        check_needs_login(profile, state)?;
        // A journal mark seen without the lock may belong to a refresh under way right now:
        // wait for the lock and look again.
        if state.refresh_in_flight.is_none()
            && !policy.force
            && !is_due(state, Utc::now(), policy.min_ttl)
        {
            return Ok(Outcome::Cached(state.clone()));
        }
    } else if profile.grant == Grant::Netdisk {
        return Err(not_logged_in(profile).into());
    }

    let mut lock = store.lock(name, policy.timeout + Duration::from_secs(5))?;
    let current = lock.load()?;
    // Someone else rotated while we waited: their token is ours too.
    if let Some(state) = &current
        && seen
            .as_ref()
            .is_none_or(|s| s.generation != state.generation)
    {
        check_usable(profile, state)?;
        if !is_due(state, Utc::now(), policy.min_ttl) || policy.force {
            return Ok(Outcome::RotatedElsewhere(state.clone()));
        }
    }
    if let Some(state) = &current {
        check_usable(profile, state)?;
    }

    let previous_expires_at = current.as_ref().map(|s| s.expires_at);
    let attempted = |error: Error| Failed {
        error,
        attempt: Some(Attempt {
            expires_at: previous_expires_at,
            scope: current.as_ref().and_then(|s| s.scope.clone()),
        }),
    };
    if profile.grant == Grant::Netdisk && current.is_none() {
        return Err(not_logged_in(profile).into());
    }
    let state = (|| -> Result<TokenState> {
        let secret = grant::secret_key(profile, vault)?;
        let client = Client::new(policy.timeout)?;
        let fresh = match (profile.grant, current.clone()) {
            (Grant::Netdisk, Some(mut state)) => {
                refresh_netdisk(&mut *lock, &client, profile, &secret, &mut state)?
            }
            (Grant::Netdisk, None) => return Err(not_logged_in(profile)),
            (Grant::Ai | Grant::Bce, _) => grant::fetch_unattended(&client, profile, &secret)?,
        };
        let state = fresh.into_state(profile.grant, current.as_ref(), Utc::now());
        lock.save(&state)?;
        Ok(state)
    })()
    .map_err(attempted)?;
    drop(lock);
    ui::debug(
        1,
        format!("rotated `{name}` (generation {})", state.generation),
    );
    Ok(Outcome::Rotated {
        state,
        previous_expires_at,
    })
}

/// The journal protocol for a single-use refresh token: mark, send once, settle the mark.
fn refresh_netdisk(
    lock: &mut dyn crate::store::ProfileLock,
    client: &Client,
    profile: &Profile,
    secret: &crate::secret::SecretKey,
    state: &mut TokenState,
) -> Result<Fresh> {
    let Some(refresh_token) = state.refresh_token.clone() else {
        return Err(not_logged_in(profile));
    };
    state.refresh_in_flight = Some(InFlight {
        started_at: Utc::now(),
        pid: std::process::id(),
        generation: state.generation,
    });
    // Durable before the token leaves: a crash from here on is visible to the next run.
    lock.save(state)?;
    match netdisk::refresh(client, profile, secret, &refresh_token) {
        Ok(fresh) => Ok(fresh),
        Err(netdisk::RefreshError::Rejected(e)) => {
            state.refresh_in_flight = None;
            state.needs_login = Some(NeedsLogin {
                reason: e.message().to_owned(),
                at: Utc::now(),
            });
            lock.save(state)?;
            Err(e)
        }
        Err(netdisk::RefreshError::Answered(e) | netdisk::RefreshError::NotSent(e)) => {
            // Baidu did not take the refresh token (or never saw it): it is still the live one.
            state.refresh_in_flight = None;
            lock.save(state)?;
            Err(e)
        }
        Err(netdisk::RefreshError::Unknown(e)) => {
            // The mark stays: whether the token was spent cannot be known, and guessing wrong
            // means sending it twice.
            Err(e
                .map_message(|m| format!("{m}; the refresh token may have been spent"))
                .with_hint(format!(
                    "run `broker token {}` to see; `broker login {}` if it says so",
                    profile.name, profile.name
                )))
        }
    }
}

/// Refuses a state that Baidu said needs a new login.
fn check_needs_login(profile: &Profile, state: &TokenState) -> Result<()> {
    let name = &profile.name;
    match &state.needs_login {
        Some(n) => Err(Error::needs_person(format!(
            "profile `{name}` needs a new login since {}: {}",
            n.at.format("%Y-%m-%d %H:%M UTC"),
            n.reason
        ))
        .with_hint(format!("run `broker login {name}`"))),
        None => Ok(()),
    }
}

/// Under the lock: refuses a state that needs a person. A journal mark seen here was left by
/// a process that died mid-refresh, since a live one would still hold the lock.
fn check_usable(profile: &Profile, state: &TokenState) -> Result<()> {
    let name = &profile.name;
    check_needs_login(profile, state)?;
    if let Some(f) = &state.refresh_in_flight {
        return Err(Error::needs_person(format!(
            "a refresh of `{name}` was interrupted at {} (pid {}) before its answer was saved; the refresh token may be spent",
            f.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            f.pid
        ))
        .with_hint(format!("run `broker login {name}` (broker never sends a refresh token twice)")));
    }
    Ok(())
}

fn not_logged_in(profile: &Profile) -> Error {
    let name = &profile.name;
    Error::needs_person(format!("profile `{name}` is not logged in"))
        .with_hint(format!("run `broker login {name}`"))
}

/// Saves the token of a new authorization (login): a fresh lineage, marks cleared.
pub fn save_login(
    store: &dyn StateStore,
    profile: &Profile,
    fresh: Fresh,
    timeout: Duration,
) -> Result<(TokenState, Option<DateTime<Utc>>)> {
    let mut lock = store.lock(&profile.name, timeout + Duration::from_secs(5))?;
    let previous = lock.load()?;
    let state = fresh.into_state(profile.grant, previous.as_ref(), Utc::now());
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
    fn a_short_lived_token_is_not_due_right_after_it_was_obtained() {
        // 1h tokens with the 24h default: due only in the second half of their life.
        let day = Duration::from_secs(86400);
        assert!(!is_due(&state(3600, 3590), Utc::now(), day));
        assert!(is_due(&state(3600, 1700), Utc::now(), day));
    }
}
