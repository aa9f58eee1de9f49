//! Every error of the Redis store, built here and nowhere else: typed [`StoreError`]s whose
//! words are in the catalog (`i18n/en-US/store.ftl`). None of them carries a password: URLs
//! are given masked, and a client's own text is scrubbed and sanitized.

use crate::error::{Error, StoreError, sanitize};
use crate::profile::ProfileName;

use super::RedisUrl;

/// `[store] backend = "redis"` without a URL.
pub fn no_url(cfg_path: &str) -> Error {
    StoreError::RedisNoUrl {
        config: cfg_path.to_owned(),
    }
    .into()
}

/// A URL that is not a usable Redis URL. The URL is not a fact: it may hold a password.
pub fn bad_url(from: &str, why: &'static str) -> Error {
    StoreError::RedisBadUrl {
        from: from.to_owned(),
        why,
    }
    .into()
}

pub fn bad_prefix(prefix: &str, cfg_path: &str) -> Error {
    StoreError::RedisBadPrefix {
        prefix: sanitize(prefix),
        config: cfg_path.to_owned(),
    }
    .into()
}

/// `[store] backend` names no backend broker has.
pub fn unknown_backend(name: &str, cfg_path: &str) -> Error {
    StoreError::UnknownBackend {
        name: sanitize(name),
        config: cfg_path.to_owned(),
    }
    .into()
}

/// Redis could not be reached or refused a command (connection, time-out, AUTH, ACL): exit 5.
pub fn unreachable(url: &RedisUrl, e: &redis::RedisError) -> Error {
    StoreError::RedisUnreachable {
        url: url.masked().to_owned(),
        detail: sanitize(&url.scrub(&e.to_string())),
    }
    .into()
}

/// A value in Redis that is not what broker writes (another program's key under the prefix).
pub fn foreign(url: &RedisUrl, key: &str) -> Error {
    StoreError::RedisForeign {
        url: url.masked().to_owned(),
        key: sanitize(key),
    }
    .into()
}

/// A compare-and-set that found a newer write (or a removal) than this lock last read: a
/// holder whose lease lapsed, or a write without the lock. Nothing was written (exit 6).
pub fn changed(profile: &ProfileName) -> Error {
    StoreError::RedisChanged {
        profile: profile.to_string(),
    }
    .into()
}

/// The lease was not obtained in time: exit 5, naming the holder when known.
pub fn lock_timeout(profile: &ProfileName, holder: Option<&str>) -> Error {
    StoreError::LeaseTimeout {
        profile: profile.to_string(),
        known: holder.is_some(),
        holder: holder.unwrap_or_default().to_owned(),
    }
    .into()
}
