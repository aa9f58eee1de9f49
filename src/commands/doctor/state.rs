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
                Ok(_) => r.ok("secret", p, "encrypted in the config; decrypts"),
                Err(e) => r.fail_with(
                    "secret",
                    p,
                    &e,
                    &format!("set it again with `broker secret set {name}`"),
                ),
            },
        },
        SecretSource::Env(var) => match std::env::var_os(var) {
            Some(v) if !v.is_empty() => r.ok("secret", p, format!("from `{var}`, which is set")),
            _ => r.fail(
                "secret",
                p,
                Kind::Usage,
                format!("`secret_key_env = \"{var}\"`, but `{var}` is not set here"),
                format!("export `{var}`, or store the SecretKey with `broker secret set {name}`"),
            ),
        },
        SecretSource::Plaintext => r.fail(
            "secret",
            p,
            Kind::Usage,
            "the SecretKey is plaintext in the config",
            "run `broker secret encrypt`",
        ),
        SecretSource::Missing => r.fail(
            "secret",
            p,
            Kind::Usage,
            "no SecretKey (neither `secret_key` nor `secret_key_env`)",
            format!("set one with `broker secret set {name}`"),
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
                "start Redis or fix `[store] url` / `BROKER_REDIS_URL`",
            );
        }
        Ok(()) => r.ok("store", None, format!("{name} at {location} answers")),
    }
    match appendonly {
        Some(true) => r.ok("store", None, "Redis keeps an append-only file (`appendonly yes`)"),
        Some(false) => r.warn(
            "store",
            None,
            "Redis has `appendonly no`: a crash loses the last writes, and a lost write of a netdisk state is a lost lineage (`broker login` again)",
            "set `appendonly yes` (and `appendfsync everysec` or `always`) in redis.conf",
        ),
        None => r.warn(
            "store",
            None,
            "cannot read Redis's `appendonly` setting (the ACL user lacks `CONFIG GET`)",
            "check that the server runs with `appendonly yes`",
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
    let login = format!("run `broker login {name}`");
    let state = match store.load(&profile.name) {
        Err(e) => return r.fail_with("state", p, &e, &login),
        Ok(None) if profile.grant.needs_login() => {
            return r.warn("state", p, "not logged in yet", login);
        }
        Ok(None) => return r.ok("state", p, "no token yet; one is fetched on first use"),
        Ok(Some(s)) => s,
    };
    let now = Utc::now();
    if let Some(n) = &state.needs_login {
        return r.fail(
            "state",
            p,
            Kind::NeedsPerson,
            format!(
                "Baidu refused the refresh token at {}: {}",
                time(n.at),
                sanitize(&n.reason)
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
                format!("a refresh is under way ({who})"),
                "run `broker doctor` again when it is done",
            );
        }
        // Not a failure any more: the next use presents the refresh token once more.
        Some(Journal::Interrupted(f)) => {
            return r.warn(
                "state",
                p,
                format!(
                    "a refresh was interrupted: {}; the next use presents its refresh token once more to recover",
                    f.story()
                ),
                format!("run `broker token {name}` to recover now"),
            );
        }
        None => {}
    }
    let left = relative(state.seconds_left(now));
    if state.is_expired(now) {
        let how = if profile.grant.refreshes() {
            "renewed with the refresh token on next use"
        } else {
            "fetched again on next use"
        };
        return r.warn(
            "state",
            p,
            format!("the token expired {left}; it is {how}"),
            format!("run `broker token {name}` to renew it now"),
        );
    }
    r.ok(
        "state",
        p,
        format!(
            "token valid until {} ({left}), generation {}",
            time(state.expires_at),
            state.generation
        ),
    );
}
