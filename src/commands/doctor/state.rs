//! Per profile: the SecretKey can be read, and the stored state is usable.

use chrono::{DateTime, SecondsFormat, Utc};

use super::report::Report;
use crate::config::{Profile, SecretSource};
use crate::duration::relative;
use crate::error::{Kind, sanitize};
use crate::store::{BackendInfo, Journal, SealedStore, StateStore, Vault};

/// Where the SecretKey lives, and whether it can be read.
pub(super) fn check_secret(profile: &Profile, vault: Option<&Vault>, r: &mut Report) {
    let name = profile.name.as_str();
    let p = Some(name);
    match &profile.secret {
        SecretSource::Encrypted(armored) => match vault {
            None => {}
            Some(vault) => match vault.decrypt_secret(armored) {
                Ok(_) => r.ok("secret", p, crate::t!("ui-doctor-secret-ok")),
                Err(e) => r.fail_with(
                    "secret",
                    p,
                    &e,
                    &crate::t!("ui-doctor-secret-fix", profile = name),
                ),
            },
        },
        SecretSource::Env(var) => match std::env::var_os(var) {
            Some(v) if !v.is_empty() => r.ok(
                "secret",
                p,
                crate::t!("ui-doctor-secret-env-ok", var = var.as_str()),
            ),
            _ => r.fail(
                "secret",
                p,
                Kind::Usage,
                crate::t!("ui-doctor-secret-env-unset", var = var.as_str()),
                crate::t!(
                    "ui-doctor-secret-env-unset-fix",
                    var = var.as_str(),
                    profile = name
                ),
            ),
        },
        SecretSource::Plaintext => r.fail(
            "secret",
            p,
            Kind::Usage,
            crate::t!("ui-doctor-secret-plaintext"),
            crate::t!("ui-doctor-secret-plaintext-fix"),
        ),
        SecretSource::Missing => r.fail(
            "secret",
            p,
            Kind::Usage,
            crate::t!("ui-doctor-secret-missing"),
            crate::t!("ui-doctor-secret-missing-fix", profile = name),
        ),
    }
}

/// The store itself: for Redis, that it answers and keeps an append-only file (without one, a
/// crash of Redis loses the last writes: a lost write can be a lost lineage).
pub(super) fn check_store(store: &SealedStore, r: &mut Report) {
    let BackendInfo {
        name,
        location,
        reachable,
        appendonly,
    } = store.info();
    if name == "file" {
        return;
    }
    match reachable {
        Err(why) => {
            return r.fail(
                "store",
                None,
                Kind::Network,
                why,
                crate::t!("ui-doctor-store-fix"),
            );
        }
        Ok(()) => r.ok(
            "store",
            None,
            crate::t!(
                "ui-doctor-store-ok",
                backend = name,
                location = location.as_str()
            ),
        ),
    }
    match appendonly {
        Some(true) => r.ok("store", None, crate::t!("ui-doctor-store-appendonly")),
        Some(false) => r.warn(
            "store",
            None,
            crate::t!("ui-doctor-store-no-appendonly"),
            crate::t!("ui-doctor-store-no-appendonly-fix"),
        ),
        None => r.warn(
            "store",
            None,
            crate::t!("ui-doctor-store-appendonly-unknown"),
            crate::t!("ui-doctor-store-appendonly-unknown-fix"),
        ),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The stored state: readable, no journal mark left, no login needed, not expired.
pub(super) fn check_state(profile: &Profile, store: &dyn StateStore, r: &mut Report) {
    let name = profile.name.as_str();
    let p = Some(name);
    let login = crate::t!("ui-doctor-state-login-fix", profile = name);
    if profile.grant.static_key() {
        // An API key is the token: nothing is stored (the secret check read it).
        return r.ok("state", p, crate::t!("ui-doctor-state-api-key"));
    }
    let state = match store.load(&profile.name) {
        Err(e) => return r.fail_with("state", p, &e, &login),
        Ok(None) if profile.grant.needs_login() => {
            return r.warn(
                "state",
                p,
                crate::t!("ui-doctor-state-not-logged-in"),
                login,
            );
        }
        Ok(None) => return r.ok("state", p, crate::t!("ui-doctor-state-no-token")),
        Ok(Some(s)) => s,
    };
    let now = Utc::now();
    if let Some(n) = &state.needs_login {
        return r.fail(
            "state",
            p,
            Kind::NeedsPerson,
            crate::t!(
                "ui-doctor-state-refused",
                at = time(n.at),
                reason = sanitize(&n.reason)
            ),
            login,
        );
    }
    match store.journal(&profile.name, &state) {
        Some(Journal::UnderWay(f)) => {
            let who = store
                .holder(&profile.name)
                .unwrap_or_else(|| format!("pid {}", f.pid));
            return r.warn(
                "state",
                p,
                crate::t!("ui-doctor-state-under-way", holder = who),
                crate::t!("ui-doctor-state-under-way-fix"),
            );
        }
        // Not a failure any more: the next use presents the refresh token once more.
        Some(Journal::Interrupted(f)) => {
            return r.warn(
                "state",
                p,
                crate::t!("ui-doctor-state-interrupted", story = f.story()),
                crate::t!("ui-doctor-state-interrupted-fix", profile = name),
            );
        }
        None => {}
    }
    let left = relative(state.seconds_left(now));
    if state.is_expired(now) {
        let detail = if profile.grant.refreshes() {
            crate::t!("ui-doctor-state-expired-refresh", left = left)
        } else {
            crate::t!("ui-doctor-state-expired-fetch", left = left)
        };
        return r.warn(
            "state",
            p,
            detail,
            crate::t!("ui-doctor-state-expired-fix", profile = name),
        );
    }
    r.ok(
        "state",
        p,
        crate::t!(
            "ui-doctor-state-ok",
            until = time(state.expires_at),
            left = left,
            generation = state.generation
        ),
    );
}
